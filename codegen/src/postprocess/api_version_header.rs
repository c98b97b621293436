//! progenitor sends `api-version: <info.version>` (here `1.0.2`) on every request. Kibana does not
//! read it; its version header is `elastic-api-version`, which the client sets once for all
//! requests. This pass removes the `api-version` header from every operation.

use syn::visit_mut::VisitMut;
use syn::{Block, Expr, Stmt, parse_quote};

fn is_api_version_append(stmt: &Stmt) -> bool {
    let Stmt::Expr(Expr::MethodCall(call), _) = stmt else {
        return false;
    };
    call.method == "append"
        && call.args.first().is_some_and(|arg| {
            let text = quote::quote!(#arg).to_string();
            text.contains("from_static") && text.contains("\"api-version\"")
        })
}

struct Strip {
    removed: usize,
}

impl VisitMut for Strip {
    fn visit_block_mut(&mut self, block: &mut Block) {
        let before = block.stmts.len();
        block.stmts.retain(|s| !is_api_version_append(s));
        let removed = before - block.stmts.len();
        if removed > 0 {
            self.removed += removed;
            // The header map may now be left unused as `mut`.
            for stmt in &mut block.stmts {
                if let Stmt::Local(local) = stmt
                    && matches!(&local.pat, syn::Pat::Ident(p) if p.ident == "header_map")
                {
                    local.attrs.push(parse_quote!(#[allow(unused_mut)]));
                }
            }
        }
        syn::visit_mut::visit_block_mut(self, block);
    }
}

/// Applies the pass; returns how many headers it removed.
pub fn run(file: &mut syn::File) -> usize {
    let mut strip = Strip { removed: 0 };
    strip.visit_file_mut(file);
    strip.removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_only_the_api_version_header() {
        let mut file: syn::File = parse_quote! {
            fn send() {
                let mut header_map = HeaderMap::with_capacity(2usize);
                header_map.append(HeaderName::from_static("api-version"), HeaderValue::from_static(Client::api_version()));
                header_map.append(HeaderName::from_static("x-other"), value);
            }
        };
        assert_eq!(run(&mut file), 1);
        let text = prettyplease::unparse(&file);
        assert!(!text.contains("\"api-version\""), "{text}");
        assert!(
            text.contains("x-other") && text.contains("allow(unused_mut)"),
            "{text}"
        );
    }
}
