//! Path parameters in the typed mocks match literally. progenitor's httpmock generator puts the
//! raw value into a regex (`format!("^/api/agents/{}$", value)`), so an id with `.` or `+`
//! matches too much and one with `/` never matches the percent-encoded path the client sends.
//! The value goes through `crate::path::mock_segment` instead: encoded as the client encodes it,
//! then regex-escaped.

use proc_macro2::{Group, TokenStream, TokenTree};
use quote::quote;
use syn::visit_mut::VisitMut;

/// Rewrites `value.to_string()` inside `format!` arguments.
fn rewrite(tokens: TokenStream, count: &mut usize) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::new();
    let mut i = 0;
    while i < trees.len() {
        let is_value_to_string = matches!(&trees[i], TokenTree::Ident(id) if id == "value")
            && matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '.')
            && matches!(trees.get(i + 2), Some(TokenTree::Ident(id)) if id == "to_string")
            && matches!(trees.get(i + 3), Some(TokenTree::Group(g)) if g.stream().is_empty());
        if is_value_to_string {
            out.extend(quote!(crate::path::mock_segment(&value.to_string())));
            *count += 1;
            i += 4;
            continue;
        }
        match &trees[i] {
            TokenTree::Group(g) => {
                let mut new = Group::new(g.delimiter(), rewrite(g.stream(), count));
                new.set_span(g.span());
                out.push(TokenTree::Group(new));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out.into_iter().collect()
}

struct Paths {
    count: usize,
}

impl VisitMut for Paths {
    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        if mac.path.is_ident("format") {
            let tokens = std::mem::take(&mut mac.tokens);
            // Only the path regexes: their format string starts with `^/`.
            let is_path = tokens.to_string().starts_with("\"^/");
            mac.tokens = if is_path {
                rewrite(tokens, &mut self.count)
            } else {
                tokens
            };
        }
    }
}

/// Applies the pass; returns how many path matchers it rewrote.
pub fn run(file: &mut syn::File) -> usize {
    let mut paths = Paths { count: 0 };
    paths.visit_file_mut(file);
    paths.count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_values_are_escaped() {
        let mut file: syn::File = syn::parse_quote! {
            fn agent_id(value: &str) {
                let re = regex::Regex::new(&format!("^/api/fleet/agents/{}/upgrade$", value.to_string())).unwrap();
                let other = format!("{}", value.to_string());
            }
        };
        assert_eq!(run(&mut file), 1);
        let text: String = prettyplease::unparse(&file).split_whitespace().collect();
        assert!(
            text.contains("crate::path::mock_segment(&value.to_string())"),
            "{text}"
        );
        assert!(text.contains("format!(\"{}\",value.to_string())"), "{text}");
    }
}
