//! Apple's OpenAPI description (the extracts in `fixtures/asc/`) and a
//! small JSON Schema check against it, so the stand-in's answers and our
//! request bodies cannot drift from Apple's shapes.

use serde_json::{Value, json};

use super::fixtures;

/// The OpenAPI extract `fixtures/asc/<file>`.
pub fn load(file: &str) -> Value {
    let text = std::fs::read_to_string(fixtures().join("asc").join(file)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A small JSON Schema check covering what Apple's description uses:
/// `$ref`, `type`, `properties`, `required`, `items`, `enum`, `minimum`,
/// `maximum`, `oneOf`.
pub fn check(root: &Value, schema: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap();
        let target = &root["components"]["schemas"][name];
        assert!(!target.is_null(), "unresolved {r}");
        return check(root, target, v, at, errs);
    }
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let ok = options.iter().any(|o| {
            let mut e = Vec::new();
            check(root, o, v, at, &mut e);
            e.is_empty()
        });
        if !ok {
            errs.push(format!("{at}: matches no oneOf"));
        }
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(v)
    {
        errs.push(format!("{at}: {v} not in enum"));
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {
            let Some(obj) = v.as_object() else {
                errs.push(format!("{at}: not an object: {v}"));
                return;
            };
            for req in schema["required"].as_array().into_iter().flatten() {
                if !obj.contains_key(req.as_str().unwrap()) {
                    errs.push(format!("{at}: missing required {req}"));
                }
            }
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (k, val) in obj {
                    if let Some(s) = props.get(k) {
                        check(root, s, val, &format!("{at}.{k}"), errs);
                    }
                }
            }
        }
        Some("array") => match v.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    check(root, &schema["items"], item, &format!("{at}[{i}]"), errs);
                }
            }
            None => errs.push(format!("{at}: not an array")),
        },
        Some("string") if !v.is_string() => errs.push(format!("{at}: not a string: {v}")),
        Some("integer") => match v.as_i64() {
            Some(n) => {
                if schema["minimum"].as_i64().is_some_and(|m| n < m)
                    || schema["maximum"].as_i64().is_some_and(|m| n > m)
                {
                    errs.push(format!("{at}: {n} out of range"));
                }
            }
            None => errs.push(format!("{at}: not an integer: {v}")),
        },
        Some("boolean") if !v.is_boolean() => errs.push(format!("{at}: not a boolean")),
        _ => {}
    }
}

#[track_caller]
pub fn assert_shape(root: &Value, schema: &str, v: &Value) {
    let mut errs = Vec::new();
    check(
        root,
        &json!({"$ref": format!("#/components/schemas/{schema}")}),
        v,
        schema,
        &mut errs,
    );
    assert!(errs.is_empty(), "{schema}: {errs:#?}\n{v:#}");
}
