//! ES256 JSON Web Tokens for the App Store Connect API, signed with the
//! `.p8` key held in the vault.
//!
//! Header `{"alg":"ES256","kid":KEY_ID,"typ":"JWT"}`; claims `iss` (team
//! keys) or `sub: "user"` (individual keys, which have no issuer), `iat`,
//! `exp` and `aud: "appstoreconnect-v1"`. Apple refuses tokens that live
//! longer than 20 minutes, so [`MAX_LIFETIME`] caps every token.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::{Signature, SigningKey, signature::Signer};
use serde_json::json;

use super::error::AscError;
use crate::secret::Secret;

/// The audience App Store Connect expects.
pub const AUDIENCE: &str = "appstoreconnect-v1";
/// The longest lifetime Apple accepts.
pub const MAX_LIFETIME: Duration = Duration::from_secs(20 * 60);
/// The lifetime ascvault asks for: well under the cap, so clock skew of a
/// few minutes cannot push a token over it.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// The signing key of a `.p8` file (read by [`crate::p8`], as the vault
/// reads it when a key is added), or the client's error.
fn parse_private_key(pem: &Secret) -> Result<p256::SecretKey, AscError> {
    crate::p8::private_key(pem).ok_or_else(|| {
        AscError::Key(
            "the private key is not a PKCS#8 PEM P-256 (EC) key as App Store Connect issues in .p8 files"
                .into(),
        )
    })
}

/// An App Store Connect API key, ready to sign. Prints redacted.
pub struct ApiKey {
    key_id: String,
    issuer_id: Option<String>,
    signing_key: SigningKey,
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("key_id", &self.key_id)
            .field("issuer_id", &self.issuer_id)
            .field("signing_key", &"[redacted]")
            .finish()
    }
}

impl ApiKey {
    /// A key from its parts; `pem` is the PKCS#8 text of the `.p8`.
    pub fn new(key_id: &str, issuer_id: Option<&str>, pem: &Secret) -> Result<ApiKey, AscError> {
        let secret = parse_private_key(pem)?;
        Ok(ApiKey {
            key_id: key_id.to_owned(),
            issuer_id: issuer_id.map(str::to_owned),
            signing_key: SigningKey::from(secret),
        })
    }

    /// The key id (the token's `kid`).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Signs a token issued at `iat` (Unix seconds) that lives `lifetime`
    /// (capped at [`MAX_LIFETIME`]).
    pub fn mint_at(&self, iat: i64, lifetime: Duration) -> Token {
        let lifetime = lifetime.min(MAX_LIFETIME).as_secs() as i64;
        let exp = iat + lifetime;
        let header = json!({"alg": "ES256", "kid": self.key_id, "typ": "JWT"});
        let claims = match &self.issuer_id {
            Some(iss) => json!({"iss": iss, "iat": iat, "exp": exp, "aud": AUDIENCE}),
            None => json!({"sub": "user", "iat": iat, "exp": exp, "aud": AUDIENCE}),
        };
        let mut jwt = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature: Signature = self.signing_key.sign(jwt.as_bytes());
        jwt.push('.');
        jwt.push_str(&URL_SAFE_NO_PAD.encode(signature.to_bytes()));
        Token {
            jwt: Secret::new(jwt),
            issued_at: iat,
            expires_at: exp,
        }
    }

    /// Signs a token issued now.
    pub fn mint(&self, lifetime: Duration) -> Token {
        self.mint_at(unix_now(), lifetime)
    }
}

/// A signed token and when it stops being valid.
#[derive(Clone, Debug)]
pub struct Token {
    /// The compact JWT (a bearer credential: kept secret).
    pub jwt: Secret,
    /// `iat`, Unix seconds.
    pub issued_at: i64,
    /// `exp`, Unix seconds.
    pub expires_at: i64,
}

impl Token {
    /// True while the token has more than `margin` left at `now`.
    pub fn fresh_at(&self, now: i64, margin: Duration) -> bool {
        now + (margin.as_secs() as i64) < self.expires_at
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::{VerifyingKey, signature::Verifier};

    const PEM: &str = include_str!("../../fixtures/keys/AuthKey_TESTKEY001.p8");

    fn parts(token: &Token) -> (serde_json::Value, serde_json::Value, Vec<u8>) {
        let t: Vec<&str> = token.jwt.expose().split('.').collect();
        assert_eq!(t.len(), 3);
        let dec = |s: &str| URL_SAFE_NO_PAD.decode(s).unwrap();
        (
            serde_json::from_slice(&dec(t[0])).unwrap(),
            serde_json::from_slice(&dec(t[1])).unwrap(),
            dec(t[2]),
        )
    }

    #[test]
    fn team_key_tokens_carry_the_documented_header_and_claims() {
        let key = ApiKey::new(
            "TESTKEY001",
            Some("57246542-96fe-1a63-e053-0824d011072a"),
            &Secret::from(PEM),
        )
        .unwrap();
        let token = key.mint_at(1_700_000_000, Duration::from_secs(3600));
        let (header, claims, sig) = parts(&token);
        assert_eq!(
            header,
            json!({"alg":"ES256","kid":"TESTKEY001","typ":"JWT"})
        );
        assert_eq!(claims["iss"], "57246542-96fe-1a63-e053-0824d011072a");
        assert_eq!(claims["aud"], AUDIENCE);
        assert_eq!(claims["iat"], 1_700_000_000);
        // Asked for an hour, capped at Apple's 20 minutes.
        assert_eq!(claims["exp"], 1_700_000_000 + 1200);
        assert!(claims.get("sub").is_none());
        // The signature verifies with the key's public half.
        let secret = parse_private_key(&Secret::from(PEM)).unwrap();
        let vk = VerifyingKey::from(secret.public_key());
        let signed = token.jwt.expose().rsplit_once('.').unwrap().0;
        let sig = Signature::from_slice(&sig).unwrap();
        assert!(vk.verify(signed.as_bytes(), &sig).is_ok());
    }

    #[test]
    fn individual_keys_use_sub_user_and_no_issuer() {
        let key = ApiKey::new("TESTKEY001", None, &Secret::from(PEM)).unwrap();
        let (_, claims, _) = parts(&key.mint_at(10, DEFAULT_LIFETIME));
        assert_eq!(claims["sub"], "user");
        assert!(claims.get("iss").is_none());
        assert_eq!(claims["exp"], 10 + 900);
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = ApiKey::new("TESTKEY001", None, &Secret::from(PEM)).unwrap();
        assert!(format!("{key:?}").contains("[redacted]"));
        let token = key.mint(DEFAULT_LIFETIME);
        assert!(!format!("{token:?}").contains(token.jwt.expose()));
    }
}
