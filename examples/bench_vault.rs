//! Makes a vault of N entries for the benchmarks (`bench/run.sh`):
//!
//! ```text
//! ASCVAULT_PASSPHRASE=… cargo run --release --example bench_vault -- OUT.age N WORK_FACTOR
//! ```
//!
//! Entries are built and validated through the library (`NewPassword`,
//! `NewApiKey`); seven in ten are passwords, the rest API keys, every tenth
//! is revoked and every fifth has a note. Labels are unique by
//! construction, so they are appended directly instead of through
//! `Document::add`, whose uniqueness scan would make generation quadratic.

use std::process::ExitCode;

use ascvault::vault::{Container, NewApiKey, NewPassword, Secret, Timestamp, Vault};

const PEM: &str = include_str!("../fixtures/keys/AuthKey_TESTKEY001.p8");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(out), Some(n), Some(wf)) = (
        args.first(),
        args.get(1).and_then(|s| s.parse::<usize>().ok()),
        args.get(2).and_then(|s| s.parse::<u8>().ok()),
    ) else {
        eprintln!(
            "usage: bench_vault OUT.age ENTRIES WORK_FACTOR (passphrase in ASCVAULT_PASSPHRASE)"
        );
        return ExitCode::from(2);
    };
    let Ok(pass) = std::env::var("ASCVAULT_PASSPHRASE") else {
        eprintln!("error: set ASCVAULT_PASSPHRASE");
        return ExitCode::from(2);
    };
    let pass = Secret::from(pass);
    let vault = Vault::new(out);
    let made = vault
        .create(
            &pass,
            Container {
                armored: true,
                work_factor: wf,
            },
        )
        .and_then(|()| {
            vault.update(&pass.clone().into(), |doc| {
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
            })
        });
    match made {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
