//! Tracing context of spawned requests, and Kibana's warnings as events. Alone in its test
//! binary, because a subscriber set for one test races with callsites that other tests' threads
//! register at the same time.

use futures::TryStreamExt;
use kibana_serverless::Kibana;
use serde_json::json;
use std::sync::{Arc, Mutex};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A prefetched page request is spawned onto the runtime, yet it stays inside the caller's span.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefetched_requests_stay_in_the_callers_span() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    let server = MockServer::start().await;
    Mock::given(path("/api/fleet/agents"))
        .respond_with(|req: &Request| {
            let page: usize = req
                .url
                .query_pairs()
                .find(|(k, _)| k == "page")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(1);
            let items: Vec<_> = (0..10)
                .map(|n| json!({"id": format!("agent-{}", (page - 1) * 10 + n), "packages": [], "type": "PERMANENT", "active": true, "enrolled_at": "2024-01-01T00:00:00Z", "local_metadata": {}}))
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({"items": items, "total": 30.0, "page": page as f64, "perPage": 10.0}))
        })
        .mount(&server)
        .await;
    let kibana = Kibana::new(&server.uri(), "a2V5").unwrap();
    let listing = tracing::info_span!("listing");
    let items: Vec<_> = tracing::Instrument::instrument(
        kibana
            .fleet()
            .get_fleet_agents()
            .items()
            .page_size(10)
            .prefetch(true)
            .try_collect::<Vec<_>>(),
        listing,
    )
    .await
    .unwrap();
    assert_eq!(items.len(), 30);
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let attempts: Vec<&str> = text.lines().filter(|l| l.contains("attempt")).collect();
    assert_eq!(attempts.len(), 3, "{text}");
    assert!(
        attempts
            .iter()
            .all(|l| l.contains("listing:kibana.request")),
        "{text}"
    );

    // A deprecation Kibana announces in a `Warning` header is a WARN event of the request.
    let warning = r#"299 Kibana-9.1.0 "The query parameter [deprecated_param] is deprecated""#;
    Mock::given(path("/api/fleet/outputs/o1/health"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("warning", warning)
                .set_body_json(json!({"message": "", "state": "HEALTHY", "timestamp": "t"})),
        )
        .mount(&server)
        .await;
    kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap();
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("Kibana sent a warning"))
        .unwrap_or_else(|| panic!("no warning event: {text}"));
    assert!(line.contains("WARN"), "{line}");
    assert!(line.contains("[deprecated_param] is deprecated"), "{line}");
    assert!(
        line.contains("operation=\"get_fleet_outputs_outputid_health\""),
        "{line}"
    );
}
