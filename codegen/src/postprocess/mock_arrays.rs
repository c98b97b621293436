//! Array query parameters in the typed mocks. progenitor's httpmock generator matches an array
//! parameter with `query_param(name, value.to_string())`, which does not compile (`Vec` has no
//! `Display`) and would not match anyway: the client sends one `name=item` pair per item. Each
//! item becomes its own `query_param` matcher.

use syn::visit_mut::VisitMut;
use syn::{Expr, ExprMethodCall, ImplItemFn, parse_quote};

struct Arrays {
    in_array_fn: bool,
    count: usize,
}

impl VisitMut for Arrays {
    fn visit_impl_item_fn_mut(&mut self, f: &mut ImplItemFn) {
        let sig = &f.sig;
        self.in_array_fn = quote::quote!(#sig).to_string().contains("vec :: Vec");
        syn::visit_mut::visit_impl_item_fn_mut(self, f);
        self.in_array_fn = false;
    }

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if self.in_array_fn
            && let Expr::MethodCall(ExprMethodCall {
                method,
                args,
                receiver,
                ..
            }) = expr
            && method == "query_param"
            && quote::quote!(#receiver).to_string() == "self . 0"
            && let Some(name) = args.first().cloned()
        {
            *expr = parse_quote!(value.iter().fold(self.0, |when, item| when.query_param(#name, item.to_string())));
            self.count += 1;
            return;
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

/// Applies the pass; returns how many matchers it rewrote.
pub fn run(file: &mut syn::File) -> usize {
    let mut arrays = Arrays {
        in_array_fn: false,
        count: 0,
    };
    arrays.visit_file_mut(file);
    arrays.count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_matcher_per_item() {
        let mut file: syn::File = parse_quote! {
            impl FindWhen {
                pub fn fields<'a, T>(self, value: T) -> Self where T: Into<Option<&'a ::std::vec::Vec<::std::string::String>>> {
                    if let Some(value) = value.into() { Self(self.0.query_param("fields", value.to_string())) } else { Self(self.0.query_param_missing("fields")) }
                }
                pub fn filter<'a, T>(self, value: T) -> Self where T: Into<Option<&'a str>> {
                    if let Some(value) = value.into() { Self(self.0.query_param("filter", value.to_string())) } else { Self(self.0) }
                }
            }
        };
        assert_eq!(run(&mut file), 1);
        let text: String = prettyplease::unparse(&file).split_whitespace().collect();
        assert!(
            text.contains(
                r#"value.iter().fold(self.0,|when,item|when.query_param("fields",item.to_string())"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"self.0.query_param("filter",value.to_string())"#),
            "{text}"
        );
    }
}
