//! Per-domain items generated from the operation model, beside progenitor's client: the
//! `operations` constants (typed names for policies such as `RetryPolicy::retry_post_for`), the
//! raw-body table and the list of whole-JSON answers the request hook reads, `upload()` on
//! raw-body operations and `lines()` /
//! `write_to()` on newline-delimited JSON operations.

use crate::pipeline::Operation;
use heck::{ToPascalCase, ToShoutySnakeCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The items for one domain's operations.
pub fn generate(operations: &[&Operation]) -> TokenStream {
    let constants = operations.iter().map(|o| {
        let name = format_ident!("{}", o.rust_method.to_shouty_snake_case());
        let method = &o.rust_method;
        let doc = format!("`{} {}` (`{}`).", o.method, o.path, o.operation_id);
        quote! {
            #[doc = #doc]
            pub const #name: crate::OperationId = crate::OperationId::__generated(#method);
        }
    });
    let raw_rows = operations.iter().filter_map(|o| {
        let types = o.types.body_content_types.as_ref()?;
        let method = &o.rust_method;
        let file = match &o.types.multipart_file {
            Some(f) => quote!(Some(#f)),
            None => quote!(None),
        };
        let fields = o.types.multipart_fields;
        Some(quote!(crate::hooks::RawBody {
            operation: #method,
            media_types: &[#(#types),*],
            multipart_file: #file,
            multipart_fields: #fields,
        }))
    });
    let mut whole: Vec<&str> = operations
        .iter()
        .filter(|o| o.types.json_success)
        .map(|o| o.rust_method.as_str())
        .collect();
    // Sorted: the hook looks an operation up by binary search.
    whole.sort_unstable();
    let mut versioned: Vec<(&str, &str)> = operations
        .iter()
        .filter_map(|o| Some((o.rust_method.as_str(), o.api_version.as_deref()?)))
        .collect();
    versioned.sort_unstable();
    let versioned = versioned.iter().map(|(op, v)| quote!((#op, #v)));
    let uploads = operations.iter().filter_map(|o| upload(o));
    let ndjson = operations.iter().filter_map(|o| ndjson(o));
    quote! {
        /// Every operation of this domain, by name: `RetryPolicy::retry_post_for([...])` takes these.
        pub mod operations {
            #(#constants)*
        }
        /// Operations whose body is raw bytes, and the media types Kibana accepts for each.
        pub(crate) const RAW_BODIES: crate::hooks::RawBodies = &[#(#raw_rows),*];
        /// Operations whose every success is a JSON body read whole (sorted): the hook reads
        /// such a body before it returns, so that one cut short is asked for again.
        pub(crate) const WHOLE_JSON: &[&str] = &[#(#whole),*];
        /// Operations whose spec names the API version they are written at (sorted): the hook
        /// sends each its own where it is not the client's default.
        pub(crate) const API_VERSIONS: crate::hooks::ApiVersions = &[#(#versioned),*];
        #(#uploads)*
        #(#ndjson)*
    }
}

fn builder(o: &Operation) -> syn::Ident {
    format_ident!("{}", o.rust_method.to_pascal_case())
}

fn upload(o: &Operation) -> Option<TokenStream> {
    if o.types.multipart_fields {
        return None;
    }
    let accepted = o.types.body_content_types.as_ref()?;
    let response = format_ident!("{}", o.types.response_type.as_ref()?);
    let builder = builder(o);
    let doc = format!(
        "Sends `archive` as the body, streamed as it is read, with the media type its first \
         bytes show (or `archive_type`); this operation takes {}. A body of another type is \
         refused before anything is sent.",
        accepted.join(", ")
    );
    Some(quote! {
        impl<'a> builder::#builder<'a> {
            #[doc = #doc]
            pub async fn upload(
                self,
                archive: impl Into<crate::upload::Archive>,
                archive_type: Option<crate::upload::ArchiveType>,
            ) -> Result<ResponseValue<types::#response>, crate::Error> {
                crate::upload::upload(archive, archive_type, &[#(#accepted),*], |body| {
                    self.body(body).send()
                })
                .await
            }
        }
    })
}

fn ndjson(o: &Operation) -> Option<TokenStream> {
    let item = format_ident!("{}", o.types.ndjson_item_type.as_ref()?);
    let builder = builder(o);
    Some(quote! {
        impl<'a> builder::#builder<'a> {
            /// Sends the request and yields each line of the newline-delimited answer, decoded,
            /// as it arrives, in constant memory. A line that does not decode ends the stream
            /// with `Error::MalformedLine`, after every good line before it.
            pub async fn lines(self) -> Result<crate::ndjson::LineStream<types::#item>, crate::Error> {
                let response = self.send().await?;
                Ok(crate::ndjson::typed(response.into_inner().into_inner()))
            }

            /// Sends the request and writes the answer to `path` as it arrives, checking that each
            /// line decodes. On an error, the file holds every good line before it.
            pub async fn write_to(
                self,
                path: impl AsRef<::std::path::Path>,
            ) -> Result<crate::ndjson::WriteSummary<types::#item>, crate::Error> {
                let response = self.send().await?;
                crate::ndjson::write_to(response.into_inner().into_inner(), path.as_ref()).await
            }
        }
    })
}
