//! The same two tasks through this client and through kibana-py (Python), against one mock
//! Kibana: list 100,000 agents page by page, and export 100,000 saved objects. Each side runs in
//! its own process, so its wall time and peak memory are its own. Prints the ratios.
//!
//! The Rust side runs twice: on a current-thread runtime (single-threaded, like the Python
//! process) and on a two-worker multi-thread runtime (where glibc gives each worker thread its
//! own heap arena, so peak memory is higher), and for the agents also with prefetch (the next
//! page fetched and decoded on the other worker). The mock runs in this parent process.
//!
//! `benches/vs_kibana_py.sh` installs kibana-py into a virtualenv and runs this bench.

use futures::TryStreamExt;
use kibana_serverless::Kibana;
use kibana_serverless_mock::{API_KEY, MockConfig, MockKibana};
use std::process::Command;
use std::time::Instant;

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

async fn rust_task(task: &str, url: &str, prefetch: bool) {
    let kibana = Kibana::new(url, API_KEY).unwrap();
    let started = Instant::now();
    let mut items = 0u64;
    match task {
        "agents" => {
            let mut agents = kibana
                .fleet()
                .get_fleet_agents()
                .items()
                .page_size(1000)
                .prefetch(prefetch);
            while agents.try_next().await.unwrap().is_some() {
                items += 1;
            }
        }
        "export" => {
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
        other => panic!("unknown task {other}"),
    }
    println!(
        "items={items} seconds={:.3} peak_rss_kib={}",
        started.elapsed().as_secs_f64(),
        peak_rss_kib()
    );
}

fn parse(out: &str) -> (u64, f64, u64) {
    let field = |k: &str| {
        out.split_whitespace()
            .find_map(|w| w.strip_prefix(k))
            .unwrap_or_else(|| panic!("no {k} in {out:?}"))
            .to_string()
    };
    (
        field("items=").parse().unwrap(),
        field("seconds=").parse().unwrap(),
        field("peak_rss_kib=").parse().unwrap(),
    )
}

/// Runs `program args` to completion on a blocking thread; panics with its stderr on failure.
async fn run(program: std::path::PathBuf, args: Vec<String>) -> String {
    let out = tokio::task::spawn_blocking(move || Command::new(program).args(args).output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() >= 5 && args[1] == "--rust-task" {
        let runtime = match args[4].as_str() {
            "current-thread" => tokio::runtime::Builder::new_current_thread(),
            _ => {
                let mut b = tokio::runtime::Builder::new_multi_thread();
                b.worker_threads(2);
                b
            }
        }
        .enable_all()
        .build()
        .unwrap();
        return runtime.block_on(rust_task(&args[2], &args[3], args[4].ends_with("prefetch")));
    }
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(compare());
}

async fn compare() {
    let python = std::env::var("KIBANA_PY_PYTHON").expect(
        "KIBANA_PY_PYTHON: the virtualenv's python with kibana-py (run benches/vs_kibana_py.sh)",
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/kibana_py.py");
    let mock = MockKibana::start_with(MockConfig {
        agents: 100_000,
        saved_objects: 100_000,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let url = mock.url();
    let exe = std::env::current_exe().unwrap();
    println!(
        "| task (100,000 items) | rust runtime | rust s | python s | speed-up | rust peak MiB | python peak MiB | memory ratio |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for task in ["agents", "export"] {
        let rust_args = |runtime: &str| {
            vec![
                "--rust-task".to_string(),
                task.to_string(),
                url.clone(),
                runtime.to_string(),
            ]
        };
        // One untimed run first, so that every side meets the mock's caches warm.
        run(exe.clone(), rust_args("current-thread")).await;
        let py = run(
            python.clone().into(),
            vec![
                script.to_string(),
                task.to_string(),
                url.clone(),
                API_KEY.to_string(),
            ],
        )
        .await;
        let (pi, ps, pm) = parse(&py);
        assert_eq!(pi, 100_000, "python items");
        let variants: &[&str] = if task == "agents" {
            &["current-thread", "multi-thread", "multi-thread, prefetch"]
        } else {
            &["current-thread", "multi-thread"]
        };
        for &runtime in variants {
            let (ri, rs, rm) = parse(&run(exe.clone(), rust_args(runtime)).await);
            assert_eq!(ri, 100_000, "rust items");
            println!(
                "| {task} | {runtime} | {rs:.2} | {ps:.2} | {:.1}x | {:.1} | {:.1} | 1/{:.1} |",
                ps / rs,
                rm as f64 / 1024.0,
                pm as f64 / 1024.0,
                pm as f64 / rm as f64
            );
        }
    }
}
