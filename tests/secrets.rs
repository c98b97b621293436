//! A canary API key must never show up in Debug or Display output, errors, or logs, whatever
//! happens to the request. Logs are captured at TRACE for every target, the HTTP stack's
//! included.

mod common;

use common::canary::{capture_logs, secrets};
use common::wire::{CANARY_KEY, Wire, exact};
use kibana_serverless::{Credentials, Kibana, RetryPolicy};
use std::time::Duration;
use wiremock::matchers::path;
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn the_canary_never_leaks() {
    let captured = capture_logs(tracing::Level::TRACE);

    let mut outputs: Vec<String> = Vec::new();
    let w = Wire::start_with(
        RetryPolicy::default().backoff(Duration::from_millis(5), Duration::from_millis(10)),
    )
    .await;
    outputs.push(format!("{:?}", w.kibana));
    outputs.push(format!("{:?}", w.kibana.fleet()));
    outputs.push(format!(
        "{:?}",
        Kibana::builder(w.server.uri()).api_key(CANARY_KEY)
    ));
    for c in [
        Credentials::api_key(CANARY_KEY),
        Credentials::basic("elastic", "hunter2-password"),
        Credentials::bearer("bearer-canary-token"),
    ] {
        outputs.push(format!("{c:?}"));
        let k = Kibana::builder(w.server.uri())
            .credentials(c)
            .build()
            .unwrap();
        outputs.push(format!("{k:?}"));
    }

    // Success, Kibana errors, retries, a decode failure, a timeout, a refused connection.
    let health = serde_json::json!({"message": "", "state": "HEALTHY", "timestamp": "t"});
    w.expect(
        exact("GET", "/api/fleet/outputs/ok/health"),
        200,
        Some(&health),
    )
    .await;
    Mock::given(path("/api/fleet/outputs/unauthorized/health"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({"statusCode": 401, "error": "Unauthorized", "message": "unable to authenticate with provided credentials"})))
        .mount(&w.server)
        .await;
    Mock::given(path("/api/fleet/outputs/busy/health"))
        .respond_with(ResponseTemplate::new(503).set_body_string("Server is overloaded"))
        .mount(&w.server)
        .await;
    Mock::given(path("/api/fleet/outputs/garbled/health"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{not json"))
        .mount(&w.server)
        .await;
    Mock::given(path("/api/fleet/outputs/slow/health"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&w.server)
        .await;
    let fleet = w.kibana.fleet_outputs();
    let ok = fleet
        .get_fleet_outputs_outputid_health()
        .output_id("ok")
        .send()
        .await
        .unwrap();
    outputs.push(format!("{ok:?}"));
    for id in ["unauthorized", "busy", "garbled", "..", "unlisted"] {
        let err = fleet
            .get_fleet_outputs_outputid_health()
            .output_id(id)
            .send()
            .await
            .unwrap_err();
        outputs.push(format!("{err:?}"));
        outputs.push(err.to_string());
    }
    let slow = Kibana::builder(w.server.uri())
        .api_key(CANARY_KEY)
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = slow
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("slow")
        .send()
        .await
        .unwrap_err();
    outputs.push(format!("{err:?}"));
    outputs.push(err.to_string());
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let refused = Kibana::builder(url)
        .api_key(CANARY_KEY)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = refused
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("x")
        .send()
        .await
        .unwrap_err();
    outputs.push(format!("{err:?}"));
    outputs.push(err.to_string());
    let bad = Kibana::builder("http://u:canary-secret@localhost")
        .api_key(CANARY_KEY)
        .build()
        .unwrap_err();
    outputs.push(format!("{bad:?}"));
    outputs.push(bad.to_string());

    // Credentials Kibana returns (service tokens, agent API keys, TLS keys) are redacted too.
    let token: kibana_serverless::fleet::types::PostFleetServiceTokensResponse =
        serde_json::from_value(serde_json::json!({"name": "token-1", "value": "canary-secret"}))
            .unwrap();
    outputs.push(format!("{token:?}"));
    let agent: kibana_serverless::fleet::types::Agent = serde_json::from_value(serde_json::json!({
        "id": "a1", "packages": [], "type": "PERMANENT", "active": true, "enrolled_at": "t", "local_metadata": {},
        "access_api_key": "canary-secret", "default_api_key": "canary-secret"
    }))
    .unwrap();
    outputs.push(format!("{agent:?}"));
    let ssl: kibana_serverless::fleet_outputs::types::DownloadSourceSsl =
        serde_json::from_value(serde_json::json!({"key": "canary-secret"})).unwrap();
    outputs.push(format!("{ssl:?}"));
    assert!(
        outputs
            .iter()
            .rev()
            .take(3)
            .all(|o| o.contains("[redacted]"))
    );

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("kibana.request"),
        "the request span is logged: {logs}"
    );
    assert!(
        logs.contains("operation=\"get_fleet_outputs_outputid_health\"")
            || logs.contains("operation=get_fleet_outputs_outputid_health"),
        "{logs}"
    );
    outputs.push(logs);
    for secret in secrets() {
        for (i, output) in outputs.iter().enumerate() {
            assert!(
                !output.contains(&secret),
                "output {i} leaks {secret:?}:\n{output}"
            );
        }
    }
}

/// Fields `spec/secrets.yaml` does not list, redacted because their names say they hold a
/// credential: a chat request's LangSmith key, and the enrollment token a Kubernetes manifest
/// request carries as a query parameter.
#[test]
fn credentials_named_as_such_are_redacted_unlisted() {
    use kibana_serverless::security_ai_assistant::types::ChatCompleteProps;
    let props: ChatCompleteProps = serde_json::from_value(serde_json::json!({
        "connectorId": "my-connector",
        "langSmithApiKey": "lsv2-canary-key",
        "langSmithProject": "my-project",
        "messages": [],
        "persist": false
    }))
    .unwrap();
    let shown = format!("{props:?}");
    assert!(!shown.contains("lsv2-canary-key"), "{shown}");
    assert!(
        shown.contains("my-project") && shown.contains("my-connector"),
        "{shown}"
    );

    let kibana = Kibana::new("http://127.0.0.1:9", CANARY_KEY).unwrap();
    let request = kibana
        .fleet_policies()
        .get_fleet_kubernetes()
        .enrol_token("enrol-canary-token");
    let shown = format!("{request:?}");
    assert!(!shown.contains("enrol-canary-token"), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
}
