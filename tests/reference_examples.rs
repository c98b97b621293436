//! Every JSON example of the API reference is in the spec, decodes into the generated type of its
//! operation, and encodes back to equivalent JSON.

mod common;

use serde_json::{Map, Value};

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

/// An example that contradicts its own schema: the reference's SetAlertAssignees success prints
/// every number as a string with a trailing comma (`"took": "76,"`), and some examples Kibana
/// publishes lack fields its schema requires. The types stay correct; decoding such an example
/// must fail with an error that names the field.
fn is_known_wrong(specs: &Map<String, Value>, example: &common::Example) -> bool {
    common::contradicts(specs, example)
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
    let specs = common::domain_specs();
    let mut checked = 0;
    for e in examples.iter().filter(|e| !is_known_wrong(&specs, e)) {
        let encoded = common::roundtrip(&e.domain, &e.type_name, &e.value).unwrap_or_else(|err| {
            panic!(
                "{} {} does not decode as {}: {err}",
                e.operation, e.location, e.type_name
            )
        });
        // A response keeps the fields an example has beyond its schema (a spec that lags its
        // examples) in its structs' `unknown_fields`, so all of it comes back; a body the
        // caller builds has its schema's fields only, and every declared one comes back.
        let spec = &specs[&e.domain];
        let expected = if e.location.starts_with("request") {
            kibana_serverless_mock::schema::declared(spec, &e.schema, &e.value)
        } else {
            e.value.clone()
        };
        common::equivalent_in(spec, &e.schema, &expected, &encoded).unwrap_or_else(|diff| {
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
    let specs = common::domain_specs();
    let wrong: Vec<common::Example> = common::examples()
        .into_iter()
        .filter(|e| is_known_wrong(&specs, e))
        .collect();
    let assignees = wrong
        .iter()
        .find(|e| e.operation == "POST /api/detection_engine/signals/assignees")
        .expect("the reference's SetAlertAssignees example contradicts its schema");
    assert_eq!(
        assignees.value["took"], "76,",
        "the reference's text is kept as is"
    );
    for e in &wrong {
        // Error bodies decode whatever their shape: a wrong-typed field is kept aside, not lost.
        if e.type_name == "KibanaErrorBody" {
            let encoded = common::roundtrip(&e.domain, &e.type_name, &e.value)
                .unwrap_or_else(|err| panic!("{} {}: {err}", e.operation, e.location));
            common::equivalent(&e.value, &encoded)
                .unwrap_or_else(|diff| panic!("{} {}: {diff}", e.operation, e.location));
            continue;
        }
        let err = common::roundtrip(&e.domain, &e.type_name, &e.value).expect_err(&format!(
            "{} {} contradicts its schema, yet decodes",
            e.operation, e.location
        ));
        assert!(
            err.starts_with("at `"),
            "{} {}: {err}",
            e.operation,
            e.location
        );
    }
    let err =
        common::roundtrip(&assignees.domain, &assignees.type_name, &assignees.value).unwrap_err();
    assert!(
        err.contains("invalid type: string \"") && err.contains("expected a whole number"),
        "{err}"
    );
    println!("{} examples contradict their schema", wrong.len());
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
