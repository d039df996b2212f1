//! The private keys that open a team vault, loaded from the kinds of file
//! Go age reads with `-i`: an age identity file (`AGE-SECRET-KEY-1…` lines),
//! an OpenSSH ed25519 or RSA private key (passphrase-protected or not), or
//! an age identity file encrypted with a passphrase (`age -p`, as `ascvault
//! identity new` writes them).

use std::fmt;
use std::io::BufReader;
use std::path::Path;
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use zeroize::Zeroizing;

use super::Recipient;
use crate::secret::Secret;
use crate::vault::crypto;
use crate::vault::error::{InvalidInput, UnlockError};

/// One private key. Cloning copies the key (each copy wipes itself);
/// `Debug` never shows it.
#[derive(Clone)]
pub struct Identity(Inner);

#[derive(Clone)]
enum Inner {
    X25519(age::x25519::Identity),
    Ssh(age::ssh::Identity),
}

/// What a file of identities gave: keys ready to use, or a file that needs
/// its passphrase first.
pub enum LoadedIdentity {
    /// Plain keys.
    Ready(Vec<Identity>),
    /// A passphrase-protected SSH key or age identity file.
    Locked(LockedIdentity),
}

/// A passphrase-protected identity, waiting for [`LockedIdentity::unlock`].
pub struct LockedIdentity(Locked);

enum Locked {
    Ssh(Box<age::ssh::EncryptedKey>),
    Age(Vec<u8>),
}

impl Identity {
    /// A fresh random X25519 identity.
    pub fn generate() -> Identity {
        Identity(Inner::X25519(age::x25519::Identity::generate()))
    }

    /// The public key that encrypts to this identity.
    pub fn recipient(&self) -> Option<Recipient> {
        let text = match &self.0 {
            Inner::X25519(i) => i.to_public().to_string(),
            Inner::Ssh(i) => age::ssh::Recipient::try_from(i.clone()).ok()?.to_string(),
        };
        text.parse().ok()
    }

    /// The identity file text of an X25519 identity (`# created`, `# public
    /// key` comments and the `AGE-SECRET-KEY-1…` line), as `age-keygen`
    /// writes it; `None` for an SSH key.
    pub fn to_identity_file(&self) -> Option<Zeroizing<String>> {
        let Inner::X25519(i) = &self.0 else {
            return None;
        };
        Some(Zeroizing::new(format!(
            "# created: {}\n# public key: {}\n{}\n",
            crate::vault::Timestamp::now().rfc3339(),
            i.to_public(),
            i.to_string().expose_secret()
        )))
    }

    pub(crate) fn as_age(&self) -> &dyn age::Identity {
        match &self.0 {
            Inner::X25519(i) => i,
            Inner::Ssh(i) => i,
        }
    }

    /// Loads the identities of a file's content (`path` only names it in
    /// messages). See the module's documentation for the kinds read.
    pub fn load(bytes: &[u8], path: &Path) -> Result<LoadedIdentity, InvalidInput> {
        let invalid = |why: &str| InvalidInput::Identity {
            path: path.to_owned(),
            why: why.to_owned(),
        };
        let trimmed = bytes.trim_ascii_start();
        if trimmed.starts_with(b"age-encryption.org/v1")
            || trimmed.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----")
        {
            return match crypto::inspect(bytes) {
                Ok(_) => Ok(LoadedIdentity::Locked(LockedIdentity(Locked::Age(
                    bytes.to_vec(),
                )))),
                Err(e) => Err(invalid(&format!(
                    "an age-encrypted identity file must be encrypted to a passphrase: {e}"
                ))),
            };
        }
        let text = std::str::from_utf8(bytes).map_err(|_| invalid("not a text file"))?;
        if text.contains("-----BEGIN ") && text.contains(" PRIVATE KEY-----") {
            let parsed = age::ssh::Identity::from_buffer(BufReader::new(text.as_bytes()), None)
                .map_err(|_| {
                    invalid("not an SSH private key age can use (OpenSSH ed25519 or RSA)")
                })?;
            return match parsed {
                age::ssh::Identity::Unencrypted(_) => {
                    Ok(LoadedIdentity::Ready(vec![Identity(Inner::Ssh(parsed))]))
                }
                age::ssh::Identity::Encrypted(key) => Ok(LoadedIdentity::Locked(LockedIdentity(
                    Locked::Ssh(Box::new(key)),
                ))),
                age::ssh::Identity::Unsupported(_) => Err(invalid(
                    "age does not support this kind of SSH key (use ed25519 or RSA)",
                )),
            };
        }
        parse_age_identities(text)
            .map(LoadedIdentity::Ready)
            .map_err(invalid)
    }
}

/// The `AGE-SECRET-KEY-1…` lines of an age identity file (comments and
/// blank lines skipped).
fn parse_age_identities(text: &str) -> Result<Vec<Identity>, &'static str> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with("AGE-PLUGIN-") {
            return Err("age plugin identities are not supported");
        }
        let identity = age::x25519::Identity::from_str(line).map_err(
            |_| "not an age identity file, SSH private key or age-encrypted identity file",
        )?;
        out.push(Identity(Inner::X25519(identity)));
    }
    if out.is_empty() {
        return Err("the file holds no identity");
    }
    Ok(out)
}

impl LockedIdentity {
    /// Opens the identity with its passphrase: one scrypt for an
    /// age-encrypted identity file, bcrypt-pbkdf for an SSH key. A wrong
    /// passphrase is [`UnlockError::WrongPassphrase`].
    pub fn unlock(&self, passphrase: &Secret) -> Result<Vec<Identity>, UnlockError> {
        match &self.0 {
            Locked::Ssh(key) => {
                let key = key
                    .decrypt(passphrase.to_age())
                    .map_err(|_| UnlockError::WrongPassphrase)?;
                Ok(vec![Identity(Inner::Ssh(age::ssh::Identity::Unencrypted(
                    key,
                )))])
            }
            Locked::Age(bytes) => {
                let (_, plain) = crypto::decrypt(bytes, passphrase)?;
                let text = std::str::from_utf8(&plain).map_err(|_| UnlockError::Damaged {
                    what: "the decrypted identity file is not text",
                })?;
                parse_age_identities(text).map_err(|_| UnlockError::Damaged {
                    what: "the decrypted identity file holds no age identity",
                })
            }
        }
    }

    /// `an SSH key` or `an age identity file`, for prompts.
    pub fn what(&self) -> &'static str {
        match self.0 {
            Locked::Ssh(_) => "SSH key",
            Locked::Age(_) => "identity file",
        }
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.recipient() {
            Some(r) => write!(f, "Identity({})", r.fingerprint()),
            None => f.write_str("Identity(..)"),
        }
    }
}

impl fmt::Debug for LoadedIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadedIdentity::Ready(list) => f.debug_tuple("Ready").field(list).finish(),
            LoadedIdentity::Locked(l) => f.debug_tuple("Locked").field(&l.what()).finish(),
        }
    }
}
