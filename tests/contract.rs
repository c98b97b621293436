//! Contract test against an independent server: Stoplight Prism serves our spec (the vendored
//! Kibana spec with our overlays) with request validation on, and every reference operation is
//! driven through the client, in Prism's static mode (answers from the spec's examples) and its
//! dynamic mode (answers generated from the schemas). Prism answers 4xx to any request that
//! violates the spec, so every call must succeed, and its answers must decode into our types.
//!
//! Run by `.ci/run` (which installs Prism from npm) as
//! `PRISM=target/prism/node_modules/.bin/prism cargo test --features contract-tests --test contract`.
//! Without Prism the test fails and says how to install it.

mod common;

use kibana_serverless::{Error, Kibana, RetryPolicy};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Prism {
    child: Child,
    url: String,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn prism_bin() -> PathBuf {
    let bin = std::env::var("PRISM")
        .map(PathBuf::from)
        .unwrap_or_else(|_| common::root().join("target/prism/node_modules/.bin/prism"));
    assert!(
        bin.exists(),
        "Prism is not installed at {}: run `npm install --prefix target/prism @stoplight/prism-cli@5.16.0` (or set PRISM to its binary)",
        bin.display()
    );
    bin
}

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

fn start(dynamic: bool) -> Prism {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = Command::new(prism_bin());
    cmd.args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()]);
    if dynamic {
        cmd.arg("-d");
    }
    let mut child = cmd
        .arg(overlaid_spec())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting prism");
    let stdout = child.stdout.take().unwrap();
    let started = Instant::now();
    let mut lines = BufReader::new(stdout).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.contains("Prism is listening") => break,
            Some(Ok(_)) => {}
            _ => panic!("prism exited before listening"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "prism did not start"
        );
    }
    // Keep draining its log so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Prism {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

fn typed<T: serde::de::DeserializeOwned>(v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap()
}

fn ok<T>(r: Result<T, Error>) -> Result<(), Error> {
    r.map(|_| ())
}

/// Each reference operation through the client: its outcome, by operation.
async fn drive(k: &Kibana) -> Vec<(&'static str, Result<(), Error>)> {
    use futures::TryStreamExt;
    use kibana_serverless::{
        detection_engine as de, endpoint, fleet, saved_objects as so, security_ai_assistant as ai,
    };
    let ex = |op: &str, i: usize| common::reference(op)[i].clone();
    vec![
        (
            "delete snooze schedule",
            ok(k.alerting()
                .delete_alerting_rule_ruleid_snooze_schedule_scheduleid()
                .rule_id("r1")
                .schedule_id("s1")
                .send()
                .await),
        ),
        (
            "get connector types",
            ok(k.connectors()
                .get_actions_connector_types()
                .feature_id("alerting")
                .send()
                .await),
        ),
        (
            "delete connector",
            ok(k.connectors()
                .delete_actions_connector_id()
                .id("c1")
                .send()
                .await),
        ),
        (
            "upgrade agent",
            ok(k.fleet()
                .post_fleet_agents_agentid_upgrade()
                .agent_id("a1")
                .body(typed::<fleet::types::PostFleetAgentsAgentidUpgradeBody>(
                    &ex("POST /api/fleet/agents/{agentId}/upgrade", 0),
                ))
                .send()
                .await),
        ),
        (
            "bulk reassign",
            ok(k.fleet()
                .post_fleet_agents_bulk_reassign()
                .body(typed::<fleet::types::PostFleetAgentsBulkReassignBody>(&ex(
                    "POST /api/fleet/agents/bulk_reassign",
                    0,
                )))
                .send()
                .await),
        ),
        (
            "get download source",
            ok(k.fleet()
                .get_fleet_agent_download_sources_sourceid()
                .source_id("s1")
                .send()
                .await),
        ),
        (
            "copy agent policy",
            ok(k.fleet()
                .post_fleet_agent_policies_agentpolicyid_copy()
                .agent_policy_id("p1")
                .format(fleet::types::PostFleetAgentPoliciesAgentpolicyidCopyFormat::Simplified)
                .body(typed::<
                    fleet::types::PostFleetAgentPoliciesAgentpolicyidCopyBody,
                >(&ex(
                    "POST /api/fleet/agent_policies/{agentPolicyId}/copy",
                    0,
                )))
                .send()
                .await),
        ),
        (
            "get agents",
            ok(k.fleet()
                .get_fleet_agents()
                .page(1)
                .per_page(20)
                .show_inactive(true)
                .sort_order(fleet::types::GetFleetAgentsSortOrder::Asc)
                .send()
                .await),
        ),
        (
            "get agent",
            ok(k.fleet()
                .get_fleet_agents_agentid()
                .agent_id("a1")
                .with_metrics(true)
                .send()
                .await),
        ),
        (
            "upload package",
            ok(k.fleet()
                .post_fleet_epm_packages()
                .ignore_mapping_update_errors(false)
                .upload(b"PK\x03\x04archive".to_vec(), None)
                .await),
        ),
        (
            "revoke enrollment key",
            ok(k.fleet()
                .delete_fleet_enrollment_api_keys_keyid()
                .key_id("k1")
                .send()
                .await),
        ),
        ("fleet setup", ok(k.fleet().post_fleet_setup().send().await)),
        (
            "output health",
            ok(k.fleet()
                .get_fleet_outputs_outputid_health()
                .output_id("o1")
                .send()
                .await),
        ),
        (
            "upgrade package policies",
            ok(k.fleet()
                .post_fleet_package_policies_upgrade()
                .body(typed::<fleet::types::PostFleetPackagePoliciesUpgradeBody>(
                    &ex("POST /api/fleet/package_policies/upgrade", 0),
                ))
                .send()
                .await),
        ),
        (
            "create service token",
            ok(k.fleet()
                .post_fleet_service_tokens()
                .body(typed::<fleet::types::PostFleetServiceTokensBody>(&ex(
                    "POST /api/fleet/service_tokens",
                    0,
                )))
                .send()
                .await),
        ),
        (
            "get roles",
            ok(k.security()
                .get_security_role()
                .replace_deprecated_privileges(true)
                .send()
                .await),
        ),
        (
            "export saved objects",
            async {
                let lines = k
                    .saved_objects()
                    .post_saved_objects_export()
                    .body(typed::<so::types::PostSavedObjectsExportBody>(&ex(
                        "POST /api/saved_objects/_export",
                        0,
                    )))
                    .lines()
                    .await?;
                lines.try_collect::<Vec<_>>().await.map(|_| ())
            }
            .await,
        ),
        (
            "create conversation",
            ok(k.security_ai_assistant()
                .create_conversation()
                .body(typed::<ai::types::ConversationCreateProps>(&ex(
                    "POST /api/security_ai_assistant/current_user/conversations",
                    0,
                )))
                .send()
                .await),
        ),
        (
            "read conversation",
            ok(k.security_ai_assistant()
                .read_conversation()
                .id("conv-1")
                .send()
                .await),
        ),
        (
            "update conversation",
            ok(k.security_ai_assistant()
                .update_conversation()
                .id("conv-1")
                .body(typed::<ai::types::ConversationUpdateProps>(&ex(
                    "PUT /api/security_ai_assistant/current_user/conversations/{id}",
                    0,
                )))
                .send()
                .await),
        ),
        (
            "create knowledge base",
            ok(k.security_ai_assistant()
                .create_knowledge_base()
                .resource("esql")
                .ignore_security_labs(true)
                .send()
                .await),
        ),
        (
            "find prompts",
            ok(k.security_ai_assistant()
                .find_prompts()
                .page(std::num::NonZeroU64::new(1).unwrap())
                .per_page(10u64)
                .send()
                .await),
        ),
        (
            "assign alerts",
            ok(k.detection_engine()
                .set_alert_assignees()
                .body(typed::<de::types::SetAlertAssigneesBody>(&ex(
                    "POST /api/detection_engine/signals/assignees",
                    0,
                )))
                .send()
                .await),
        ),
        (
            "set alert status",
            ok(k.detection_engine()
                .set_alerts_status()
                .body(typed::<de::types::SetAlertsStatusBody>(&ex(
                    "POST /api/detection_engine/signals/status",
                    0,
                )))
                .send()
                .await),
        ),
        (
            "suspend process",
            ok(k.endpoint()
                .endpoint_suspend_process_action()
                .body(typed::<endpoint::types::SuspendProcessRouteRequestBody>(
                    &ex("POST /api/endpoint/action/suspend_process", 0),
                ))
                .send()
                .await),
        ),
    ]
}

