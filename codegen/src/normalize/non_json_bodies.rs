//! Makes non-JSON bodies generatable. progenitor types JSON and form bodies only: multipart is an
//! error, two media types on one body panic, and any other type must be a bare binary string.
//!
//! - A request body with a JSON (or form) entry keeps only that entry.
//! - Any other request body (zip/gzip archives, multipart, ndjson, text) becomes one raw
//!   `application/octet-stream` body; the media types Kibana accepts are kept in
//!   `x-kbn-content-types`, so the client layer can send the right `Content-Type`.
//! - A response with a JSON entry keeps only that entry. Otherwise the response stays raw (a byte
//!   stream); for ndjson (`application/x-ndjson` or `application/ndjson`) the schema of one line
//!   is kept in `x-kbn-ndjson-item`. Kibana declares some exports as one binary string: their
//!   lines are free-form objects, still read line by line.

use super::{Change, for_each_operation, is_json_media as is_json, op_name};
use serde_json::{Map, Value, json};

pub const CONTENT_TYPES: &str = "x-kbn-content-types";
pub const NDJSON_ITEM: &str = "x-kbn-ndjson-item";
/// The media types Kibana writes ndjson as.
pub const NDJSON_MEDIA: [&str; 2] = ["application/x-ndjson", "application/ndjson"];
/// For a `multipart/form-data` body: the form field that carries the file (the raw body).
pub const MULTIPART_FILE: &str = "x-kbn-multipart-file";
/// Set on a multipart body of several fields, typed as a JSON object of them.
pub const MULTIPART_FIELDS: &str = "x-kbn-multipart-fields";

/// The field of a multipart schema that holds the file: the first binary string property, else
/// one named `file` (Kibana's main spec types the saved-objects import file as `type: object`),
/// else the first.
fn file_field(content: &Map<String, Value>) -> Option<String> {
    form_file(
        content
            .get("multipart/form-data")?
            .pointer("/schema/properties")?
            .as_object()?,
    )
}

/// [`file_field`] of a form's properties.
pub(super) fn form_file(props: &Map<String, Value>) -> Option<String> {
    props
        .iter()
        .find(|(_, p)| p.get("format").and_then(Value::as_str) == Some("binary"))
        .or_else(|| props.iter().find(|(k, _)| *k == "file"))
        .or_else(|| props.iter().next())
        .map(|(k, _)| k.clone())
}

fn rewrite_request(body: &mut Map<String, Value>, at: &str, changes: &mut Vec<Change>) {
    let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) else {
        return;
    };
    if content.is_empty() {
        return;
    }
    let keep = content
        .keys()
        .find(|k| is_json(k))
        .or_else(|| {
            content
                .keys()
                .find(|k| *k == "application/x-www-form-urlencoded")
        })
        .cloned();
    if let Some(keep) = keep {
        if content.len() > 1 {
            let dropped: Vec<String> = content.keys().filter(|k| **k != keep).cloned().collect();
            content.retain(|k, _| *k == keep);
            changes.push(Change {
                pass: "non_json_bodies",
                at: at.to_string(),
                what: format!("request body: kept {keep}, dropped {}", dropped.join(", ")),
            });
        }
        return;
    }
    let types: Vec<String> = content.keys().cloned().collect();
    let already_raw = types == ["application/octet-stream"]
        && content["application/octet-stream"].get("schema")
            == Some(&json!({"type": "string", "format": "binary"}));
    if already_raw {
        return;
    }
    let multipart = types
        .iter()
        .any(|t| t == "multipart/form-data")
        .then(|| file_field(content).unwrap_or_else(|| "file".to_string()));
    // A form of several fields (a file and its settings) is a JSON object of those fields, the
    // file's text among them, that the client layer sends as the form.
    let fields = content
        .get("multipart/form-data")
        .and_then(|m| m.pointer("/schema/properties"))
        .and_then(Value::as_object)
        .filter(|props| props.len() > 1)
        .cloned();
    if let (Some(field), Some(props)) = (&multipart, fields) {
        let mut schema = content["multipart/form-data"]["schema"].clone();
        let as_text: Map<String, Value> = props
            .into_iter()
            .map(|(k, mut p)| {
                let binary = p.get("format").and_then(Value::as_str) == Some("binary");
                if binary || k == *field {
                    p = json!({"type": "string", "description": "The file's content (text)."});
                }
                (k, p)
            })
            .collect();
        schema["properties"] = Value::Object(as_text);
        let mut media = json!({"schema": schema});
        if let Some(examples) = content["multipart/form-data"].get("examples") {
            media["examples"] = examples.clone();
        }
        *content = Map::new();
        content.insert("application/json".to_string(), media);
        body.insert(CONTENT_TYPES.to_string(), json!(types));
        body.insert(MULTIPART_FILE.to_string(), json!(field));
        body.insert(MULTIPART_FIELDS.to_string(), json!(true));
        changes.push(Change {
            pass: "non_json_bodies",
            at: at.to_string(),
            what: "a multipart form of several fields: a JSON object of them, sent as the form"
                .to_string(),
        });
        return;
    }
    *content = Map::new();
    content.insert(
        "application/octet-stream".to_string(),
        json!({"schema": {"type": "string", "format": "binary"}}),
    );
    body.insert(CONTENT_TYPES.to_string(), json!(types));
    if let Some(field) = multipart {
        body.insert(MULTIPART_FILE.to_string(), json!(field));
    }
    changes.push(Change {
        pass: "non_json_bodies",
        at: at.to_string(),
        what: format!("request body {} sent as a raw byte body", types.join(", ")),
    });
}

