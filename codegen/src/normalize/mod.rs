//! Normalize passes: each repairs one class of Kibana spec defect that would stop progenitor or give
//! users a wrong client. A pass is a pure `fn(&mut Value) -> Vec<Change>` over the spec as JSON
//! (JSON, not `openapiv3` types, so that a pass can repair documents `openapiv3` would reject).

use serde_json::{Map, Value};
use std::fmt;

mod absent_properties;
mod api_versions;
mod closed_intersections;
mod dangling_refs;
mod empty_bodies;
mod enum_names;
mod error_responses;
mod inline_components;
mod inline_schemas;
mod inline_titles;
mod integer_counters;
mod media_types;
mod mock_examples;
mod mock_form_files;
mod mock_generation;
mod mock_responses;
mod mock_security;
mod mock_text_examples;
mod mock_unions;
mod no_content_bodies;
mod non_json_bodies;
mod null_members;
mod nullable_required;
mod open_objects;
mod openapi_31;
mod operation_ids;
mod path_params;
mod query_params;
mod ref_cycles;
mod response_additional_properties;
mod response_descriptions;
mod schema_repairs;
mod server_paths;
mod space_paths;
mod string_formats;
mod success_responses;
mod union_repairs;
mod xsrf_headers;

pub use api_versions::API_VERSION;
pub use error_responses::ERROR_SCHEMA;
pub use inline_schemas::TYPES;
pub use non_json_bodies::{MULTIPART_FIELDS, MULTIPART_FILE};
pub use operation_ids::ORIGINAL_ID;

/// One thing a pass changed, for the regenerate report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub pass: &'static str,
    /// Where: `METHOD /path` or a JSON pointer.
    pub at: String,
    pub what: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}: {}", self.pass, self.at, self.what)
    }
}

pub type Pass = fn(&mut Value) -> Vec<Change>;

/// The passes, in the order they run. Order matters: later passes see inlined parameters and plain
/// media types, and the hoisting pass runs after every pass that rewrites operation schemas.
pub const PASSES: &[(&str, Pass)] = &[
    // First: every later pass reads 3.0 schemas.
    ("openapi_31", openapi_31::run),
    // Before any pass reads unions: a null member is `nullable`.
    ("null_members", null_members::run),
    ("absent_properties", absent_properties::run),
    ("closed_intersections", closed_intersections::run),
    // Then: every later pass may follow references.
    // Before the document is read as OpenAPI 3.0, which requires them.
    ("response_descriptions", response_descriptions::run),
    ("ref_cycles", ref_cycles::run),
    ("inline_components", inline_components::run),
    ("inline_titles", inline_titles::run),
    ("server_paths", server_paths::run),
    ("space_paths", space_paths::run),
    ("path_params", path_params::run),
    // Before media types lose their versions and the version header parameter goes.
    ("api_versions", api_versions::run),
    ("media_types", media_types::run),
    ("xsrf_headers", xsrf_headers::run),
    ("operation_ids", operation_ids::run),
    ("query_params", query_params::run),
    ("integer_counters", integer_counters::run),
    ("non_json_bodies", non_json_bodies::run),
    ("empty_bodies", empty_bodies::run),
    ("error_responses", error_responses::run),
    // Before one success type is chosen: a body HTTP never delivers is no success type.
    ("no_content_bodies", no_content_bodies::run),
    ("success_responses", success_responses::run),
    ("schema_repairs", schema_repairs::run),
    ("string_formats", string_formats::run),
    ("enum_names", enum_names::run),
    ("union_repairs", union_repairs::run),
    ("open_objects", open_objects::run),
    ("nullable_required", nullable_required::run),
    ("dangling_refs", dangling_refs::run),
    ("inline_schemas", inline_schemas::run),
    (
        "response_additional_properties",
        response_additional_properties::run,
    ),
];

/// The passes that change what the client sends and reads against the spec as Kibana writes
/// it (paths without the space prefix, plain media types, query values progenitor can send, nullable fields that
/// may be left out, whole-number counters, intersections a value can fit), for an independent mock server that must accept
/// what the client sends and answer what it reads. The rest of the spec stays as Kibana
/// publishes it.
pub fn narrow_types(spec: &mut Value) -> Vec<Change> {
    let mut changes = inline_components::run(spec);
    for pass in [
        server_paths::run,
        space_paths::run,
        path_params::run,
        // Prism answers with the bodies of the version the client sends and decodes.
        api_versions::run,
        // A key naming two types (`application/gzip; application/zip`) crashed Prism's
        // content-type parser, which stopped every later request.
        media_types::run,
        query_params::run,
        // The mock answers a body with the status the client reads it under.
        no_content_bodies::run,
        nullable_required::run,
        integer_counters::run,
        // A schema no value fits (Kibana's intersections of closed objects) leaves nothing a
        // client could send; both read the repaired schema, which takes more.
        absent_properties::run,
        closed_intersections::run,
    ] {
        changes.extend(pass(spec));
    }
    changes
}

