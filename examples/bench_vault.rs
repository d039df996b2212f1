//! Makes a vault of N entries for the benchmarks (`bench/run.sh`,
//! `bench/team.sh`):
//!
//! ```text
//! ASCVAULT_PASSPHRASE=… cargo run --release --example bench_vault -- OUT.age N WORK_FACTOR
//! ASCVAULT_PASSPHRASE=… cargo run --release --example bench_vault -- OUT.age N WORK_FACTOR --team MEMBERS
//! ```
//!
//! The first form makes a passphrase vault at WORK_FACTOR. The second makes
//! a team vault (spec/FORMAT.md §2, §3.7) of MEMBERS members (at least 2):
//! `bench`, whose identity file `.ascvault/identities/bench.age` beside
//! OUT.age is encrypted with ASCVAULT_PASSPHRASE at WORK_FACTOR (what
//! `ascvault identity new` writes); `ci`, whose plain X25519 identity file
//! is written to OUT.key (0600, as `age-keygen` writes it: a CI runner's
//! secret); and `member-NN` for the rest, fresh X25519 recipients whose
//! private keys are thrown away. The team vault itself has no work factor.
//!
//! Entries are built and validated through the library (`NewPassword`,
//! `NewApiKey`); seven in ten are passwords, the rest API keys, every tenth
//! is revoked and every fifth has a note. Labels are unique by
//! construction, so they are appended directly instead of through
//! `Document::add`, whose uniqueness scan would make generation quadratic.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use ascvault::vault::team::identity_file;
use ascvault::vault::{
    Container, Document, Identity, Member, NewApiKey, NewPassword, Secret, Timestamp, Unlock,
    Vault, VaultError,
};

const PEM: &str = include_str!("../fixtures/keys/AuthKey_TESTKEY001.p8");

const USAGE: &str = "usage: bench_vault OUT.age ENTRIES WORK_FACTOR [--team MEMBERS] (passphrase in ASCVAULT_PASSPHRASE)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(out), Some(n), Some(wf)) = (
        args.first(),
        args.get(1).and_then(|s| s.parse::<usize>().ok()),
        args.get(2).and_then(|s| s.parse::<u8>().ok()),
    ) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let team = match args.get(3..).unwrap_or_default() {
        [] => None,
        [flag, members] if flag == "--team" => match members.parse::<usize>() {
            Ok(m) if m >= 2 => Some(m),
            _ => {
                eprintln!("error: --team takes a number of members, at least 2\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let Ok(pass) = std::env::var("ASCVAULT_PASSPHRASE") else {
        eprintln!("error: set ASCVAULT_PASSPHRASE");
        return ExitCode::from(2);
    };
    let pass = Secret::from(pass);
    let vault = Vault::new(out);
    let made = match team {
        None => vault
            .create(
                &pass,
                Container {
                    armored: true,
                    work_factor: wf,
                },
            )
            .and_then(|()| vault.update(&pass.clone().into(), |doc| fill(doc, n))),
        Some(members) => make_team(&vault, Path::new(out), &pass, wf, members, n),
    };
    match made {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A team vault of `members` members (see the module's documentation) and
/// `n` entries.
fn make_team(
    vault: &Vault,
    out: &Path,
    pass: &Secret,
    wf: u8,
    members: usize,
    n: usize,
) -> Result<(), VaultError> {
    let (bench, _) = identity_file::create(out, "bench", pass, wf)?;
    let founder = Member::new("bench", &recipient(&bench), "")?;
    vault.create_team(founder, true)?;
    let ci = Identity::generate();
    write_identity(&out.with_extension("key"), &ci)?;
    vault.update(&Unlock::Identities(vec![bench]), |doc| {
        doc.add_member(Member::new("ci", &recipient(&ci), "bench")?)?;
        for i in 2..members {
            let name = format!("member-{i:02}");
            let other = Identity::generate();
            doc.add_member(Member::new(&name, &recipient(&other), "bench")?)?;
        }
        fill(doc, n)
    })
}

fn recipient(identity: &Identity) -> ascvault::vault::Recipient {
    identity
        .recipient()
        .expect("a generated X25519 identity has a recipient")
}

/// Writes `identity` as a plain age identity file, created 0600; never
/// overwrites.
fn write_identity(path: &Path, identity: &Identity) -> Result<(), VaultError> {
    let text = identity
        .to_identity_file()
        .expect("a generated identity is X25519");
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|source| VaultError::Io {
            action: "writing",
            path: path.to_owned(),
            source,
        })
}

/// Appends `n` generated entries to `doc`.
fn fill(doc: &mut Document, n: usize) -> Result<(), VaultError> {
    for i in 0..n {
        let note = (i % 5 == 0).then(|| format!("bench entry {i}"));
        let mut entry = if i % 10 < 7 {
            NewPassword {
                label: format!("entry-{i:05}"),
                apple_id: format!("dev{i}@example.com"),
                password: Secret::from("abcd-efgh-ijkl-mnop"),
                note,
                skip_format_check: false,
            }
            .into_entry()?
        } else {
            NewApiKey {
                label: format!("entry-{i:05}"),
                key_id: format!("KEY{i:07}"),
                issuer_id: Some("57246542-96fe-1a63-e053-0824d011072a".into()),
                private_key: Secret::from(PEM),
                vendor_number: Some("85000000".into()),
                note,
            }
            .into_entry()?
        };
        if i % 10 == 9 {
            entry.revoke(Timestamp::now());
        }
        doc.entries.push(entry);
    }
    Ok(())
}
