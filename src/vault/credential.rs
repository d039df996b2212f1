//! Validation and normalization of what goes into an entry: labels, Apple IDs,
//! app-specific passwords, and App Store Connect API key parts.

use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use zeroize::Zeroizing;

use super::error::InvalidInput;
use crate::secret::Secret;

/// Longest label, in characters.
pub const MAX_LABEL_CHARS: usize = 64;

/// Checks a label: 1–64 printable characters, no surrounding whitespace.
pub fn check_label(label: &str) -> Result<(), InvalidInput> {
    let count = label.chars().count();
    if count == 0 || count > MAX_LABEL_CHARS {
        return Err(InvalidInput::Label {
            label: label.to_owned(),
            why: "must be 1 to 64 characters",
        });
    }
    if label.chars().any(char::is_control) {
        return Err(InvalidInput::Label {
            label: label.escape_debug().to_string(),
            why: "must not contain control characters",
        });
    }
    if label.trim() != label {
        return Err(InvalidInput::Label {
            label: label.to_owned(),
            why: "must not start or end with whitespace",
        });
    }
    Ok(())
}

/// Checks the shape of an Apple ID (an email address).
pub fn check_apple_id(apple_id: &str) -> Result<(), InvalidInput> {
    let bad = || InvalidInput::AppleId(apple_id.escape_debug().to_string());
    let (local, domain) = apple_id.split_once('@').ok_or_else(bad)?;
    let shape_ok = !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !apple_id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control());
    if shape_ok { Ok(()) } else { Err(bad()) }
}

/// Normalizes an app-specific password to Apple's `xxxx-xxxx-xxxx-xxxx`.
///
/// Accepts upper case, spaces and missing hyphens. Anything that is not
/// 16 ASCII letters is refused; the error never contains the input.
pub fn normalize_app_password(input: &Secret) -> Result<Secret, InvalidInput> {
    let letters: Zeroizing<String> = Zeroizing::new(
        input
            .expose()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\t'))
            .map(|c| c.to_ascii_lowercase())
            .collect(),
    );
    if letters.len() != 16 || !letters.chars().all(|c| c.is_ascii_lowercase()) {
        return Err(InvalidInput::PasswordFormat);
    }
    let mut out = String::with_capacity(19);
    for (i, chunk) in letters.as_bytes().chunks(4).enumerate() {
        if i > 0 {
            out.push('-');
        }
        // Chunks of ASCII letters are valid UTF-8.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
    }
    Ok(Secret::new(out))
}

/// True when a stored password has Apple's canonical shape.
pub fn is_canonical_app_password(password: &Secret) -> bool {
    let p = password.expose().as_bytes();
    p.len() == 19
        && p.iter().enumerate().all(|(i, b)| {
            if i % 5 == 4 {
                *b == b'-'
            } else {
                b.is_ascii_lowercase()
            }
        })
}

/// `id` trimmed and upper-cased when that is 10 ASCII letters or digits,
/// the shape of Apple's key ids and team ids.
fn ten_alphanumerics(id: &str) -> Option<String> {
    let id = id.trim().to_ascii_uppercase();
    (id.len() == 10 && id.chars().all(|c| c.is_ascii_alphanumeric())).then_some(id)
}

/// Normalizes a key id: 10 upper-case ASCII letters or digits.
pub fn normalize_key_id(key_id: &str) -> Result<String, InvalidInput> {
    ten_alphanumerics(key_id).ok_or_else(|| InvalidInput::KeyId(key_id.escape_debug().to_string()))
}

/// Normalizes an issuer id to a lower-case hyphenated UUID.
pub fn normalize_issuer_id(issuer_id: &str) -> Result<String, InvalidInput> {
    uuid::Uuid::try_parse(issuer_id.trim())
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| InvalidInput::IssuerId(issuer_id.escape_debug().to_string()))
}

/// Checks a vendor number (digits only, as App Store Connect shows it).
pub fn check_vendor_number(vendor: &str) -> Result<(), InvalidInput> {
    if !vendor.is_empty() && vendor.len() <= 20 && vendor.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(InvalidInput::VendorNumber(
            vendor.escape_debug().to_string(),
        ))
    }
}

/// Normalizes a team id: 10 upper-case ASCII letters or digits (Apple's
/// developer team id, as `notarytool --team-id` takes it).
pub fn normalize_team_id(team_id: &str) -> Result<String, InvalidInput> {
    ten_alphanumerics(team_id)
        .ok_or_else(|| InvalidInput::TeamId(team_id.escape_debug().to_string()))
}

/// Longest provider short name, in characters.
pub const MAX_PROVIDER_CHARS: usize = 64;

