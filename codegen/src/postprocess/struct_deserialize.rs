//! typify's plain structs derive `kibana_serverless_derive::Deserialize` (re-exported as
//! `crate::de::Decode`) instead of serde's:
//! serde's derive expands each struct into a field enum with its own visitor and `Deserialize`
//! impl, a sequence visitor and a map visitor, and type- and borrow-checking that is most of a
//! domain's build time at Kibana's size (stubbing those impls out took a 288-operation domain
//! from 44 s to 18 s). The derive (`derive/`) reads a map only, through one shared key lookup
//! (`src/de.rs`). It supports serde's `rename`, `default`, `default = "path"`,
//! `skip_serializing_if`, `deny_unknown_fields` and `flatten` on one map field (typify's
//! `extra` of an object open to more properties: serde's flatten buffered every entry of
//! such an object before reading it); a struct with any other serde attribute, or
//! one that does not also derive `Serialize` (which keeps the `#[serde]` attributes valid),
//! keeps serde's derive.

use syn::{Fields, Item, ItemStruct, LitStr, parse_quote};

fn derives(item: &ItemStruct, name: &str) -> bool {
    super::derived(&item.attrs)
        .iter()
        .any(|p| super::names(p, name))
}

/// Whether the compact derive can read the struct.
fn eligible(item: &ItemStruct) -> bool {
    if !item.generics.params.is_empty()
        || !derives(item, "Deserialize")
        || !derives(item, "Serialize")
        || !matches!(item.fields, Fields::Named(_))
    {
        return false;
    }
    let supported = |attr: &syn::Attribute, allowed: &[&str]| {
        attr.parse_nested_meta(|meta| {
            if allowed.iter().any(|a| meta.path.is_ident(a)) {
                if meta.input.peek(syn::Token![=]) {
                    meta.value()?.parse::<LitStr>()?;
                }
                Ok(())
            } else {
                Err(meta.error("needs serde's derive"))
            }
        })
        .is_ok()
    };
    let strict = super::serde_mentions(&item.attrs, "deny_unknown_fields");
    let flat_fields = item.fields.iter().filter(|f| flattened(f)).count();
    item.attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .all(|a| supported(a, &["deny_unknown_fields"]))
        && (flat_fields == 0 || (flat_fields == 1 && !strict))
        && item.fields.iter().all(|f| {
            if flattened(f) {
                return is_map(&f.ty);
            }
            f.attrs
                .iter()
                .filter(|a| a.path().is_ident("serde"))
                .all(|a| supported(a, &["rename", "default", "skip_serializing_if"]))
        })
}

/// `#[serde(flatten)]` and nothing else.
fn flattened(field: &syn::Field) -> bool {
    let serde: Vec<_> = field
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .collect();
    serde.len() == 1 && {
        let mut only = true;
        let mut flatten = false;
        let parsed = serde[0].parse_nested_meta(|meta| {
            flatten |= meta.path.is_ident("flatten");
            only &= meta.path.is_ident("flatten") && !meta.input.peek(syn::Token![=]);
            Ok(())
        });
        parsed.is_ok() && flatten && only
    }
}

/// A map type the derive can insert a key and value into (a flattened struct cannot be).
fn is_map(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| {
        ["Map", "HashMap", "BTreeMap", "IndexMap"].iter().any(|m| s.ident == m)
    }))
}

fn swap_derive(item: &mut ItemStruct) {
    super::edit_derives(&mut item.attrs, |paths| {
        paths
            .into_iter()
            .map(|p| {
                if super::names(&p, "Deserialize") {
                    parse_quote!(crate::de::Decode)
                } else {
                    p
                }
            })
            .collect()
    });
}

/// Applies the pass to the `types` module; returns how many structs it switched.
pub fn run(file: &mut syn::File) -> usize {
    let Some(items) = super::module_items(&mut file.items, "types") else {
        return 0;
    };
    let mut count = 0;
    for item in items.iter_mut() {
        if let Item::Struct(s) = item
            && eligible(s)
        {
            swap_derive(s);
            count += 1;
        }
    }
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
                    pub id: String,
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<String, ::serde_json::Value>,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct FlatStruct {
                    #[serde(flatten)]
                    pub base: Plain,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                #[serde(deny_unknown_fields)]
                pub struct FlatStrict {
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<String, ::serde_json::Value>,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct FlatTwice {
                    #[serde(flatten)]
                    pub a: ::std::collections::HashMap<String, String>,
                    #[serde(flatten)]
                    pub b: ::std::collections::HashMap<String, String>,
                }
                #[derive(::serde::Deserialize)]
                pub struct DeserializeOnly { pub a: String }
            }
        };
        assert_eq!(run(&mut file), 2);
        let text: String = prettyplease::unparse(&file).split_whitespace().collect();
        for expected in [
            "#[derive(crate::de::Decode,::serde::Serialize,Clone,Debug)]#[serde(deny_unknown_fields)]pubstructPlain",
            "#[derive(::serde::Deserialize,::serde::Serialize)]#[serde(transparent)]pubstructWrapped",
            "#[derive(crate::de::Decode,::serde::Serialize)]pubstructFlat{",
            "#[derive(::serde::Deserialize,::serde::Serialize)]pubstructFlatStruct",
            "#[derive(::serde::Deserialize,::serde::Serialize)]#[serde(deny_unknown_fields)]pubstructFlatStrict",
            "#[derive(::serde::Deserialize,::serde::Serialize)]pubstructFlatTwice",
            "#[derive(::serde::Deserialize)]pubstructDeserializeOnly",
        ] {
            assert!(text.contains(expected), "{expected} missing from {text}");
        }
    }
}
