//! Faults injected between the client and the embedded mock Kibana (`testkit::faults`): every
//! fault on every kind of operation (a GET, a POST, a paginated stream, an ndjson export and
//! an upload). Each ends within its deadline in the outcome the table below says, never a
//! hang or a panic; a stream delivers every good item before its error; only idempotent
//! requests are sent again; no error shows the API key. The table is the README's.

mod common;

use common::wire::CANARY_KEY;
use futures::StreamExt;
use kibana_serverless::{Error, Kibana, RetryPolicy};
use kibana_serverless_mock::{MockConfig, MockKibana};
use kibana_serverless_testkit::faults::{Fault, FaultProxy};
use serde_json::json;
use std::time::{Duration, Instant};

/// The client's whole-request timeout in these tests.
const TIMEOUT: Duration = Duration::from_millis(1500);
/// No cell may take longer than this (retries included).
const DEADLINE: Duration = Duration::from_secs(8);
/// Agents in the mock, listed 50 per page: the fault hits the third page.
const AGENTS: usize = 200;
const PAGE: u64 = 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Get,
    Post,
    Paging,
    Export,
    Upload,
}

const KINDS: [Kind; 5] = [
    Kind::Get,
    Kind::Post,
    Kind::Paging,
    Kind::Export,
    Kind::Upload,
];

impl Kind {
    /// The request the fault hits: the first, or the paginated stream's third page.
    fn faulted_request(self) -> u64 {
        if self == Kind::Paging { 2 } else { 0 }
    }
}

/// How one cell ended: the error's variant (or `ok`), the items delivered before it (streams),
/// and how many times the server saw the faulted request.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    result: &'static str,
    items: usize,
    sent: u64,
}

fn variant(e: &Error) -> &'static str {
    match e {
        Error::Api { .. } => "Api",
        Error::Redirected { .. } => "Redirected",
        Error::BodyTooLarge { .. } => "BodyTooLarge",
        Error::UnexpectedStatus { .. } => "UnexpectedStatus",
        Error::Decode { .. } => "Decode",
        Error::InvalidRequest(_) => "InvalidRequest",
        Error::Connect(_) => "Connect",
        Error::Tls(_) => "Tls",
        Error::Timeout(_) => "Timeout",
        Error::RepeatedCursor { .. } => "RepeatedCursor",
        Error::MalformedLine { .. } => "MalformedLine",
        Error::Io(_) => "Io",
        Error::Transport(_) => "Transport",
        _ => "other",
    }
}

/// The error must not show the key, in `Display` or `Debug`.
fn checked(e: Error) -> &'static str {
    common::canary::assert_clean("an error's Display", &e.to_string());
    common::canary::assert_clean("an error's Debug", &format!("{e:?}"));
    variant(&e)
}

fn export_body() -> kibana_serverless::saved_objects::types::PostSavedObjectsExportBody {
    serde_json::from_value(json!({"type": ["dashboard"], "excludeExportDetails": false})).unwrap()
}

/// A small zip archive: the mock knows the type by its magic bytes.
fn archive() -> Vec<u8> {
    let mut zip = b"PK\x03\x04".to_vec();
    zip.extend(std::iter::repeat_n(7u8, 4096));
    zip
}

