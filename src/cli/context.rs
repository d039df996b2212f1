//! What every command needs: the vault path, how to get the passphrase, and
//! whether to be verbose. Built once from the parsed global flags.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::args::GlobalArgs;
use super::error::{CliError, CliResult, ExitStatus};
use super::output::say;
use super::secrets;
use crate::vault::team::{LoadedIdentity, identity_file};
use crate::vault::{
    Document, Header, Identity, Secret, Unlock, UnlockError, Unlocked, Vault, VaultError,
    WARN_WORK_FACTOR, check_member_name, crypto,
};

/// How long to wait for another ascvault's lock on the vault:
/// `ASCVAULT_LOCK_TIMEOUT` seconds when it is a number, else the vault's
/// default. The one place the CLI reads it; the vault takes it as a value.
/// (Not a hidden clap argument: that would also accept a `--lock-timeout`
/// flag, and reject a malformed value the CLI has always ignored.)
fn lock_timeout() -> Duration {
    std::env::var("ASCVAULT_LOCK_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(crate::vault::store::DEFAULT_LOCK_TIMEOUT)
}

/// Set once the weak-vault warning went out: once per process.
static WARNED_WEAK: AtomicBool = AtomicBool::new(false);

/// Says on stderr, once per process, that a vault's work factor is below
/// [`WARN_WORK_FACTOR`]: anyone who can write the file could have lowered
/// it, and every later write keeps it. `ASCVAULT_ALLOW_WEAK_VAULT=1`
/// silences it (test suites, which use fast vaults on purpose). Every path
/// that opens a vault calls this: the context's vault does on every
/// decryption, reads and writes alike ([`Vault::on_unlock`]).
pub fn warn_weak_work_factor(work_factor: u8) {
    if work_factor >= WARN_WORK_FACTOR
        || std::env::var_os("ASCVAULT_ALLOW_WEAK_VAULT").is_some_and(|v| v == "1")
        || WARNED_WEAK.swap(true, Ordering::Relaxed)
    {
        return;
    }
    say(&format!(
        "warning: this vault's work factor is {work_factor}, below {WARN_WORK_FACTOR}: \
         a stolen copy is cheap to attack (raise it with `ascvault passwd --work-factor {}`)",
        crate::vault::DEFAULT_WORK_FACTOR
    ));
}

/// The label in `labels` that `label` is most likely a typo of: the fewest
/// edits (case aside), and few enough for the label's length — at most one
/// edit up to five characters, two up to eight, three beyond.
pub fn closest_label<'a>(
    label: &str,
    labels: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wanted = label.to_lowercase();
    let allowed = match wanted.chars().count() {
        0..=5 => 1,
        6..=8 => 2,
        _ => 3,
    };
    labels
        .into_iter()
        .map(|l| (strsim::damerau_levenshtein(&wanted, &l.to_lowercase()), l))
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, l)| l)
}

/// The CLI error for `err`; a label that is not in `doc` but close to one
/// that is gets "did you mean …" as its hint.
pub fn suggest(err: VaultError, doc: &Document) -> CliError {
    suggest_among(err, doc.entries.iter().map(|e| e.label.as_str()))
}

/// [`suggest`] with the labels given.
pub fn suggest_among<'a>(err: VaultError, labels: impl IntoIterator<Item = &'a str>) -> CliError {
    let guess = match &err {
        VaultError::NoSuchEntry { label } => closest_label(label, labels).map(str::to_owned),
        _ => None,
    };
    let cli = CliError::from(err);
    match guess {
        Some(guess) => cli.hint(format!(
            "did you mean {guess:?}? (`ascvault list --all` shows every label)"
        )),
        None => cli,
    }
}

/// Shared state of one invocation.
#[derive(Debug)]
pub struct Context {
    /// The vault, with the lock timeout in force.
    pub vault: Vault,
    /// Where the passphrase comes from first (else the environment, else a
    /// prompt).
    pub passphrase_file: Option<PathBuf>,
    /// `--identity` / `ASCVAULT_IDENTITY`: a team vault's identity file.
    pub identity: Option<PathBuf>,
    /// `--member` / `ASCVAULT_MEMBER`: which member's identity file to use.
    pub member: Option<String>,
    /// Whether to say more on stderr.
    pub verbose: bool,
}

