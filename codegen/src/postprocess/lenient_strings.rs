//! Constrained strings decode as sent. typify writes a newtype for a string with a `pattern` or a
//! length limit, and its `Deserialize` checks the constraint: a value outside it (an interval in a
//! unit a later Kibana adds to the pattern) would fail the whole response, while the newtype can
//! hold any string. Like an unknown enum value, it decodes as it came; building one in code
//! (`FromStr`, `TryFrom`) still checks the constraint. A newtype that is a member of a union is
//! left checked: there the constraint may be what tells one member from another.

use syn::visit::Visit;
use syn::{Fields, Item, Type, parse_quote};

const DOC: &str = " Decoding takes the string as it came (a response is never refused over a \
                   pattern or a length); `FromStr` and `TryFrom` check the constraint.";

/// Tuple structs holding one `String`.
fn string_newtypes(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => match &s.fields {
                Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                    let Type::Path(t) = &f.unnamed[0].ty else {
                        return None;
                    };
                    let last = t.path.segments.last()?;
                    (last.ident == "String" && last.arguments.is_empty())
                        .then(|| s.ident.to_string())
                }
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Whether a block calls `.parse()` (typify's checked `Deserialize` goes through `FromStr`).
fn parses(block: &syn::Block) -> bool {
    struct Find(bool);
    impl<'ast> Visit<'ast> for Find {
        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            self.0 |= call.method == "parse";
            syn::visit::visit_expr_method_call(self, call);
        }
    }
    let mut find = Find(false);
    find.visit_block(block);
    find.0
}

/// The types some enum variant holds alone (`Variant(T)`): union members.
fn union_members(file: &syn::File) -> Vec<String> {
    struct Members(Vec<String>);
    impl<'ast> Visit<'ast> for Members {
        fn visit_variant(&mut self, v: &'ast syn::Variant) {
            if let Fields::Unnamed(f) = &v.fields
                && f.unnamed.len() == 1
                && let Type::Path(t) = &f.unnamed[0].ty
                && let Some(last) = t.path.segments.last()
            {
                self.0.push(last.ident.to_string());
            }
        }
    }
    let mut members = Members(Vec::new());
    members.visit_file(file);
    members.0
}

fn visit_items(items: &mut [Item], changed: &mut Vec<String>, members: &[String]) {
    let mut newtypes = string_newtypes(items);
    newtypes.retain(|n| !members.contains(n));
    let mut relaxed = Vec::new();
    for item in items.iter_mut() {
        match item {
            Item::Mod(m) => {
                if let Some((_, inner)) = &mut m.content {
                    visit_items(inner, changed, members);
                }
            }
            Item::Impl(imp) => {
                let Some(name) = super::impl_self_name(imp) else {
                    continue;
                };
                let is_deserialize = imp
                    .trait_
                    .as_ref()
                    .is_some_and(|(p, _)| super::names(p, "Deserialize"));
                if !is_deserialize || !newtypes.contains(&name) {
                    continue;
                }
                for member in &mut imp.items {
                    if let syn::ImplItem::Fn(f) = member
                        && f.sig.ident == "deserialize"
                        && parses(&f.block)
                    {
                        let ident = syn::Ident::new(&name, proc_macro2::Span::call_site());
                        f.block = parse_quote!({
                            <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)
                                .map(#ident)
                        });
                        relaxed.push(name.clone());
                    }
                }
            }
            _ => {}
        }
    }
    for item in items.iter_mut() {
        if let Item::Struct(s) = item
            && relaxed.contains(&s.ident.to_string())
        {
            s.attrs.push(parse_quote!(#[doc = #DOC]));
        }
    }
    changed.extend(relaxed);
}

/// Relaxes the checked `Deserialize` of every string newtype; returns how many.
pub fn run(file: &mut syn::File) -> usize {
    let mut changed = Vec::new();
    let members = union_members(file);
    visit_items(&mut file.items, &mut changed, &members);
    changed.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patterned_string_decodes_unchecked_and_builds_checked() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                pub struct Delay(::std::string::String);
                impl ::std::str::FromStr for Delay {
                    type Err = self::error::ConversionError;
                    fn from_str(value: &str) -> Result<Self, Self::Err> {
                        if !value.ends_with('m') { return Err("doesn't match pattern".into()); }
                        Ok(Self(value.to_string()))
                    }
                }
                impl<'de> ::serde::Deserialize<'de> for Delay {
                    fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
                    where D: ::serde::Deserializer<'de> {
                        ::std::string::String::deserialize(deserializer)?
                            .parse()
                            .map_err(|e: self::error::ConversionError| {
                                <D::Error as ::serde::de::Error>::custom(e.to_string())
                            })
                    }
                }
                pub struct Member(::std::string::String);
                impl<'de> ::serde::Deserialize<'de> for Member {
                    fn deserialize<D>(deserializer: D) -> Result<Self, D::Error> { y.parse() }
                }
                pub enum Either { Member(Member), Other(i64) }
                pub struct Wrapped(Vec<u8>);
                impl<'de> ::serde::Deserialize<'de> for Wrapped {
                    fn deserialize<D>(deserializer: D) -> Result<Self, D::Error> { x.parse() }
                }
            }
        };
        assert_eq!(run(&mut file), 1);
        let text: String = prettyplease::unparse(&file).split_whitespace().collect();
        assert!(
            text.contains("<::std::string::Stringas::serde::Deserialize>::deserialize(deserializer).map(Delay)"),
            "{text}"
        );
        // The check when built from a string stays; a union member and the other newtype are
        // left alone.
        assert!(
            text.contains("doesn'tmatchpattern")
                && text.contains("x.parse()")
                && text.contains("y.parse()"),
            "{text}"
        );
        assert!(text.contains("Decodingtakesthestringasitcame"), "{text}");
        assert_eq!(run(&mut file), 0, "idempotent");
    }
}
