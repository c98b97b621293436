//! Unions that never lose data. typify turns a `oneOf`/`anyOf` into a `#[serde(untagged)]`
//! enum, which takes the first member whose required fields fit and silently drops the rest of
//! the object, ignores the `discriminator`, and fails the whole response on a value no member
//! fits. Each such enum gets an `Unknown(serde_json::Value)` variant and a written
//! `Deserialize` that calls `crate::union::decode`: by the discriminator when the schema has one
//! (an unknown tag is kept raw), otherwise the first member that reads every field of the
//! input, else `Unknown`. Each member is decoded through a one-variant copy of its variant, so
//! the member keeps serde's attributes whatever its shape.

use crate::unions::Unions;
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;
use syn::{Fields, Item, ItemEnum, parse_quote};

/// Applies the pass; returns the number of unions rewritten.
pub fn run(file: &mut syn::File, unions: &Unions) -> usize {
    let mut count = 0;
    visit(&mut file.items, unions, &mut count);
    count
}

fn visit(items: &mut Vec<Item>, unions: &Unions, count: &mut usize) {
    let mut added = Vec::new();
    for item in items.iter_mut() {
        match item {
            Item::Mod(m) => {
                if let Some((_, inner)) = &mut m.content {
                    visit(inner, unions, count);
                }
            }
            Item::Enum(e) if is_untagged_union(e) => {
                added.push(rewrite(e, unions));
                *count += 1;
            }
            _ => {}
        }
    }
    // typify's `Display` of a union matches every member: `Unknown` prints its JSON.
    let rewritten: Vec<String> = added
        .iter()
        .filter_map(|i| match i {
            Item::Impl(imp) => super::impl_self_name(imp),
            _ => None,
        })
        .collect();
    for item in items.iter_mut() {
        if let Item::Impl(imp) = item
            && super::impl_self_name(imp).is_some_and(|n| rewritten.contains(&n))
        {
            for f in imp.items.iter_mut() {
                if let syn::ImplItem::Fn(f) = f
                    && f.sig.ident == "fmt"
                {
                    UnknownArm.visit_block_mut(&mut f.block);
                }
            }
        }
    }
    items.extend(added);
}

/// Adds `Self::Unknown(value) => value.fmt(f)` to `match self` in a `fmt`.
struct UnknownArm;

impl syn::visit_mut::VisitMut for UnknownArm {
    fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
        let wild = m.arms.iter().any(|a| matches!(a.pat, syn::Pat::Wild(_)));
        if !wild {
            m.arms
                .push(parse_quote!(Self::Unknown(value) => ::std::fmt::Display::fmt(value, f),));
        }
    }
}

fn is_untagged_union(e: &ItemEnum) -> bool {
    // `#[serde(untagged)]`, or with others (`untagged, deny_unknown_fields`: typify's union
    // with a closed inline object member).
    let untagged = e.attrs.iter().any(|a| {
        a.path().is_ident("serde")
            && a.parse_args_with(
                syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|list| list.iter().any(|m| m.path().is_ident("untagged")))
    });
    let derives_de = super::derived(&e.attrs)
        .iter()
        .any(|p| super::names(p, "Deserialize"));
    untagged && derives_de && !e.variants.iter().any(|v| v.ident == "Unknown")
}

