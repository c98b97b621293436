//! One client under load against the embedded mock: 10,000 requests with 512 in flight. No
//! request fails, connections are reused (the mock counts the TCP connections it accepts), and
//! once the burst is over the pool lets them go: after its idle timeout, or down to its idle
//! limit. Latency percentiles are printed (`cargo test --test load -- --nocapture`).

mod common;

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

/// Open file descriptors of this process (Linux).
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd: descriptors are counted on Linux")
        .count()
}

/// Run alone in a fresh process by `agents_from_sixteen_tasks`: 16 tasks list every agent of
/// the mock at once through one client, 1,000 a page (`KIBANA_LOAD_AGENTS` agents each, 6,250 by
/// default: 100,000 in all). Prints the figures the parent checks and reports.
#[test]
fn sixteen_tasks_list_agents() {
    let per_task: usize = std::env::var("KIBANA_LOAD_AGENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(6_250);
    let logs = common::canary::capture_logs(tracing::Level::DEBUG);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mock = MockKibana::start_with(kibana_serverless_mock::MockConfig {
            agents: per_task,
            api_key: None,
            ..Default::default()
        })
        .await
        .unwrap();
        let fds_before = open_fds();
        let kibana = Kibana::builder(mock.url())
            .api_key(common::wire::CANARY_KEY)
            .build()
            .unwrap();
        let started = Instant::now();
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let kibana = kibana.clone();
                tokio::spawn(async move {
                    let mut pages = kibana.fleet().get_fleet_agents().pages().page_size(1_000);
                    let (mut agents, mut latencies) = (0, Vec::new());
                    loop {
                        let t = Instant::now();
                        match pages.next().await {
                            None => break,
                            Some(page) => {
                                agents += page.expect("no page fails").items.len();
                                latencies.push(t.elapsed());
                            }
                        }
                    }
                    (agents, latencies)
                })
            })
            .collect();
        let mut latencies = Vec::new();
        for task in tasks {
            let (agents, mut l) = task.await.unwrap();
            assert_eq!(agents, per_task, "every task sees every agent");
            latencies.append(&mut l);
        }
        let elapsed = started.elapsed();
        latencies.sort();
        let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
        let connections = mock.connections_accepted();
        drop(kibana);
        // Dropping the client closes its pool's connections; the descriptors go with them.
        let deadline = Instant::now() + Duration::from_secs(5);
        while open_fds() > fds_before && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        println!("AGENTS={}", 16 * per_task);
        println!("ELAPSED_MS={}", elapsed.as_millis());
        println!("P50_MS={}", at(0.5).as_millis());
        println!("P99_MS={}", at(0.99).as_millis());
        println!("CONNECTIONS={connections}");
        println!("FDS_BEFORE={fds_before}");
        println!("FDS_AFTER={}", open_fds());
    });
    let logs = logs.text();
    assert!(logs.contains("kibana.request"), "the requests were logged");
    common::canary::assert_clean("the logs", &logs);
    println!("PEAK_RSS_KIB={}", common::stream_server::peak_rss_kib());
}

#[test]
fn agents_from_sixteen_tasks() {
    let out = common::run_alone("sixteen_tasks_list_agents", &[], &[]);
    let figure = |key: &str| common::printed(&out, &format!("{key}="));
    let (agents, connections) = (figure("AGENTS"), figure("CONNECTIONS"));
    let (before, after) = (figure("FDS_BEFORE"), figure("FDS_AFTER"));
    println!(
        "{agents} agents from 16 tasks: {} ms, page p50 {} ms, p99 {} ms, {connections} connections, fds {before} -> {after}, peak RSS {} MiB",
        figure("ELAPSED_MS"),
        figure("P50_MS"),
        figure("P99_MS"),
        figure("PEAK_RSS_KIB") / 1024
    );
    // A task may open a second connection while its first is still being handed back to the
    // pool (the decoding keeps both workers busy): 28-29 seen, never one per page (112 pages).
    assert!(connections <= 48, "{connections} connections for 16 tasks");
    assert!(after <= before, "descriptors grew from {before} to {after}");
}

/// 10,000 requests, 512 in flight, through a proxy that answers every 10th request it receives
/// with 429 and `Retry-After: 1`: every request succeeds within the retry budget, the server
/// sees each exactly once, and the client retried exactly as often as it was throttled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_requests_under_injected_429s() {
    use kibana_serverless_testkit::faults::{Fault, FaultProxy};
    let logs = common::canary::capture_logs(tracing::Level::DEBUG);
    let mock = MockKibana::start_with(kibana_serverless_mock::MockConfig {
        api_key: None,
        ..Default::default()
    })
    .await
    .unwrap();
    let proxy = FaultProxy::start(&mock.url(), |n| {
        if n % 10 == 9 {
            Fault::Throttle { retry_after: 1 }
        } else {
            Fault::Pass
        }
    })
    .await
    .unwrap();
    let kibana = Kibana::builder(proxy.url())
        .api_key(common::wire::CANARY_KEY)
        .retry_policy(
            kibana_serverless::RetryPolicy::default()
                .max_attempts(8)
                .deadline(Duration::from_secs(60)),
        )
        .build()
        .unwrap();
    let (elapsed, p50, p99) = burst(&kibana, REQUESTS, IN_FLIGHT).await;
    let (received, throttled, forwarded) = (proxy.received(), proxy.faulted(), proxy.forwarded());
    println!(
        "{REQUESTS} requests under 429s: {elapsed:?}, p50 {p50:?}, p99 {p99:?}, {throttled} throttled, {} retries",
        received - REQUESTS as u64
    );
    assert_eq!(
        forwarded, REQUESTS as u64,
        "each request reached the server once"
    );
    assert_eq!(received - REQUESTS as u64, throttled, "one retry per 429");
    assert!(throttled >= REQUESTS as u64 / 10);
    common::canary::assert_clean("the logs", &logs.text());
}
