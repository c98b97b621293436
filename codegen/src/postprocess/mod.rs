//! Post-processing of progenitor's output, on the syntax tree: one pass per file.

mod api_version_header;
mod client_api;
mod conversion_reasons;
mod doc_examples;
mod dynamic_invoke;
pub(crate) use doc_examples::mended_fences;
mod field_collisions;
mod integer_newtypes;
mod json_objects;
mod lenient_strings;
mod mock_arrays;
mod mock_paths;
mod open_enums;
mod owned_send;
mod path_segments;
mod response_decode;
mod secret_fields;
mod send_as;
mod send_errors;
mod struct_deserialize;
mod type_builders;
mod unions;
mod unknown_fields;

pub use secret_fields::Secrets;

use proc_macro2::TokenStream;
use serde_json::Value;

/// What the passes need besides the code.
pub struct Context<'a> {
    /// `secrets.yaml`'s entries for this domain.
    pub secrets: &'a Secrets,
    /// Whether a stale secrets entry is an error (our own spec) or a note (any other).
    pub secrets_strict: bool,
    /// The discriminated unions of this domain.
    pub unions: &'a crate::unions::Unions,
    /// What the spec says the code must contain, so a pass that finds nothing is an error.
    pub expect: Expect,
}

/// Facts of a domain's spec that decide which passes must find something to rewrite.
#[derive(Debug, Default, Clone, Copy)]
pub struct Expect {
    /// Operations in the domain (each has a `send()` and an `api-version` header).
    pub operations: usize,
    /// Operations with a path parameter.
    pub path_params: usize,
    /// Operations with a typed JSON success body.
    pub json_responses: usize,
}

impl Expect {
    /// Reads the facts off a domain's (normalized) spec.
    pub fn of(part: &Value) -> Self {
        let mut e = Self::default();
        let mut scratch = part.clone();
        crate::normalize::for_each_operation(&mut scratch, |_, _, op| {
            e.operations += 1;
            let has_path_param = op
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|ps| ps.iter().any(|p| p["in"] == "path"));
            e.path_params += usize::from(has_path_param);
            e.json_responses += usize::from(
                op.get(crate::normalize::TYPES)
                    .and_then(|t| t.get("response"))
                    .is_some(),
            );
        });
        e
    }
}

/// How many places one pass rewrote (summed over domains in the report).
#[derive(Debug, Clone)]
pub struct PassCount {
    pub pass: &'static str,
    pub count: usize,
    /// Something the pass left out, for the report.
    pub note: Option<String>,
}

/// A pass that must rewrite something when `needed` is non-zero: progenitor changing its
/// output shape must break generation loudly, not ship a client without its safety rewrites.
fn required(pass: &'static str, count: usize, needed: usize) -> anyhow::Result<PassCount> {
    if needed > 0 && count == 0 {
        anyhow::bail!(
            "post-pass {pass} matched nothing, but the spec needs it ({needed} place(s)); \
             progenitor's output shape may have changed"
        );
    }
    Ok(PassCount {
        pass,
        count,
        note: None,
    })
}

fn counted(pass: &'static str, count: usize) -> PassCount {
    PassCount {
        pass,
        count,
        note: None,
    }
}

