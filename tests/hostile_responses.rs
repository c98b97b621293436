//! Hostile responses: every response type of the spec (success, ndjson line, error) is fed
//! mutations of its examples and synthesized instances (wrong types, missing and extra fields,
//! deep nesting, huge numbers and strings, invalid UTF-8, bad escapes, duplicate keys,
//! truncation) and arbitrary JSON (proptest). Each decodes to a value, which then encodes and
//! decodes to itself, or fails with an error naming the JSON path; none panics. Then the same
//! through a typed operation over HTTP: `Error::Decode` with the path, or the value.

mod common;

use common::Example;
use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, TestRng};
use serde_json::{Map, Value, json};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Mutations of each instance per kind of mutation (each with its own random choices).
const ROUNDS: usize = 2;

/// Where a mutation writes its raw text: a string no instance contains.
const MARK: &str = "\u{1}hostile-mark\u{1}";

#[derive(Clone, Copy, Debug)]
enum Mutation {
    WrongType,
    Remove,
    Extra,
    Arbitrary,
    DeepNesting,
    HugeNumber,
    HugeString,
    InvalidUtf8,
    BadEscape,
    DuplicateKey,
    Truncate,
    Empty,
}

const MUTATIONS: [Mutation; 12] = [
    Mutation::WrongType,
    Mutation::Remove,
    Mutation::Extra,
    Mutation::Arbitrary,
    Mutation::DeepNesting,
    Mutation::HugeNumber,
    Mutation::HugeString,
    Mutation::InvalidUtf8,
    Mutation::BadEscape,
    Mutation::DuplicateKey,
    Mutation::Truncate,
    Mutation::Empty,
];

/// JSON pointers of every node of `value`.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers(
                    v,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn pick<'a, T>(rng: &mut TestRng, items: &'a [T]) -> &'a T {
    &items[rng.next_u64() as usize % items.len()]
}

/// A random JSON value, at most `depth` deep.
fn arbitrary(rng: &mut TestRng, depth: u32) -> Value {
    match rng.next_u64() % if depth == 0 { 5 } else { 7 } {
        0 => Value::Null,
        1 => Value::Bool(rng.next_u64().is_multiple_of(2)),
        2 => json!(rng.next_u64() as i64),
        3 => json!(f64::from_bits(rng.next_u64() & !(0x7ff << 52)) * 1e10),
        4 => Value::String(
            pick(
                rng,
                &["", "text", "ünïcödé ✓", "\u{0}\u{1f}", "𝔘𝔫𝔦", "0", "true"],
            )
            .to_string(),
        ),
        5 => Value::Array(
            (0..rng.next_u64() % 4)
                .map(|_| arbitrary(rng, depth - 1))
                .collect(),
        ),
        _ => Value::Object(
            (0..rng.next_u64() % 4)
                .map(|n| (format!("k{n}"), arbitrary(rng, depth - 1)))
                .collect(),
        ),
    }
}

/// The node's replacement with a value of another JSON type.
fn other_type(node: &Value) -> Value {
    match node {
        Value::Null => json!({"unexpected": true}),
        Value::Bool(_) => json!("true"),
        Value::Number(_) => json!("42"),
        Value::String(_) => json!(42),
        Value::Array(_) => json!({"0": "first"}),
        Value::Object(_) => json!(["an", "array"]),
    }
}

