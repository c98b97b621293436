//! Decoding against the parser's floor, side by side in one run: the same bytes (a page of
//! 1,000 agents from the embedded mock, and a 1,000-object ndjson export) read as
//! `serde::de::IgnoredAny` (parse only: what no decode can beat), as our typed response, and as
//! `serde_json::Value`. Rounds interleave the variants; each prints the minimum and median time
//! per page, throughput, and the ratio to the floor.
//!
//! Beside them, mirrors of an agent decoded by serde's own derive (`support/agent_mirror.rs`):
//! what a decode into `String`s, inline strings or borrowed `&str`s can reach at best; and a
//! borrowed twin of the client's whole agent (`support/agent_view.rs`): what generated borrowed
//! response types would reach.
//!
//! `cargo bench --bench decode` (`DECODE_ROUNDS`, `DECODE_ITERS` to change the sample).

#[path = "support/agent_mirror.rs"]
mod mirror;
#[path = "support/agent_view.rs"]
mod twin;

/// What a caller who reads only an agent's id and status asks `items_as::<T>()` for.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Slim {
    id: String,
    status: Option<kibana_serverless::fleet::types::AgentStatus>,
}

/// The page `items_as::<Slim>()` decodes.
type SlimPage = kibana_serverless::pagination::PageOf<
    Slim,
    kibana_serverless::fleet::GetFleetAgentsPages<'static>,
>;

use kibana_serverless::fleet::types::GetFleetAgentsResponse;
use kibana_serverless::saved_objects::types::PostSavedObjectsExportItem;
use kibana_serverless_mock::{API_KEY, MockConfig, MockKibana};
use serde::de::IgnoredAny;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The bytes a mock answers at `path` (a GET, or a POST with `body`).
fn fetch(path: &str, body: Option<&str>) -> bytes::Bytes {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mock = MockKibana::start_with(MockConfig::default()).await.unwrap();
        // The client installs the TLS provider reqwest needs to be built.
        kibana_serverless::Kibana::new(&mock.url(), API_KEY).unwrap();
        let http = reqwest::Client::new();
        let url = format!("{}{path}", mock.url());
        let request = match body {
            None => http.get(url),
            Some(b) => http
                .post(url)
                .header("content-type", "application/json")
                .header("kbn-xsrf", "true")
                .body(b.to_string()),
        };
        let response = request
            .header("authorization", format!("ApiKey {API_KEY}"))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        response.bytes().await.unwrap()
    })
}

type Decode<'a> = (&'a str, Box<dyn Fn(&[u8]) + 'a>);

/// Times each variant `iters` times a round, rounds interleaved; prints a row each.
fn table(title: &str, bytes: &[u8], variants: Vec<Decode<'_>>) {
    let rounds = env("DECODE_ROUNDS", 7);
    let iters = env("DECODE_ITERS", 30);
    // Warm caches and the allocator.
    for (_, decode) in &variants {
        for _ in 0..iters.div_ceil(3) {
            decode(bytes);
        }
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); variants.len()];
    for round in 0..rounds {
        for k in 0..variants.len() {
            // Alternate the order so drift favours no variant.
            let i = if round % 2 == 0 {
                k
            } else {
                variants.len() - 1 - k
            };
            let started = Instant::now();
            for _ in 0..iters {
                (variants[i].1)(bytes);
            }
            times[i].push(started.elapsed() / iters as u32);
        }
    }
    println!(
        "\n{title}: {} bytes, {rounds} rounds of {iters}\n",
        bytes.len()
    );
    // Also each round's ratio to the floor's time in the same round, their median: on a shared
    // machine whose speed drifts, a paired ratio moves less than a ratio of medians.
    println!(
        "| decode of the same bytes | min ms | median ms | MB/s | x floor | x floor, paired |"
    );
    println!("|---|---|---|---|---|---|");
    let median = |t: &mut Vec<Duration>| {
        t.sort();
        t[t.len() / 2]
    };
    let floor = median(&mut times[0].clone());
    let paired: Vec<f64> = times
        .iter()
        .map(|t| {
            let mut r: Vec<f64> = t
                .iter()
                .zip(&times[0])
                .map(|(a, f)| a.as_secs_f64() / f.as_secs_f64())
                .collect();
            r.sort_by(f64::total_cmp);
            r[r.len() / 2]
        })
        .collect();
    for (((name, _), t), paired) in variants.iter().zip(times.iter_mut()).zip(paired) {
        let m = median(t);
        println!(
            "| {name} | {:.3} | {:.3} | {:.0} | {:.2} | {:.2} |",
            t[0].as_secs_f64() * 1e3,
            m.as_secs_f64() * 1e3,
            bytes.len() as f64 / m.as_secs_f64() / 1e6,
            m.as_secs_f64() / floor.as_secs_f64(),
            paired
        );
    }
}

fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty())
}

