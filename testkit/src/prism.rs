//! The contract test against Stoplight Prism, an independent server: it serves a spec with
//! request validation on, in its static mode (answers from the examples) or its dynamic mode
//! (answers generated from the schemas). Every operation of the model is driven through the
//! client's `invoke` with the arguments the model gives it; Prism answers 4xx to any request
//! that breaks the spec, so every call must succeed and its answer must decode. The few things
//! Prism 5 itself cannot do are recognised exactly and not counted against the client.

use crate::Invoke;
use kibana_serverless_runtime::Error;
use kibana_serverless_runtime::dynamic::Answer;
use serde_json::{Map, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running Prism; it stops when dropped.
pub struct Prism {
    child: Child,
    /// Its base URL.
    pub url: String,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Prism binary: `PRISM`, else `default`. Missing, it fails saying how to install it.
pub fn binary(default: &Path) -> PathBuf {
    let bin = std::env::var("PRISM")
        .map(PathBuf::from)
        .unwrap_or_else(|_| default.to_path_buf());
    assert!(
        bin.exists(),
        "Prism is not installed at {}: run `npm install --prefix target/prism @stoplight/prism-cli@5.16.0` (or set PRISM to its binary)",
        bin.display()
    );
    bin
}

/// Starts Prism on a free loopback port serving `spec`. With `PRISM_LOG` set, its log (each
/// request and, for one it refuses, the validator's reasons) is copied to stderr, which the
/// test harness shows for a failing test (or with `--nocapture`).
pub fn start(binary: &Path, spec: &Path, dynamic: bool) -> Prism {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let mut cmd = Command::new(binary);
    cmd.args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()]);
    if dynamic {
        cmd.arg("-d");
    }
    let mut child = cmd
        .arg(spec)
        .stdout(Stdio::piped())
        // Prism's own failures (a spec it cannot read) show in the test's output.
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting prism");
    let stdout = child.stdout.take().expect("prism's stdout");
    let started = Instant::now();
    let mut log = BufReader::new(stdout);
    let mut line = Vec::new();
    loop {
        line.clear();
        match log.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => panic!("prism exited before listening"),
            Ok(_) if String::from_utf8_lossy(&line).contains("Prism is listening") => break,
            Ok(_) => {}
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "prism did not start"
        );
    }
    // Keep draining its log so that it never blocks on a full pipe.
    // Read as bytes: a line that is not UTF-8 must not stop the draining.
    let echo = std::env::var_os("PRISM_LOG").is_some();
    std::thread::spawn(move || {
        line.clear();
        while matches!(log.read_until(b'\n', &mut line), Ok(n) if n > 0) {
            if echo {
                eprint!("prism: {}", String::from_utf8_lossy(&line));
            }
            line.clear();
        }
    });
    Prism {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

/// Every operation of the model through `client`: its outcome, by operation.
pub async fn drive<C: Invoke>(
    client: &C,
    manifest: &Value,
    specs: &Map<String, Value>,
) -> Vec<(String, Result<Answer, Error>)> {
    drive_only(client, manifest, specs, |_| true).await
}

/// The operations of the model that `pick` names, through `client`.
async fn drive_only<C: Invoke>(
    client: &C,
    manifest: &Value,
    specs: &Map<String, Value>,
    pick: impl Fn(&str) -> bool,
) -> Vec<(String, Result<Answer, Error>)> {
    let mut out = Vec::new();
    for op in manifest["operations"].as_array().into_iter().flatten() {
        if !pick(op["rust_method"].as_str().unwrap_or_default()) {
            continue;
        }
        let domain = op["domain"].as_str().unwrap_or_default();
        let name = op["rust_method"].as_str().unwrap_or_default();
        let (Some(spec), Some(spec_op)) = (
            specs.get(domain),
            crate::conformance::spec_operation(specs, op),
        ) else {
            continue;
        };
        let args = crate::conformance::arguments(spec, op, spec_op);
        out.push((name.to_string(), client.invoke(domain, name, &args).await));
    }
    out
}

/// Why Prism's answer says nothing about the client, if it says nothing:
/// - it cannot write `application/x-ndjson` (a 500 problem after validating the request);
/// - it reads every field of a multipart form as text, so a field holding an array or object
///   fails its validation (checked by hand with curl, with and without a part content type);
/// - its data generator crashes on some schemas (a 500 `errors#UNKNOWN` with a TypeError).
pub fn prism_limitation(
    manifest: &Value,
    specs: &Map<String, Value>,
    operation: &str,
    e: &Error,
) -> Option<&'static str> {
    let Error::Api { status, body, .. } = e else {
        return None;
    };
    let op = manifest["operations"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["rust_method"] == operation)?;
    let title = body
        .extra
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = body.extra.get("type").and_then(Value::as_str).unwrap_or("");
    if status.as_u16() == 500
        && !op["ndjson_item_type"].is_null()
        && title == "Cannot find serializer for application/x-ndjson"
    {
        return Some("ndjson");
    }
    if status.as_u16() == 500
        && kind == "https://stoplight.io/prism/errors#UNKNOWN"
        && title.starts_with("TypeError")
    {
        return Some("generator crash");
    }
    if matches!(status.as_u16(), 400 | 422) && op["multipart_fields"] == true {
        let spec = specs.get(op["domain"].as_str().unwrap_or_default())?;
        let body_type = op["body_type"].as_str().unwrap_or_default();
        let props = spec["components"]["schemas"][body_type]["properties"].as_object()?;
        let not_text = |field: &str| {
            props
                .get(field)
                .map(|p| crate::schema::resolve(spec, p))
                .is_some_and(|p| p.get("type").and_then(Value::as_str) != Some("string"))
        };
        // With its own validation report (422), every complaint must be a field that is not
        // text read as text; a 400 is the spec's own answer and says nothing more.
        let explained = match body.extra.get("validation").and_then(Value::as_array) {
            Some(report) => report.iter().all(|v| {
                v["code"] == "type"
                    && v["location"][0] == "body"
                    && v["location"][1].as_str().is_some_and(not_text)
            }),
            None => props.keys().any(|k| not_text(k)),
        };
        if explained {
            return Some("multipart JSON field");
        }
    }
    None
}

