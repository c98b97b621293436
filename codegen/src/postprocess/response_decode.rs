//! Success and error bodies are read by the crate's `response::from_response` (one buffer
//! instead of progenitor's chunks-then-copy, headers moved instead of cloned) rather than by
//! `ResponseValue::from_response`. Same signature, same errors.

use syn::visit_mut::VisitMut;
use syn::{Expr, ExprCall, parse_quote};

struct Calls {
    replaced: usize,
}

impl VisitMut for Calls {
    fn visit_expr_call_mut(&mut self, call: &mut ExprCall) {
        if let Expr::Path(p) = call.func.as_ref()
            && super::segment_names(&p.path) == ["ResponseValue", "from_response"]
        {
            *call.func = parse_quote!(crate::response::from_response);
            self.replaced += 1;
        }
        syn::visit_mut::visit_expr_call_mut(self, call);
    }
}

/// Applies the pass; returns how many calls it redirected.
pub fn run(file: &mut syn::File) -> usize {
    let mut calls = Calls { replaced: 0 };
    calls.visit_file_mut(file);
    calls.replaced
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_body_decoding() {
        let mut file: syn::File = parse_quote! {
            async fn send() {
                match status {
                    200u16 => ResponseValue::from_response(response).await,
                    400u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                    _ => ResponseValue::stream(response),
                }
            }
        };
        assert_eq!(run(&mut file), 2);
        let text = prettyplease::unparse(&file);
        assert!(
            !text.contains("ResponseValue::from_response")
                && text
                    .matches("crate::response::from_response(response)")
                    .count()
                    == 2
                && text.contains("ResponseValue::stream(response)"),
            "{text}"
        );
    }
}
