//! progenitor documents each operation with a call snippet fenced as ```` ```ignore ````: rustdoc
//! counts those as ignored tests. They are illustrations with free variables, not programs, so
//! they are fenced as `text`: shown the same, and no test is reported as skipped.
//!
//! Kibana's descriptions have code blocks of their own, some fenced without a language (the
//! spec's overview shows `GET kbn:/api/data_views` so, and it documents each domain's
//! client): rustdoc compiles such a block as Rust and fails. They are fenced as `text` too.
//! Others write the code on the fence lines (```` ```json { ```` ... ```` } ``` ````, the attack
//! discovery filter): rustdoc reads `{` as an unclosed attribute block and warns, so the code
//! moves to lines of its own.

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
            let fenced = mended_fences(&fenced).unwrap_or(fenced);
            if fenced != text {
                lit.lit = Lit::Str(syn::LitStr::new(&fenced, s.span()));
                self.changed += 1;
            }
        }
    }
}

/// `text` with each code block that opens with a bare fence (```` ``` ```` or `~~~`, no
/// language) opened as `text`, and code written on a fence's line (after its language, or
/// before the closing fence) moved to a line of its own; `None` when there is none of either.
pub(crate) fn mended_fences(text: &str) -> Option<String> {
    let mut open: Option<&str> = None;
    let mut changed = false;
    let mut out: Vec<String> = Vec::new();
    for line in text.split('\n') {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let fence = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
        match (fence, open) {
            (Some(f), None) => {
                open = Some(f);
                let info = trimmed[f.len()..].trim();
                let (language, code) = info.split_once(char::is_whitespace).unwrap_or((info, ""));
                let code = code.trim_start();
                if language.is_empty() {
                    changed = true;
                    out.push(format!("{indent}{f}text"));
                    continue;
                }
                if code.starts_with(['{', '[', '"']) {
                    changed = true;
                    out.push(format!("{indent}{f}{language}"));
                    out.push(format!("{indent}{code}"));
                    continue;
                }
            }
            (Some(f), Some(o)) if f == o && trimmed.trim_end() == f => open = None,
            (None, Some(f)) => {
                if let Some(code) = line.trim_end().strip_suffix(f) {
                    changed = true;
                    open = None;
                    out.push(code.trim_end().to_string());
                    out.push(format!("{indent}{f}"));
                    continue;
                }
            }
            _ => {}
        }
        out.push(line.to_string());
    }
    changed.then(|| out.join("\n"))
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
        let fenced = mended_fences(doc).unwrap();
        assert_eq!(
            fenced,
            "Run it:\n\n```text\nGET kbn:/api/data_views\n```\n\n```json\n{}\n```\n  ~~~text\nx\n  ~~~"
        );
        assert_eq!(mended_fences("```rust\nf();\n```"), None);
        assert_eq!(mended_fences("no code"), None);
        // Code on the fence lines moves to lines of its own.
        let on_fences = "For example:\n```json {\n  \"a\": 1\n} ```\nDone.";
        assert_eq!(
            mended_fences(on_fences).unwrap(),
            "For example:\n```json\n{\n  \"a\": 1\n}\n```\nDone."
        );
        let mut file: syn::File = syn::parse_quote! {
            #[doc = "```\nGET kbn:/api/status\n```"]
            pub struct Client;
        };
        assert_eq!(run(&mut file), 1);
        assert!(prettyplease::unparse(&file).contains("```text"));
    }
}
