//! Every example runs to completion against the embedded mock Kibana (as `cargo run --example`
//! would, with no `KIBANA_URL`), and prints what its task produced.

use std::path::PathBuf;
use std::process::Command;

fn example(name: &str) -> PathBuf {
    // cargo test builds the examples next to the test binaries: target/<profile>/examples.
    let exe = std::env::current_exe().unwrap();
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .join("examples");
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} was not built: run the tests with `cargo test`, which builds the examples",
        path.display()
    );
    path
}

fn run(name: &str, args: &[&str]) -> String {
    let out = Command::new(example(name))
        .args(args)
        .env_remove("KIBANA_URL")
        .env_remove("KIBANA_API_KEY")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{name} failed:\n{stdout}\n{stderr}");
    assert!(
        stderr.contains("embedded mock Kibana"),
        "{name} did not use the mock: {stderr}"
    );
    stdout
}

#[test]
fn list_agents() {
    let out = run("list_agents", &[]);
    assert!(out.starts_with("2500 agents\n"), "{out}");
    assert!(out.contains("online     1500"), "{out}");
}

#[test]
fn triage_alerts() {
    let out = run("triage_alerts", &[]);
    assert!(
        out.contains("assigned 5 alerts") && out.contains("closed 5 alerts"),
        "{out}"
    );
}

#[test]
fn export_saved_objects() {
    let file = std::env::temp_dir().join(format!("example-export-{}.ndjson", std::process::id()));
    let out = run("export_saved_objects", &[file.to_str().unwrap()]);
    assert!(
        out.contains("wrote 1001 lines") && out.contains("Kibana exported 1000"),
        "{out}"
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        text.lines().count(),
        1001,
        "1000 objects and the details line"
    );
    std::fs::remove_file(file).unwrap();
}

#[test]
fn assistant_conversation() {
    let out = run("assistant_conversation", &[]);
    assert!(
        out.contains("updated: 1 message(s)")
            && out.contains("read back: Triage of host-000042 (in progress)"),
        "{out}"
    );
}

#[test]
fn upgrade_agents() {
    let out = run("upgrade_agents", &[]);
    assert!(out.contains("reassigning 5 agents"), "{out}");
    assert_eq!(
        out.matches("confirmed after the cooldown").count(),
        5,
        "{out}"
    );
}

#[test]
fn data_view_and_rule() {
    let out = run("data_view_and_rule", &[]);
    assert!(
        out.contains("data view ") && out.contains("connector "),
        "{out}"
    );
    assert!(out.contains("notifies 1 action(s)"), "{out}");
}

#[test]
fn copy_space_objects() {
    let file = std::env::temp_dir().join(format!("example-copy-{}.ndjson", std::process::id()));
    let out = run("copy_space_objects", &[file.to_str().unwrap()]);
    assert!(out.contains("exported 1001 lines from marketing"), "{out}");
    assert!(out.contains("imported into sales: success true"), "{out}");
    std::fs::remove_file(file).unwrap();
}

#[test]
fn slo_pages() {
    let out = run("slo_pages", &[]);
    assert!(out.contains("12 SLOs over 3 pages"), "{out}");
}

#[test]
fn detection_rules() {
    let file = std::env::temp_dir().join(format!("example-rules-{}.ndjson", std::process::id()));
    let out = run("detection_rules", &[file.to_str().unwrap()]);
    assert!(
        out.contains("created \"Office child shell (web)\""),
        "{out}"
    );
    assert!(out.contains("found 3 office rules"), "{out}");
    let written = std::fs::read_to_string(&file).unwrap();
    std::fs::remove_file(&file).ok();
    let lines = written.lines().count();
    assert!(lines > 0, "{out}");
    assert!(out.contains(&format!("exported {lines} lines")), "{out}");
    for line in written.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("each line is JSON");
    }
    assert!(out.contains("imported into soc:"), "{out}");
}

#[test]
fn fleet_rollout() {
    let out = run("fleet_rollout", &[]);
    assert!(out.contains("agent policy Web servers (canary)"), "{out}");
    assert!(out.contains("integration nginx-canary added"), "{out}");
    // The mock's 2,500 agents, in batches of 500.
    assert!(
        out.contains("reassigned 2500 agents in 5 batches, 0 refused"),
        "{out}"
    );
    // 41 requests: each of 20 agents twice (the second after the cooldown), one unknown agent.
    assert!(
        out.contains("upgrade requested for 40 of 41 agents"),
        "{out}"
    );
    assert!(out.contains("  agent-gone: "), "{out}");
}

#[test]
fn alert_exception() {
    let out = run("alert_exception", &[]);
    assert!(out.contains("5 open alerts on Host-f43kkddfyc"), "{out}");
    assert!(
        out.contains("exception ") && out.contains(" added to list "),
        "{out}"
    );
    assert!(out.contains("note saved: \""), "{out}");
}
