//! The canonical redacted text rendering of a vault, for `git diff` and
//! `git log -p` through `ascvault textconv` (spec/MERGE.md §2).
//!
//! Secrets never appear. Each entry carries a short fingerprint that changes
//! when its secret changes: for a key, a hash of its public half; for a
//! password, a MAC under the vault's fingerprint key, which lives inside the
//! encrypted plaintext (format 1.1), so the diff is never a cheaper way to
//! guess the password or the passphrase than attacking the vault itself.
//! A 1.0 file has no such key: its passwords are fingerprinted under a key
//! derived from the passphrase with scrypt, as 1.0 did, at the price of a
//! second KDF. [`convert`] is the whole of `textconv` for one file, and says
//! how many KDFs it ran.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::credential;
use super::crypto::{self, Container, Header, TeamContainer};
use super::error::{InvalidInput, UnlockError};
use super::format::{Document, Entry, FingerprintKey, Kind};
use super::open::{OpenError, open_bytes};
use super::team::Recipient;
use super::unlock::Unlock;
use crate::secret::Secret;

/// The fixed scrypt salt of the 1.0 fingerprint key. Changing it changes
/// every password fingerprint of a 1.0 file, hence the version suffix.
const FINGERPRINT_SALT: &[u8] = b"ascvault textconv fingerprint v1";

/// Hex digits shown of a fingerprint (64 bits: collisions between two
/// versions of one entry's secret are not a concern).
const FINGERPRINT_HEX: usize = 16;

/// The fingerprint key of a file without one (format 1.0): scrypt of the
/// passphrase (log₂N = `work_factor`, r = 8, p = 1) with a fixed salt. This
/// costs as much as opening the vault.
pub fn derive_legacy_key(
    passphrase: &Secret,
    work_factor: u8,
) -> Result<FingerprintKey, InvalidInput> {
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
    Ok(FingerprintKey::from_bytes(key))
}

/// Whether rendering `doc` needs a fingerprint key: it holds a password.
fn has_passwords(doc: &Document) -> bool {
    doc.entries
        .iter()
        .any(|e| e.kind == Kind::AppSpecificPassword && e.secret().is_some())
}

/// What `textconv` prints for one file, and what it cost.
#[derive(Debug)]
pub struct Conversion {
    /// The rendering, or the one-line summary of a file not decrypted.
    pub text: String,
    /// The file's container, when it was decrypted.
    pub decrypted: Option<Container>,
    /// How many scrypt KDFs ran: 1 to decrypt, plus 1 for a 1.0 file that
    /// holds a password (its fingerprint key); 0 when the header was not
    /// readable.
    pub kdfs: u32,
}

