//! Examples of text answers written as JSON values. Kibana writes some newline-delimited
//! answers' examples as the object one line holds (the detection alerts' assignees answer,
//! `application/ndjson`). A mock server that serves examples (Prism, static mode) must turn the
//! example into the media type's text and fails with a 500 on an object. For the mock, such an
//! example becomes its text: for ndjson, one line per item of an array, or the value on one
//! line; for any other text type, the value's JSON. An example with no value (`value: null`, a
//! script download's) shows no text and is dropped; the mock then makes one of the schema.
//!
//! Only the spec served to such a mock is changed.

use super::{Change, contents_mut, for_each_operation, is_json_media as is_json, op_name};
use serde_json::Value;

fn is_ndjson(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    matches!(essence, "application/ndjson" | "application/x-ndjson")
}

/// The text a JSON value stands for as a body of `media_type`.
fn text_of(media_type: &str, value: &Value) -> String {
    match value {
        Value::Array(lines) if is_ndjson(media_type) => {
            lines.iter().map(|line| format!("{line}\n")).collect()
        }
        other if is_ndjson(media_type) => format!("{other}\n"),
        other => other.to_string(),
    }
}

/// Rewrites the non-text examples of one media entry; returns how many.
fn rewrite(media_type: &str, media: &mut Value) -> usize {
    let mut count = 0;
    if media.get("example") == Some(&Value::Null)
        && let Some(m) = media.as_object_mut()
    {
        m.remove("example");
        count += 1;
    }
    if let Some(examples) = media.get_mut("examples").and_then(Value::as_object_mut) {
        let before = examples.len();
        examples.retain(|_, e| e.get("value") != Some(&Value::Null));
        count += before - examples.len();
        if examples.is_empty()
            && let Some(m) = media.as_object_mut()
        {
            m.remove("examples");
        }
    }
    let mut fix = |example: &mut Value| {
        if !example.is_string() && !example.is_null() {
            *example = Value::String(text_of(media_type, example));
            count += 1;
        }
    };
    if let Some(example) = media.get_mut("example") {
        fix(example);
    }
    if let Some(examples) = media.get_mut("examples").and_then(Value::as_object_mut) {
        for example in examples.values_mut() {
            if let Some(value) = example.get_mut("value") {
                fix(value);
            }
        }
    }
    count
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    for_each_operation(spec, |path, method, op| {
        let at = op_name(path, method, op);
        for (status, content) in contents_mut(op) {
            // Request examples are the client's to send; only answers are served.
            let Some(status) = status else { continue };
            for (media_type, media) in content.iter_mut() {
                if is_json(media_type) {
                    continue;
                }
                let count = rewrite(media_type, media);
                if count > 0 {
                    changes.push(Change {
                        pass: "mock_text_examples",
                        at: format!("{at} {status}"),
                        what: format!(
                            "{count} {media_type} example(s) as their text or dropped, for the mock"
                        ),
                    });
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
    use serde_json::json;

    #[test]
    fn text_answers_get_their_examples_as_text() {
        let mut s = spec(
            r#"
paths:
  /a:
    post:
      responses:
        '200':
          description: ok
          content:
            application/ndjson:
              examples:
                one: {value: {updated: 1, failures: []}}
                many: {value: [{a: 1}, {b: 2}]}
                text: {value: "{\"a\":1}\n"}
            text/plain: {example: 42}
            application/octet-stream:
              examples: {none: {value: null}}
            application/json: {example: {kept: true}}
"#,
        );
        assert_eq!(run(&mut s).len(), 3);
        let content = at(&s, "/paths/~1a/post/responses/200/content");
        let examples = &content["application/ndjson"]["examples"];
        assert_eq!(
            examples["one"]["value"],
            "{\"updated\":1,\"failures\":[]}\n"
        );
        assert_eq!(examples["many"]["value"], "{\"a\":1}\n{\"b\":2}\n");
        assert_eq!(examples["text"]["value"], "{\"a\":1}\n");
        assert_eq!(content["text/plain"]["example"], "42");
        assert_eq!(content["application/octet-stream"], json!({}));
        assert_eq!(
            content["application/json"]["example"],
            json!({"kept": true})
        );
        assert!(run(&mut s).is_empty(), "once is enough");
    }
}
