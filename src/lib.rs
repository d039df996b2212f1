//! ascvault keeps Apple credentials — app-specific passwords and App Store
//! Connect API keys — in one portable, age-encrypted vault file, and unlocks
//! it to work with App Store Connect.
//!
//! The file is a standard age v1 file with one scrypt (passphrase)
//! recipient, or — a team vault (format 1.2) — with the X25519 or SSH
//! recipients of its members; its plaintext is a canonical TOML document
//! described in `spec/FORMAT.md`. `age -d` recovers any vault without this
//! crate. Every read and write takes an [`Unlock`](vault::Unlock): the
//! passphrase, or member identities.
//!
//! # Layout
//!
//! The library is [`vault`] (the file format, encryption, locking, merge and
//! hygiene rules) and [`asc`] (the App Store Connect client and its report
//! formats). The command line is private; the binary calls [`main`].
//!
//! A command flows `src/main.rs` → `cli::main` (parse, then `dispatch` in
//! `src/cli/mod.rs`) → the handler of its family in `src/cli/` (`entries`,
//! `run`, `apps`, `reviews`, `verify`, `metrics`, `git`, `gitflow`,
//! `migrate`) → [`vault`] and [`asc`]. Around the handlers:
//!
//! - `src/cli/args/`: every option and subcommand, one file per family, and
//!   typed option values (`values.rs`). The doc comments there are the
//!   `--help` text.
//! - `src/cli/context.rs`: what every command gets: the vault, where the
//!   passphrase comes from, `--verbose`.
//! - `src/cli/asc.rs`: the one App Store Connect session (vault → key →
//!   client).
//! - `src/cli/error.rs`: messages, hints and exit codes (`ExitStatus`);
//!   every library error becomes a `CliError` there, by an exhaustive match.
//!   `src/cli/output.rs` writes stdout and stderr; `src/cli/sanitize.rs`
//!   makes untrusted text safe to print.
//! - `src/cli/source.rs`: where a passphrase comes from (file, environment,
//!   prompt); `src/cli/secrets.rs`: the prompts built on it.
//!
//! Shared by both halves: [`Secret`] (`src/secret.rs`), `src/p8.rs` (reading
//! a `.p8` key), and `src/atomic.rs`,
//! the one way a file is written (temporary file, fsync, rename, fsync of the
//! directory).
//!
//! To add a subcommand: its arguments in `src/cli/args/<family>.rs` and a
//! variant of `Command` in `src/cli/args/mod.rs`; its handler in
//! `src/cli/<family>.rs` returning `CliResult`; one line in `dispatch`; a
//! test under `tests/`. Check with the `--help` of the new command.
//!
//! ```
//! use ascvault::vault::{Container, NewPassword, Secret, Unlock, Vault};
//!
//! # let dir = tempfile::tempdir().unwrap();
//! let vault = Vault::new(dir.path().join("ascvault.age"));
//! let pass = Secret::from("correct horse battery staple");
//! // Work factor 10 keeps the example fast; the product default is 18.
//! vault.create(&pass, Container { armored: true, work_factor: 10 }).unwrap();
//! let key = Unlock::Passphrase(pass);
//! vault
//!     .update(&key, |doc| {
//!         let entry = NewPassword {
//!             label: "fastlane".into(),
//!             apple_id: "dev@example.com".into(),
//!             password: Secret::from("abcd efgh ijkl mnop"),
//!             note: None,
//!             skip_format_check: false,
//!         }
//!         .into_entry()?;
//!         doc.add(entry)?;
//!         Ok(())
//!     })
//!     .unwrap();
//! let doc = vault.open(&key).unwrap().document;
//! assert_eq!(doc.get("fastlane").unwrap().secret().unwrap().expose(), "abcd-efgh-ijkl-mnop");
//! ```
//!
//! A team vault: created with its first member, opened with any member's
//! identity, encrypted on every write to exactly the members listed.
//!
//! ```
//! use ascvault::vault::{Identity, Member, Unlock, Vault};
//!
//! # let dir = tempfile::tempdir().unwrap();
//! let vault = Vault::new(dir.path().join("team.age"));
//! let (alice, bob) = (Identity::generate(), Identity::generate());
//! let founder = Member::new("alice", &alice.recipient().unwrap(), "").unwrap();
//! vault.create_team(founder, true).unwrap();
//! let as_alice = Unlock::Identities(vec![alice]);
//! vault
//!     .update(&as_alice, |doc| {
//!         doc.add_member(Member::new("bob", &bob.recipient().unwrap(), "alice")?)
//!     })
//!     .unwrap();
//! let doc = vault.open(&Unlock::Identities(vec![bob])).unwrap().document;
//! assert_eq!(doc.members.len(), 2);
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod archive;
pub mod asc;
mod atomic;
mod cli;
mod p8;
mod secret;
pub mod vault;

pub use cli::{main, main_with_args};
pub use secret::Secret;
