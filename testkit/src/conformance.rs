//! The conformance test: every operation of the model, called through the client's `invoke`
//! against a loopback server, with arguments from the spec's examples (or values of the
//! schemas' shape). For each call it checks the request against the spec (method, path with
//! each path parameter encoded as one segment, query, Kibana's headers, body) and reads every
//! documented answer: each success example decodes and loses nothing, each error status comes
//! back as a typed `Error::Api`. Path parameters are also sent hostile (`a b/c?d#e%f`), and
//! every operation once in a space. A request example with fields its schema does not declare
//! is sent without them, and once as documented, which the client must refuse before sending.

use crate::Invoke;
use crate::schema::{resolve, synthesize};
use kibana_serverless_runtime::Error;
use kibana_serverless_runtime::dynamic::{Answer, AnswerBody, Args};
use kibana_serverless_runtime::union::keeps_all;
use serde_json::{Map, Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// What a run covered and what failed.
#[derive(Debug, Default)]
pub struct Report {
    /// Operations of the model that were called.
    pub operations: usize,
    /// Requests made (one per documented answer, hostile id and space).
    pub cases: usize,
    /// What did not conform, one line each.
    pub failures: Vec<String>,
}

/// A path parameter that must stay one segment.
pub const HOSTILE_ID: &str = "a b/c?d#e%f";

/// One call: the arguments, the answer to serve, and what the client must make of it.
struct Case {
    label: String,
    args: Args,
    space: Option<&'static str>,
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
    /// The JSON served, for the no-loss check of a success.
    served: Option<Value>,
}

/// Runs every operation of `manifest` (`operations.json`) whose domain `specs`
/// (`openapi.json`) has, on a fresh loopback server; `make` builds the client for its URL.
/// `known_wrong` lists `operation example` labels whose documented example is known not to
/// match its schema: they must fail to decode, and that is not a failure.
pub async fn run<C: Invoke>(
    manifest: &Value,
    specs: &Map<String, Value>,
    make: impl Fn(&str) -> C,
    known_wrong: &[&str],
) -> Report {
    let server = MockServer::start().await;
    let client = make(&server.uri());
    let mut report = Report::default();
    for op in manifest["operations"].as_array().into_iter().flatten() {
        let domain = op["domain"].as_str().unwrap_or_default();
        let Some(spec) = specs.get(domain) else {
            continue;
        };
        let path = op["path"].as_str().unwrap_or_default();
        let Some(spec_op) = spec_operation(specs, op) else {
            report
                .failures
                .push(format!("{} {path}: not in openapi.json", op["method"]));
            continue;
        };
        report.operations += 1;
        if let Some(example) = undeclared_example(spec, spec_op) {
            report.cases += 1;
            let mut args = arguments(spec, op, spec_op);
            args.body = Some(example);
            if let Err(e) = refuses_undeclared(&server, &client, op, args).await {
                let name = op["rust_method"].as_str().unwrap_or_default();
                report.failures.push(format!("{name}: {e}"));
            }
        }
        for case in cases(spec, op, spec_op) {
            report.cases += 1;
            let label = format!(
                "{} ({})",
                op["rust_method"].as_str().unwrap_or_default(),
                case.label
            );
            // An example that contradicts its own schema must be refused with a decode error.
            let contradicts = case.status < 300
                && case.served.as_ref().is_some_and(|served| {
                    let schema = spec_op.pointer(&format!(
                        "/responses/{}/content/application~1json/schema",
                        case.status
                    ));
                    schema.is_some_and(|s| {
                        crate::schema::answer_problem(spec, s, served, "response").is_some()
                    })
                });
            let wrong = contradicts
                || known_wrong
                    .iter()
                    .any(|k| label.starts_with(k) || case.label.contains(k));
            if let Err(e) = one(&server, &client, spec, op, spec_op, &case, wrong).await {
                report.failures.push(format!("{label}: {e}"));
            }
        }
    }
    report
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// An operation of the model (`operations.json` entry) as its domain's spec has it.
pub fn spec_operation<'a>(specs: &'a Map<String, Value>, op: &Value) -> Option<&'a Value> {
    let spec = specs.get(op["domain"].as_str()?)?;
    let method = op["method"].as_str()?.to_ascii_lowercase();
    spec.pointer(&format!("/paths/{}/{method}", escape(op["path"].as_str()?)))
}

