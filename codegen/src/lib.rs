//! The kibana-serverless generator as a library: a Kibana serverless OpenAPI spec becomes the
//! Rust client (load -> overlays -> normalize passes -> split by domain -> progenitor ->
//! syntax-tree post-passes -> prettyplease). `cargo xtask` is a thin CLI over it, and the root
//! crate's `build.rs` calls it (feature `codegen`) to generate from a user's spec.
//!
//! Inputs beside the spec live in one directory (`spec/` of the workspace): `overlays/`,
//! `domains.yaml`, `pagination.yaml`, `secrets.yaml`.

mod domains;
mod generate;
mod names;
mod normalize;
mod op_types;
mod operations_module;
mod output;
mod overlay;
mod pagination;
mod pagination_items;
mod pipeline;
mod postprocess;
mod schema_shapes;
mod schema_walk;
pub mod spec;
pub mod spec_diff;
#[cfg(test)]
mod spec_fuzz;
pub mod spec_hash;
mod standalone_tests;
mod synth;
mod unions;

pub use generate::Skipped;
pub use pipeline::{Generated, Operation, Options, Target, generate_into, regenerate};

/// Writes the vendored spec with its overlays applied, as JSON (what the contract test serves).
/// Of the normalize passes, only the one that narrows types the client relies on runs: counters
/// are whole numbers (a mock generating `page: 71969886.98` from `type: number` tests nothing
/// Kibana does); and array limits and patterned formats are made ones Prism's generator can
/// fill. The spec is otherwise as Kibana publishes it, quirks included.
pub fn overlaid_spec(inputs: &std::path::Path, out: &std::path::Path) -> anyhow::Result<()> {
    let mut spec = spec::load(&inputs.join("kibana.serverless.yaml"))?;
    overlay::apply_dir(&mut spec, &inputs.join("overlays"))?;
    normalize::for_mock_server(&mut spec);
    std::fs::write(out, serde_json::to_string_pretty(&spec)?)?;
    Ok(())
}

/// The normalized spec of each domain of `spec_path` (what `openapi.json` beside a generated
/// client holds, and what the embedded mock serves), with the inputs of `inputs`.
pub fn domain_specs(
    inputs: &std::path::Path,
    spec_path: &std::path::Path,
) -> anyhow::Result<serde_json::Value> {
    let generated = pipeline::build(inputs, spec_path, false, Target::OutDir)?;
    let text = generated
        .files
        .get("openapi.json")
        .ok_or_else(|| anyhow::anyhow!("no openapi.json was generated"))?;
    Ok(serde_json::from_str(text)?)
}

/// Writes a spec of `operations` operations made of renamed copies of the vendored spec.
pub fn synth_spec(
    root: &std::path::Path,
    operations: usize,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    synth::write(root, operations, out)
}

#[cfg(test)]
pub(crate) fn workspace_root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(std::path::PathBuf::from)
        .unwrap_or_default()
}
