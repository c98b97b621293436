//! progenitor documents each operation with a call snippet fenced as ```` ```ignore ````: rustdoc
//! counts those as ignored tests. They are illustrations with free variables, not programs, so
//! they are fenced as `text`: shown the same, and no test is reported as skipped.

use syn::visit_mut::VisitMut;
use syn::{Attribute, Expr, Lit, Meta};

struct Fences {
    changed: usize,
}

impl VisitMut for Fences {
    fn visit_attribute_mut(&mut self, attr: &mut Attribute) {
        if let Meta::NameValue(nv) = &mut attr.meta
            && nv.path.is_ident("doc")
            && let Expr::Lit(lit) = &mut nv.value
            && let Lit::Str(s) = &lit.lit
        {
            let text = s.value();
            if text.contains("```ignore") {
                lit.lit = Lit::Str(syn::LitStr::new(
                    &text.replace("```ignore", "```text"),
                    s.span(),
                ));
                self.changed += 1;
            }
        }
    }
}

/// Applies the pass; returns how many doc comments it changed.
pub fn run(file: &mut syn::File) -> usize {
    let mut fences = Fences { changed: 0 };
    fences.visit_file_mut(file);
    fences.changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refences_ignored_snippets() {
        let mut file: syn::File = syn::parse_quote! {
            #[doc = "Call it:\n\n```ignore\nclient.op().send().await;\n```"]
            pub fn op() {}
            #[doc = "```rust\nreal();\n```"]
            pub fn other() {}
        };
        assert_eq!(run(&mut file), 1);
        let text = prettyplease::unparse(&file);
        assert!(
            text.contains("```text") && !text.contains("```ignore") && text.contains("```rust"),
            "{text}"
        );
    }
}
