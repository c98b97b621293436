//! `cargo xtask spec-diff OLD NEW`: what changed between two Kibana specs, as a client sees it.
//! Both specs go through the normalize passes first (so operation names, parameters and types
//! are the ones the generated client has), then operations, parameters, body and response
//! fields and enum values are compared. Each change is breaking (code written against OLD may
//! stop compiling or working) or compatible, and the whole is Markdown for a changelog.

use crate::normalize::{self, for_each_operation};
use crate::schema_walk::{Field, fields};
use serde_json::Value;
use std::collections::BTreeMap;

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Breaking for code written against the old spec.
    pub breaking: bool,
    /// `METHOD /path` (and the client method), or empty for a spec-wide change.
    pub operation: String,
    /// What changed, in a few words.
    pub what: String,
}

struct Op {
    label: String,
    params: BTreeMap<(String, String), (bool, String)>,
    body: BTreeMap<String, Field>,
    response: BTreeMap<String, Field>,
}

fn operations(spec: &Value) -> BTreeMap<(String, String), Op> {
    let mut normalized = spec.clone();
    normalize::run_all(&mut normalized);
    let mut scratch = normalized.clone();
    let mut out = BTreeMap::new();
    for_each_operation(&mut scratch, |path, method, op| {
        let mut params = BTreeMap::new();
        for p in op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(name), Some(place)) = (p["name"].as_str(), p["in"].as_str()) else {
                continue;
            };
            let ty = crate::schema_walk::type_of(&normalized, &p["schema"]);
            let required = p["required"].as_bool().unwrap_or(false);
            params.insert((place.to_string(), name.to_string()), (required, ty));
        }
        let types = op.get(normalize::TYPES);
        let of = |key: &str| {
            types
                .and_then(|t| t.get(key))
                .map(|s| fields(&normalized, s))
                .unwrap_or_default()
        };
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        out.insert(
            (path.to_string(), method.to_string()),
            Op {
                label: format!("{} {path} (`{id}`)", method.to_uppercase()),
                params,
                body: of("body"),
                response: of("response"),
            },
        );
    });
    out
}

/// The changes from `old` to `new`.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let (old_ops, new_ops) = (operations(old), operations(new));
    let mut out = Vec::new();
    let mut push = |breaking: bool, operation: &str, what: String| {
        out.push(Change {
            breaking,
            operation: operation.to_string(),
            what,
        });
    };
    for (key, op) in &old_ops {
        if !new_ops.contains_key(key) {
            push(true, &op.label, "operation removed".into());
        }
    }
    for (key, new) in &new_ops {
        let Some(old) = old_ops.get(key) else {
            push(false, &new.label, "operation added".into());
            continue;
        };
        let at = new.label.as_str();
        for ((place, name), (required, ty)) in &new.params {
            match old.params.get(&(place.clone(), name.clone())) {
                None => push(
                    *required,
                    at,
                    format!(
                        "{place} parameter `{name}` added{}",
                        if *required { ", required" } else { "" }
                    ),
                ),
                Some((was_required, was_ty)) => {
                    if *required && !was_required {
                        push(
                            true,
                            at,
                            format!("{place} parameter `{name}` made required"),
                        );
                    }
                    if ty != was_ty {
                        push(
                            true,
                            at,
                            format!("{place} parameter `{name}` retyped: {was_ty} -> {ty}"),
                        );
                    }
                }
            }
        }
        for (place, name) in old.params.keys() {
            if !new.params.contains_key(&(place.clone(), name.clone())) {
                push(true, at, format!("{place} parameter `{name}` removed"));
            }
        }
        compare_fields(&old.body, &new.body, "body", true, at, &mut push);
        compare_fields(
            &old.response,
            &new.response,
            "response",
            false,
            at,
            &mut push,
        );
    }
    out.sort();
    out
}

