//! The client layer on the wire: spaces, error shapes, retries and their limits, timeouts,
//! connection failures, hostile ids. Every test talks to a real server on loopback.

mod common;

use common::wire::{CANARY_KEY, Wire, exact};
use kibana_serverless::{Error, Kibana, RetryPolicy};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const OK_HEALTH: &str = r#"{"message":"","state":"HEALTHY","timestamp":"2025-01-01T00:00:00Z"}"#;

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default().backoff(Duration::from_millis(20), Duration::from_millis(100))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Answers are asked for compressed and decoded; the body limit holds for the decoded answer,
/// so 100 KB that expand to 64 MiB are refused; `compression(false)` asks for none.
#[tokio::test]
async fn compressed_answers() {
    let server = wiremock::MockServer::start().await;
    let health = "/api/fleet/outputs/o1/health";
    Mock::given(method("GET"))
        .and(path(health))
        .and(wiremock::matchers::header("accept-encoding", "gzip"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-encoding", "gzip")
                .set_body_raw(gzip(OK_HEALTH.as_bytes()), "application/json"),
        )
        .mount(&server)
        .await;
    let kibana = Kibana::builder(server.uri())
        .api_key(CANARY_KEY)
        .build()
        .unwrap();
    let answer = kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.state, "HEALTHY");

    // A message of 64 MiB of spaces: about 64 KB compressed.
    let mut bomb = br#"{"message":""#.to_vec();
    bomb.resize(bomb.len() + (64 << 20), b' ');
    bomb.extend_from_slice(br#"","state":"HEALTHY","timestamp":"t"}"#);
    let bomb = gzip(&bomb);
    assert!(bomb.len() < 200_000, "{}", bomb.len());
    Mock::given(method("GET"))
        .and(path("/api/fleet/outputs/bomb/health"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-encoding", "gzip")
                .set_body_raw(bomb, "application/json"),
        )
        .mount(&server)
        .await;
    let limited = Kibana::builder(server.uri())
        .api_key(CANARY_KEY)
        .max_body_size(4 << 20)
        .build()
        .unwrap();
    let err = limited
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("bomb")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { .. }), "{err:?}");

    let plain = Kibana::builder(server.uri())
        .api_key(CANARY_KEY)
        .compression(false)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let _ = plain
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await;
    let requests = server.received_requests().await.unwrap();
    let last = requests.last().unwrap();
    assert!(
        !last.headers.contains_key("accept-encoding"),
        "{:?}",
        last.headers
    );
}

