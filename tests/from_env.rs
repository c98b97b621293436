//! `Kibana::from_env()` reads `KIBANA_URL` and `KIBANA_API_KEY`. The environment is set per
//! child process (changing it in a running test process is unsound), so the parent test runs
//! `from_env_as_the_environment_says` in children with and without the variables.

mod common;

use kibana_serverless::{BuildError, Kibana};

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
    common::run_alone(
        "from_env_as_the_environment_says",
        env,
        &["KIBANA_URL", "KIBANA_API_KEY"],
    )
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
