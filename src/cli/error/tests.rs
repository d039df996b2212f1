//! The catalogue: every library error variant with the exit code, message
//! and hint a user sees, on one screen. A change to any of them shows here.

use std::io::ErrorKind as K;
use std::path::PathBuf;

use super::*;
use crate::asc::refusal;
use crate::vault::FormatError;

const WRITABLE_DIR: &str = "writing needs a writable directory: ascvault writes a temporary file beside the vault, then renames it over the vault; the vault was not changed";
const NO_TERMINAL: &str = "pass --passphrase-file PATH or set ASCVAULT_PASSPHRASE (meant for CI)";

fn vault() -> PathBuf {
    PathBuf::from("/v/ascvault.age")
}

fn unlock(source: UnlockError) -> CliError {
    VaultError::Unlock {
        path: vault(),
        source,
    }
    .into()
}

fn invalid(input: InvalidInput) -> CliError {
    VaultError::Invalid(input).into()
}

fn io(kind: K) -> CliError {
    VaultError::Io {
        action: "writing",
        path: PathBuf::from("/v/.ascvault.age.x.tmp"),
        source: io::Error::from(kind),
    }
    .into()
}

fn refused(status: u16) -> AscError {
    AscError::Refused {
        request: "GET /v1/apps".into(),
        status,
        code: Some("CODE".into()),
        title: Some("Title".into()),
        detail: None,
        more: Default::default(),
    }
}

/// A refusal with Apple's code and detail.
fn refused_with(status: u16, request: &str, code: &str, detail: &str) -> AscError {
    AscError::Refused {
        request: request.into(),
        status,
        code: Some(code.into()),
        title: None,
        detail: Some(detail.into()),
        more: Default::default(),
    }
}

fn network(timed_out: bool) -> AscError {
    AscError::Network {
        request: "GET /v1/apps".into(),
        host: "127.0.0.1:9".into(),
        attempts: 3,
        message: "connection refused".into(),
        timed_out,
    }
}

fn asc(err: AscError) -> CliError {
    err.into()
}