/// `value` mutated as `mutation` says, as the bytes a server would send.
fn mutate(value: &Value, mutation: Mutation, rng: &mut TestRng) -> Vec<u8> {
    let mut all = Vec::new();
    pointers(value, String::new(), &mut all);
    let at = pick(rng, &all).clone();
    let mut v = value.clone();
    let node = v.pointer(&at).cloned().unwrap_or(Value::Null);
    // Raw text for the node, written where the mark lands.
    let raw: Option<Vec<u8>> = match mutation {
        Mutation::WrongType => {
            *v.pointer_mut(&at).unwrap() = other_type(&node);
            None
        }
        Mutation::Remove => {
            let (parent, key) = at.rsplit_once('/').unwrap_or(("", ""));
            if let Some(Value::Object(map)) = v.pointer_mut(parent) {
                map.remove(&key.replace("~1", "/").replace("~0", "~"));
            } else if let Some(Value::Array(items)) = v.pointer_mut(parent) {
                items.pop();
            }
            None
        }
        Mutation::Extra => {
            let extra = arbitrary(rng, 3);
            if let Value::Object(map) = v.pointer_mut(&at).unwrap() {
                map.insert("fieldNobodyDeclared".into(), extra);
            } else if let Value::Array(items) = v.pointer_mut(&at).unwrap() {
                items.push(extra);
            }
            None
        }
        Mutation::Arbitrary => {
            *v.pointer_mut(&at).unwrap() = arbitrary(rng, 4);
            None
        }
        Mutation::DeepNesting => {
            let depth = *pick(rng, &[129usize, 1_000, 100_000]);
            Some(["[".repeat(depth), "]".repeat(depth)].concat().into_bytes())
        }
        Mutation::HugeNumber => Some(
            pick(
                rng,
                &[
                    "1e400",
                    "-1e400",
                    "18446744073709551616",
                    "-9223372036854775809",
                    "123456789012345678901234567890.5",
                    "4.9e-325",
                    "1.7976931348623157e308",
                    "-0",
                ],
            )
            .as_bytes()
            .to_vec(),
        ),
        Mutation::HugeString => {
            let size = *pick(rng, &[64usize << 10, 1 << 20]);
            Some(format!("\"{}\"", "é".repeat(size / 2)).into_bytes())
        }
        Mutation::InvalidUtf8 => Some(b"\"bad \xff\xfe\xc3 bytes\"".to_vec()),
        Mutation::BadEscape => Some(
            pick(
                rng,
                &[
                    r#""\ud800 alone""#,
                    r#""\x41""#,
                    r#""\u12""#,
                    "\"tab\there\"",
                ],
            )
            .as_bytes()
            .to_vec(),
        ),
        Mutation::DuplicateKey => match &node {
            Value::Object(map) if !map.is_empty() => {
                let (k, first) = map.iter().next().unwrap();
                let text = serde_json::to_string(&node).unwrap();
                let dup = serde_json::to_string(&other_type(first)).unwrap();
                Some(
                    format!(
                        "{{{}:{dup},{}",
                        serde_json::to_string(k).unwrap(),
                        &text[1..]
                    )
                    .into_bytes(),
                )
            }
            _ => None,
        },
        Mutation::Truncate | Mutation::Empty => None,
    };
    if let Some(raw) = raw {
        *v.pointer_mut(&at).unwrap() = Value::String(MARK.into());
        let text = serde_json::to_vec(&v).unwrap();
        let mark = serde_json::to_vec(&Value::String(MARK.into())).unwrap();
        let start = text
            .windows(mark.len())
            .position(|w| w == mark.as_slice())
            .unwrap();
        return [&text[..start], &raw[..], &text[start + mark.len()..]].concat();
    }
    let text = serde_json::to_vec(&v).unwrap();
    match mutation {
        Mutation::Truncate => {
            let cut = rng.next_u64() as usize % text.len().max(1);
            text[..cut].to_vec()
        }
        Mutation::Empty => Vec::new(),
        _ => text,
    }
}

/// Decodes `bytes` as the type; a value must encode and decode to itself, an error must name
/// the path. Panics are caught and reported as failures.
fn check(e: &Example, bytes: &[u8]) -> Result<bool, String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        kibana_serverless::roundtrip(&e.domain, &e.type_name, bytes).expect("a known type")
    }))
    .map_err(|p| {
        let text = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("PANIC: {text}")
    })?;
    match outcome {
        Ok(encoded) => {
            let again = common::roundtrip(&e.domain, &e.type_name, &encoded)
                .map_err(|err| format!("its own encoding does not decode: {err}"))?;
            if again != encoded {
                return Err(format!("encoding is not stable: {encoded} then {again}"));
            }
            Ok(true)
        }
        Err(message) if message.starts_with("at `") => Ok(false),
        Err(message) => Err(format!("an error without a path: {message}")),
    }
}

/// Every response example and synthesized response type, once per type and example.
fn instances() -> Vec<Example> {
    let mut all: Vec<Example> = common::examples()
        .into_iter()
        .filter(|e| !e.location.contains("request body"))
        .collect();
    all.extend(common::synthesized_responses());
    all
}

