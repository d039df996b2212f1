//! The one check an id passes before it goes into a request path.

use super::error::AscError;

/// The longest id accepted: Apple's are far shorter (numeric app ids,
/// UUIDs, base64-ish report ids); the cap only bounds what is echoed back.
const MAX_LEN: usize = 200;

/// Checks an id before it goes into a path: 1 to 200 ASCII letters, digits,
/// `-` and `_` (ids come from the user or from the server; neither may
/// smuggle `/`, `?` or `%` into a request). `what` names the id in the
/// error ("app id", "review id").
pub fn path_id<'a>(what: &str, id: &'a str) -> Result<&'a str, AscError> {
    let ok = !id.is_empty()
        && id.len() <= MAX_LEN
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
    if ok {
        Ok(id)
    } else {
        Err(AscError::BadId(format!(
            "{what} {:?} is not a valid id (letters, digits, '-', '_')",
            id.escape_debug().to_string()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_ids_pass() {
        for ok in ["6446791234", "a-b_C9", &"x".repeat(200)] {
            assert_eq!(path_id("id", ok).unwrap(), ok);
        }
        for bad in ["", "../apps", "a/b", "a?b", "a%2F", "é", &"x".repeat(201)] {
            assert!(
                matches!(path_id("id", bad), Err(AscError::BadId(_))),
                "{bad}"
            );
        }
        assert_eq!(
            path_id("build id", "../x").unwrap_err().to_string(),
            r#"build id "../x" is not a valid id (letters, digits, '-', '_')"#
        );
    }
}
