//! The age container: reading the header, decrypting with a passphrase or
//! member identities, and encrypting — with the scrypt KDF prepared ahead
//! of time for a passphrase vault, to the members' recipients for a team
//! vault (spec/FORMAT.md §2).
//!
//! `Encryptor` construction runs the scrypt KDF (age wraps the file key
//! there), before any plaintext is needed. Writers use that to run the new
//! file's KDF on a second thread while the old file is being decrypted, so a
//! write costs one KDF of wall time instead of two.

use std::io::{BufRead, BufReader, Read, Write};
use std::iter;
use std::thread;

use age::armor::{ArmoredReader, ArmoredWriter, Format};
use zeroize::Zeroizing;

use super::error::{UnlockError, VaultError};
use super::team::Recipient;
use super::unlock::Unlock;
use crate::secret::Secret;

/// The Go age CLI's default, and ours.
pub const DEFAULT_WORK_FACTOR: u8 = 18;
/// The lowest factor `init --work-factor` accepts.
pub const MIN_WORK_FACTOR: u8 = 10;
/// The highest factor we write or agree to decrypt (about 4 GiB·s of work).
pub const MAX_WORK_FACTOR: u8 = 22;
/// Below this, `init` warns that the vault is for tests only.
pub const WARN_WORK_FACTOR: u8 = 16;

const ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// What the header says, read without the passphrase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Container {
    /// ASCII armor (PEM-style) rather than binary.
    pub armored: bool,
    /// log2 of scrypt's N.
    pub work_factor: u8,
}

/// A team vault's container, as its header says (format 1.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TeamContainer {
    /// ASCII armor (PEM-style) rather than binary.
    pub armored: bool,
    /// How many recipient stanzas (X25519, ssh-ed25519, ssh-rsa) it has.
    pub recipients: usize,
}

/// What kind of vault a header says the file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Header {
    /// Encrypted to one passphrase (scrypt).
    Passphrase(Container),
    /// Encrypted to members' public keys.
    Team(TeamContainer),
}

impl Header {
    /// Whether the file is ASCII-armored.
    pub fn armored(&self) -> bool {
        match self {
            Header::Passphrase(c) => c.armored,
            Header::Team(t) => t.armored,
        }
    }

    /// The passphrase container, if it is one.
    pub fn passphrase(&self) -> Option<Container> {
        match self {
            Header::Passphrase(c) => Some(*c),
            Header::Team(_) => None,
        }
    }
}

/// The stanza types a team container may hold.
const TEAM_STANZAS: [&str; 3] = ["X25519", "ssh-ed25519", "ssh-rsa"];

/// Reads a passphrase vault's header: armor and the scrypt work factor. A
/// team vault's header is [`UnlockError::NotPassphrase`] here; [`header`]
/// reads both kinds.
///
/// This does no KDF work, so a hostile header (a huge work factor, a foreign
/// recipient) is refused before anything expensive happens.
pub fn inspect(bytes: &[u8]) -> Result<Container, UnlockError> {
    match header(bytes)? {
        Header::Passphrase(c) => Ok(c),
        Header::Team(t) => Err(UnlockError::NotPassphrase {
            found: format!("{} member recipient(s) (a team vault)", t.recipients),
        }),
    }
}