impl Context {
    /// Builds the context from the global flags.
    pub fn new(global: &GlobalArgs) -> Self {
        Context {
            vault: Vault::new(&global.vault)
                .with_lock_timeout(lock_timeout())
                .on_unlock(|container| warn_weak_work_factor(container.work_factor)),
            passphrase_file: global.passphrase_file.clone(),
            identity: global.identity.clone(),
            member: global.member.clone(),
            verbose: global.verbose,
        }
    }

    /// A note on stderr with `--verbose`.
    pub fn verbose(&self, text: impl AsRef<str>) {
        if self.verbose {
            say(&format!("ascvault: {}", text.as_ref()));
        }
    }

    /// The vault passphrase from its sources.
    pub fn passphrase(&self) -> CliResult<Secret> {
        // Fail on a missing vault before asking for a passphrase.
        if !self.vault.path().exists() {
            self.vault.read_bytes()?;
        }
        secrets::passphrase(self.passphrase_file.as_deref())
    }

    /// The key that opens the vault, from its sources (spec/FORMAT.md §10):
    /// a passphrase vault's passphrase; for a team vault `--identity` /
    /// `ASCVAULT_IDENTITY`, else the member named by `--member` /
    /// `ASCVAULT_MEMBER` / git config `ascvault.member` (their identity file
    /// and passphrase), else an error naming the members. A passphrase
    /// typed at the terminal that does not open the identity is asked
    /// again, up to [`secrets::TRIES`] times.
    pub fn key(&self) -> CliResult<Unlock> {
        let (key, ()) = self.unlock(|_| Ok(()))?;
        Ok(key)
    }

    /// Gets the key ([`Context::key`]) and runs `unlock` with it. A
    /// passphrase typed at the terminal that `unlock` (or the identity
    /// file) finds wrong is asked for again, up to [`secrets::TRIES`] times
    /// in all; one from a file or the environment is not (it would be wrong
    /// the next time too).
    pub fn unlock<T>(
        &self,
        mut unlock: impl FnMut(&Unlock) -> Result<T, VaultError>,
    ) -> CliResult<(Unlock, T)> {
        let bytes = self.vault.read_bytes()?;
        let header = crypto::header(&bytes).map_err(|source| VaultError::Unlock {
            path: self.vault.path().to_owned(),
            source,
        })?;
        if let Header::Team(team) = header {
            let key = self.team_key(team.recipients)?;
            let result = unlock(&key);
            return Ok((key, result.map_err(|e| self.not_a_member(e))?));
        }
        let typed = secrets::passphrase_is_typed(self.passphrase_file.as_deref());
        let mut tries = 1;
        loop {
            let key = Unlock::Passphrase(self.passphrase()?);
            match unlock(&key) {
                Err(VaultError::Unlock {
                    source: UnlockError::WrongPassphrase,
                    ..
                }) if typed && tries < secrets::TRIES => {
                    secrets::try_again("wrong passphrase");
                    tries += 1;
                }
                result => return Ok((key, result?)),
            }
        }
    }

    /// The member whose identity file to use: `--member`, `ASCVAULT_MEMBER`,
    /// else git config `ascvault.member` of the vault's repository.
    pub fn member_name(&self) -> Option<String> {
        self.member
            .clone()
            .or_else(|| super::git::config_value(self.vault.path(), "ascvault.member"))
    }

    /// A team vault's key: `--identity`, else the member's identity file.
    pub fn team_key(&self, recipients: usize) -> CliResult<Unlock> {
        if let Some(path) = &self.identity {
            return Ok(Unlock::Identities(self.load_identity(path)?));
        }
        let Some(name) = self.member_name() else {
            return Err(self.choose_member(recipients));
        };
        check_member_name(&name).map_err(VaultError::from)?;
        let path = identity_file::path_for(self.vault.path(), &name);
        if !path.exists() {
            return Err(CliError::new(format!(
                "member {name:?} has no identity file at {}",
                path.display()
            ))
            .hint(self.members_hint())
            .code(ExitStatus::Unlock));
        }
        let label = format!("member {name}");
        self.with_passphrase(&label, |pass| identity_file::open_path(&path, pass))
            .map(Unlock::Identities)
    }

    /// The identities in the file `--identity` names, asking for its
    /// passphrase when it has one.
    pub fn load_identity(&self, path: &Path) -> CliResult<Vec<Identity>> {
        let bytes = std::fs::read(path).map_err(|e| {
            CliError::new(format!(
                "cannot read the identity file {}: {e}",
                path.display()
            ))
        })?;
        match Identity::load(&bytes, path).map_err(VaultError::from)? {
            LoadedIdentity::Ready(list) => Ok(list),
            LoadedIdentity::Locked(locked) => {
                let label = format!("{} {}", locked.what(), path.display());
                self.with_passphrase(&label, |pass| {
                    locked.unlock(pass).map_err(|source| VaultError::Unlock {
                        path: path.to_owned(),
                        source,
                    })
                })
            }
        }
    }