#[test]
fn every_library_error_has_its_exit_code_message_and_hint() {
    use ExitStatus::*;
    #[rustfmt::skip]
    let catalogue: Vec<(CliError, ExitStatus, &str, Option<&str>)> = vec![
        // The vault file and its lock.
        (VaultError::Missing { path: vault() }.into(), Failure,
            "no vault at /v/ascvault.age",
            Some("create one with `ascvault init`, or point --vault (or ASCVAULT_VAULT) at yours")),
        (VaultError::AlreadyExists { path: vault() }.into(), Failure,
            "/v/ascvault.age already exists",
            Some("init never overwrites a file; choose another --vault path")),
        (VaultError::IsDirectory { path: PathBuf::from("/v") }.into(), Failure,
            "/v is a directory, not a vault file",
            Some("init creates a file; to put the vault in that folder, pass --vault /v/ascvault.age")),
        (VaultError::NoFolder { vault: PathBuf::from("/v/new/ascvault.age"), folder: PathBuf::from("/v/new") }.into(), Failure,
            "cannot create /v/new/ascvault.age: there is no folder /v/new",
            Some("create the folder first (mkdir -p /v/new), or choose another --vault path")),
        (VaultError::LockTimeout { path: PathBuf::from("/v/.ascvault.age.lock"), waited_secs: 10 }.into(), Failure,
            "another ascvault process is writing /v/.ascvault.age.lock (waited 10 s for its lock)",
            Some("wait for the other process to finish, then try again")),
        (VaultError::Encrypt("boom".into()).into(), Failure,
            "encrypting the vault failed: boom", None),
        // Unlocking: exit 3, a hint per cause.
        (unlock(UnlockError::WrongPassphrase), Unlock,
            "cannot unlock /v/ascvault.age: wrong passphrase",
            Some("check the passphrase; if you are sure of it, the file's header may be damaged: restore it from git history")),
        (unlock(UnlockError::NotAge), Unlock,
            "cannot unlock /v/ascvault.age: not an age-encrypted file",
            Some("this file is not an ascvault vault; check --vault")),
        (unlock(UnlockError::Empty), Unlock,
            "cannot unlock /v/ascvault.age: the file is empty",
            Some("this file is not an ascvault vault; check --vault")),
        (unlock(UnlockError::NotPassphrase { found: "X25519".into() }), Unlock,
            "cannot unlock /v/ascvault.age: encrypted to X25519, not to a passphrase",
            Some("ascvault vaults are encrypted to a passphrase (`age -p`) or to members' X25519/SSH keys; decrypt this one with its identity file")),
        // Team vaults (format 1.2).
        (unlock(UnlockError::MixedWithPassphrase), Unlock,
            "cannot unlock /v/ascvault.age: encrypted to a passphrase and to other recipients at once, which age forbids",
            Some("age refuses a file encrypted to a passphrase and to keys at once; this is not an ascvault vault")),
        (unlock(UnlockError::TeamVault { recipients: 2 }), Unlock,
            "cannot unlock /v/ascvault.age: this is a team vault, encrypted to 2 member recipient(s), not to a passphrase",
            Some("pass --member NAME (or ASCVAULT_MEMBER) or --identity FILE (or ASCVAULT_IDENTITY)")),
        (unlock(UnlockError::PassphraseVault), Unlock,
            "cannot unlock /v/ascvault.age: this vault is encrypted to a passphrase, not to member identities",
            Some("this vault opens with its passphrase: drop --identity")),
        (unlock(UnlockError::NotAMember { recipients: 2 }), Unlock,
            "cannot unlock /v/ascvault.age: this identity is not a member of the vault (it is encrypted to 2 recipient(s))",
            Some("use the identity of a member: `ascvault member list` (run by a member) shows them")),
        (VaultError::MemberExists { name: "bob".into() }.into(), Failure,
            "\"bob\" is already a member of the vault", Some("`ascvault member list` shows the members")),
        (VaultError::RecipientTaken { name: "bob".into() }.into(), Failure,
            "that recipient is already member \"bob\"'s", Some("`ascvault member list` shows the members")),
        (VaultError::NoSuchMember { name: "bob".into() }.into(), NoEntry,
            "no member named \"bob\"", Some("`ascvault member list` shows the members")),
        (VaultError::LastMember { name: "bob".into() }.into(), Failure,
            "\"bob\" is the vault's last member: a team vault needs at least one",
            Some("add another member first, or make it a passphrase vault with `ascvault convert --to-passphrase`")),
        (VaultError::NotTeam("why").into(), Failure, "why", None),
        (VaultError::from(InvalidInput::Recipient { why: "bad".into() }).into(), Failure,
            "not an age (age1…) or SSH (ssh-ed25519, ssh-rsa) public key: bad",
            Some("give an age recipient (age1…, as `age-keygen -y` or `ascvault identity new` prints) or an SSH ed25519/RSA .pub line")),
        (VaultError::from(InvalidInput::MemberName("a b".into())).into(), Failure,
            "member name \"a b\" is not 1 to 64 letters, digits, '.', '_' or '-'", None),
        (VaultError::from(InvalidInput::Identity { path: PathBuf::from("/k"), why: "bad".into() }).into(), Failure,
            "/k: bad",
            Some("give an age identity file, an SSH ed25519/RSA private key, or an identity file encrypted with `age -p`")),
        (unlock(UnlockError::WorkFactorTooHigh { found: 30, max: 22 }), Unlock,
            "cannot unlock /v/ascvault.age: the file asks for scrypt work factor 30; at most 22 is accepted",
            Some("refused before doing any work; a vault written by ascvault or `age -p` never asks for this much")),
        (unlock(UnlockError::ConflictMarkers), Unlock,
            "cannot unlock /v/ascvault.age: the file holds git conflict markers: git merged it as text, without the ascvault merge driver",
            Some("nothing is lost: `git merge --abort` brings your version back; then run `ascvault git setup` in this clone and pull again (the ascvault merge driver merges entry by entry); if the merge is already committed, `git checkout HEAD^1 -- <vault>` restores your version")),
        (unlock(UnlockError::Damaged { what: "payload" }), Unlock,
            "cannot unlock /v/ascvault.age: the file is damaged: payload",
            Some("the file was altered or cut short; restore it from git history or a backup")),
        (VaultError::Format { path: vault(), source: FormatError::NotUtf8 }.into(), Unlock,
            "cannot read /v/ascvault.age: the decrypted content is not UTF-8 text",
            Some("the file decrypted, but its content is not a vault this version can read; `age -d` shows it")),
        // Entries.
        (VaultError::NoSuchEntry { label: "ci".into() }.into(), NoEntry,
            "no entry labelled \"ci\"", Some("`ascvault list --all` shows every label")),
        (VaultError::Revoked { label: "ci".into() }.into(), Revoked,
            "entry \"ci\" is revoked", Some("a revoked entry is never used again; add a new one")),
        (VaultError::LabelTaken { label: "ci".into() }.into(), Failure,
            "an entry labelled \"ci\" already exists",
            Some("labels are unique (ignoring case); pick another or `ascvault relabel` the old one")),
        (VaultError::SecretRevoked { what: "password", label: "ci".into(), id: "0b0c6a2e".into(),
                revoked_at: crate::vault::Timestamp::from_unix(1_764_460_800) }.into(), Revoked,
            "that password belongs to \"ci\" (id 0b0c6a2e), revoked 2025-11-30T00:00:00Z",
            Some("a revoked credential is never used again: create a new one at Apple and add that")),
        (VaultError::EntryGone { label: "ci".into(), id: "0b0c6a2e".into() }.into(), NoEntry,
            "entry \"ci\" (id 0b0c6a2e) was removed by another writer while you were asked",
            Some("nothing was changed; `ascvault list --all` shows what is there now")),
        (VaultError::EntryChanged { label: "ci".into(), id: "0b0c6a2e".into() }.into(), Failure,
            "entry \"ci\" (id 0b0c6a2e) was changed by another writer while you were asked",
            Some("nothing was changed; look at it again (`ascvault show LABEL`) and retry")),
        (VaultError::UnsupportedKind { label: "ci".into(), kind: "ssh-key".into() }.into(), Failure,
            "entry \"ci\" has kind \"ssh-key\", which this version of ascvault cannot use",
            Some("upgrade ascvault to use this entry")),
        // Rejected input: exit 1; the message states the rule.
        (invalid(InvalidInput::Label { label: "a b".into(), why: "has a space" }), Failure,
            "label \"a b\" has a space", None),
        (invalid(InvalidInput::AppleId("me".into())), Failure,
            "\"me\" is not an Apple ID (an email address)", None),
        (invalid(InvalidInput::PasswordFormat), Failure,
            "that is not an app-specific password: Apple's form is 16 letters, xxxx-xxxx-xxxx-xxxx",
            Some("copy it from appleid.apple.com exactly as shown; --no-format-check stores it as typed")),
        (invalid(InvalidInput::KeyId("K".into())), Failure,
            "key id \"K\" is not 10 letters or digits", None),
        (invalid(InvalidInput::IssuerId("I".into())), Failure,
            "issuer id \"I\" is not a UUID", None),
        (invalid(InvalidInput::VendorNumber("V".into())), Failure,
            "vendor number \"V\" is not a number", None),
        (invalid(InvalidInput::PrivateKey), Failure,
            "the private key is not a PKCS#8 PEM P-256 (EC) key as App Store Connect issues in .p8 files",
            Some("use the AuthKey_<KEYID>.p8 file App Store Connect let you download")),
        (invalid(InvalidInput::EmptyPassphrase), Failure, "the passphrase is empty", None),
        (invalid(InvalidInput::WorkFactor(9)), Failure, "work factor 9 is outside 10..=22", None),
        // I/O while writing: the vault is unchanged, and the hint says so.
        (io(K::StorageFull), Failure, "writing /v/.ascvault.age.x.tmp: the disk is full",
            Some("the vault was not changed; free some space on the disk that holds it, then try again")),
        (io(K::QuotaExceeded), Failure, "writing /v/.ascvault.age.x.tmp: the disk is full",
            Some("the vault was not changed; free some space on the disk that holds it, then try again")),
        (io(K::ReadOnlyFilesystem), Failure,
            "writing /v/.ascvault.age.x.tmp: the file system is read-only", Some(WRITABLE_DIR)),
        (io(K::PermissionDenied), Failure,
            "writing /v/.ascvault.age.x.tmp: permission denied", Some(WRITABLE_DIR)),
        (io(K::IsADirectory), Failure, "/v/.ascvault.age.x.tmp is a directory, not a vault file",
            Some("point --vault (or ASCVAULT_VAULT) at the vault file itself")),
        (VaultError::Io { action: "reading", path: vault(), source: io::Error::other("boom") }.into(), Failure,
            "reading /v/ascvault.age: boom", None),
        // App Store Connect: refusals exit 6, the network 7.
        (asc(refused(401)), Refused, "App Store Connect refused GET /v1/apps: 401 CODE: Title",
            Some("check the entry's key id and issuer id; the key may have been revoked in App Store Connect (Users and Access → Integrations)")),
        // A 403 by Apple's code: the role, an agreement, something else.
        (asc(refused_with(403, "GET /v1/apps", "FORBIDDEN_ERROR", "D")), Refused,
            "App Store Connect refused GET /v1/apps: 403 FORBIDDEN_ERROR: D",
            Some("the key's role lacks access to this; an Admin, App Manager or Customer Support key can work with reviews")),
        (asc(refusal("GET /v1/apps".into(), 403, br#"{"errors":[{"code":"FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED","title":"T","detail":"D","links":{"see":"/agreements"}}]}"#)), Refused,
            "App Store Connect refused GET /v1/apps: 403 FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED: T — D (see /agreements)",
            Some("a required agreement is missing or has expired: the Account Holder must accept it in App Store Connect (Business → Agreements); until then no key works, whatever its role")),
        (asc(refused(403)), Refused, "App Store Connect refused GET /v1/apps: 403 CODE: Title",
            Some("App Store Connect forbids this for a reason other than the key's role; Apple's code and detail above say which")),
        // A 404 by the kind of id: Apple's detail names it, else the path.
        (asc(refused(404)), Refused, "App Store Connect refused GET /v1/apps: 404 CODE: Title", None),
        (asc(refused_with(404, "GET /v1/apps/9", "NOT_FOUND", "D")), Refused,
            "App Store Connect refused GET /v1/apps/9: 404 NOT_FOUND: D",
            Some("check the app id; `ascvault apps` lists the apps this key can see")),
        (asc(refused_with(404, "POST /v1/customerReviewResponses", "NOT_FOUND", "There is no resource of type 'customerReviews' with id 'r'")), Refused,
            "App Store Connect refused POST /v1/customerReviewResponses: 404 NOT_FOUND: There is no resource of type 'customerReviews' with id 'r'",
            Some("check the review id; `ascvault reviews list --app APP` shows the ids of an app's reviews")),
        (asc(refused_with(404, "DELETE /v1/customerReviewResponses/x", "NOT_FOUND", "D")), Refused,
            "App Store Connect refused DELETE /v1/customerReviewResponses/x: 404 NOT_FOUND: D",
            Some("the response is gone (deleted or replaced); `ascvault reviews show REVIEW_ID` shows the current one")),
        (asc(refused_with(404, "GET /v1/builds/b/perfPowerMetrics", "NOT_FOUND", "D")), Refused,
            "App Store Connect refused GET /v1/builds/b/perfPowerMetrics: 404 NOT_FOUND: D",
            Some("check the build id: App Store Connect's id of the build, not its version or build number; `ascvault metrics builds --app APP` lists them")),
        (asc(refused_with(404, "GET /v1/analyticsReports/r/instances", "NOT_FOUND", "D")), Refused,
            "App Store Connect refused GET /v1/analyticsReports/r/instances: 404 NOT_FOUND: D",
            Some("`ascvault metrics reports --app APP` lists the app's reports as App Store Connect has them now")),
        (asc(refused_with(404, "GET /v1/x", "NOT_FOUND", "There is no resource of type 'bundleIds' with id 'B'")), Refused,
            "App Store Connect refused GET /v1/x: 404 NOT_FOUND: There is no resource of type 'bundleIds' with id 'B'",
            Some("App Store Connect has no bundleIds with that id; check it")),
        // A 409 says what it is about in Apple's words, associated errors included.
        (asc(refusal("POST /v1/x".into(), 409, br#"{"errors":[{"code":"STATE_ERROR","title":"T","detail":"D","meta":{"associatedErrors":{"/v1/r/1":[{"code":"C","detail":"X"}]}}}]}"#)), Refused,
            "App Store Connect refused POST /v1/x: 409 STATE_ERROR: T — D; associated errors: /v1/r/1: C: X", None),
        (asc(refused(409)), Refused, "App Store Connect refused GET /v1/apps: 409 CODE: Title", None),
        (asc(refused(429)), Refused, "App Store Connect refused GET /v1/apps: 429 CODE: Title",
            Some("the hourly request allowance is spent; wait and try again")),
        (asc(refused(503)), Refused, "App Store Connect refused GET /v1/apps: 503 CODE: Title",
            Some("App Store Connect is failing; try again later")),
        (asc(network(true)), Network,
            "cannot reach 127.0.0.1:9 (GET /v1/apps) after 3 attempt(s): connection refused",
            Some("no answer within --timeout; raise it or try again later")),
        (asc(network(false)), Network,
            "cannot reach 127.0.0.1:9 (GET /v1/apps) after 3 attempt(s): connection refused",
            Some("check the network connection and --api-base (ASCVAULT_API_BASE)")),
        (asc(AscError::Decode { request: "GET /v1/apps".into(), path: "data[0].id".into(), message: "missing".into() }), Failure,
            "unexpected answer to GET /v1/apps: at data[0].id: missing",
            Some("App Store Connect sent an answer this version cannot read; try again, and report it if it persists")),
        (asc(AscError::Key("bad".into())), Failure, "the API key cannot be used: bad",
            Some("add the key again from its AuthKey_<KEYID>.p8 file")),
        (asc(AscError::BadBase("bad base".into())), Usage, "bad base", None),
        (asc(AscError::BadId("bad id".into())), Usage, "bad id", None),
        (asc(AscError::BadLink("off-origin link".into())), Failure, "off-origin link",
            Some("App Store Connect sent an answer this version cannot read; try again, and report it if it persists")),
        (asc(AscError::TooLarge { request: "GET /v1/apps".into(), limit: "64 MiB".into() }), Failure,
            "the answer to GET /v1/apps is larger than 64 MiB, the most ascvault reads of one answer",
            Some("App Store Connect never sends so much; check --api-base (ASCVAULT_API_BASE), and report it if it persists")),
        (asc(AscError::Paging { request: "GET /v1/apps".into(), message: "page 2 is empty but links to another".into() }), Failure,
            "App Store Connect's pages of GET /v1/apps do not end: page 2 is empty but links to another",
            Some("App Store Connect sent an answer this version cannot read; try again, and report it if it persists")),
        (asc(AscError::Setup("no TLS".into())), Failure, "no TLS", None),
        // --app.
        (ResolveError::Unknown("com.x".into()).into(), Refused, "no app has the bundle id or the name \"com.x\"",
            Some("`ascvault apps` lists the apps this key can see, with their bundle ids and names (names match exactly, case included)")),
        (ResolveError::Ambiguous { name: "N".into(), count: 2, apps: ["1", "2"].map(|id| crate::asc::apps::AppInfo { id: id.into(), name: "N".into(), bundle_id: format!("b.{id}"), sku: String::new() }).to_vec() }.into(), Usage,
            "2 apps are named \"N\": 1 (b.1), 2 (b.2)",
            Some("pass the app id or the bundle id instead of the name")),
        (ResolveError::Malformed("x\ny".into()).into(), Usage, "\"x\\ny\" is neither a numeric app id, a bundle id nor an app name",
            Some("--app takes the numeric app id, the bundle id (com.example.app) or the app's exact name")),
        (ResolveError::Asc(network(false)).into(), Network,
            "cannot reach 127.0.0.1:9 (GET /v1/apps) after 3 attempt(s): connection refused",
            Some("check the network connection and --api-base (ASCVAULT_API_BASE)")),
        // Where a passphrase comes from.
        (SourceError::Unreadable { path: PathBuf::from("/p"), source: io::Error::other("boom") }.into(), Failure,
            "cannot read /p: boom", None),
        (SourceError::NotUtf8 { path: PathBuf::from("/p") }.into(), Failure, "/p is not UTF-8 text", None),
        (SourceError::EnvNotUtf8.into(), Failure, "ASCVAULT_PASSPHRASE is not valid UTF-8", None),
        (SourceError::NoTerminal.into(), Usage, "no terminal to ask for the passphrase", Some(NO_TERMINAL)),
        (SourceError::NoSource.into(), Usage, "no passphrase source", Some(NO_TERMINAL)),
        (SourceError::Terminal(io::Error::other("boom")).into(), Failure,
            "cannot read from the terminal: boom", None),
        (SourceError::EmptyNew.into(), Failure, "the passphrase is empty",
            Some("choose a long passphrase: it is all that protects the file")),
        (SourceError::Mismatch.into(), Failure, "the passphrases do not match", None),
    ];
    let wrong: Vec<String> = catalogue
        .iter()
        .filter(|(err, code, message, hint)| {
            (err.code, err.message.as_str(), err.hint.as_deref()) != (*code, *message, *hint)
        })
        .map(|(err, ..)| format!("{:?} {:?} {:?}", err.code, err.message, err.hint))
        .collect();
    assert!(wrong.is_empty(), "not as catalogued:\n{}", wrong.join("\n"));
}

#[test]
fn storage_full_errors_map_to_a_disk_full_message() {
    // The injected-error variant of the full-disk case (tests/faults/storage.rs
    // mounts a small tmpfs where it may): it runs everywhere.
    for kind in [K::StorageFull, K::QuotaExceeded] {
        let err = io(kind);
        assert!(err.message.contains("the disk is full"), "{}", err.message);
        assert!(err.hint.is_some());
        assert_eq!(err.code, ExitStatus::Failure);
    }
}

#[test]
fn exit_codes_are_the_documented_numbers() {
    use ExitStatus::*;
    #[rustfmt::skip]
    let documented = [
        (Success, 0), (Failure, 1), (Usage, 2), (Unlock, 3), (NoEntry, 4),
        (Revoked, 5), (Refused, 6), (Network, 7), (External(42), 42),
    ];
    for (status, code) in documented {
        assert_eq!(status.code(), code, "{status:?}");
    }
}

#[cfg(unix)]
#[test]
fn run_passes_on_the_childs_status() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::ExitStatus as Child;
    // Raw wait statuses: the exit code in the second byte, a signal in the first.
    assert_eq!(
        ExitStatus::of_child(Child::from_raw(0)),
        ExitStatus::External(0)
    );
    assert_eq!(
        ExitStatus::of_child(Child::from_raw(42 << 8)),
        ExitStatus::External(42)
    );
    assert_eq!(
        ExitStatus::of_child(Child::from_raw(9)),
        ExitStatus::External(137)
    );
}
