//! Paginated operations can decode their pages into the caller's own item type
//! (`items_as::<T>()`): each paginated builder gets `send_as::<R>()`, `send()` with the success
//! body decoded into `R`. After `send_errors` (whose `send` wraps a private `send_generated`)
//! and `response_decode` (whose `crate::response::from_response(response).await`, the only form
//! a success arm may take here, decodes into whatever type the arm returns): `send_generated`
//! becomes generic, and `send` and `send_as` call it with their types.

use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{GenericArgument, ImplItem, Item, PathArguments, ReturnType, Type, parse_quote};

/// The decoded type `X` and error type `E` of `Result<ResponseValue<X>, E>`.
pub(super) fn result_parts(output: &ReturnType) -> Option<(Type, Type)> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let args = |ty: &Type, name: &str| -> Option<Vec<Type>> {
        let Type::Path(p) = ty else { return None };
        let last = p.path.segments.last()?;
        if last.ident != name {
            return None;
        }
        let PathArguments::AngleBracketed(a) = &last.arguments else {
            return None;
        };
        Some(
            a.args
                .iter()
                .filter_map(|g| match g {
                    GenericArgument::Type(t) => Some(t.clone()),
                    _ => None,
                })
                .collect(),
        )
    };
    let [ok, err] = <[Type; 2]>::try_from(args(ty, "Result")?).ok()?;
    let [decoded] = <[Type; 1]>::try_from(args(&ok, "ResponseValue")?).ok()?;
    Some((decoded, err))
}

/// The bodies of the `match` arms on a 2xx status literal.
#[derive(Default)]
struct SuccessArms(Vec<String>);

impl<'ast> Visit<'ast> for SuccessArms {
    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        if let syn::Pat::Lit(lit) = &arm.pat
            && let syn::Lit::Int(int) = &lit.lit
            && int
                .base10_parse::<u16>()
                .is_ok_and(|s| (200..300).contains(&s))
        {
            // progenitor writes `200u16 => { expr }`.
            let mut body = arm.body.as_ref();
            while let syn::Expr::Block(b) = body
                && let [syn::Stmt::Expr(inner, None)] = b.block.stmts.as_slice()
            {
                body = inner;
            }
            self.0.push(
                quote::quote!(#body)
                    .to_string()
                    .split_whitespace()
                    .collect(),
            );
        }
        syn::visit::visit_arm(self, arm);
    }
}

/// Replaces every occurrence of one type by another.
struct ReplaceType {
    from: String,
    to: Type,
}

