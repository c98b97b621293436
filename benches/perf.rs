//! Performance checks, side by side in one run, against the embedded mock Kibana on loopback.
//! Prints a table of ratios (machines are noisy: only ratios measured together mean anything).
//!
//! `cargo bench --bench perf`

use kibana_serverless::Kibana;
use kibana_serverless::fleet::types::{GetFleetAgentsAgentidResponse, GetFleetAgentsResponse};
use kibana_serverless_mock::{API_KEY, MockConfig, MockKibana};
use std::time::{Duration, Instant};

/// Median per-call time of each side over `calls` calls, interleaved one by one (in
/// alternating order, so drift and caches favour neither side). Medians shrug off the
/// scheduler's hiccups on a busy two-core machine. Returns (ours, theirs).
async fn side_by_side<A, B, FA, FB>(
    calls: usize,
    mut ours: A,
    mut theirs: B,
) -> (Duration, Duration)
where
    A: FnMut() -> FA,
    B: FnMut() -> FB,
    FA: std::future::Future<Output = ()>,
    FB: std::future::Future<Output = ()>,
{
    // Warm connections, caches and the allocator first.
    for _ in 0..calls.div_ceil(10) {
        ours().await;
        theirs().await;
    }
    let (mut a, mut b) = (Vec::with_capacity(calls), Vec::with_capacity(calls));
    for i in 0..calls {
        if i % 2 == 0 {
            a.push(timed(ours()).await);
            b.push(timed(theirs()).await);
        } else {
            b.push(timed(theirs()).await);
            a.push(timed(ours()).await);
        }
    }
    a.sort();
    b.sort();
    (a[calls / 2], b[calls / 2])
}

async fn timed(call: impl std::future::Future<Output = ()>) -> Duration {
    let started = Instant::now();
    call.await;
    started.elapsed()
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
        .header("user-agent", "kibana-serverless/0.1.0")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Starts a mock on a thread and runtime of its own, so that the client's runtime schedules
/// only the client (less noise), and returns its URL. It lives until the process ends.
fn mock_on_own_thread(config: MockConfig) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let mock = MockKibana::start_with(config).await.unwrap();
            tx.send(mock.url()).unwrap();
            std::future::pending::<()>().await;
        });
    });
    rx.recv().unwrap()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mock_url = mock_on_own_thread(MockConfig::default());
    let kibana = Kibana::new(&mock_url, API_KEY).unwrap();
    // The raw side's client has the same timeouts as ours (10 s connect, 60 s overall): a
    // reqwest timeout arms a timer per request, which costs 10-20 µs of latency on loopback,
    // and a production client without one hangs on a stalled server. Row 1b shows the cost.
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let bare = reqwest::Client::new();
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
    let one = format!("{}/api/fleet/agents/agent-000042", mock_url);
    let get_one = || async {
        kibana
            .fleet()
            .get_fleet_agents_agentid()
            .agent_id("agent-000042")
            .send()
            .await
            .unwrap();
    };
    for (name, baseline, target) in [
        (
            "1. get one agent: client vs raw reqwest+serde",
            &http,
            "<= 1.02",
        ),
        (
            "1b. the same, raw reqwest without timeouts",
            &bare,
            "(info)",
        ),
    ] {
        let (ours, theirs) = side_by_side(4000, get_one, || async {
            let _: GetFleetAgentsAgentidResponse = raw(baseline, &one).await;
        })
        .await;
        row(
            name,
            ours,
            theirs,
            ours.as_secs_f64() / theirs.as_secs_f64(),
            target,
        );
    }

    // 2. Per-request overhead, a page of 1,000 agents.
    let page = format!("{}/api/fleet/agents?perPage=1000", mock_url);
    let (ours, theirs) = side_by_side(
        200,
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
        "2. 1,000-agent page: client vs raw reqwest+serde",
        ours,
        theirs,
        ours.as_secs_f64() / theirs.as_secs_f64(),
        "<= 1.02",
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
        300,
        || async {
            let _: GetFleetAgentsResponse = serde_json::from_slice(&bytes).unwrap();
        },
        || async {
            let _: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        },
    )
    .await;
    row(
        "3. decode 1,000 agents: typed vs serde_json::Value",
        typed,
        value,
        value.as_secs_f64() / typed.as_secs_f64(),
        ">= 1.0",
    );

    // 4. 100,000 agents through items(), 5 ms of server latency a page, 10 µs of work an item.
    let slow = mock_on_own_thread(MockConfig {
        agents: 100_000,
        page_latency: Duration::from_millis(5),
        ..MockConfig::default()
    });
    let slow_kibana = Kibana::new(&slow, API_KEY).unwrap();
    let list = |k: &Kibana, ahead: usize, work_us: u64| {
        let k = k.clone();
        async move {
            use futures::TryStreamExt;
            let started = Instant::now();
            let mut items = k
                .fleet()
                .get_fleet_agents()
                .items()
                .page_size(1000)
                .concurrency(ahead);
            let mut n = 0;
            while let Some(_agent) = items.try_next().await.unwrap() {
                let work = Instant::now();
                while work.elapsed() < Duration::from_micros(work_us) {
                    std::hint::spin_loop();
                }
                n += 1;
            }
            assert_eq!(n, 100_000);
            started.elapsed()
        }
    };
    // One listing first so both sides are timed against the mock's page cache.
    list(&slow_kibana, 0, 10).await;
    let (mut seq, mut pre) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        seq.push(list(&slow_kibana, 0, 10).await);
        pre.push(list(&slow_kibana, 1, 10).await);
    }
    seq.sort();
    pre.sort();
    row(
        "4. 100,000 agents: prefetch vs sequential (time)",
        pre[1],
        seq[1],
        seq[1].as_secs_f64() / pre[1].as_secs_f64(),
        ">= 1.5",
    );

    // 5. The same listing from a distant Kibana (20 ms a page), nothing done with the items:
    // four page requests at once against one at a time.
    let far = mock_on_own_thread(MockConfig {
        agents: 100_000,
        page_latency: Duration::from_millis(20),
        ..MockConfig::default()
    });
    let far_kibana = Kibana::new(&far, API_KEY).unwrap();
    list(&far_kibana, 0, 0).await;
    let (mut seq, mut four) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        seq.push(list(&far_kibana, 0, 0).await);
        four.push(list(&far_kibana, 4, 0).await);
    }
    seq.sort();
    four.sort();
    row(
        "5. 100k agents, 20 ms/page: 4 at once vs sequential",
        four[1],
        seq[1],
        seq[1].as_secs_f64() / four[1].as_secs_f64(),
        ">= 3.0",
    );
    println!(
        "\n(ratios: rows 1-2 ours/baseline, lower is better; rows 3-5 baseline/ours, higher is better)"
    );
}