/// The arguments the model gives an operation: each parameter from its example (or a value of
/// its schema's shape; path ids `conformance-id`), the body from the first request example (or
/// the schema's shape), and a small archive or file for a raw body.
pub fn arguments(spec: &Value, op: &Value, spec_op: &Value) -> Args {
    let params = spec_op
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut args = Args::default();
    for p in &params {
        let Some(name) = p["name"].as_str() else {
            continue;
        };
        let setter = op["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|q| q["name"] == name))
            .and_then(|q| q["setter"].as_str())
            .unwrap_or(name);
        let schema = p.get("schema").unwrap_or(&Value::Null);
        // An example of the wrong type (`"true"` for a boolean) is not sent as it is.
        let example = p.get("example").or_else(|| {
            p.get("examples")
                .and_then(Value::as_object)
                .and_then(|e| e.values().find_map(|x| x.get("value")))
        });
        let value = match example {
            Some(v) if crate::schema::validator_problem(spec, schema, v, name).is_none() => {
                v.clone()
            }
            _ => synthesize(spec, schema),
        };
        // Kibana writes `example: true` for its `'true' | 'false'` string parameters: on the
        // wire a parameter is text either way, so the example is sent as its text.
        let value = match &value {
            Value::Bool(_) | Value::Number(_)
                if crate::schema::problem(spec, schema, &value, name).is_some() =>
            {
                Value::String(text(&value))
            }
            _ => value,
        };
        // A free-form id is one the mock and the tests recognise; a uuid or a patterned id
        // keeps its example, which fits.
        let constrained = ["format", "x-kbn-format", "pattern", "enum"]
            .iter()
            .any(|k| resolve(spec, schema).get(*k).is_some());
        let value = if p["in"] == "path" && value.is_string() && !constrained {
            json!("conformance-id")
        } else {
            value
        };
        args.params.insert(setter.to_string(), value);
    }
    let raw_types: Vec<String> = op["body_content_types"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let octets = spec_op
        .pointer("/requestBody/content/application~1octet-stream")
        .is_some();
    let form = op["multipart_fields"] == true;
    if (!raw_types.is_empty() || octets) && !form {
        let zip = raw_types.iter().any(|t| t == "application/zip");
        args.raw_body = Some(
            if zip {
                &b"PK\x03\x04conformance"[..]
            } else {
                &b"conformance"[..]
            }
            .to_vec()
            .into(),
        );
    } else if let Some(content) = spec_op.pointer("/requestBody/content/application~1json") {
        let schema = content.get("schema").unwrap_or(&Value::Null);
        args.body = Some(request_body(spec, schema, content));
    }
    args
}

/// The body to send: the first request example that fits its schema (Kibana's examples may
/// lack a required field or hold a value of another type, which a typed client cannot send, or
/// fit two members of a `oneOf`, which a validating server refuses), else a value of the
/// schema's shape.
fn request_body(spec: &Value, schema: &Value, content: &Value) -> Value {
    let synthesized = synthesize(spec, schema);
    let required = resolve(spec, schema)
        .get("required")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let examples = content
        .get("examples")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|e| e.values().filter_map(|x| x.get("value").cloned()));
    for mut body in examples {
        // An example without a field its schema requires (a form's file) gets one.
        if let (Value::Object(b), Value::Object(s)) = (&mut body, &synthesized) {
            for name in required.iter().filter_map(Value::as_str) {
                if !b.contains_key(name)
                    && let Some(v) = s.get(name)
                {
                    b.insert(name.to_string(), v.clone());
                }
            }
        }
        // Fields the schema does not declare (Kibana's examples carry some) have no place in
        // the typed body: the client refuses them (checked in `run`), so they are not sent.
        let body = crate::schema::declared(spec, schema, &body);
        if crate::schema::validator_problem(spec, schema, &body, "body").is_none() {
            return body;
        }
    }
    crate::schema::declared(spec, schema, &synthesized)
}

/// The first request example, as documented, when it carries fields its schema does not
/// declare.
fn undeclared_example(spec: &Value, spec_op: &Value) -> Option<Value> {
    let content = spec_op.pointer("/requestBody/content/application~1json")?;
    let example = content
        .get("examples")?
        .as_object()?
        .values()
        .find_map(|x| x.get("value").cloned())?;
    let schema = content.get("schema").unwrap_or(&Value::Null);
    (crate::schema::declared(spec, schema, &example) != example).then_some(example)
}

/// A body with fields its type has no place for is refused before anything is sent.
async fn refuses_undeclared<C: Invoke>(
    server: &MockServer,
    client: &C,
    op: &Value,
    args: Args,
) -> Result<(), String> {
    server.reset().await;
    let domain = op["domain"].as_str().unwrap_or_default();
    let name = op["rust_method"].as_str().unwrap_or_default();
    let result = client.invoke(domain, name, &args).await;
    let sent = server.received_requests().await.unwrap_or_default().len();
    match result {
        Err(Error::InvalidRequest(m)) if sent == 0 && m.contains("no place for") => Ok(()),
        other => Err(format!(
            "a body with undeclared fields: {sent} request(s) sent, {other:?}"
        )),
    }
}

/// The calls for one operation.
fn cases(spec: &Value, op: &Value, spec_op: &Value) -> Vec<Case> {
    let params = spec_op
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let args = arguments(spec, op, spec_op);
    let mut out = Vec::new();
    let responses = spec_op
        .get("responses")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (status, response) in &responses {
        let Ok(code) = status.parse::<u16>() else {
            continue;
        };
        let content = response.get("content").and_then(Value::as_object);
        let Some((media, body)) = content.and_then(|c| c.iter().next()) else {
            out.push(Case {
                label: format!("{code}, no body"),
                args: args.clone(),
                space: None,
                status: code,
                content_type: None,
                body: Vec::new(),
                served: None,
            });
            continue;
        };
        let examples: Vec<(String, Value)> = body
            .get("examples")
            .and_then(Value::as_object)
            .map(|e| {
                e.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.get("value")?.clone())))
                    .collect()
            })
            .unwrap_or_default();
        let examples = if examples.is_empty() {
            let value = if code >= 400 {
                json!({"statusCode": code, "error": "Error", "message": format!("conformance {code}")})
            } else {
                synthesize(spec, body.get("schema").unwrap_or(&Value::Null))
            };
            vec![("synthesized".to_string(), value)]
        } else {
            examples
        };
        for (name, value) in examples {
            let (bytes, served) = if media.contains("json") && !media.contains("ndjson") {
                (serde_json::to_vec(&value).unwrap_or_default(), Some(value))
            } else {
                let text = match &value {
                    Value::String(s) => s.clone(),
                    other => format!("{other}\n"),
                };
                (text.into_bytes(), None)
            };
            out.push(Case {
                label: format!("{code} {name}"),
                args: args.clone(),
                space: None,
                status: code,
                content_type: Some(media.clone()),
                body: bytes,
                served,
            });
        }
    }
    // The first success once more, in a space and with a hostile path id.
    if let Some(first) = out.iter().find(|c| c.status < 300).map(Case::clone_case) {
        // An id with a `pattern` is checked by the client and never sent hostile.
        let hostile_able = |p: &&Value| {
            let schema = resolve(spec, &p["schema"]);
            p["in"] == "path" && schema["type"] == "string" && schema.get("pattern").is_none()
        };
        if params.iter().any(|p| hostile_able(&p)) {
            let mut hostile = Case {
                label: format!("{}, hostile path id", first.label),
                ..first.clone_case()
            };
            // Only string ids: an integer path parameter (Osquery's execution count) keeps its value.
            for p in params.iter().filter(hostile_able) {
                let setter = setter_of(op, p["name"].as_str().unwrap_or_default());
                hostile.args.params.insert(setter, json!(HOSTILE_ID));
            }
            out.push(hostile);
        }
        out.push(Case {
            label: format!("{}, in a space", first.label),
            space: Some("conformance"),
            ..first
        });
    }
    out
}

