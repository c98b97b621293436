//! `#[derive(kibana_serverless_derive::Deserialize)]`: a compact `serde::Deserialize` for the
//! plain structs the generator writes. serde's own derive expands each struct into a field enum
//! with its own visitor and `Deserialize` impl, a sequence visitor and a map visitor; type- and
//! borrow-checking that is most of a domain's build time at Kibana's size. This derive reads a
//! map only: keys through one shared lookup (`crate::de::FieldIndex` of the using crate),
//! values straight into the fields, with serde's rules for missing fields (`Option` and
//! `default` fields default, others are a `missing field` error) and serde's attributes
//! `rename`, `default`, `default = "path"`, `skip_serializing_if` (ignored here),
//! `deny_unknown_fields`, and `flatten` on one map field (a `serde_json::Map`, `HashMap`, ...:
//! anything `Default` with `insert(String, V)`), which gets every key no other field names, as
//! serde's flatten gives it. Anything else is a compile error naming the attribute.
//!
//! Two differences from serde's derive, neither reachable from JSON objects: a struct is not
//! read from a sequence, and a repeated key keeps its last value. And one that is: a
//! `serde_json::Value` field (a value of any kind, `{}` in the spec) that a map leaves out reads
//! as `null`, as serde reads a missing `Option` as `None`: any value takes `null`, and Kibana
//! leaves out what its route schemas write as `schema.any()` when there is nothing (an agent
//! that has not reported its `effective_config`), where earlier specs list such fields as
//! required.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::{format_ident, quote};
use syn2::{Data, DeriveInput, Fields, LitStr, Type};

/// Derives `serde::Deserialize` for a struct with named fields (see the crate docs).
#[proc_macro_derive(Deserialize, attributes(serde))]
pub fn derive_deserialize(input: TokenStream) -> TokenStream {
    let input = syn2::parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

enum Missing {
    Error,
    Default,
    Call(syn2::Path),
}

fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// `serde_json::Value` (with or without a leading `::`).
fn is_json_value(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && {
        let names: Vec<String> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
        names == ["serde_json", "Value"]
    })
}

