//! One operation run: flags to the client's arguments, the call through the client
//! (`kibana_serverless::invoke`, so every operation goes through the typed builder, its
//! retries and its errors), the answer printed, the outcome as an exit code.

use crate::model::{Body, Kind, Operation, Param};
use crate::output::{Output, Unit};
use clap::ArgMatches;
use kibana_serverless::dynamic::{Answer, AnswerBody, Args, Sink};
use kibana_serverless::pagination::{AsCount, free_form};
use kibana_serverless::{Error, Kibana, pagination};
use serde_json::Value;
use std::io::{IsTerminal, Read};
use std::sync::{Arc, Mutex};

/// Exit codes: what went wrong, for scripts.
pub mod exit {
    /// Success; also when the reader of standard output closed it (`kbn ... | head`), which
    /// wants no more.
    pub const OK: i32 = 0;
    /// A usage error: a flag missing or of the wrong form, an unreadable body.
    pub const USAGE: i32 = 2;
    /// Kibana refused the request (4xx).
    pub const REFUSED: i32 = 3;
    /// Kibana failed (5xx).
    pub const FAILED: i32 = 4;
    /// Kibana could not be reached, or its answer not read.
    pub const TRANSPORT: i32 = 5;
}

/// A failure, with its exit code and the message for stderr.
#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub message: String,
}

impl Failure {
    /// Writing the answer failed: quietly [`exit::OK`] when the reader closed the pipe (as
    /// `head` does once it has its lines), otherwise [`exit::TRANSPORT`] with the reason.
    pub fn writing(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Self::closed_pipe();
        }
        Self {
            code: exit::TRANSPORT,
            message: format!("writing the answer: {e}"),
        }
    }

    /// The reader of standard output went away: stop quietly with [`exit::OK`].
    fn closed_pipe() -> Self {
        Self {
            code: exit::OK,
            message: String::new(),
        }
    }
}

fn usage(message: impl Into<String>) -> Failure {
    Failure {
        code: exit::USAGE,
        message: message.into(),
    }
}

/// A flag's text as the parameter's JSON value.
fn value(p: &Param, text: &str) -> Result<Value, Failure> {
    Ok(match p.kind {
        Kind::String => Value::String(text.to_string()),
        Kind::Integer => text
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| usage(format!("--{}: {text:?} is not an integer", p.flag)))?,
        Kind::Number => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| usage(format!("--{}: {text:?} is not a number", p.flag)))?,
        Kind::Boolean => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => {
                return Err(usage(format!(
                    "--{}: {text:?} is not true or false",
                    p.flag
                )));
            }
        },
        // Written-out JSON, or plain text when it is none (a union of a string and more).
        Kind::Json => serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.into())),
    })
}

/// The flags' values as clap parsed them, back to text (typed parsers check the form).
fn texts(matches: &ArgMatches, p: &Param) -> Vec<String> {
    let id = p.setter.as_str();
    match (p.kind, p.values.is_empty()) {
        (Kind::Integer, true) => matches
            .get_many::<i64>(id)
            .map(|v| v.map(i64::to_string).collect())
            .unwrap_or_default(),
        (Kind::Number, true) => matches
            .get_many::<f64>(id)
            .map(|v| v.map(f64::to_string).collect())
            .unwrap_or_default(),
        (Kind::Boolean, true) => matches
            .get_many::<bool>(id)
            .map(|v| v.map(bool::to_string).collect())
            .unwrap_or_default(),
        _ => matches
            .get_many::<String>(id)
            .map(|v| v.cloned().collect())
            .unwrap_or_default(),
    }
}

/// A flag's JSON value (an array for a list), if it was given.
fn given(matches: &ArgMatches, p: &Param) -> Result<Option<Value>, Failure> {
    let texts = texts(matches, p);
    let Some(first) = texts.first() else {
        return Ok(None);
    };
    Ok(Some(if p.list {
        Value::Array(
            texts
                .iter()
                .map(|t| value(p, t))
                .collect::<Result<_, _>>()?,
        )
    } else {
        value(p, first)?
    }))
}

