//! Plain media types. Kibana publishes versioned media types such as
//! `application/json; Elastic-Api-Version=2023-10-31` (the client sends the version as a header
//! instead), and at least one key that names two types at once (`application/gzip; application/zip`).
//! This pass strips the version parameter and splits multi-type keys into one entry per type.
//! A JSON media type declared without a schema (Kibana does so for a body it takes as any JSON)
//! gets the empty schema, any JSON value: progenitor refuses a JSON body without one. An answer
//! of a binary type whose schema is an object is JSON mislabeled (Kibana's older bundles gave the
//! package-upload answer the request's `application/gzip` and `application/zip`; an object
//! describes JSON only, and Kibana answers JSON): it becomes `application/json`.

use super::{Change, contents_mut, for_each_operation, is_json_media, op_name};
use serde_json::{Map, Value};

/// Splits one media-type key into the plain types it stands for.
pub fn plain_types(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in key.split(';').map(str::trim) {
        // `a/b; Elastic-Api-Version=x` is one type and a parameter; `a/b; c/d` is two types.
        if part.contains('/') && !part.contains('=') {
            let plain = part.to_ascii_lowercase();
            if !out.contains(&plain) {
                out.push(plain);
            }
        }
    }
    out
}

/// A JSON media type without a schema: any JSON value.
fn any_json_without_schema(content: &mut Map<String, Value>, at: &str, changes: &mut Vec<Change>) {
    for (key, media) in content.iter_mut() {
        let json = is_json_media(key);
        if let Some(media) = media
            .as_object_mut()
            .filter(|m| json && !m.contains_key("schema"))
        {
            media.insert("schema".to_string(), Value::Object(Map::new()));
            changes.push(Change {
                pass: "media_types",
                at: at.to_string(),
                what: format!("{key} without a schema -> any JSON value"),
            });
        }
    }
}

fn normalize_content(content: &mut Map<String, Value>, at: &str, changes: &mut Vec<Change>) {
    normalize_keys(content, at, changes);
    any_json_without_schema(content, at, changes);
}

fn normalize_keys(content: &mut Map<String, Value>, at: &str, changes: &mut Vec<Change>) {
    if content.keys().all(|k| plain_types(k) == [k.clone()]) {
        return;
    }
    let old = std::mem::take(content);
    for (key, media) in old {
        let types = plain_types(&key);
        if types.is_empty() {
            changes.push(Change {
                pass: "media_types",
                at: at.to_string(),
                what: format!("dropped unparseable media type {key:?}"),
            });
            continue;
        }
        if types != [key.clone()] {
            changes.push(Change {
                pass: "media_types",
                at: at.to_string(),
                what: format!("{key:?} -> {}", types.join(", ")),
            });
        }
        for plain in types {
            // The first entry wins when two keys normalize to the same type.
            content.entry(plain).or_insert_with(|| media.clone());
        }
    }
}

/// Whether a media type holds bytes of its own (an archive, a file): not JSON, text, a form
/// or markup.
fn binary(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    !is_json_media(&key)
        && !key.contains("json")
        && !key.contains("xml")
        && !key.starts_with("text/")
        && !key.starts_with("multipart/")
        && key != "application/x-www-form-urlencoded"
}

