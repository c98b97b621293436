//! The crate's error type on every operation. progenitor's `send()` returns
//! `Result<ResponseValue<T>, progenitor_client::Error<E>>`; inside the kibana-serverless crate
//! each becomes a private `send_generated()`, and a new `send()` returns
//! `Result<ResponseValue<T>, crate::Error>` through `crate::error::from_generated`, which reads
//! undocumented error responses, keeps the operation's success status, and names the JSON path
//! of a body that fails to decode.

use syn::visit_mut::VisitMut;
use syn::{GenericArgument, ImplItem, ImplItemFn, PathArguments, ReturnType, Type, parse_quote};

/// `T` of `Result<ResponseValue<T>, _>`.
pub(crate) fn success_type(output: &ReturnType) -> Option<Type> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let Type::Path(result) = &**ty else {
        return None;
    };
    let PathArguments::AngleBracketed(args) = &result.path.segments.last()?.arguments else {
        return None;
    };
    let GenericArgument::Type(Type::Path(value)) = args.args.first()? else {
        return None;
    };
    let PathArguments::AngleBracketed(inner) = &value.path.segments.last()?.arguments else {
        return None;
    };
    match inner.args.first()? {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

/// The 2xx status codes the generated body matches on.
fn success_statuses(send: &ImplItemFn) -> Vec<u16> {
    struct Arms(Vec<u16>);
    impl VisitMut for Arms {
        fn visit_arm_mut(&mut self, arm: &mut syn::Arm) {
            if let syn::Pat::Lit(lit) = &arm.pat
                && let syn::Lit::Int(int) = &lit.lit
                && let Ok(code) = int.base10_parse::<u16>()
                && (200..300).contains(&code)
            {
                self.0.push(code);
            }
            syn::visit_mut::visit_arm_mut(self, arm);
        }
    }
    let mut arms = Arms(Vec::new());
    arms.visit_block_mut(&mut send.block.clone());
    arms.0
}

fn is_raw(ty: &Type) -> bool {
    match ty {
        Type::Tuple(t) => t.elems.is_empty(),
        Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "ByteStream"),
        _ => false,
    }
}

struct Wrap {
    wrapped: usize,
}

impl VisitMut for Wrap {
    fn visit_item_impl_mut(&mut self, imp: &mut syn::ItemImpl) {
        let Some(index) = imp.items.iter().position(
            |i| matches!(i, ImplItem::Fn(f) if f.sig.ident == "send" && f.sig.asyncness.is_some()),
        ) else {
            return syn::visit_mut::visit_item_impl_mut(self, imp);
        };
        let ImplItem::Fn(send) = &mut imp.items[index] else {
            return;
        };
        let Some(value_type) = success_type(&send.sig.output) else {
            return;
        };
        let statuses = success_statuses(send);
        let docs: Vec<syn::Attribute> = send
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .cloned()
            .collect();
        send.sig.ident = parse_quote!(send_generated);
        send.vis = syn::Visibility::Inherited;
        send.attrs.retain(|a| !a.path().is_ident("doc"));
        let finder: syn::Expr = if is_raw(&value_type) {
            parse_quote!(crate::error::no_path)
        } else {
            parse_quote!(crate::error::path_of::<#value_type>)
        };
        let status: syn::Expr = match statuses.as_slice() {
            [one] => parse_quote!(Some(#one)),
            _ => parse_quote!(None),
        };
        imp.items.insert(
            index,
            parse_quote! {
                #(#docs)*
                pub async fn send(self) -> Result<ResponseValue<#value_type>, crate::Error> {
                    crate::error::from_generated(self.send_generated().await, #finder, #status).await
                }
            },
        );
        self.wrapped += 1;
    }
}

/// Applies the pass; returns how many operations it wrapped.
pub fn run(file: &mut syn::File) -> usize {
    let mut wrap = Wrap { wrapped: 0 };
    wrap.visit_file_mut(file);
    wrap.wrapped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_send() {
        let mut file: syn::File = parse_quote! {
            impl<'a> GetThing<'a> {
                /// Sends it.
                pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::E>> {
                    match response.status().as_u16() {
                        200u16 => ResponseValue::from_response(response).await,
                        400u16 => Err(x),
                        _ => Err(y),
                    }
                }
            }
            impl<'a> Export<'a> {
                pub async fn send(self) -> Result<ResponseValue<ByteStream>, Error<types::E>> {
                    match s { 200u16 => a, 201u16 => b, _ => c }
                }
            }
        };
        assert_eq!(run(&mut file), 2);
        let pretty = prettyplease::unparse(&file);
        assert!(pretty.contains("/// Sends it."), "{pretty}");
        let text: String = pretty.split_whitespace().collect();
        assert!(text.contains("asyncfnsend_generated(self)"), "{pretty}");
        assert!(
            text.contains("pubasyncfnsend(self)->Result<ResponseValue<types::Thing>,crate::Error>"),
            "{pretty}"
        );
        assert!(
            text.contains("crate::error::path_of::<types::Thing>,Some(200u16)"),
            "{pretty}"
        );
        assert!(text.contains("crate::error::no_path,None"), "{pretty}");
    }
}
