//! `kbn`: every operation of the Kibana serverless API as a subcommand, made at run time from
//! the operation model the client is generated from (`generated/operations.json` and
//! `generated/openapi.json`, embedded): `kbn <domain> <operation> [flags]`. Calls go through
//! the typed client (`kibana_serverless::invoke`), with its headers, retries and errors.

pub mod command;
pub mod model;
pub mod run;

pub use command::command;

use clap::ArgMatches;
use kibana_serverless::Kibana;
use run::{Failure, exit};

/// Runs kbn with `argv` (the program name first); the process's exit code. Writes answers to
/// stdout and failures to stderr.
pub async fn main(argv: Vec<String>) -> i32 {
    let matches = match command().try_get_matches_from(argv) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { exit::USAGE } else { 0 };
        }
    };
    match dispatch(&matches).await {
        Ok(()) => 0,
        Err(f) => {
            eprintln!("kbn: {}", f.message);
            f.code
        }
    }
}

async fn dispatch(matches: &ArgMatches) -> Result<(), Failure> {
    let (domain, sub) = matches.subcommand().expect("a subcommand is required");
    if domain == "reference" {
        print!("{}", command::reference(&command()));
        return Ok(());
    }
    if domain == "completions" {
        let shell = *sub
            .get_one::<clap_complete::Shell>("shell")
            .expect("required");
        clap_complete::generate(shell, &mut command(), "kbn", &mut std::io::stdout());
        return Ok(());
    }
    let (name, flags) = sub.subcommand().expect("an operation is required");
    if flags.get_flag("verbose") {
        // The client's spans and events only: never a request's headers.
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "kibana_serverless=debug,kibana_serverless_runtime=debug",
            ))
            .init();
    }
    let op = model::operations()
        .iter()
        .find(|o| o.domain == domain && o.command == name)
        .expect("every subcommand is an operation");
    let args = run::args(op, flags)?;
    let url = flags.get_one::<String>("url").ok_or_else(|| Failure {
        code: exit::USAGE,
        message: "no Kibana URL: set KIBANA_URL or give --url".into(),
    })?;
    let space = flags.get_one::<String>("space").map(String::as_str);
    if flags.get_flag("dry-run") {
        let source = match op.body {
            model::Body::None => None,
            model::Body::Json { .. } => flags.get_one::<String>("body"),
            model::Body::File { .. } => flags.get_one::<String>("file"),
        }
        .map(String::as_str);
        println!("{}", run::curl(op, &args, url, space, source));
        return Ok(());
    }
    let key = flags.get_one::<String>("api-key").ok_or_else(|| Failure {
        code: exit::USAGE,
        message: "no API key: set KIBANA_API_KEY or give --api-key".into(),
    })?;
    let usage = |e: kibana_serverless::BuildError| Failure {
        code: exit::USAGE,
        message: e.to_string(),
    };
    let mut kibana = Kibana::new(url, key.clone()).map_err(usage)?;
    if let Some(space) = space {
        kibana = kibana.space(space).map_err(usage)?;
    }
    if op.paging.is_some() && flags.get_flag("all") {
        let limit = flags.get_one::<u64>("limit").copied();
        return run::all(&kibana, op, &args, limit).await.map(drop);
    }
    run::run(&kibana, op, &args, flags.get_flag("compact")).await
}
