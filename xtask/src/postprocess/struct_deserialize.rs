//! Written `Deserialize` impls for typify's plain structs. serde's derive expands each struct
//! into a field enum with its own visitor and `Deserialize` impl, a sequence visitor and a map
//! visitor; type- and borrow-checking that is most of a domain's build time at Kibana's size
//! (stubbing the derives out took a 288-operation domain from 44 s to 18 s). The impl written
//! here reads a map only: keys through one shared lookup (`FieldIndex`), values straight into
//! the fields, with serde's rules for missing fields (`Option` and `default` fields default,
//! others are a `missing field` error), `rename`, `default = "path"` and
//! `deny_unknown_fields`. A struct with any other serde attribute keeps the derive.
//! Two differences from the derive, neither reachable from JSON objects: a struct is not read
//! from a sequence, and a repeated key keeps its last value.

use quote::quote;
use syn::{Fields, Item, ItemStruct, LitStr, Type, parse_quote};

/// How one field is read.
struct Field {
    ident: syn::Ident,
    key: String,
    ty: Type,
    missing: Missing,
}

enum Missing {
    Error,
    Default,
    Call(syn::ExprPath),
}

fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

fn derives(item: &ItemStruct, name: &str) -> bool {
    item.attrs.iter().any(|a| {
        a.path().is_ident("derive")
            && a.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|paths| {
                paths
                    .iter()
                    .any(|p| p.segments.last().is_some_and(|s| s.ident == name))
            })
    })
}

/// The fields and whether unknown keys are refused, or `None` if the struct needs the derive.
fn plan(item: &ItemStruct) -> Option<(Vec<Field>, bool)> {
    if !item.generics.params.is_empty()
        || !derives(item, "Deserialize")
        // Without serde's Serialize derive left, the `#[serde]` attributes would be orphans.
        || !derives(item, "Serialize")
    {
        return None;
    }
    let Fields::Named(named) = &item.fields else {
        return None;
    };
    let mut strict = false;
    for attr in item.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("deny_unknown_fields") {
                strict = true;
                Ok(())
            } else {
                Err(meta.error("needs the derive"))
            }
        })
        .ok()?;
    }
    let mut fields = Vec::new();
    for f in &named.named {
        let ident = f.ident.clone()?;
        let mut key = ident.to_string().trim_start_matches("r#").to_string();
        let mut missing = if is_option(&f.ty) {
            Missing::Default
        } else {
            Missing::Error
        };
        for attr in f.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    key = meta.value()?.parse::<LitStr>()?.value();
                } else if meta.path.is_ident("default") {
                    missing = if meta.input.peek(syn::Token![=]) {
                        Missing::Call(meta.value()?.parse::<LitStr>()?.parse()?)
                    } else {
                        Missing::Default
                    };
                } else if meta.path.is_ident("skip_serializing_if") {
                    meta.value()?.parse::<LitStr>()?;
                } else {
                    return Err(meta.error("needs the derive"));
                }
                Ok(())
            })
            .ok()?;
        }
        fields.push(Field {
            ident,
            key,
            ty: f.ty.clone(),
            missing,
        });
    }
    Some((fields, strict))
}

