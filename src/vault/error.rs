//! Errors of the vault library. Each variant carries the context a user needs
//! (path, label, versions) and never a secret.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

use super::format::Timestamp;

/// Why a vault file could not be unlocked. All map to exit code 3.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum UnlockError {
    /// The passphrase does not open the file (or the recipient stanza is damaged).
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// The file is not an age file at all.
    #[error("not an age-encrypted file")]
    NotAge,
    /// The file is empty.
    #[error("the file is empty")]
    Empty,
    /// The file is age-encrypted, but not to a single passphrase.
    #[error("encrypted to {found}, not to a passphrase")]
    NotPassphrase {
        /// The recipient types found in the header, e.g. `X25519`.
        found: String,
    },
    /// The header asks for more scrypt work than we accept.
    #[error("the file asks for scrypt work factor {found}; at most {max} is accepted")]
    WorkFactorTooHigh {
        /// The log2(N) in the header.
        found: u8,
        /// The highest we accept.
        max: u8,
    },
    /// The file holds git conflict markers: a clone without the ascvault
    /// merge driver merged it as text (spec/MERGE.md §3).
    #[error(
        "the file holds git conflict markers: git merged it as text, without the ascvault merge driver"
    )]
    ConflictMarkers,
    /// The header lists a passphrase (scrypt) stanza beside other
    /// recipients, which age forbids (spec/FORMAT.md §2).
    #[error("encrypted to a passphrase and to other recipients at once, which age forbids")]
    MixedWithPassphrase,
    /// A team vault (format 1.2) was given a passphrase.
    #[error(
        "this is a team vault, encrypted to {recipients} member recipient(s), not to a passphrase"
    )]
    TeamVault {
        /// How many recipient stanzas the header has.
        recipients: usize,
    },
    /// A passphrase vault was given identities.
    #[error("this vault is encrypted to a passphrase, not to member identities")]
    PassphraseVault,
    /// None of the identities opens any of the team vault's stanzas.
    #[error(
        "this identity is not a member of the vault (it is encrypted to {recipients} recipient(s))"
    )]
    NotAMember {
        /// How many recipient stanzas the header has.
        recipients: usize,
    },
    /// The file is damaged (truncated, bit flips, broken armor).
    #[error("the file is damaged: {what}")]
    Damaged {
        /// Which part failed to verify.
        what: &'static str,
    },
}

/// Why a decrypted plaintext is not a valid vault document. Exit code 3.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The plaintext is not UTF-8.
    #[error("the decrypted content is not UTF-8 text")]
    NotUtf8,
    /// The plaintext is not TOML of the vault schema.
    #[error("the decrypted content is not a valid vault document (line {line}): {message}")]
    Toml {
        /// 1-based line of the problem.
        line: usize,
        /// What the parser said, with quoted values removed.
        message: String,
    },
    /// `format` is not `ascvault`.
    #[error("the decrypted content is not an ascvault document (format = {found:?})")]
    NotAscvault {
        /// What the `format` key held.
        found: String,
    },
    /// `version` is not `MAJOR.MINOR`.
    #[error("version {found:?} is not of the form MAJOR.MINOR")]
    BadVersion {
        /// What the `version` key held.
        found: String,
    },
    /// A newer major version.
    #[error("vault format version {found} is newer than this ascvault supports ({supported})")]
    UnsupportedVersion {
        /// The file's version.
        found: String,
        /// The newest version this build reads.
        supported: String,
    },
    /// Two entries share a label (case-insensitively).
    #[error("two entries are labelled {label:?}")]
    DuplicateLabel {
        /// The label.
        label: String,
    },
    /// Two entries share an id.
    #[error("two entries have the id {id:?}")]
    DuplicateId {
        /// The id.
        id: String,
    },
    /// A `[[member]]` breaks a rule of the schema (format 1.2).
    #[error("member {name:?}: {why}")]
    InvalidMember {
        /// The member's name.
        name: String,
        /// Which rule.
        why: String,
    },
    /// Two members share a name (ignoring case) or a recipient.
    #[error("two members are named {name:?} or share a recipient")]
    DuplicateMember {
        /// The second member's name.
        name: String,
    },
    /// A `[[removed]]` tombstone breaks a rule of the schema (format 1.2).
    #[error(
        "removed entry {id:?}: the id is empty, or revoked_at is not present exactly when revoked"
    )]
    InvalidTombstone {
        /// Its id.
        id: String,
    },
    /// An entry breaks a rule of the schema.
    #[error("entry {label:?}: {why}")]
    InvalidEntry {
        /// The entry's label.
        label: String,
        /// Which rule.
        why: String,
    },
}

