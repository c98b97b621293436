//! `cargo xtask`: the command line of the kibana-serverless generator (the
//! `kibana-serverless-codegen` library does the work).
//!
//! `cargo xtask regenerate [--check] [--spec PATH] [--out DIR]` loads the Kibana serverless spec,
//! applies our overlays and normalize passes, splits it into API domains, runs progenitor on each,
//! post-processes the code and writes `generated/` (or a standalone crate).

use kibana_serverless_codegen as codegen;

use anyhow::{Result, bail};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask regenerate [--check] [--spec PATH [--overlays]] [--out DIR [--runtime-version V]]
       cargo xtask spec-diff OLD NEW [--out PATH]
       cargo xtask overlaid-spec --out PATH
       cargo xtask synth-spec --operations N --out PATH

regenerate   generate the client from the spec (default: the vendored spec into generated/)
  --check    write nothing; exit 1 with a diff when the output is stale
  --spec     a Kibana serverless OpenAPI spec (YAML or JSON) to generate from
  --overlays apply spec/overlays to it too (for a copy of the vendored spec)
  --out      write a standalone crate into DIR instead of generated/: the whole SDK (the
             runtime's Kibana builder, auth, headers, spaces, retries, errors, pagination)
  --runtime-version  the standalone crate depends on this published kibana-serverless-runtime
             version instead of this workspace's runtime/ by path
spec-diff      what changed between two Kibana specs as a client sees it (operations, parameters,
               body and response fields, enum values), each breaking or compatible, as Markdown
               (to PATH, or printed)
overlaid-spec  write the vendored spec with the overlays applied and counters as integers, as JSON (what a contract test
               serves with an independent mock server)
synth-spec     write a spec of N operations made of renamed copies of the vendored spec";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

fn run(args: Vec<String>) -> Result<ExitCode> {
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    let mut flags = rest.iter();
    let mut check = false;
    let mut spec = None;
    let mut out = None;
    let mut operations = None;
    let mut runtime_version = None;
    let mut overlays = false;
    let mut positional: Vec<PathBuf> = Vec::new();
    while let Some(flag) = flags.next() {
        let mut value = || {
            flags
                .next()
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--check" => check = true,
            "--spec" => spec = Some(PathBuf::from(value()?)),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--runtime-version" => runtime_version = Some(value()?),
            "--overlays" => overlays = true,
            "--operations" => {
                operations = Some(
                    value()?
                        .parse::<usize>()
                        .map_err(|e| anyhow::anyhow!("--operations: {e}"))?,
                )
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            other if command == "spec-diff" && !other.starts_with('-') => {
                positional.push(PathBuf::from(other))
            }
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    let root = workspace_root();
    match command.as_str() {
        "regenerate" => codegen::regenerate(
            &root,
            codegen::Options {
                check,
                spec,
                out,
                runtime_version,
                overlays,
            },
        ),
        "synth-spec" => {
            let n = operations.ok_or_else(|| anyhow::anyhow!("synth-spec needs --operations N"))?;
            let out = out.ok_or_else(|| anyhow::anyhow!("synth-spec needs --out PATH"))?;
            codegen::synth_spec(&root, n, &out)?;
            Ok(ExitCode::SUCCESS)
        }
        "spec-diff" => {
            let [old, new] = positional.as_slice() else {
                bail!("spec-diff needs OLD and NEW\n{USAGE}");
            };
            let changes =
                codegen::spec_diff::diff(&codegen::spec::load(old)?, &codegen::spec::load(new)?);
            let md = codegen::spec_diff::markdown(
                &changes,
                &old.display().to_string(),
                &new.display().to_string(),
            );
            match out {
                Some(path) => std::fs::write(&path, md)?,
                None => print!("{md}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        "overlaid-spec" => {
            let out = out.ok_or_else(|| anyhow::anyhow!("overlaid-spec needs --out PATH"))?;
            codegen::overlaid_spec(&root.join("spec"), &out)?;
            println!("wrote {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => bail!("unknown command {other:?}\n{USAGE}"),
    }
}
