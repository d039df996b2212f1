//! Parsing the plaintext TOML, and the canonical round trip: whatever parses,
//! its canonical form parses back to the same document, and canonicalization
//! is a fixed point.
#![no_main]

use ascvault::vault::Document;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(doc) = Document::parse(text) else {
        return;
    };
    let canonical = doc.to_canonical();
    let again = Document::parse(&canonical)
        .unwrap_or_else(|e| panic!("canonical form does not parse: {e}"));
    assert!(again == doc, "parse(to_canonical(doc)) != doc");
    assert_eq!(
        again.to_canonical().as_str(),
        canonical.as_str(),
        "to_canonical is not a fixed point"
    );
});