fn written_impl(item: &ItemStruct, fields: &[Field], strict: bool, support: &syn::Path) -> Item {
    let name = &item.ident;
    let label = format!("struct {name}");
    let keys = fields.iter().map(|f| &f.key);
    let slots: Vec<syn::Ident> = (0..fields.len())
        .map(|i| quote::format_ident!("field{i}"))
        .collect();
    let types = fields.iter().map(|f| &f.ty);
    let indexes = 0..fields.len();
    let values = fields.iter().zip(&slots).map(|(f, slot)| {
        let ident = &f.ident;
        let key = &f.key;
        match &f.missing {
            Missing::Error => quote! {
                #ident: match #slot {
                    ::std::option::Option::Some(value) => value,
                    ::std::option::Option::None => {
                        return ::std::result::Result::Err(<A::Error as ::serde::de::Error>::missing_field(#key));
                    }
                }
            },
            Missing::Default => quote!(#ident: #slot.unwrap_or_default()),
            Missing::Call(path) => quote!(#ident: #slot.unwrap_or_else(#path)),
        }
    });
    parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                const FIELDS: &[&str] = &[#(#keys),*];
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
                        #(let mut #slots: ::std::option::Option<#types> = ::std::option::Option::None;)*
                        while let ::std::option::Option::Some(index) =
                            map.next_key_seed(#support::FieldIndex { names: FIELDS, strict: #strict })?
                        {
                            match index {
                                #(#indexes => #slots = ::std::option::Option::Some(map.next_value()?),)*
                                _ => {
                                    map.next_value::<::serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        ::std::result::Result::Ok(#name { #(#values),* })
                    }
                }
                deserializer.deserialize_struct(#label, FIELDS, Visitor)
            }
        }
    }
}

fn drop_derive(item: &mut ItemStruct) {
    for attr in item.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        if let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) {
            let kept: Vec<&syn::Path> = paths
                .iter()
                .filter(|p| p.segments.last().is_none_or(|s| s.ident != "Deserialize"))
                .collect();
            *attr = parse_quote!(#[derive(#(#kept),*)]);
        }
    }
}

/// Applies the pass to the `types` module; returns how many structs got a written impl.
/// `support` is the module holding `FieldIndex`.
pub fn run(file: &mut syn::File, support: &syn::Path) -> usize {
    let Some(items) = file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    }) else {
        return 0;
    };
    let mut written = Vec::new();
    for item in items.iter_mut() {
        if let Item::Struct(s) = item
            && let Some((fields, strict)) = plan(s)
        {
            written.push(written_impl(s, &fields, strict, support));
            drop_derive(s);
        }
    }
    let count = written.len();
    items.extend(written);
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_impls_for_plain_structs_only() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                #[serde(deny_unknown_fields)]
                pub struct Plain {
                    pub id: String,
                    #[serde(rename = "type")]
                    pub type_: String,
                    #[serde(default, skip_serializing_if = "Vec::is_empty")]
                    pub tags: Vec<String>,
                    #[serde(skip_serializing_if = "Option::is_none")]
                    pub note: ::std::option::Option<String>,
                    #[serde(default = "defaults::yes")]
                    pub on: bool,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                #[serde(transparent)]
                pub struct Wrapped(String);
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Flat {
                    #[serde(flatten)]
                    pub extra: ::std::collections::HashMap<String, String>,
                }
                #[derive(::serde::Deserialize)]
                pub struct DeserializeOnly { pub a: String }
            }
        };
        assert_eq!(run(&mut file, &parse_quote!(crate::de)), 1);
        let text: String = prettyplease::unparse(&file)
            .split_whitespace()
            .collect();
        for expected in [
            "#[derive(::serde::Serialize,Clone,Debug)]#[serde(deny_unknown_fields)]pubstructPlain",
            r#"constFIELDS:&[&str]=&["id","type","tags","note","on"];"#,
            "crate::de::FieldIndex{names:FIELDS,strict:true,}",
            r#"missing_field("id")"#,
            r#"missing_field("type")"#,
            "tags:field2.unwrap_or_default()",
            "note:field3.unwrap_or_default()",
            "on:field4.unwrap_or_else(defaults::yes)",
            "#[derive(::serde::Deserialize,::serde::Serialize)]#[serde(transparent)]pubstructWrapped",
            "#[derive(::serde::Deserialize,::serde::Serialize)]pubstructFlat",
            "#[derive(::serde::Deserialize)]pubstructDeserializeOnly",
        ] {
            assert!(text.contains(expected), "{expected} missing from {text}");
        }
        assert_eq!(text.matches("impl<'de>::serde::Deserialize<'de>for").count(), 1);
    }
}
