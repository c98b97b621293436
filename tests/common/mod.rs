//! Shared helpers of the integration tests: the generated manifest and domain specs, JSON
//! equivalence, and a schema-guided walk over example JSON.
#![allow(dead_code)]

use serde_json::{Map, Value};
use std::path::PathBuf;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(rel: &str) -> Value {
    let text =
        std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {rel}: {e}"))
}

/// `generated/operations.json`.
pub fn manifest() -> Value {
    read_json("generated/operations.json")
}

/// `generated/openapi.json`: the normalized spec of each domain.
pub fn domain_specs() -> Map<String, Value> {
    match read_json("generated/openapi.json") {
        Value::Object(m) => m,
        other => panic!("openapi.json is not an object: {other}"),
    }
}

/// The manifest entry of `METHOD path`.
pub fn operation<'a>(manifest: &'a Value, method: &str, path: &str) -> &'a Value {
    manifest["operations"]
        .as_array()
        .and_then(|ops| {
            ops.iter()
                .find(|o| o["method"] == method && o["path"] == path)
        })
        .unwrap_or_else(|| panic!("{method} {path} is not in generated/operations.json"))
}

/// Where an example sits in an operation, and the type it must decode into.
#[derive(Debug, Clone)]
pub struct Example {
    pub domain: String,
    pub operation: String,
    pub location: String,
    pub type_name: String,
    /// The schema of the example (a `$ref` into the domain's components).
    pub schema: Value,
    pub value: Value,
}

/// Whether an example contradicts its own schema (a field of the wrong JSON type, a required one
/// missing): such an example must fail to decode, naming where.
pub fn contradicts(specs: &Map<String, Value>, e: &Example) -> bool {
    let judge = if e.location.starts_with("request body") {
        kibana_serverless_mock::schema::body_problem
    } else {
        kibana_serverless_mock::schema::answer_problem
    };
    judge(&specs[&e.domain], &e.schema, &e.value, "example").is_some()
}

/// Every example of every generated operation, with the type it decodes into.
pub fn examples() -> Vec<Example> {
    let manifest = manifest();
    let specs = domain_specs();
    let mut out = Vec::new();
    for (domain, spec) in &specs {
        for (path, item) in spec["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                let entry = operation(&manifest, &method.to_uppercase(), path);
                let label = format!("{} {path}", method.to_uppercase());
                let mut push = |location: String, type_key: &str, media: &Value, schema: Value| {
                    let Some(examples) = media.get("examples").and_then(Value::as_object) else {
                        return;
                    };
                    let type_name = entry[type_key]
                        .as_str()
                        .unwrap_or_else(|| panic!("{label}: no {type_key} in the manifest"))
                        .to_string();
                    for (name, example) in examples {
                        out.push(Example {
                            domain: domain.clone(),
                            operation: label.clone(),
                            location: format!("{location} example {name}"),
                            type_name: type_name.clone(),
                            schema: schema.clone(),
                            value: example["value"].clone(),
                        });
                    }
                };
                if let Some(media) = op.pointer("/requestBody/content/application~1json") {
                    push(
                        "request body".into(),
                        "body_type",
                        media,
                        media["schema"].clone(),
                    );
                }
                for (status, response) in op["responses"].as_object().expect("responses") {
                    let Some(content) = response.get("content").and_then(Value::as_object) else {
                        continue;
                    };
                    for (media_type, media) in content {
                        let success = status.starts_with('2');
                        let (key, schema) = match (success, media_type.as_str()) {
                            (true, "application/x-ndjson" | "application/ndjson") => {
                                ("ndjson_item_type", media["x-kbn-ndjson-item"].clone())
                            }
                            // A file or text answer is a byte stream, typed by nothing.
                            (true, m) if !m.contains("json") => continue,
                            (true, _) => ("response_type", media["schema"].clone()),
                            (false, _) => ("error_type", media["schema"].clone()),
                        };
                        push(format!("{status} {media_type}"), key, media, schema);
                    }
                }
            }
        }
    }
    out
}

/// Decodes `value` as `type_name` of `domain` and encodes it back.
pub fn roundtrip(domain: &str, type_name: &str, value: &Value) -> Result<Value, String> {
    let bytes = serde_json::to_vec(value).expect("JSON encodes");
    kibana_serverless::roundtrip(domain, type_name, &bytes)
        .unwrap_or_else(|| panic!("{domain} has no type {type_name}"))
}