/// The spec an independent mock server (Prism) serves: [`narrow_types`], the limits its
/// generator can fill (see `mock_generation`), and the client's API key among the credentials
/// it takes (see `mock_security`), text answers' examples as text (see `mock_text_examples`),
/// and unions no value satisfies loosened (see `mock_unions`).
pub fn for_mock_server(spec: &mut Value) -> Vec<Change> {
    let mut changes = narrow_types(spec);
    changes.extend(mock_generation::run(spec));
    changes.extend(mock_form_files::run(spec));
    changes.extend(mock_responses::run(spec));
    changes.extend(mock_security::run(spec));
    changes.extend(mock_text_examples::run(spec));
    changes.extend(mock_unions::run(spec));
    changes.extend(mock_examples::run(spec));
    changes
}

/// Runs every pass in order and returns all changes.
pub fn run_all(spec: &mut Value) -> Vec<Change> {
    PASSES.iter().flat_map(|(_, pass)| pass(spec)).collect()
}

pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// `schema` with its local `$ref`s followed (a dangling one is `null`).
pub fn resolve<'a>(spec: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                schema = spec
                    .pointer(r.trim_start_matches('#'))
                    .unwrap_or(&Value::Null)
            }
            None => break,
        }
    }
    schema
}

/// Calls `f(pointer, object)` for every JSON object of `value` (each schema, wherever it sits),
/// parents before children, skipping `example`/`examples` (data, not schemas).
pub fn for_each_object(value: &mut Value, f: &mut impl FnMut(&str, &mut Map<String, Value>)) {
    fn go(value: &mut Value, at: &mut String, f: &mut impl FnMut(&str, &mut Map<String, Value>)) {
        match value {
            Value::Object(map) => {
                f(at, map);
                for (key, child) in map.iter_mut() {
                    if key != "example" && key != "examples" {
                        let len = at.len();
                        at.push('/');
                        at.push_str(key);
                        go(child, at, f);
                        at.truncate(len);
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    let len = at.len();
                    at.push_str(&format!("/{i}"));
                    go(item, at, f);
                    at.truncate(len);
                }
            }
            _ => {}
        }
    }
    go(value, &mut String::new(), f);
}

/// Calls `f(path, method, operation)` for every operation of the spec, in document order.
pub fn for_each_operation(
    spec: &mut Value,
    mut f: impl FnMut(&str, &str, &mut Map<String, Value>),
) {
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            if let Some(op) = op.as_object_mut() {
                f(path, method, op);
            }
        }
    }
}

