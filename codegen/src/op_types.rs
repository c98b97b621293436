//! The Rust types of each operation (for the manifest), and the test-support `roundtrip` function
//! each domain module gets: decode JSON as a named type, encode it back.

use quote::{format_ident, quote};
use serde::Serialize;
use serde_json::{Map, Value};

/// Type names of one operation, as they appear in its domain's `types` module.
#[derive(Debug, Default, Serialize)]
pub struct OperationTypes {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_type: Option<String>,
    /// The media types Kibana accepts for a raw (non-JSON) body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_content_types: Option<Vec<String>>,
    /// For a `multipart/form-data` body: the form field the raw body is sent as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multipart_file: Option<String>,
    /// A multipart form of several fields, typed as a JSON object of them (`body_type`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub multipart_fields: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_type: Option<String>,
    /// For a newline-delimited JSON response: the type of one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ndjson_item_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    /// Every success is a JSON body, read whole before it is decoded (so one cut short can be
    /// asked for again).
    #[serde(skip)]
    pub json_success: bool,
}

fn ref_name(value: Option<&Value>) -> Option<String> {
    crate::normalize::schema_ref_name(value?.get("$ref")?.as_str()?).map(str::to_string)
}

impl OperationTypes {
    pub fn of(op: &Map<String, Value>) -> Self {
        let types = op.get(crate::normalize::TYPES);
        let error_type = op
            .get("responses")
            .and_then(Value::as_object)
            .and_then(|responses| {
                responses
                    .iter()
                    .filter(|(status, _)| {
                        crate::normalize::is_error_status(status) || *status == "default"
                    })
                    .find_map(|(_, r)| ref_name(r.pointer("/content/application~1json/schema")))
            });
        Self {
            body_type: ref_name(types.and_then(|t| t.get("body"))),
            body_content_types: op
                .get("requestBody")
                .and_then(|b| b.get("x-kbn-content-types"))
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                }),
            multipart_file: op
                .get("requestBody")
                .and_then(|b| b.get(crate::normalize::MULTIPART_FILE))
                .and_then(Value::as_str)
                .map(str::to_string),
            multipart_fields: op
                .get("requestBody")
                .and_then(|b| b.get(crate::normalize::MULTIPART_FIELDS))
                .is_some_and(|v| v == &Value::Bool(true)),
            response_type: ref_name(types.and_then(|t| t.get("response"))),
            ndjson_item_type: ref_name(types.and_then(|t| t.get("ndjson_item"))),
            error_type,
            json_success: crate::pagination::json_success_only(op.get("responses")),
        }
    }
}

/// `pub mod roundtrip` for a domain: one match arm per component schema of the domain.
pub fn roundtrip_module(part: &Value) -> proc_macro2::TokenStream {
    let names: Vec<String> = part
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let arms = names.iter().map(|name| {
        let ty: syn::Type = match crate::generate::REPLACED.iter().find(|(n, _, _)| n == name) {
            Some((_, path, _)) => syn::parse_str(path).unwrap_or_else(|_| syn::parse_quote!(())),
            None => {
                let ident = format_ident!("{}", name);
                syn::parse_quote!(super::types::#ident)
            }
        };
        quote! { #name => Some(decode_encode::<#ty>(json)), }
    });
    if names.is_empty() {
        // A domain whose operations name no schema (Kibana's redirect stubs answer nothing).
        return quote! {
            /// Test support: this module has no types to decode.
            #[cfg(feature = "test-support")]
            #[doc(hidden)]
            pub mod roundtrip {
                /// Always `None`: this module has no types.
                pub fn roundtrip(_type_name: &str, _json: &[u8]) -> Option<Result<serde_json::Value, String>> {
                    None
                }
            }
        };
    }
    quote! {
        /// Test support: decode JSON as one of this module's types, by name, and encode it back.
        #[cfg(feature = "test-support")]
        #[doc(hidden)]
        pub mod roundtrip {
            fn decode_encode<T: serde::de::DeserializeOwned + serde::Serialize>(
                json: &[u8],
            ) -> Result<serde_json::Value, String> {
                let de = &mut serde_json::Deserializer::from_slice(json);
                let value: T = serde_path_to_error::deserialize(de)
                    .map_err(|e| format!("at `{}`: {}", e.path(), e.inner()))?;
                serde_json::to_value(&value).map_err(|e| e.to_string())
            }

            /// Decodes `json` as the type named `type_name` and encodes it back; `None` for an
            /// unknown name.
            pub fn roundtrip(type_name: &str, json: &[u8]) -> Option<Result<serde_json::Value, String>> {
                match type_name {
                    #(#arms)*
                    _ => None,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::roundtrip_module;

    #[test]
    fn a_domain_without_schemas_has_a_roundtrip_without_unused_arguments() {
        let empty = roundtrip_module(&serde_json::json!({"paths": {}})).to_string();
        assert!(!empty.contains("decode_encode"), "{empty}");
        assert!(empty.contains("_json"), "{empty}");
        let one = roundtrip_module(&serde_json::json!({"components": {"schemas": {"Thing": {}}}}))
            .to_string();
        assert!(one.contains("\"Thing\" => Some (decode_encode"), "{one}");
    }
}
