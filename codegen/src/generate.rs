//! Runs progenitor on one domain's spec. progenitor fails a whole spec for one bad operation, and
//! panics on some inputs; here a failure is isolated to the operations that cause it: each is
//! skipped, named and reported with the reason, and the rest of the domain is generated.
//!
//! Each run has a time limit: typify's time grows with the product of the unions an `allOf`
//! intersects, and a spec can make it run for hours. A run past the limit is a skip reason
//! like any other (its thread is left to end with the process: threads cannot be stopped).

use crate::domains::keep_operations;
use crate::normalize::for_each_operation;
use anyhow::Result;
use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use serde_json::Value;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::Duration;

/// How long one progenitor run may take by default; `KIBANA_CODEGEN_TIME_LIMIT` (seconds)
/// sets another. Kibana's largest domains take a few seconds.
pub const TIME_LIMIT: Duration = Duration::from_secs(180);

/// The time limit of one progenitor run: `KIBANA_CODEGEN_TIME_LIMIT` seconds when set to a
/// number, else [`TIME_LIMIT`].
pub fn time_limit() -> Duration {
    limit_from(std::env::var("KIBANA_CODEGEN_TIME_LIMIT").ok().as_deref())
}

/// A limit written in seconds, or [`TIME_LIMIT`] when it is not a number of them.
fn limit_from(seconds: Option<&str>) -> Duration {
    seconds
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0 && *s < 1e9)
        .map(Duration::from_secs_f64)
        .unwrap_or(TIME_LIMIT)
}

/// An operation that could not be generated.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Skipped {
    pub method: String,
    pub path: String,
    pub operation_id: String,
    pub reason: String,
}

/// Schemas whose Rust type is hand-written in the runtime (typify cannot express them): schema
/// name, the path of the type, and the runtime file holding it.
pub const REPLACED: &[(&str, &str, &str)] = &[(
    crate::normalize::ERROR_SCHEMA,
    "crate::error_body::KibanaErrorBody",
    // Two JSON fields, `statusCode` and `status_code`, that typify would both name `status_code`.
    "error_body.rs",
)];

/// The progenitor settings every domain is generated with: each domain client carries the
/// runtime's `RequestContext`, and the generated crate implements its hooks (headers, retries,
/// tracing) through the runtime.
pub fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::default();
    settings
        .with_inner_type(quote::quote!(crate::RequestContext))
        .with_hooks(HooksMode::Expected)
        // The builder interface: pagination, uploads and the examples build on it.
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_derive("PartialEq");
    for (name, path, _) in REPLACED {
        settings.with_replacement(
            name,
            path,
            [TypeImpl::Default, TypeImpl::Display].into_iter(),
        );
    }
    settings
}

/// One progenitor run, with panics turned into errors.
fn run_progenitor(spec: &Value, limit: Duration) -> Result<TokenStream, String> {
    guarded(spec, limit, |generator, openapi| {
        generator.generate_tokens(openapi)
    })
}

/// progenitor's typed httpmock mocks for a domain whose client is `crate_path`.
pub fn mocks(spec: &Value, crate_path: &str) -> Result<TokenStream, String> {
    let crate_path = crate_path.to_string();
    guarded(spec, time_limit(), move |generator, openapi| {
        generator.httpmock(openapi, &crate_path)
    })
}

thread_local! {
    /// Whether this thread's panics are caught and reported, so not printed.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with this thread's panics unprinted. The panic hook is process-wide: swapping it
/// around each call would race with other threads generating at the same time (one would
/// restore the silent hook for good), so one hook, installed once, asks the panicking thread.
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let out = f();
    QUIET.with(|q| q.set(was));
    out
}

/// Runs one progenitor entry point on a thread of its own, with panics turned into errors and
/// a run past `limit` reported as one. The tokens cross back as text (`TokenStream` is not
/// `Send`).
fn guarded(
    spec: &Value,
    limit: Duration,
    run: impl FnOnce(&mut Generator, &openapiv3::OpenAPI) -> Result<TokenStream, progenitor::Error>
    + Send
    + 'static,
) -> Result<TokenStream, String> {
    let openapi = crate::spec::to_openapi(spec).map_err(|e| format!("{e:#}"))?;
    let (answer, answered) = mpsc::channel();
    std::thread::Builder::new()
        .name("kibana-progenitor".into())
        .stack_size(crate::pipeline::STACK)
        .spawn(move || {
            // progenitor's panics are reported as skip reasons, not printed.
            let result = quietly(|| {
                catch_unwind(AssertUnwindSafe(|| {
                    run(&mut Generator::new(&settings()), &openapi)
                }))
            });
            // The caller may have stopped waiting; then nobody reads this.
            let _ = answer.send(match result {
                Ok(Ok(tokens)) => Ok(tokens.to_string()),
                Ok(Err(e)) => Err(format!("progenitor: {e}")),
                Err(payload) => Err(format!(
                    "progenitor panicked: {}",
                    panic_message(&*payload)
                        .as_deref()
                        .unwrap_or("unknown panic")
                        .lines()
                        .next()
                        .unwrap_or_default()
                )),
            });
        })
        .map_err(|e| format!("could not start a thread for progenitor: {e}"))?;
    match answered.recv_timeout(limit) {
        Ok(Ok(text)) => text
            .parse::<TokenStream>()
            .map_err(|e| format!("progenitor's code does not read back as Rust tokens: {e}")),
        Ok(Err(reason)) => Err(reason),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
            "progenitor did not finish within {:.0} s (the time limit; \
             KIBANA_CODEGEN_TIME_LIMIT sets another): typify's time grows with the product \
             of the unions an allOf intersects",
            limit.as_secs_f64()
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err("progenitor's thread ended without an answer".to_string())
        }
    }
}

