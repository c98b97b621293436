//! Open enums. Kibana adds values to its string enums between releases; typify's enums reject any
//! value they do not list, so one new agent status would fail a whole page of agents. Every
//! string enum gets a catch-all variant, `Unknown(String)`, that keeps the text as sent and
//! serializes it back unchanged; `Display` and `FromStr` learn it too (parsing never fails).
//! `Copy` goes, since the variant owns a string.
//!
//! serde's derive would need an untagged variant for the catch-all, which buffers every value
//! before matching it and expands to hundreds of lines per enum. Instead, the enums implement
//! `Deserialize` by reading a string (borrowed when the format allows) into `FromStr`, and
//! `Serialize` by writing `Display`: a few lines each, and faster.

use quote::format_ident;
use std::collections::BTreeMap;
use syn::visit_mut::VisitMut;
use syn::{Fields, Item, ItemEnum, ItemImpl, Pat, parse_quote};

/// Applies the pass to `file`; returns the names of the enums it opened.
pub fn run(file: &mut syn::File, support: &syn::Path) -> Vec<String> {
    let mut opened = Vec::new();
    visit_items(&mut file.items, &mut opened, support);
    opened
}

fn visit_items(items: &mut Vec<Item>, opened: &mut Vec<String>, support: &syn::Path) {
    // Enum name -> catch-all variant name, for the impls that follow in the same module.
    let mut variants: BTreeMap<String, syn::Ident> = BTreeMap::new();
    // The written serde impls go through `Display` and `FromStr`, which typify writes for every
    // string enum; an enum without both is left as it is.
    let has = |name: &str, trait_name: &str| {
        items.iter().any(|item| {
            matches!(item, Item::Impl(imp)
                if super::impl_self_name(imp).as_deref() == Some(name)
                    && imp.trait_.as_ref().is_some_and(|(p, _)| super::names(p, trait_name)))
        })
    };
    let convertible: Vec<String> = items
        .iter()
        .filter_map(|item| match item {
            Item::Enum(e) => Some(e.ident.to_string()),
            _ => None,
        })
        .filter(|name| has(name, "Display") && has(name, "FromStr"))
        .collect();
    for item in items.iter_mut() {
        if let Item::Enum(e) = item
            && convertible.contains(&e.ident.to_string())
            && let Some(variant) = open(e)
        {
            opened.push(e.ident.to_string());
            variants.insert(e.ident.to_string(), variant);
        }
    }
    let mut serde_impls: Vec<Item> = Vec::new();
    let from_text: syn::Path = parse_quote!(#support::FromText);
    for name in variants.keys() {
        let ident = format_ident!("{}", name);
        serde_impls.push(parse_quote! {
            impl<'de> ::serde::Deserialize<'de> for #ident {
                fn deserialize<D: ::serde::Deserializer<'de>>(
                    deserializer: D,
                ) -> ::std::result::Result<Self, D::Error> {
                    deserializer.deserialize_str(#from_text(::std::marker::PhantomData))
                }
            }
        });
        serde_impls.push(parse_quote! {
            impl ::serde::Serialize for #ident {
                fn serialize<S: ::serde::Serializer>(
                    &self,
                    serializer: S,
                ) -> ::std::result::Result<S::Ok, S::Error> {
                    serializer.collect_str(self)
                }
            }
        });
    }
    items.extend(serde_impls);
    for item in items.iter_mut() {
        match item {
            Item::Impl(imp) => {
                if let Some(variant) = super::impl_self_name(imp).and_then(|n| variants.get(&n)) {
                    patch_impl(imp, variant);
                }
            }
            Item::Mod(m) => {
                if let Some((_, content)) = &mut m.content {
                    visit_items(content, opened, support);
                }
            }
            _ => {}
        }
    }
}

