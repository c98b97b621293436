//! progenitor's parameter setters (`.page_size(0)`) drop why a value did not convert: they
//! map the conversion's error to "conversion to `:: std :: string :: String` for x failed"
//! and throw the error away, so `Error::InvalidRequest` never says that the page size must be
//! at least 1. This pass keeps the reason (`...: 0 is out of range for ApiPageSize`), bounds
//! the setter's conversion error by `Display` (as progenitor's body setters already are), and
//! writes the type as Rust does (`String`, `Vec<String>`).
//!
//! The generated conversion errors name limits, patterns and numbers, never the text sent,
//! so a secret parameter that fails to convert is not echoed.

use syn::visit_mut::VisitMut;
use syn::{Expr, ExprClosure, ImplItemFn, Lit, Pat, WherePredicate, parse_quote};

/// The type's tokens as Rust prints a type: paths cut to their last segment, no spaces.
fn type_name(tokens: &str) -> String {
    let text: String = tokens.chars().filter(|c| !c.is_whitespace()).collect();
    let mut out = String::new();
    let mut ident_start = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            // `a::b` keeps `b`: drop the segment before the separator.
            out.truncate(ident_start);
            continue;
        }
        if !(c.is_alphanumeric() || c == '_') {
            out.push(c);
            ident_start = out.len();
            continue;
        }
        out.push(c);
    }
    out.replace(',', ", ")
}

/// progenitor's `|_| "conversion to `T` for x failed".to_string()`: the message's type and
/// parameter.
fn dropped_reason(closure: &ExprClosure) -> Option<(String, String)> {
    if closure.inputs.len() != 1 || !matches!(closure.inputs[0], Pat::Wild(_)) {
        return None;
    }
    let Expr::MethodCall(call) = &*closure.body else {
        return None;
    };
    let Expr::Lit(lit) = &*call.receiver else {
        return None;
    };
    let Lit::Str(message) = &lit.lit else {
        return None;
    };
    if call.method != "to_string" {
        return None;
    }
    let message = message.value();
    let rest = message.strip_prefix("conversion to `")?;
    let (ty, rest) = rest.split_once('`')?;
    let param = rest.strip_prefix(" for ")?.strip_suffix(" failed")?;
    Some((type_name(ty), param.to_string()))
}

#[derive(Default)]
struct Rewrite {
    found: usize,
}

impl VisitMut for Rewrite {
    fn visit_expr_closure_mut(&mut self, closure: &mut ExprClosure) {
        if let Some((ty, param)) = dropped_reason(closure) {
            let message = format!("conversion to `{ty}` for {param} failed: {{e}}");
            *closure = parse_quote!(|e| format!(#message));
            self.found += 1;
        }
        syn::visit_mut::visit_expr_closure_mut(self, closure);
    }
}

struct Setters {
    rewritten: usize,
}

impl VisitMut for Setters {
    fn visit_impl_item_fn_mut(&mut self, method: &mut ImplItemFn) {
        let mut inner = Rewrite::default();
        inner.visit_block_mut(&mut method.block);
        if inner.found > 0 {
            self.rewritten += inner.found;
            if let Some((value, target)) = super::setter_type(&method.sig) {
                let display: WherePredicate = parse_quote!(
                    <#value as std::convert::TryInto<#target>>::Error: std::fmt::Display
                );
                if let Some(clause) = method.sig.generics.where_clause.as_mut() {
                    clause.predicates.push(display);
                }
            }
        }
    }
}

/// Applies the pass; returns how many setters now keep their conversion's reason.
pub fn run(file: &mut syn::File) -> usize {
    let mut setters = Setters { rewritten: 0 };
    setters.visit_file_mut(file);
    setters.rewritten
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_read_as_rust_writes_them() {
        assert_eq!(type_name(":: std :: string :: String"), "String");
        assert_eq!(
            type_name(":: std :: vec :: Vec < :: std :: string :: String >"),
            "Vec<String>"
        );
        assert_eq!(
            type_name("std :: collections :: HashMap < String , types :: Page >"),
            "HashMap<String, Page>"
        );
        assert_eq!(type_name("ApiPageSize"), "ApiPageSize");
        assert_eq!(type_name("i64"), "i64");
    }

    #[test]
    fn a_setter_keeps_the_reason_and_bounds_it_by_display() {
        let mut file: syn::File = parse_quote! {
            impl<'a> ListThings<'a> {
                pub fn page_size<V>(mut self, value: V) -> Self
                where
                    V: std::convert::TryInto<types::ApiPageSize>,
                {
                    self.page_size = value
                        .try_into()
                        .map(Some)
                        .map_err(|_| "conversion to `types :: ApiPageSize` for page_size failed".to_string());
                    self
                }
                pub fn upload<B>(mut self, value: B) -> Self
                where
                    B: std::convert::TryInto<reqwest::Body>,
                {
                    self.upload = value.try_into().map_err(|_| "conversion to `reqwest :: Body` for upload failed".to_string());
                    self
                }
                pub fn body<V>(mut self, value: V) -> Self
                where
                    V: std::convert::TryInto<types::Body>,
                    <V as std::convert::TryInto<types::Body>>::Error: std::fmt::Display,
                {
                    self.body = value.try_into().map_err(|s| format!("conversion to `Body` for body failed: {}", s));
                    self
                }
            }
        };
        assert_eq!(run(&mut file), 2);
        let text = prettyplease::unparse(&file);
        assert!(
            text.contains(r#"format!("conversion to `ApiPageSize` for page_size failed: {e}")"#),
            "{text}"
        );
        assert!(
            text.contains(
                "<V as std::convert::TryInto<types::ApiPageSize>>::Error: std::fmt::Display"
            ),
            "{text}"
        );
        // The bound names the setter's own type parameter.
        assert!(
            text.contains("<B as std::convert::TryInto<reqwest::Body>>::Error: std::fmt::Display"),
            "{text}"
        );
        // The body setter already kept its reason: one `Display` bound, unchanged.
        assert_eq!(
            text.matches("::Error: std::fmt::Display").count(),
            3,
            "{text}"
        );
    }

    #[test]
    fn other_closures_are_left_alone() {
        let mut file: syn::File = parse_quote! {
            impl Thing {
                fn f(&self) {
                    let a = x.map_err(|_| "something else".to_string());
                    let b = y.map_err(|e| e.to_string());
                }
            }
        };
        let before = prettyplease::unparse(&file);
        assert_eq!(run(&mut file), 0);
        assert_eq!(prettyplease::unparse(&file), before);
    }
}
