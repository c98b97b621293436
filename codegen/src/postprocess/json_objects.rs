//! Free-form objects (`type: object` without properties, or with `additionalProperties: true`)
//! become `crate::JsonObject` instead of typify's `serde_json::Map<String, Value>`: the
//! runtime's type that keeps the object's JSON text and builds the map on first read (it
//! dereferences to the map). Building maps of values was most of the cost of decoding a page of
//! agents, whose metadata few callers read. Every use in the `types` module changes together
//! (fields, typify's builders and their setters, newtype wrappers and their conversions), so
//! the code stays consistent; a `#[serde(flatten)]` field that collects an object's unknown
//! keys stays a map (serde builds it key by key anyway), and so do its builder's field and
//! setter of the same name (typify builds open request objects).

use std::collections::HashSet;
use syn::parse::Parser;
use syn::visit_mut::{self, VisitMut};
use syn::{Field, ImplItemFn, ItemImpl, ItemStruct, Type, parse_quote};

/// Whether `ty` is `::serde_json::Map<::std::string::String, ::serde_json::Value>` (written
/// with or without leading `::`).
fn is_free_form(ty: &Type) -> bool {
    let Type::Path(p) = ty else { return false };
    if p.qself.is_some() || super::segment_names(&p.path) != ["serde_json", "Map"] {
        return false;
    }
    let syn::PathArguments::AngleBracketed(args) = &p.path.segments[1].arguments else {
        return false;
    };
    let text: Vec<String> = args
        .args
        .iter()
        .map(|a| quote::quote!(#a).to_string().replace(' ', ""))
        .collect();
    matches!(
        text.iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        [
            "::std::string::String" | "std::string::String" | "String",
            "::serde_json::Value" | "serde_json::Value"
        ]
    )
}

struct Swap {
    count: usize,
    /// `(type, field)` of each flattened map: its builder's field and setter stay maps.
    flattened: HashSet<(String, String)>,
    /// The struct or `impl` being visited.
    within: String,
}

impl Swap {
    fn keeps(&self, name: Option<&syn::Ident>) -> bool {
        name.is_some_and(|n| {
            self.flattened
                .contains(&(self.within.clone(), n.to_string()))
        })
    }
}

/// `(type, field)` of the flattened free-form maps among `items`, nested modules included.
fn flattened_maps(items: &[syn::Item], out: &mut HashSet<(String, String)>) {
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                for f in &s.fields {
                    if super::serde_mentions(&f.attrs, "flatten")
                        && is_free_form(&f.ty)
                        && let Some(name) = &f.ident
                    {
                        out.insert((s.ident.to_string(), name.to_string()));
                    }
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    flattened_maps(inner, out);
                }
            }
            _ => {}
        }
    }
}

impl VisitMut for Swap {
    fn visit_item_struct_mut(&mut self, item: &mut ItemStruct) {
        self.within = item.ident.to_string();
        visit_mut::visit_item_struct_mut(self, item);
    }

    fn visit_item_enum_mut(&mut self, item: &mut syn::ItemEnum) {
        self.within = item.ident.to_string();
        visit_mut::visit_item_enum_mut(self, item);
    }

    fn visit_item_impl_mut(&mut self, item: &mut ItemImpl) {
        self.within = match &*item.self_ty {
            Type::Path(p) => p
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default(),
            _ => String::new(),
        };
        visit_mut::visit_item_impl_mut(self, item);
    }

    fn visit_impl_item_fn_mut(&mut self, f: &mut ImplItemFn) {
        if !self.keeps(Some(&f.sig.ident)) {
            visit_mut::visit_impl_item_fn_mut(self, f);
        }
    }