#[tokio::test]
async fn spaces_prefix_every_operation() {
    let w = Wire::start().await;
    let team = w.kibana.space("team-a").unwrap();
    let health: serde_json::Value = serde_json::from_str(OK_HEALTH).unwrap();
    w.expect(
        exact("GET", "/s/team-a/api/fleet/outputs/o1/health"),
        200,
        Some(&health),
    )
    .await;
    team.fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap();
    w.expect(
        exact("DELETE", "/s/team-a/api/actions/connector/c1"),
        204,
        None,
    )
    .await;
    team.connectors()
        .delete_actions_connector_id()
        .id("c1")
        .send()
        .await
        .unwrap();
    let body = json!({"status": "closed", "signal_ids": ["a1"]});
    let result = json!({"took": 1, "updated": 1});
    w.expect(
        exact("POST", "/s/team-a/api/detection_engine/signals/status").json(&body),
        200,
        Some(&result),
    )
    .await;
    team.detection_engine().set_alerts_status().body(serde_json::from_value::<kibana_serverless::detection_engine::types::SetAlertsStatusBody>(body).unwrap()).send().await.unwrap();
    // A space of a space-scoped client replaces nothing: it nests, as Kibana's URLs would.
    assert!(team.base_url().ends_with("/s/team-a"));
    // The original client is unchanged.
    w.expect(
        exact("GET", "/api/fleet/outputs/o1/health"),
        200,
        Some(&health),
    )
    .await;
    w.kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap();
    assert!(matches!(
        w.kibana.space("Team A"),
        Err(kibana_serverless::BuildError::InvalidSpace(_))
    ));
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix() {
    let w = Wire::start().await;
    let kibana = Kibana::builder(format!("{}/kibana/", w.server.uri()))
        .api_key(CANARY_KEY)
        .build()
        .unwrap();
    w.expect(
        exact("GET", "/kibana/api/fleet/outputs/o1/health"),
        200,
        Some(&serde_json::from_str(OK_HEALTH).unwrap()),
    )
    .await;
    kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap();
}

async fn error_for(body: ResponseTemplate) -> Error {
    let w = Wire::start().await;
    Mock::given(method("GET"))
        .and(path("/api/fleet/outputs/o1/health"))
        .respond_with(body)
        .mount(&w.server)
        .await;
    w.kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap_err()
}

#[tokio::test]
async fn every_error_shape() {
    let platform = error_for(ResponseTemplate::new(400).set_body_json(
        json!({"statusCode": 400, "error": "Bad Request", "message": "[request query]: bad"}),
    ))
    .await;
    assert_eq!(platform.status().unwrap().as_u16(), 400);
    assert_eq!(platform.message(), Some("[request query]: bad"));
    assert_eq!(
        platform.to_string(),
        "Kibana answered 400 Bad Request: Bad Request: [request query]: bad"
    );

    let fleet = error_for(ResponseTemplate::new(404).set_body_json(json!({"statusCode": 404, "error": "Not Found", "message": "Output o1 not found", "errorType": "OutputNotFoundError", "attributes": {"id": "o1"}}))).await;
    let body = fleet.body().unwrap();
    assert_eq!(body.error_type.as_deref(), Some("OutputNotFoundError"));
    assert_eq!(body.attributes, Some(json!({"id": "o1"})));
    assert_eq!(body.status(), Some(404));

    let security = error_for(
        ResponseTemplate::new(500).set_body_json(json!({"message": "boom", "status_code": 500})),
    )
    .await;
    assert_eq!(security.message(), Some("boom"));
    assert_eq!(security.body().unwrap().status(), Some(500));

    let bare =
        error_for(ResponseTemplate::new(403).set_body_json(json!({"message": "forbidden"}))).await;
    assert_eq!(bare.message(), Some("forbidden"));

    let text = error_for(ResponseTemplate::new(429).set_body_string("Server is overloaded")).await;
    match &text {
        Error::Api {
            status, raw, body, ..
        } => {
            assert_eq!(status.as_u16(), 429);
            assert_eq!(raw.as_deref(), Some("Server is overloaded"));
            assert_eq!(body.message.as_deref(), Some("Server is overloaded"));
        }
        other => panic!("{other:?}"),
    }
    let html =
        error_for(ResponseTemplate::new(502).set_body_raw("<html>Bad gateway</html>", "text/html"))
            .await;
    assert!(
        matches!(&html, Error::Api { raw: Some(r), .. } if r.contains("Bad gateway")),
        "{html:?}"
    );
}

#[tokio::test]
async fn a_success_body_that_does_not_fit_names_the_path() {
    let w = Wire::start().await;
    let page = json!({"items": [{"id": "a", "packages": [], "type": "PERMANENT", "active": true, "enrolled_at": "x", "local_metadata": {}}, {"id": 7}], "total": 2, "page": 1, "perPage": 20});
    Mock::given(path("/api/fleet/agents"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&w.server)
        .await;
    match w
        .kibana
        .fleet()
        .get_fleet_agents()
        .send()
        .await
        .unwrap_err()
    {
        Error::Decode {
            path,
            message,
            status,
            ..
        } => {
            assert_eq!(path, "items[1].id");
            assert!(message.contains("invalid type: integer `7`"), "{message}");
            assert_eq!(status.unwrap().as_u16(), 200);
        }
        other => panic!("{other:?}"),
    }
}

/// A body of many chunks is read into one buffer; a decode error keeps all of it.
#[tokio::test]
async fn a_large_body_that_does_not_fit_is_kept_whole() {
    let w = Wire::start().await;
    let good = json!({"id": "a", "packages": [], "type": "PERMANENT", "active": true, "enrolled_at": "x", "local_metadata": {"notes": "n".repeat(400)}});
    let mut items = vec![good; 5000];
    items.push(json!({"id": 7}));
    let body =
        serde_json::to_vec(&json!({"items": items, "total": 5001, "page": 1, "perPage": 5001}))
            .unwrap();
    assert!(body.len() > 2_000_000);
    Mock::given(path("/api/fleet/agents"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"))
        .mount(&w.server)
        .await;
    match w
        .kibana
        .fleet()
        .get_fleet_agents()
        .send()
        .await
        .unwrap_err()
    {
        Error::Decode {
            path, body: kept, ..
        } => {
            assert_eq!(path, "items[5000].id");
            assert_eq!(kept, body);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn retries_503_then_succeeds() {
    let w = Wire::start_with(fast_retries()).await;
    Mock::given(path("/api/fleet/outputs/o1/health"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&w.server)
        .await;
    Mock::given(path("/api/fleet/outputs/o1/health"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(OK_HEALTH, "application/json"))
        .expect(1)
        .mount(&w.server)
        .await;
    let r = w
        .kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.state, "HEALTHY");
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let w = Wire::start_with(fast_retries()).await;
    Mock::given(path("/api/fleet/outputs/o1/health"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "2"))
        .up_to_n_times(1)
        .mount(&w.server)
        .await;
    Mock::given(path("/api/fleet/outputs/o1/health"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(OK_HEALTH, "application/json"))
        .mount(&w.server)
        .await;
    let started = Instant::now();
    w.kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "waited only {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    let w = Wire::start_with(fast_retries()).await;
    // HTTP dates have whole seconds: 2 s ahead means a wait between 1 and 2 s.
    let when = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    Mock::given(path("/api/fleet/outputs/o1/health"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", when.as_str()))
        .up_to_n_times(1)
        .mount(&w.server)
        .await;
    Mock::given(path("/api/fleet/outputs/o1/health"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(OK_HEALTH, "application/json"))
        .mount(&w.server)
        .await;
    let started = Instant::now();
    w.kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited only {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_429_without_retry_after_backs_off() {
    let policy = RetryPolicy::default().backoff(Duration::from_millis(200), Duration::from_secs(1));
    let w = Wire::start_with(policy).await;
    Mock::given(path("/api/fleet/outputs/o1/health"))
        .respond_with(ResponseTemplate::new(429).set_body_string("Server is overloaded"))
        .up_to_n_times(2)
        .expect(2)
        .mount(&w.server)
        .await;
    Mock::given(path("/api/fleet/outputs/o1/health"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(OK_HEALTH, "application/json"))
        .mount(&w.server)
        .await;
    let started = Instant::now();
    w.kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap();
    // Two waits: at least half of 200 ms, then half of 400 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "waited only {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn post_is_not_retried_by_default_but_can_be() {
    let w = Wire::start_with(fast_retries()).await;
    Mock::given(path("/api/fleet/setup"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&w.server)
        .await;
    let err = w
        .kibana
        .fleet()
        .post_fleet_setup()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 503);
    drop(w);

    let w = Wire::start_with(fast_retries()).await;
    Mock::given(path("/api/fleet/setup"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .mount(&w.server)
        .await;
    Mock::given(path("/api/fleet/setup"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"isInitialized": true, "nonFatalErrors": []})),
        )
        .expect(1)
        .mount(&w.server)
        .await;
    let kibana = w.kibana.with_retry_policy(
        fast_retries().retry_post_for([kibana_serverless::fleet::operations::POST_FLEET_SETUP]),
    );
    assert!(
        kibana
            .fleet()
            .post_fleet_setup()
            .send()
            .await
            .unwrap()
            .is_initialized
    );
}

#[tokio::test]
async fn conflicts_are_retried_only_when_opted_in() {
    let w = Wire::start_with(fast_retries()).await;
    Mock::given(path("/api/fleet/agents/a1"))
        .respond_with(ResponseTemplate::new(409).set_body_json(
            json!({"statusCode": 409, "error": "Conflict", "message": "version conflict"}),
        ))
        .expect(1)
        .mount(&w.server)
        .await;
    let err = w
        .kibana
        .fleet()
        .get_fleet_agents_agentid()
        .agent_id("a1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 409);
    drop(w);

    let w = Wire::start_with(fast_retries().retry_conflicts(true)).await;
    Mock::given(path("/api/fleet/agents/a1"))
        .respond_with(ResponseTemplate::new(409))
        .up_to_n_times(1)
        .expect(1)
        .mount(&w.server)
        .await;
    let agent = json!({"item": {"id": "a1", "packages": [], "type": "PERMANENT", "active": true, "enrolled_at": "x", "local_metadata": {}}});
    Mock::given(path("/api/fleet/agents/a1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(agent))
        .expect(1)
        .mount(&w.server)
        .await;
    w.kibana
        .fleet()
        .get_fleet_agents_agentid()
        .agent_id("a1")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn attempts_and_deadline_bound_the_retries() {
    let w = Wire::start_with(fast_retries().max_attempts(3)).await;
    Mock::given(path("/api/fleet/outputs/o1/health"))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&w.server)
        .await;
    let err = w
        .kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 503);
    drop(w);

    // Waits are 0.3-0.6 s, then 0.6-1.2 s (jitter): a 0.9 s deadline allows the first only.
    let policy = RetryPolicy::default()
        .max_attempts(10)
        .backoff(Duration::from_millis(600), Duration::from_secs(10))
        .deadline(Duration::from_millis(900));
    let w = Wire::start_with(policy).await;
    Mock::given(path("/api/fleet/outputs/o1/health"))
        .respond_with(ResponseTemplate::new(503))
        .expect(2)
        .mount(&w.server)
        .await;
    let started = Instant::now();
    let err = w
        .kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 503);
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    drop(w);

    // A Retry-After beyond what the policy waits for ends the retries at once.
    let w = Wire::start_with(fast_retries().max_retry_after(Duration::from_secs(5))).await;
    Mock::given(path("/api/fleet/outputs/o1/health"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "3600"))
        .expect(1)
        .mount(&w.server)
        .await;
    match w
        .kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap_err()
    {
        Error::Api { retry_after, .. } => assert_eq!(retry_after, Some(Duration::from_secs(3600))),
        other => panic!("{other:?}"),
    }
}

/// A server that resets the first `resets` connections, then answers `body` with 200.
async fn flaky_server(
    resets: usize,
    body: &'static str,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buf = vec![0u8; 8192];
            let _ = socket.read(&mut buf).await;
            if n < resets {
                // Close with RST rather than FIN.
                let _ = socket.set_zero_linger();
                drop(socket);
                continue;
            }
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    (format!("http://{addr}"), seen)
}

#[tokio::test]
async fn a_connection_reset_is_retried_for_reads() {
    let (url, seen) = flaky_server(1, OK_HEALTH).await;
    let kibana = Kibana::builder(url)
        .api_key(CANARY_KEY)
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let r = kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.state, "HEALTHY");
    assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 2);

    let (url, seen) = flaky_server(1, OK_HEALTH).await;
    let kibana = Kibana::builder(url)
        .api_key(CANARY_KEY)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_transport(), "{err:?}");
    assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let kibana = Kibana::builder(url)
        .api_key(CANARY_KEY)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connect(_)), "{err:?}");
}

#[tokio::test]
async fn a_slow_server_hits_the_timeout() {
    let w = Wire::start().await;
    Mock::given(path("/api/fleet/outputs/o1/health"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(OK_HEALTH, "application/json")
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&w.server)
        .await;
    let kibana = Kibana::builder(w.server.uri())
        .api_key(CANARY_KEY)
        .timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let started = Instant::now();
    let err = kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn an_argument_that_does_not_convert_is_refused_with_its_reason() {
    let w = Wire::start().await;
    let err = w
        .kibana
        .attack_discovery()
        .get_attack_discovery_schedules()
        .id("")
        .send()
        .await
        .unwrap_err();
    // Kibana requires a non-empty schedule id; the error says which argument and why.
    assert!(
        matches!(&err, Error::InvalidRequest(m)
            if m == "conversion to `NonEmptyString` for id failed: shorter than 1 characters"),
        "{err:?}"
    );
    let sent = w.server.received_requests().await.unwrap_or_default();
    assert!(sent.is_empty(), "nothing is sent: {sent:?}");
}

#[tokio::test]
async fn hostile_ids_stay_inside_their_segment() {
    let w = Wire::start().await;
    let health: serde_json::Value = serde_json::from_str(OK_HEALTH).unwrap();
    for (id, wire) in [
        ("a/b", "a%2Fb"),
        ("%2e", "%252e"),
        ("x?y#z", "x%3Fy%23z"),
        ("...", "..."),
        ("a b", "a%20b"),
    ] {
        let expected = exact("GET", format!("/api/fleet/outputs/{wire}/health"));
        Mock::given(move |req: &wiremock::Request| {
            req.url.path() == expected.path && req.url.query().is_none()
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(&health))
        .expect(1)
        .mount(&w.server)
        .await;
        w.kibana
            .fleet_outputs()
            .get_fleet_outputs_outputid_health()
            .output_id(id)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{id:?}: {e}"));
    }
    for id in ["..", ".", ""] {
        let err = w
            .kibana
            .fleet_outputs()
            .get_fleet_outputs_outputid_health()
            .output_id(id)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.contains("segment")),
            "{id:?}: {err:?}"
        );
    }
}

#[tokio::test]
async fn a_streaming_body_is_sent_once() {
    let w = Wire::start_with(fast_retries().retry_post(true)).await;
    Mock::given(path("/api/fleet/epm/packages"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&w.server)
        .await;
    let chunks = futures::stream::iter(vec![
        Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"PK\x03\x04")),
        Ok(bytes::Bytes::from_static(b"rest")),
    ]);
    let body = reqwest::Body::wrap_stream(chunks);
    let err = w
        .kibana
        .fleet_epm()
        .post_fleet_epm_packages()
        .body(body)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 503);
}

/// Kibana's API never redirects: a redirect, even to a server that would answer, is an error
/// naming where it pointed, and nothing (no credential, no header) goes there.
#[tokio::test]
async fn redirects_are_not_followed() {
    let w = Wire::start().await;
    let elsewhere = wiremock::MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_string(OK_HEALTH))
        .mount(&elsewhere)
        .await;
    let target = format!("{}/api/fleet/outputs/o1/health", elsewhere.uri());
    Mock::given(method("GET"))
        .and(path("/api/fleet/outputs/o1/health"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", target.as_str()))
        .mount(&w.server)
        .await;
    let err = w
        .kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::Redirected { status, location } => {
            assert_eq!(status.as_u16(), 302);
            assert_eq!(location.as_deref(), Some(target.as_str()));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().contains("redirects are not followed"),
        "{err}"
    );
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

/// A proxy's huge error page: at most a bounded part of it is read, and the error shows an
/// excerpt with the size, not the whole text.
#[tokio::test]
async fn a_huge_error_page_is_cut() {
    let w = Wire::start().await;
    let page = "<p>overloaded</p>".repeat(300_000); // 5.1 MB
    Mock::given(method("GET"))
        .and(path("/api/fleet/outputs/o1/health"))
        .respond_with(ResponseTemplate::new(502).set_body_string(page.clone()))
        .mount(&w.server)
        .await;
    let err = w
        .kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert!(shown.len() < 10 * 1024, "{} bytes shown", shown.len());
    assert!(shown.contains("<p>overloaded</p>"), "{shown}");
    assert!(shown.contains("the rest was not read"), "{shown}");
    match &err {
        Error::Api { status, raw, .. } => {
            assert_eq!(status.as_u16(), 502);
            assert!(raw.as_deref().is_some_and(|r| r.len() < 10 * 1024));
        }
        other => panic!("{other:?}"),
    }
}

/// A success answer larger than the client's limit is a typed error, not memory spent.
#[tokio::test]
async fn an_answer_past_the_size_limit_is_refused() {
    let w = Wire::start().await;
    let small = Kibana::builder(w.server.uri())
        .api_key(CANARY_KEY)
        .max_body_size(1_000)
        .build()
        .unwrap();
    let long = json!({"message": "x".repeat(2_000), "state": "HEALTHY", "timestamp": "t"});
    Mock::given(method("GET"))
        .and(path("/api/fleet/outputs/big/health"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&long))
        .mount(&w.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/fleet/outputs/o1/health"))
        .respond_with(ResponseTemplate::new(200).set_body_string(OK_HEALTH))
        .mount(&w.server)
        .await;
    let err = small
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("big")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 1_000 }),
        "{err:?}"
    );
    // Within the limit, the same client reads answers as ever.
    let health = small
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap();
    assert_eq!(health.state, "HEALTHY");
}

/// A name that does not resolve does not heal by retrying: one lookup, then `Connect` at once
/// (a resolver of the test's own stands in for DNS, so nothing leaves the machine).
#[tokio::test]
async fn a_name_that_does_not_resolve_is_not_retried() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct NoSuchName(Arc<AtomicUsize>);
    impl reqwest::dns::Resolve for NoSuchName {
        fn resolve(&self, _: reqwest::dns::Name) -> reqwest::dns::Resolving {
            self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { Err("no such host".into()) })
        }
    }
    let lookups = Arc::new(AtomicUsize::new(0));
    // A client built by hand needs a TLS provider, as the builder's own installs one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .dns_resolver(Arc::new(NoSuchName(lookups.clone())))
        .build()
        .unwrap();
    let kibana = Kibana::builder("http://kibana.example.invalid:5601")
        .api_key(CANARY_KEY)
        .allow_insecure_http(true)
        .http_client(http)
        .retry_policy(
            RetryPolicy::default().backoff(Duration::from_millis(50), Duration::from_millis(50)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let err = kibana.status().get_status().send().await.unwrap_err();
    assert!(matches!(err, Error::Connect(_)), "{err:?}");
    assert_eq!(
        lookups.load(Ordering::SeqCst),
        1,
        "looked up once, not retried"
    );
    assert!(
        started.elapsed() < Duration::from_millis(45),
        "no backoff was waited"
    );
}

/// A request polled outside a Tokio runtime (here by `futures`' executor) cannot reach
/// Kibana, since reqwest's sockets and timers are Tokio's: it is a typed error that says so,
/// sent nowhere, not a panic inside reqwest. Paging the same way fails the same way.
#[test]
fn outside_a_tokio_runtime() {
    use futures::TryStreamExt;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let kibana = Kibana::builder(format!("http://{}", listener.local_addr().unwrap()))
        .api_key(CANARY_KEY)
        .build()
        .unwrap();
    let single = futures::executor::block_on(
        kibana
            .fleet_outputs()
            .get_fleet_outputs_outputid_health()
            .output_id("o1")
            .send(),
    );
    let mut agents = kibana.fleet().get_fleet_agents().items();
    let paged = futures::executor::block_on(agents.try_next());
    for outcome in [single.map(drop), paged.map(drop)] {
        match outcome {
            Err(Error::InvalidRequest(message)) => {
                assert!(message.contains("Tokio runtime"), "{message}")
            }
            other => panic!("expected InvalidRequest, got {other:?}"),
        }
    }
    listener.set_nonblocking(true).unwrap();
    assert!(listener.accept().is_err(), "nothing was sent");
}
