//! The same two tasks through this client and through kibana-py (Python): list 100,000 agents
//! page by page, and export 100,000 saved objects. Fair by construction:
//!
//! - the mock Kibana runs in a process of its own, started once and warmed before any timing;
//! - each client runs alone, in a process of its own (its wall time and peak memory are its
//!   own), one after the other, on the same cores;
//! - beside the typed client runs the floor: the same requests with reqwest, each page or line
//!   only parsed (`serde::de::IgnoredAny`), so the table shows what decoding adds;
//! - several rounds, in alternating order; the table gives the minimum and the median.
//!
//! `benches/vs_kibana_py.sh` installs kibana-py into a virtualenv and runs this bench
//! (`VS_ROUNDS` rounds, 5 by default).

use futures::TryStreamExt;
use kibana_serverless::Kibana;
use kibana_serverless_mock::{API_KEY, MockConfig, MockKibana};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const ITEMS: usize = 100_000;

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("VmHWM:")
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
        })
        .unwrap_or(0)
}

/// The client: typed items through `items()` and `lines()`.
async fn typed(task: &str, kibana: &Kibana, ahead: usize) -> u64 {
    let mut items = 0u64;
    match task {
        "agents" => {
            let mut agents = kibana
                .fleet()
                .get_fleet_agents()
                .items()
                .page_size(1000)
                .concurrency(ahead);
            while agents.try_next().await.unwrap().is_some() {
                items += 1;
            }
        }
        "agents-slim" => {
            /// Only what the caller reads.
            #[derive(serde::Deserialize)]
            #[allow(dead_code)]
            struct Slim {
                id: String,
                status: Option<kibana_serverless::fleet::types::AgentStatus>,
            }
            let mut agents = kibana
                .fleet()
                .get_fleet_agents()
                .items_as::<Slim>()
                .page_size(1000)
                .concurrency(ahead);
            while agents.try_next().await.unwrap().is_some() {
                items += 1;
            }
        }
        _ => {
            let body: kibana_serverless::saved_objects::types::PostSavedObjectsExportBody =
                serde_json::from_value(serde_json::json!({"type": ["dashboard", "visualization"]}))
                    .unwrap();
            let mut lines = kibana
                .saved_objects()
                .post_saved_objects_export()
                .body(body)
                .lines()
                .await
                .unwrap();
            while let Some(line) = lines.try_next().await.unwrap() {
                // Every line but the export details is a saved object.
                if line.exported_count.is_none() {
                    items += 1;
                }
            }
        }
    }
    items
}

/// The floor: the same requests with reqwest, every page or line parsed and nothing built.
async fn floor(task: &str, url: &str) -> u64 {
    use serde::de::IgnoredAny;
    let http = reqwest::Client::new();
    let auth = format!("ApiKey {API_KEY}");
    let mut items = 0u64;
    match task {
        "agents" => {
            #[derive(serde::Deserialize)]
            struct Page {
                items: Vec<IgnoredAny>,
                // The mock, like Kibana, may write counters as floats.
                total: f64,
            }
            for page in 1.. {
                let body = http
                    .get(format!("{url}/api/fleet/agents?page={page}&perPage=1000"))
                    .header("authorization", &auth)
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap();
                let page: Page = serde_json::from_slice(&body).unwrap();
                items += page.items.len() as u64;
                if page.items.is_empty() || items as f64 >= page.total {
                    break;
                }
            }
        }
        _ => {
            let mut body = http
                .post(format!("{url}/api/saved_objects/_export"))
                .header("authorization", &auth)
                .header("kbn-xsrf", "true")
                .header("content-type", "application/json")
                .body(r#"{"type": ["dashboard", "visualization"]}"#)
                .send()
                .await
                .unwrap()
                .bytes_stream();
            let mut pending = Vec::new();
            while let Some(chunk) = body.try_next().await.unwrap() {
                pending.extend_from_slice(&chunk);
                let mut start = 0;
                while let Some(end) = pending[start..].iter().position(|b| *b == b'\n') {
                    let line = &pending[start..start + end];
                    serde_json::from_slice::<IgnoredAny>(line).unwrap();
                    items += 1;
                    start += end + 1;
                }
                pending.drain(..start);
            }
            if !pending.is_empty() {
                serde_json::from_slice::<IgnoredAny>(&pending).unwrap();
                items += 1;
            }
            // The last line is the export's details.
            items -= 1;
        }
    }
    items
}

/// One side in this (child) process; prints its figures.
fn child_task(side: &str, task: &str, url: &str) {
    // One thread, as the Python process has; with prefetch, two workers (the next page is
    // fetched and decoded on the other core); concurrent, four pages at once on two workers.
    let runtime = if side == "prefetch" || side == "concurrent" {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
    .unwrap();
    runtime.block_on(async {
        // Built before the clock starts, on both sides (it installs the TLS provider).
        let kibana = Kibana::new(url, API_KEY).unwrap();
        let started = Instant::now();
        let items = match side {
            "typed" => typed(task, &kibana, 0).await,
            "slim" => typed("agents-slim", &kibana, 0).await,
            "prefetch" => typed(task, &kibana, 1).await,
            "concurrent" => typed(task, &kibana, 4).await,
            _ => floor(task, url).await,
        };
        println!(
            "items={items} seconds={:.3} peak_rss_kib={}",
            started.elapsed().as_secs_f64(),
            peak_rss_kib()
        );
    });
}

/// The mock in this (child) process: prints its URL, serves until its stdin closes.
fn child_mock() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mock = MockKibana::start_with(MockConfig {
            agents: ITEMS,
            saved_objects: ITEMS,
            ..MockConfig::default()
        })
        .await
        .unwrap();
        println!("{}", mock.url());
        tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new()))
            .await
            .unwrap()
            .unwrap();
    });
}

