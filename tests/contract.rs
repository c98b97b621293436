//! Contract test against an independent server: Stoplight Prism serves our spec (the vendored
//! Kibana spec with our overlays) with request validation on, and every operation of the model is
//! driven through the client, in Prism's static mode (answers from the spec's examples) and its
//! dynamic mode (answers generated from the schemas); see `kibana_serverless_testkit::prism`.
//! Prism answers 4xx to any request that violates the spec, so every call must succeed, and its
//! answers must decode into our types.
//!
//! Needs Prism, so its tests are ignored by a plain `cargo test`; `.ci/run` installs Prism from
//! npm and runs them as `PRISM=target/prism/node_modules/.bin/prism cargo test --workspace --test
//! contract -- --ignored`. Without Prism they fail and say how to install it. (An ignored test,
//! not a cargo feature: a feature would compile the whole client a second time.)

mod common;

use kibana_serverless::{Error, Kibana, RetryPolicy};
use kibana_serverless_testkit::prism;
use std::path::PathBuf;
use std::process::Command;

use common::Client;

/// The vendored spec with our overlays, written once per test process.
fn overlaid_spec() -> PathBuf {
    static SPEC: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        if let Ok(spec) = std::env::var("CONTRACT_SPEC") {
            return PathBuf::from(spec);
        }
        let out = common::root().join("target/contract-spec.json");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "run",
                "--quiet",
                "-p",
                "xtask",
                "--",
                "overlaid-spec",
                "--out",
            ])
            .arg(&out)
            .current_dir(common::root())
            .status()
            .unwrap();
        assert!(status.success(), "cargo xtask overlaid-spec failed");
        out
    })
    .clone()
}

fn start(dynamic: bool) -> prism::Prism {
    let bin = prism::binary(&common::root().join("target/prism/node_modules/.bin/prism"));
    prism::start(&bin, &overlaid_spec(), dynamic)
}

fn client(prism: &prism::Prism) -> Kibana {
    Kibana::builder(&prism.url)
        .api_key("Y29udHJhY3Q6dGVzdA==")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Stoplight Prism; .ci/run runs it with --ignored (see the module docs)"]
async fn every_operation_in_prisms_static_mode() {
    let prism = start(false);
    let (manifest, specs) = (common::manifest(), common::domain_specs());
    let outcomes = prism::drive(&Client(client(&prism)), &manifest, &specs).await;
    let operations = manifest["operations"].as_array().map_or(0, Vec::len);
    assert_eq!(outcomes.len(), operations, "every operation is driven");
    // The reference's SetAlertAssignees example (`"took": "76,"`) contradicts its schema: the
    // client must refuse it, naming the field.
    let assignees = outcomes
        .iter()
        .find(|(op, _)| op == "set_alert_assignees")
        .map(|(_, r)| r);
    assert!(
        matches!(assignees, Some(Err(Error::Decode { path, .. })) if path == "took"),
        "{assignees:?}"
    );
    let failures = prism::static_failures(&manifest, &specs, outcomes);
    assert!(
        failures.is_empty(),
        "Prism (static) disagrees:\n{}",
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Stoplight Prism; .ci/run runs it with --ignored (see the module docs)"]
async fn every_operation_in_prisms_dynamic_mode() {
    // Generated data differs run to run: every operation three times.
    let prism = start(true);
    let (manifest, specs) = (common::manifest(), common::domain_specs());
    let failures = prism::dynamic_failures(&Client(client(&prism)), &manifest, &specs, 3).await;
    assert!(
        failures.is_empty(),
        "Prism (dynamic) disagrees:\n{}",
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Stoplight Prism; .ci/run runs it with --ignored (see the module docs)"]
async fn prism_rejects_requests_that_break_the_spec() {
    // The check has teeth: without `kbn-xsrf`, or without a required body field, Prism refuses.
    let prism = start(false);
    // Building the client installs the TLS crypto provider reqwest needs.
    let _ = client(&prism);
    let http = reqwest::Client::builder().build().unwrap();
    let url = format!("{}/api/fleet/agents/bulk_reassign", prism.url);
    let auth = ("authorization", "ApiKey Y29udHJhY3Q6dGVzdA==");
    let no_xsrf = http
        .post(&url)
        .header(auth.0, auth.1)
        .json(&serde_json::json!({"agents": ["a"], "policy_id": "p"}))
        .send()
        .await
        .unwrap();
    assert!(no_xsrf.status().is_client_error(), "{}", no_xsrf.status());
    let no_policy = http
        .post(&url)
        .header(auth.0, auth.1)
        .header("kbn-xsrf", "true")
        .json(&serde_json::json!({"agents": ["a"]}))
        .send()
        .await
        .unwrap();
    assert!(
        no_policy.status().is_client_error(),
        "{}",
        no_policy.status()
    );
    let fine = http
        .post(&url)
        .header(auth.0, auth.1)
        .header("kbn-xsrf", "true")
        .json(&serde_json::json!({"agents": ["a"], "policy_id": "p"}))
        .send()
        .await
        .unwrap();
    assert!(fine.status().is_success(), "{}", fine.status());
}
