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
/// `$ref`, `type` (`object`, `array`, `string`, `integer`, `number`,
/// `boolean`), `properties`, `required`, `additionalProperties`, `items`,
/// `enum`, `minimum`, `maximum`, `oneOf` (at least one matches: Apple's
/// unions of included resources do not overlap), `anyOf`, `allOf`,
/// `nullable`, and the formats `date-time` (RFC 3339 with an offset),
/// `date`, `uri` (absolute) and `uri-reference`.
///
/// `null` is accepted for a property that is not `required`: Apple's
/// description (3.7) marks nothing `nullable`, yet Apple sends `null` for
/// unset attributes (the app codemagic recorded has four), so a checker
/// refusing them would refuse Apple.
pub fn check(root: &Value, schema: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap();
        let target = &root["components"]["schemas"][name];
        assert!(!target.is_null(), "unresolved {r}");
        return check(root, target, v, at, errs);
    }
    if v.is_null() && schema["nullable"] == true {
        return;
    }
    let matches = |o: &Value| {
        let mut e = Vec::new();
        check(root, o, v, at, &mut e);
        e.is_empty()
    };
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array)
        && !options.iter().any(matches)
    {
        errs.push(format!("{at}: matches no oneOf"));
    }
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array)
        && !options.iter().any(matches)
    {
        errs.push(format!("{at}: matches no anyOf"));
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        check(root, part, v, at, errs);
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(v)
    {
        errs.push(format!("{at}: {v} not in enum"));
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => check_object(root, schema, v, at, errs),
        Some("array") => match v.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    check(root, &schema["items"], item, &format!("{at}[{i}]"), errs);
                }
            }
            None => errs.push(format!("{at}: not an array")),
        },
        Some("string") => match v.as_str() {
            Some(text) => {
                if let Some(why) = bad_format(schema["format"].as_str(), text) {
                    errs.push(format!("{at}: {text:?} is not {why}"));
                }
            }
            None => errs.push(format!("{at}: not a string: {v}")),
        },
        Some("integer") => match v.as_i64() {
            Some(n) => in_range(schema, n as f64, at, errs),
            None => errs.push(format!("{at}: not an integer: {v}")),
        },
        Some("number") => match v.as_f64() {
            Some(n) => in_range(schema, n, at, errs),
            None => errs.push(format!("{at}: not a number: {v}")),
        },
        Some("boolean") if !v.is_boolean() => errs.push(format!("{at}: not a boolean")),
        _ => {}
    }
}

fn check_object(root: &Value, schema: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
    let Some(obj) = v.as_object() else {
        errs.push(format!("{at}: not an object: {v}"));
        return;
    };
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for req in &required {
        if !obj.contains_key(*req) {
            errs.push(format!("{at}: missing required \"{req}\""));
        }
    }
    let props = schema.get("properties").and_then(Value::as_object);
    for (k, val) in obj {
        let at = format!("{at}.{k}");
        match props.and_then(|p| p.get(k)) {
            Some(_) if val.is_null() && !required.contains(&k.as_str()) => {}
            Some(s) => check(root, s, val, &at, errs),
            None => match schema.get("additionalProperties") {
                Some(Value::Bool(false)) => errs.push(format!("{at}: not allowed")),
                Some(s @ Value::Object(_)) => check(root, s, val, &at, errs),
                // Unknown properties are allowed, as Apple adds attributes
                // (fastlane's recorded app has `removed` and `isAAG`).
                _ => {}
            },
        }
    }
}

fn in_range(schema: &Value, n: f64, at: &str, errs: &mut Vec<String>) {
    if schema["minimum"].as_f64().is_some_and(|m| n < m)
        || schema["maximum"].as_f64().is_some_and(|m| n > m)
    {
        errs.push(format!("{at}: {n} out of range"));
    }
}

/// Why `text` is not of `format`, if it is not.
fn bad_format(format: Option<&str>, text: &str) -> Option<&'static str> {
    use time::format_description::well_known::Rfc3339;
    let ok = match format? {
        "date-time" => time::OffsetDateTime::parse(text, &Rfc3339).is_ok(),
        "date" => {
            let f = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(text, &f).is_ok()
        }
        "uri" => has_scheme(text) && !text.contains(char::is_whitespace),
        "uri-reference" => !text.is_empty() && !text.contains(char::is_whitespace),
        _ => true,
    };
    let why = match format {
        Some("date-time") => "an RFC 3339 date-time",
        Some("date") => "a date",
        Some("uri") => "an absolute URI",
        _ => "a URI reference",
    };
    (!ok).then_some(why)
}

/// `scheme:` at the start, as an absolute URI has.
pub fn has_scheme(text: &str) -> bool {
    text.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
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

/// Both extracts of Apple's description, to find the operation a request
/// to the stand-in answered and what it declares for each status.
pub struct Description {
    docs: Vec<Value>,
}

/// What an operation declares for one status.
pub struct Declared<'a> {
    /// The extract declaring it (for `$ref`s).
    pub root: &'a Value,
    /// `{template} {METHOD}`, for messages.
    pub operation: String,
    /// The response object for the status, if the operation declares it.
    pub response: Option<&'a Value>,
}

impl Description {
    /// `openapi-reviews-3.7.json`, `metrics/openapi-metrics-3.7.json` and
    /// the 4.4.1 extract for review summaries.
    pub fn load() -> Description {
        Description {
            docs: vec![
                load("openapi-reviews-3.7.json"),
                load("metrics/openapi-metrics-3.7.json"),
                load("openapi-summaries-4.4.1.json"),
            ],
        }
    }

    /// The operation for `method` on the concrete `path` (the template with
    /// the most literal segments wins), and its response for `status`.
    pub fn declared(&self, method: &str, path: &str, status: u16) -> Option<Declared<'_>> {
        let segs: Vec<&str> = path.split('/').collect();
        let method = method.to_ascii_lowercase();
        let mut best: Option<(usize, &Value, &str, &Value)> = None;
        for root in &self.docs {
            for (template, item) in root["paths"].as_object().into_iter().flatten() {
                let t: Vec<&str> = template.split('/').collect();
                if t.len() != segs.len() || item.get(&method).is_none() {
                    continue;
                }
                let fits = t
                    .iter()
                    .zip(&segs)
                    .all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s);
                let literal = t.iter().filter(|t| !t.starts_with('{')).count();
                if fits && best.is_none_or(|b| literal > b.0) {
                    best = Some((literal, root, template, &item[&method]));
                }
            }
        }
        let (_, root, template, op) = best?;
        Some(Declared {
            root,
            operation: format!("{} {template}", method.to_ascii_uppercase()),
            response: op["responses"].get(status.to_string()),
        })
    }

    /// The first extract (for `ErrorResponse`).
    pub fn root(&self) -> &Value {
        &self.docs[0]
    }
}