/// Runs `kind` through a proxy to `upstream` applying `fault`, and says how it ended. `cell`
/// names what the cell creates.
async fn run(upstream: &str, cell: usize, kind: Kind, fault: Fault) -> Outcome {
    let at = kind.faulted_request();
    let planned = fault.clone();
    let proxy = FaultProxy::start(upstream, move |n| {
        if n == at {
            planned.clone()
        } else {
            Fault::Pass
        }
    })
    .await
    .unwrap();
    let kibana = Kibana::builder(proxy.url())
        .api_key(CANARY_KEY)
        .timeout(TIMEOUT)
        .max_body_size(4 << 20)
        .retry_policy(
            RetryPolicy::default().backoff(Duration::from_millis(20), Duration::from_millis(100)),
        )
        .build()
        .unwrap();
    let mut items = 0;
    let result: Result<(), Error> = match kind {
        Kind::Get => kibana
            .fleet()
            .get_fleet_agents_agentid()
            .agent_id("agent-000007")
            .send()
            .await
            .map(|a| assert_eq!(a.item.id, "agent-000007")),
        Kind::Post => kibana
            .spaces()
            .post_spaces_space()
            .body(
                serde_json::from_value::<kibana_serverless::spaces::types::SpaceRequest>(
                    json!({"id": format!("ops-{cell}"), "name": "Operations"}),
                )
                .unwrap(),
            )
            .send()
            .await
            .map(drop),
        Kind::Paging => {
            let mut stream = kibana.fleet().get_fleet_agents().items().page_size(PAGE);
            let mut end = Ok(());
            while let Some(next) = stream.next().await {
                match next {
                    Ok(_) => items += 1,
                    Err(e) => {
                        end = Err(e);
                        break;
                    }
                }
            }
            end
        }
        Kind::Export => match kibana
            .saved_objects()
            .post_saved_objects_export()
            .body(export_body())
            .lines()
            .await
        {
            Err(e) => Err(e),
            Ok(lines) => {
                let mut lines = std::pin::pin!(lines);
                let mut end = Ok(());
                while let Some(next) = lines.next().await {
                    match next {
                        Ok(_) => items += 1,
                        Err(e) => {
                            end = Err(e);
                            break;
                        }
                    }
                }
                end
            }
        },
        Kind::Upload => kibana
            .fleet_epm()
            .post_fleet_epm_packages()
            .upload(archive(), None)
            .await
            .map(drop),
    };
    // The faulted request, as many times as the server saw it.
    let sent = proxy.forwarded().saturating_sub(at);
    Outcome {
        result: match result {
            Ok(()) => "ok",
            Err(e) => checked(e),
        },
        items,
        sent,
    }
}