/// `textconv` of one file's bytes with a passphrase: the rendering, or a
/// summary line when the file does not open. One KDF for a file that has
/// its fingerprint key (format 1.1); a 1.0 file holding a password costs a
/// second, run after the decryption only when it turns out to be needed.
pub fn convert(bytes: &[u8], passphrase: &Secret) -> Conversion {
    let summary_of = |reason: &str, kdfs| Conversion {
        text: summary(bytes, reason),
        decrypted: None,
        kdfs,
    };
    let Ok(container) = crypto::inspect(bytes) else {
        return summary_of("unreadable header", 0);
    };
    let document = match open_bytes(bytes, &Unlock::from(passphrase)) {
        Ok(unlocked) => unlocked.document,
        Err(OpenError::Unlock(e)) => return summary_of(&e.to_string(), 1),
        Err(OpenError::Format(_)) => {
            return summary_of("decrypted, but not a vault this version can read", 1);
        }
    };
    let mut kdfs = 1;
    let legacy = match &document.fingerprint_key {
        None if has_passwords(&document) => {
            kdfs += 1;
            derive_legacy_key(passphrase, container.work_factor).ok()
        }
        _ => None,
    };
    let key = document.fingerprint_key.as_ref().or(legacy.as_ref());
    Conversion {
        text: render(&document, container, key),
        decrypted: Some(container),
        kdfs,
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
                let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.bytes()) else {
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

/// `textconv` of a team vault's bytes with a member's identities (format
/// 1.2): no KDF here (the identity's passphrase, if any, was the caller's
/// one), and every team file has its fingerprint key. The rendering, or a
/// summary line when the identities do not open it.
pub fn convert_team(bytes: &[u8], key: &Unlock) -> Conversion {
    let summary_of = |reason: &str| Conversion {
        text: summary(bytes, reason),
        decrypted: None,
        kdfs: 0,
    };
    let Ok(Header::Team(team)) = crypto::header(bytes) else {
        return summary_of("not a team vault");
    };
    match open_bytes(bytes, key) {
        Ok(unlocked) => Conversion {
            text: render_team(
                &unlocked.document,
                team,
                unlocked.document.fingerprint_key.as_ref(),
            ),
            decrypted: None,
            kdfs: 0,
        },
        Err(OpenError::Unlock(e)) => summary_of(&e.to_string()),
        Err(OpenError::Format(_)) => summary_of("decrypted, but not a vault this version can read"),
    }
}

/// `s` after a count: `entry`/`entries`, `member`/`members`.
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Renders the document: a header line, then one block per entry in
/// order of `created`, then `id` (stable whatever order a merge left).
pub fn render(doc: &Document, container: Container, key: Option<&FingerprintKey>) -> String {
    let mut out = format!(
        "ascvault vault: format {}, work factor {}, {}\n",
        doc.version,
        container.work_factor,
        counted(doc.entries.len(), "entry", "entries")
    );
    render_entries(doc, key, &mut out);
    out
}

/// Renders a team vault: a header line, one line per member (by name,
/// ignoring case) with their recipient's kind and fingerprint, when and by
/// whom they were added — so `git log -p` shows who joined or left when —
/// then the entries as [`render`] shows them.
pub fn render_team(doc: &Document, team: TeamContainer, key: Option<&FingerprintKey>) -> String {
    let mut out = format!(
        "ascvault team vault: format {}, {}, {}\n",
        doc.version,
        counted(doc.members.len(), "member", "members"),
        counted(doc.entries.len(), "entry", "entries")
    );
    if team.recipients != doc.members.len() {
        out.push_str(&format!(
            "warning: the file is encrypted to {}, not one per member\n",
            counted(team.recipients, "recipient", "recipients")
        ));
    }
    let mut members: Vec<_> = doc.members.iter().collect();
    members.sort_by_key(|m| (m.name.to_ascii_lowercase(), m.name.clone()));
    out.push('\n');
    for m in members {
        let key = match m.recipient.parse::<Recipient>() {
            Ok(r) => format!("{} {}", r.kind().as_str(), r.fingerprint()),
            Err(_) => "unreadable recipient".to_owned(),
        };
        let by = if m.added_by.is_empty() {
            "created the vault".to_owned()
        } else {
            format!("by {}", clean(&m.added_by))
        };
        out.push_str(&format!(
            "{:<13}{} ({key}, added {} {by})\n",
            "member:",
            clean(&m.name),
            m.added
        ));
    }
    render_entries(doc, key, &mut out);
    out
}

/// One block per entry in order of `created`, then `id`.
fn render_entries(doc: &Document, key: Option<&FingerprintKey>, out: &mut String) {
    let mut entries: Vec<&Entry> = doc.entries.iter().collect();
    entries.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
    let default = doc.default_api_key().map(|e| e.id.as_str());
    for e in entries {
        let status = match e.revoked_at {
            Some(at) if e.revoked => format!("revoked {at}"),
            _ => "active".to_owned(),
        };
        let status = if default == Some(e.id.as_str()) {
            format!("{status} (default)")
        } else {
            status
        };
        let note = e.note.as_deref().map(clean).unwrap_or_else(|| "-".into());
        let account = clean(e.account());
        // Non-secret fields that `edit` changes: shown only when set, so a
        // vault that never used them renders as it always did.
        let optional = [
            ("issuer", &e.issuer_id),
            ("vendor", &e.vendor_number),
            ("team id", &e.team_id),
            ("provider", &e.provider),
        ];
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
        ]
        .into_iter()
        .chain(
            optional
                .into_iter()
                .filter_map(|(name, v)| v.as_deref().map(|v| (name, clean(v)))),
        )
        .chain([
            ("created", e.created.to_string()),
            ("status", status),
            ("note", note),
            ("fingerprint", fingerprint(e, key)),
        ]) {
            out.push_str(&format!("{:<13}{value}\n", format!("{name}:")));
        }
    }
}

/// The one-line description of a file that is not rendered in full: what
/// its age header says (read without the passphrase) and why it was not
/// decrypted. Never shows any of the file's content.
pub fn summary(bytes: &[u8], reason: &str) -> String {
    if let Ok(Header::Team(t)) = crypto::header(bytes) {
        return format!(
            "ascvault team vault (age, {}, {}, {} bytes): not decrypted ({reason})\n",
            if t.armored { "armored" } else { "binary" },
            counted(t.recipients, "recipient", "recipients"),
            bytes.len()
        );
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::crypto::Prepared;
    use crate::vault::new_entry::test_password_entry;

    const PASS: &str = "render test passphrase";

    fn encrypt(doc: &Document) -> Vec<u8> {
        let container = Container {
            armored: true,
            work_factor: 10,
        };
        Prepared::new(&Secret::from(PASS), container)
            .unwrap()
            .encrypt(doc.to_canonical().as_bytes())
            .unwrap()
    }

    fn with_password(key: Option<FingerprintKey>) -> Document {
        let mut doc = Document {
            fingerprint_key: key,
            ..Document::default()
        };
        doc.add(test_password_entry("fl")).unwrap();
        doc
    }

    fn fingerprint_line(text: &str) -> &str {
        text.lines()
            .find(|l| l.starts_with("fingerprint: pw:"))
            .unwrap_or_else(|| panic!("no password fingerprint in {text}"))
    }

    /// Issue 13 §5: textconv paid two scrypt runs per side (the decryption
    /// and the fingerprint key). A file with its key costs one.
    #[test]
    fn a_file_with_its_fingerprint_key_costs_one_kdf() {
        let doc = with_password(Some(FingerprintKey::generate()));
        let out = convert(&encrypt(&doc), &Secret::from(PASS));
        assert_eq!(out.kdfs, 1, "{}", out.text);
        assert!(out.decrypted.is_some());
        assert!(!fingerprint_line(&out.text).contains('?'), "{}", out.text);
        assert!(!out.text.contains("abcd-efgh"), "{}", out.text);
    }

    #[test]
    fn a_1_0_file_costs_a_second_kdf_only_when_it_holds_a_password() {
        let pass = Secret::from(PASS);
        let doc = with_password(None);
        let out = convert(&encrypt(&doc), &pass);
        assert_eq!(out.kdfs, 2, "{}", out.text);
        // The second KDF gives the key 1.0 used: the same fingerprint.
        let legacy = derive_legacy_key(&pass, 10).unwrap();
        assert_eq!(
            fingerprint_line(&out.text),
            format!(
                "fingerprint: {}",
                fingerprint(&doc.entries[0], Some(&legacy))
            )
        );
        let out = convert(&encrypt(&Document::default()), &pass);
        assert_eq!(out.kdfs, 1, "{}", out.text);
        // Not decrypted: the one KDF of the attempt, or none at all.
        let out = convert(&encrypt(&with_password(None)), &Secret::from("wrong"));
        assert_eq!((out.kdfs, out.decrypted.is_none()), (1, true));
        assert!(out.text.contains("not decrypted (wrong passphrase)"));
        let out = convert(b"not age at all", &pass);
        assert_eq!(out.kdfs, 0);
    }

    /// The 1.0 rendering did not change: fixtures/vaults/full-binary.age's
    /// fingerprint as ascvault before format 1.1 printed it.
    #[test]
    fn a_1_0_file_renders_the_fingerprints_it_always_had() {
        let bytes = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/vaults/full-binary.age"),
        )
        .unwrap();
        let out = convert(&bytes, &Secret::from("fixture passphrase"));
        assert_eq!(out.kdfs, 2);
        assert!(
            out.text.contains("fingerprint: pw:279ef54fb5d1f707\n"),
            "{}",
            out.text
        );
    }

    /// A change `edit` or `default` makes shows in a diff; a vault that
    /// never used those fields renders as before.
    #[test]
    fn edited_fields_and_the_default_show_only_when_set() {
        let container = Container {
            armored: true,
            work_factor: 10,
        };
        let mut doc = with_password(Some(FingerprintKey::generate()));
        let plain = render(&doc, container, None);
        for absent in ["team id:", "provider:", "issuer:", "vendor:", "(default)"] {
            assert!(!plain.contains(absent), "{plain}");
        }
        doc.entries[0].team_id = Some("A1B2C3D4E5".into());
        doc.entries[0].provider = Some("ExampleCo".into());
        let mut key = Entry::new("ci".into(), Kind::ApiKey);
        key.key_id = Some("TESTKEY001".into());
        key.issuer_id = Some("57246542-96fe-1a63-e053-0824d011072a".into());
        key.vendor_number = Some("85012345".into());
        let id = key.id.clone();
        doc.entries.push(key);
        doc.default_api_key = Some(id);
        let text = render(&doc, container, None);
        for line in [
            "team id:     A1B2C3D4E5\n",
            "provider:    ExampleCo\n",
            "issuer:      57246542-96fe-1a63-e053-0824d011072a\n",
            "vendor:      85012345\n",
            "status:      active (default)\n",
        ] {
            assert!(text.contains(line), "{line:?} missing from {text}");
        }
        assert_eq!(text.matches("(default)").count(), 1, "{text}");
    }

    /// Issue 14: a team vault's rendering lists the members (name, key
    /// kind, recipient fingerprint, who added them), sorted by name, so a
    /// diff shows who joined or left.
    #[test]
    fn a_team_vault_renders_its_members_by_name() {
        use crate::vault::{Identity, Member};
        let alice = Identity::generate().recipient().unwrap();
        let bob = Identity::generate().recipient().unwrap();
        let mut doc = with_password(Some(FingerprintKey::generate()));
        doc.add_member(Member::new("bob", &bob, "alice").unwrap())
            .unwrap();
        doc.add_member(Member::new("Alice", &alice, "").unwrap())
            .unwrap();
        let team = TeamContainer {
            armored: true,
            recipients: 2,
        };
        let text = render_team(&doc, team, doc.fingerprint_key.as_ref());
        assert!(
            text.starts_with("ascvault team vault: format ")
                && text.contains(", 2 members, 1 entry\n\nmember:      Alice (age "),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "member:      bob (age {}, added ",
                bob.fingerprint()
            )),
            "{text}"
        );
        assert!(text.contains(" by alice)\n"), "{text}");
        assert!(text.contains(" created the vault)\n"), "{text}");
        assert!(!text.contains(&bob.to_string()), "{text}");
        assert!(!text.contains("warning"), "{text}");
        let text = render_team(
            &doc,
            TeamContainer {
                recipients: 3,
                ..team
            },
            None,
        );
        assert!(
            text.contains("warning: the file is encrypted to 3 recipients, not one per member\n"),
            "{text}"
        );
    }

    #[test]
    fn the_stored_key_decides_the_fingerprint_not_the_passphrase() {
        let key = FingerprintKey::generate();
        let doc = with_password(Some(key.clone()));
        let entry = &doc.entries[0];
        let a = fingerprint(entry, Some(&key));
        assert_eq!(a, fingerprint(entry, Some(&key)));
        assert_ne!(a, fingerprint(entry, Some(&FingerprintKey::generate())));
        // Another password, same key: another fingerprint.
        let mut changed = entry.clone();
        changed.password = Some(Secret::from("qrst-uvwx-yzab-cdef"));
        assert_ne!(a, fingerprint(&changed, Some(&key)));
        // The passphrase and work factor play no part once the key is stored.
        let other = Secret::from("another passphrase entirely");
        let bytes = Prepared::new(
            &other,
            Container {
                armored: false,
                work_factor: 11,
            },
        )
        .unwrap()
        .encrypt(doc.to_canonical().as_bytes())
        .unwrap();
        let out = convert(&bytes, &other);
        assert_eq!(fingerprint_line(&out.text), format!("fingerprint: {a}"));
    }
}
