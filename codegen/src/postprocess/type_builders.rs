//! typify writes a builder (`types::builder::X`) for every struct: over half of the generated
//! text, and almost all of it for response types that callers decode and never build. Builders
//! stay for the types a caller sends: the request bodies the operation builders hold, and every
//! type reachable from them. The rest, and their `X::builder()` constructors, are removed.

use std::collections::{BTreeMap, BTreeSet};
use syn::Item;
use syn::visit::Visit;

/// Every identifier used in a path inside the visited syntax.
#[derive(Default)]
struct Idents(BTreeSet<String>);

impl<'ast> Visit<'ast> for Idents {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.0
            .extend(path.segments.iter().map(|s| s.ident.to_string()));
        syn::visit::visit_path(self, path);
    }
}

/// Names `X` of every `types::builder::X` path in the visited syntax.
#[derive(Default)]
struct BodyBuilders(BTreeSet<String>);

impl<'ast> Visit<'ast> for BodyBuilders {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        for window in names.windows(3) {
            if window[0] == "types" && window[1] == "builder" {
                self.0.insert(window[2].clone());
            }
        }
        syn::visit::visit_path(self, path);
    }
}

fn type_name(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        Item::Type(t) => Some(t.ident.to_string()),
        _ => None,
    }
}

/// `impl X { pub fn builder() -> builder::X }`, typify's only inherent item that names the builder.
fn is_builder_constructor(item: &Item) -> Option<String> {
    let Item::Impl(imp) = item else { return None };
    let only_builder = imp.trait_.is_none()
        && !imp.items.is_empty()
        && imp
            .items
            .iter()
            .all(|i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "builder"));
    only_builder.then(|| super::impl_self_name(imp)).flatten()
}

/// The types among `roots` and every type their definitions in `items` refer to.
pub(super) fn reachable(items: &[Item], roots: BTreeSet<String>) -> BTreeSet<String> {
    let mut refers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in items {
        if let Some(name) = type_name(item) {
            let mut idents = Idents::default();
            idents.visit_item(item);
            refers.entry(name).or_default().extend(idents.0);
        }
    }
    let mut keep = BTreeSet::new();
    let mut queue: Vec<String> = roots.into_iter().collect();
    while let Some(name) = queue.pop() {
        if refers.contains_key(&name) && keep.insert(name.clone()) {
            queue.extend(refers[&name].iter().filter(|n| !keep.contains(*n)).cloned());
        }
    }
    keep
}

/// Applies the pass; returns how many builders were removed.
pub fn run(file: &mut syn::File) -> usize {
    let mut roots = BodyBuilders::default();
    for item in &file.items {
        if !matches!(item, Item::Mod(m) if m.ident == "types") {
            roots.visit_item(item);
        }
    }
    let Some(items) = super::module_items(&mut file.items, "types") else {
        return 0;
    };
    let keep = reachable(items, roots.0);
    items.retain(|item| is_builder_constructor(item).is_none_or(|name| keep.contains(&name)));
    let Some(builders) = super::module_items(items, "builder") else {
        return 0;
    };
    let before = builders
        .iter()
        .filter(|i| matches!(i, Item::Struct(_)))
        .count();
    builders.retain(|item| {
        let name = match item {
            Item::Struct(s) => Some(s.ident.to_string()),
            Item::Impl(imp) => super::impl_self_name(imp),
            _ => None,
        };
        name.is_none_or(|name| keep.contains(&name))
    });
    before
        - builders
            .iter()
            .filter(|i| matches!(i, Item::Struct(_)))
            .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_builders_of_sent_types_only() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Body { pub inner: Inner, pub list: Vec<Item> }
                pub struct Inner { pub x: String }
                pub enum Item { A(Leaf), B }
                pub struct Leaf { pub y: String }
                pub struct Response { pub z: String }
                impl Body { pub fn builder() -> builder::Body { Default::default() } }
                impl Inner { pub fn builder() -> builder::Inner { Default::default() } }
                impl Leaf { pub fn builder() -> builder::Leaf { Default::default() } }
                impl Response { pub fn builder() -> builder::Response { Default::default() } }
                impl Response { pub fn other(&self) {} }
                pub mod builder {
                    pub struct Body { inner: Result<super::Inner, String> }
                    impl Default for Body { fn default() -> Self { todo() } }
                    pub struct Inner { x: Result<String, String> }
                    pub struct Leaf { y: Result<String, String> }
                    pub struct Response { z: Result<String, String> }
                    impl Response { pub fn z(self) -> Self { self } }
                    impl ::std::convert::TryFrom<Response> for super::Response {}
                    impl ::std::convert::From<super::Response> for Response {}
                }
            }
            pub mod builder {
                pub struct Op<'a> { body: Result<types::builder::Body, String> }
            }
        };
        assert_eq!(run(&mut file), 1);
        let text: String = prettyplease::unparse(&file).split_whitespace().collect();
        for kept in [
            "builder::Body{",
            "builder::Inner{",
            "builder::Leaf{",
            "pubstructBody{inner",
            "pubstructLeaf{y",
            "implDefaultforBody",
            "pubfnother",
        ] {
            assert!(text.contains(kept), "{kept} missing from {text}");
        }
        for gone in [
            "builder::Response",
            "pubstructResponse{z",
            "forResponse",
            "pubfnz",
        ] {
            assert!(!text.contains(gone), "{gone} left in {text}");
        }
    }
}
