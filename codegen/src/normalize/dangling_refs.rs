//! `$ref`s that point nowhere (a missing component, or a file outside the spec). One dangling
//! reference would make typify reject every schema of the domain, so each is replaced: a
//! parameter is dropped, a request body removed, and a schema becomes "any JSON value"
//! (`serde_json::Value`). Each replacement is reported.

use super::{Change, METHODS};
use serde_json::{Value, json};

fn resolves(spec: &Value, reference: &str) -> bool {
    reference
        .strip_prefix('#')
        .is_some_and(|pointer| spec.pointer(pointer).is_some())
}

fn is_dangling(spec: &Value, value: &Value) -> Option<String> {
    let reference = value.get("$ref")?.as_str()?;
    (!resolves(spec, reference)).then(|| reference.to_string())
}

fn repair(spec: &Value, value: &mut Value, at: &str, changes: &mut Vec<Change>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(params)) = map.get_mut("parameters") {
                params.retain(|p| match is_dangling(spec, p) {
                    Some(r) => {
                        changes.push(change(
                            at,
                            format!("dropped parameter {r}: no such component"),
                        ));
                        false
                    }
                    None => true,
                });
            }
            if let Some(r) = map.get("requestBody").and_then(|b| is_dangling(spec, b)) {
                map.remove("requestBody");
                changes.push(change(
                    at,
                    format!("dropped request body {r}: no such component"),
                ));
            }
            for (key, child) in map.iter_mut() {
                if key == "example" || key == "examples" {
                    continue;
                }
                let here = if METHODS.contains(&key.as_str()) || key.starts_with('/') {
                    format!("{at} {key}")
                } else {
                    at.to_string()
                };
                if let Some(r) = is_dangling(spec, child) {
                    changes.push(change(
                        &here,
                        format!("{key}: {r} does not resolve; now any JSON value"),
                    ));
                    *child = json!({"description": format!("Unresolvable reference {r} in the source spec.")});
                    continue;
                }
                repair(spec, child, &here, changes);
            }
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                if let Some(r) = is_dangling(spec, item) {
                    changes.push(change(
                        at,
                        format!("{r} does not resolve; now any JSON value"),
                    ));
                    *item = json!({"description": format!("Unresolvable reference {r} in the source spec.")});
                    continue;
                }
                repair(spec, item, at, changes);
            }
        }
        _ => {}
    }
}

fn change(at: &str, what: String) -> Change {
    Change {
        pass: "dangling_refs",
        at: at.trim().to_string(),
        what,
    }
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    let snapshot = spec.clone();
    let mut changes = Vec::new();
    // Refs are checked against the spec as it was, so repairs do not cascade.
    if let Value::Object(root) = spec {
        let mut tmp = Value::Object(std::mem::take(root));
        repair(&snapshot, &mut tmp, "", &mut changes);
        if let Value::Object(map) = tmp {
            *root = map;
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};

    #[test]
    fn replaces_missing_targets() {
        let mut s = spec(
            r##"
paths:
  /x:
    post:
      parameters: [{$ref: '#/components/parameters/Nope'}, {name: q, in: query, schema: {type: string}}]
      requestBody: {$ref: '#/components/requestBodies/Nope'}
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Missing'}}}
components:
  schemas:
    Ok: {type: object, properties: {a: {$ref: './other.yaml#/X'}, b: {$ref: '#/components/schemas/Ok'}}}
"##,
        );
        let changes = run(&mut s);
        assert_eq!(changes.len(), 4, "{changes:#?}");
        assert_eq!(
            at(&s, "/paths/~1x/post/parameters")
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert!(at(&s, "/paths/~1x/post/requestBody").is_null());
        assert!(
            at(
                &s,
                "/paths/~1x/post/responses/200/content/application~1json/schema/$ref"
            )
            .is_null()
        );
        assert!(at(&s, "/components/schemas/Ok/properties/a/$ref").is_null());
        assert_eq!(
            at(&s, "/components/schemas/Ok/properties/b/$ref"),
            "#/components/schemas/Ok"
        );
        assert!(run(&mut s).is_empty());
    }
}