/// Parses progenitor's tokens (plus `extra` items), applies every pass, and pretty-prints.
pub fn run(
    tokens: TokenStream,
    extra: &TokenStream,
    cx: &Context<'_>,
) -> anyhow::Result<(String, Vec<PassCount>)> {
    let mut file: syn::File = syn::parse2(tokens)
        .map_err(|e| anyhow::anyhow!("progenitor emitted unparseable code: {e}"))?;
    let extra: syn::File =
        syn::parse2(extra.clone()).map_err(|e| anyhow::anyhow!("unparseable support code: {e}"))?;
    file.items.extend(extra.items);
    let e = cx.expect;
    // In order: each pass sees what the ones before it wrote.
    let mut counts = vec![counted("type_builders", type_builders::run(&mut file))];
    counts.push(counted(
        "field_collisions",
        field_collisions::run(&mut file),
    ));
    counts.push(counted("json_objects", json_objects::run(&mut file)));
    counts.push(counted(
        "integer_newtypes",
        integer_newtypes::run(&mut file),
    ));
    // Both call into `crate::de` (the runtime's decoding helpers).
    let opened = open_enums::run(&mut file, &syn::parse_quote!(crate::de));
    counts.push(counted("open_enums", opened.len()));
    counts.push(counted("lenient_strings", lenient_strings::run(&mut file)));
    counts.push(counted("unions", unions::run(&mut file, cx.unions)));
    counts.push(counted(
        "struct_deserialize",
        struct_deserialize::run(&mut file),
    ));
    // After the compact derive is chosen (it reads the field), before the written `Debug`s.
    counts.push(counted("unknown_fields", unknown_fields::run(&mut file)));
    let (redacted, stale) = secret_fields::run(&mut file, cx.secrets, cx.secrets_strict)?;
    let mut secrets = counted("secret_fields", redacted);
    if !stale.is_empty() {
        secrets.note = Some(format!(
            "secrets.yaml names fields this spec does not have, skipped: {}",
            stale.join(", ")
        ));
    }
    counts.push(secrets);
    counts.push(required(
        "api_version_header",
        api_version_header::run(&mut file),
        e.operations,
    )?);
    counts.push(counted("doc_examples", doc_examples::run(&mut file)));
    counts.push(counted(
        "conversion_reasons",
        conversion_reasons::run(&mut file),
    ));
    counts.push(required(
        "send_errors",
        send_errors::run(&mut file),
        e.operations,
    )?);
    counts.push(required(
        "path_segments",
        path_segments::run(&mut file),
        e.path_params,
    )?);
    counts.push(required(
        "response_decode",
        response_decode::run(&mut file),
        e.json_responses,
    )?);
    counts.push(counted("send_as", send_as::run(&mut file)?));
    counts.push(counted("owned_send", owned_send::run(&mut file)?));
    counts.push(required(
        "client_api",
        client_api::run(&mut file),
        e.operations,
    )?);
    counts.push(required(
        "dynamic_invoke",
        dynamic_invoke::run(&mut file),
        e.operations,
    )?);
    Ok((prettyplease::unparse(&file), counts))
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

/// Whether one of the `#[serde(...)]` attributes among `attrs` mentions `word`
/// (`flatten`, `deny_unknown_fields`, `rename`...).
pub(crate) fn serde_mentions(attrs: &[syn::Attribute], word: &str) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("serde") && quote::quote!(#a).to_string().contains(word))
}

/// The inherent (`impl X { .. }`, not trait) impl blocks among `items` for the type named `name`.
pub(crate) fn inherent_impls<'a>(
    items: &'a [syn::Item],
    name: &'a str,
) -> impl Iterator<Item = &'a syn::ItemImpl> + 'a {
    items.iter().filter_map(move |item| match item {
        syn::Item::Impl(imp)
            if imp.trait_.is_none() && impl_self_name(imp).as_deref() == Some(name) =>
        {
            Some(imp)
        }
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

/// A path's segment names, without their arguments (`["serde_json", "Map"]`).
/// `V` and `T` of a setter `fn x<V>(mut self, value: V) -> Self where V: TryInto<T>`.
pub(crate) fn setter_type(sig: &syn::Signature) -> Option<(syn::Ident, syn::Type)> {
    let generic = match sig.generics.params.first()? {
        syn::GenericParam::Type(t) if sig.generics.params.len() == 1 => t.ident.clone(),
        _ => return None,
    };
    let clause = sig.generics.where_clause.as_ref()?;
    clause.predicates.iter().find_map(|p| {
        let syn::WherePredicate::Type(pt) = p else {
            return None;
        };
        let syn::Type::Path(bounded) = &pt.bounded_ty else {
            return None;
        };
        if !bounded.path.is_ident(&generic) {
            return None;
        }
        pt.bounds.iter().find_map(|bound| {
            let syn::TypeParamBound::Trait(t) = bound else {
                return None;
            };
            let last = t.path.segments.last()?;
            if last.ident != "TryInto" {
                return None;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            match args.args.first()? {
                syn::GenericArgument::Type(ty) => Some((generic.clone(), ty.clone())),
                _ => None,
            }
        })
    })
}

pub(crate) fn segment_names(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_required_pass_that_matches_nothing_fails_generation() {
        let err = super::required("send_errors", 0, 3)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("send_errors matched nothing") && err.contains("3 place(s)"),
            "{err}"
        );
        assert_eq!(super::required("send_errors", 3, 3).unwrap().count, 3);
        // A pass the spec does not need (no path parameters) may find nothing.
        assert_eq!(super::required("path_segments", 0, 0).unwrap().count, 0);
    }
}
