//! progenitor's operation builders borrow the client, so their `send()` future cannot be
//! spawned. Paginated operations get `send_owned()`: the same request as a `'static` future
//! that owns a clone of the client (a few reference counts), so that prefetching can fetch and
//! decode the next page on another worker while the caller works through the current one.

use std::collections::BTreeSet;
use syn::{Fields, ImplItem, Item, ReturnType, Type, parse_quote};

/// Builder names held by a top-level struct (the paginators) as `builder: builder::X<'a>`.
pub(super) fn paginated(items: &[Item]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for item in items {
        let Item::Struct(s) = item else { continue };
        for field in &s.fields {
            if let Type::Path(p) = &field.ty
                && p.path.segments.len() == 2
                && p.path.segments[0].ident == "builder"
            {
                names.insert(p.path.segments[1].ident.to_string());
            }
        }
    }
    names
}

/// The output type of the builder's `async fn send(self)`.
fn send_output(items: &[Item], name: &str) -> Option<Type> {
    super::inherent_impls(items, name).find_map(|imp| {
        imp.items.iter().find_map(|i| match i {
            ImplItem::Fn(f) if f.sig.ident == "send" && f.sig.asyncness.is_some() => {
                match &f.sig.output {
                    ReturnType::Type(_, ty) => Some((**ty).clone()),
                    ReturnType::Default => None,
                }
            }
            _ => None,
        })
    })
}

/// Whether the builder has the generic `send_as` (the `send_as` pass).
fn has_send_as(items: &[Item], name: &str) -> bool {
    super::inherent_impls(items, name).any(|imp| {
        imp.items
            .iter()
            .any(|i| matches!(i, ImplItem::Fn(f) if f.sig.ident == "send_as"))
    })
}

/// Applies the pass; returns how many builders got `send_owned`. An error names a paginated
/// builder whose shape is not progenitor's (no `client` field, no async `send`).
pub fn run(file: &mut syn::File) -> anyhow::Result<usize> {
    let names = paginated(&file.items);
    let Some(builders) = super::module_items(&mut file.items, "builder") else {
        return Ok(0);
    };
    let mut added = Vec::new();
    for name in &names {
        let fields: Vec<syn::Ident> = builders
            .iter()
            .find_map(|item| match item {
                Item::Struct(s) if s.ident == name => match &s.fields {
                    Fields::Named(f) => Some(f.named.iter().filter_map(|f| f.ident.clone())),
                    _ => None,
                },
                _ => None,
            })
            .map(Iterator::collect)
            .unwrap_or_default();
        if !fields.iter().any(|f| f == "client") {
            anyhow::bail!("paginated builder {name} has no `client` field");
        }
        let output = send_output(builders, name)
            .ok_or_else(|| anyhow::anyhow!("paginated builder {name} has no `async fn send`"))?;
        let ident = syn::Ident::new(name, proc_macro2::Span::call_site());
        let rest: Vec<&syn::Ident> = fields.iter().filter(|f| *f != "client").collect();
        if has_send_as(builders, name) {
            let (decoded, error) = super::send_as::result_parts(&ReturnType::Type(
                Default::default(),
                Box::new(output.clone()),
            ))
            .ok_or_else(|| anyhow::anyhow!("paginated builder {name}: `send` is not a Result"))?;
            // One owned future, generic; `send_owned` is it with the generated type.
            added.push(parse_quote! {
                impl<'a> #ident<'a> {
                    /// [`send_as`](Self::send_as) as a `'static` future that owns a clone of
                    /// the client, so it can be spawned onto another task.
                    pub fn send_owned_as<R: ::serde::de::DeserializeOwned + Send + 'static>(
                        self,
                    ) -> impl ::std::future::Future<Output = Result<ResponseValue<R>, #error>> + Send + 'static {
                        let Self { client, #(#rest),* } = self;
                        let client = client.clone();
                        async move { #ident { client: &client, #(#rest),* }.send_as::<R>().await }
                    }

                    /// [`send`](Self::send) as a `'static` future that owns a clone of the
                    /// client, so it can be spawned onto another task.
                    pub fn send_owned(
                        self,
                    ) -> impl ::std::future::Future<Output = #output> + Send + 'static {
                        self.send_owned_as::<#decoded>()
                    }
                }
            });
            continue;
        }
        added.push(parse_quote! {
            impl<'a> #ident<'a> {
                /// [`send`](Self::send) as a `'static` future that owns a clone of the
                /// client, so it can be spawned onto another task.
                pub fn send_owned(
                    self,
                ) -> impl ::std::future::Future<Output = #output> + Send + 'static {
                    let Self { client, #(#rest),* } = self;
                    let client = client.clone();
                    async move { #ident { client: &client, #(#rest),* }.send().await }
                }
            }
        });
    }
    let count = added.len();
    builders.extend(added);
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_send_owned_to_paginated_builders() {
        let mut file: syn::File = parse_quote! {
            pub mod builder {
                pub struct ListThings<'a> { client: &'a super::Client, page: Result<u64, String> }
                impl<'a> ListThings<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Things>, crate::Error> { todo() }
                }
                pub struct Other<'a> { client: &'a super::Client }
            }
            pub struct ListThingsPages<'a> { builder: builder::ListThings<'a> }
        };
        assert_eq!(run(&mut file).unwrap(), 1);
        let text: String = prettyplease::unparse(&file).split_whitespace().collect();
        assert_eq!(text.matches("fnsend_owned").count(), 1, "{text}");
        assert!(
            text.contains(
                "Output=Result<ResponseValue<types::Things>,crate::Error>,>+Send+'static"
            ) && text.contains("letSelf{client,page}=self;")
                && text.contains("ListThings{client:&client,page,}.send().await"),
            "{text}"
        );
    }

    #[test]
    fn a_builder_without_send_is_an_error() {
        let mut file: syn::File = parse_quote! {
            pub mod builder {
                pub struct ListThings<'a> { client: &'a super::Client }
            }
            pub struct ListThingsPages<'a> { builder: builder::ListThings<'a> }
        };
        assert!(
            run(&mut file)
                .unwrap_err()
                .to_string()
                .contains("ListThings")
        );
    }
}