fn rewrite(e: &mut ItemEnum, unions: &Unions) -> Item {
    let name = e.ident.clone();
    let union = unions.get(&name.to_string());
    // `Unknown` holds a `serde_json::Value`, which has no order, hash or copy.
    super::edit_derives(&mut e.attrs, |paths| {
        paths
            .into_iter()
            .filter(|p| {
                !["Deserialize", "Copy", "PartialOrd", "Ord", "Hash"]
                    .iter()
                    .any(|n| super::names(p, n))
            })
            .collect()
    });
    let members = e.variants.iter().enumerate().map(|(i, v)| {
        let shadow = format_ident!("__Member{i}");
        let variant = &v.ident;
        let mut copy = v.clone();
        copy.discriminant = None;
        let (pattern, build) = match &v.fields {
            Fields::Unnamed(f) => {
                let binds: Vec<_> = (0..f.unnamed.len()).map(|j| format_ident!("f{j}")).collect();
                (quote!(#shadow::#variant(#(#binds),*)), quote!(#name::#variant(#(#binds),*)))
            }
            Fields::Named(f) => {
                let binds: Vec<_> = f.named.iter().filter_map(|f| f.ident.clone()).collect();
                (quote!(#shadow::#variant { #(#binds),* }), quote!(#name::#variant { #(#binds),* }))
            }
            Fields::Unit => (quote!(#shadow::#variant), quote!(#name::#variant)),
        };
        let tags: Vec<String> = match (&v.fields, union) {
            (Fields::Unnamed(f), Some(u)) if f.unnamed.len() == 1 => {
                let ty = &f.unnamed[0].ty;
                let ty_name = quote!(#ty).to_string().replace(' ', "");
                let ty_name = ty_name.rsplit("::").next().unwrap_or_default().to_string();
                u.members.get(&ty_name).cloned().unwrap_or_default()
            }
            _ => Vec::new(),
        };
        // A member that is one type is decoded as it, so its error says what did not fit
        // (`missing field `actions``), where an untagged shadow says only that nothing matched.
        if let Fields::Unnamed(f) = &v.fields
            && f.unnamed.len() == 1
        {
            let ty = &f.unnamed[0].ty;
            return quote! {
                crate::union::Member {
                    tags: &[#(#tags),*],
                    decode: |v| <#ty as ::serde::Deserialize>::deserialize(v).map(#name::#variant),
                }
            };
        }
        quote! {
            #[derive(::serde::Deserialize)]
            #[serde(untagged)]
            #[allow(clippy::large_enum_variant)]
            enum #shadow { #copy }
            crate::union::Member {
                tags: &[#(#tags),*],
                decode: |v| {
                    <#shadow as ::serde::Deserialize>::deserialize(v).map(|m| match m { #pattern => #build })
                },
            }
        }
    });
    // Each member's shadow enum is declared in a block that evaluates to the member.
    let members: Vec<_> = members.map(|m| quote!({ #m })).collect();
    let tag = match union {
        Some(u) => {
            let p = &u.property;
            quote!(Some(#p))
        }
        None => quote!(None),
    };
    e.variants.push(parse_quote! {
        /// A value no member reads whole, or whose tag names no known member: kept as received,
        /// so encoding it gives it back.
        Unknown(::serde_json::Value)
    });
    parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::union::decode(deserializer, #tag, &[#(#members),*], #name::Unknown)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unions::Union;

    #[test]
    fn untagged_enums_decode_through_the_runtime() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
                #[serde(untagged)]
                pub enum Connector {
                    Webhook(Webhook),
                    Inline { name: String },
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug, Hash)]
                pub enum Plain { A, B }
            }
        };
        let mut unions = Unions::new();
        unions.insert(
            "Connector".into(),
            Union {
                property: "connector_type_id".into(),
                members: [("Webhook".to_string(), vec![".webhook".to_string()])].into(),
            },
        );
        assert_eq!(run(&mut file, &unions), 1);
        let text = prettyplease::unparse(&file)
            .split_whitespace()
            .collect::<String>();
        assert!(text.contains("Unknown(::serde_json::Value)"), "{text}");
        assert!(
            text.contains("crate::union::decode(deserializer,Some(\"connector_type_id\")"),
            "{text}"
        );
        assert!(text.contains("tags:&[\".webhook\"]"), "{text}");
        // A member of one type decodes as that type, so its error says what did not fit.
        assert!(
            text.contains("decode:|v|{<Webhookas::serde::Deserialize>::deserialize(v).map(Connector::Webhook)}"),
            "{text}"
        );
        assert!(
            text.contains("__Member1::Inline{name}=>Connector::Inline{name}"),
            "{text}"
        );
        assert!(text.contains("#[derive(::serde::Serialize,Clone,Debug,PartialEq)]#[serde(untagged)]pubenumConnector"), "{text}");
        // Plain enums are not unions.
        assert!(text.contains("#[derive(::serde::Deserialize,::serde::Serialize,Clone,Copy,Debug,Hash)]pubenumPlain"), "{text}");
        // Running again changes nothing.
        assert_eq!(run(&mut file, &unions), 0);
    }

    #[test]
    fn an_untagged_union_with_other_serde_attributes_is_one_too() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
                #[serde(untagged, deny_unknown_fields)]
                pub enum VarsValue {
                    Variant0(::std::string::String),
                    Variant1 { id: ::std::string::String },
                }
            }
        };
        assert_eq!(run(&mut file, &Unions::new()), 1);
        let text = prettyplease::unparse(&file)
            .split_whitespace()
            .collect::<String>();
        assert!(text.contains("Unknown(::serde_json::Value)"), "{text}");
        assert!(
            text.contains("crate::union::decode(deserializer,None"),
            "{text}"
        );
    }
}
