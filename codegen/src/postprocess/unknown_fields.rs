//! Response structs keep the keys their schema does not name: each gets a
//! `#[serde(flatten)] pub unknown_fields: crate::UnknownFields` (the compact derive puts every
//! key no field names there, serde's `Serialize` writes them back among the others). Kibana
//! adds fields to its answers between releases; without this a client built from an older spec
//! would drop them silently, and `kbn` would print less than Kibana sent.
//!
//! It applies to the structs a caller receives: those read by the compact derive
//! (`crate::de::Decode`), open to unknown keys (no `deny_unknown_fields`: a closed object
//! refuses them with an error instead), without a flattened field of their own (typify's
//! `extra` for declared additional properties already takes them). A type the operation
//! builders hold (a body's or a parameter's) gets it only if an answer holds it too (an
//! operation's success or error type reaches it): a rule's action read, changed and sent back
//! then keeps what Kibana sent, where dropping it would reset a setting this spec does not
//! know on a full update. Types a caller only sends keep exactly their schema's fields. Structs
//! deriving `Hash` or an ordering are left alone (a map of JSON values has neither). Struct
//! literals of a changed type in the same module (typify's `Default` impls) get the field, and
//! so do the typify builders of changed types (`types::builder::X`, with a setter of the same
//! name): a value turned into its builder and back keeps its unknown keys.

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
}

impl<'ast> Visit<'ast> for Held {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if m.ident != "types" {
            syn::visit::visit_item_mod(self, m);
        }
    }

    fn visit_field(&mut self, f: &'ast syn::Field) {
        let mut paths = TypesPaths::default();
        paths.visit_field(f);
        self.names.extend(paths.0);
    }
}

/// Names `X` of the `types::X` paths in the return types of functions outside the `types`
/// module: what the operations answer with (`ResponseValue<types::X>`, `Error<types::Y>`).
#[derive(Default)]
struct Answered {
    names: BTreeSet<String>,
}

impl<'ast> Visit<'ast> for Answered {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if m.ident != "types" {
            syn::visit::visit_item_mod(self, m);
        }
    }

    fn visit_signature(&mut self, sig: &'ast syn::Signature) {
        // The output only: a closure type among the inputs (`body_map`'s `FnOnce(B) -> B`)
        // returns a body.
        let mut paths = TypesPaths::default();
        paths.visit_return_type(&sig.output);
        self.names.extend(paths.0);
    }
}

/// Names `X` of every `types::X` path in the visited syntax.
#[derive(Default)]
struct TypesPaths(BTreeSet<String>);

impl<'ast> Visit<'ast> for TypesPaths {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let names = super::segment_names(path);
        if let Some(at) = names.iter().position(|n| n == "types") {
            self.0
                .extend(names.last().filter(|_| at + 1 < names.len()).cloned());
        }
        syn::visit::visit_path(self, path);
    }
}

/// The field's identifier.
fn field_ident() -> syn::Ident {
    syn::Ident::new(FIELD, proc_macro2::Span::call_site())
}

fn eligible(item: &ItemStruct, sent: &BTreeSet<String>, received: &BTreeSet<String>) -> bool {
    let name = item.ident.to_string();
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
        && (!sent.contains(&name) || received.contains(&name))
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
    fn visit_item_mod_mut(&mut self, m: &mut syn::ItemMod) {
        // The builders' literals are `Builders`' (their fields hold `Result`s).
        if m.ident != "builder" {
            visit_mut::visit_item_mod_mut(self, m);
        }
    }

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
            let ident = field_ident();
            e.fields
                .push(parse_quote!(#ident: ::std::default::Default::default()));
        }
    }
}

/// Gives the typify builders (`types::builder::X`) of changed types the field: the builder
/// holds it as its other fields (`Result<_, String>`), starts empty, takes it from a value
/// (`From<super::X>`) and hands it to the value it builds (`TryFrom<X> for super::X`).
struct Builders<'a> {
    changed: &'a BTreeSet<String>,
    /// The initialiser struct literals get in the `impl` being visited.
    init: Option<syn::Expr>,
}

