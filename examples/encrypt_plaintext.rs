//! Encrypts a plaintext read from stdin into a passphrase age file on stdout,
//! the way ascvault writes vaults. Used by `fixtures/make.sh` to build test
//! vaults whose plaintext is hand-written (including broken ones).
//!
//! Usage: ASCVAULT_PASSPHRASE=… cargo run --example encrypt_plaintext -- [--binary] [--work-factor N] [--canonicalize] < plain.toml > out.age

use std::io::{Read, Write};

use ascvault::vault::Secret;
use ascvault::vault::crypto::{Container, Prepared};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let armored = !args.iter().any(|a| a == "--binary");
    let work_factor = args
        .iter()
        .position(|a| a == "--work-factor")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.parse::<u8>())
        .transpose()?
        .unwrap_or(10);
    let passphrase = Secret::new(std::env::var("ASCVAULT_PASSPHRASE")?);
    let mut plaintext = Vec::new();
    std::io::stdin().read_to_end(&mut plaintext)?;
    if args.iter().any(|a| a == "--canonicalize") {
        // Parse and re-serialize, so a hand-written plaintext is byte-for-byte
        // what ascvault itself would write.
        let doc = ascvault::vault::Document::parse(std::str::from_utf8(&plaintext)?)?;
        plaintext = doc.to_canonical().as_bytes().to_vec();
    }
    let file = Prepared::new(
        &passphrase,
        Container {
            armored,
            work_factor,
        },
    )?
    .encrypt(&plaintext)?;
    std::io::stdout().write_all(&file)?;
    Ok(())
}