/// Whether `encoded` says what `original` says. The generated types differ from the wire text in
/// two documented ways only: numbers are compared by value (`42` and `42.0` are one number),
/// and an optional array or map that is empty, or an optional field that is `null`, is left out
/// when encoding (typify's `skip_serializing_if`), so an absent key matches `[]`, `{}` or `null`.
pub fn equivalent(original: &Value, encoded: &Value) -> Result<(), String> {
    fn go(a: &Value, b: &Value, at: &str) -> Result<(), String> {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => Ok(()),
            (Value::Object(x), Value::Object(y)) => {
                for key in x.keys().chain(y.keys()) {
                    let here = format!("{at}/{key}");
                    match (x.get(key), y.get(key)) {
                        (Some(u), Some(v)) => go(u, v, &here)?,
                        (Some(e), None) | (None, Some(e)) if is_empty_collection(e) => {}
                        // An optional field that is `null` is left out when encoding.
                        (Some(Value::Null), None) | (None, Some(Value::Null)) => {}
                        (u, v) => return Err(format!("{here}: {u:?} != {v:?}")),
                    }
                }
                Ok(())
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .enumerate()
                .try_for_each(|(i, (u, v))| go(u, v, &format!("{at}/{i}"))),
            _ if a == b => Ok(()),
            _ => Err(format!("{at}: {a} != {b}")),
        }
    }
    go(original, encoded, "")
}

