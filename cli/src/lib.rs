//! `kbn`: every operation of the Kibana serverless API as a subcommand, made at run time from
//! the operation model the client is generated from (`generated/operations.json` and
//! `generated/openapi.json`, embedded): `kbn <domain> <operation> [flags]`. Calls go through
//! the typed client (`kibana_serverless::invoke`), with its headers, retries and errors.

pub mod command;
pub mod model;
pub mod output;
pub mod profile;
pub mod run;

pub use command::command;

use clap::ArgMatches;
use clap::parser::ValueSource;
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
            if !f.message.is_empty() {
                eprintln!("kbn: {}", f.message);
            }
            f.code
        }
    }
}

async fn dispatch(matches: &ArgMatches) -> Result<(), Failure> {
    let (domain, sub) = matches.subcommand().expect("a subcommand is required");
    if domain == "reference" {
        return print_out(command::reference(&command()).as_bytes());
    }
    if domain == "man" {
        return man(sub.get_one::<String>("dir").map(String::as_str));
    }
    if domain == "completions" {
        let shell = *sub
            .get_one::<clap_complete::Shell>("shell")
            .expect("required");
        // Into memory first: the generator panics on a write error.
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut command(), "kbn", &mut script);
        return print_out(&script);
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
    let target = Target::of(flags)?;
    let url = target.url.as_deref().ok_or_else(|| Failure {
        code: exit::USAGE,
        message: "no Kibana URL: set KIBANA_URL, give --url, or name a profile with one".into(),
    })?;
    let space = target.space.as_deref();
    if flags.get_flag("dry-run") {
        let source = match op.body {
            model::Body::None => None,
            model::Body::Json { .. } => flags.get_one::<String>("body"),
            model::Body::File { .. } => flags.get_one::<String>("file"),
        }
        .map(String::as_str);
        let curl = run::curl(op, &args, url, space, source);
        return print_out(format!("{curl}\n").as_bytes());
    }
    let key = target.api_key()?.ok_or_else(|| Failure {
        code: exit::USAGE,
        message: "no API key: set KIBANA_API_KEY, give --api-key, or name a profile with one"
            .into(),
    })?;
    let usage = |e: kibana_serverless::BuildError| Failure {
        code: exit::USAGE,
        message: e.to_string(),
    };
    let mut kibana = Kibana::new(url, key).map_err(usage)?;
    if let Some(space) = space {
        kibana = kibana.space(space).map_err(usage)?;
    }
    let all = op.paging.is_some() && flags.get_flag("all");
    let out = run::output(flags.get_one::<String>("output").map(String::as_str), all)?;
    if all {
        let mut out = out;
        let paging = run::Paging {
            limit: flags.get_one::<u64>("limit").copied(),
            concurrency: flags.get_one::<u16>("concurrency").copied().unwrap_or(1),
        };
        run::all(&kibana, op, &args, paging, &mut out).await?;
        return out.finish().map(drop);
    }
    run::run(&kibana, op, &args, flags.get_flag("compact"), out).await
}

/// Writes `bytes` to standard output; a reader that went away (`kbn reference | head`) ends
/// kbn quietly instead of in a panic.
fn print_out(bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(Failure::writing)
}

/// The manual pages: `kbn.1` on stdout, or a page for every command into `dir`.
fn man(dir: Option<&str>) -> Result<(), Failure> {
    let io = |e: std::io::Error| Failure {
        code: exit::USAGE,
        message: format!("writing the manual: {e}"),
    };
    match dir {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command())
                .render(&mut page)
                .map_err(io)?;
            print_out(&page)
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(io)?;
            clap_mangen::generate_to(command(), dir).map_err(io)
        }
    }
}

/// Where a call goes and with what key. A flag on the command line wins; then a profile named
/// by `--profile` or `KBN_PROFILE`; then `KIBANA_URL` and `KIBANA_API_KEY`; then the config's
/// default profile.
struct Target {
    url: Option<String>,
    space: Option<String>,
    key: Option<String>,
    profile: Option<profile::Selected>,
    /// Whether the profile's key comes before `KIBANA_API_KEY`.
    profile_key_first: bool,
}

impl Target {
    fn of(flags: &ArgMatches) -> Result<Self, Failure> {
        let named = flags.get_one::<String>("profile").map(String::as_str);
        let selected = profile::select(named)?;
        let chosen = named.is_some();
        let from = |id: &str, from_profile: Option<&String>| -> Option<String> {
            let given = flags.get_one::<String>(id).cloned();
            match flags.value_source(id) {
                Some(ValueSource::CommandLine) => given,
                _ if chosen && from_profile.is_some() => from_profile.cloned(),
                Some(ValueSource::EnvVariable) => given,
                _ => from_profile.cloned().or(given),
            }
        };
        let p = selected.as_ref().map(|s| &s.profile);
        Ok(Self {
            url: from("url", p.and_then(|p| p.url.as_ref())),
            space: from("space", p.and_then(|p| p.space.as_ref())),
            key: flags.get_one::<String>("api-key").cloned(),
            profile_key_first: match flags.value_source("api-key") {
                Some(ValueSource::CommandLine) => false,
                Some(ValueSource::EnvVariable) => chosen,
                _ => true,
            },
            profile: selected,
        })
    }

    /// The key, read from the profile's source only when it is the one used.
    fn api_key(&self) -> Result<Option<String>, Failure> {
        if self.profile_key_first
            && let Some(p) = &self.profile
            && let Some(key) = p.api_key()?
        {
            return Ok(Some(key));
        }
        Ok(self.key.clone())
    }
}
