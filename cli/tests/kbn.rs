//! The real `kbn` binary against the embedded mock Kibana: a listing, a create/get/delete round
//! trip, an export, an upload, a dry run, an API error, usage errors, an unreachable Kibana,
//! completions; the API key in no output. And every operation of the model has its command.

use kibana_serverless_mock::{API_KEY, MockConfig, MockKibana};
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs kbn against `url` with `args` (and `stdin`); checks the key shows nowhere.
fn kbn(url: &str, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kbn"))
        .args(args)
        .env("KIBANA_URL", url)
        .env("KIBANA_API_KEY", API_KEY)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    for text in [&run.stdout, &run.stderr] {
        assert!(
            !text.contains(API_KEY),
            "the API key in kbn's output: {text}"
        );
        assert!(
            !text.contains("mock-secret"),
            "the secret in kbn's output: {text}"
        );
    }
    run
}

fn json(run: &Run) -> Value {
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn file(name: &str, bytes: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("kbn-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path.to_string_lossy().into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_against_the_mock() {
    let mock = MockKibana::start().await.unwrap();
    let url = mock.url();

    // A listing, with a typed flag and an enum.
    let page = json(&kbn(
        &url,
        &[
            "fleet",
            "get-fleet-agents",
            "--per-page",
            "5",
            "--sort-order",
            "asc",
            "--compact",
        ],
        None,
    ));
    assert_eq!(page["items"].as_array().unwrap().len(), 5);
    assert_eq!(page["total"], 2500);

    // The README's first task: the mock does not filter by `kuery`, so every agent comes.
    let offline = kbn(
        &url,
        &[
            "fleet",
            "get-fleet-agents",
            "--kuery",
            "status:offline",
            "--all",
        ],
        None,
    );
    assert_eq!(offline.code, 0, "{}", offline.stderr);
    assert_eq!(offline.stdout.lines().count(), 2500);

    // Create, read, delete, and read again: Kibana's 404 is exit code 3.
    let body = file("space.json", br#"{"id": "cli-team", "name": "CLI team"}"#);
    let created = json(&kbn(
        &url,
        &["spaces", "post-spaces-space", "--body", &body],
        None,
    ));
    assert_eq!(created["id"], "cli-team");
    let read = json(&kbn(
        &url,
        &["spaces", "get-spaces-space-id", "--id", "cli-team"],
        None,
    ));
    assert_eq!(read["name"], "CLI team");
    assert_eq!(
        kbn(
            &url,
            &["spaces", "delete-spaces-space-id", "--id", "cli-team"],
            None
        )
        .code,
        0
    );
    let gone = kbn(
        &url,
        &["spaces", "get-spaces-space-id", "--id", "cli-team"],
        None,
    );
    assert_eq!(gone.code, 3, "{}", gone.stderr);
    assert!(
        gone.stderr.starts_with("kbn: Kibana answered 404"),
        "{}",
        gone.stderr
    );

    // An export, its body from standard input: the ndjson lines as they came.
    let export = kbn(
        &url,
        &["saved_objects", "post-saved-objects-export", "--body", "-"],
        Some(br#"{"type": ["dashboard"]}"#),
    );
    assert_eq!(export.code, 0, "{}", export.stderr);
    let lines: Vec<Value> = export
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty());
    let (details, objects) = lines.split_last().unwrap();
    assert!(
        objects
            .iter()
            .all(|l| l["id"].is_string() && l["type"].is_string()),
        "{}",
        export.stdout
    );
    assert_eq!(
        details["exportedCount"],
        objects.len(),
        "the export's details come last"
    );

    // An upload from a file.
    let mut zip = b"PK\x03\x04".to_vec();
    zip.extend([7u8; 512]);
    let archive = file("pkg.zip", &zip);
    let installed = json(&kbn(
        &url,
        &["fleet_epm", "post-fleet-epm-packages", "--file", &archive],
        None,
    ));
    assert!(installed["_meta"]["name"].is_string(), "{installed}");

    // A space for every call.
    let team = json(&kbn(
        &url,
        &[
            "fleet",
            "get-fleet-agents",
            "--per-page",
            "2",
            "--space",
            "team-a",
        ],
        None,
    ));
    assert_eq!(team["items"].as_array().unwrap().len(), 2);
}

#[test]
fn a_dry_run_prints_curl_with_the_key_masked() {
    let body = file("dry.json", br#"{"id": "ops", "name": "Ops"}"#);
    let run = kbn(
        "https://kibana.example",
        &[
            "spaces",
            "put-spaces-space-id",
            "--id",
            "a/b c",
            "--body",
            &body,
            "--dry-run",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(
            "curl -X PUT \\\n  'https://kibana.example/api/spaces/space/a%2Fb%20c' \\\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("-H 'Authorization: ApiKey ****'"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("-H 'kbn-xsrf: true'"));
    assert!(
        run.stdout
            .contains(r#"--data-binary '{"id":"ops","name":"Ops"}'"#),
        "{}",
        run.stdout
    );

    let run = kbn(
        "https://kibana.example",
        &[
            "fleet",
            "get-fleet-agents",
            "--per-page",
            "10",
            "--kuery",
            "status:online",
            "--space",
            "team-a",
            "--dry-run",
        ],
        None,
    );
    assert!(
        run.stdout.starts_with(
            "curl -X GET \\\n  'https://kibana.example/s/team-a/api/fleet/agents?perPage=10&kuery=status%3Aonline' \\\n"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn usage_errors_are_exit_code_2() {
    let url = "http://127.0.0.1:9";
    // A required flag missing, an integer that is not one, a value the enum does not have.
    for args in [
        &["spaces", "get-spaces-space-id"][..],
        &["fleet", "get-fleet-agents", "--per-page", "ten"][..],
        &["fleet", "get-fleet-agents", "--sort-order", "sideways"][..],
        &["spaces", "no-such-operation"][..],
    ] {
        let run = kbn(url, args, None);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.is_empty());
    }
    let body = file("bad.json", b"{not json");
    let run = kbn(url, &["spaces", "post-spaces-space", "--body", &body], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not JSON"), "{}", run.stderr);
    // Enum values are listed in the help.
    let help = kbn(url, &["fleet", "get-fleet-agents", "--help"], None);
    assert_eq!(help.code, 0);
    assert!(
        help.stdout.contains("asc") && help.stdout.contains("desc"),
        "{}",
        help.stdout
    );
}

#[test]
fn an_unreachable_kibana_is_exit_code_5() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let run = kbn(&url, &["status", "get-status"], None);
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(run.stderr.contains("could not connect"), "{}", run.stderr);
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let run = kbn("http://127.0.0.1:9", &["completions", shell], None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("get-fleet-agents"), "{shell}");
    }
}

#[test]
fn every_operation_of_the_model_has_its_command() {
    let model: Value =
        serde_json::from_str(include_str!("../../generated/operations.json")).unwrap();
    let tree = kibana_serverless_cli::command();
    let mut count = 0;
    for op in model["operations"].as_array().unwrap() {
        let domain = tree
            .find_subcommand(op["domain"].as_str().unwrap())
            .unwrap_or_else(|| panic!("no domain command for {op}"));
        let name = op["rust_method"].as_str().unwrap().replace('_', "-");
        let command = domain
            .find_subcommand(&name)
            .unwrap_or_else(|| panic!("no command {name}"));
        for p in op["parameters"].as_array().unwrap() {
            let setter = p["setter"].as_str().unwrap();
            assert!(
                command.get_arguments().any(|a| a.get_id() == setter),
                "{name}: no flag for {setter}"
            );
        }
        count += 1;
    }
    assert_eq!(count, kibana_serverless_cli::model::operations().len());
    println!("{count} operations, each a command");
    // clap's own checks of the tree (no two flags alike, every id unique).
    tree.debug_assert();
}

/// Every operation, its required flags filled, as a dry run in this process: a curl command
/// for each, never a panic.
#[tokio::test]
async fn every_operation_runs_dry() {
    use kibana_serverless_cli::model::{Body, Kind, operations};
    let body = file("empty.json", b"{}");
    let upload = file("upload.zip", b"PK\x03\x04");
    let mut count = 0;
    for op in operations() {
        let mut argv: Vec<String> = vec!["kbn".into(), op.domain.clone(), op.command.clone()];
        for p in op.params.iter().filter(|p| p.required) {
            let value = match (p.values.first(), p.kind) {
                (Some(v), _) => v.clone(),
                (None, Kind::Integer | Kind::Number) => "1".into(),
                (None, Kind::Boolean) => "true".into(),
                (None, Kind::Json) => "{}".into(),
                (None, Kind::String) => "some-id".into(),
            };
            argv.extend([format!("--{}", p.flag), value]);
        }
        match &op.body {
            Body::None => {}
            Body::Json { .. } => argv.extend(["--body".into(), body.clone()]),
            Body::File { .. } => argv.extend(["--file".into(), upload.clone()]),
        }
        argv.extend([
            "--url".into(),
            "https://kibana.example".into(),
            "--dry-run".into(),
        ]);
        let code = kibana_serverless_cli::main(argv.clone()).await;
        assert_eq!(code, 0, "{argv:?}");
        count += 1;
    }
    assert_eq!(count, operations().len());
}

/// `--all` streams every agent, one JSON object a line, page by page; `--limit` stops early.
/// `KBN_AGENTS=100000` for the figure in the README (time, and peak memory by /usr/bin/time).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_streams_every_agent_as_ndjson() {
    let agents: usize = std::env::var("KBN_AGENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5_000);
    let mock = MockKibana::start_with(MockConfig {
        agents,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let args = ["fleet", "get-fleet-agents", "--all", "--per-page", "1000"];
    let started = std::time::Instant::now();
    let run = kbn(&mock.url(), &args, None);
    let took = started.elapsed();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ids: std::collections::HashSet<String> = run
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len(), agents, "every agent once");
    println!(
        "kbn --all: {agents} agents, {} bytes of NDJSON, in {took:?}",
        run.stdout.len()
    );
    if std::env::var_os("KBN_AGENTS").is_some() && std::path::Path::new("/usr/bin/time").exists() {
        let out = Command::new("/usr/bin/time")
            .args(["-f", "PEAK_KIB=%M"])
            .arg(env!("CARGO_BIN_EXE_kbn"))
            .args(args)
            .env("KIBANA_URL", mock.url())
            .env("KIBANA_API_KEY", API_KEY)
            .stdout(Stdio::null())
            .output()
            .unwrap();
        println!(
            "kbn --all peak memory: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }

    let limited = kbn(
        &mock.url(),
        &[
            "fleet",
            "get-fleet-agents",
            "--all",
            "--limit",
            "1234",
            "--per-page",
            "500",
        ],
        None,
    );
    assert_eq!(limited.code, 0, "{}", limited.stderr);
    assert_eq!(limited.stdout.lines().count(), 1234);
    // --limit without --all is a usage error.
    let run = kbn(
        &mock.url(),
        &["fleet", "get-fleet-agents", "--limit", "3"],
        None,
    );
    assert_eq!(run.code, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_logs_each_request_without_the_key() {
    let mock = MockKibana::start().await.unwrap();
    let run = kbn(
        &mock.url(),
        &["fleet", "get-fleet-agents", "--per-page", "1", "-v"],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("kibana.request"), "{}", run.stderr);
    assert!(run.stderr.contains("get_fleet_agents"), "{}", run.stderr);
    assert_eq!(json(&run)["items"].as_array().unwrap().len(), 1);
}

#[test]
fn the_reference_lists_every_command_and_its_flags() {
    let run = kbn("http://127.0.0.1:9", &["reference"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for op in kibana_serverless_cli::model::operations() {
        let heading = format!("### `kbn {} {}`", op.domain, op.command);
        assert!(run.stdout.contains(&heading), "{heading}");
    }
    assert!(
        run.stdout.contains("- `--sort-order`: "),
        "enum flags are listed"
    );
    assert!(run.stdout.contains("One of: asc, desc."));
}