/// Fields of a body (`sent`) or a response: what breaks differs. A new required body field
/// breaks callers; a new response field does not; a removed response field does.
fn compare_fields(
    old: &BTreeMap<String, Field>,
    new: &BTreeMap<String, Field>,
    what: &str,
    sent: bool,
    at: &str,
    push: &mut impl FnMut(bool, &str, String),
) {
    for (path, f) in new {
        match old.get(path) {
            None => push(
                sent && f.required,
                at,
                format!(
                    "{what} field `{path}` added{}",
                    if f.required { " (required)" } else { "" }
                ),
            ),
            Some(was) => {
                if was.ty != f.ty {
                    push(
                        true,
                        at,
                        format!("{what} field `{path}` retyped: {} -> {}", was.ty, f.ty),
                    );
                }
                if sent && f.required && !was.required {
                    push(true, at, format!("{what} field `{path}` made required"));
                }
                let added: Vec<&String> = f
                    .values
                    .iter()
                    .filter(|v| !was.values.contains(v))
                    .collect();
                let removed: Vec<&String> = was
                    .values
                    .iter()
                    .filter(|v| !f.values.contains(v))
                    .collect();
                if !added.is_empty() {
                    push(
                        false,
                        at,
                        format!("{what} field `{path}`: enum values added: {}", list(&added)),
                    );
                }
                if !removed.is_empty() {
                    push(
                        true,
                        at,
                        format!(
                            "{what} field `{path}`: enum values removed: {}",
                            list(&removed)
                        ),
                    );
                }
            }
        }
    }
    for path in old.keys() {
        if !new.contains_key(path) {
            push(true, at, format!("{what} field `{path}` removed"));
        }
    }
}