/// An answer's binary entries whose schema is an object, as one `application/json` entry.
fn mislabeled_json(
    spec: &Value,
    content: &mut Map<String, Value>,
    at: &str,
    changes: &mut Vec<Change>,
) {
    let object = |media: &Value| {
        media.get("schema").is_some_and(|s| {
            let s = super::resolve(spec, s);
            s.get("type").and_then(Value::as_str) == Some("object") || s.get("properties").is_some()
        })
    };
    let mislabeled: Vec<String> = content
        .iter()
        .filter(|(k, m)| binary(k) && object(m))
        .map(|(k, _)| k.clone())
        .collect();
    for key in &mislabeled {
        if let Some(media) = content.remove(key) {
            content.entry("application/json").or_insert(media);
        }
    }
    if !mislabeled.is_empty() {
        changes.push(Change {
            pass: "media_types",
            at: at.to_string(),
            what: format!(
                "{} with an object schema -> application/json",
                mislabeled.join(", ")
            ),
        });
    }
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    let snapshot = spec.clone();
    let mut changes = Vec::new();
    for_each_operation(spec, |path, method, op| {
        let at = op_name(path, method, op);
        for (status, content) in contents_mut(op) {
            let at = match status {
                Some(status) => format!("{at} {status}"),
                None => at.clone(),
            };
            normalize_content(content, &at, &mut changes);
            if status.is_some() {
                mislabeled_json(&snapshot, content, &at, &mut changes);
            }
        }
    });
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};

    #[test]
    fn splits_and_strips() {
        assert_eq!(
            plain_types("application/json; Elastic-Api-Version=2023-10-31"),
            ["application/json"]
        );
        assert_eq!(
            plain_types("application/gzip; application/zip"),
            ["application/gzip", "application/zip"]
        );
        assert_eq!(plain_types("Application/JSON"), ["application/json"]);
        assert!(plain_types("garbage").is_empty());
    }

    #[test]
    fn a_json_body_without_a_schema_is_any_json() {
        let mut s = spec(
            r#"
paths:
  /p:
    post:
      requestBody:
        content:
          application/json: {}
      responses:
        '200':
          description: ok
          content:
            application/octet-stream: {}
"#,
        );
        let changes = run(&mut s);
        assert_eq!(changes.len(), 1);
        assert_eq!(
            at(
                &s,
                "/paths/~1p/post/requestBody/content/application~1json/schema"
            ),
            &serde_json::json!({})
        );
        assert!(
            at(
                &s,
                "/paths/~1p/post/responses/200/content/application~1octet-stream/schema"
            )
            .is_null()
        );
        assert!(run(&mut s).is_empty(), "idempotent");
    }

    #[test]
    fn rewrites_bodies_and_responses() {
        let mut s = spec(
            r#"
paths:
  /p:
    post:
      requestBody:
        content:
          "application/gzip; application/zip": {schema: {type: string, format: binary}}
      responses:
        '200':
          description: ok
          content:
            "application/json; Elastic-Api-Version=2023-10-31": {schema: {type: object}}
"#,
        );
        let changes = run(&mut s);
        assert_eq!(changes.len(), 2);
        assert_eq!(
            at(
                &s,
                "/paths/~1p/post/requestBody/content/application~1zip/schema/format"
            ),
            "binary"
        );
        assert_eq!(
            at(
                &s,
                "/paths/~1p/post/requestBody/content/application~1gzip/schema/format"
            ),
            "binary"
        );
        assert_eq!(
            at(
                &s,
                "/paths/~1p/post/responses/200/content/application~1json/schema/type"
            ),
            "object"
        );
        assert!(run(&mut s).is_empty(), "second run changes nothing");
    }

    #[test]
    fn binary_answers_of_an_object_schema_are_json() {
        let mut s = spec(
            r#"
paths:
  /api/fleet/epm/packages:
    post:
      requestBody:
        content:
          application/zip: {schema: {type: string, format: binary}}
      responses:
        '200':
          content:
            application/gzip: {schema: {$ref: '#/components/schemas/Installed'}}
            application/zip: {schema: {$ref: '#/components/schemas/Installed'}}
  /api/file:
    get:
      responses:
        '200':
          content:
            application/octet-stream: {schema: {type: string, format: binary}}
            application/x-ndjson: {schema: {type: object}}
components:
  schemas:
    Installed: {type: object, properties: {items: {type: array}}}
"#,
        );
        assert_eq!(run(&mut s).len(), 1);
        let answer = at(
            &s,
            "/paths/~1api~1fleet~1epm~1packages/post/responses/200/content",
        );
        assert_eq!(
            answer,
            &serde_json::json!({"application/json": {"schema": {"$ref": "#/components/schemas/Installed"}}})
        );
        assert!(
            at(
                &s,
                "/paths/~1api~1fleet~1epm~1packages/post/requestBody/content"
            )
            .get("application/zip")
            .is_some()
        );
        let file = at(&s, "/paths/~1api~1file/get/responses/200/content");
        assert_eq!(file.as_object().unwrap().len(), 2, "bytes and ndjson stay");
    }
}