impl Case {
    fn clone_case(&self) -> Case {
        Case {
            label: self.label.clone(),
            args: self.args.clone(),
            space: self.space,
            status: self.status,
            content_type: self.content_type.clone(),
            body: self.body.clone(),
            served: self.served.clone(),
        }
    }
}

fn setter_of(op: &Value, name: &str) -> String {
    op["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|q| q["name"] == name))
        .and_then(|q| q["setter"].as_str())
        .unwrap_or(name)
        .to_string()
}

/// The text a parameter value is sent as.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

async fn one<C: Invoke>(
    server: &MockServer,
    client: &C,
    spec: &Value,
    op: &Value,
    spec_op: &Value,
    case: &Case,
    known_wrong: bool,
) -> Result<(), String> {
    server.reset().await;
    let mut template = ResponseTemplate::new(case.status);
    template = match &case.content_type {
        Some(ct) => template.set_body_raw(case.body.clone(), ct.split(';').next().unwrap_or(ct)),
        None => template,
    };
    Mock::given(wiremock::matchers::any())
        .respond_with(template)
        .mount(server)
        .await;
    let spaced;
    let client = match case.space {
        Some(id) => {
            spaced = client.space(id);
            &spaced
        }
        None => client,
    };
    let domain = op["domain"].as_str().unwrap_or_default();
    let name = op["rust_method"].as_str().unwrap_or_default();
    let result = client.invoke(domain, name, &case.args).await;
    let requests = server.received_requests().await.unwrap_or_default();
    let [request] = requests.as_slice() else {
        return Err(format!(
            "{} requests reached the server ({result:?})",
            requests.len()
        ));
    };
    check_request(spec, op, spec_op, case, request)?;
    check_answer(spec, spec_op, case, result, known_wrong)
}

fn check_request(
    spec: &Value,
    op: &Value,
    spec_op: &Value,
    case: &Case,
    request: &wiremock::Request,
) -> Result<(), String> {
    let method = op["method"].as_str().unwrap_or_default();
    if request.method.as_str() != method {
        return Err(format!("method {} instead of {method}", request.method));
    }
    let mut want = String::new();
    if let Some(space) = case.space {
        want.push_str(&format!("/s/{space}"));
    }
    let template = op["path"].as_str().unwrap_or_default();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        want.push_str(&rest[..start]);
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e);
        let name = &rest[start + 1..end];
        let value = case
            .args
            .param(&setter_of(op, name))
            .map(text)
            .unwrap_or_default();
        let encoded = kibana_serverless_runtime::path::segment::<()>(&value)
            .map_err(|e| format!("path parameter {name}: {e}"))?;
        want.push_str(&encoded);
        rest = &rest[(end + 1).min(rest.len())..];
    }
    want.push_str(rest);
    if request.url.path() != want {
        return Err(format!("path {} instead of {want}", request.url.path()));
    }
    let pairs: Vec<(String, String)> = request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    for p in spec_op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query")
    {
        let name = p["name"].as_str().unwrap_or_default();
        let Some(value) = case.args.param(&setter_of(op, name)) else {
            continue;
        };
        let want: Vec<String> = match value {
            Value::Array(items) => items.iter().map(text).collect(),
            other => vec![text(other)],
        };
        let got: Vec<&String> = pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v)
            .collect();
        let same = want.len() == got.len()
            && want.iter().zip(&got).all(|(w, g)| {
                w == *g
                    || w.parse::<f64>()
                        .ok()
                        .zip(g.parse::<f64>().ok())
                        .is_some_and(|(a, b)| a == b)
            });
        if !same {
            return Err(format!("query {name}: sent {got:?}, expected {want:?}"));
        }
    }
    let declared: Vec<&str> = spec_op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query")
        .filter_map(|p| p["name"].as_str())
        .collect();
    if let Some((k, _)) = pairs.iter().find(|(k, _)| !declared.contains(&k.as_str())) {
        return Err(format!("query parameter {k} is not in the spec"));
    }
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    if header("kbn-xsrf").is_none() {
        return Err("no kbn-xsrf header".into());
    }
    // An operation the spec writes at its own version is sent at it; the rest at the client's.
    let version = op["api_version"]
        .as_str()
        .unwrap_or(kibana_serverless_runtime::DEFAULT_API_VERSION);
    if header("elastic-api-version").as_deref() != Some(version) {
        return Err(format!(
            "elastic-api-version {:?}, expected {version}",
            header("elastic-api-version")
        ));
    }
    if !header("authorization").is_some_and(|a| a.starts_with("ApiKey ")) {
        return Err("no ApiKey authorization".into());
    }
    if let (Some(body), true) = (&case.args.body, op["multipart_fields"] == true) {
        // A form of several fields: each field is a part.
        let ct = header("content-type").unwrap_or_default();
        if !ct.starts_with("multipart/form-data; boundary=") {
            return Err(format!("content-type {ct} for a multipart form"));
        }
        let text = String::from_utf8_lossy(&request.body);
        for name in body.as_object().into_iter().flatten().map(|(k, _)| k) {
            if !text.contains(&format!("Content-Disposition: form-data; name=\"{name}\"")) {
                return Err(format!("the form has no field {name}"));
            }
        }
    } else if let Some(body) = &case.args.body {
        if !header("content-type").is_some_and(|c| c.starts_with("application/json")) {
            return Err(format!(
                "content-type {:?} for a JSON body",
                header("content-type")
            ));
        }
        let sent: Value = serde_json::from_slice(&request.body)
            .map_err(|e| format!("the body is not JSON: {e}"))?;
        let schema = spec_op
            .pointer("/requestBody/content/application~1json/schema")
            .unwrap_or(&Value::Null);
        let added = without_defaults(spec, schema, body, &sent);
        if !keeps_all(body, &sent) || !keeps_all(&added, body) {
            return Err(format!("the body sent differs: {body} -> {sent}"));
        }
    }
    if let Some(raw) = &case.args.raw_body {
        if op["multipart_file"].is_null() && request.body != raw.as_ref() {
            return Err("the raw body was changed".into());
        }
        let accepted: Vec<&str> = op["body_content_types"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let ct = header("content-type").unwrap_or_default();
        if let Some(field) = op["multipart_file"].as_str() {
            let boundary = ct
                .strip_prefix("multipart/form-data; boundary=")
                .ok_or(format!("content-type {ct} for a multipart body"))?;
            let head = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"");
            if !request.body.starts_with(head.as_bytes()) {
                return Err(format!(
                    "the multipart body does not start with the `{field}` field"
                ));
            }
            let tail = format!("\r\n--{boundary}--\r\n");
            let holds_file = request.body.windows(raw.len()).any(|w| w == raw.as_ref());
            if !request.body.ends_with(tail.as_bytes()) || !holds_file {
                return Err(
                    "the multipart body does not hold the file and its closing boundary".into(),
                );
            }
        } else if accepted.is_empty() && ct != "application/octet-stream" {
            return Err(format!("content-type {ct} for a raw body"));
        } else if !accepted.is_empty() && !accepted.contains(&ct.as_str()) {
            return Err(format!("content-type {ct} is not one of {accepted:?}"));
        }
    }
    Ok(())
}

