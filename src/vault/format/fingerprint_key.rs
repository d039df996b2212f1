//! The vault's fingerprint key: 32 random bytes kept in the plaintext's
//! top-level `fingerprint_key` (format 1.1, spec/FORMAT.md §3.1), under which
//! `ascvault textconv` computes password fingerprints (spec/MERGE.md §2.2).
//! It lives inside the ciphertext, so rendering a diff costs no KDF beyond
//! the decryption, and a reader without the passphrase never sees it.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer};
use zeroize::{Zeroize, Zeroizing};

/// The length of the key in bytes.
const KEY_BYTES: usize = 32;

/// A fingerprint key: 32 bytes, written as standard base64 with padding.
/// Redacted in `Debug`, zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct FingerprintKey(Zeroizing<[u8; KEY_BYTES]>);

impl fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FingerprintKey([redacted])")
    }
}

/// Keys compare by their bytes, first byte first: the merge keeps the
/// smaller of two keys made concurrently (spec/MERGE.md §2.2).
impl Ord for FingerprintKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.as_ref().cmp(other.0.as_ref())
    }
}

impl PartialOrd for FingerprintKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl FingerprintKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; KEY_BYTES]);
        // The OS random source failing is not something to carry on from.
        getrandom::fill(key.as_mut()).expect("the operating system's random source failed");
        FingerprintKey(key)
    }

    /// A key from bytes derived elsewhere (the 1.0 scrypt-derived key).
    pub(crate) fn from_bytes(bytes: Zeroizing<[u8; KEY_BYTES]>) -> Self {
        FingerprintKey(bytes)
    }

    /// The key's bytes, for the MAC.
    pub(crate) fn bytes(&self) -> &[u8; KEY_BYTES] {
        &self.0
    }

    /// The value written to the file: standard base64 with padding.
    pub(crate) fn to_base64(&self) -> String {
        STANDARD.encode(self.0.as_ref())
    }

    fn from_base64(text: &str) -> Option<Self> {
        let mut decoded = Zeroizing::new(STANDARD.decode(text).ok()?);
        let mut key = Zeroizing::new([0u8; KEY_BYTES]);
        if decoded.len() != KEY_BYTES {
            decoded.zeroize();
            return None;
        }
        key.copy_from_slice(&decoded);
        Some(FingerprintKey(key))
    }
}

impl<'de> Deserialize<'de> for FingerprintKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Zeroizing::new(String::deserialize(d)?);
        FingerprintKey::from_base64(&text).ok_or_else(|| {
            serde::de::Error::custom("fingerprint_key is not 32 bytes written in base64")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_and_round_trip_through_base64() {
        let (a, b) = (FingerprintKey::generate(), FingerprintKey::generate());
        assert_ne!(a, b);
        let text = a.to_base64();
        assert_eq!(text.len(), 44);
        assert_eq!(FingerprintKey::from_base64(&text), Some(a));
        assert_eq!(format!("{b:?}"), "FingerprintKey([redacted])");
        let low = FingerprintKey::from_base64(&STANDARD.encode([0u8; 32])).unwrap();
        let high = FingerprintKey::from_base64(&STANDARD.encode([255u8; 32])).unwrap();
        assert!(low < b && b < high);
    }

    #[test]
    fn anything_but_32_bytes_of_base64_is_refused() {
        for bad in ["", "AAAA", "not base64!", &STANDARD.encode([0u8; 31])] {
            assert!(FingerprintKey::from_base64(bad).is_none(), "{bad}");
        }
        assert!(FingerprintKey::from_base64(&STANDARD.encode([7u8; 32])).is_some());
    }
}
