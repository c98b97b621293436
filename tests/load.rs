//! One client under load against the embedded mock: 10,000 requests with 512 in flight. No
//! request fails, connections are reused (the mock counts the TCP connections it accepts), and
//! once the burst is over the pool lets them go: after its idle timeout, or down to its idle
//! limit. Latency percentiles are printed (`cargo test --test load -- --nocapture`).

use futures::StreamExt;
use kibana_serverless::{Kibana, KibanaBuilder};
use kibana_serverless_mock::{API_KEY, MockKibana};
use std::time::{Duration, Instant};

const REQUESTS: usize = 10_000;
const IN_FLIGHT: usize = 512;

/// Sends `requests` with `in_flight` at once; returns (elapsed, p50, p99).
async fn burst(
    kibana: &Kibana,
    requests: usize,
    in_flight: usize,
) -> (Duration, Duration, Duration) {
    let started = Instant::now();
    let outcomes: Vec<(Duration, bool)> = futures::stream::iter(0..requests)
        .map(|n| {
            let kibana = kibana.clone();
            async move {
                let t = Instant::now();
                let ok = kibana
                    .fleet()
                    .get_fleet_agents_agentid()
                    .agent_id(format!("agent-{:06}", n % 2_500))
                    .send()
                    .await
                    .is_ok();
                (t.elapsed(), ok)
            }
        })
        .buffer_unordered(in_flight)
        .collect()
        .await;
    let failed = outcomes.iter().filter(|(_, ok)| !ok).count();
    assert_eq!(failed, 0, "{failed} of {requests} requests failed");
    let mut latencies: Vec<Duration> = outcomes.iter().map(|(d, _)| *d).collect();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    (started.elapsed(), at(0.5), at(0.99))
}

/// Waits until the mock has at most `n` connections open, or 5 s.
async fn settles_to(mock: &MockKibana, n: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(5);
    while mock.connections_open() > n && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    mock.connections_open()
}

fn client(mock: &MockKibana, tune: impl FnOnce(KibanaBuilder) -> KibanaBuilder) -> Kibana {
    tune(Kibana::builder(mock.url()).api_key(API_KEY))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_requests_reuse_their_connections() {
    let mock = MockKibana::start().await.unwrap();
    let kibana = client(&mock, |b| b);
    let (elapsed, p50, p99) = burst(&kibana, REQUESTS, IN_FLIGHT).await;
    let accepted = mock.connections_accepted();
    println!(
        "{REQUESTS} requests, {IN_FLIGHT} in flight: {elapsed:?}, p50 {p50:?}, p99 {p99:?}, {accepted} connections"
    );
    // About one connection per request in flight, reused for the rest: the pool opens some
    // more while others are being returned (521-658 seen), never one per request.
    assert!(
        accepted <= 2 * IN_FLIGHT as u64,
        "{accepted} connections for {IN_FLIGHT} in flight"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_let_go_after_the_timeout() {
    let mock = MockKibana::start().await.unwrap();
    let kibana = client(&mock, |b| b.pool_idle_timeout(Duration::from_millis(200)));
    burst(&kibana, 1_000, 64).await;
    assert!(
        mock.connections_open() > 0,
        "the pool keeps connections for reuse"
    );
    assert_eq!(settles_to(&mock, 0).await, 0, "connections left open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_idle_limit_bounds_what_stays_open() {
    let mock = MockKibana::start().await.unwrap();
    let kibana = client(&mock, |b| b.pool_max_idle_per_host(16));
    burst(&kibana, REQUESTS, IN_FLIGHT).await;
    let open = settles_to(&mock, 16).await;
    assert!(open <= 16, "{open} connections open with a limit of 16");
}