struct Figures {
    seconds: f64,
    peak_kib: u64,
}

fn run(program: &str, args: &[&str]) -> Figures {
    let out = Command::new(program).args(args).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let field = |k: &str| {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(k))
            .unwrap_or_else(|| panic!("no {k} in {text:?}"))
            .to_string()
    };
    let items: usize = field("items=").parse().unwrap();
    assert_eq!(items, ITEMS, "{program} {args:?}");
    Figures {
        seconds: field("seconds=").parse().unwrap(),
        peak_kib: field("peak_rss_kib=").parse().unwrap(),
    }
}

fn start_mock(exe: &str) -> (Child, String) {
    let mut child = Command::new(exe)
        .arg("--mock")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    (child, url.trim().to_string())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--mock") => return child_mock(),
        Some("--side") => return child_task(&args[2], &args[3], &args[4]),
        _ => {}
    }
    let python = std::env::var("KIBANA_PY_PYTHON").expect(
        "KIBANA_PY_PYTHON: the virtualenv's python with kibana-py (run benches/vs_kibana_py.sh)",
    );
    let rounds: usize = std::env::var("VS_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/kibana_py.py");
    let exe = std::env::current_exe().unwrap();
    let exe = exe.to_str().unwrap();
    let (mut mock, url) = start_mock(exe);
    println!(
        "{} cores; mock in its own process; each client alone in its own; {rounds} rounds\n",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "| task ({ITEMS} items) | side | min s | median s | median peak MiB | kibana-py time / this | kibana-py memory / this |"
    );
    println!("|---|---|---|---|---|---|---|");
    for task in ["agents", "export"] {
        let mut sides: Vec<(&str, Vec<String>, String)> = vec![
            (
                "parse only (reqwest + `IgnoredAny`): the floor",
                vec!["--side".into(), "floor".into(), task.into(), url.clone()],
                exe.to_string(),
            ),
            (
                "kibana-serverless (typed)",
                vec!["--side".into(), "typed".into(), task.into(), url.clone()],
                exe.to_string(),
            ),
            (
                "kibana-py 0.6.0",
                vec![script.into(), task.into(), url.clone(), API_KEY.into()],
                python.clone(),
            ),
        ];
        if task == "agents" {
            for (at, name, side) in [
                (
                    2,
                    "kibana-serverless (typed, prefetch, 2 threads)",
                    "prefetch",
                ),
                (
                    3,
                    "kibana-serverless (typed, 4 pages at once, 2 threads)",
                    "concurrent",
                ),
                (
                    4,
                    "kibana-serverless (`items_as`: id and status only, one thread)",
                    "slim",
                ),
            ] {
                let args = vec!["--side".into(), side.into(), task.into(), url.clone()];
                sides.insert(at, (name, args, exe.to_string()));
            }
        }
        let python_side = sides.len() - 1;
        let call = |i: usize| {
            let (_, args, program) = &sides[i];
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            run(program, &args)
        };
        // Untimed: every side meets the mock warm.
        for i in 0..sides.len() {
            call(i);
        }
        let mut figures: Vec<Vec<Figures>> = (0..sides.len()).map(|_| Vec::new()).collect();
        for round in 0..rounds {
            for k in 0..sides.len() {
                let i = if round % 2 == 0 {
                    k
                } else {
                    sides.len() - 1 - k
                };
                figures[i].push(call(i));
            }
        }
        let summary: Vec<(f64, f64, f64)> = figures
            .iter()
            .map(|f| {
                (
                    f.iter().map(|x| x.seconds).fold(f64::INFINITY, f64::min),
                    median(f.iter().map(|x| x.seconds).collect()),
                    median(f.iter().map(|x| x.peak_kib as f64 / 1024.0).collect()),
                )
            })
            .collect();
        let (_, py_time, py_mem) = summary[python_side];
        for ((name, _, _), (min, med, mem)) in sides.iter().zip(&summary) {
            println!(
                "| {task} | {name} | {min:.3} | {med:.3} | {mem:.1} | {:.1}x | {:.1}x |",
                py_time / med,
                py_mem / mem
            );
        }
    }
    drop(mock.stdin.take());
    let _ = mock.wait();
}
