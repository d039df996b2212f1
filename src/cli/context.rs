//! What every command needs: the vault path, how to get the passphrase, and
//! whether to be verbose. Built once from the parsed global flags.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::args::GlobalArgs;
use super::error::{CliError, CliResult};
use super::output::say;
use super::secrets;
use crate::vault::{Document, Secret, UnlockError, Unlocked, Vault, VaultError, WARN_WORK_FACTOR};

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

    /// Gets the passphrase and runs `unlock` with it. A passphrase typed at
    /// the terminal that `unlock` finds wrong is asked for again, up to
    /// [`secrets::TRIES`] times in all; one from a file or the environment
    /// is not (it would be wrong the next time too).
    pub fn unlock<T>(
        &self,
        mut unlock: impl FnMut(&Secret) -> Result<T, VaultError>,
    ) -> CliResult<(Secret, T)> {
        let typed = secrets::passphrase_is_typed(self.passphrase_file.as_deref());
        let mut tries = 1;
        loop {
            let pass = self.passphrase()?;
            match unlock(&pass) {
                Err(VaultError::Unlock {
                    source: UnlockError::WrongPassphrase,
                    ..
                }) if typed && tries < secrets::TRIES => {
                    secrets::try_again("wrong passphrase");
                    tries += 1;
                }
                result => return Ok((pass, result?)),
            }
        }
    }

    /// Unlocks the vault for reading.
    pub fn open(&self) -> CliResult<Unlocked> {
        let start = Instant::now();
        let (_, unlocked) = self.unlock(|pass| self.vault.open(pass))?;
        self.verbose(format!(
            "unlocked {} ({} entries, work factor {}, {}) in {} ms",
            self.vault.path().display(),
            unlocked.document.entries.len(),
            unlocked.container.work_factor,
            if unlocked.container.armored {
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
