//! Kibana grows: every response type must decode a body with fields it does not know, and keep
//! them, and enum values added later. The cases are generated, not picked: from every response example of the
//! spec and from a synthesized instance of every response type, an extra field is put in each
//! object whose shape the schema fixes, and an unknown value at each string-enum site.

mod common;

use common::{Example, Site};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

const UNKNOWN: &str = "value-from-a-newer-kibana";

/// Every response example and synthesized response. An example that contradicts its own schema
/// fails to decode whatever is added to it (`reference_examples.rs` checks that it does), so it
/// is left out.
fn response_instances(specs: &Map<String, Value>) -> Vec<Example> {
    let mut all: Vec<Example> = common::examples()
        .into_iter()
        .filter(|e| !e.location.contains("request body") && !common::contradicts(specs, e))
        .collect();
    all.extend(common::synthesized_responses());
    all
}

#[test]
fn synthesized_instances_decode() {
    let specs = common::domain_specs();
    for e in common::synthesized_responses() {
        let encoded = common::roundtrip(&e.domain, &e.type_name, &e.value)
            .unwrap_or_else(|err| panic!("{} {}: {err}\n{}", e.operation, e.location, e.value));
        common::equivalent_in(&specs[&e.domain], &e.schema, &e.value, &encoded)
            .unwrap_or_else(|d| panic!("{} {}: {d}", e.operation, e.location));
    }
}

#[test]
fn extra_fields_decode_in_every_response_type() {
    let specs = common::domain_specs();
    let mut covered = BTreeSet::new();
    let mut cases = 0;
    for e in response_instances(&specs) {
        let spec = &specs[&e.domain];
        for site in common::sites(spec, &e.schema, &e.value) {
            let Site::Struct(at) = site else { continue };
            let mut mutated = e.value.clone();
            let object = mutated
                .pointer_mut(&at)
                .and_then(Value::as_object_mut)
                .expect("site is an object");
            object.insert(
                "fieldFromANewerKibana".into(),
                json!({"nested": [1, "two"]}),
            );
            let encoded =
                common::roundtrip(&e.domain, &e.type_name, &mutated).unwrap_or_else(|err| {
                    panic!(
                        "{} {}: an extra field at {at:?} fails decoding: {err}",
                        e.operation, e.location
                    )
                });
            // And it is kept: encoded back, it is where Kibana put it.
            assert_eq!(
                encoded.pointer(&format!("{at}/fieldFromANewerKibana")),
                Some(&json!({"nested": [1, "two"]})),
                "{} {} ({}): the extra field at {at:?} is lost",
                e.operation,
                e.location,
                e.type_name
            );
            covered.insert((e.domain.clone(), e.type_name.clone()));
            cases += 1;
        }
    }
    // Every response type of every operation that holds a struct got at least one case.
    for e in common::synthesized_responses() {
        let spec = &specs[&e.domain];
        let has_struct = common::sites(spec, &e.schema, &e.value)
            .iter()
            .any(|s| matches!(s, Site::Struct(_)));
        if !has_struct {
            continue;
        }
        assert!(
            covered.contains(&(e.domain.clone(), e.type_name.clone())),
            "{} {} ({}) had no case",
            e.operation,
            e.location,
            e.type_name
        );
    }
    assert!(cases >= 100, "only {cases} cases");
}

#[test]
fn unknown_enum_values_decode_and_survive_encoding() {
    let specs = common::domain_specs();
    let mut cases = 0;
    for e in response_instances(&specs) {
        let spec = &specs[&e.domain];
        for site in common::sites(spec, &e.schema, &e.value) {
            let Site::Enum(at) = site else { continue };
            let mut mutated = e.value.clone();
            *mutated.pointer_mut(&at).expect("site exists") = json!(UNKNOWN);
            let encoded =
                common::roundtrip(&e.domain, &e.type_name, &mutated).unwrap_or_else(|err| {
                    panic!(
                        "{} {}: unknown enum value at {at:?} fails decoding: {err}",
                        e.operation, e.location
                    )
                });
            assert_eq!(
                encoded.pointer(&at),
                Some(&json!(UNKNOWN)),
                "{} {}: the unknown value at {at:?} is lost",
                e.operation,
                e.location
            );
            common::equivalent_in(spec, &e.schema, &mutated, &encoded).unwrap();
            cases += 1;
        }
    }
    assert!(cases >= 30, "only {cases} cases");
}
