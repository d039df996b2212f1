//! Parsing the plaintext TOML, and the canonical round trip: whatever parses,
//! its canonical form parses back to the same document, and canonicalization
//! is a fixed point; and the parse in pieces agrees with the whole-text
//! parse (`properties::parse_toml`).
#![no_main]

use libfuzzer_sys::fuzz_target;

mod properties;

fuzz_target!(|data: &[u8]| {
    properties::parse_toml(data);
});