impl VisitMut for Builders<'_> {
    fn visit_item_struct_mut(&mut self, s: &mut ItemStruct) {
        if self.changed.contains(&s.ident.to_string())
            && let Fields::Named(fields) = &mut s.fields
        {
            let ident = field_ident();
            fields.named.push(parse_quote! {
                #ident: ::std::result::Result<crate::UnknownFields, ::std::string::String>
            });
        }
    }

    fn visit_item_impl_mut(&mut self, imp: &mut syn::ItemImpl) {
        let changed = super::impl_self_name(imp).is_some_and(|n| self.changed.contains(&n));
        let ident = field_ident();
        let trait_name = imp
            .trait_
            .as_ref()
            .and_then(|(path, _)| path.segments.last())
            .map(|s| s.ident.to_string());
        self.init = match trait_name.as_deref() {
            _ if !changed => None,
            Some("Default") => Some(parse_quote!(Ok(::std::default::Default::default()))),
            Some("From") => Some(parse_quote!(Ok(value.#ident))),
            Some("TryFrom") => Some(parse_quote!(value.#ident?)),
            _ => None,
        };
        visit_mut::visit_item_impl_mut(self, imp);
        self.init = None;
        if changed && imp.trait_.is_none() {
            imp.items.push(parse_quote! {
                /// Sets the keys the type does not name, with their values (its `unknown_fields`).
                pub fn #ident<T>(mut self, value: T) -> Self
                where
                    T: ::std::convert::Into<crate::UnknownFields>,
                {
                    self.#ident = Ok(value.into());
                    self
                }
            });
        }
    }

    fn visit_expr_struct_mut(&mut self, e: &mut syn::ExprStruct) {
        visit_mut::visit_expr_struct_mut(self, e);
        let ident = field_ident();
        if let Some(init) = &self.init
            && e.path.is_ident("Self")
            && e.rest.is_none()
        {
            e.fields.push(parse_quote!(#ident: #init));
        }
    }
}

/// Applies the pass to the `types` module; returns how many structs got the field.
pub fn run(file: &mut syn::File) -> usize {
    let mut held = Held::default();
    held.visit_file(file);
    let mut answered = Answered::default();
    answered.visit_file(file);
    let Some(items) = super::module_items(&mut file.items, "types") else {
        return 0;
    };
    let sent = super::type_builders::reachable(items, held.names);
    let received = super::type_builders::reachable(items, answered.names);
    let mut changed = BTreeSet::new();
    let ident = field_ident();
    for item in items.iter_mut() {
        if let Item::Struct(s) = item
            && eligible(s, &sent, &received)
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
    if let Some(builders) = super::module_items(items, "builder") {
        let mut visitor = Builders {
            changed: &changed,
            init: None,
        };
        for item in builders.iter_mut() {
            visitor.visit_item_mut(item);
        }
    }
    changed.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn received_open_structs_get_the_field_and_their_literals_and_builders_too() {
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
                #[derive(crate::de::Decode, ::serde::Serialize)]
                pub struct Shared { pub id: String }
                pub mod builder {
                    pub struct Shared { id: Result<String, String> }
                    impl Default for Shared {
                        fn default() -> Self { Self { id: Err("no id".to_string()) } }
                    }
                    impl TryFrom<Shared> for super::Shared {
                        type Error = String;
                        fn try_from(value: Shared) -> Result<Self, String> {
                            Ok(Self { id: value.id? })
                        }
                    }
                    impl From<super::Shared> for Shared {
                        fn from(value: super::Shared) -> Self { Self { id: Ok(value.id) } }
                    }
                    impl Shared {
                        pub fn id<T: Into<String>>(mut self, value: T) -> Self {
                            self.id = Ok(value.into());
                            self
                        }
                    }
                    pub struct Sent { id: Result<String, String> }
                    impl Default for Sent {
                        fn default() -> Self { Self { id: Err("no id".to_string()) } }
                    }
                }
            }
            pub mod builder {
                pub struct PostSent<'a> {
                    client: &'a super::Client,
                    body: Result<types::Sent, String>,
                    shared: Result<types::Shared, String>,
                }
                impl PostSent<'_> {
                    pub fn body_map<F>(self, f: F) -> Self
                    where
                        F: FnOnce(types::builder::Sent) -> types::builder::Sent,
                    {
                        self
                    }
                    pub async fn send(self) -> Result<ResponseValue<types::Shared>, Error<()>> {
                        loop {}
                    }
                }
            }
        };
        assert_eq!(run(&mut file), 2);
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
            "pubstructShared{pubid:String,///KeysKibanasentthatthistypedoesnotname,withtheirvalues.#[serde(flatten)]pubunknown_fields:crate::UnknownFields,}",
            "pubstructShared{id:Result<String,String>,unknown_fields:::std::result::Result<crate::UnknownFields,::std::string::String,>,}",
            "Self{id:Err(\"noid\".to_string()),unknown_fields:Ok(::std::default::Default::default()),}",
            "Ok(Self{id:value.id?,unknown_fields:value.unknown_fields?,})",
            "Self{id:Ok(value.id),unknown_fields:Ok(value.unknown_fields),}",
            "pubfnunknown_fields<T>(mutself,value:T)->SelfwhereT:::std::convert::Into<crate::UnknownFields>,{self.unknown_fields=Ok(value.into());self}",
            "pubstructSent{id:Result<String,String>,}",
            "Self{id:Err(\"noid\".to_string()),}",
        ] {
            assert!(text.contains(expected), "{expected} missing from {text}");
        }
    }
}
