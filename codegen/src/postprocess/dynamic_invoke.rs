//! `invoke(client, operation, args)`: every operation of a domain callable by name with JSON
//! arguments (cargo feature `dynamic`), for the data-driven tests, the mock's clients and a
//! command line. It is read off the generated code itself, not the spec, so it cannot drift
//! from the builders: each `Client` method names a builder; each builder setter
//! `fn x<V>(self, value: V) where V: TryInto<T>` reads argument `x` as `T`; a setter taking
//! `reqwest::Body` reads the raw body; the type `send()` returns picks how the answer is read.

use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeMap;
use syn::{ImplItem, Item, ReturnType, Type};

/// One builder: its setters (name, argument type) and what `send()` returns.
#[derive(Default)]
struct Builder {
    setters: Vec<(syn::Ident, Type)>,
    answer: Option<Type>,
}

/// Adds the `invoke` function; returns the number of operations it dispatches.
pub fn run(file: &mut syn::File) -> usize {
    let mut operations: Vec<(syn::Ident, syn::Ident)> = Vec::new();
    for item in &file.items {
        if let Item::Impl(imp) = item
            && imp.trait_.is_none()
            && super::impl_self_name(imp).as_deref() == Some("Client")
        {
            for i in &imp.items {
                if let ImplItem::Fn(f) = i
                    && let ReturnType::Type(_, ty) = &f.sig.output
                    && let Type::Path(p) = &**ty
                    && p.path.segments.len() == 2
                    && p.path.segments[0].ident == "builder"
                {
                    operations.push((f.sig.ident.clone(), p.path.segments[1].ident.clone()));
                }
            }
        }
    }
    let builders = builders(&file.items);
    let arms: Vec<TokenStream> = operations
        .iter()
        .filter_map(|(method, builder)| arm(method, builders.get(&builder.to_string())?))
        .collect();
    let count = arms.len();
    file.items.push(syn::parse_quote! {
        /// Calls the operation named `operation` (its method name) with JSON arguments, through
        /// its typed builder: what the data-driven tests and tools use.
        #[cfg(feature = "dynamic")]
        #[allow(unused_variables, unused_mut)]
        pub async fn invoke(
            client: &Client,
            operation: &str,
            args: &crate::dynamic::Args,
        ) -> Result<crate::dynamic::Answer, crate::Error> {
            match operation {
                #(#arms)*
                other => Err(crate::dynamic::unknown("operation", other)),
            }
        }
    });
    count
}

fn arm(method: &syn::Ident, b: &Builder) -> Option<TokenStream> {
    let name = method.to_string();
    let setters = b.setters.iter().map(|(setter, ty)| {
        let key = setter.to_string();
        if is_reqwest_body(ty) {
            quote! {
                let raw = crate::dynamic::raw_body(args, #name).await?;
                let sniffed = raw.sniffed;
                b = b.#setter(raw.body);
            }
        } else if key == "body" {
            quote! {
                if let Some(v) = &args.body { b = b.body(crate::dynamic::body::<#ty>(v)?); }
            }
        } else {
            quote! {
                if let Some(v) = args.param(#key) { b = b.#setter(crate::dynamic::arg::<#ty>(#key, v)?); }
            }
        }
    });
    let answer = b.answer.as_ref()?;
    // A streamed file's type, read from its first bytes, goes with its send.
    let send = if b.setters.iter().any(|(_, ty)| is_reqwest_body(ty)) {
        quote!(crate::dynamic::sent_as(sniffed, b.send()).await?)
    } else {
        quote!(b.send().await?)
    };
    let read = match answer {
        Type::Tuple(t) if t.elems.is_empty() => quote!(crate::dynamic::empty(#send)),
        Type::Path(p)
            if p.path
                .segments
                .last()
                .is_some_and(|s| s.ident == "ByteStream") =>
        {
            quote!(crate::dynamic::bytes(#send, args).await)
        }
        _ => quote!(crate::dynamic::json(#send)),
    };
    Some(quote! {
        #name => {
            let mut b = client.#method();
            #(#setters)*
            #read
        }
    })
}

fn is_reqwest_body(ty: &Type) -> bool {
    quote!(#ty)
        .to_string()
        .replace(' ', "")
        .ends_with("reqwest::Body")
}

/// The builders of `mod builder`, by name.
fn builders(items: &[Item]) -> BTreeMap<String, Builder> {
    let mut out: BTreeMap<String, Builder> = BTreeMap::new();
    let Some(items) = items.iter().find_map(|i| match i {
        Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    }) else {
        return out;
    };
    for item in items {
        let Item::Impl(imp) = item else { continue };
        let Some(name) = super::impl_self_name(imp) else {
            continue;
        };
        if imp.trait_.is_some() {
            continue;
        }
        let b = out.entry(name).or_default();
        for i in &imp.items {
            let ImplItem::Fn(f) = i else { continue };
            if f.sig.ident == "send" {
                b.answer = super::send_errors::success_type(&f.sig.output);
            } else if let Some((_, ty)) = super::setter_type(&f.sig) {
                b.setters.push((f.sig.ident.clone(), ty));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatches_every_operation_through_its_builder() {
        let mut file: syn::File = syn::parse_quote! {
            impl Client {
                pub fn get_things(&self) -> builder::GetThings<'_> { builder::GetThings::new(self) }
                pub fn upload(&self) -> builder::Upload<'_> { builder::Upload::new(self) }
            }
            pub mod builder {
                impl<'a> GetThings<'a> {
                    pub fn per_page<V>(mut self, value: V) -> Self where V: std::convert::TryInto<i64> { self }
                    pub fn body<V>(mut self, value: V) -> Self where V: std::convert::TryInto<types::Body> { self }
                    pub fn body_map<F>(mut self, f: F) -> Self where F: std::ops::FnOnce(types::builder::Body) -> types::builder::Body { self }
                    pub async fn send(self) -> Result<ResponseValue<types::Things>, crate::Error> { self.send_generated().await }
                }
                impl<'a> Upload<'a> {
                    pub fn body<B>(mut self, value: B) -> Self where B: std::convert::TryInto<reqwest::Body> { self }
                    pub async fn send(self) -> Result<ResponseValue<ByteStream>, crate::Error> { self.send_generated().await }
                }
            }
        };
        assert_eq!(run(&mut file), 2);
        let text = prettyplease::unparse(&file)
            .split_whitespace()
            .collect::<String>();
        assert!(
            text.contains("\"get_things\"=>{letmutb=client.get_things();"),
            "{text}"
        );
        assert!(
            text.contains("b=b.per_page(crate::dynamic::arg::<i64>(\"per_page\",v)?)"),
            "{text}"
        );
        assert!(
            text.contains("b=b.body(crate::dynamic::body::<types::Body>(v)?)"),
            "{text}"
        );
        let invoke = &text[text.find("pubasyncfninvoke").unwrap()..];
        assert!(!invoke.contains("body_map"), "{invoke}");
        assert!(
            text.contains("letraw=crate::dynamic::raw_body(args,\"upload\").await?;letsniffed=raw.sniffed;b=b.body(raw.body);"),
            "{text}"
        );
        assert!(
            text.contains("crate::dynamic::bytes(crate::dynamic::sent_as(sniffed,b.send()).await?,args,).await"),
            "{text}"
        );
        assert!(
            text.contains("crate::dynamic::json(b.send().await?)"),
            "{text}"
        );
    }
}
