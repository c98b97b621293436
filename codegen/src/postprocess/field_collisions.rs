//! JSON properties whose Rust names collide. typify snake_cases property names, so `statusCode`
//! and `status_code` (or `_version` and `version`) in one object both become one field name: a
//! duplicate that does not compile. The later field gets a numbered name (`status_code_2`) and,
//! in a serde type, an explicit `#[serde(rename)]` to its JSON name, so both properties decode
//! and encode as sent. In a typify builder the same field, its setter and the conversions to and
//! from the type are renumbered alike.

use std::collections::{BTreeMap, BTreeSet};
use syn::visit_mut::VisitMut;
use syn::{Fields, ImplItem, Item, Member, parse_quote};

/// Applies the pass; returns the number of fields renamed.
pub fn run(file: &mut syn::File) -> usize {
    let mut count = 0;
    visit(&mut file.items, &mut count);
    count
}

/// The numbered name of the second (third...) field of one name.
fn numbered(name: &str, n: usize) -> syn::Ident {
    syn::Ident::new(&format!("{name}_{n}"), proc_macro2::Span::call_site())
}

fn visit(items: &mut [Item], count: &mut usize) {
    // Struct name -> its renamed duplicates (field name -> how many times it appears).
    let mut renamed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in items.iter_mut() {
        match item {
            Item::Mod(m) => {
                if let Some((_, inner)) = &mut m.content {
                    visit(inner, count);
                }
            }
            Item::Struct(s) => {
                let serde_type = !super::derived(&s.attrs).is_empty()
                    && super::derived(&s.attrs).iter().any(|p| {
                        super::names(p, "Deserialize")
                            || super::names(p, "Serialize")
                            || super::names(p, "Decode")
                    });
                let Fields::Named(fields) = &mut s.fields else {
                    continue;
                };
                let mut seen: BTreeMap<String, usize> = BTreeMap::new();
                for field in fields.named.iter_mut() {
                    let Some(ident) = field.ident.clone() else {
                        continue;
                    };
                    let name = ident.to_string();
                    let n = seen.entry(name.clone()).or_default();
                    *n += 1;
                    if *n == 1 {
                        continue;
                    }
                    let has_rename = super::serde_mentions(&field.attrs, "rename");
                    if serde_type && !has_rename {
                        let key = name.trim_start_matches("r#").to_string();
                        field.attrs.push(parse_quote!(#[serde(rename = #key)]));
                    }
                    field.ident = Some(numbered(&name, *n));
                    renamed.entry(s.ident.to_string()).or_default().insert(name);
                    *count += 1;
                }
            }
            _ => {}
        }
    }
    if renamed.is_empty() {
        return;
    }
    for item in items.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        // A builder's setters: the second setter of a name sets the numbered field.
        if imp.trait_.is_none()
            && let Some(dups) = super::impl_self_name(imp).and_then(|n| renamed.get(&n))
        {
            let mut seen: BTreeMap<String, usize> = BTreeMap::new();
            for f in imp.items.iter_mut() {
                let ImplItem::Fn(f) = f else { continue };
                let name = f.sig.ident.to_string();
                if !dups.contains(&name) {
                    continue;
                }
                let n = seen.entry(name.clone()).or_default();
                *n += 1;
                if *n > 1 {
                    f.sig.ident = numbered(&name, *n);
                    FieldRename {
                        from: name.clone(),
                        to: numbered(&name, *n),
                    }
                    .visit_block_mut(&mut f.block);
                }
            }
        }
        // Conversions between a type and its builder list the fields in order: the second
        // init of a name sets, and reads, the numbered field.
        let mut conv = Conversions { renamed: &renamed };
        conv.visit_item_impl_mut(imp);
    }
}

/// Renames `self.<from>` to `self.<to>` in a setter.
struct FieldRename {
    from: String,
    to: syn::Ident,
}

impl VisitMut for FieldRename {
    fn visit_expr_field_mut(&mut self, e: &mut syn::ExprField) {
        if let Member::Named(m) = &e.member
            && *m == self.from
        {
            e.member = Member::Named(self.to.clone());
        }
        syn::visit_mut::visit_expr_field_mut(self, e);
    }
}

struct Conversions<'a> {
    renamed: &'a BTreeMap<String, BTreeSet<String>>,
}

impl VisitMut for Conversions<'_> {
    fn visit_expr_struct_mut(&mut self, e: &mut syn::ExprStruct) {
        let dups: BTreeSet<String> = self.renamed.values().flatten().cloned().collect();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for field in e.fields.iter_mut() {
            let Member::Named(m) = &field.member else {
                continue;
            };
            let name = m.to_string();
            if !dups.contains(&name) {
                continue;
            }
            let n = seen.entry(name.clone()).or_default();
            *n += 1;
            if *n > 1 {
                let to = numbered(&name, *n);
                field.member = Member::Named(to.clone());
                field.colon_token.get_or_insert_with(Default::default);
                FieldRename { from: name, to }.visit_expr_mut(&mut field.expr);
            }
        }
        syn::visit_mut::visit_expr_struct_mut(self, e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_later_field_gets_a_new_name_and_keeps_its_json_name() {
        let mut file: syn::File = parse_quote! {
            #[derive(::serde::Deserialize)]
            pub struct Health {
                #[serde(rename = "statusCode")]
                pub status_code: i64,
                pub status_code: String,
            }
        };
        assert_eq!(run(&mut file), 1);
        let text = quote::quote!(#file).to_string().replace(' ', "");
        assert!(
            text.contains("#[serde(rename=\"statusCode\")]pubstatus_code:i64"),
            "{text}"
        );
        assert!(
            text.contains("#[serde(rename=\"status_code\")]pubstatus_code_2:String"),
            "{text}"
        );
        assert_eq!(run(&mut file), 0);
    }

    #[test]
    fn builders_setters_and_conversions_follow() {
        let mut file: syn::File = parse_quote! {
            pub mod builder {
                pub struct Body { version: Result<i64, String>, version: Result<String, String> }
                impl Body {
                    pub fn version<T>(mut self, value: T) -> Self { self.version = Ok(value); self }
                    pub fn version<T>(mut self, value: T) -> Self { self.version = Ok(value); self }
                }
                impl TryFrom<Body> for super::Body {
                    fn try_from(value: Body) -> Result<Self, String> {
                        Ok(Self { version: value.version?, version: value.version? })
                    }
                }
            }
        };
        assert_eq!(run(&mut file), 1);
        let text = quote::quote!(#file).to_string().replace(' ', "");
        assert!(text.contains("version_2:Result<String,String>"), "{text}");
        assert!(
            !text.contains("serde"),
            "a builder has no serde attributes: {text}"
        );
        assert!(
            text.contains(
                "pubfnversion_2<T>(mutself,value:T)->Self{self.version_2=Ok(value);self}"
            ),
            "{text}"
        );
        assert!(
            text.contains("version:value.version?,version_2:value.version_2?"),
            "{text}"
        );
    }
}
