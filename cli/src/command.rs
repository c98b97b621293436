//! The command tree, made from the operation model: `kbn <domain> <operation> [flags]`, one
//! subcommand per operation, its parameters as typed flags (enums checked and listed), its body
//! from a file. Nothing here names an operation.

use crate::model::{Body, Kind, Operation, Param, domains, operations};
use clap::builder::{PossibleValuesParser, ValueParser};
use clap::{Arg, ArgAction, Command};

/// Flags every operation takes (target, credentials, output), global to the tree.
fn global_args(command: Command) -> Command {
    command
        .next_help_heading("Global options")
        .arg(
            Arg::new("url")
                .long("url")
                .env("KIBANA_URL")
                .global(true)
                .help("Kibana's URL (https://...)"),
        )
        .arg(
            Arg::new("api-key")
                .long("api-key")
                .env("KIBANA_API_KEY")
                .hide_env_values(true)
                .global(true)
                .help("The API key, encoded (base64 of id:key), as Kibana shows it"),
        )
        .arg(
            Arg::new("space")
                .long("space")
                .global(true)
                .help("The Kibana space (default: the default space)"),
        )
        .arg(
            Arg::new("profile")
                .long("profile")
                .env("KBN_PROFILE")
                .global(true)
                .help(
                    "A profile of the config file (KBN_CONFIG, or kbn/config.toml in the \
                     platform's config directory): its URL, space and where its key comes from",
                ),
        )
        .arg(
            Arg::new("output")
                .short('o')
                .long("output")
                .value_name("FILE")
                .global(true)
                .help(
                    "Write the answer to FILE (a download, an export, every item with --all), \
                     with progress on stderr when it is a terminal",
                ),
        )
        .arg(
            Arg::new("dry-run")
                .long("dry-run")
                .action(ArgAction::SetTrue)
                .global(true)
                .help("Print the request as a curl command (the API key masked) instead of sending it"),
        )
        .arg(
            Arg::new("verbose")
                .short('v')
                .long("verbose")
                .action(ArgAction::SetTrue)
                .global(true)
                .help("Log each request on stderr (the client's tracing: operation, status, attempts, time)"),
        )
        .arg(
            Arg::new("compact")
                .long("compact")
                .action(ArgAction::SetTrue)
                .global(true)
                .help("Compact JSON even on a terminal"),
        )
}

fn param_arg(p: &Param) -> Arg {
    let mut arg = Arg::new(p.setter.clone())
        .long(p.flag.clone())
        .value_name(p.flag.to_uppercase().replace('-', "_"))
        // A body field may come from the --body file instead: the body's type checks it.
        .required(p.required && p.location != "body")
        .help(format!(
            "{}{}({} `{}`{})",
            p.help,
            if p.help.is_empty() { "" } else { " " },
            if p.location == "body" && p.required {
                "required body field".to_string()
            } else if p.location == "body" {
                "body field".to_string()
            } else {
                format!("{} parameter", p.location)
            },
            p.name,
            match (p.kind, p.list) {
                (Kind::Integer, false) => ", integer",
                (Kind::Number, false) => ", number",
                (Kind::Boolean, false) => ", true or false",
                (Kind::Json, false) => ", JSON",
                (_, true) => ", a list: repeat the flag or separate with commas",
                (Kind::String, false) => "",
            }
        ));
    if p.list {
        arg = arg.action(ArgAction::Append).value_delimiter(',');
    }
    if !p.values.is_empty() {
        arg = arg.value_parser(ValueParser::from(PossibleValuesParser::new(
            p.values.clone(),
        )));
    } else {
        arg = match p.kind {
            Kind::Integer => arg.value_parser(clap::value_parser!(i64)),
            Kind::Number => arg.value_parser(clap::value_parser!(f64)),
            Kind::Boolean => arg.value_parser(clap::value_parser!(bool)),
            Kind::String | Kind::Json => arg,
        };
    }
    arg
}