/// Checks a provider short name (altool's `--asc-provider`): 1–64 ASCII
/// letters, digits, `.`, `_` or `-`, kept as given.
pub fn check_provider(provider: &str) -> Result<(), InvalidInput> {
    let ok = !provider.is_empty()
        && provider.len() <= MAX_PROVIDER_CHARS
        && provider
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(InvalidInput::Provider(provider.escape_debug().to_string()))
    }
}

/// The key id in an `AuthKey_<KEYID>.p8` file name (as App Store Connect
/// names the download), upper-cased; `None` for any other name.
pub fn key_id_from_file_name(name: &str) -> Option<String> {
    let id = name.strip_prefix("AuthKey_")?.strip_suffix(".p8")?;
    normalize_key_id(id).ok().filter(|k| k.len() == id.len())
}

/// Parses a `.p8` private key: PKCS#8 PEM holding a P-256 EC key.
///
/// Returns the key re-encoded canonically (LF line ends, trailing newline).
pub fn normalize_private_key(pem: &Secret) -> Result<Secret, InvalidInput> {
    let key = parse_private_key(pem)?;
    let canonical = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|_| InvalidInput::PrivateKey)?;
    Ok(Secret::new(canonical.as_str().to_owned()))
}

/// Parses a PKCS#8 PEM P-256 private key.
pub fn parse_private_key(pem: &Secret) -> Result<p256::SecretKey, InvalidInput> {
    crate::p8::private_key(pem).ok_or(InvalidInput::PrivateKey)
}

/// The DER encoding of the key's public half (SubjectPublicKeyInfo).
pub fn public_key_der(pem: &Secret) -> Result<Vec<u8>, InvalidInput> {
    let key = parse_private_key(pem)?;
    key.public_key()
        .to_public_key_der()
        .map(|d| d.as_bytes().to_vec())
        .map_err(|_| InvalidInput::PrivateKey)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_normalized_to_apples_form() {
        for input in [
            "abcd-efgh-ijkl-mnop",
            "ABCD-EFGH-IJKL-MNOP",
            "abcdefghijklmnop",
            "abcd efgh ijkl mnop",
        ] {
            let p = normalize_app_password(&Secret::from(input)).unwrap();
            assert_eq!(p.expose(), "abcd-efgh-ijkl-mnop");
            assert!(is_canonical_app_password(&p));
        }
    }

    #[test]
    fn malformed_passwords_are_refused() {
        for input in [
            "",
            "abcd-efgh-ijkl",
            "abcd-efgh-ijkl-mno1",
            "abcdefghijklmnopq",
            "äbcd-efgh-ijkl-mnop",
        ] {
            assert!(
                normalize_app_password(&Secret::from(input)).is_err(),
                "{input}"
            );
        }
    }

    #[test]
    fn key_and_issuer_ids() {
        assert_eq!(normalize_key_id("2x9r4hxf34").unwrap(), "2X9R4HXF34");
        assert!(normalize_key_id("2X9R4HXF3").is_err());
        assert!(normalize_key_id("2X9R4HXF3!").is_err());
        assert_eq!(
            normalize_issuer_id("57246542-96FE-1A63-E053-0824D011072A").unwrap(),
            "57246542-96fe-1a63-e053-0824d011072a"
        );
        assert!(normalize_issuer_id("not-a-uuid").is_err());
    }

    #[test]
    fn team_ids_and_providers() {
        assert_eq!(normalize_team_id(" a1b2c3d4e5 ").unwrap(), "A1B2C3D4E5");
        assert!(normalize_team_id("A1B2C3D4E").is_err());
        assert!(normalize_team_id("A1B2C3D4E!").is_err());
        assert!(check_provider("ACME_Corp-1.0").is_ok());
        assert!(check_provider("").is_err());
        assert!(check_provider("two words").is_err());
        assert!(check_provider(&"p".repeat(65)).is_err());
    }

    #[test]
    fn key_ids_in_file_names() {
        assert_eq!(
            key_id_from_file_name("AuthKey_2x9r4hxf34.p8").as_deref(),
            Some("2X9R4HXF34")
        );
        assert_eq!(key_id_from_file_name("AuthKey_2X9R4HXF3.p8"), None);
        assert_eq!(key_id_from_file_name("AuthKey_ 2X9R4HXF34.p8"), None);
        assert_eq!(key_id_from_file_name("key.p8"), None);
        assert_eq!(key_id_from_file_name("AuthKey_2X9R4HXF34.pem"), None);
    }

    #[test]
    fn labels_and_apple_ids() {
        assert!(check_label("fastlane").is_ok());
        assert!(check_label("").is_err());
        assert!(check_label(" x").is_err());
        assert!(check_label("a\u{7}b").is_err());
        assert!(check_label(&"x".repeat(65)).is_err());
        assert!(check_apple_id("dev@example.com").is_ok());
        assert!(check_apple_id("dev@example").is_err());
        assert!(check_apple_id("dev example.com").is_err());
    }
}