/// Each content map of an operation, with the response status it belongs to (`None`: the
/// request body's).
pub fn contents_mut(op: &mut Map<String, Value>) -> Vec<(Option<&str>, &mut Map<String, Value>)> {
    fn content(v: &mut Value) -> Option<&mut Map<String, Value>> {
        v.get_mut("content").and_then(Value::as_object_mut)
    }
    let mut out = Vec::new();
    for (key, value) in op.iter_mut() {
        match key.as_str() {
            "requestBody" => out.extend(content(value).map(|c| (None, c))),
            "responses" => {
                for (status, response) in value.as_object_mut().into_iter().flatten() {
                    out.extend(content(response).map(|c| (Some(status.as_str()), c)));
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether a media type's body is JSON: `application/json` or `application/*+json`, with any
/// parameters (`; Elastic-Api-Version=1`) and in any case.
pub fn is_json_media(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// `METHOD /path`, the way changes and the manifest name an operation.
pub fn op_label(path: &str, method: &str) -> String {
    format!("{} {}", method.to_uppercase(), path)
}

/// The operation's id, or its label when it has none yet.
pub fn op_name(path: &str, method: &str, op: &Map<String, Value>) -> String {
    op.get("operationId")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| op_label(path, method))
}

/// The component schemas object, created if absent.
pub fn component_schemas(spec: &mut Value) -> &mut Map<String, Value> {
    if !spec.is_object() {
        *spec = Value::Object(Map::new());
    }
    let root = spec.as_object_mut().expect("made an object above");
    let components = root
        .entry("components")
        .or_insert_with(|| Value::Object(Map::new()));
    if !components.is_object() {
        *components = Value::Object(Map::new());
    }
    let schemas = components
        .as_object_mut()
        .expect("made an object above")
        .entry("schemas")
        .or_insert_with(|| Value::Object(Map::new()));
    if !schemas.is_object() {
        *schemas = Value::Object(Map::new());
    }
    schemas.as_object_mut().expect("made an object above")
}

/// Name of the component schema a `$ref` points at, if it is a local schema reference.
pub fn schema_ref_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}

/// Visits every JSON object in `value`, depth first, parents before children.
pub fn walk_objects_mut(value: &mut Value, f: &mut impl FnMut(&mut Map<String, Value>)) {
    match value {
        Value::Object(map) => {
            f(map);
            for (key, child) in map.iter_mut() {
                // Examples are data, not schema: never rewrite them.
                if key == "example" || key == "examples" {
                    continue;
                }
                walk_objects_mut(child, f);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| walk_objects_mut(item, f)),
        _ => {}
    }
}

/// Is this status key an error response (4xx, 5xx, or a 4XX/5XX range)?
pub fn is_error_status(status: &str) -> bool {
    matches!(status.as_bytes().first(), Some(b'4' | b'5'))
}

/// Is this status key a success response (2xx or 2XX)?
pub fn is_success_status(status: &str) -> bool {
    status.as_bytes().first() == Some(&b'2')
}

/// Every `$ref` string under `value` (examples excluded).
pub fn refs_in(value: &Value) -> Vec<String> {
    fn go(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    match (key.as_str(), child) {
                        ("$ref", Value::String(r)) => out.push(r.clone()),
                        ("example" | "examples", _) => {}
                        _ => go(child, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| go(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    go(value, &mut out);
    out
}

/// Component schema names reachable from `roots` through `$ref`s, the roots' own refs included.
pub fn reachable_schemas<'a>(
    spec: &Value,
    roots: impl IntoIterator<Item = &'a Value>,
) -> std::collections::BTreeSet<String> {
    let schemas = spec.pointer("/components/schemas");
    let mut seen = std::collections::BTreeSet::new();
    let mut queue: Vec<String> = roots.into_iter().flat_map(refs_in).collect();
    while let Some(reference) = queue.pop() {
        let Some(name) = schema_ref_name(&reference) else {
            continue;
        };
        if !seen.insert(name.to_string()) {
            continue;
        }
        if let Some(schema) = schemas.and_then(|s| s.get(name)) {
            queue.extend(refs_in(schema));
        }
    }
    seen
}

#[cfg(test)]
pub(crate) mod test_support {
    use serde_json::Value;

    /// Parses a small inline YAML spec for a pass's unit tests.
    pub fn spec(yaml: &str) -> Value {
        serde_yaml::from_str(yaml).expect("test spec is valid YAML")
    }

    pub fn at<'a>(spec: &'a Value, pointer: &str) -> &'a Value {
        spec.pointer(pointer).unwrap_or(&Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_media_types_with_parameters_and_in_any_case() {
        for json in [
            "application/json",
            "application/json; Elastic-Api-Version=1",
            "Application/JSON",
            "application/problem+json",
            "application/vnd.kibana+json; charset=utf-8",
        ] {
            assert!(is_json_media(json), "{json}");
        }
        for other in [
            "application/ndjson",
            "application/x-ndjson",
            "text/plain",
            "text/x+json",
            "multipart/form-data",
            "",
        ] {
            assert!(!is_json_media(other), "{other}");
        }
    }

    #[test]
    fn contents_are_the_request_body_then_each_response_with_its_status() {
        let mut op: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "requestBody": {"content": {"application/json": {}}},
            "responses": {
                "200": {"content": {"text/plain": {}}},
                "204": {"description": "none"},
                "400": {"content": {"application/json": {}}}
            }
        }))
        .unwrap();
        let seen: Vec<(Option<String>, Vec<String>)> = contents_mut(&mut op)
            .into_iter()
            .map(|(status, c)| (status.map(str::to_string), c.keys().cloned().collect()))
            .collect();
        assert_eq!(
            seen,
            [
                (None, vec!["application/json".to_string()]),
                (Some("200".into()), vec!["text/plain".into()]),
                (Some("400".into()), vec!["application/json".into()]),
            ]
        );
    }
}