fn operation_command(op: &Operation) -> Command {
    let mut command = Command::new(op.command.clone())
        .about(op.about.clone())
        .long_about(op.long_about.clone());
    for p in &op.params {
        command = command.arg(param_arg(p));
    }
    if op.paging.is_some() {
        command =
            command
                .arg(Arg::new("all").long("all").action(ArgAction::SetTrue).help(
                    "Every item of every page, one JSON object a line (NDJSON), page by page",
                ))
                .arg(
                    Arg::new("limit")
                        .long("limit")
                        .value_name("N")
                        .requires("all")
                        .value_parser(clap::value_parser!(u64))
                        .help("With --all: stop after N items"),
                )
                .arg(
                    Arg::new("concurrency")
                        .long("concurrency")
                        .value_name("N")
                        .requires("all")
                        .default_value("1")
                        .value_parser(clap::value_parser!(u16).range(1..=64))
                        .help(
                            "With --all, on listings by page number: up to N page requests at \
                             once (1: the next page is fetched while this one is written)",
                        ),
                );
    }
    match &op.body {
        Body::None => {}
        Body::Json { required } => {
            let fields: Vec<String> = op.fields.iter().map(|f| f.setter.clone()).collect();
            command = command.arg(
                Arg::new("body")
                    .long("body")
                    .value_name("FILE")
                    .required(*required && fields.is_empty())
                    .required_unless_present_any(if *required { fields } else { Vec::new() })
                    .help(
                        "The JSON request body: a file, or - for standard input; the field \
                         flags below set fields of it",
                    ),
            );
            for field in &op.fields {
                command = command.arg(param_arg(field));
            }
        }
        Body::File { media_types } => {
            command = command.arg(
                Arg::new("file")
                    .long("file")
                    .value_name("PATH")
                    .required(true)
                    .help(format!("The file to send ({})", media_types.join(" or "))),
            );
        }
    }
    command
}

/// Every operation's command and flags as Markdown, from the tree itself.
pub fn reference(root: &Command) -> String {
    let mut out = String::from("# kbn command reference\n");
    for domain in root
        .get_subcommands()
        .filter(|d| d.get_subcommands().next().is_some())
    {
        out.push_str(&format!("\n## {}\n", domain.get_name()));
        for op in domain.get_subcommands() {
            out.push_str(&format!(
                "\n### `kbn {} {}`\n\n",
                domain.get_name(),
                op.get_name()
            ));
            if let Some(about) = op.get_long_about().or(op.get_about()) {
                out.push_str(&format!("{about}\n\n"));
            }
            for arg in op.get_arguments().filter(|a| !a.is_global_set()) {
                let Some(long) = arg.get_long() else { continue };
                let required = if arg.is_required_set() {
                    " (required)"
                } else {
                    ""
                };
                let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                let values: Vec<String> = arg
                    .get_possible_values()
                    .iter()
                    .map(|v| v.get_name().to_string())
                    .collect();
                let values = if values.is_empty() {
                    String::new()
                } else {
                    format!(" One of: {}.", values.join(", "))
                };
                out.push_str(&format!("- `--{long}`{required}: {help}{values}\n"));
            }
        }
    }
    out
}

/// The whole tree: `kbn <domain> <operation>`, `kbn reference`, `kbn completions <shell>`.
pub fn command() -> Command {
    let mut root = Command::new("kbn")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Every Kibana serverless API operation from the command line")
        .long_about(
            "Every Kibana serverless API operation from the command line, generated from the \
             same operation model as the kibana-serverless client. Set KIBANA_URL and \
             KIBANA_API_KEY (or --url and --api-key). Exit codes: 0 success, 2 usage, 3 Kibana \
             refused the request (4xx), 4 Kibana failed (5xx), 5 Kibana could not be reached.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true);
    root = global_args(root);
    for domain in domains() {
        let mut sub = Command::new(domain.to_string())
            .about(format!("The {domain} API"))
            .subcommand_required(true)
            .arg_required_else_help(true);
        for op in operations().iter().filter(|o| o.domain == domain) {
            sub = sub.subcommand(operation_command(op));
        }
        root = root.subcommand(sub);
    }
    root.subcommand(
        Command::new("reference").about("Print every command with its flags, as Markdown"),
    )
    .subcommand(
        Command::new("man")
            .about("Write the manual pages: kbn.1 on standard output, or one page per command into DIR")
            .arg(Arg::new("dir").value_name("DIR")),
    )
    .subcommand(
        Command::new("completions")
            .about("Print a shell completion script")
            .arg(
                Arg::new("shell")
                    .required(true)
                    .value_parser(clap::value_parser!(clap_complete::Shell)),
            ),
    )
}