/// The operation's arguments from its flags and body.
pub fn args(op: &Operation, matches: &ArgMatches) -> Result<Args, Failure> {
    let mut args = Args::default();
    for p in &op.params {
        if let Some(v) = given(matches, p)? {
            args.params.insert(p.setter.clone(), v);
        }
    }
    match &op.body {
        Body::None => {}
        Body::Json { .. } => {
            if let Some(source) = matches.get_one::<String>("body") {
                let text = read(source)?;
                let json = serde_json::from_slice(&text)
                    .map_err(|e| usage(format!("--body {source}: not JSON: {e}")))?;
                args.body = Some(json);
            }
            for field in &op.fields {
                let Some(v) = given(matches, field)? else {
                    continue;
                };
                match args
                    .body
                    .get_or_insert_with(|| Value::Object(Default::default()))
                {
                    Value::Object(body) => {
                        body.insert(field.name.clone(), v);
                    }
                    _ => {
                        return Err(usage(format!(
                            "--{}: the body is not a JSON object",
                            field.flag
                        )));
                    }
                }
            }
        }
        Body::File { .. } => match matches.get_one::<String>("file").map(String::as_str) {
            Some("-") => args.raw_body = Some(read("-")?.into()),
            // A file is streamed as it is sent, never read whole.
            Some(path) => {
                let meta = std::fs::metadata(path).map_err(|e| usage(format!("{path}: {e}")))?;
                if !meta.is_file() {
                    return Err(usage(format!("{path}: not a file")));
                }
                args.raw_file = Some(path.into());
            }
            None => {}
        },
    }
    Ok(args)
}

/// A file's bytes, or standard input's for `-`.
fn read(source: &str) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    let result = if source == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(drop)
    } else {
        std::fs::File::open(source).and_then(|mut f| f.read_to_end(&mut bytes).map(drop))
    };
    result.map_err(|e| usage(format!("{source}: {e}")))?;
    Ok(bytes)
}

/// Percent-encodes a path segment or a query component.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Single-quotes `text` for a POSIX shell.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The request as a curl command, the API key masked.
pub fn curl(
    op: &Operation,
    args: &Args,
    url: &str,
    space: Option<&str>,
    body_source: Option<&str>,
) -> String {
    let mut path = op.path.clone();
    let mut query = Vec::new();
    for p in &op.params {
        let Some(v) = args.params.get(&p.setter) else {
            continue;
        };
        if p.location == "path" {
            path = path.replace(&format!("{{{}}}", p.name), &encode(&plain(v)));
        } else {
            let values: Vec<&Value> = match v {
                Value::Array(items) => items.iter().collect(),
                one => vec![one],
            };
            for one in values {
                query.push(format!("{}={}", encode(&p.name), encode(&plain(one))));
            }
        }
    }
    let prefix = space
        .filter(|s| *s != "default")
        .map(|s| format!("/s/{s}"))
        .unwrap_or_default();
    let mut target = format!("{}{prefix}{path}", url.trim_end_matches('/'));
    if !query.is_empty() {
        target = format!("{target}?{}", query.join("&"));
    }
    let mut out = vec![format!("curl -X {}", op.method), quote(&target)];
    for header in [
        "Authorization: ApiKey ****",
        "kbn-xsrf: true",
        "elastic-api-version: 2023-10-31",
    ] {
        out.push(format!("-H {}", quote(header)));
    }
    match (&op.body, body_source) {
        (Body::Json { .. }, _) if args.body.is_some() => {
            out.push("-H 'content-type: application/json'".into());
            let json = args.body.as_ref().map(Value::to_string).unwrap_or_default();
            out.push(format!("--data-binary {}", quote(&json)));
        }
        (Body::File { media_types }, Some(path)) => {
            out.push(format!(
                "-H {}",
                quote(&format!("content-type: {}", media_types[0]))
            ));
            out.push(format!("--data-binary {}", quote(&format!("@{path}"))));
        }
        _ => {}
    }
    out.join(" \\\n  ")
}

