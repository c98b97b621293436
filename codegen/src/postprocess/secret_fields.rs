//! Secrets stay out of Debug output. Types listed in `spec/secrets.yaml` lose their derived
//! `Debug`; a written one prints every field but the secret ones, which show as `[redacted]`.
//! It applies to the type and to its typify builder of the same name.

use quote::quote;
use std::collections::{BTreeMap, BTreeSet};
use syn::{Fields, Item, ItemStruct, parse_quote};

/// Type name -> secret field names.
pub type Secrets = BTreeMap<String, Vec<String>>;

fn redact(item: &mut ItemStruct, secret: &[String]) -> Option<Item> {
    let Fields::Named(fields) = &item.fields else {
        return None;
    };
    let had_debug = super::derived(&item.attrs)
        .iter()
        .any(|p| p.is_ident("Debug"));
    super::edit_derives(&mut item.attrs, |paths| {
        paths.into_iter().filter(|p| !p.is_ident("Debug")).collect()
    });
    if !had_debug {
        return None;
    }
    let name = &item.ident;
    let label = name.to_string();
    let entries = fields
        .named
        .iter()
        .filter_map(|f| f.ident.as_ref())
        .map(|ident| {
            let field = ident.to_string();
            if secret.contains(&field) {
                quote!(.field(#field, &"[redacted]"))
            } else {
                quote!(.field(#field, &self.#ident))
            }
        });
    Some(parse_quote! {
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#label) #(#entries)* .finish()
            }
        }
    })
}

fn visit(items: &mut Vec<Item>, secrets: &Secrets, found: &mut BTreeSet<(String, String)>) {
    let mut added = Vec::new();
    for (i, item) in items.iter_mut().enumerate() {
        match item {
            Item::Struct(s) => {
                let Some(secret) = secrets.get(&s.ident.to_string()) else {
                    continue;
                };
                if let Fields::Named(fields) = &s.fields {
                    for f in fields.named.iter().filter_map(|f| f.ident.as_ref()) {
                        if secret.contains(&f.to_string()) {
                            found.insert((s.ident.to_string(), f.to_string()));
                        }
                    }
                }
                if let Some(debug) = redact(s, secret) {
                    added.push((i + 1, debug));
                }
            }
            Item::Mod(m) => {
                if let Some((_, content)) = &mut m.content {
                    visit(content, secrets, found);
                }
            }
            _ => {}
        }
    }
    for (offset, (at, item)) in added.into_iter().enumerate() {
        items.insert(at + offset, item);
    }
}

/// Applies the pass; returns how many fields it redacts and the listed fields the code does not
/// have. With `strict` (our own spec), such a stale entry is an error.
pub fn run(
    file: &mut syn::File,
    secrets: &Secrets,
    strict: bool,
) -> anyhow::Result<(usize, Vec<String>)> {
    let mut found = BTreeSet::new();
    visit(&mut file.items, secrets, &mut found);
    let mut missing = Vec::new();
    for (ty, fields) in secrets {
        for field in fields {
            if !found.contains(&(ty.clone(), field.clone())) {
                if strict {
                    anyhow::bail!(
                        "spec/secrets.yaml: {ty}.{field} is not a field of the generated code"
                    );
                }
                missing.push(format!("{ty}.{field}"));
            }
        }
    }
    Ok((found.len(), missing))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_listed_fields_and_rejects_stale_entries() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                #[derive(Clone, Debug, PartialEq)]
                pub struct Token { pub name: String, pub value: String }
                pub mod builder {
                    #[derive(Clone, Debug)]
                    pub struct Token { name: Result<String, String>, value: Result<String, String> }
                }
            }
        };
        let secrets: Secrets = [("Token".to_string(), vec!["value".to_string()])].into();
        run(&mut file, &secrets, true).unwrap();
        let text: String = prettyplease::unparse(&file).split_whitespace().collect();
        assert_eq!(
            text.matches("impl::std::fmt::DebugforToken").count(),
            2,
            "{text}"
        );
        assert!(
            text.contains(r#".field("value",&"[redacted]")"#)
                && text.contains(r#".field("name",&self.name)"#),
            "{text}"
        );
        assert!(text.contains("#[derive(Clone,PartialEq)]"), "{text}");
        let stale: Secrets = [("Token".to_string(), vec!["gone".to_string()])].into();
        assert!(
            run(&mut file, &stale, true)
                .unwrap_err()
                .to_string()
                .contains("Token.gone")
        );
    }
}
