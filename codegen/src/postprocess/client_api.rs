//! The public API of a domain module, as users see it. progenitor re-exports its own `Error`
//! as `<domain>::Error` (a second error type beside the crate's, which every `send()` returns
//! after `send_errors`), and gives `Client` a `new()` that builds its own HTTP client with a
//! 15 s timeout and an `unwrap()`, and a `new_with_client()` that needs a `RequestContext` users
//! cannot make. Here `Error` and `ClientInfo` become private imports, `new()` goes, and
//! `new_with_client()` is crate-private: a domain client comes from `Kibana`.

use syn::{ImplItem, Item, UseTree, Visibility, parse_quote};

/// Applies the pass; returns the number of rewrites.
pub fn run(file: &mut syn::File) -> usize {
    let mut count = 0;
    for item in &mut file.items {
        match item {
            Item::Use(u) if matches!(u.vis, Visibility::Public(_)) && reexports_error(&u.tree) => {
                *item = parse_quote!(
                    pub use progenitor_client::{ByteStream, ResponseValue};
                );
                count += 1;
            }
            Item::Impl(imp)
                if imp.trait_.is_none()
                    && super::impl_self_name(imp).as_deref() == Some("Client") =>
            {
                let before = imp.items.len();
                imp.items
                    .retain(|i| !matches!(i, ImplItem::Fn(f) if f.sig.ident == "new"));
                count += before - imp.items.len();
                for i in &mut imp.items {
                    if let ImplItem::Fn(f) = i
                        && f.sig.ident == "new_with_client"
                    {
                        f.vis = parse_quote!(pub(crate));
                        count += 1;
                    }
                }
            }
            _ => {}
        }
    }
    if count > 0 {
        file.items.insert(
            0,
            parse_quote!(
                #[allow(unused_imports)]
                use progenitor_client::{ClientInfo, Error};
            ),
        );
    }
    count
}

/// `progenitor_client::{..., Error, ...}`.
fn reexports_error(tree: &UseTree) -> bool {
    let UseTree::Path(p) = tree else { return false };
    if p.ident != "progenitor_client" {
        return false;
    }
    match &*p.tree {
        UseTree::Group(g) => g
            .items
            .iter()
            .any(|t| matches!(t, UseTree::Name(n) if n.ident == "Error")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_error_type_and_no_unbuildable_constructors() {
        let mut file: syn::File = parse_quote! {
            pub use progenitor_client::{ByteStream, ClientInfo, Error, ResponseValue};
            pub struct Client { baseurl: String }
            impl Client {
                pub fn new(baseurl: &str, inner: crate::RequestContext) -> Self { Self::new_with_client(baseurl, reqwest::Client::new(), inner) }
                pub fn new_with_client(baseurl: &str, client: reqwest::Client, inner: crate::RequestContext) -> Self { Self { baseurl: baseurl.to_string() } }
                pub fn baseurl(&self) -> &String { &self.baseurl }
            }
        };
        assert_eq!(run(&mut file), 3);
        let text = quote::quote!(#file).to_string().replace(' ', "");
        assert!(
            text.contains("pubuseprogenitor_client::{ByteStream,ResponseValue};"),
            "{text}"
        );
        assert!(
            text.contains("useprogenitor_client::{ClientInfo,Error};"),
            "{text}"
        );
        assert!(!text.contains("pubfnnew("), "{text}");
        assert!(text.contains("pub(crate)fnnew_with_client("), "{text}");
        assert!(text.contains("pubfnbaseurl("), "{text}");
    }
}