fn is_string_enum(e: &ItemEnum) -> bool {
    let derives_deserialize = e.attrs.iter().any(|a| {
        a.path().is_ident("derive") && quote::quote!(#a).to_string().contains("Deserialize")
    });
    let serde_shaped = e.attrs.iter().any(|a| {
        a.path().is_ident("serde") && {
            let s = quote::quote!(#a).to_string();
            s.contains("untagged") || s.contains("tag =")
        }
    });
    derives_deserialize
        && !serde_shaped
        && !e.variants.is_empty()
        && e.variants.iter().all(|v| matches!(v.fields, Fields::Unit))
}

/// Adds the catch-all variant; returns its name, or `None` when the enum is not a string enum.
fn open(e: &mut ItemEnum) -> Option<syn::Ident> {
    if !is_string_enum(e) {
        return None;
    }
    let taken = |name: &str| e.variants.iter().any(|v| v.ident == name);
    let variant = if taken("Unknown") {
        format_ident!("UnknownValue")
    } else {
        format_ident!("Unknown")
    };
    e.variants.push(parse_quote! {
        /// A value this client does not know yet (Kibana added it later), kept as sent.
        #variant(::std::string::String)
    });
    // serde's derives (and so their `#[serde]` attributes) give way to the impls written here.
    super::edit_derives(&mut e.attrs, |paths| {
        paths
            .into_iter()
            .filter(|p| {
                !p.is_ident("Copy")
                    && !super::names(p, "Deserialize")
                    && !super::names(p, "Serialize")
            })
            .collect()
    });
    e.attrs.retain(|a| !a.path().is_ident("serde"));
    for v in e.variants.iter_mut() {
        v.attrs.retain(|a| !a.path().is_ident("serde"));
    }
    Some(variant)
}

fn patch_impl(imp: &mut ItemImpl, variant: &syn::Ident) {
    let Some(trait_name) = imp
        .trait_
        .as_ref()
        .and_then(|(p, _)| p.segments.last())
        .map(|s| s.ident.to_string())
    else {
        return;
    };
    struct Arms<'a> {
        trait_name: &'a str,
        variant: &'a syn::Ident,
    }
    impl VisitMut for Arms<'_> {
        fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
            let variant = self.variant;
            match self.trait_name {
                "Display" => m
                    .arms
                    .push(parse_quote!(Self::#variant(ref value) => f.write_str(value),)),
                "FromStr" => {
                    for arm in m.arms.iter_mut().filter(|a| matches!(a.pat, Pat::Wild(_))) {
                        *arm.body = parse_quote!(Ok(Self::#variant(value.to_string())));
                    }
                }
                _ => {}
            }
            syn::visit_mut::visit_expr_match_mut(self, m);
        }
    }
    let mut arms = Arms {
        trait_name: &trait_name,
        variant,
    };
    arms.visit_item_impl_mut(imp);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_string_enums_only() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
                pub enum Status {
                    #[serde(rename = "online")]
                    Online,
                    #[serde(rename = "unknown")]
                    Unknown,
                }
                impl ::std::fmt::Display for Status {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        match *self {
                            Self::Online => f.write_str("online"),
                            Self::Unknown => f.write_str("unknown"),
                        }
                    }
                }
                impl ::std::str::FromStr for Status {
                    type Err = String;
                    fn from_str(value: &str) -> Result<Self, String> {
                        match value {
                            "online" => Ok(Self::Online),
                            _ => Err("invalid value".into()),
                        }
                    }
                }
                #[derive(::serde::Deserialize)]
                #[serde(untagged)]
                pub enum Union { A, B }
                #[derive(::serde::Deserialize)]
                pub enum NoFromStr { #[serde(rename = "a")] A }
                #[derive(::serde::Deserialize)]
                pub enum Data { A(String) }
            }
        };
        assert_eq!(run(&mut file, &parse_quote!(crate::de)), ["Status"]);
        let text = prettyplease::unparse(&file);
        assert!(
            text.contains("UnknownValue(::std::string::String)"),
            "{text}"
        );
        assert!(
            text.contains("Self::UnknownValue(ref value) => f.write_str(value)"),
            "{text}"
        );
        assert!(
            text.contains("_ => Ok(Self::UnknownValue(value.to_string()))"),
            "{text}"
        );
        assert!(!text.contains("Copy"), "{text}");
        let flat: String = text.split_whitespace().collect();
        assert!(
            flat.contains("#[derive(Clone,Debug)]pubenumStatus")
                && !flat.contains(r#"#[serde(rename="online")]"#)
                && flat.contains("impl<'de>::serde::Deserialize<'de>forStatus")
                && flat.contains("impl::serde::SerializeforStatus")
                && flat.contains("deserialize_str(crate::de::FromText("),
            "{text}"
        );
        assert!(flat.contains(r#"#[serde(rename="a")]A"#), "{text}");
    }
}