/// How `--all` pages.
#[derive(Clone, Copy, Debug)]
pub struct Paging {
    /// Stop after this many items.
    pub limit: Option<u64>,
    /// Page requests out at once, for listings by page number (at least 1).
    pub concurrency: u16,
}

/// Every item of a paginated operation, one compact JSON line each, written as each page
/// arrives, in order; at most `limit`. The next page is fetched (and decoded) while this one is
/// written; by page number, up to `concurrency` pages are, after the first (whose total and
/// length bound the rest: no request past the last page, or past `limit`). Paging ends on an
/// empty page, at the total, without a next cursor, or with an error on a repeated cursor.
/// The number of items.
pub async fn all(
    kibana: &Kibana,
    op: &'static Operation,
    args: &Args,
    paging_opts: Paging,
    out: &mut Output,
) -> Result<u64, Failure> {
    let Paging { limit, concurrency } = paging_opts;
    let paging = op
        .paging
        .as_ref()
        .expect("--all is offered on paginated operations only");
    let fetch = |args: Args| {
        let kibana = kibana.clone();
        Prefetch(tokio::spawn(async move { call(&kibana, op, &args).await }))
    };
    let mut args = args.clone();
    let first_page = paging.page.as_ref().map(|(_, first)| *first);
    let at_page = |args: &Args, n: u64| {
        let mut args = args.clone();
        if let Some((setter, _)) = &paging.page {
            args.params.insert(setter.clone(), Value::from(n));
        }
        args
    };
    // Page numbers: the next to request, and the last one wanted once the first page is in.
    let mut to_request = first_page.map(|n| n + 1);
    let mut last_page: Option<u64> = None;
    let mut first_count = 0u64;
    let mut seen_cursors = std::collections::HashSet::new();
    let mut written = 0u64;
    let io = Failure::writing;
    let mut queue = std::collections::VecDeque::from([fetch(match first_page {
        Some(n) => at_page(&args, n),
        None => args.clone(),
    })]);
    while let Some(pending) = queue.pop_front() {
        let answer = pending.answer().await?;
        let AnswerBody::Json(mut body) = answer.body else {
            return Err(Failure {
                code: exit::TRANSPORT,
                message: "a page that is not JSON".into(),
            });
        };
        // A page without its items is an error, not the end: nothing would say what was lost.
        let items = match body
            .as_object_mut()
            .and_then(|page| free_form::take(page, &paging.items))
        {
            Some(Value::Array(items)) => items,
            _ => {
                let page = body.to_string();
                let shown: String = page.chars().take(300).collect();
                let cut = if shown.len() < page.len() { "..." } else { "" };
                return Err(Failure {
                    code: exit::TRANSPORT,
                    message: format!(
                        "a page without its items (an array `{}`): {shown}{cut}",
                        paging.items
                    ),
                });
            }
        };
        if items.is_empty() {
            break;
        }
        let page = body.as_object();
        let total = paging
            .total
            .as_ref()
            .and_then(|t| free_form::field(page?, t))
            .and_then(AsCount::as_count);
        let after = written + items.len() as u64;
        let last = total.is_some_and(|t| after >= t) || limit.is_some_and(|l| after >= l);
        if last {
            // Requests out for pages past the end are cancelled.
            queue.clear();
        } else {
            match (&paging.cursor, first_page) {
                (_, Some(first)) => {
                    if written == 0 {
                        first_count = items.len() as u64;
                    }
                    // The total may grow while paging: read again on every page.
                    let wanted = match total {
                        Some(t) => Some(limit.map_or(t, |l| t.min(l))),
                        None if written == 0 => limit,
                        None => None,
                    };
                    if let Some(wanted) = wanted {
                        last_page = pagination::last_page(first, wanted, first_count);
                    }
                    while let Some(n) = to_request
                        && queue.len() < usize::from(concurrency.max(1))
                        && last_page.is_none_or(|l| n <= l)
                    {
                        queue.push_back(fetch(at_page(&args, n)));
                        to_request = Some(n + 1);
                    }
                }
                (Some((setter, field)), None) => {
                    if let Some(cursor) = page
                        .and_then(|page| free_form::field(page, field))
                        .and_then(Value::as_str)
                        .filter(|c| !c.is_empty())
                    {
                        if !seen_cursors.insert(cursor.to_string()) {
                            return Err(Failure {
                                code: exit::FAILED,
                                message: format!(
                                    "Kibana repeated the cursor {cursor:?}; paging stopped"
                                ),
                            });
                        }
                        args.params
                            .insert(setter.clone(), Value::String(cursor.to_string()));
                        queue.push_back(fetch(args.clone()));
                    }
                }
                (None, None) => {}
            }
        }
        for item in &items {
            if limit.is_some_and(|l| written >= l) {
                break;
            }
            out.item(item).map_err(io)?;
            written += 1;
        }
        out.flush().map_err(io)?;
    }
    Ok(written)
}

