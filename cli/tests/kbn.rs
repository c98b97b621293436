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
    kbn_env(
        &[("KIBANA_URL", url), ("KIBANA_API_KEY", API_KEY)],
        args,
        stdin,
    )
}

/// Runs kbn with only `env` of kbn's variables set (no config file unless `KBN_CONFIG` is).
fn kbn_env(env: &[(&str, &str)], args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kbn"));
    for var in ["KIBANA_URL", "KIBANA_API_KEY", "KBN_PROFILE"] {
        command.env_remove(var);
    }
    command.env(
        "KBN_CONFIG",
        std::env::temp_dir().join("kbn-no-such-config.toml"),
    );
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command
        .args(args)
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

/// A test's own directory for the files it hands to kbn, removed when the test ends.
struct Scratch(tempfile::TempDir);

impl Scratch {
    fn new() -> Self {
        Scratch(
            tempfile::Builder::new()
                .prefix("kbn-test-")
                .tempdir()
                .unwrap(),
        )
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.0.path().join(name)
    }

    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_string_lossy().into_owned()
    }

    /// A file only its owner may read, as a key file must be.
    fn private_file(&self, name: &str, text: &str) -> std::path::PathBuf {
        let path = self.path(name);
        std::fs::write(&path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        path
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_against_the_mock() {
    let scratch = Scratch::new();
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
    let body = scratch.file("space.json", br#"{"id": "cli-team", "name": "CLI team"}"#);
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

    // A create with body fields as flags, and its dry run showing the body.
    let flags = [
        "spaces",
        "post-spaces-space",
        "--id",
        "flag-team",
        "--name",
        "Flag team",
        "--disabled-features",
        "dev_tools,ml",
    ];
    let created = json(&kbn(&url, &flags, None));
    assert_eq!(created["id"], "flag-team");
    assert_eq!(
        created["disabledFeatures"],
        serde_json::json!(["dev_tools", "ml"])
    );
    let dry = kbn(&url, &[&flags[..], &["--dry-run"]].concat(), None);
    assert!(
        dry.stdout.contains(
            r#"--data-binary '{"disabledFeatures":["dev_tools","ml"],"id":"flag-team","name":"Flag team"}'"#
        ),
        "{}",
        dry.stdout
    );
    // A field flag sets the field over the --body file's.
    let renamed = json(&kbn(
        &url,
        &[
            "spaces",
            "put-spaces-space-id",
            "--id",
            "flag-team",
            "--body",
            "-",
            "--name",
            "Renamed",
        ],
        Some(br#"{"id": "flag-team", "name": "Flag team"}"#),
    ));
    assert_eq!(renamed["name"], "Renamed");
    // A required body may come from its fields alone, but not from nothing.
    let missing = kbn(&url, &["spaces", "post-spaces-space"], None);
    assert_eq!(missing.code, 2, "{}", missing.stderr);

    // An export to a file: the bytes as they came, the file whole only when the answer was.
    let exported = scratch.path("export.ndjson");
    let exported_path = exported.to_string_lossy().into_owned();
    let to_file = kbn(
        &url,
        &[
            "saved_objects",
            "post-saved-objects-export",
            "--body",
            "-",
            "-o",
            &exported_path,
        ],
        Some(br#"{"type": ["dashboard"]}"#),
    );
    assert_eq!(to_file.code, 0, "{}", to_file.stderr);
    assert!(to_file.stdout.is_empty(), "{}", to_file.stdout);
    let saved = std::fs::read(&exported).unwrap();
    assert!(
        to_file.stderr.starts_with(&format!(
            "kbn: wrote {} bytes to {exported_path}",
            saved.len()
        )),
        "{}",
        to_file.stderr
    );
    assert!(!std::path::Path::new(&format!("{exported_path}.part")).exists());

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
    assert_eq!(saved, export.stdout.as_bytes(), "the same export to a file");

    // An upload from a file.
    let mut zip = b"PK\x03\x04".to_vec();
    zip.extend([7u8; 512]);
    let archive = scratch.file("pkg.zip", &zip);
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
    let scratch = Scratch::new();
    let body = scratch.file("dry.json", br#"{"id": "ops", "name": "Ops"}"#);
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
    let scratch = Scratch::new();
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
    let body = scratch.file("bad.json", b"{not json");
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
    let scratch = Scratch::new();
    use kibana_serverless_cli::model::{Body, Kind, operations};
    let body = scratch.file("empty.json", b"{}");
    let upload = scratch.file("upload.zip", b"PK\x03\x04");
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

/// A reader that closes kbn's output early (`kbn ... | head`) ends it quietly with exit code 0:
/// no panic, no message, and a listing stops asking for pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_stops_early_ends_kbn_quietly() {
    use std::io::Read;
    let mock = MockKibana::start_with(MockConfig {
        agents: 5_000,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    // Each answer is far larger than a pipe's buffer, so kbn is still writing when it closes.
    let commands: [&[&str]; 3] = [
        &["reference"],
        &["completions", "bash"],
        &["fleet", "get-fleet-agents", "--all", "--per-page", "100"],
    ];
    for args in commands {
        let before = mock.requests();
        let mut child = Command::new(env!("CARGO_BIN_EXE_kbn"))
            .args(args)
            .env("KIBANA_URL", mock.url())
            .env("KIBANA_API_KEY", API_KEY)
            .env(
                "KBN_CONFIG",
                std::env::temp_dir().join("kbn-no-such-config.toml"),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut head = [0u8; 4096];
        child.stdout.take().unwrap().read_exact(&mut head).unwrap();
        // The read end is dropped here: kbn's next write finds the pipe closed.
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
        // 50 pages of 100; the pipe holds a few of them at most.
        assert!(
            mock.requests() - before < 25,
            "{args:?}: asked for pages nobody reads"
        );
    }
}

/// `--concurrency 4`: the same lines in the same order as one page at a time, and no request
/// past the last page or past what `--limit` needs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_with_pages_requested_four_at_once() {
    let mock = MockKibana::start_with(MockConfig {
        agents: 5_000,
        page_latency: std::time::Duration::from_millis(10),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let base = ["fleet", "get-fleet-agents", "--all", "--per-page", "500"];
    let one = kbn(&mock.url(), &base, None);
    assert_eq!(one.code, 0, "{}", one.stderr);
    let before = mock.requests();
    let four = kbn(
        &mock.url(),
        &[&base[..], &["--concurrency", "4"]].concat(),
        None,
    );
    assert_eq!(four.code, 0, "{}", four.stderr);
    assert_eq!(four.stdout.lines().count(), 5_000);
    assert!(
        four.stdout == one.stdout,
        "the same lines in the same order"
    );
    assert_eq!(
        mock.requests() - before,
        10,
        "ten pages, none past the total"
    );

    let before = mock.requests();
    let limited = kbn(
        &mock.url(),
        &[&base[..], &["--concurrency", "4", "--limit", "1234"]].concat(),
        None,
    );
    assert_eq!(limited.code, 0, "{}", limited.stderr);
    assert_eq!(limited.stdout.lines().count(), 1234);
    assert!(one.stdout.starts_with(&limited.stdout));
    assert_eq!(mock.requests() - before, 3, "three pages hold 1,234 agents");

    for wrong in [
        &["--concurrency", "0"][..],
        &["--concurrency", "65"],
        &["--concurrency", "x"],
    ] {
        let run = kbn(&mock.url(), &[&base[..], wrong].concat(), None);
        assert_eq!(run.code, 2, "{wrong:?}: {}", run.stderr);
    }
    // Without --all it means nothing: a usage error.
    let run = kbn(
        &mock.url(),
        &["fleet", "get-fleet-agents", "--concurrency", "2"],
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_from_a_config_file() {
    let scratch = Scratch::new();
    let mock = MockKibana::start().await.unwrap();
    let key_file = scratch.private_file("prod.key", &format!("{API_KEY}\n"));
    let config = scratch.file(
        "config.toml",
        format!(
            "default = \"prod\"\n\n\
             [profiles.prod]\nurl = \"{url}\"\napi_key_file = \"{key}\"\n\n\
             [profiles.team]\nurl = \"{url}\"\napi_key_env = \"TEAM_KIBANA_KEY\"\nspace = \"team-a\"\n\n\
             [profiles.elsewhere]\nurl = \"http://127.0.0.1:9\"\napi_key_env = \"TEAM_KIBANA_KEY\"\n",
            url = mock.url(),
            key = key_file.display()
        )
        .as_bytes(),
    );
    let list = ["fleet", "get-fleet-agents", "--per-page", "1"];
    let with = |env: &[(&str, &str)], extra: &[&str]| {
        let mut all = vec![("KBN_CONFIG", config.as_str())];
        all.extend_from_slice(env);
        kbn_env(&all, &[&list[..], extra].concat(), None)
    };

    // The default profile: URL and key from the config and its key file.
    let run = with(&[], &[]);
    assert_eq!(json(&run)["items"].as_array().unwrap().len(), 1);
    // A named profile, its key from an environment variable, its space in the request.
    let run = with(
        &[("TEAM_KIBANA_KEY", API_KEY)],
        &["--profile", "team", "--dry-run"],
    );
    assert!(
        run.stdout.contains("/s/team-a/api/fleet/agents"),
        "{}",
        run.stdout
    );
    let run = with(
        &[("TEAM_KIBANA_KEY", API_KEY), ("KBN_PROFILE", "team")],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A flag on the command line wins over the profile.
    let run = with(
        &[("TEAM_KIBANA_KEY", API_KEY)],
        &["--profile", "elsewhere", "--url", &mock.url()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A named profile wins over KIBANA_URL; KIBANA_URL over the default profile.
    let run = with(
        &[("TEAM_KIBANA_KEY", API_KEY), ("KIBANA_URL", &mock.url())],
        &["--profile", "elsewhere"],
    );
    assert_eq!(run.code, 5, "{}", run.stderr);
    let run = with(&[("KIBANA_URL", "http://127.0.0.1:9")], &[]);
    assert_eq!(run.code, 5, "{}", run.stderr);

    // What is wrong with a profile is a usage error that says what, and shows no key.
    let run = with(&[], &["--profile", "team"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("TEAM_KIBANA_KEY is not set"),
        "{}",
        run.stderr
    );
    let run = with(&[], &["--profile", "nobody"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("no profile \"nobody\" (profiles: elsewhere, prod, team)"),
        "{}",
        run.stderr
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let run = with(&[], &[]);
        assert_eq!(run.code, 2);
        assert!(run.stderr.contains("mode 644"), "{}", run.stderr);
        assert!(run.stderr.contains("chmod 600"), "{}", run.stderr);
    }
    let inline = scratch.file(
        "inline.toml",
        format!(
            "[profiles.a]\nurl = \"{}\"\napi_key = \"{API_KEY}\"\n",
            mock.url()
        )
        .as_bytes(),
    );
    let run = kbn_env(
        &[("KBN_CONFIG", &inline)],
        &[&list[..], &["--profile", "a"]].concat(),
        None,
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("holds a key"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_to_a_file_and_a_download_cut_short() {
    let scratch = Scratch::new();
    let mock = MockKibana::start().await.unwrap();
    let out = scratch.path("agents.ndjson");
    let path = out.to_string_lossy().into_owned();
    let run = kbn(
        &mock.url(),
        &[
            "fleet",
            "get-fleet-agents",
            "--all",
            "--per-page",
            "300",
            "--output",
            &path,
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .starts_with(&format!("kbn: wrote 2500 items to {path}")),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 2500);

    // An export cut mid-body: exit 5, the part that came kept as .part, no file that looks whole.
    let proxy = kibana_serverless_testkit::faults::FaultProxy::with_faults(
        &mock.url(),
        vec![kibana_serverless_testkit::faults::Fault::ResetMidBody],
    )
    .await
    .unwrap();
    let cut = scratch.path("cut.ndjson");
    let cut_path = cut.to_string_lossy().into_owned();
    let run = kbn(
        &proxy.url(),
        &[
            "saved_objects",
            "post-saved-objects-export",
            "--body",
            "-",
            "-o",
            &cut_path,
        ],
        Some(br#"{"type": ["dashboard", "index-pattern", "visualization"]}"#),
    );
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(!cut.exists(), "a cut export is not where a whole one goes");
    let part = format!("{cut_path}.part");
    assert!(
        run.stderr.contains(&format!("what came is in {part}")),
        "{}",
        run.stderr
    );
    let came = std::fs::read(&part).unwrap();
    assert!(!came.is_empty() && came.len() < 1 << 20, "{}", came.len());
    std::fs::remove_file(part).unwrap();
}

#[test]
fn man_pages_for_every_command() {
    let scratch = Scratch::new();
    let run = kbn("http://127.0.0.1:9", &["man"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &run.stdout[..200.min(run.stdout.len())]
    );
    assert!(run.stdout.contains(".TH kbn 1"), "roff with its title");
    let dir = scratch.path("man");
    let run = kbn("http://127.0.0.1:9", &["man", &dir.to_string_lossy()], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for op in kibana_serverless_cli::model::operations() {
        let page = dir.join(format!("kbn-{}-{}.1", op.domain, op.command));
        assert!(page.exists(), "{}", page.display());
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// A Kibana newer than the spec: every request gets one page with one agent carrying fields
/// the spec does not name, at two levels.
async fn newer_kibana() -> String {
    answering(serde_json::json!({
        "items": [{
            "id": "a1", "type": "PERMANENT", "active": true, "enrolled_at": "x",
            "packages": [], "local_metadata": {},
            "added_in_kibana_10": {"nested": [1, null]},
            "components": [{"id": "c", "message": "m", "status": "HEALTHY",
                            "type": "t", "added_too": true}]
        }],
        "total": 1, "page": 1, "perPage": 20, "new_page_field": "kept"
    }))
    .await
}

/// A server answering every request with `body` (200, JSON).
async fn answering(body: Value) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = body.to_string();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(n) if n > 0 => head.extend_from_slice(&buf[..n]),
                        _ => return,
                    }
                }
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn fields_newer_than_the_spec_are_printed() {
    let url = newer_kibana().await;
    let run = kbn(&url, &["fleet", "get-fleet-agents", "--all"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let agent: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(
        agent["added_in_kibana_10"],
        serde_json::json!({"nested": [1, null]})
    );
    assert_eq!(agent["components"][0]["added_too"], true);
    let run = kbn(&url, &["fleet", "get-fleet-agents"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = json(&run);
    assert_eq!(page["new_page_field"], "kept");
    assert_eq!(page["items"][0]["added_in_kibana_10"]["nested"][0], 1);
}

/// `--all` over a listing whose answer the spec leaves free-form pages by the field the model
/// names, and a page without it is an error naming the field, not an empty listing.
#[tokio::test(flavor = "multi_thread")]
async fn all_over_a_free_form_answer() {
    let url = answering(serde_json::json!({
        "page": 1, "per_page": 20, "total": 2,
        "data": [{"id": "p1", "name": "one"}, {"id": "p2", "name": "two"}]
    }))
    .await;
    let run = kbn(&url, &["osquery", "osquery-find-packs", "--all"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ids: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].clone())
        .collect();
    assert_eq!(ids, ["p1", "p2"]);

    let url = answering(serde_json::json!({"page": 1, "total": 2, "items": [{"id": "p1"}]})).await;
    let run = kbn(&url, &["osquery", "osquery-find-packs", "--all"], None);
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(
        run.stderr.contains("without its items (an array `data`)") && run.stderr.contains("\"p1\""),
        "{}",
        run.stderr
    );

    // Items and total nested in `data`, the total written as a float: two rows, then done.
    let url = answering(serde_json::json!({
        "data": {"total": 2.0, "edges": [{"_id": "r1"}, {"_id": "r2"}]}
    }))
    .await;
    let args = [
        "osquery",
        "osquery-get-live-query-results",
        "--id",
        "q-1",
        "--action-id",
        "a-1",
        "--all",
    ];
    let run = kbn(&url, &args, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ids: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["_id"].clone())
        .collect();
    assert_eq!(ids, ["r1", "r2"]);
}