fn list(values: &[&String]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The changes as Markdown: breaking first, then compatible, grouped by operation.
pub fn markdown(changes: &[Change], old_label: &str, new_label: &str) -> String {
    let mut out = format!("# API changes: {old_label} -> {new_label}\n\n");
    if changes.is_empty() {
        out.push_str("No change a client can see.\n");
        return out;
    }
    for (breaking, title) in [(true, "Breaking"), (false, "Compatible")] {
        let mut by_op: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for c in changes.iter().filter(|c| c.breaking == breaking) {
            by_op.entry(&c.operation).or_default().push(&c.what);
        }
        let n: usize = by_op.values().map(Vec::len).sum();
        out.push_str(&format!("## {title} ({n})\n\n"));
        if by_op.is_empty() {
            out.push_str("None.\n\n");
            continue;
        }
        for (op, whats) in by_op {
            out.push_str(&format!("- {op}\n"));
            for w in whats {
                out.push_str(&format!("  - {w}\n"));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(paths: &str, schemas: &str) -> Value {
        crate::spec::parse(&format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}\ncomponents:\n  schemas:\n{schemas}"
        ))
        .unwrap()
    }

    const OLD_PATHS: &str = r#"
  /api/things:
    get:
      operationId: find-things
      parameters:
        - {name: level, in: query, schema: {type: integer}}
        - {name: kuery, in: query, schema: {type: string}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Page'}}}}
    post:
      operationId: create-thing
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
  /api/old:
    delete:
      operationId: delete-old
      responses: {'204': {description: gone}}
"#;
    const OLD_SCHEMAS: &str = r#"
    Page: {type: object, properties: {total: {type: integer}, items: {type: array, items: {$ref: '#/components/schemas/Thing'}}}}
    Thing:
      type: object
      required: [name]
      properties:
        name: {type: string}
        size: {type: integer}
        color: {type: string, enum: [red, blue]}
        legacy: {type: string}
"#;

    #[test]
    fn every_kind_of_change_is_found_and_classified() {
        let old = spec(OLD_PATHS, OLD_SCHEMAS);
        let new_paths = OLD_PATHS
            .replace("        - {name: kuery, in: query, schema: {type: string}}\n", "        - {name: perPage, in: query, schema: {type: integer}}\n        - {name: space, in: query, required: true, schema: {type: string}}\n")
            .replace("        - {name: level, in: query, schema: {type: integer}}", "        - {name: level, in: query, schema: {type: string}}")
            .replace("  /api/old:\n    delete:\n      operationId: delete-old\n      responses: {'204': {description: gone}}\n", "  /api/new:\n    get:\n      operationId: get-new\n      responses: {'204': {description: ok}}\n");
        let new_schemas = OLD_SCHEMAS
            .replace("required: [name]", "required: [name, owner]")
            .replace("        legacy: {type: string}\n", "        owner: {type: string}\n        tags: {type: array, items: {type: string}}\n")
            .replace("size: {type: integer}", "size: {type: string}")
            .replace("enum: [red, blue]", "enum: [red, green]");
        let changes = diff(&old, &spec(&new_paths, &new_schemas));
        let has = |breaking: bool, op: &str, what: &str| {
            changes
                .iter()
                .any(|c| c.breaking == breaking && c.operation.contains(op) && c.what == what)
        };
        assert!(
            has(true, "DELETE /api/old", "operation removed"),
            "{changes:#?}"
        );
        assert!(
            has(false, "GET /api/new", "operation added"),
            "{changes:#?}"
        );
        assert!(
            has(false, "GET /api/things", "query parameter `perPage` added"),
            "{changes:#?}"
        );
        assert!(
            has(
                true,
                "GET /api/things",
                "query parameter `space` added, required"
            ),
            "{changes:#?}"
        );
        assert!(
            has(true, "GET /api/things", "query parameter `kuery` removed"),
            "{changes:#?}"
        );
        assert!(
            has(
                true,
                "GET /api/things",
                "query parameter `level` retyped: integer -> string"
            ),
            "{changes:#?}"
        );
        assert!(
            has(
                true,
                "POST /api/things",
                "body field `owner` added (required)"
            ),
            "{changes:#?}"
        );
        assert!(
            has(false, "POST /api/things", "body field `tags` added"),
            "{changes:#?}"
        );
        assert!(
            has(
                false,
                "POST /api/things",
                "response field `owner` added (required)"
            ),
            "{changes:#?}"
        );
        assert!(
            has(true, "POST /api/things", "response field `legacy` removed"),
            "{changes:#?}"
        );
        assert!(
            has(
                true,
                "POST /api/things",
                "body field `size` retyped: integer -> string"
            ),
            "{changes:#?}"
        );
        assert!(
            has(
                false,
                "POST /api/things",
                "response field `color`: enum values added: `green`"
            ),
            "{changes:#?}"
        );
        assert!(
            has(
                true,
                "POST /api/things",
                "response field `color`: enum values removed: `blue`"
            ),
            "{changes:#?}"
        );
        assert!(
            has(
                false,
                "GET /api/things",
                "response field `items[].owner` added (required)"
            ),
            "{changes:#?}"
        );
        let md = markdown(&changes, "old", "new");
        assert!(
            md.starts_with("# API changes: old -> new\n\n## Breaking ("),
            "{md}"
        );
        assert!(
            md.contains("\n- DELETE /api/old (`delete_old`)\n  - operation removed\n"),
            "{md}"
        );
        assert!(md.contains("## Compatible ("), "{md}");
        assert!(diff(&old, &old).is_empty());
        assert!(markdown(&[], "a", "b").contains("No change a client can see."));
    }

    #[test]
    fn set_required_optional_and_making_a_parameter_required() {
        let old = spec(
            "  /a:\n    get:\n      operationId: a\n      parameters: [{name: q, in: query, schema: {type: string}}]\n      responses: {'204': {description: ok}}\n",
            "    X: {type: string}\n",
        );
        let new = spec(
            "  /a:\n    get:\n      operationId: a\n      parameters: [{name: q, in: query, required: true, schema: {type: string}}]\n      responses: {'204': {description: ok}}\n",
            "    X: {type: string}\n",
        );
        let changes = diff(&old, &new);
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert!(changes[0].breaking && changes[0].what == "query parameter `q` made required");
    }
}