/// One call through the client. Boxed: the dispatch over every operation is one large future,
/// and each place polling it directly got a copy of its code (megabytes of binary each).
fn call<'a>(
    kibana: &'a Kibana,
    op: &'a Operation,
    args: &'a Args,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Answer, Error>> + Send + 'a>> {
    Box::pin(kibana_serverless::invoke(
        kibana,
        &op.domain,
        &op.rust_method,
        args,
    ))
}

/// A page being fetched; dropped unfinished (an error, a limit), its request is cancelled.
struct Prefetch(tokio::task::JoinHandle<Result<Answer, Error>>);

impl Prefetch {
    async fn answer(mut self) -> Result<Answer, Failure> {
        match (&mut self.0).await {
            Ok(answer) => answer.map_err(|e| failure(&e)),
            Err(e) => Err(Failure {
                code: exit::FAILED,
                message: format!("fetching a page: {e}"),
            }),
        }
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What a client error means for the exit code, and its message.
pub fn failure(e: &Error) -> Failure {
    if let Error::Io(io) = e
        && io.kind() == std::io::ErrorKind::BrokenPipe
    {
        // A streamed answer's reader went away.
        return Failure::closed_pipe();
    }
    let code = match e.status() {
        Some(s) if s.is_client_error() => exit::REFUSED,
        Some(s) if s.is_server_error() => exit::FAILED,
        _ if matches!(e, Error::InvalidRequest(_)) => exit::USAGE,
        _ => exit::TRANSPORT,
    };
    Failure {
        code,
        message: e.to_string(),
    }
}

/// Runs `op` with its flags against `kibana`, its answer to `out`: JSON pretty on a terminal
/// and compact otherwise, other bodies (downloads, exports) streamed as they come.
pub async fn run(
    kibana: &Kibana,
    op: &Operation,
    args: &Args,
    compact: bool,
    out: Output,
) -> Result<(), Failure> {
    let pretty = !compact && !out.is_file() && std::io::stdout().is_terminal();
    let shared = Arc::new(Mutex::new(out));
    let mut args = args.clone();
    let sink = Arc::clone(&shared);
    args.sink = Some(Sink::new(move |chunk| {
        sink.lock().unwrap_or_else(|p| p.into_inner()).write(chunk)
    }));
    let answer = call(kibana, op, &args).await;
    drop(args);
    let mut out = Arc::try_unwrap(shared)
        .ok()
        .expect("the sink is gone with the arguments")
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    let answer = answer.map_err(|e| failure(&e))?;
    let written = match answer.body {
        AnswerBody::Json(v) => {
            let mut text = if pretty {
                serde_json::to_vec_pretty(&v)
            } else {
                serde_json::to_vec(&v)
            }
            .map_err(|e| Failure {
                code: exit::TRANSPORT,
                message: format!("encoding the answer: {e}"),
            })?;
            text.push(b'\n');
            out.write(&text)
        }
        AnswerBody::Bytes(bytes) => out.write(&bytes),
        AnswerBody::Empty | AnswerBody::Streamed(_) => Ok(()),
    };
    written.map_err(Failure::writing)?;
    out.finish().map(drop)
}

/// The output for an operation's answer: items with `--all`, bytes otherwise.
pub fn output(path: Option<&str>, all: bool) -> Result<Output, Failure> {
    Output::open(path, if all { Unit::Items } else { Unit::Bytes })
}