    /// Runs `open` with a passphrase from the usual sources (the prompt
    /// naming `label`), asking again on a wrong one typed at the terminal.
    pub fn with_passphrase<T>(
        &self,
        label: &str,
        mut open: impl FnMut(&Secret) -> Result<T, VaultError>,
    ) -> CliResult<T> {
        let typed = secrets::passphrase_is_typed(self.passphrase_file.as_deref());
        let mut tries = 1;
        loop {
            let pass = secrets::passphrase_for(self.passphrase_file.as_deref(), label)?;
            match open(&pass) {
                Err(VaultError::Unlock {
                    source: UnlockError::WrongPassphrase,
                    ..
                }) if typed && tries < secrets::TRIES => {
                    secrets::try_again("wrong passphrase");
                    tries += 1;
                }
                result => return Ok(result?),
            }
        }
    }

    /// "members with identity files here: …", for hints.
    fn members_hint(&self) -> String {
        let present = identity_file::present(self.vault.path());
        if present.is_empty() {
            "no member identity files are beside the vault (.ascvault/identities/): pass --identity FILE"
                .into()
        } else {
            format!(
                "members with identity files beside the vault: {}; pass --member NAME or --identity FILE",
                present.join(", ")
            )
        }
    }

    /// The error for a team vault opened without saying who you are.
    fn choose_member(&self, recipients: usize) -> CliError {
        CliError::from(VaultError::Unlock {
            path: self.vault.path().to_owned(),
            source: UnlockError::TeamVault { recipients },
        })
        .hint(format!(
            "say which member you are: {} (or ASCVAULT_MEMBER, ASCVAULT_IDENTITY, or `git config ascvault.member NAME`)",
            self.members_hint()
        ))
    }

    /// A team vault that the identity does not open: the member list is
    /// inside the ciphertext, so the hint names the identity files present.
    fn not_a_member(&self, err: VaultError) -> CliError {
        match err {
            VaultError::Unlock {
                source: UnlockError::NotAMember { .. },
                ..
            } => CliError::from(err).hint(self.members_hint()),
            other => other.into(),
        }
    }

    /// Unlocks the vault for reading.
    pub fn open(&self) -> CliResult<Unlocked> {
        let start = Instant::now();
        let (_, unlocked) = self.unlock(|key| self.vault.open(key))?;
        let kind = match unlocked.header {
            Header::Passphrase(c) => format!("work factor {}", c.work_factor),
            Header::Team(t) => format!("team vault, {} recipient(s)", t.recipients),
        };
        self.verbose(format!(
            "unlocked {} ({} entries, {kind}, {}) in {} ms",
            self.vault.path().display(),
            unlocked.document.entries.len(),
            if unlocked.header.armored() {
                "armored"
            } else {
                "binary"
            },
            start.elapsed().as_millis()
        ));
        Ok(unlocked)
    }

    /// Read-modify-write of the vault.
    pub fn update<T>(
        &self,
        change: impl FnOnce(&mut Document) -> Result<T, VaultError>,
    ) -> CliResult<T> {
        let start = Instant::now();
        // Unlock first (asking again on a wrong passphrase), then change
        // and write under the lock: a draft costs no more than an update.
        let (_, draft) = self.unlock(|pass| self.vault.draft(pass))?;
        let labels: Vec<String> = draft
            .document()
            .entries
            .iter()
            .map(|e| e.label.clone())
            .collect();
        let result = self
            .vault
            .commit(draft, change)
            .map_err(|e| suggest_among(e, labels.iter().map(String::as_str)))?;
        self.verbose(format!(
            "wrote {} in {} ms",
            self.vault.path().display(),
            start.elapsed().as_millis()
        ));
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::closest_label;

    #[test]
    fn closest_label_takes_likely_typos_only() {
        let labels = ["fastlane", "fl", "xcode-cloud"];
        assert_eq!(closest_label("fastlnae", labels), Some("fastlane"));
        assert_eq!(closest_label("FASTLANE!", labels), Some("fastlane"));
        assert_eq!(closest_label("f", labels), Some("fl"));
        assert_eq!(closest_label("xc", labels), None);
        assert_eq!(closest_label("testflight", labels), None);
        assert_eq!(closest_label("anything", []), None);
    }
}