/// A panic's message, when it has one (`panic!` with text gives a `String` or a `&str`).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> Option<String> {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
}

fn operations(spec: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut scratch = spec.clone();
    for_each_operation(&mut scratch, |path, method, op| {
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        out.push((path.to_string(), method.to_string(), id));
    });
    out
}

/// Generates a domain, skipping the operations progenitor cannot handle.
/// Returns the code (if any operation survived) and the skipped operations.
pub fn domain(spec: &Value) -> (Option<TokenStream>, Vec<Skipped>) {
    domain_within(spec, time_limit())
}

/// [`domain`], each progenitor run limited to `limit`.
pub fn domain_within(spec: &Value, limit: Duration) -> (Option<TokenStream>, Vec<Skipped>) {
    let whole = match run_progenitor(spec, limit) {
        Ok(tokens) => return (Some(tokens), Vec::new()),
        Err(e) => e,
    };
    // Find the culprits: each operation alone, with the components it reaches.
    let mut skipped = Vec::new();
    for (path, method, id) in operations(spec) {
        let mut alone = spec.clone();
        keep_operations(&mut alone, |p, m| p == path && m == method);
        crate::domains::prune_components(&mut alone);
        if let Err(reason) = run_progenitor(&alone, limit) {
            skipped.push(Skipped {
                method: method.to_uppercase(),
                path,
                operation_id: id,
                reason,
            });
        }
    }
    let mut rest = spec.clone();
    keep_operations(&mut rest, |p, m| {
        !skipped
            .iter()
            .any(|s| s.path == p && s.method.eq_ignore_ascii_case(m))
    });
    crate::domains::prune_components(&mut rest);
    if operations(&rest).is_empty() {
        return (None, skipped);
    }
    match run_progenitor(&rest, limit) {
        Ok(tokens) => (Some(tokens), skipped),
        Err(reason) => {
            // Each works alone but not together (e.g. a type name clash): skip the domain whole.
            let reason = format!(
                "{reason} (the domain's operations fail together; first error of the whole run: {whole})"
            );
            skipped.extend(
                operations(&rest)
                    .into_iter()
                    .map(|(path, method, operation_id)| Skipped {
                        method: method.to_uppercase(),
                        path,
                        operation_id,
                        reason: reason.clone(),
                    }),
            );
            (None, skipped)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/api/widgets": {"get": {
                "operationId": "get-widgets",
                "responses": {"200": {"description": "the widgets", "content": {
                    "application/json": {"schema": {"type": "object", "properties": {
                        "total": {"type": "integer"}
                    }}}
                }}}
            }}}
        })
    }

    #[test]
    fn a_run_within_the_limit_gives_the_code() {
        let (tokens, skipped) = domain_within(&spec(), Duration::from_secs(120));
        assert!(skipped.is_empty(), "{skipped:?}");
        let code = tokens.expect("code").to_string();
        assert!(code.contains("get_widgets"), "{code}");
    }

    #[test]
    fn a_run_past_the_limit_is_an_error_that_says_so() {
        let slow = |generator: &mut Generator, openapi: &openapiv3::OpenAPI| {
            std::thread::sleep(Duration::from_secs(5));
            generator.generate_tokens(openapi)
        };
        let started = std::time::Instant::now();
        let reason = guarded(&spec(), Duration::from_millis(100), slow).unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "it waited for the run"
        );
        assert!(reason.contains("did not finish within 0 s"), "{reason}");
        assert!(reason.contains("KIBANA_CODEGEN_TIME_LIMIT"), "{reason}");
    }

    #[test]
    fn a_panic_is_an_error_with_its_message() {
        let reason = guarded(&spec(), Duration::from_secs(60), |_, _| {
            panic!("typify gave up\nsecond line")
        })
        .unwrap_err();
        assert_eq!(reason, "progenitor panicked: typify gave up");
    }

    #[test]
    fn a_limit_is_taken_only_when_it_is_a_number_of_seconds() {
        assert_eq!(limit_from(Some(" 2.5 ")), Duration::from_millis(2500));
        for bad in [
            None,
            Some("soon"),
            Some("-1"),
            Some("NaN"),
            Some("inf"),
            Some("1e300"),
        ] {
            assert_eq!(limit_from(bad), TIME_LIMIT, "{bad:?}");
        }
    }
}
