//! Token checks as App Store Connect makes them: ES256 signature by a known
//! key id, the right issuer (or `sub: "user"` for an individual key),
//! audience `appstoreconnect-v1`, not expired, not issued in the future,
//! and a lifetime of at most 20 minutes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::{Signature, VerifyingKey, signature::Verifier};
use p256::pkcs8::DecodePrivateKey;

use crate::state::Shared;
use crate::{TEST_INDIVIDUAL_KEY_ID, TEST_ISSUER_ID, TEST_KEY_ID, TEST_KEY_PEM};

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn test_key() -> Option<VerifyingKey> {
    let secret = p256::SecretKey::from_pkcs8_pem(TEST_KEY_PEM.trim()).ok()?;
    Some(VerifyingKey::from(secret.public_key()))
}

/// The registered keys: id → (public key, issuer; `None` for individual keys).
fn key_for(kid: &str) -> Option<(VerifyingKey, Option<&'static str>)> {
    match kid {
        TEST_KEY_ID => Some((test_key()?, Some(TEST_ISSUER_ID))),
        TEST_INDIVIDUAL_KEY_ID => Some((test_key()?, None)),
        _ => None,
    }
}

/// Checks a bearer token; the error says why (sent as `X-Standin-Reason`).
pub fn verify(_shared: &Shared, bearer: Option<&str>) -> Result<(), &'static str> {
    let token = bearer.ok_or("no bearer token")?;
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a compact JWT");
    };
    let json = |part: &str| -> Option<serde_json::Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
    };
    let header = json(h).ok_or("bad header")?;
    let claims = json(c).ok_or("bad claims")?;
    if header["alg"] != "ES256" {
        return Err("alg is not ES256");
    }
    if header.get("typ").is_some_and(|t| t != "JWT") {
        return Err("typ is not JWT");
    }
    let kid = header["kid"].as_str().ok_or("no kid")?;
    let (key, issuer) = key_for(kid).ok_or("unknown kid")?;
    let sig = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| "bad signature encoding")?;
    let sig = Signature::from_slice(&sig).map_err(|_| "bad signature")?;
    key.verify(format!("{h}.{c}").as_bytes(), &sig)
        .map_err(|_| "signature does not verify")?;
    match issuer {
        Some(iss) if claims["iss"] != iss => return Err("wrong issuer"),
        None if claims["sub"] != "user" || claims.get("iss").is_some() => {
            return Err("individual keys need sub \"user\" and no iss");
        }
        _ => {}
    }
    if claims["aud"] != "appstoreconnect-v1" {
        return Err("wrong audience");
    }
    let iat = claims["iat"].as_i64().ok_or("no iat")?;
    let exp = claims["exp"].as_i64().ok_or("no exp")?;
    let now = now();
    if exp <= now {
        return Err("expired");
    }
    if iat > now + 60 {
        return Err("issued in the future");
    }
    if exp - iat > 20 * 60 {
        return Err("lifetime over 20 minutes");
    }
    Ok(())
}
