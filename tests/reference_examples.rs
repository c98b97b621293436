//! Every JSON example of the API reference is in the spec, decodes into the generated type of its
//! operation, and encodes back to equivalent JSON.

mod common;

use serde_json::Value;

#[derive(serde::Deserialize)]
struct ReferenceExample {
    operation: String,
    line: usize,
    json: Value,
}

fn reference_examples() -> Vec<ReferenceExample> {
    let text =
        std::fs::read_to_string(common::root().join("tests/fixtures/reference_examples.json"))
            .expect("fixture");
    serde_json::from_str(&text).expect("fixture parses")
}

/// The reference's success example for SetAlertAssignees prints every number as a string with a
/// trailing comma (`"took": "76,"`) and `retries` as a list: it is not what Kibana sends. The
/// type stays correct, and decoding it must fail with an error that names the field.
fn is_known_wrong(example: &common::Example) -> bool {
    example.operation == "POST /api/detection_engine/signals/assignees"
        && example.location.starts_with("200 ")
}

#[test]
fn every_reference_example_is_in_the_spec() {
    let examples = common::examples();
    let reference = reference_examples();
    assert_eq!(
        reference.len(),
        57,
        "the fixture holds the reference's 57 JSON examples"
    );
    for r in &reference {
        let found = examples
            .iter()
            .any(|e| e.operation == r.operation && e.value == r.json);
        assert!(
            found,
            "the example at line {} of the reference ({}) is not in the spec",
            r.line, r.operation
        );
    }
}

#[test]
fn every_example_decodes_and_encodes_back() {
    let examples = common::examples();
    let mut checked = 0;
    for e in examples.iter().filter(|e| !is_known_wrong(e)) {
        let encoded = common::roundtrip(&e.domain, &e.type_name, &e.value).unwrap_or_else(|err| {
            panic!(
                "{} {} does not decode as {}: {err}",
                e.operation, e.location, e.type_name
            )
        });
        common::equivalent(&e.value, &encoded).unwrap_or_else(|diff| {
            panic!(
                "{} {} changes when encoded back: {diff}",
                e.operation, e.location
            )
        });
        checked += 1;
    }
    assert!(checked >= 56, "only {checked} examples checked");
}

#[test]
fn the_wrong_reference_example_fails_with_a_clear_error() {
    let wrong: Vec<common::Example> = common::examples()
        .into_iter()
        .filter(is_known_wrong)
        .collect();
    assert_eq!(wrong.len(), 1);
    let e = &wrong[0];
    assert_eq!(e.value["took"], "76,", "the reference's text is kept as is");
    let err = common::roundtrip(&e.domain, &e.type_name, &e.value)
        .expect_err("a string is not an integer");
    assert!(
        err.contains("at `")
            && err.contains("invalid type: string \"")
            && err.contains("expected a whole number"),
        "{err}"
    );
}

#[test]
fn every_error_body_shape_decodes() {
    // The shapes Kibana answers errors in, including text the spec never declares.
    for body in [
        r#"{"statusCode":400,"error":"Bad Request","message":"bad"}"#,
        r#"{"statusCode":400,"error":"Bad Request","message":"bad","errorType":"FleetError","attributes":{"x":1}}"#,
        r#"{"message":"bad","status_code":500}"#,
        r#"{"message":"bad"}"#,
        r#"{"message":"bad","unexpected":[1,2]}"#,
    ] {
        let value: Value = serde_json::from_str(body).unwrap();
        let encoded = common::roundtrip("fleet", "KibanaErrorBody", &value).unwrap();
        common::equivalent(&value, &encoded).unwrap();
    }
}