fn rewrite_response(response: &mut Map<String, Value>, at: &str, changes: &mut Vec<Change>) {
    let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else {
        return;
    };
    if let Some(keep) = content.keys().find(|k| is_json(k)).cloned() {
        if content.len() > 1 {
            content.retain(|k, _| *k == keep);
            changes.push(Change {
                pass: "non_json_bodies",
                at: at.to_string(),
                what: format!("response: kept {keep} only"),
            });
        }
        return;
    }
    let media = NDJSON_MEDIA.iter().find(|m| content.contains_key(**m));
    if let Some(ndjson) = media
        .and_then(|m| content.get_mut(*m))
        .and_then(Value::as_object_mut)
        && let Some(schema) = ndjson.remove("schema")
    {
        let whole_file = schema.get("type") == Some(&json!("string"));
        let item = if whole_file {
            json!({"type": "object", "description": "One line of the export.", "additionalProperties": true})
        } else {
            schema
        };
        ndjson.insert(NDJSON_ITEM.to_string(), item);
        changes.push(Change {
            pass: "non_json_bodies",
            at: at.to_string(),
            what: "ndjson response is a byte stream; line schema kept in x-kbn-ndjson-item"
                .to_string(),
        });
    }
}

/// A form schema written as an `allOf` (Kibana's upload action: the shared action fields and
/// the upload's own) as one object of all its fields; a later member's field wins, being the
/// narrower.
pub(super) fn flattened(spec: &Value, schema: &Value) -> Value {
    let Some(members) = schema.get("allOf").and_then(Value::as_array) else {
        return schema.clone();
    };
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    for member in members {
        let member = flattened(spec, super::resolve(spec, member));
        if let Some(p) = member.get("properties").and_then(Value::as_object) {
            properties.extend(p.clone());
        }
        for r in member
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !required.contains(r) {
                required.push(r.clone());
            }
        }
    }
    let mut out = json!({"type": "object", "properties": properties});
    if !required.is_empty() {
        out["required"] = Value::Array(required);
    }
    if let Some(d) = schema.get("description") {
        out["description"] = d.clone();
    }
    out
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    let snapshot = spec.clone();
    let mut changes = Vec::new();
    for_each_operation(spec, |path, method, op| {
        let at = op_name(path, method, op);
        // A form's fields are read from its schema, which may be a component.
        if let Some(schema) = op
            .get_mut("requestBody")
            .and_then(|b| b.pointer_mut("/content/multipart~1form-data/schema"))
        {
            *schema = flattened(&snapshot, super::resolve(&snapshot, schema));
        }
        if let Some(body) = op.get_mut("requestBody").and_then(Value::as_object_mut) {
            rewrite_request(body, &at, &mut changes);
        }
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            for (status, response) in responses.iter_mut() {
                if let Some(response) = response.as_object_mut() {
                    rewrite_response(response, &format!("{at} {status}"), &mut changes);
                }
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
    fn archives_and_multipart_become_raw_bodies() {
        let mut s = spec(
            r#"
paths:
  /upload:
    post:
      requestBody:
        content:
          application/gzip: {schema: {type: string, format: binary}}
          application/zip: {schema: {type: string, format: binary}}
  /import:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema: {type: object, properties: {file: {type: string, format: binary}}}
"#,
        );
        assert_eq!(run(&mut s).len(), 2);
        let body = at(&s, "/paths/~1upload/post/requestBody");
        assert_eq!(
            body["x-kbn-content-types"],
            json!(["application/gzip", "application/zip"])
        );
        assert_eq!(
            body["content"]["application/octet-stream"]["schema"]["format"],
            "binary"
        );
        let body = at(&s, "/paths/~1import/post/requestBody");
        assert_eq!(body["x-kbn-content-types"], json!(["multipart/form-data"]));
        assert!(run(&mut s).is_empty(), "idempotent");
    }

    #[test]
    fn a_form_written_as_all_of_is_a_form_of_all_its_fields() {
        let mut s = spec(
            r#"
paths:
  /upload:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema: {$ref: '#/components/schemas/Upload'}
components:
  schemas:
    Shared:
      type: object
      properties: {ids: {type: array, items: {type: string}}, parameters: {type: object}}
      required: [ids]
    Upload:
      allOf:
        - $ref: '#/components/schemas/Shared'
        - type: object
          properties:
            file: {type: string, format: binary}
            parameters: {type: object, properties: {overwrite: {type: boolean}}}
          required: [file]
"#,
        );
        assert_eq!(run(&mut s).len(), 1);
        let body = at(&s, "/paths/~1upload/post/requestBody");
        assert_eq!(body[MULTIPART_FILE], "file");
        assert_eq!(body[MULTIPART_FIELDS], true);
        let schema = &body["content"]["application/json"]["schema"];
        assert_eq!(schema["required"], json!(["ids", "file"]));
        assert_eq!(
            schema["properties"]["parameters"]["properties"]["overwrite"]["type"],
            "boolean"
        );
    }

    #[test]
    fn a_form_file_typed_as_an_object_is_its_text() {
        let mut s = spec(
            r#"
paths:
  /_resolve_import_errors:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              additionalProperties: false
              properties:
                retries: {type: array, items: {type: object}}
                file: {type: object}
              required: [file, retries]
"#,
        );
        assert_eq!(run(&mut s).len(), 1);
        let body = at(&s, "/paths/~1_resolve_import_errors/post/requestBody");
        assert_eq!(body[MULTIPART_FILE], "file");
        let props = &body["content"]["application/json"]["schema"]["properties"];
        assert_eq!(props["file"]["type"], "string");
        assert_eq!(props["retries"]["type"], "array");
    }

    #[test]
    fn json_wins_and_ndjson_keeps_its_line_schema() {
        let mut s = spec(
            r#"
paths:
  /x:
    post:
      requestBody:
        content:
          application/json: {schema: {type: object}}
          text/plain: {schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/x-ndjson: {schema: {type: object, additionalProperties: true}}
"#,
        );
        assert_eq!(run(&mut s).len(), 2);
        assert!(at(&s, "/paths/~1x/post/requestBody/content/text~1plain").is_null());
        let nd = at(
            &s,
            "/paths/~1x/post/responses/200/content/application~1x-ndjson",
        );
        assert!(nd.get("schema").is_none());
        assert_eq!(nd[NDJSON_ITEM]["type"], "object");
    }

    #[test]
    fn an_export_declared_as_one_binary_string_reads_as_free_form_lines() {
        let mut s = spec(
            r#"
paths:
  /export:
    post:
      responses:
        '200':
          description: ok
          content:
            application/ndjson: {schema: {type: string, format: binary}}
"#,
        );
        assert_eq!(run(&mut s).len(), 1);
        let nd = at(
            &s,
            "/paths/~1export/post/responses/200/content/application~1ndjson",
        );
        assert_eq!(nd[NDJSON_ITEM]["type"], "object");
        assert_eq!(nd[NDJSON_ITEM]["additionalProperties"], true);
    }
}
