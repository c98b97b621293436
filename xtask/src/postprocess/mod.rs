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
    // The decoding helpers the written serde impls call: the crate's `de` module, or a copy of
    // it inside a standalone crate's `types`.
    let support: syn::Path = match target {
        Target::Crate => syn::parse_quote!(crate::de),
        Target::Standalone => syn::parse_quote!(self::de_support),
    };
    let opened = open_enums::run(&mut file, &support);
    let written = struct_deserialize::run(&mut file, &support);
    if target == Target::Standalone && (!opened.is_empty() || written > 0) {
        add_support_module(&mut file)?;
    }
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

/// Copies the crate's `src/de.rs` into the `types` module as `de_support`.
fn add_support_module(file: &mut syn::File) -> anyhow::Result<()> {
    let support: syn::File = syn::parse_str(include_str!("../../../src/de.rs"))
        .map_err(|e| anyhow::anyhow!("src/de.rs does not parse: {e}"))?;
    let items = support.items;
    let module: syn::Item = syn::parse_quote! {
        /// Decoding helpers of the written serde impls (a copy of kibana-serverless's `src/de.rs`).
        #[allow(dead_code)]
        mod de_support {
            #(#items)*
        }
    };
    if let Some((_, items)) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
        _ => None,
    }) {
        items.push(module);
    }
    Ok(())
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
