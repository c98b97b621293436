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

/// The items of the inline module `name` among `items` (`types`, `builder`...).
pub(crate) fn module_items<'a>(
    items: &'a mut [syn::Item],
    name: &str,
) -> Option<&'a mut Vec<syn::Item>> {
    items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// The name of the type an `impl` block is for (`impl X`, `impl Trait for super::X`).
pub(crate) fn impl_self_name(imp: &syn::ItemImpl) -> Option<String> {
    match imp.self_ty.as_ref() {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The paths in an item's `#[derive(...)]` lists.
pub(crate) fn derived(attrs: &[syn::Attribute]) -> Vec<syn::Path> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .filter_map(|a| {
            a.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .ok()
        })
        .flatten()
        .collect()
}

/// Whether a derive path names `name` (`Debug`, `::serde::Deserialize`...).
pub(crate) fn names(path: &syn::Path, name: &str) -> bool {
    path.segments.last().is_some_and(|s| s.ident == name)
}

/// Rewrites each `#[derive(...)]` list of an item through `edit`.
pub(crate) fn edit_derives(
    attrs: &mut [syn::Attribute],
    mut edit: impl FnMut(Vec<syn::Path>) -> Vec<syn::Path>,
) {
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        // A list that does not parse as paths is left as it is.
        let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        let edited = edit(paths.into_iter().collect());
        *attr = syn::parse_quote!(#[derive(#(#edited),*)]);
    }
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
