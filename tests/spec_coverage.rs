//! Every operation of the API reference is in the vendored spec and in the generated client.

mod common;

use serde_json::Value;
use std::collections::BTreeSet;

fn reference_operations() -> BTreeSet<String> {
    let text =
        std::fs::read_to_string(common::root().join("tests/fixtures/reference_operations.txt"))
            .expect("fixture");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn fixture_matches_the_api_reference_when_it_is_present() {
    // The fixture is the reference's operation list; where the reference itself is at hand
    // (`../shared/seed`, as in CI), the two must agree.
    let reference = common::root().join("../shared/seed/kibana-serverless-api-reference.txt");
    let Ok(text) = std::fs::read_to_string(&reference) else {
        assert_eq!(reference_operations().len(), 25);
        return;
    };
    let from_reference: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("--request "))
        .filter_map(|l| {
            let (method, rest) = l.split_once(' ')?;
            let url = rest.trim().trim_end_matches('\\').trim().trim_matches('\'');
            let path = url.split_once("5622").map(|(_, p)| p)?;
            Some(format!("{method} {path}"))
        })
        .collect();
    assert_eq!(from_reference, reference_operations());
}

#[test]
fn every_reference_operation_is_generated_and_none_skipped() {
    let manifest = common::manifest();
    let generated: BTreeSet<String> = manifest["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .map(|o| {
            format!(
                "{} {}",
                o["method"].as_str().unwrap(),
                o["path"].as_str().unwrap()
            )
        })
        .collect();
    let wanted = reference_operations();
    let missing: Vec<&String> = wanted.difference(&generated).collect();
    assert!(missing.is_empty(), "not generated: {missing:#?}");
    assert_eq!(
        manifest["skipped"],
        Value::Array(vec![]),
        "no operation may be skipped"
    );
    for op in manifest["operations"].as_array().unwrap() {
        assert!(
            op["rust_method"].as_str().is_some_and(|m| !m.is_empty()),
            "{op}"
        );
        assert!(op["domain"].as_str().is_some_and(|d| !d.is_empty()), "{op}");
    }
}

#[test]
fn every_reference_operation_is_in_the_vendored_spec() {
    let text =
        std::fs::read_to_string(common::root().join("spec/kibana.serverless.yaml")).expect("spec");
    let spec: Value = serde_yaml::from_str(&text).expect("spec parses");
    for op in reference_operations() {
        let (method, path) = op.split_once(' ').unwrap();
        let operation = &spec["paths"][path][method.to_lowercase()];
        assert!(
            operation.is_object(),
            "{op} is not in spec/kibana.serverless.yaml"
        );
        assert!(
            operation["operationId"].is_string(),
            "{op} has no operationId"
        );
        assert!(
            operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
            "{op} has no tag"
        );
        assert!(
            operation["responses"]
                .as_object()
                .is_some_and(|r| !r.is_empty()),
            "{op} has no responses"
        );
    }
}