pub fn main() {
    let page = fetch("/api/fleet/agents?perPage=1000", None);
    // Decoding must be right before it is fast.
    let typed: GetFleetAgentsResponse = serde_json::from_slice(&page).unwrap();
    assert_eq!(typed.items.len(), 1000);
    let text = std::str::from_utf8(&page).unwrap();
    let mirrored: mirror::owned::Page = serde_json::from_str(text).unwrap();
    let borrowed: mirror::borrowed::Page = serde_json::from_str(text).unwrap();
    let inline: mirror::inline::Page = serde_json::from_str(text).unwrap();
    let twin: twin::Page = serde_json::from_str(text).unwrap();
    // The twin's strings borrow, and own only what had escapes.
    let escaped: twin::Str = serde_json::from_str(r#""a\nb""#).unwrap();
    assert!(matches!(escaped.0, std::borrow::Cow::Owned(ref s) if s == "a\nb"));
    assert_eq!(twin.items.len(), 1000);
    let slim: SlimPage = serde_json::from_str(text).unwrap();
    assert_eq!(slim.items.len(), 1000);
    assert_eq!(slim.total, Some(typed.total as u64));
    assert_eq!(mirrored.total, typed.total as f64);
    for (i, a) in typed.items.iter().enumerate() {
        assert_eq!(a.id, mirrored.items[i].id);
        assert_eq!(a.id, borrowed.items[i].id);
        assert_eq!(a.id, inline.items[i].id);
        assert_eq!(a.id, twin.items[i].id.0);
        assert_eq!(a.status, twin.items[i].status);
    }
    // `DECODE_PROFILE=N`: only N typed decodes of the page, for a profiler.
    if let Some(n) = std::env::var("DECODE_PROFILE")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        for _ in 0..n {
            let text = std::str::from_utf8(&page).unwrap();
            black_box(serde_json::from_str::<GetFleetAgentsResponse>(text).unwrap());
        }
        return;
    }
    table(
        "A page of 1,000 agents",
        &page,
        vec![
            (
                "parse only (`IgnoredAny`): the floor",
                Box::new(|b| {
                    black_box(serde_json::from_slice::<IgnoredAny>(b).unwrap());
                }),
            ),
            (
                "typed, as the client reads it (one UTF-8 check, `from_str`)",
                Box::new(|b| {
                    let text = std::str::from_utf8(b).unwrap();
                    black_box(serde_json::from_str::<GetFleetAgentsResponse>(text).unwrap());
                }),
            ),
            (
                "typed, `from_slice` (each string checked for UTF-8)",
                Box::new(|b| {
                    black_box(serde_json::from_slice::<GetFleetAgentsResponse>(b).unwrap());
                }),
            ),
            (
                "`serde_json::Value`",
                Box::new(|b| {
                    black_box(serde_json::from_slice::<serde_json::Value>(b).unwrap());
                }),
            ),
            (
                "typed, only id and status (`items_as::<T>()`, the rest skipped)",
                Box::new(|b| {
                    let text = std::str::from_utf8(b).unwrap();
                    black_box(serde_json::from_str::<SlimPage>(text).unwrap());
                }),
            ),
            (
                "bound: mirror of the page's fields, `String`s (serde derive)",
                Box::new(|b| {
                    let text = std::str::from_utf8(b).unwrap();
                    black_box(serde_json::from_str::<mirror::owned::Page>(text).unwrap());
                }),
            ),
            (
                "bound: the mirror with inline strings (`CompactString`)",
                Box::new(|b| {
                    let text = std::str::from_utf8(b).unwrap();
                    black_box(serde_json::from_str::<mirror::inline::Page>(text).unwrap());
                }),
            ),
            (
                "bound: a borrowed twin of the client's whole `Agent`",
                Box::new(|b| {
                    let text = std::str::from_utf8(b).unwrap();
                    black_box(serde_json::from_str::<twin::Page>(text).unwrap());
                }),
            ),
            (
                "bound: the mirror borrowing from the body (`&str`)",
                Box::new(|b| {
                    let text = std::str::from_utf8(b).unwrap();
                    black_box(serde_json::from_str::<mirror::borrowed::Page>(text).unwrap());
                }),
            ),
        ],
    );

    let export = fetch(
        "/api/saved_objects/_export",
        Some(r#"{"type": ["dashboard", "visualization"]}"#),
    );
    let count = lines(&export).count();
    assert!(count > 1, "an export of {count} lines");
    table(
        &format!("An ndjson export of {count} lines, line by line"),
        &export,
        vec![
            (
                "parse only (`IgnoredAny`): the floor",
                Box::new(|b| {
                    for line in lines(b) {
                        black_box(serde_json::from_slice::<IgnoredAny>(line).unwrap());
                    }
                }),
            ),
            (
                "typed, as the client reads it: `PostSavedObjectsExportItem`",
                Box::new(|b| {
                    for line in lines(b) {
                        let text = std::str::from_utf8(line).unwrap();
                        black_box(
                            serde_json::from_str::<PostSavedObjectsExportItem>(text).unwrap(),
                        );
                    }
                }),
            ),
            (
                "`serde_json::Value`",
                Box::new(|b| {
                    for line in lines(b) {
                        black_box(serde_json::from_slice::<serde_json::Value>(line).unwrap());
                    }
                }),
            ),
        ],
    );
}