/// User input that does not pass validation. The input is echoed only when
/// it is not secret.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum InvalidInput {
    /// A label breaks the label rules.
    #[error("label {label:?} {why}")]
    Label {
        /// The label (control characters escaped).
        label: String,
        /// Which rule.
        why: &'static str,
    },
    /// Not an email address.
    #[error("{0:?} is not an Apple ID (an email address)")]
    AppleId(String),
    /// Not Apple's app-specific password form.
    #[error(
        "that is not an app-specific password: Apple's form is 16 letters, xxxx-xxxx-xxxx-xxxx"
    )]
    PasswordFormat,
    /// Not a key id.
    #[error("key id {0:?} is not 10 letters or digits")]
    KeyId(String),
    /// Not a UUID.
    #[error("issuer id {0:?} is not a UUID")]
    IssuerId(String),
    /// Not a vendor number.
    #[error("vendor number {0:?} is not a number")]
    VendorNumber(String),
    /// Not a PKCS#8 P-256 key.
    #[error(
        "the private key is not a PKCS#8 PEM P-256 (EC) key as App Store Connect issues in .p8 files"
    )]
    PrivateKey,
    /// Empty passphrase.
    #[error("the passphrase is empty")]
    EmptyPassphrase,
    /// Work factor out of range.
    #[error("work factor {0} is outside 10..=22")]
    WorkFactor(u8),
    /// Not a team id.
    #[error("team id {0:?} is not 10 letters or digits")]
    TeamId(String),
    /// Not a provider short name.
    #[error("provider {0:?} is not a short name (1 to 64 letters, digits, '.', '_' or '-')")]
    Provider(String),
    /// Not an age X25519 or SSH ed25519/RSA public key.
    #[error("not an age (age1…) or SSH (ssh-ed25519, ssh-rsa) public key: {why}")]
    Recipient {
        /// What is wrong with it.
        why: String,
    },
    /// A member name breaks the name rules.
    #[error("member name {0:?} is not 1 to 64 letters, digits, '.', '_' or '-'")]
    MemberName(String),
    /// An identity file that cannot be used.
    #[error("{path}: {why}")]
    Identity {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// A change that does not fit the entry's kind.
    #[error("entry {label:?} is an {kind} entry: {why}")]
    WrongKind {
        /// The entry's label.
        label: String,
        /// Its kind.
        kind: String,
        /// What does not fit.
        why: &'static str,
    },
}

/// Everything the vault library can fail with.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum VaultError {
    /// The vault file does not exist.
    #[error("no vault at {path}")]
    Missing {
        /// The path tried.
        path: PathBuf,
    },
    /// `init` found a file already there.
    #[error("{path} already exists")]
    AlreadyExists {
        /// The path.
        path: PathBuf,
    },
    /// `init` found a directory where the vault file would go.
    #[error("{path} is a directory, not a vault file")]
    IsDirectory {
        /// The path.
        path: PathBuf,
    },
    /// `init` was pointed into a folder that does not exist (or is not a
    /// folder).
    #[error("cannot create {vault}: there is no folder {folder}")]
    NoFolder {
        /// The vault path asked for.
        vault: PathBuf,
        /// Its folder.
        folder: PathBuf,
    },
    /// An I/O failure, with the path it concerned.
    #[error("{action} {path}: {source}")]
    Io {
        /// What we were doing ("reading", "writing", ...).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// Another process held the lock for too long.
    #[error("another ascvault process is writing {path} (waited {waited_secs} s for its lock)")]
    LockTimeout {
        /// The lock file.
        path: PathBuf,
        /// How long we waited.
        waited_secs: u64,
    },
    /// The file could not be unlocked.
    #[error("cannot unlock {path}: {source}")]
    Unlock {
        /// The vault.
        path: PathBuf,
        /// Why.
        #[source]
        source: UnlockError,
    },
    /// The plaintext is not a valid document.
    #[error("cannot read {path}: {source}")]
    Format {
        /// The vault.
        path: PathBuf,
        /// Why.
        #[source]
        source: FormatError,
    },
    /// Bad user input.
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// No entry with that label.
    #[error("no entry labelled {label:?}")]
    NoSuchEntry {
        /// The label asked for.
        label: String,
    },
    /// The entry is revoked and cannot be used.
    #[error("entry {label:?} is revoked")]
    Revoked {
        /// The label.
        label: String,
    },
    /// A new entry's secret is one a revoked entry holds (spec/MERGE.md
    /// §1.4.1): a revoked credential is never added again.
    #[error("that {what} belongs to {label:?} (id {id}), revoked {}", .revoked_at.rfc3339())]
    SecretRevoked {
        /// `password` or `API key`.
        what: &'static str,
        /// The revoked entry's label.
        label: String,
        /// The first 8 characters of the revoked entry's id.
        id: String,
        /// When it was revoked.
        revoked_at: Timestamp,
    },
    /// The entry a confirmed change was meant for is gone (another writer
    /// removed it while the question waited).
    #[error("entry {label:?} (id {id}) was removed by another writer while you were asked")]
    EntryGone {
        /// Its label when the question was asked.
        label: String,
        /// The first 8 characters of its id.
        id: String,
    },
    /// The entry a confirmed change was meant for now holds another
    /// credential (another writer changed it while the question waited).
    #[error("entry {label:?} (id {id}) was changed by another writer while you were asked")]
    EntryChanged {
        /// Its label when the question was asked.
        label: String,
        /// The first 8 characters of its id.
        id: String,
    },
    /// The label is taken.
    #[error("an entry labelled {label:?} already exists")]
    LabelTaken {
        /// The label.
        label: String,
    },
    /// The entry's kind is not understood by this version.
    #[error("entry {label:?} has kind {kind:?}, which this version of ascvault cannot use")]
    UnsupportedKind {
        /// The label.
        label: String,
        /// The kind.
        kind: String,
    },
    /// A member of that name (ignoring case) is already listed.
    #[error("{name:?} is already a member of the vault")]
    MemberExists {
        /// The name.
        name: String,
    },
    /// Another member already has that recipient.
    #[error("that recipient is already member {name:?}'s")]
    RecipientTaken {
        /// The member holding it.
        name: String,
    },
    /// No member of that name.
    #[error("no member named {name:?}")]
    NoSuchMember {
        /// The name asked for.
        name: String,
    },
    /// Removing the last member would leave a vault nobody can open.
    #[error("{name:?} is the vault's last member: a team vault needs at least one")]
    LastMember {
        /// The member.
        name: String,
    },
    /// A member change on a passphrase vault, or a team vault written
    /// without members.
    #[error("{0}")]
    NotTeam(&'static str),
    /// The encryption library failed while writing.
    #[error("encrypting the vault failed: {0}")]
    Encrypt(String),
}

impl VaultError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        VaultError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
