//! A member's public key: an age X25519 recipient (`age1…`) or an SSH
//! `ssh-ed25519` / `ssh-rsa` public key, parsed, normalized and shown.

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::vault::error::InvalidInput;

/// Which kind of public key a [`Recipient`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecipientKind {
    /// An age X25519 recipient, `age1…`.
    X25519,
    /// An SSH ed25519 public key.
    SshEd25519,
    /// An SSH RSA public key (2048 bits or more).
    SshRsa,
}

impl RecipientKind {
    /// The name shown by `member list`: `age`, `ssh-ed25519`, `ssh-rsa`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecipientKind::X25519 => "age",
            RecipientKind::SshEd25519 => "ssh-ed25519",
            RecipientKind::SshRsa => "ssh-rsa",
        }
    }
}

/// A public key a team vault can be encrypted to. Its text form (what
/// `Display` writes and `[[member]].recipient` holds) is normalized: an
/// age recipient in lower case, an SSH key as `TYPE BASE64` without its
/// comment.
#[derive(Clone, PartialEq, Eq)]
pub struct Recipient {
    text: String,
    kind: RecipientKind,
}

impl Recipient {
    /// The kind of key.
    pub fn kind(&self) -> RecipientKind {
        self.kind
    }

    /// A short fingerprint for people: `SHA256:` and the unpadded base64
    /// of the SHA-256 of the key (for SSH keys the key blob, as
    /// `ssh-keygen -l` prints it; for age the recipient's text).
    pub fn fingerprint(&self) -> String {
        let engine = base64::engine::general_purpose::STANDARD_NO_PAD;
        let digest = match self.kind {
            RecipientKind::X25519 => Sha256::digest(self.text.as_bytes()),
            _ => {
                let blob = self.text.split(' ').nth(1).unwrap_or_default();
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(blob)
                    .unwrap_or_default();
                Sha256::digest(&raw)
            }
        };
        format!("SHA256:{}", engine.encode(digest))
    }

    /// The recipient for age's encryptor.
    pub(crate) fn to_age(&self) -> Box<dyn age::Recipient + Send> {
        match self.kind {
            RecipientKind::X25519 => Box::new(
                age::x25519::Recipient::from_str(&self.text).expect("normalized when parsed"),
            ),
            _ => {
                Box::new(age::ssh::Recipient::from_str(&self.text).expect("normalized when parsed"))
            }
        }
    }
}

impl FromStr for Recipient {
    type Err = InvalidInput;

    /// Parses `age1…`, or `ssh-ed25519 AAAA… [comment]` / `ssh-rsa AAAA…
    /// [comment]` (one line, as in a `.pub` file).
    fn from_str(s: &str) -> Result<Recipient, InvalidInput> {
        let invalid = |why: &str| InvalidInput::Recipient {
            why: why.to_owned(),
        };
        let s = s.trim();
        if s.len() > 16 * 1024 {
            return Err(invalid("it is far too long for a public key"));
        }
        if s.contains('\n') {
            return Err(invalid("give one key on one line"));
        }
        if s.to_ascii_lowercase().starts_with("age1") {
            let r = age::x25519::Recipient::from_str(&s.to_ascii_lowercase())
                .map_err(|_| invalid("an age1… recipient whose encoding does not check out"))?;
            return Ok(Recipient {
                text: r.to_string(),
                kind: RecipientKind::X25519,
            });
        }
        if s.starts_with("AGE-SECRET-KEY-") {
            return Err(invalid(
                "that is a private key (AGE-SECRET-KEY-1…): give its public key, age1…, and keep the private key secret",
            ));
        }
        let mut parts = s.split_ascii_whitespace();
        let (Some(tag), Some(blob)) = (parts.next(), parts.next()) else {
            return Err(invalid(
                "expected age1… or ssh-ed25519/ssh-rsa followed by the key",
            ));
        };
        let kind = match tag {
            "ssh-ed25519" => RecipientKind::SshEd25519,
            "ssh-rsa" => RecipientKind::SshRsa,
            other
                if other.starts_with("ssh-")
                    || other.starts_with("ecdsa-")
                    || other.starts_with("sk-") =>
            {
                return Err(invalid(&format!(
                    "SSH keys of type {} are not supported by age (use ed25519 or RSA)",
                    other
                        .chars()
                        .flat_map(char::escape_default)
                        .take(40)
                        .collect::<String>()
                )));
            }
            _ => {
                return Err(invalid(
                    "expected age1… or ssh-ed25519/ssh-rsa followed by the key",
                ));
            }
        };
        let text = format!("{tag} {blob}");
        let parsed = age::ssh::Recipient::from_str(&text).map_err(|e| {
            use age::ssh::ParseRecipientKeyError as E;
            invalid(match e {
                E::RsaModulusTooLarge => "the RSA key is larger than age supports",
                E::RsaModulusTooSmall => "the RSA key is smaller than 2048 bits",
                _ => "the key data does not parse",
            })
        })?;
        Ok(Recipient {
            text: parsed.to_string(),
            kind,
        })
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recipient({})", self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGE: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

    #[test]
    fn age_and_ssh_keys_parse_and_normalize() {
        let r: Recipient = AGE.to_uppercase().parse().unwrap();
        assert_eq!(r.to_string(), AGE);
        assert_eq!(r.kind(), RecipientKind::X25519);
        assert!(r.fingerprint().starts_with("SHA256:"));
        let ssh = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN alice@host";
        let r: Recipient = ssh.parse().unwrap();
        assert_eq!(r.kind(), RecipientKind::SshEd25519);
        assert_eq!(
            r.to_string(),
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN"
        );
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        for bad in [
            "",
            "age1notvalid",
            "AGE-SECRET-KEY-1QQQ",
            "ssh-ed25519",
            "ssh-ed25519 !!!!",
            "ecdsa-sha2-nistp256 AAAA",
            "hello world",
        ] {
            let err = bad.parse::<Recipient>().unwrap_err();
            assert!(matches!(err, InvalidInput::Recipient { .. }), "{bad}");
        }
    }
}