fn expand(input: &DeriveInput) -> syn2::Result<Tokens> {
    let name = &input.ident;
    if !input.generics.params.is_empty() {
        return Err(syn2::Error::new_spanned(
            &input.generics,
            "generic structs need serde's derive",
        ));
    }
    let Data::Struct(data) = &input.data else {
        return Err(syn2::Error::new_spanned(name, "only structs"));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn2::Error::new_spanned(
            name,
            "only structs with named fields",
        ));
    };
    let mut strict = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("deny_unknown_fields") {
                strict = true;
                Ok(())
            } else {
                Err(meta.error("unsupported serde attribute; use serde's derive"))
            }
        })?;
    }
    let mut keys = Vec::new();
    let mut slots = Vec::new();
    let mut values = Vec::new();
    // The field that collects the keys no other field names.
    let mut rest: Option<(&syn2::Ident, &Type)> = None;
    for (i, f) in named.named.iter().enumerate() {
        let Some(ident) = &f.ident else { continue };
        if is_flattened(f)? {
            if rest.is_some() {
                return Err(syn2::Error::new_spanned(
                    ident,
                    "one flattened field at most; use serde's derive",
                ));
            }
            if strict {
                return Err(syn2::Error::new_spanned(
                    ident,
                    "flatten takes every unknown key: no deny_unknown_fields",
                ));
            }
            rest = Some((ident, &f.ty));
            continue;
        }
        let mut key = ident.to_string().trim_start_matches("r#").to_string();
        let mut missing = if is_option(&f.ty) || is_json_value(&f.ty) {
            Missing::Default
        } else {
            Missing::Error
        };
        for attr in f.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    key = meta.value()?.parse::<LitStr>()?.value();
                } else if meta.path.is_ident("default") {
                    missing = if meta.input.peek(syn2::Token![=]) {
                        Missing::Call(meta.value()?.parse::<LitStr>()?.parse()?)
                    } else {
                        Missing::Default
                    };
                } else if meta.path.is_ident("skip_serializing_if") {
                    meta.value()?.parse::<LitStr>()?;
                } else {
                    return Err(meta.error("unsupported serde attribute; use serde's derive"));
                }
                Ok(())
            })?;
        }
        let slot = format_ident!("field{i}");
        values.push(match missing {
            Missing::Error => quote! {
                #ident: match #slot {
                    ::std::option::Option::Some(value) => value,
                    ::std::option::Option::None => return ::std::result::Result::Err(
                        <A::Error as ::serde::de::Error>::missing_field(#key)),
                }
            },
            Missing::Default => quote!(#ident: #slot.unwrap_or_default()),
            Missing::Call(path) => quote!(#ident: #slot.unwrap_or_else(#path)),
        });
        keys.push(key);
        slots.push((slot, f.ty.clone()));
    }
    let label = format!("struct {name}");
    let (rest_declaration, rest_value, seed, key_pattern, unknown) = match rest {
        Some((ident, ty)) => (
            quote!(let mut rest: #ty = ::std::default::Default::default();),
            quote!(#ident: rest,),
            quote!(crate::de::FieldOrKey { lookup: field }),
            quote!(crate::de::Key::Field(index)),
            quote! {
                ::std::option::Option::Some(crate::de::Key::Other(key)) => {
                    rest.insert(key, map.next_value()?);
                }
            },
        ),
        None => (
            quote!(),
            quote!(),
            quote!(crate::de::FieldIndex { names: FIELDS, strict: #strict, lookup: field }),
            quote!(index),
            quote!(),
        ),
    };
    let indices = 0..keys.len();
    let declarations = slots.iter().map(|(slot, ty)| {
        quote!(let mut #slot: ::std::option::Option<#ty> = ::std::option::Option::None;)
    });
    // Whole-number fields also accept `42.0` (Kibana writes counters as JSON numbers).
    let arms = slots
        .iter()
        .enumerate()
        .map(|(i, (slot, ty))| match whole_number(ty) {
            Some(Whole::Plain) => quote!(#i => #slot = ::std::option::Option::Some(
            map.next_value::<crate::de::Whole<#ty>>()?.0),),
            Some(Whole::Optional) => quote!(#i => #slot = ::std::option::Option::Some(
            map.next_value::<crate::de::WholeOption<#ty>>()?.0),),
            None => quote!(#i => #slot = ::std::option::Option::Some(map.next_value()?),),
        });
    Ok(quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                const FIELDS: &[&str] = &[#(#keys),*];
                fn field(key: &str) -> ::std::option::Option<usize> {
                    match key {
                        #(#keys => ::std::option::Option::Some(#indices),)*
                        _ => ::std::option::Option::None,
                    }
                }
                struct Visitor;
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#label)
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::std::result::Result<#name, A::Error> {
                        #(#declarations)*
                        #rest_declaration
                        loop {
                            match map.next_key_seed(#seed)? {
                                ::std::option::Option::Some(#key_pattern) => match index {
                                    #(#arms)*
                                    _ => {
                                        map.next_value::<::serde::de::IgnoredAny>()?;
                                    }
                                },
                                #unknown
                                ::std::option::Option::None => break,
                            }
                        }
                        ::std::result::Result::Ok(#name { #(#values,)* #rest_value })
                    }
                }
                deserializer.deserialize_struct(#label, FIELDS, Visitor)
            }
        }
    })
}

/// Whether the field is `#[serde(flatten)]`; its other serde attributes are refused.
fn is_flattened(f: &syn2::Field) -> syn2::Result<bool> {
    let mut flatten = false;
    let mut other = None;
    for attr in f.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("flatten") {
                flatten = true;
            } else {
                other = Some(meta.error("a flattened field takes no other serde attribute"));
                if meta.input.peek(syn2::Token![=]) {
                    meta.value()?.parse::<syn2::Expr>()?;
                }
            }
            Ok(())
        })?;
    }
    match other {
        Some(e) if flatten => Err(e),
        _ => Ok(flatten),
    }
}

enum Whole {
    Plain,
    Optional,
}

/// `i64`, `u32`, ... or `Option` of one.
fn whole_number(ty: &Type) -> Option<Whole> {
    const INTEGERS: &[&str] = &[
        "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
    ];
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if INTEGERS.iter().any(|i| last.ident == i) && last.arguments.is_empty() {
        return Some(Whole::Plain);
    }
    if last.ident == "Option"
        && let syn2::PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(syn2::GenericArgument::Type(inner)) = args.args.first()
        && matches!(whole_number(inner), Some(Whole::Plain))
    {
        return Some(Whole::Optional);
    }
    None
}
