//! Runs progenitor on one domain's spec. progenitor fails a whole spec for one bad operation, and
//! panics on some inputs; here a failure is isolated to the operations that cause it: each is
//! skipped, named and reported with the reason, and the rest of the domain is generated.

use crate::domains::keep_operations;
use crate::normalize::for_each_operation;
use anyhow::Result;
use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use serde_json::Value;
use std::panic::{AssertUnwindSafe, catch_unwind};

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
fn run_progenitor(spec: &Value) -> Result<TokenStream, String> {
    guarded(spec, |generator, openapi| {
        generator.generate_tokens(openapi)
    })
}

/// progenitor's typed httpmock mocks for a domain whose client is `crate_path`.
pub fn mocks(spec: &Value, crate_path: &str) -> Result<TokenStream, String> {
    guarded(spec, |generator, openapi| {
        generator.httpmock(openapi, crate_path)
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

/// Runs one progenitor entry point with panics turned into errors.
fn guarded(
    spec: &Value,
    run: impl FnOnce(&mut Generator, &openapiv3::OpenAPI) -> Result<TokenStream, progenitor::Error>,
) -> Result<TokenStream, String> {
    let openapi = crate::spec::to_openapi(spec).map_err(|e| format!("{e:#}"))?;
    // progenitor's panics are reported as skip reasons, not printed.
    let result = quietly(|| {
        catch_unwind(AssertUnwindSafe(|| {
            run(&mut Generator::new(&settings()), &openapi)
        }))
    });
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(format!("progenitor: {e}")),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(format!(
                "progenitor panicked: {}",
                msg.lines().next().unwrap_or_default()
            ))
        }
    }
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
    let whole = match run_progenitor(spec) {
        Ok(tokens) => return (Some(tokens), Vec::new()),
        Err(e) => e,
    };
    // Find the culprits: each operation alone, with the components it reaches.
    let mut skipped = Vec::new();
    for (path, method, id) in operations(spec) {
        let mut alone = spec.clone();
        keep_operations(&mut alone, |p, m| p == path && m == method);
        crate::domains::prune_components(&mut alone);
        if let Err(reason) = run_progenitor(&alone) {
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
    match run_progenitor(&rest) {
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
