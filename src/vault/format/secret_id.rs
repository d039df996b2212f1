//! Which credential an entry holds, so that revocation follows the secret
//! and not only the entry id (spec/MERGE.md §1.4.1): two entries hold the
//! same secret when they share a [`SecretId`]. [`RevokedSecrets`] indexes
//! the revoked ones of one or more documents.

use std::collections::HashMap;
use std::fmt;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{Document, Entry, Kind, Timestamp};
use crate::vault::credential;

/// One name of a credential: a SHA-256 digest of its normalized form, never
/// the secret itself. An API key has two (its key material and its key id).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct SecretId([u8; 32]);

impl fmt::Debug for SecretId {
    // A digest of a password is still derived from it: keep it out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretId(..)")
    }
}

fn digest(tag: &[u8], parts: impl IntoIterator<Item = impl AsRef<[u8]>>) -> SecretId {
    let mut h = Sha256::new();
    h.update(tag);
    h.update(b"\0");
    for p in parts {
        h.update(p.as_ref());
    }
    SecretId(h.finalize().into())
}

impl Entry {
    /// The names of the credential this entry holds (spec/MERGE.md §1.4.1);
    /// empty for kinds this version does not know. The first is the secret
    /// itself (the password, or the key material).
    pub(crate) fn secret_ids(&self) -> Vec<SecretId> {
        match self.kind {
            Kind::AppSpecificPassword => {
                let Some(password) = &self.password else {
                    return Vec::new();
                };
                // Apple's passwords are letters shown in groups: case,
                // spaces, tabs and hyphens are presentation.
                let normalized: Zeroizing<String> = Zeroizing::new(
                    password
                        .expose()
                        .chars()
                        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
                        .map(|c| c.to_ascii_lowercase())
                        .collect(),
                );
                vec![digest(b"pw", [normalized.as_bytes()])]
            }
            Kind::ApiKey => {
                let mut out = Vec::new();
                if let Some(pem) = &self.private_key {
                    out.push(match credential::public_key_der(pem) {
                        Ok(der) => digest(b"key", [der]),
                        Err(_) => digest(b"key-pem", [pem.expose().trim().as_bytes()]),
                    });
                }
                if let Some(key_id) = &self.key_id {
                    out.push(digest(b"key-id", [key_id.trim().to_ascii_uppercase()]));
                }
                out
            }
            Kind::Other(_) => Vec::new(),
        }
    }
}

/// A revoked entry holding a secret, with where it was found.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Holder<'a, T> {
    /// The revoked entry.
    pub entry: &'a Entry,
    /// When it was revoked.
    pub at: Timestamp,
    /// Where it was found (a side of a merge, a commit, ...).
    pub found: T,
}

/// The secrets held by revoked entries, each with its earliest revocation.
#[derive(Debug)]
pub(crate) struct RevokedSecrets<'a, T> {
    by_id: HashMap<SecretId, Holder<'a, T>>,
}

impl<'a, T: Copy> RevokedSecrets<'a, T> {
    /// An empty index.
    pub fn new() -> Self {
        RevokedSecrets {
            by_id: HashMap::new(),
        }
    }

    /// Adds the revoked entries of `doc`, found at `found`. On a tie of
    /// dates the first added stays.
    pub fn add(&mut self, doc: &'a Document, found: T) {
        for entry in doc.entries.iter().filter(|e| e.revoked) {
            // A revoked entry without a date is invalid; the epoch is the
            // earliest date, so it still counts.
            let at = entry.revoked_at.unwrap_or(Timestamp::from_unix(0));
            for id in entry.secret_ids() {
                let holder = Holder { entry, at, found };
                self.by_id
                    .entry(id)
                    .and_modify(|h| {
                        if at < h.at {
                            *h = holder;
                        }
                    })
                    .or_insert(holder);
            }
        }
    }

    /// The earliest-revoked entry other than `entry` itself (by id) that
    /// holds `entry`'s secret.
    pub fn holder(&self, entry: &Entry) -> Option<Holder<'a, T>> {
        entry
            .secret_ids()
            .iter()
            .filter_map(|id| self.by_id.get(id))
            .filter(|h| h.entry.id != entry.id)
            .min_by_key(|h| h.at)
            .copied()
    }
}
