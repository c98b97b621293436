//! Path parameters inside the kibana-serverless crate go through `crate::path::segment`, which
//! encodes every character that could leave the segment and refuses the values no URL can carry
//! as a segment (empty, `.`, `..`), instead of progenitor's `encode_path`, whose result a URL
//! parser may turn into another route. The calls sit inside `format!`, whose arguments are raw
//! tokens to syn, so the rewrite is on tokens.

use proc_macro2::{Group, TokenStream, TokenTree};
use quote::quote;
use syn::visit_mut::VisitMut;

fn rewrite(tokens: TokenStream, count: &mut usize) -> TokenStream {
    let mut out = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tree) = iter.next() {
        match tree {
            TokenTree::Ident(ident) if ident == "encode_path" => {
                if let Some(TokenTree::Group(args)) = iter.peek().cloned() {
                    iter.next();
                    let inner = rewrite(args.stream(), count);
                    *count += 1;
                    out.extend(quote!(crate::path::segment(#inner)?));
                } else {
                    out.push(TokenTree::Ident(ident));
                }
            }
            TokenTree::Group(g) => {
                let mut new = Group::new(g.delimiter(), rewrite(g.stream(), count));
                new.set_span(g.span());
                out.push(TokenTree::Group(new));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

struct Segments {
    count: usize,
}

impl VisitMut for Segments {
    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        mac.tokens = rewrite(std::mem::take(&mut mac.tokens), &mut self.count);
    }
}

/// Applies the pass; returns how many path parameters it rewrote.
pub fn run(file: &mut syn::File) -> usize {
    let mut segments = Segments { count: 0 };
    segments.visit_file_mut(file);
    segments.count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_calls_inside_format() {
        let mut file: syn::File = syn::parse_quote! {
            fn f() {
                let url = format!("{}/a/{}/b/{}", base, encode_path(&id.to_string()), encode_path(&other.to_string()));
            }
        };
        assert_eq!(run(&mut file), 2);
        let text: String = prettyplease::unparse(&file).split_whitespace().collect();
        assert!(
            text.contains("crate::path::segment(&id.to_string())?"),
            "{text}"
        );
        assert!(!text.contains("encode_path("), "{text}");
    }
}
