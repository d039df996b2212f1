//! The `.p8` files App Store Connect issues: a PKCS#8 PEM P-256 (EC)
//! private key. Read in one place for both halves: the vault checks a key
//! when it is added, the API client reads it to sign tokens.

use crate::secret::Secret;

/// The private key of a `.p8` text (surrounding white space ignored), or
/// `None` when it is not a PKCS#8 PEM P-256 key.
pub(crate) fn private_key(pem: &Secret) -> Option<p256::SecretKey> {
    use p256::pkcs8::DecodePrivateKey;
    p256::SecretKey::from_pkcs8_pem(pem.expose().trim()).ok()
}
