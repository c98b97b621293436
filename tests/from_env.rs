//! `Kibana::from_env()` reads `KIBANA_URL` and `KIBANA_API_KEY`. The environment is set per
//! child process (changing it in a running test process is unsound), so the parent test runs
//! `from_env_as_the_environment_says` in children with and without the variables.

use kibana_serverless::{BuildError, Kibana};
use std::process::Command;

/// On its own it checks whatever environment it runs in.
#[test]
fn from_env_as_the_environment_says() {
    match (std::env::var("KIBANA_URL"), std::env::var("KIBANA_API_KEY")) {
        (Ok(url), Ok(_)) => {
            let kibana = Kibana::from_env().expect("a client from the environment");
            assert_eq!(kibana.base_url(), url.trim_end_matches('/'));
            println!("FROM_ENV=built");
        }
        (Err(_), _) => {
            assert!(matches!(
                Kibana::from_env(),
                Err(BuildError::MissingEnv("KIBANA_URL"))
            ));
            println!("FROM_ENV=missing-url");
        }
        (Ok(_), Err(_)) => {
            assert!(matches!(
                Kibana::from_env(),
                Err(BuildError::MissingEnv("KIBANA_API_KEY"))
            ));
            println!("FROM_ENV=missing-key");
        }
    }
}

fn child(env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "from_env_as_the_environment_says",
        "--nocapture",
        "--test-threads",
        "1",
    ])
    .env_remove("KIBANA_URL")
    .env_remove("KIBANA_API_KEY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn from_env_in_each_environment() {
    assert!(
        child(&[
            ("KIBANA_URL", "https://kb.example.com/"),
            ("KIBANA_API_KEY", "a2V5")
        ])
        .contains("FROM_ENV=built")
    );
    assert!(child(&[]).contains("FROM_ENV=missing-url"));
    assert!(child(&[("KIBANA_URL", "https://kb.example.com")]).contains("FROM_ENV=missing-key"));
}