/// Whether the example Prism answers in its static mode ([`served_example`] of the first
/// success) contradicts its own schema: the client must then refuse it with a decode error.
pub fn answers_a_wrong_example(
    manifest: &Value,
    specs: &Map<String, Value>,
    operation: &str,
) -> bool {
    let Some(op) = manifest["operations"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["rust_method"] == operation)
    else {
        return false;
    };
    let Some(spec) = specs.get(op["domain"].as_str().unwrap_or_default()) else {
        return false;
    };
    let Some(responses) = crate::conformance::spec_operation(specs, op)
        .and_then(|o| o.get("responses"))
        .and_then(Value::as_object)
    else {
        return false;
    };
    let Some(media) = responses
        .iter()
        .filter(|(s, _)| s.starts_with('2'))
        .find_map(|(_, r)| r.pointer("/content/application~1json"))
    else {
        return false;
    };
    match (served_example(spec, media), media.get("schema")) {
        (Some(example), Some(schema)) => {
            crate::schema::answer_problem(spec, schema, example, "response").is_some()
        }
        _ => false,
    }
}

/// The example Prism serves for a media entry in its static mode: the entry's `example`, else
/// the `example` of its schema (after `$ref`s; Stoplight's http-spec puts it first), else the
/// first of its named `examples`.
pub fn served_example<'a>(spec: &'a Value, media: &'a Value) -> Option<&'a Value> {
    media
        .get("example")
        .or_else(|| {
            media
                .get("schema")
                .and_then(|s| crate::schema::resolve(spec, s).get("example"))
        })
        .or_else(|| {
            media
                .get("examples")
                .and_then(Value::as_object)
                .and_then(|e| e.values().next())
                .and_then(|e| e.get("value"))
        })
}

/// An error, with what Prism found wrong in the request when it says.
pub fn explain(e: &Error) -> String {
    match e {
        Error::Api { body, .. } => match body.extra.get("validation") {
            Some(v) => format!("{e} {v}"),
            None => e.to_string(),
        },
        other => other.to_string(),
    }
}

/// The static-mode verdicts: what disagrees.
pub fn static_failures(
    manifest: &Value,
    specs: &Map<String, Value>,
    outcomes: Vec<(String, Result<Answer, Error>)>,
) -> Vec<String> {
    let mut failures = Vec::new();
    for (op, outcome) in outcomes {
        let wrong = answers_a_wrong_example(manifest, specs, &op);
        match outcome {
            Err(Error::Decode { .. }) if wrong => {}
            Ok(_) if wrong => failures.push(format!(
                "{op}: an example that contradicts its schema decoded"
            )),
            Ok(_) => {}
            Err(e) if prism_limitation(manifest, specs, &op, &e).is_some() => {}
            Err(e) => failures.push(format!("{op}: {}", explain(&e))),
        }
    }
    failures
}

/// Extra tries for an operation whose every round crashed Prism's generator. Some schemas crash
/// it more often than not (`GET /api/fleet/package_policies`: 26 of 40 tries, measured), so 12
/// tries once failed CI by chance; 60 leave under a 1 in 10^9 chance at that rate, and a try takes
/// milliseconds.
const RETRIES: usize = 60;

/// The dynamic-mode run: every operation `rounds` times; a generator crash is forgiven, but
/// every operation must be answered in some round.
pub async fn dynamic_failures<C: Invoke>(
    client: &C,
    manifest: &Value,
    specs: &Map<String, Value>,
    rounds: usize,
) -> Vec<String> {
    let mut failures = Vec::new();
    let mut never: Option<std::collections::BTreeSet<String>> = None;
    for round in 0..rounds {
        let mut crashed = std::collections::BTreeSet::new();
        for (op, outcome) in drive(client, manifest, specs).await {
            let Err(e) = outcome else { continue };
            match prism_limitation(manifest, specs, &op, &e) {
                Some("generator crash") => {
                    crashed.insert(op);
                }
                Some(_) => {}
                None => failures.push(format!("round {round}, {op}: {}", explain(&e))),
            }
        }
        never = Some(match never {
            None => crashed,
            Some(before) => before.intersection(&crashed).cloned().collect(),
        });
    }
    // Prism's generator crashes at random on some schemas (an empty list where it would fill
    // one comes out fine): those operations get more tries, alone.
    let mut never = never.unwrap_or_default();
    for _ in 0..RETRIES {
        if never.is_empty() {
            break;
        }
        for (op, outcome) in drive_only(client, manifest, specs, |op| never.contains(op)).await {
            match outcome
                .as_ref()
                .err()
                .map(|e| (e, prism_limitation(manifest, specs, &op, e)))
            {
                Some((_, Some("generator crash"))) => continue,
                Some((e, None)) => failures.push(format!("{op}: {}", explain(e))),
                _ => {}
            }
            never.remove(&op);
        }
    }
    for op in never {
        failures.push(format!(
            "{op}: Prism never answered it ({RETRIES} more tries)"
        ));
    }
    failures
}