/// Prism 5 validates the export request (an invalid one gets its 400) and then cannot write an
/// `application/x-ndjson` answer: it says so with a 500 problem document. That outcome means the
/// request was accepted; the ndjson line type is checked against the spec's example elsewhere
/// (reference_examples.rs) and the stream on loopback servers (export_upload.rs).
fn prism_cannot_serialize_ndjson(op: &str, e: &Error) -> bool {
    op == "export saved objects"
        && matches!(e, Error::Api { status, body, .. }
            if status.as_u16() == 500
                && body.extra.get("title").and_then(Value::as_str) == Some("Cannot find serializer for application/x-ndjson"))
}

fn client(prism: &Prism) -> Kibana {
    Kibana::builder(&prism.url)
        .api_key("Y29udHJhY3Q6dGVzdA==")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_reference_operation_in_prisms_static_mode() {
    let prism = start(false);
    let outcomes = drive(&client(&prism)).await;
    assert_eq!(outcomes.len(), 25);
    let mut failures = Vec::new();
    for (op, outcome) in outcomes {
        match (op, outcome) {
            (op, Err(e)) if prism_cannot_serialize_ndjson(op, &e) => {}
            // Prism answers the reference's own example, whose numbers are text ("took": "76,"):
            // it must fail to decode, naming the field.
            ("assign alerts", Err(Error::Decode { path, .. })) if path == "took" => {}
            ("assign alerts", other) => failures.push(format!(
                "assign alerts: expected the decode error at `took`, got {other:?}"
            )),
            (_, Ok(())) => {}
            (op, Err(e)) => failures.push(format!("{op}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "Prism (static) disagrees:\n{}",
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_reference_operation_in_prisms_dynamic_mode() {
    let prism = start(true);
    // Generated data differs run to run: drive every operation several times.
    for round in 0..3 {
        let failures: Vec<String> = drive(&client(&prism))
            .await
            .into_iter()
            .filter_map(|(op, r)| {
                r.err()
                    .filter(|e| !prism_cannot_serialize_ndjson(op, e))
                    .map(|e| format!("{op}: {e}"))
            })
            .collect();
        assert!(
            failures.is_empty(),
            "Prism (dynamic, round {round}) disagrees:\n{}",
            failures.join("\n")
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
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