/// `sent` without the fields the caller did not give that hold their schema's default: the
/// generated types fill defaults in, which means the same to Kibana.
fn without_defaults(spec: &Value, schema: &Value, given: &Value, sent: &Value) -> Value {
    let schema = resolve(spec, schema);
    // A union's defaults are its member's: the member that explains the difference.
    if let Some(members) = crate::schema::union_members(schema) {
        let tries: Vec<Value> = members
            .iter()
            .map(|m| without_defaults(spec, m, given, sent))
            .collect();
        // Judged by the fields kept, as the body itself is (`0` and `0.0` alike).
        return tries
            .iter()
            .find(|t| keeps_all(t, given) && keeps_all(given, t))
            .or_else(|| tries.first())
            .cloned()
            .unwrap_or_else(|| sent.clone());
    }
    match (given, sent) {
        // Each item against the schema of the items.
        (Value::Array(g), Value::Array(s)) if g.len() == s.len() => {
            let items = schema.get("items").unwrap_or(&Value::Null);
            Value::Array(
                g.iter()
                    .zip(s)
                    .map(|(g, s)| without_defaults(spec, items, g, s))
                    .collect(),
            )
        }
        (Value::Object(g), Value::Object(s)) => {
            let props = crate::schema::properties(spec, schema);
            // A map's values (a field no property names) against `additionalProperties`.
            let values = schema
                .get("additionalProperties")
                .filter(|v| v.is_object())
                .unwrap_or(&Value::Null);
            let mut out = Map::new();
            for (k, v) in s {
                let prop = props.get(k).unwrap_or(values);
                let default = resolve(spec, prop).get("default");
                // `1209600` and `1209600.0` are one default.
                let is_default = default
                    .is_some_and(|d| d == v || (d.as_f64().is_some() && d.as_f64() == v.as_f64()));
                match g.get(k) {
                    Some(gv) => {
                        out.insert(k.clone(), without_defaults(spec, prop, gv, v));
                    }
                    None if is_default => {}
                    None => {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            Value::Object(out)
        }
        _ => sent.clone(),
    }
}

fn check_answer(
    spec: &Value,
    spec_op: &Value,
    case: &Case,
    result: Result<Answer, Error>,
    known_wrong: bool,
) -> Result<(), String> {
    if case.status >= 400 {
        return match result {
            Err(Error::Api { status, body, .. }) if status.as_u16() == case.status => {
                let served: Option<Value> = serde_json::from_slice(&case.body).ok();
                match served
                    .as_ref()
                    .and_then(|s| s.get("message"))
                    .and_then(Value::as_str)
                {
                    Some(m) if body.message.as_deref() != Some(m) => {
                        Err(format!("message {:?} instead of {m:?}", body.message))
                    }
                    _ => Ok(()),
                }
            }
            other => Err(format!(
                "expected Error::Api {}, got {other:?}",
                case.status
            )),
        };
    }
    // Redirects are not followed: a documented one is reported with its status.
    if (300..400).contains(&case.status) && case.status != 304 {
        return match result {
            Err(Error::Redirected { status, .. }) if status.as_u16() == case.status => Ok(()),
            other => Err(format!(
                "expected Error::Redirected {}, got {other:?}",
                case.status
            )),
        };
    }
    let answer = match (result, known_wrong) {
        (Err(Error::Decode { .. }), true) => return Ok(()),
        (Ok(_), true) => return Err("a known-wrong example decoded".into()),
        (Err(e), _) => return Err(format!("{e}")),
        (Ok(a), false) => a,
    };
    if answer.status != case.status {
        return Err(format!(
            "status {} instead of {}",
            answer.status, case.status
        ));
    }
    // Every field the schema declares must survive; one the example has beyond the schema
    // (a spec that lags its examples) is what a typed struct cannot hold.
    let schema = spec_op
        .pointer(&format!(
            "/responses/{}/content/application~1json/schema",
            case.status
        ))
        .unwrap_or(&Value::Null);
    match (&answer.body, &case.served) {
        (AnswerBody::Json(got), Some(served))
            if !keeps_all(&crate::schema::declared(spec, schema, served), got) =>
        {
            Err(format!("the answer lost fields: {served} -> {got}"))
        }
        (AnswerBody::Json(_), Some(_)) => Ok(()),
        (AnswerBody::Bytes(b), None) if b.as_ref() == case.body.as_slice() => Ok(()),
        (AnswerBody::Empty, None) if case.body.is_empty() => Ok(()),
        (body, _) => Err(format!("answer {body:?} for what was served")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_filled_in_are_found_in_items_and_map_values() {
        // Kibana's copy-errors body: retries per space, each a list of objects whose
        // `overwrite` defaults to false.
        let schema = json!({"type": "object", "properties": {
            "compatibilityMode": {"type": "boolean", "default": false},
            "retries": {"type": "object", "additionalProperties": {"type": "array", "items": {
                "type": "object", "properties": {
                    "id": {"type": "string"},
                    "overwrite": {"type": "boolean", "default": false}
                }
            }}}
        }});
        let given =
            json!({"retries": {"marketing": [{"id": "a"}, {"id": "b", "overwrite": true}]}});
        let sent = json!({"compatibilityMode": false, "retries": {"marketing": [
            {"id": "a", "overwrite": false}, {"id": "b", "overwrite": true}
        ]}});
        assert_eq!(without_defaults(&json!({}), &schema, &given, &sent), given);
        // A value other than the default is not the default: it stays, and the check sees it.
        let changed = json!({"retries": {"marketing": [
            {"id": "a", "overwrite": true}, {"id": "b", "overwrite": true}
        ]}});
        assert_eq!(
            without_defaults(&json!({}), &schema, &given, &changed),
            changed
        );
    }
}
