//! Opening a vault from arbitrary bytes: header inspection, age decryption
//! with a passphrase, then the plaintext parse. Must never panic
//! (`properties::open_vault`).
//!
//! The passphrase is the one of the CCTV scrypt vectors and of the seed vault
//! (`fuzz/seed.sh`), so mutations of those seeds get past the header into
//! the payload and the TOML parse.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod properties;

fuzz_target!(|data: &[u8]| {
    properties::open_vault(data);
});
