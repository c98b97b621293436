//! By default: cheap. When `spec/` is present (a checkout, not a packaged crate), fails the
//! build with a message naming `cargo xtask regenerate` if `spec/` no longer matches what
//! `generated/` was made from (a hash of the spec inputs recorded in the manifest).
//!
//! With the `codegen` feature and `KIBANA_SERVERLESS_SPEC=/path/to/kibana.serverless.yaml`,
//! generates the client from that spec into `OUT_DIR`, and the crate uses it instead of
//! `generated/`: every operation of a newer Kibana, with the whole runtime, without forking.

use std::path::{Path, PathBuf};

#[path = "codegen/src/spec_hash.rs"]
mod spec_hash;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(kibana_serverless_codegen)");
    println!("cargo::rerun-if-env-changed=KIBANA_SERVERLESS_SPEC");
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let inputs = root.join("spec");
    if let Some(spec) = std::env::var_os("KIBANA_SERVERLESS_SPEC") {
        generate(&inputs, Path::new(&spec));
        return;
    }
    check_fresh(&root, &inputs);
}

#[cfg(feature = "codegen")]
fn generate(inputs: &Path, spec: &Path) {
    println!("cargo::rerun-if-changed={}", spec.display());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    match kibana_serverless_codegen::generate_into(inputs, spec, &out) {
        Ok(g) => {
            println!("cargo::rustc-cfg=kibana_serverless_codegen");
            println!(
                "cargo::warning=kibana-serverless: generated {} operations from {} ({} skipped)",
                g.operations.len(),
                spec.display(),
                g.skipped.len()
            );
            for s in &g.skipped {
                println!(
                    "cargo::warning=skipped {} {} ({}): {}",
                    s.method, s.path, s.operation_id, s.reason
                );
            }
        }
        Err(e) => {
            println!(
                "cargo::error=kibana-serverless: generating from {}: {e:#}",
                spec.display()
            );
        }
    }
}

#[cfg(not(feature = "codegen"))]
fn generate(_inputs: &Path, spec: &Path) {
    println!(
        "cargo::error=KIBANA_SERVERLESS_SPEC is set ({}), but the `codegen` feature is off: \
         build with `--features codegen` to generate the client from it",
        spec.display()
    );
}

fn check_fresh(root: &Path, inputs: &Path) {
    // A packaged crate has no spec/: nothing to compare.
    if !inputs.join("kibana.serverless.yaml").exists() {
        return;
    }
    println!("cargo::rerun-if-changed=spec");
    let manifest = root.join("generated/operations.json");
    println!("cargo::rerun-if-changed={}", manifest.display());
    let recorded = std::fs::read_to_string(&manifest).unwrap_or_default();
    let current = match spec_hash::of_inputs(inputs) {
        Ok(h) => h,
        Err(e) => {
            println!("cargo::error=reading spec/: {e}");
            return;
        }
    };
    if !recorded.contains(&format!("\"inputs_hash\": \"{current}\"")) {
        println!(
            "cargo::error=spec/ has changed since generated/ was made from it: run \
             `cargo xtask regenerate` (generated/operations.json records the inputs it was made from)"
        );
    }
}