    fn visit_field_mut(&mut self, field: &mut Field) {
        if super::serde_mentions(&field.attrs, "flatten") || self.keeps(field.ident.as_ref()) {
            return;
        }
        let was = is_free_form(&field.ty);
        visit_mut::visit_field_mut(self, field);
        if was {
            // `skip_serializing_if` names a function of the field's type.
            for attr in field
                .attrs
                .iter_mut()
                .filter(|a| a.path().is_ident("serde"))
            {
                let text = quote::quote!(#attr).to_string();
                if text.contains("\"::serde_json::Map::is_empty\"") {
                    let text = text.replace(
                        "\"::serde_json::Map::is_empty\"",
                        "\"crate::JsonObject::is_empty\"",
                    );
                    if let Ok(mut parsed) = syn::Attribute::parse_outer.parse_str(&text)
                        && parsed.len() == 1
                    {
                        *attr = parsed.remove(0);
                    }
                }
            }
        }
    }

    fn visit_type_mut(&mut self, ty: &mut Type) {
        if is_free_form(ty) {
            *ty = parse_quote!(crate::JsonObject);
            self.count += 1;
        } else {
            visit_mut::visit_type_mut(self, ty);
        }
    }
}

/// Applies the pass to the `types` module; returns how many types it replaced.
pub fn run(file: &mut syn::File) -> usize {
    let Some(items) = super::module_items(&mut file.items, "types") else {
        return 0;
    };
    let mut flattened = HashSet::new();
    flattened_maps(items, &mut flattened);
    let mut swap = Swap {
        count: 0,
        flattened,
        within: String::new(),
    };
    for item in items.iter_mut() {
        swap.visit_item_mut(item);
    }
    swap.count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_form_objects_become_json_objects_except_flattened_ones() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                pub struct Agent {
                    pub local_metadata: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                    #[serde(default, skip_serializing_if = "::serde_json::Map::is_empty")]
                    pub user_provided_metadata: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                    pub many: ::std::vec::Vec<::serde_json::Map<::std::string::String, ::serde_json::Value>>,
                    pub typed: ::serde_json::Map<::std::string::String, u8>,
                    pub any: ::serde_json::Value,
                }
                pub enum Open {
                    Known {
                        #[serde(flatten)]
                        extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                    },
                    Object(::serde_json::Map<::std::string::String, ::serde_json::Value>),
                }
                impl ::std::convert::From<Wrapper> for ::serde_json::Map<::std::string::String, ::serde_json::Value> {
                    fn from(value: Wrapper) -> Self { value.0 }
                }
                pub struct Item {
                    pub id: ::std::string::String,
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                pub mod builder {
                    pub struct Agent {
                        local_metadata: ::std::result::Result<::serde_json::Map<::std::string::String, ::serde_json::Value>, ::std::string::String>,
                    }
                    pub struct Item {
                        extra: ::std::result::Result<::serde_json::Map<::std::string::String, ::serde_json::Value>, ::std::string::String>,
                    }
                    impl Item {
                        pub fn extra<T>(mut self, value: T) -> Self
                        where
                            T: ::std::convert::TryInto<::serde_json::Map<::std::string::String, ::serde_json::Value>>,
                        {
                            self
                        }
                    }
                }
            }
        };
        assert_eq!(run(&mut file), 6);
        let text: String = prettyplease::unparse(&file).split_whitespace().collect();
        for expected in [
            "publocal_metadata:crate::JsonObject,",
            "#[serde(default,skip_serializing_if=\"crate::JsonObject::is_empty\")]pubuser_provided_metadata:crate::JsonObject,",
            "pubmany:::std::vec::Vec<crate::JsonObject>,",
            "pubtyped:::serde_json::Map<::std::string::String,u8>,",
            "#[serde(flatten)]extra:::serde_json::Map<::std::string::String,::serde_json::Value>,",
            "Object(crate::JsonObject)",
            "From<Wrapper>forcrate::JsonObject",
            "local_metadata:::std::result::Result<crate::JsonObject,::std::string::String,>",
            "extra:::std::result::Result<::serde_json::Map<::std::string::String,::serde_json::Value>,",
            "T:::std::convert::TryInto<::serde_json::Map<::std::string::String,::serde_json::Value>,",
        ] {
            assert!(text.contains(expected), "{expected} missing from {text}");
        }
    }
}
