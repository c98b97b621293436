//! Post-processing of progenitor's output, on the syntax tree: one pass per file.

mod api_version_header;
mod doc_examples;
mod mock_arrays;
mod mock_paths;
mod open_enums;
mod owned_send;
mod path_segments;
mod response_decode;
mod secret_fields;
mod send_errors;
mod struct_deserialize;
mod type_builders;

pub use secret_fields::Secrets;

use crate::generate::Target;
use proc_macro2::TokenStream;

/// Parses progenitor's tokens (plus `extra` items), applies every pass, and pretty-prints.
pub fn run(
    tokens: TokenStream,
    extra: &TokenStream,
    target: Target,
    secrets: &Secrets,
) -> anyhow::Result<String> {
    let mut file: syn::File = syn::parse2(tokens)
        .map_err(|e| anyhow::anyhow!("progenitor emitted unparseable code: {e}"))?;
    let extra: syn::File =
        syn::parse2(extra.clone()).map_err(|e| anyhow::anyhow!("unparseable support code: {e}"))?;
    file.items.extend(extra.items);
    type_builders::run(&mut file);
    // Both call into `crate::de` (src/de.rs, copied into standalone crates).
    open_enums::run(&mut file, &syn::parse_quote!(crate::de));
    struct_deserialize::run(&mut file);
    secret_fields::run(&mut file, secrets)?;
    api_version_header::run(&mut file);
    doc_examples::run(&mut file);
    if target == Target::Crate {
        // These call into the kibana-serverless crate, which a standalone crate does not have.
        send_errors::run(&mut file);
        path_segments::run(&mut file);
        response_decode::run(&mut file);
        owned_send::run(&mut file)?;
    }
    Ok(prettyplease::unparse(&file))
}

/// Post-processes progenitor's typed httpmock mocks.
pub fn mocks(tokens: TokenStream) -> anyhow::Result<String> {
    let mut file: syn::File = syn::parse2(tokens)
        .map_err(|e| anyhow::anyhow!("progenitor emitted unparseable mocks: {e}"))?;
    mock_paths::run(&mut file);
    mock_arrays::run(&mut file);
    doc_examples::run(&mut file);
    Ok(prettyplease::unparse(&file))
}
