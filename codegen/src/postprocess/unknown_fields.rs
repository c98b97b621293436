//! Response structs keep the keys their schema does not name: each gets a
//! `#[serde(flatten)] pub unknown_fields: crate::UnknownFields` (the compact derive puts every
//! key no field names there, serde's `Serialize` writes them back among the others). Kibana
//! adds fields to its answers between releases; without this a client built from an older spec
//! would drop them silently, and `kbn` would print less than Kibana sent.
//!
//! It applies to the structs a caller only receives: those read by the compact derive
//! (`crate::de::Decode`), open to unknown keys (no `deny_unknown_fields`: a closed object
//! refuses them with an error instead), without a flattened field of their own (typify's
//! `extra` for declared additional properties already takes them), and not reachable from a
//! type the operation builders hold (a body's or a parameter's: the types a caller builds and
//! sends keep exactly their schema's fields). Structs
//! deriving `Hash` or an ordering are left alone (a map of JSON values has neither). Struct
//! literals of a changed type in the same module (typify's `Default` impls) get the field.

use std::collections::BTreeSet;
use syn::visit::Visit;
use syn::visit_mut::{self, VisitMut};
use syn::{Fields, Item, ItemStruct, parse_quote};

/// The field's name.
pub const FIELD: &str = "unknown_fields";

/// Names `X` of the `types::X` / `types::builder::X` paths in struct fields outside the
/// `types` module: what the operation builders hold, so what a caller sends.
#[derive(Default)]
struct Held {
    names: BTreeSet<String>,
    in_field: bool,
}

impl<'ast> Visit<'ast> for Held {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if m.ident != "types" {
            syn::visit::visit_item_mod(self, m);
        }
    }

    fn visit_field(&mut self, f: &'ast syn::Field) {
        self.in_field = true;
        syn::visit::visit_field(self, f);
        self.in_field = false;
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if self.in_field {
            let names = super::segment_names(path);
            if let Some(at) = names.iter().position(|n| n == "types") {
                self.names
                    .extend(names.last().filter(|_| at + 1 < names.len()).cloned());
            }
        }
        syn::visit::visit_path(self, path);
    }
}

fn eligible(item: &ItemStruct, sent: &BTreeSet<String>) -> bool {
    let derived = super::derived(&item.attrs);
    let Fields::Named(fields) = &item.fields else {
        return false;
    };
    derived
        .iter()
        .any(|p| super::segment_names(p) == ["crate", "de", "Decode"])
        && !derived.iter().any(|p| {
            ["Hash", "PartialOrd", "Ord"]
                .iter()
                .any(|n| super::names(p, n))
        })
        && !super::serde_mentions(&item.attrs, "deny_unknown_fields")
        && !sent.contains(&item.ident.to_string())
        && fields.named.iter().all(|f| {
            !super::serde_mentions(&f.attrs, "flatten")
                && f.ident.as_ref().is_none_or(|i| i != FIELD)
        })
}

/// Adds the field to struct literals of the changed types (`X { .. }`, or `Self { .. }` in an
/// `impl` for one).
struct Literals<'a> {
    changed: &'a BTreeSet<String>,
    /// The type of the `impl` being visited.
    current: Option<String>,
}

impl VisitMut for Literals<'_> {
    fn visit_item_impl_mut(&mut self, imp: &mut syn::ItemImpl) {
        let outer = self
            .current
            .replace(super::impl_self_name(imp).unwrap_or_default());
        visit_mut::visit_item_impl_mut(self, imp);
        self.current = outer;
    }

    fn visit_expr_struct_mut(&mut self, e: &mut syn::ExprStruct) {
        visit_mut::visit_expr_struct_mut(self, e);
        let named = e.path.segments.last().map(|s| s.ident.to_string());
        let name = match named.as_deref() {
            Some("Self") if e.path.segments.len() == 1 => self.current.clone(),
            other => other.map(str::to_string),
        };
        let has = e
            .fields
            .iter()
            .any(|f| matches!(&f.member, syn::Member::Named(i) if i == FIELD));
        if name.is_some_and(|n| self.changed.contains(&n)) && e.rest.is_none() && !has {
            let ident = syn::Ident::new(FIELD, proc_macro2::Span::call_site());
            e.fields
                .push(parse_quote!(#ident: ::std::default::Default::default()));
        }
    }
}

/// Applies the pass to the `types` module; returns how many structs got the field.
pub fn run(file: &mut syn::File) -> usize {
    let mut held = Held::default();
    held.visit_file(file);
    let Some(items) = super::module_items(&mut file.items, "types") else {
        return 0;
    };
    let sent = super::type_builders::reachable(items, held.names);
    let mut changed = BTreeSet::new();
    let ident = syn::Ident::new(FIELD, proc_macro2::Span::call_site());
    for item in items.iter_mut() {
        if let Item::Struct(s) = item
            && eligible(s, &sent)
            && let Fields::Named(fields) = &mut s.fields
        {
            fields.named.push(parse_quote! {
                /// Keys Kibana sent that this type does not name, with their values.
                #[serde(flatten)]
                pub #ident: crate::UnknownFields
            });
            changed.insert(s.ident.to_string());
        }
    }
    let mut literals = Literals {
        changed: &changed,
        current: None,
    };
    for item in items.iter_mut() {
        literals.visit_item_mut(item);
    }
    changed.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn received_open_structs_get_the_field_and_their_literals_too() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                #[derive(crate::de::Decode, ::serde::Serialize, Clone, Debug)]
                pub struct Received { pub id: String }
                impl ::std::default::Default for Received {
                    fn default() -> Self { Self { id: String::new() } }
                }
                pub fn make() -> Received { Received { id: String::new() } }
                #[derive(crate::de::Decode, ::serde::Serialize)]
                #[serde(deny_unknown_fields)]
                pub struct Closed { pub id: String }
                #[derive(crate::de::Decode, ::serde::Serialize)]
                pub struct Sent { pub id: String, pub inner: Inner }
                #[derive(crate::de::Decode, ::serde::Serialize)]
                pub struct Inner { pub id: String }
                #[derive(crate::de::Decode, ::serde::Serialize)]
                pub struct Open {
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<String, ::serde_json::Value>,
                }
                #[derive(crate::de::Decode, ::serde::Serialize, Hash)]
                pub struct Hashed { pub id: String }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct SerdeDerived { pub id: String }
            }
            pub mod builder {
                pub struct PostSent<'a> {
                    client: &'a super::Client,
                    body: Result<types::Sent, String>,
                }
            }
        };
        assert_eq!(run(&mut file), 1);
        let text: String = prettyplease::unparse(&file).split_whitespace().collect();
        for expected in [
            "pubstructReceived{pubid:String,///KeysKibanasentthatthistypedoesnotname,withtheirvalues.#[serde(flatten)]pubunknown_fields:crate::UnknownFields,}",
            "Self{id:String::new(),unknown_fields:::std::default::Default::default(),}",
            "Received{id:String::new(),unknown_fields:::std::default::Default::default(),}",
            "pubstructClosed{pubid:String,}",
            "pubstructSent{pubid:String,pubinner:Inner,}",
            "pubstructInner{pubid:String,}",
            "pubstructHashed{pubid:String,}",
            "pubstructSerdeDerived{pubid:String,}",
        ] {
            assert!(text.contains(expected), "{expected} missing from {text}");
        }
    }
}