impl VisitMut for ReplaceType {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if quote::quote!(#ty).to_string() == self.from {
            *ty = self.to.clone();
        } else {
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
}

/// Calls of `self.send_generated()` made `self.send_generated_as::<decoded>()`.
struct CallGeneric(Type);

impl VisitMut for CallGeneric {
    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        if call.method == "send_generated" {
            let ty = &self.0;
            call.method = parse_quote!(send_generated_as);
            call.turbofish = Some(parse_quote!(::<#ty>));
        }
        syn::visit_mut::visit_expr_method_call_mut(self, call);
    }
}

fn find_fn(imp: &syn::ItemImpl, name: &str) -> Option<usize> {
    imp.items.iter().position(
        |i| matches!(i, ImplItem::Fn(f) if f.sig.ident == name && f.sig.asyncness.is_some()),
    )
}

/// Applies the pass; returns how many builders got `send_as`. An error names a paginated
/// builder whose `send` is not `send_errors`' wrapper of a `send_generated` that decodes JSON on
/// every success.
pub fn run(file: &mut syn::File) -> anyhow::Result<usize> {
    // The builders of the paginators that fetch pages as the caller's type (`impl FetchAs`,
    // which the pagination generator writes only for operations whose every success is JSON).
    let fetch_as: Vec<String> = file
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Impl(imp)
                if imp
                    .trait_
                    .as_ref()
                    .is_some_and(|(t, _)| super::names(t, "FetchAs")) =>
            {
                super::impl_self_name(imp)
            }
            _ => None,
        })
        .collect();
    let paginators: Vec<Item> = file
        .items
        .iter()
        .filter(|i| matches!(i, Item::Struct(s) if fetch_as.contains(&s.ident.to_string())))
        .cloned()
        .collect();
    let names = super::owned_send::paginated(&paginators);
    let Some(builders) = super::module_items(&mut file.items, "builder") else {
        return Ok(0);
    };
    let mut count = 0;
    for item in builders.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let Some(name) = super::impl_self_name(imp) else {
            continue;
        };
        if imp.trait_.is_some() || !names.contains(&name) {
            continue;
        }
        let (Some(send_at), Some(generated_at)) =
            (find_fn(imp, "send"), find_fn(imp, "send_generated"))
        else {
            continue;
        };
        let ImplItem::Fn(send) = &imp.items[send_at] else {
            continue;
        };
        let (decoded, _) = result_parts(&send.sig.output).ok_or_else(|| {
            anyhow::anyhow!("paginated builder {name}: `send` does not return a ResponseValue")
        })?;
        let ImplItem::Fn(generated) = &mut imp.items[generated_at] else {
            continue;
        };
        let mut arms = SuccessArms::default();
        arms.visit_block(&generated.block);
        let json = "crate::response::from_response(response).await";
        if arms.0.is_empty() || arms.0.iter().any(|a| a != json) {
            anyhow::bail!(
                "paginated builder {name}: a success of `send_generated` is not decoded from JSON ({:?})",
                arms.0
            );
        }
        let r: Type = parse_quote!(R);
        let mut to_r = ReplaceType {
            from: quote::quote!(#decoded).to_string(),
            to: r,
        };
        generated.sig.ident = parse_quote!(send_generated_as);
        generated.sig.generics = parse_quote!(<R: ::serde::de::DeserializeOwned>);
        to_r.visit_return_type_mut(&mut generated.sig.output);
        let ImplItem::Fn(send) = &mut imp.items[send_at] else {
            continue;
        };
        CallGeneric(decoded).visit_block_mut(&mut send.block);
        let mut send_as = send.clone();
        send_as.sig.ident = parse_quote!(send_as);
        send_as.sig.generics = parse_quote!(<R: ::serde::de::DeserializeOwned>);
        to_r.visit_return_type_mut(&mut send_as.sig.output);
        to_r.visit_block_mut(&mut send_as.block);
        send_as.attrs = vec![
            parse_quote!(#[doc = " [`send`](Self::send), with the success body decoded into `R`: a type of"]),
            parse_quote!(#[doc = " yours with only the fields you read decodes faster (unknown fields are skipped)."]),
        ];
        imp.items.insert(send_at + 1, ImplItem::Fn(send_as));
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(success: syn::Expr) -> syn::File {
        parse_quote! {
            pub mod builder {
                pub struct ListThings<'a> { client: &'a super::Client, page: Result<u64, String> }
                impl<'a> ListThings<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Things>, crate::Error> {
                        crate::error::from_generated(self.send_generated().await, crate::error::path_of::<types::Things>, Some(200u16)).await
                    }
                    async fn send_generated(self) -> Result<ResponseValue<types::Things>, Error<crate::error_body::KibanaErrorBody>> {
                        let response = result?;
                        match response.status().as_u16() {
                            200u16 => #success,
                            400u16 => Err(Error::ErrorResponse(crate::response::from_response(response).await?)),
                            _ => Err(Error::UnexpectedResponse(response)),
                        }
                    }
                }
                pub struct Other<'a> { client: &'a super::Client }
                impl<'a> Other<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Other>, crate::Error> { todo() }
                }
            }
            pub struct ListThingsPages<'a> { builder: builder::ListThings<'a> }
            impl<'a> crate::pagination::FetchAs for ListThingsPages<'a> {
                type Shape = ListThingsPages<'static>;
            }
            // Paginated, but not by the caller's type (a success that is not JSON).
            pub struct OtherPages<'a> { builder: builder::Other<'a> }
        }
    }

    #[test]
    fn paginated_builders_get_a_generic_send_as() {
        let mut f = file(parse_quote!(crate::response::from_response(response).await));
        assert_eq!(run(&mut f).unwrap(), 1);
        let text: String = prettyplease::unparse(&f).split_whitespace().collect();
        for expected in [
            "pubasyncfnsend(self)->Result<ResponseValue<types::Things>,crate::Error>{crate::error::from_generated(self.send_generated_as::<types::Things>().await,crate::error::path_of::<types::Things>,",
            "pubasyncfnsend_as<R:::serde::de::DeserializeOwned>(self,)->Result<ResponseValue<R>,crate::Error>{crate::error::from_generated(self.send_generated_as::<R>().await,crate::error::path_of::<R>,",
            "asyncfnsend_generated_as<R:::serde::de::DeserializeOwned>(self,)->Result<ResponseValue<R>,Error<crate::error_body::KibanaErrorBody>>{letresponse=result?;",
        ] {
            assert!(text.contains(expected), "{expected}\n{text}");
        }
        assert_eq!(
            text.matches("fnsend_as").count(),
            1,
            "only the paginated builder"
        );
        assert!(!text.contains("send_generated()"));
    }

    #[test]
    fn a_success_that_is_not_json_is_an_error() {
        let mut f = file(parse_quote!(Ok(ResponseValue::stream(response))));
        let e = run(&mut f).unwrap_err().to_string();
        assert!(e.contains("ListThings") && e.contains("stream"), "{e}");
    }
}
