//! progenitor documents each operation with a call snippet fenced as ```` ```ignore ````: rustdoc
//! counts those as ignored tests. They are illustrations with free variables, not programs, so
//! they are fenced as `text`: shown the same, and no test is reported as skipped.
//!
//! Kibana's descriptions have code blocks of their own, some fenced without a language (the
//! spec's overview shows `GET kbn:/api/data_views` so, and it documents each domain's
//! client): rustdoc compiles such a block as Rust and fails. They are fenced as `text` too.

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
            let fenced = text.replace("```ignore", "```text");
            let fenced = bare_fences_as_text(&fenced).unwrap_or(fenced);
            if fenced != text {
                lit.lit = Lit::Str(syn::LitStr::new(&fenced, s.span()));
                self.changed += 1;
            }
        }
    }
}

/// `text` with each code block that opens with a bare fence (```` ``` ```` or `~~~`, no
/// language) opened as `text`; `None` when there is none.
fn bare_fences_as_text(text: &str) -> Option<String> {
    let mut open: Option<&str> = None;
    let mut changed = false;
    let lines: Vec<String> = text
        .split('\n')
        .map(|line| {
            let trimmed = line.trim_start();
            let fence = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
            match (fence, open) {
                (Some(f), None) => {
                    open = Some(f);
                    if trimmed.trim_end() == f {
                        changed = true;
                        let indent = &line[..line.len() - trimmed.len()];
                        return format!("{indent}{f}text");
                    }
                }
                (Some(f), Some(o)) if f == o && trimmed.trim_end() == f => open = None,
                _ => {}
            }
            line.to_string()
        })
        .collect();
    changed.then(|| lines.join("\n"))
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

    #[test]
    fn bare_fences_open_as_text_and_others_stay() {
        let doc =
            "Run it:\n\n```\nGET kbn:/api/data_views\n```\n\n```json\n{}\n```\n  ~~~\nx\n  ~~~";
        let fenced = bare_fences_as_text(doc).unwrap();
        assert_eq!(
            fenced,
            "Run it:\n\n```text\nGET kbn:/api/data_views\n```\n\n```json\n{}\n```\n  ~~~text\nx\n  ~~~"
        );
        assert_eq!(bare_fences_as_text("```rust\nf();\n```"), None);
        assert_eq!(bare_fences_as_text("no code"), None);
        let mut file: syn::File = syn::parse_quote! {
            #[doc = "```\nGET kbn:/api/status\n```"]
            pub struct Client;
        };
        assert_eq!(run(&mut file), 1);
        assert!(prettyplease::unparse(&file).contains("```text"));
    }
}
