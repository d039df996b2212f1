//! Opening a vault from arbitrary bytes: header inspection, age decryption
//! with a passphrase, then the plaintext parse. Must never panic.
//!
//! The passphrase is the one of the CCTV scrypt vectors and of the seed vault
//! (`fuzz/seed.sh`), so mutations of those seeds get past the header into
//! the payload and the TOML parse.
#![no_main]

use ascvault::vault::{Document, Secret, crypto};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The product accepts work factors up to 22 (4 GiB of scrypt memory) by
    // design; the fuzzer would spend its time there, so cap it. Anything
    // `inspect` refuses is still covered.
    if let Ok(c) = crypto::inspect(data) {
        if c.work_factor > 12 {
            return;
        }
    }
    if let Ok((_, plaintext)) = crypto::decrypt(data, &Secret::from("password")) {
        if let Ok(text) = std::str::from_utf8(&plaintext) {
            let _ = Document::parse(text);
        }
    }
});
