//! Secrets stay out of Debug output. Types listed in `spec/secrets.yaml` lose their derived
//! `Debug`; a written one prints every field but the secret ones, which show as `[redacted]`.
//! It applies to the type and to its typify builder of the same name.
//!
//! Beside the list, a field whose name says it holds a credential (`password`, `*_token`,
//! `*_api_key`, a TLS `key` beside its certificate, ...) is redacted wherever it is: the list
//! names our spec's types, and a Kibana spec it was not written for names them otherwise
//! (Kibana's own spec writes Fleet's agent inline, so its type is not `Agent`).

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
    // Progenitor's request builders borrow the client (`GetFleetKubernetes<'a>`); a type
    // parameter needs `Debug` as the derive would have asked.
    let mut generics = item.generics.clone();
    let params: Vec<syn::Ident> = generics.type_params().map(|p| p.ident.clone()).collect();
    for param in params {
        generics
            .make_where_clause()
            .predicates
            .push(parse_quote!(#param: ::std::fmt::Debug));
    }
    let (impl_generics, type_generics, where_clause) = generics.split_for_impl();
    Some(parse_quote! {
        impl #impl_generics ::std::fmt::Debug for #name #type_generics #where_clause {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#label) #(#entries)* .finish()
            }
        }
    })
}

/// Words that name a credential, as a whole field name or its last words (`api_key`,
/// `enrollment_token`, `private_key_password`).
const CREDENTIAL_WORDS: &[&str] = &[
    "password",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "api_key",
    "apikey",
    "private_key",
    "secret_key",
    "credentials",
    "credentials_json",
];

/// Whether a field's name says it holds a credential. `key` and `*_key` count beside a
/// certificate (a TLS key pair); flags (`is_missing_secrets`, `has_token`) never.
fn names_a_credential(field: &str, siblings: &[String]) -> bool {
    let field = field.trim_start_matches("r#");
    if field.starts_with("is_") || field.starts_with("has_") {
        return false;
    }
    let ends_with = |word: &str| {
        field == word
            || field
                .strip_suffix(word)
                .is_some_and(|head| head.ends_with('_'))
    };
    CREDENTIAL_WORDS.iter().any(|w| ends_with(w))
        || (ends_with("key") && siblings.iter().any(|s| s.contains("certificate")))
}

struct Found {
    /// Listed `(type, field)` pairs the code has.
    listed: BTreeSet<(String, String)>,
    /// Fields redacted, listed or by name.
    redacted: usize,
}

fn visit(items: &mut Vec<Item>, secrets: &Secrets, found: &mut Found) {
    let mut added = Vec::new();
    for (i, item) in items.iter_mut().enumerate() {
        match item {
            Item::Struct(s) => {
                let Fields::Named(fields) = &s.fields else {
                    continue;
                };
                let name = s.ident.to_string();
                let listed = secrets.get(&name);
                let names: Vec<String> = fields
                    .named
                    .iter()
                    .filter_map(|f| f.ident.as_ref())
                    .map(ToString::to_string)
                    .collect();
                let secret: Vec<String> = names
                    .iter()
                    .filter(|f| {
                        let is_listed = listed.is_some_and(|l| l.contains(f));
                        if is_listed {
                            found.listed.insert((name.clone(), (*f).clone()));
                        }
                        is_listed || names_a_credential(f, &names)
                    })
                    .cloned()
                    .collect();
                if secret.is_empty() {
                    continue;
                }
                found.redacted += secret.len();
                if let Some(debug) = redact(s, &secret) {
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
    let mut found = Found {
        listed: BTreeSet::new(),
        redacted: 0,
    };
    visit(&mut file.items, secrets, &mut found);
    let mut missing = Vec::new();
    for (ty, fields) in secrets {
        for field in fields {
            if !found.listed.contains(&(ty.clone(), field.clone())) {
                if strict {
                    anyhow::bail!(
                        "spec/secrets.yaml: {ty}.{field} is not a field of the generated code"
                    );
                }
                missing.push(format!("{ty}.{field}"));
            }
        }
    }
    Ok((found.redacted, missing))
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

    #[test]
    fn fields_named_for_a_credential_are_redacted_unlisted() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                #[derive(Clone, Debug)]
                pub struct GetFleetAgentsResponseItemsItem {
                    pub id: String,
                    pub access_api_key: Option<String>,
                    pub access_api_key_id: Option<String>,
                    pub is_missing_secrets: bool,
                }
                #[derive(Clone, Debug)]
                pub struct Ssl { pub certificate: String, pub key: String, pub es_key: String }
                #[derive(Clone, Debug)]
                pub struct Bucket { pub key: String, pub doc_count: u64 }
                #[derive(Debug)]
                pub struct GetThing<'a, T> { client: &'a T, token: Option<String> }
            }
        };
        let (redacted, _) = run(&mut file, &Secrets::new(), true).unwrap();
        assert_eq!(redacted, 4);
        let text: String = prettyplease::unparse(&file).split_whitespace().collect();
        for redacted in ["access_api_key", "key", "es_key"] {
            assert!(
                text.contains(&format!(r#".field("{redacted}",&"[redacted]")"#)),
                "{redacted}: {text}"
            );
        }
        for shown in ["id", "access_api_key_id", "is_missing_secrets"] {
            assert!(
                text.contains(&format!(r#".field("{shown}",&self.{shown})"#)),
                "{shown}: {text}"
            );
        }
        assert!(
            text.contains("impl<'a,T>::std::fmt::DebugforGetThing<'a,T>whereT:::std::fmt::Debug"),
            "{text}"
        );
        // A bucket's key is not a TLS key: the struct keeps its derived Debug.
        assert!(!text.contains("DebugforBucket"), "{text}");
    }

    #[test]
    fn credential_names() {
        let none: &[String] = &[];
        for name in [
            "password",
            "private_key_password",
            "passphrase",
            "elastic_agent_cert_key_passphrase",
            "token",
            "enrollment_token",
            "api_key",
            "kibana_api_key",
            "client_secret",
            "secrets",
            "credentials_json",
            "r#token",
        ] {
            assert!(names_a_credential(name, none), "{name}");
        }
        for name in [
            "api_key_id",
            "tokens",
            "max_tokens",
            "token_count",
            "passwordless",
            "has_secrets",
            "key",
            "monkey",
            "secretary",
        ] {
            assert!(!names_a_credential(name, none), "{name}");
        }
        let tls = ["certificate".to_string(), "key".to_string()];
        assert!(names_a_credential("key", &tls));
        assert!(names_a_credential("agent_key", &tls));
        assert!(!names_a_credential("monkey", &tls));
    }
}