/// Each fault, and what it gives on GET, POST, paging, export and upload:
/// (result, items delivered, times the server saw the faulted request).
fn expected(fault: &Fault) -> [(&'static str, usize, u64); 5] {
    let all = (AGENTS, 41);
    match fault {
        // A JSON answer must come whole within the timeout; a stream only must keep flowing.
        Fault::Drip { over, .. } if *over > TIMEOUT => [
            ("Timeout", 0, 1),
            ("Timeout", 0, 1),
            ("Timeout", 100, 1),
            ("ok", all.1, 1),
            ("Timeout", 0, 1),
        ],
        // Paging: pages 3 and 4 of 4.
        Fault::Pass | Fault::Http10 | Fault::Drip { .. } => [
            ("ok", 0, 1),
            ("ok", 0, 1),
            ("ok", all.0, 2),
            ("ok", all.1, 1),
            ("ok", 0, 1),
        ],
        // Nothing came back: the GET and the page are sent again; the POSTs are not.
        Fault::ResetBeforeResponse => [
            ("ok", 0, 2),
            ("Transport", 0, 1),
            ("ok", all.0, 3),
            ("Transport", 0, 1),
            ("Transport", 0, 1),
        ],
        // The answer had begun. A JSON answer is read whole before anything reaches the
        // caller, so the GET and the page are sent again like ones that got no answer; a POST
        // is not, and an export's first lines were delivered (the caller may have acted on
        // them), so it ends there.
        Fault::ResetMidBody | Fault::TruncatedWithLength | Fault::TruncatedChunked => [
            ("ok", 0, 2),
            ("Transport", 0, 1),
            ("ok", all.0, 3),
            ("Transport", 20, 1),
            ("Transport", 0, 1),
        ],
        // HTTP cannot see the cut: the JSON can.
        Fault::TruncatedCloseDelimited => [
            ("Decode", 0, 1),
            ("Decode", 0, 1),
            ("Decode", 100, 1),
            ("MalformedLine", 20, 1),
            ("Decode", 0, 1),
        ],
        Fault::Stall | Fault::Silent => [
            ("Timeout", 0, 0),
            ("Timeout", 0, 0),
            ("Timeout", 100, 0),
            ("Timeout", 0, 0),
            ("Timeout", 0, 0),
        ],
        Fault::Endless { .. } => [
            ("BodyTooLarge", 0, 1),
            ("BodyTooLarge", 0, 1),
            ("BodyTooLarge", 100, 1),
            ("MalformedLine", 0, 1),
            ("BodyTooLarge", 0, 1),
        ],
        Fault::GarbageHeader | Fault::ConflictingLength => [
            ("Transport", 0, 1),
            ("Transport", 0, 1),
            ("Transport", 100, 1),
            ("Transport", 0, 1),
            ("Transport", 0, 1),
        ],
        Fault::Throttle { .. } => [
            ("ok", 0, 1),
            ("Api", 0, 0),
            ("ok", all.0, 2),
            ("Api", 0, 0),
            ("Api", 0, 0),
        ],
    }
}

fn faults() -> Vec<Fault> {
    vec![
        Fault::Pass,
        Fault::ResetBeforeResponse,
        Fault::ResetMidBody,
        Fault::TruncatedWithLength,
        Fault::TruncatedChunked,
        Fault::TruncatedCloseDelimited,
        Fault::Stall,
        Fault::Drip {
            pieces: 10,
            over: TIMEOUT / 2,
        },
        // Each pause a tenth of the timeout, the whole twice it.
        Fault::Drip {
            pieces: 20,
            over: TIMEOUT * 2,
        },
        // Past the 4 MiB body limit, and past an ndjson line's 64 MiB.
        Fault::Endless { bytes: 256 << 20 },
        Fault::GarbageHeader,
        Fault::ConflictingLength,
        Fault::Http10,
        Fault::Silent,
        Fault::Throttle { retry_after: 0 },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_on_every_kind_of_operation() {
    // Every log line of every cell, the HTTP stack's included, is checked for the key.
    let logs = common::canary::capture_logs(tracing::Level::TRACE);
    let cells: Vec<(Fault, Kind)> = faults()
        .into_iter()
        .flat_map(|f| KINDS.map(|k| (f.clone(), k)))
        .collect();
    let mock = MockKibana::start_with(MockConfig {
        agents: AGENTS,
        saved_objects: 40,
        api_key: None,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let upstream = &mock.url();
    // Several cells at once, so that the slow ones (stalls) overlap instead of adding up.
    let outcomes: Vec<(Outcome, Duration)> = futures::stream::iter(cells.iter().enumerate())
        .map(|(cell, (fault, kind))| async move {
            let started = Instant::now();
            let outcome = tokio::time::timeout(
                DEADLINE,
                tokio::spawn({
                    let upstream = upstream.to_string();
                    let fault = fault.clone();
                    let kind = *kind;
                    async move { run(&upstream, cell, kind, fault).await }
                }),
            )
            .await
            .unwrap_or_else(|_| panic!("{fault:?} on {kind:?} did not end within {DEADLINE:?}"))
            .unwrap_or_else(|e| panic!("{fault:?} on {kind:?} panicked: {e}"));
            (outcome, started.elapsed())
        })
        .buffered(8)
        .collect()
        .await;
    let mut wrong = Vec::new();
    for ((fault, kind), (outcome, took)) in cells.iter().zip(&outcomes) {
        let (result, items, sent) = expected(fault)[*kind as usize];
        let want = Outcome {
            result,
            items,
            sent,
        };
        println!(
            "{:<28} {kind:<7?} {:<14} items {:>3} sent {} in {took:?}",
            format!("{fault:?}").split(' ').next().unwrap(),
            outcome.result,
            outcome.items,
            outcome.sent
        );
        if *outcome != want {
            wrong.push(format!(
                "{fault:?} on {kind:?}: {outcome:?}, expected {want:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let logs = logs.text();
    assert!(logs.contains("kibana.request"), "the requests were logged");
    common::canary::assert_clean("the logs", &logs);
}
