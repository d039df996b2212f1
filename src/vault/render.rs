//! The canonical redacted text rendering of a vault, for `git diff` and
//! `git log -p` through `ascvault textconv` (spec/MERGE.md §2).
//!
//! Secrets never appear. Each entry carries a short fingerprint that changes
//! when its secret changes: for a key, a hash of its public half; for a
//! password, a MAC under a key derived from the vault passphrase with scrypt
//! at the vault's own work factor, so the diff is never a cheaper way to
//! guess the password or the passphrase than attacking the vault itself.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::credential;
use super::crypto::{self, Container};
use super::error::{InvalidInput, UnlockError};
use super::format::{Document, Entry, Kind};
use crate::secret::Secret;

/// The fixed scrypt salt of the fingerprint key. Changing it changes every
/// password fingerprint, hence the version suffix.
const FINGERPRINT_SALT: &[u8] = b"ascvault textconv fingerprint v1";

/// Hex digits shown of a fingerprint (64 bits: collisions between two
/// versions of one entry's secret are not a concern).
const FINGERPRINT_HEX: usize = 16;

/// The key password fingerprints are computed with: scrypt of the vault
/// passphrase at the vault's work factor.
pub struct FingerprintKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FingerprintKey([redacted])")
    }
}

impl FingerprintKey {
    /// Runs scrypt (log₂N = `work_factor`, r = 8, p = 1) over the passphrase.
    /// This costs as much as opening the vault.
    pub fn derive(passphrase: &Secret, work_factor: u8) -> Result<Self, InvalidInput> {
        let params = scrypt::Params::new(work_factor, 8, 1, 32)
            .map_err(|_| InvalidInput::WorkFactor(work_factor))?;
        let mut key = Zeroizing::new([0u8; 32]);
        scrypt::scrypt(
            passphrase.expose().as_bytes(),
            FINGERPRINT_SALT,
            &params,
            key.as_mut(),
        )
        .map_err(|_| InvalidInput::WorkFactor(work_factor))?;
        Ok(FingerprintKey(key))
    }
}

/// The entry's fingerprint: `key:<hex>`, `pw:<hex>`, or `-`.
///
/// A password entry rendered without a key shows `pw:?`.
pub fn fingerprint(entry: &Entry, key: Option<&FingerprintKey>) -> String {
    match (&entry.kind, entry.secret()) {
        (Kind::ApiKey, Some(pem)) => match credential::public_key_der(pem) {
            Ok(der) => format!("key:{}", short_hex(&Sha256::digest(&der))),
            Err(_) => "key:?".to_owned(),
        },
        (Kind::AppSpecificPassword, Some(password)) => match key {
            Some(key) => {
                // A 32-byte key is always a valid HMAC key.
                let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.0.as_ref()) else {
                    return "pw:?".to_owned();
                };
                mac.update(entry.id.as_bytes());
                mac.update(&[0]);
                mac.update(password.expose().as_bytes());
                format!("pw:{}", short_hex(&mac.finalize().into_bytes()))
            }
            None => "pw:?".to_owned(),
        },
        _ => "-".to_owned(),
    }
}

fn short_hex(bytes: &[u8]) -> String {
    let mut s = hex::encode(bytes);
    s.truncate(FINGERPRINT_HEX);
    s
}

/// Control characters become spaces; newlines (in notes) become `\n`.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Renders the document: a header line, then one block per entry in
/// order of `created`, then `id` (stable whatever order a merge left).
pub fn render(doc: &Document, container: Container, key: Option<&FingerprintKey>) -> String {
    let mut entries: Vec<&Entry> = doc.entries.iter().collect();
    entries.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
    let mut out = format!(
        "ascvault vault: format {}, work factor {}, {} {}\n",
        doc.version,
        container.work_factor,
        entries.len(),
        if entries.len() == 1 {
            "entry"
        } else {
            "entries"
        }
    );
    for e in entries {
        let status = match e.revoked_at {
            Some(at) if e.revoked => format!("revoked {at}"),
            _ => "active".to_owned(),
        };
        let note = e.note.as_deref().map(clean).unwrap_or_else(|| "-".into());
        let account = clean(e.account());
        out.push('\n');
        for (name, value) in [
            ("label", clean(&e.label)),
            ("kind", clean(e.kind.as_str())),
            (
                "account",
                if account.is_empty() {
                    "-".into()
                } else {
                    account
                },
            ),
            ("created", e.created.to_string()),
            ("status", status),
            ("note", note),
            ("fingerprint", fingerprint(e, key)),
        ] {
            out.push_str(&format!("{:<13}{value}\n", format!("{name}:")));
        }
    }
    out
}

/// The one-line description of a file that is not rendered in full: what
/// its age header says (read without the passphrase) and why it was not
/// decrypted. Never shows any of the file's content.
pub fn summary(bytes: &[u8], reason: &str) -> String {
    match crypto::inspect(bytes) {
        Ok(c) => format!(
            "ascvault vault (age, {}, work factor {}, {} bytes): not decrypted ({reason})\n",
            if c.armored { "armored" } else { "binary" },
            c.work_factor,
            bytes.len()
        ),
        Err(UnlockError::Empty) => "empty file\n".to_owned(),
        Err(UnlockError::NotAge) => {
            format!("not an age-encrypted file ({} bytes)\n", bytes.len())
        }
        Err(e) => format!(
            "ascvault vault (age, {} bytes): not decrypted ({e})\n",
            bytes.len()
        ),
    }
}