#[test]
fn mutations_of_every_response_decode_or_name_the_path() {
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let (mut tried, mut decoded, mut failures) = (0, 0, Vec::new());
    let all = instances();
    for (i, e) in all.iter().enumerate() {
        for mutation in MUTATIONS {
            // Large payloads on a sample: decoding megabytes per instance is slow in a debug build.
            let rounds = match mutation {
                Mutation::HugeString | Mutation::DeepNesting if !i.is_multiple_of(8) => 0,
                _ => ROUNDS,
            };
            for _ in 0..rounds {
                let bytes = mutate(&e.value, mutation, &mut rng);
                tried += 1;
                match check(e, &bytes) {
                    Ok(ok) => decoded += usize::from(ok),
                    Err(why) => failures.push(format!(
                        "{} {} ({}) {mutation:?}: {why}\n  {}",
                        e.operation,
                        e.location,
                        e.type_name,
                        String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
                    )),
                }
            }
        }
    }
    println!(
        "HOSTILE_RESPONSES={tried} over {} instances: {decoded} decoded, {} refused with a path, 0 panics",
        all.len(),
        tried - decoded - failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}

/// Arbitrary JSON values, including extreme numbers and strings.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z_]{1,12}", inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    /// Each arbitrary value, thrown at every response type.
    #[test]
    fn arbitrary_json_at_every_response_type(value in any_json()) {
        let bytes = serde_json::to_vec(&value).unwrap();
        // 48 values x every response type (printed once).
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| println!("ARBITRARY_VALUES=48 x {} response types", TYPES.len()));
        for e in TYPES.iter() {
            check(e, &bytes).map_err(|why| TestCaseError::fail(format!("{} ({}): {why}", e.operation, e.type_name)))?;
        }
    }
}

/// One instance per response type (the arbitrary values do not depend on the instance).
static TYPES: std::sync::LazyLock<Vec<Example>> = std::sync::LazyLock::new(|| {
    let mut seen = std::collections::BTreeSet::new();
    common::synthesized_responses()
        .into_iter()
        .filter(|e| seen.insert((e.domain.clone(), e.type_name.clone())))
        .collect()
});

/// Through a typed operation on the wire: hostile variants of an agent's answer come back as
/// the agent or as `Error::Decode` naming the path, with the body kept.
#[tokio::test]
async fn hostile_bodies_through_a_typed_operation() {
    use std::sync::{Arc, Mutex};
    use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

    struct Current(Arc<Mutex<Vec<u8>>>);
    impl Respond for Current {
        fn respond(&self, _: &Request) -> ResponseTemplate {
            let body = self.0.lock().unwrap().clone();
            ResponseTemplate::new(200).set_body_raw(body, "application/json")
        }
    }
    let body = Arc::new(Mutex::new(Vec::new()));
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(Current(body.clone()))
        .mount(&server)
        .await;
    let kibana = kibana_serverless::Kibana::new(&server.uri(), common::wire::CANARY_KEY).unwrap();
    let agent = json!({"item": {"id": "agent-1", "type": "PERMANENT", "active": true,
        "enrolled_at": "2024-01-01T00:00:00Z", "packages": [], "status": "online",
        "local_metadata": {"host": {"hostname": "h"}}, "policy_revision": 3}});
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let (mut decoded, mut refused) = (0, 0);
    for mutation in MUTATIONS {
        for _ in 0..8 {
            let bytes = mutate(&agent, mutation, &mut rng);
            *body.lock().unwrap() = bytes.clone();
            let result = kibana
                .fleet()
                .get_fleet_agents_agentid()
                .agent_id("agent-1")
                .send()
                .await;
            match result {
                Ok(_) => decoded += 1,
                Err(kibana_serverless::Error::Decode {
                    path,
                    message,
                    body,
                    ..
                }) => {
                    assert!(!path.is_empty() && !message.is_empty(), "{mutation:?}");
                    assert_eq!(&body[..], &bytes[..], "the body is kept as sent");
                    refused += 1;
                }
                Err(other) => panic!("{mutation:?}: {other}"),
            }
        }
    }
    println!("{decoded} decoded, {refused} refused with a path");
    assert!(refused > 0 && decoded > 0);
}