/// Reads the age header: armor, recipient types and (for a passphrase
/// vault) the scrypt work factor. No KDF work is done. A header with a
/// scrypt stanza beside others is refused, as age requires; one with a
/// stanza of another type (a plugin) is not a vault we read.
pub fn header(bytes: &[u8]) -> Result<Header, UnlockError> {
    if bytes.is_empty() {
        return Err(UnlockError::Empty);
    }
    if has_conflict_markers(bytes) {
        return Err(UnlockError::ConflictMarkers);
    }
    let trimmed = trim_ascii_start(bytes);
    let armored = trimmed.starts_with(ARMOR_BEGIN);
    let mut reader = BufReader::new(ArmoredReader::new(bytes));
    let mut line = Vec::new();
    let mut read_line = |line: &mut Vec<u8>| -> Result<usize, UnlockError> {
        line.clear();
        reader
            .by_ref()
            .take(4096)
            .read_until(b'\n', line)
            .map_err(|_| {
                if armored {
                    UnlockError::Damaged {
                        what: "the ASCII armor is invalid",
                    }
                } else {
                    UnlockError::NotAge
                }
            })
    };
    read_line(&mut line)?;
    if line != b"age-encryption.org/v1\n" {
        return Err(if line.starts_with(b"age-encryption.org/") {
            UnlockError::Damaged {
                what: "unknown age version line",
            }
        } else if armored {
            UnlockError::Damaged {
                what: "the header is invalid",
            }
        } else {
            UnlockError::NotAge
        });
    }
    let mut kinds: Vec<String> = Vec::new();
    let mut work_factor = None;
    loop {
        if read_line(&mut line)? == 0 {
            return Err(UnlockError::Damaged {
                what: "the header is truncated",
            });
        }
        if line.starts_with(b"---") {
            break;
        }
        if let Some(stanza) = line.strip_prefix(b"-> ") {
            let text = String::from_utf8_lossy(stanza);
            let mut args = text.split_ascii_whitespace();
            let tag = args.next().unwrap_or_default().to_owned();
            if tag == "scrypt" {
                let _salt = args.next();
                work_factor = args.next().and_then(|n| n.parse::<u8>().ok());
            }
            kinds.push(tag);
        }
    }
    // age writers add "grease" stanzas of random types ending in
    // `-grease` beside X25519 and SSH ones; readers skip them.
    let grease = |k: &String| k.ends_with("-grease");
    let keys = kinds.iter().filter(|k| !grease(k)).count();
    if keys > 0
        && !kinds.iter().any(|k| k == "scrypt")
        && kinds
            .iter()
            .all(|k| grease(k) || TEAM_STANZAS.contains(&k.as_str()))
    {
        return Ok(Header::Team(TeamContainer {
            armored,
            recipients: keys,
        }));
    }
    if kinds.len() > 1 && kinds.iter().any(|k| k == "scrypt") {
        return Err(if kinds.iter().all(|k| k == "scrypt") {
            UnlockError::NotPassphrase {
                found: "several passphrases".into(),
            }
        } else {
            UnlockError::MixedWithPassphrase
        });
    }
    if kinds.len() != 1 || kinds[0] != "scrypt" {
        let found = kinds
            .iter()
            .filter(|k| *k != "scrypt")
            .map(|k| {
                if k == "X25519" {
                    k.clone()
                } else {
                    format!("{k:?}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        return Err(UnlockError::NotPassphrase {
            found: if found.is_empty() {
                "several passphrases".into()
            } else {
                format!("a recipient of type {found}")
            },
        });
    }
    let work_factor = work_factor.ok_or(UnlockError::Damaged {
        what: "the scrypt work factor is invalid",
    })?;
    if work_factor > MAX_WORK_FACTOR {
        return Err(UnlockError::WorkFactorTooHigh {
            found: work_factor,
            max: MAX_WORK_FACTOR,
        });
    }
    Ok(Header::Passphrase(Container {
        armored,
        work_factor,
    }))
}

/// Whether git left conflict markers in the file: a line starting
/// `<<<<<<<` and a later one starting `>>>>>>>`. Neither can begin a line of
/// an armored age file (base64 and `-----` lines), and git merges a binary
/// file without markers.
fn has_conflict_markers(bytes: &[u8]) -> bool {
    let mut lines = bytes.split(|b| *b == b'\n');
    lines.any(|l| l.starts_with(b"<<<<<<<")) && lines.any(|l| l.starts_with(b">>>>>>>"))
}

fn trim_ascii_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// Decrypts a passphrase-encrypted age file into a zeroizing buffer.
pub fn decrypt(
    bytes: &[u8],
    passphrase: &Secret,
) -> Result<(Container, Zeroizing<Vec<u8>>), UnlockError> {
    let container = inspect(bytes)?;
    let decryptor =
        age::Decryptor::new_buffered(ArmoredReader::new(bytes)).map_err(header_error)?;
    let mut identity = age::scrypt::Identity::new(passphrase.to_age());
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    let mut reader = decryptor
        .decrypt(iter::once(&identity as &dyn age::Identity))
        .map_err(header_error)?;
    let mut plaintext = Zeroizing::new(Vec::with_capacity(bytes.len()));
    reader
        .read_to_end(&mut plaintext)
        .map_err(|_| UnlockError::Damaged {
            what: "the encrypted payload does not verify (truncated or altered)",
        })?;
    Ok((container, plaintext))
}

/// Decrypts a vault file with its key: a passphrase vault with its
/// passphrase (one scrypt), a team vault with identities (no KDF). The
/// wrong kind of key for the file is an error that says which kind it needs.
pub fn decrypt_with(
    bytes: &[u8],
    key: &Unlock,
) -> Result<(Header, Zeroizing<Vec<u8>>), UnlockError> {
    let found = header(bytes)?;
    match (found, key) {
        (Header::Passphrase(_), Unlock::Passphrase(pass)) => {
            let (c, plain) = decrypt(bytes, pass)?;
            Ok((Header::Passphrase(c), plain))
        }
        (Header::Passphrase(_), Unlock::Identities(_)) => Err(UnlockError::PassphraseVault),
        (Header::Team(t), Unlock::Passphrase(_)) => Err(UnlockError::TeamVault {
            recipients: t.recipients,
        }),
        (Header::Team(t), Unlock::Identities(identities)) => {
            let decryptor =
                age::Decryptor::new_buffered(ArmoredReader::new(bytes)).map_err(header_error)?;
            let mut reader = decryptor
                .decrypt(identities.iter().map(|i| i.as_age()))
                .map_err(|e| match e {
                    age::DecryptError::NoMatchingKeys => UnlockError::NotAMember {
                        recipients: t.recipients,
                    },
                    other => header_error(other),
                })?;
            let mut plaintext = Zeroizing::new(Vec::with_capacity(bytes.len()));
            reader
                .read_to_end(&mut plaintext)
                .map_err(|_| UnlockError::Damaged {
                    what: "the encrypted payload does not verify (truncated or altered)",
                })?;
            Ok((found, plaintext))
        }
    }
}

fn header_error(err: age::DecryptError) -> UnlockError {
    use age::DecryptError as E;
    match err {
        E::DecryptionFailed | E::NoMatchingKeys | E::KeyDecryptionFailed => {
            UnlockError::WrongPassphrase
        }
        E::ExcessiveWork { required, .. } => UnlockError::WorkFactorTooHigh {
            found: required,
            max: MAX_WORK_FACTOR,
        },
        E::InvalidMac => UnlockError::Damaged {
            what: "the header MAC does not verify",
        },
        E::UnknownFormat => UnlockError::NotAge,
        E::InvalidHeader => UnlockError::Damaged {
            what: "the header is invalid",
        },
        E::Io(_) => UnlockError::Damaged {
            what: "the file is truncated or its armor is invalid",
        },
    }
}

/// An encryptor whose KDF has already run: all that is left is the cheap
/// symmetric encryption of the plaintext.
pub struct Prepared {
    encryptor: age::Encryptor,
    armored: bool,
}

impl Prepared {
    /// Runs the scrypt KDF now (the expensive part of encryption).
    pub fn new(passphrase: &Secret, container: Container) -> Result<Prepared, VaultError> {
        let mut recipient = age::scrypt::Recipient::new(passphrase.to_age());
        recipient.set_work_factor(container.work_factor);
        let encryptor =
            age::Encryptor::with_recipients(iter::once(&recipient as &dyn age::Recipient))
                .map_err(|e| VaultError::Encrypt(e.to_string()))?;
        Ok(Prepared {
            encryptor,
            armored: container.armored,
        })
    }

    /// An encryptor to a team's recipients (no KDF: X25519 and SSH
    /// wrapping are cheap). At least one recipient is needed.
    pub fn to_recipients(recipients: &[Recipient], armored: bool) -> Result<Prepared, VaultError> {
        let boxed: Vec<Box<dyn age::Recipient + Send>> =
            recipients.iter().map(Recipient::to_age).collect();
        let encryptor = age::Encryptor::with_recipients(
            boxed.iter().map(|r| r.as_ref() as &dyn age::Recipient),
        )
        .map_err(|e| VaultError::Encrypt(e.to_string()))?;
        Ok(Prepared { encryptor, armored })
    }

    /// Starts the KDF on a second thread; `join` the handle when the
    /// plaintext is ready.
    pub fn spawn(
        passphrase: &Secret,
        container: Container,
    ) -> thread::JoinHandle<Result<Prepared, VaultError>> {
        let passphrase = passphrase.clone();
        thread::spawn(move || Prepared::new(&passphrase, container))
    }

    /// Encrypts the plaintext into a complete age file.
    pub fn encrypt(self, plaintext: &[u8]) -> Result<Vec<u8>, VaultError> {
        let err = |e: std::io::Error| VaultError::Encrypt(e.to_string());
        let format = if self.armored {
            Format::AsciiArmor
        } else {
            Format::Binary
        };
        let capacity = plaintext.len() * 4 / 3 + 512;
        let armor =
            ArmoredWriter::wrap_output(Vec::with_capacity(capacity), format).map_err(err)?;
        let mut writer = self.encryptor.wrap_output(armor).map_err(err)?;
        writer.write_all(plaintext).map_err(err)?;
        writer.finish().and_then(ArmoredWriter::finish).map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_markers_are_recognised_before_the_armor() {
        let text = b"-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n<<<<<<< HEAD\nb3Vy\n=======\ndGhlaXI=\n>>>>>>> origin/main\n-----END AGE ENCRYPTED FILE-----\n";
        assert!(matches!(inspect(text), Err(UnlockError::ConflictMarkers)));
        assert!(matches!(
            decrypt(text, &Secret::from("x")),
            Err(UnlockError::ConflictMarkers)
        ));
        // One marker alone is not a conflict.
        assert!(matches!(
            inspect(b"<<<<<<< HEAD\n"),
            Err(UnlockError::NotAge)
        ));
    }

    #[test]
    fn round_trip_keeps_armor_and_work_factor() {
        for armored in [true, false] {
            let pass = Secret::from("correct horse");
            let c = Container {
                armored,
                work_factor: 10,
            };
            let file = Prepared::new(&pass, c).unwrap().encrypt(b"hello").unwrap();
            assert_eq!(inspect(&file).unwrap(), c);
            let (c2, plain) = decrypt(&file, &pass).unwrap();
            assert_eq!(c2, c);
            assert_eq!(plain.as_slice(), b"hello");
            assert!(matches!(
                decrypt(&file, &Secret::from("nope")),
                Err(UnlockError::WrongPassphrase)
            ));
        }
    }

    #[test]
    fn foreign_and_empty_files_are_told_apart() {
        assert!(matches!(inspect(b""), Err(UnlockError::Empty)));
        assert!(matches!(
            inspect(b"hello world\n"),
            Err(UnlockError::NotAge)
        ));
        let x25519 = b"age-encryption.org/v1\n-> X25519 abc\nxyz\n--- mac\n";
        assert!(matches!(
            inspect(x25519),
            Err(UnlockError::NotPassphrase { .. })
        ));
        let huge = b"age-encryption.org/v1\n-> scrypt c2FsdHNhbHRzYWx0c2FsdA 30\nxyz\n--- mac\n";
        assert!(matches!(
            inspect(huge),
            Err(UnlockError::WorkFactorTooHigh { found: 30, .. })
        ));
    }

    #[test]
    fn team_headers_are_told_from_passphrase_and_mixed_ones() {
        let team = b"age-encryption.org/v1\n-> X25519 abc\nxyz\n-> 6f-grease x\n\n-> ssh-ed25519 k abc\nxyz\n--- mac\n";
        assert_eq!(
            header(team).unwrap(),
            Header::Team(TeamContainer {
                armored: false,
                recipients: 2
            })
        );
        let mixed = b"age-encryption.org/v1\n-> scrypt c2FsdHNhbHRzYWx0c2FsdA 10\nxyz\n-> X25519 abc\nxyz\n--- mac\n";
        assert!(matches!(
            header(mixed),
            Err(UnlockError::MixedWithPassphrase)
        ));
        let plugin = b"age-encryption.org/v1\n-> piv-p256 abc\nxyz\n--- mac\n";
        assert!(matches!(
            header(plugin),
            Err(UnlockError::NotPassphrase { .. })
        ));
        let grease_only = b"age-encryption.org/v1\n-> 6f-grease x\n\n--- mac\n";
        assert!(header(grease_only).is_err());
    }

    #[test]
    fn a_team_file_opens_with_a_member_identity_only() {
        use crate::vault::team::Identity;
        let (alice, bob) = (Identity::generate(), Identity::generate());
        for armored in [true, false] {
            let file = Prepared::to_recipients(&[alice.recipient().unwrap()], armored)
                .unwrap()
                .encrypt(b"hello")
                .unwrap();
            let (h, plain) = decrypt_with(&file, &Unlock::Identities(vec![alice.clone()])).unwrap();
            assert_eq!(h.armored(), armored);
            assert_eq!(plain.as_slice(), b"hello");
            assert!(matches!(
                decrypt_with(&file, &Unlock::Identities(vec![bob.clone()])),
                Err(UnlockError::NotAMember { recipients: 1 })
            ));
            assert!(matches!(
                decrypt_with(&file, &Unlock::Passphrase(Secret::from("x"))),
                Err(UnlockError::TeamVault { recipients: 1 })
            ));
        }
        let pass = Prepared::new(
            &Secret::from("p"),
            Container {
                armored: true,
                work_factor: 10,
            },
        )
        .unwrap()
        .encrypt(b"x")
        .unwrap();
        assert!(matches!(
            decrypt_with(&pass, &Unlock::Identities(vec![alice])),
            Err(UnlockError::PassphraseVault)
        ));
    }
}