/// `value` with the defaults its schema declares filled in where a field is absent: what the
/// generated types hold after decoding it (serde fills defaults in).
pub fn with_defaults(spec: &Value, schema: &Value, value: &Value) -> Value {
    let schema = resolve(spec, schema);
    // A union member's defaults: of the member declaring most of the value's fields.
    if let (Some(members), Value::Object(map)) =
        (schema.get("oneOf").and_then(Value::as_array), value)
    {
        let fit = |m: &Value| {
            let props = kibana_serverless_mock::schema::properties(spec, m);
            map.keys().filter(|k| props.contains_key(*k)).count()
        };
        if let Some(best) = members.iter().max_by_key(|m| fit(m)) {
            return with_defaults(spec, best, value);
        }
    }
    match value {
        Value::Object(map) => {
            let mut out = map.clone();
            let props = kibana_serverless_mock::schema::properties(spec, schema);
            for (k, p) in &props {
                match out.get(k) {
                    Some(v) => {
                        let filled = with_defaults(spec, p, v);
                        out.insert(k.clone(), filled);
                    }
                    None => {
                        if let Some(d) = resolve(spec, p).get("default") {
                            out.insert(k.clone(), d.clone());
                        }
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let item = schema.get("items").unwrap_or(&Value::Null);
            Value::Array(items.iter().map(|v| with_defaults(spec, item, v)).collect())
        }
        other => other.clone(),
    }
}

/// [`equivalent`], for values of `schema`: a field left out and the same field holding its
/// schema's default say the same (the generated types fill some defaults in when decoding).
pub fn equivalent_in(
    spec: &Value,
    schema: &Value,
    original: &Value,
    encoded: &Value,
) -> Result<(), String> {
    equivalent(
        &with_defaults(spec, schema, original),
        &with_defaults(spec, schema, encoded),
    )
}

fn is_empty_collection(v: &Value) -> bool {
    matches!(v, Value::Array(a) if a.is_empty()) || matches!(v, Value::Object(o) if o.is_empty())
}

/// Resolves a local `$ref` chain in a domain spec (the mock's, which the tests share).
pub use kibana_serverless_mock::schema::resolve;

/// A site in an example where the schema fixes the shape: a struct-like object, or a string enum.
#[derive(Debug)]
pub enum Site {
    /// An object with declared properties (JSON pointer into the example).
    Struct(String),
    /// A string constrained to an enum.
    Enum(String),
}

/// Walks `value` along `schema` and lists the sites where the schema fixes the shape. Union
/// members (`oneOf`/`anyOf`) are not entered: which member a value takes is the union's business.
pub fn sites(spec: &Value, schema: &Value, value: &Value) -> Vec<Site> {
    fn go(spec: &Value, schema: &Value, value: &Value, at: String, out: &mut Vec<Site>) {
        let schema = resolve(spec, schema);
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for member in all {
                go(spec, member, value, at.clone(), out);
            }
            return;
        }
        match value {
            Value::Object(map) => {
                let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                    if let Some(extra) =
                        schema.get("additionalProperties").filter(|a| a.is_object())
                    {
                        for (k, v) in map {
                            go(spec, extra, v, format!("{at}/{}", escape(k)), out);
                        }
                    }
                    return;
                };
                // Declared fields beside a typed map of the others (Streams' privileges: any
                // name, a boolean): an extra field must be of that type, so none is added.
                let typed_rest = schema
                    .get("additionalProperties")
                    .and_then(Value::as_object)
                    .is_some_and(|a| !a.is_empty());
                if !typed_rest {
                    out.push(Site::Struct(at.clone()));
                }
                for (k, v) in map {
                    if let Some(prop) = props.get(k) {
                        go(spec, prop, v, format!("{at}/{}", escape(k)), out);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item) = schema.get("items") {
                    for (i, v) in items.iter().enumerate() {
                        go(spec, item, v, format!("{at}/{i}"), out);
                    }
                }
            }
            Value::String(_)
                if schema.get("enum").is_some_and(|e| {
                    e.as_array().is_some_and(|a| a.iter().all(Value::is_string))
                }) =>
            {
                out.push(Site::Enum(at));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    go(spec, schema, value, String::new(), &mut out);
    out
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A JSON value of `schema`'s shape with every declared property filled in: an instance for
/// types whose operation has no example. Unions take their first member.
pub fn synthesize(spec: &Value, schema: &Value) -> Value {
    fn go(spec: &Value, schema: &Value, depth: usize) -> Value {
        let schema = resolve(spec, schema);
        if depth > 12 {
            return Value::Null;
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            for member in all {
                if let Value::Object(m) = go(spec, member, depth + 1) {
                    merged.extend(m);
                }
            }
            return Value::Object(merged);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(first) = schema
                .get(key)
                .and_then(Value::as_array)
                .and_then(|m| m.first())
            {
                return go(spec, first, depth + 1);
            }
        }
        if let Some(first) = schema
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return first.clone();
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("object") | None
                if schema.get("properties").is_some()
                    || schema.get("additionalProperties").is_some() =>
            {
                let mut map = Map::new();
                if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                    for (k, p) in props {
                        map.insert(k.clone(), go(spec, p, depth + 1));
                    }
                }
                if let Some(extra) = schema.get("additionalProperties").filter(|a| a.is_object()) {
                    map.insert("someKey".into(), go(spec, extra, depth + 1));
                }
                Value::Object(map)
            }
            Some("object") => Value::Object(Map::new()),
            Some("array") => Value::Array(vec![go(
                spec,
                schema.get("items").unwrap_or(&Value::Null),
                depth + 1,
            )]),
            Some("string") if schema.get("format").and_then(Value::as_str) == Some("uri") => {
                "https://example.com".into()
            }
            Some("string") => "text".into(),
            Some("integer") => 7.into(),
            Some("number") => serde_json::json!(7.5),
            Some("boolean") => true.into(),
            _ => "any JSON value".into(),
        }
    }
    go(spec, schema, 0)
}

/// One synthesized instance of every response type (success, ndjson line and error) of every
/// operation, as examples.
pub fn synthesized_responses() -> Vec<Example> {
    let manifest = manifest();
    let specs = domain_specs();
    let mut out = Vec::new();
    for op in manifest["operations"].as_array().expect("operations") {
        let domain = op["domain"].as_str().expect("domain");
        let spec = &specs[domain];
        for key in ["response_type", "ndjson_item_type", "error_type"] {
            let Some(type_name) = op[key].as_str() else {
                continue;
            };
            let schema = serde_json::json!({"$ref": format!("#/components/schemas/{type_name}")});
            out.push(Example {
                domain: domain.to_string(),
                operation: format!(
                    "{} {}",
                    op["method"].as_str().unwrap(),
                    op["path"].as_str().unwrap()
                ),
                location: format!("synthesized {key}"),
                type_name: type_name.to_string(),
                value: synthesize(spec, &schema),
                schema,
            });
        }
    }
    out
}
pub mod canary;
pub mod wire;

/// The reference's JSON examples of one operation (`METHOD path`), in the reference's order.
pub fn reference(operation: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(root().join("tests/fixtures/reference_examples.json"))
        .expect("fixture");
    let all: Vec<Value> = serde_json::from_str(&text).expect("fixture parses");
    let found: Vec<Value> = all
        .into_iter()
        .filter(|e| e["operation"] == operation)
        .map(|e| e["json"].clone())
        .collect();
    assert!(!found.is_empty(), "no reference example for {operation}");
    found
}
pub mod stream_server;

/// Runs the test `test` of this test binary alone, in a fresh process (for a clean peak-memory
/// reading or its own environment), and returns what it printed. Fails if the child fails.
pub fn run_alone(test: &str, env: &[(&str, &str)], remove: &[&str]) -> String {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", test, "--nocapture", "--test-threads", "1"]);
    for key in remove {
        cmd.env_remove(key);
    }
    for (key, value) in env {
        cmd.env(key, value);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{test} failed in its child process:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The number a child printed after `key` (e.g. `PEAK_RSS_KIB=`).
pub fn printed(output: &str, key: &str) -> u64 {
    output
        .lines()
        .find_map(|l| l.split_once(key).and_then(|(_, v)| v.trim().parse().ok()))
        .unwrap_or_else(|| panic!("no {key} in {output}"))
}

/// A `Kibana` the testkit drives by name (`kibana_serverless::invoke`).
pub struct Client(pub kibana_serverless::Kibana);

impl kibana_serverless_testkit::Invoke for Client {
    fn invoke<'a>(
        &'a self,
        domain: &'a str,
        operation: &'a str,
        args: &'a kibana_serverless::dynamic::Args,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = Result<kibana_serverless::dynamic::Answer, kibana_serverless::Error>,
                > + Send
                + 'a,
        >,
    > {
        Box::pin(kibana_serverless::invoke(&self.0, domain, operation, args))
    }

    fn space(&self, id: &str) -> Self {
        Client(self.0.space(id).expect("a valid space id"))
    }
}
