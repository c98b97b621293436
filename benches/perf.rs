//! Performance checks, side by side in one run, against the embedded mock Kibana on loopback.
//! Prints a table of ratios (machines are noisy: only ratios measured together mean anything).
//!
//! `cargo bench --bench perf`

use kibana_serverless::Kibana;
use kibana_serverless::fleet::types::{GetFleetAgentsAgentidResponse, GetFleetAgentsResponse};
use kibana_serverless_mock::{API_KEY, MockConfig, MockKibana};
use std::time::{Duration, Instant};

/// Median of `rounds` timings of `batch` calls of each side, interleaved so both see the same
/// machine. Returns (ours, theirs) per call.
async fn side_by_side<A, B, FA, FB>(
    rounds: usize,
    batch: usize,
    mut ours: A,
    mut theirs: B,
) -> (Duration, Duration)
where
    A: FnMut() -> FA,
    B: FnMut() -> FB,
    FA: std::future::Future<Output = ()>,
    FB: std::future::Future<Output = ()>,
{
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for round in 0..rounds + 1 {
        let t = Instant::now();
        for _ in 0..batch {
            ours().await;
        }
        let ta = t.elapsed();
        let t = Instant::now();
        for _ in 0..batch {
            theirs().await;
        }
        let tb = t.elapsed();
        // Round 0 warms connections and caches.
        if round > 0 {
            a.push(ta / batch as u32);
            b.push(tb / batch as u32);
        }
    }
    a.sort();
    b.sort();
    (a[a.len() / 2], b[b.len() / 2])
}

fn row(name: &str, ours: Duration, theirs: Duration, ratio: f64, target: &str) {
    println!(
        "| {name:<52} | {:>10.1?} | {:>10.1?} | {ratio:>6.2} | {target:<8} |",
        ours, theirs
    );
}

/// Raw reqwest + serde doing what the client does for one call.
async fn raw<T: serde::de::DeserializeOwned>(http: &reqwest::Client, url: &str) -> T {
    let bytes = http
        .get(url)
        .header("authorization", format!("ApiKey {API_KEY}"))
        .header("kbn-xsrf", "true")
        .header("elastic-api-version", "2023-10-31")
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mock = MockKibana::start().await.unwrap();
    let kibana = Kibana::new(&mock.url(), API_KEY).unwrap();
    let http = reqwest::Client::new();
    println!(
        "| {:<52} | {:>10} | {:>10} | {:>6} | {:<8} |",
        "check", "ours", "baseline", "ratio", "target"
    );
    println!(
        "|{}|{}|{}|{}|{}|",
        "-".repeat(54),
        "-".repeat(12),
        "-".repeat(12),
        "-".repeat(8),
        "-".repeat(10)
    );

    // 1. Per-request overhead, small response.
    let one = format!("{}/api/fleet/agents/agent-000042", mock.url());
    let (ours, theirs) = side_by_side(
        15,
        200,
        || async {
            kibana
                .fleet()
                .get_fleet_agents_agentid()
                .agent_id("agent-000042")
                .send()
                .await
                .unwrap();
        },
        || async {
            let _: GetFleetAgentsAgentidResponse = raw(&http, &one).await;
        },
    )
    .await;
    row(
        "get one agent: client vs raw reqwest+serde",
        ours,
        theirs,
        ours.as_secs_f64() / theirs.as_secs_f64(),
        "<= 1.05",
    );

    // 2. Per-request overhead, a page of 1,000 agents.
    let page = format!("{}/api/fleet/agents?perPage=1000", mock.url());
    let (ours, theirs) = side_by_side(
        9,
        10,
        || async {
            kibana
                .fleet()
                .get_fleet_agents()
                .per_page(1000)
                .send()
                .await
                .unwrap();
        },
        || async {
            let _: GetFleetAgentsResponse = raw(&http, &page).await;
        },
    )
    .await;
    row(
        "1,000-agent page: client vs raw reqwest+serde",
        ours,
        theirs,
        ours.as_secs_f64() / theirs.as_secs_f64(),
        "<= 1.05",
    );

    // 3. Typed decoding against serde_json::Value, same bytes.
    let bytes = http
        .get(&page)
        .header("authorization", format!("ApiKey {API_KEY}"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let (typed, value) = side_by_side(
        15,
        20,
        || async {
            let _: GetFleetAgentsResponse = serde_json::from_slice(&bytes).unwrap();
        },
        || async {
            let _: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        },
    )
    .await;
    row(
        "decode 1,000 agents: typed vs serde_json::Value",
        typed,
        value,
        value.as_secs_f64() / typed.as_secs_f64(),
        ">= 1.0",
    );

    // 4. 100,000 agents through items(), 5 ms of server latency a page, 10 µs of work an item.
    let slow = MockKibana::start_with(MockConfig {
        agents: 100_000,
        page_latency: Duration::from_millis(5),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let slow_kibana = Kibana::new(&slow.url(), API_KEY).unwrap();
    let list = |prefetch: bool| {
        let k = slow_kibana.clone();
        async move {
            use futures::TryStreamExt;
            let started = Instant::now();
            let mut items = k
                .fleet()
                .get_fleet_agents()
                .items()
                .page_size(1000)
                .prefetch(prefetch);
            let mut n = 0;
            while let Some(_agent) = items.try_next().await.unwrap() {
                let work = Instant::now();
                while work.elapsed() < Duration::from_micros(10) {
                    std::hint::spin_loop();
                }
                n += 1;
            }
            assert_eq!(n, 100_000);
            started.elapsed()
        }
    };
    // One listing first so both sides are timed against the mock's page cache.
    list(false).await;
    let (mut seq, mut pre) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        seq.push(list(false).await);
        pre.push(list(true).await);
    }
    seq.sort();
    pre.sort();
    row(
        "list 100,000 agents: prefetch vs sequential (time)",
        pre[1],
        seq[1],
        seq[1].as_secs_f64() / pre[1].as_secs_f64(),
        ">= 1.5",
    );
    println!(
        "\n(ratios: rows 1-2 ours/baseline, lower is better; rows 3-4 baseline/ours, higher is better)"
    );
}
