//! Pagination as data: `spec/pagination.yaml` describes how each paginated operation pages; this
//! module checks each description against the domain's spec and generates its paginator (an
//! implementation of `crate::pagination::Paginator`) and the `pages()`/`items()` methods on the
//! operation's builder.

use anyhow::{Context, Result, bail};
use heck::ToPascalCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde::Deserialize;
use serde_json::Value;
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Description {
    pub operation: String,
    #[serde(default = "default_name")]
    pub name: String,
    pub page: Option<PageNumbers>,
    pub cursor: Option<Cursor>,
    pub point_in_time: Option<PointInTime>,
    pub size: Option<Size>,
    pub items: String,
    pub total: Option<String>,
}

fn default_name() -> String {
    "pages".to_string()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageNumbers {
    pub param: String,
    #[serde(default = "first_page")]
    pub first: u64,
}

fn first_page() -> u64 {
    1
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    pub param: String,
    pub response: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointInTime {
    pub open_param: String,
    pub id_param: String,
    pub keep_alive_param: String,
    pub keep_alive: String,
    pub response: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Size {
    pub param: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Descriptions {
    pub paginators: Vec<Description>,
}

/// Reads the descriptions (none when the file does not exist).
pub fn load(path: &Path) -> Result<Vec<Description>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let d: Descriptions =
        serde_yaml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    Ok(d.paginators)
}

use crate::names::field_name as snake;

use crate::normalize::resolve;

/// The operation `rust_method` of a domain spec: (path, method, operation).
pub(crate) fn find_operation<'a>(spec: &'a Value, rust_method: &str) -> Option<&'a Value> {
    spec.get("paths")?.as_object()?.values().find_map(|item| {
        item.as_object()?
            .values()
            .find(|op| op.get("operationId").and_then(Value::as_str) == Some(rust_method))
    })
}

/// Generates the paginators of `descriptions` whose operation is in `spec` (one domain). A
/// description that does not fit its operation is an error naming what is wrong when `strict`
/// (our own spec), and otherwise reported in the returned list and skipped.
pub fn generate(
    spec: &Value,
    descriptions: &[Description],
    strict: bool,
) -> Result<(TokenStream, Vec<String>)> {
    let mut out = TokenStream::new();
    let mut misfits = Vec::new();
    for d in descriptions {
        let Some(op) = find_operation(spec, &d.operation) else {
            continue;
        };
        match one(spec, op, d) {
            Ok(tokens) => out.extend(tokens),
            Err(e) if strict => {
                return Err(e.context(format!(
                    "spec/pagination.yaml: {} ({})",
                    d.operation, d.name
                )));
            }
            Err(e) => misfits.push(format!("{} ({}): {e:#}", d.operation, d.name)),
        }
    }
    Ok((out, misfits))
}

/// Whether the spec has an operation of this client method name.
pub fn has_operation(spec: &Value, rust_method: &str) -> bool {
    find_operation(spec, rust_method).is_some()
}

/// Page-size query parameters Kibana uses, in the order they are looked for.
const SIZE_PARAMS: &[&str] = &["perPage", "per_page", "pageSize", "page_size", "size"];
/// Response fields that hold a page's items, preferred in this order when several fit.
const ITEM_FIELDS: &[&str] = &["items", "data", "saved_objects", "results", "list"];
/// Response fields that hold the next cursor.
const CURSOR_FIELDS: &[&str] = &["cursor", "next_cursor", "nextCursor", "nextSearchAfter"];

/// Paginators inferred for the operations of `spec` (one domain) that `described` does not
/// name, from their query parameters (`page`/`page_index` with a size, or `cursor`/
/// `searchAfter`) and response fields (an array of a named schema, a total, a string cursor).
/// Each is checked like a written description; one that does not fit is left out.
pub fn infer(spec: &Value, described: &[Description]) -> Vec<Description> {
    let mut found = Vec::new();
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return found;
    };
    for item in paths.values().filter_map(Value::as_object) {
        for op in item.values().filter(|op| op.is_object()) {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            if described.iter().any(|d| d.operation == id) {
                continue;
            }
            if let Some(d) = infer_one(spec, op, id).filter(|d| one(spec, op, d).is_ok()) {
                found.push(d);
            }
        }
    }
    found
}

fn infer_one(spec: &Value, op: &Value, id: &str) -> Option<Description> {
    let query: Vec<&str> = op
        .get("parameters")?
        .as_array()?
        .iter()
        .filter(|p| p["in"] == "query")
        .filter_map(|p| p["name"].as_str())
        .collect();
    let response = resolve(spec, op.pointer("/x-kbn-types/response")?);
    let props = response.get("properties")?.as_object()?;
    let arrays: Vec<&String> = props
        .iter()
        .filter(|(_, v)| {
            let v = resolve(spec, v);
            v.get("type").and_then(Value::as_str) == Some("array")
                && v.pointer("/items/$ref").is_some()
        })
        .map(|(k, _)| k)
        .collect();
    let items = match arrays.as_slice() {
        [one] => (*one).clone(),
        _ => ITEM_FIELDS
            .iter()
            .find(|f| arrays.iter().any(|a| a == *f))?
            .to_string(),
    };
    // Page numbers and sizes are sent as integers: a parameter the spec types otherwise (a
    // string `page`) is not one this paginator can drive.
    let integer = |name: &str| {
        op.get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|p| p["in"] == "query" && p["name"] == name)
            .map(|p| resolve(spec, &p["schema"]))
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
            == Some("integer")
    };
    let size = SIZE_PARAMS
        .iter()
        .find(|p| query.contains(p) && integer(p))
        .map(|p| Size {
            param: p.to_string(),
        });
    let total = inferred_total(spec, props);
    let is_string = |field: &str| {
        props
            .get(field)
            .map(|v| resolve(spec, v))
            .and_then(|v| v.get("type"))
            .and_then(Value::as_str)
            == Some("string")
    };
    let (page, cursor) = if query.contains(&"page") && integer("page") {
        (
            Some(PageNumbers {
                param: "page".into(),
                first: 1,
            }),
            None,
        )
    } else if query.contains(&"page_index") && integer("page_index") {
        (
            Some(PageNumbers {
                param: "page_index".into(),
                first: 0,
            }),
            None,
        )
    } else {
        let param = ["cursor", "searchAfter", "search_after"]
            .into_iter()
            .find(|p| query.contains(p))?;
        let response = CURSOR_FIELDS.iter().find(|f| is_string(f))?;
        (
            None,
            Some(Cursor {
                param: param.into(),
                response: response.to_string(),
            }),
        )
    };
    Some(Description {
        operation: id.to_string(),
        name: default_name(),
        page,
        cursor,
        point_in_time: None,
        size,
        items,
        total,
    })
}

/// The answer's total: a top-level `total`, or else the `total` of the one object field that has
/// one (`meta.total`); either only where the client reads it as a count (none otherwise: the
/// listing then pages to its first empty page).
fn inferred_total(spec: &Value, props: &serde_json::Map<String, Value>) -> Option<String> {
    let count = |v: &Value| check_count(spec, v, "total").is_ok();
    if let Some(total) = props.get("total") {
        return count(total).then(|| "total".to_string());
    }
    let nested: Vec<&String> = props
        .iter()
        .filter(|(_, v)| {
            resolve(spec, v)
                .pointer("/properties/total")
                .is_some_and(count)
        })
        .map(|(k, _)| k)
        .collect();
    match nested.as_slice() {
        [one] => Some(format!("{one}.total")),
        _ => None,
    }
}

impl Description {
    /// How this paginator pages, in a few words (for reports).
    /// The description as data, for `operations.json` (what a client without the generated
    /// paginator types, such as the `kbn` command line, pages by).
    pub fn manifest(&self, inferred: bool) -> Value {
        let mut out = serde_json::json!({
            "style": self.style(),
            "inferred": inferred,
            "items": self.items,
        });
        if let Some(p) = &self.page {
            out["page"] = serde_json::json!({"param": p.param, "first": p.first});
        }
        if let Some(c) = &self.cursor {
            out["cursor"] = serde_json::json!({"param": c.param, "response": c.response});
        }
        if let Some(s) = &self.size {
            out["size"] = serde_json::json!({"param": s.param});
        }
        if let Some(t) = &self.total {
            out["total"] = Value::String(t.clone());
        }
        out
    }

    pub fn style(&self) -> String {
        let size = self
            .size
            .as_ref()
            .map(|s| format!(" + {}", s.param))
            .unwrap_or_default();
        match (&self.page, &self.cursor) {
            (Some(p), _) => format!(
                "page `{}` from {}{size}, items `{}`",
                p.param, p.first, self.items
            ),
            (_, Some(c)) => format!(
                "cursor `{}` <- `{}`{size}, items `{}`",
                c.param, c.response, self.items
            ),
            _ => String::new(),
        }
    }
}

/// Whether every 2xx answer among an operation's `responses` is a JSON body (what
/// `items_as::<T>()` decodes, and what the request hook reads whole).
pub(crate) fn json_success_only(responses: Option<&Value>) -> bool {
    let Some(responses) = responses.and_then(Value::as_object) else {
        return false;
    };
    let mut successes = responses
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .peekable();
    successes.peek().is_some()
        && successes.all(|(_, r)| {
            r.get("content")
                .and_then(Value::as_object)
                .is_some_and(|c| {
                    !c.is_empty() && c.keys().all(|m| crate::normalize::is_json_media(m))
                })
        })
}

/// Keywords that give a schema a shape beyond its `type` and `properties`: a schema with none of
/// them (nor those two) takes any value.
const COMPOSED: [&str; 6] = ["allOf", "anyOf", "oneOf", "$ref", "enum", "items"];

/// Whether a (resolved) response schema is a free-form object: no properties named, and any
/// key allowed with any value (what the generated type holds as a `JsonObject` newtype).
fn is_free_form(schema: &Value) -> bool {
    let object = schema.get("type").is_none_or(|t| t == "object");
    let no_properties = schema
        .get("properties")
        .is_none_or(|p| p.as_object().is_some_and(|p| p.is_empty()));
    let open = schema
        .get("additionalProperties")
        .is_none_or(|a| a == &Value::Bool(true) || a.as_object().is_some_and(|a| a.is_empty()));
    let composed = COMPOSED.iter().any(|k| schema.get(k).is_some());
    object && no_properties && open && !composed && schema.is_object()
}

fn one(spec: &Value, op: &Value, d: &Description) -> Result<TokenStream> {
    let query: Vec<&str> = op
        .get("parameters")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .filter(|p| p["in"] == "query")
                .filter_map(|p| p["name"].as_str())
                .collect()
        })
        .unwrap_or_default();
    let param = |name: &str| -> Result<syn::Ident> {
        if !query.contains(&name) {
            bail!("the operation has no query parameter {name:?} (it has {query:?})");
        }
        Ok(format_ident!("{}", snake(name)))
    };
    let response_name = op
        .pointer("/x-kbn-types/response/$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .context("the operation has no JSON response type")?;
    let response = resolve(
        spec,
        op.pointer("/x-kbn-types/response").unwrap_or(&Value::Null),
    );
    // A free-form answer's fields are unknown here: the page is checked when it arrives.
    let free_form = is_free_form(response);
    let no_props = serde_json::Map::new();
    let props = match response.get("properties").and_then(Value::as_object) {
        Some(props) => props,
        None if free_form => &no_props,
        None => bail!("the response is not an object with properties"),
    };
    let field = |name: &str| -> Result<syn::Ident> {
        if !free_form && !props.contains_key(name) {
            bail!(
                "the response has no field {name:?} (it has {:?})",
                props.keys().collect::<Vec<_>>()
            );
        }
        Ok(format_ident!("{}", snake(name)))
    };
    let items_field = field(&d.items)?;
    let item_type = if free_form {
        if d.point_in_time.is_some() {
            bail!("a point in time needs a response whose fields the spec names");
        }
        quote!(::serde_json::Value)
    } else {
        let name = props[&d.items]
            .get("items")
            .and_then(|i| i.get("$ref"))
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .with_context(|| {
                format!(
                    "the items of {:?} are not an array of a named schema",
                    d.items
                )
            })?;
        let name = format_ident!("{}", name);
        quote!(types::#name)
    };
    let response_type = format_ident!("{}", response_name);
    let builder = format_ident!("{}", d.operation.to_pascal_case());
    let paginator = format_ident!(
        "{}{}",
        d.operation.to_pascal_case(),
        d.name.to_pascal_case()
    );
    let (pages_fn, items_fn) = if d.name == "pages" {
        (format_ident!("pages"), format_ident!("items"))
    } else {
        (
            format_ident!("{}_pages", snake(&d.name)),
            format_ident!("{}_items", snake(&d.name)),
        )
    };
    let (pages_as_fn, items_as_fn) = (
        format_ident!("{pages_fn}_as"),
        format_ident!("{items_fn}_as"),
    );
    let some = |name: Option<&String>| match name {
        Some(n) => quote!(Some(#n)),
        None => quote!(None),
    };
    let items_json = &d.items;
    let total_json = some(d.total.as_ref());
    let cursor_json = some(d.cursor.as_ref().map(|c| &c.response));
    let pit_json = some(d.point_in_time.as_ref().map(|p| &p.response));
    let total = match &d.total {
        Some(_) if free_form => quote!(None),
        Some(t) => match t.split_once('.') {
            None => {
                let f = field(t)?;
                check_count(spec, &props[t.as_str()], t)?;
                quote!(crate::pagination::AsCount::as_count(&page.#f))
            }
            Some((first, _)) => {
                field(first)?;
                nested_total(spec, props, t)?
            }
        },
        None => quote!(None),
    };
    let size = match &d.size {
        Some(s) => {
            let p = param(&s.param)?;
            quote!(if let Some(size) = size { b = b.#p(size); })
        }
        None => quote!(let _ = size;),
    };
    let (style, position, next, pit, doc) = match (&d.page, &d.cursor) {
        (Some(page), None) => {
            let p = param(&page.param)?;
            let first = page.first;
            (
                quote!(crate::pagination::Style::PageNumber { first: #first }),
                quote!(if let crate::pagination::PageCursor::Page(n) = at { b = b.#p(*n); }),
                quote!(None),
                quote!(None),
                format!("by page number (`{}`, from {first})", page.param),
            )
        }
        (None, Some(cursor)) => {
            let p = param(&cursor.param)?;
            let next = field(&cursor.response)?;
            let (open, after, pit, doc) = match &d.point_in_time {
                Some(pt) => {
                    let open = param(&pt.open_param)?;
                    let id = param(&pt.id_param)?;
                    let keep = param(&pt.keep_alive_param)?;
                    let keep_alive = &pt.keep_alive;
                    let from = field(&pt.response)?;
                    (
                        quote!(b = b.#open(true).#keep(#keep_alive);),
                        quote!(if let Some(pit) = point_in_time { b = b.#id(pit.clone()); } b = b.#keep(#keep_alive);),
                        quote!(crate::pagination::AsCursor::as_cursor(&page.#from)),
                        format!(
                            "by cursor (`{}` from `{}`) in a point in time (`{}`, kept alive {keep_alive})",
                            cursor.param, cursor.response, pt.id_param
                        ),
                    )
                }
                None => (
                    quote!(),
                    quote!(let _ = point_in_time;),
                    quote!(None),
                    format!("by cursor (`{}` from `{}`)", cursor.param, cursor.response),
                ),
            };
            (
                quote!(crate::pagination::Style::Cursor),
                quote! {
                    match at {
                        crate::pagination::PageCursor::After { cursor, point_in_time } => {
                            b = b.#p(cursor.clone());
                            #after
                        }
                        _ => { #open }
                    }
                },
                if free_form {
                    quote!(None)
                } else {
                    quote!(crate::pagination::AsCursor::as_cursor(&page.#next))
                },
                pit,
                doc,
            )
        }
        _ => bail!("give exactly one of `page` and `cursor`"),
    };
    let mut struct_doc = format!(
        "Pages of [`Client::{}`](Client::{}), {doc}.",
        d.operation, d.operation
    );
    if free_form {
        struct_doc.push_str(&format!(
            " The spec leaves the answer free-form: each item is a JSON value (`items_as::<T>()` \
             decodes them as a type of yours), and a page without its array `{}` is an \
             `Error::Decode`.",
            d.items
        ));
    }
    let pages_doc = format!("Every page, {doc}, as a stream; see [`crate::pagination::Pages`].");
    let items_doc = format!("Every item of every page, {doc}, as a stream.");
    let pages_as_doc = format!(
        "Every page, {doc}, with its items decoded as `T`: a type of yours with only the fields \
         you read decodes faster (the rest of each item, and of the page, is skipped unread). \
         See [`crate::pagination::PageOf`]."
    );
    let items_as_doc =
        format!("Every item of every page, {doc}, decoded as `T` (see [`Self::{pages_as_fn}`]).");
    // Items as the caller's type need every success to be JSON (the builder's `send_as`).
    let (typed_as, methods_as) = if json_success_only(op.get("responses")) {
        (
            quote! {
            impl<'a> crate::pagination::PageShape for #paginator<'a> {
                const ITEMS: &'static str = #items_json;
                const TOTAL: Option<&'static str> = #total_json;
                const CURSOR: Option<&'static str> = #cursor_json;
                const POINT_IN_TIME: Option<&'static str> = #pit_json;
            }

            impl<'a> crate::pagination::FetchAs for #paginator<'a> {
                type Shape = #paginator<'static>;

                fn fetch_as<R: ::serde::de::DeserializeOwned + Send + 'static>(
                    &self,
                    at: &crate::pagination::PageCursor,
                    size: Option<u64>,
                ) -> crate::pagination::BoxFetch<R> {
                    Box::pin(Self::request(&self.builder, at, size).send_owned_as::<R>())
                }
            }
                },
            quote! {
            #[doc = #pages_as_doc]
            pub fn #pages_as_fn<T: ::serde::de::DeserializeOwned + Send + 'static>(self) -> crate::pagination::Pages<crate::pagination::PagesAs<#paginator<'a>, T>> {
                crate::pagination::Pages::new(crate::pagination::PagesAs::new(#paginator { builder: self }))
            }

            #[doc = #items_as_doc]
            pub fn #items_as_fn<T: ::serde::de::DeserializeOwned + Send + 'static>(self) -> crate::pagination::Items<crate::pagination::PagesAs<#paginator<'a>, T>> {
                self.#pages_as_fn::<T>().items()
            }

            },
        )
    } else {
        (quote!(), quote!())
    };
    let paginator_body = if free_form {
        quote! {
            fn fetch(&self, at: &crate::pagination::PageCursor, size: Option<u64>) -> Self::Fetch {
                let fetch = Self::request(&self.builder, at, size).send_owned();
                Box::pin(async move {
                    let page = fetch.await?;
                    crate::pagination::free_form::check(&page.0, page.status(), #items_json, #total_json)?;
                    Ok(page)
                })
            }

            fn info(page: &Self::Page) -> crate::pagination::PageInfo {
                crate::pagination::free_form::info(&page.0, #items_json, #total_json, #cursor_json)
            }

            fn into_items(page: Self::Page) -> Vec<Self::Item> {
                crate::pagination::free_form::items(page.0, #items_json)
            }
        }
    } else {
        quote! {
            fn fetch(&self, at: &crate::pagination::PageCursor, size: Option<u64>) -> Self::Fetch {
                Box::pin(Self::request(&self.builder, at, size).send_owned())
            }

            fn info(page: &Self::Page) -> crate::pagination::PageInfo {
                crate::pagination::PageInfo {
                    count: page.#items_field.len(),
                    total: #total,
                    next: #next,
                    point_in_time: #pit,
                }
            }

            fn into_items(page: Self::Page) -> Vec<Self::Item> {
                page.#items_field
            }
        }
    };
    Ok(quote! {
        #[doc = #struct_doc]
        #[derive(Clone, Debug)]
        pub struct #paginator<'a> {
            builder: builder::#builder<'a>,
        }

        impl<'a> #paginator<'a> {
            /// The request for the page at `at`, `size` items a page if given.
            fn request(
                builder: &builder::#builder<'a>,
                at: &crate::pagination::PageCursor,
                size: Option<u64>,
            ) -> builder::#builder<'a> {
                let mut b = builder.clone();
                #position
                #size
                b
            }
        }

        impl<'a> crate::pagination::Paginator for #paginator<'a> {
            type Page = types::#response_type;
            type Item = #item_type;
            type Fetch = ::std::pin::Pin<Box<dyn ::std::future::Future<Output = Result<ResponseValue<types::#response_type>, crate::Error>> + Send + 'static>>;
            const STYLE: crate::pagination::Style = #style;

            #paginator_body
        }

        #typed_as

        impl<'a> builder::#builder<'a> {
            #methods_as

            #[doc = #pages_doc]
            pub fn #pages_fn(self) -> crate::pagination::Pages<#paginator<'a>> {
                crate::pagination::Pages::new(#paginator { builder: self })
            }

            #[doc = #items_doc]
            pub fn #items_fn(self) -> crate::pagination::Items<#paginator<'a>> {
                self.#pages_fn().items()
            }
        }
    })
}

/// Checks that a total's schema is one the client reads as a count: an inline integer or number,
/// or any value (a JSON value, read when it holds a count). A named schema is not: typify wraps
/// it in a newtype.
fn check_count(spec: &Value, schema: &Value, path: &str) -> Result<()> {
    if schema.get("$ref").is_some() {
        bail!("the total {path:?} is a named schema (a newtype, not read as a count)");
    }
    let resolved = resolve(spec, schema);
    let types: Vec<&str> = match resolved.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let any_value = resolved.is_object()
        && ["type", "properties"]
            .iter()
            .chain(&COMPOSED)
            .all(|k| resolved.get(*k).is_none());
    if !any_value && !types.iter().any(|t| *t == "integer" || *t == "number") {
        bail!("the total {path:?} is not a number");
    }
    Ok(())
}

/// The total at a dotted path (`meta.total`) through the answer's objects, each optional or
/// not (see `crate::pagination::nested`), checked against the schemas on the way.
fn nested_total(
    spec: &Value,
    props: &serde_json::Map<String, Value>,
    path: &str,
) -> Result<TokenStream> {
    let names: Vec<&str> = path.split('.').collect();
    let (last, hops) = names.split_last().context("an empty total")?;
    let mut here = props;
    let mut value = quote!(page);
    let mut steps = Vec::new();
    for (i, name) in hops.iter().enumerate() {
        let object = here.get(*name).map(|s| resolve(spec, s));
        here = object
            .and_then(|o| o.get("properties"))
            .and_then(Value::as_object)
            .with_context(|| {
                format!(
                    "the total {path:?}: {:?} is not an object with properties",
                    names[..=i].join(".")
                )
            })?;
        let f = format_ident!("{}", snake(name));
        steps.push(quote!((&crate::pagination::nested::Via(&#value.#f)).step()));
        value = quote!(x);
    }
    let Some(count) = here.get(*last) else {
        bail!(
            "the total {path:?}: the object has no field {last:?} (it has {:?})",
            here.keys().collect::<Vec<_>>()
        );
    };
    check_count(spec, count, path)?;
    let f = format_ident!("{}", snake(last));
    let first = &steps[0];
    let rest = &steps[1..];
    Ok(quote! {{
        use crate::pagination::nested::{ViaOptional as _, ViaRequired as _};
        #first #(.and_then(|x| #rest))* .and_then(|x| crate::pagination::AsCount::as_count(&x.#f))
    }})
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A domain spec with one listing operation whose query and response use `params` and `fields`.
    fn spec(params: &[&str], fields: Value) -> Value {
        let parameters: Vec<Value> = params
            .iter()
            .map(|p| json!({"name": p, "in": "query", "schema": {"type": "string"}}))
            .collect();
        json!({
            "paths": {"/things": {"get": {
                "operationId": "find_things",
                "parameters": parameters,
                "x-kbn-types": {"response": {"$ref": "#/components/schemas/FindThingsResponse"}}
            }}},
            "components": {"schemas": {
                "FindThingsResponse": {"type": "object", "properties": fields},
                "Thing": {"type": "object"}
            }}
        })
    }

    #[test]
    fn items_as_is_offered_only_when_every_success_is_json() {
        let only_json = |responses: Value| json_success_only(Some(&responses));
        let json_body = json!({"content": {"application/json": {"schema": {}}}});
        assert!(only_json(
            json!({"200": json_body, "400": {"description": "bad"}})
        ));
        assert!(!only_json(
            json!({"200": json_body, "204": {"description": "none"}})
        ));
        assert!(!only_json(
            json!({"200": {"content": {"application/x-ndjson": {}}}})
        ));
        assert!(!only_json(json!({"default": json_body})));
        assert!(!json_success_only(None));
    }

    #[test]
    fn inference_finds_page_numbers_and_cursors_of_integer_and_string_parameters() {
        let items = json!({"data": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}, "total": {"type": "integer"}, "next_cursor": {"type": "string"}});
        let mut s = spec(&["page", "per_page"], items.clone());
        for p in s["paths"]["/things"]["get"]["parameters"]
            .as_array_mut()
            .unwrap()
        {
            p["schema"]["type"] = json!("integer");
        }
        let found = infer(&s, &[]);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].style(),
            "page `page` from 1 + per_page, items `data`"
        );
        assert_eq!(found[0].total.as_deref(), Some("total"));
        // A `page` the spec types as a string is not a page number this paginator can send.
        assert!(infer(&spec(&["page", "per_page"], items.clone()), &[]).is_empty());
        let cursor = infer(&spec(&["cursor"], items.clone()), &[]);
        assert_eq!(
            cursor[0].style(),
            "cursor `cursor` <- `next_cursor`, items `data`"
        );
        // A described operation is not inferred again.
        let s2 = spec(&["cursor"], items);
        let described = describe(
            "paginators: [{operation: find_things, cursor: {param: cursor, response: next_cursor}, items: data}]",
        );
        assert!(infer(&s2, &described).is_empty());
    }

    fn describe(yaml: &str) -> Vec<Description> {
        serde_yaml::from_str::<Descriptions>(yaml)
            .unwrap()
            .paginators
    }

    fn text(tokens: TokenStream) -> String {
        prettyplease::unparse(&syn::parse2(tokens).unwrap())
            .split_whitespace()
            .collect()
    }

    #[test]
    fn page_and_page_size() {
        let s = spec(
            &["page", "pageSize"],
            json!({"data": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}, "total": {"type": "integer"}}),
        );
        let d = describe(
            "paginators: [{operation: find_things, page: {param: page}, size: {param: pageSize}, items: data, total: total}]",
        );
        let t = text(generate(&s, &d, true).unwrap().0);
        assert!(t.contains("Style::PageNumber{first:1u64"), "{t}");
        assert!(
            t.contains("b=b.page(*n)") && t.contains("b=b.page_size(size)"),
            "{t}"
        );
        assert!(
            t.contains("pubfnpages(self)") && t.contains("typeItem=types::Thing"),
            "{t}"
        );
    }

    #[test]
    fn a_free_form_answer_pages_by_the_fields_described() {
        let mut s = spec(&["page", "pageSize"], json!({}));
        s["components"]["schemas"]["FindThingsResponse"] = json!({"type": "object"});
        let d = describe(
            "paginators: [{operation: find_things, page: {param: page}, size: {param: pageSize}, items: data, total: total}]",
        );
        let t = text(generate(&s, &d, true).unwrap().0);
        assert!(t.contains("typeItem=::serde_json::Value"), "{t}");
        assert!(
            t.contains("free_form::check(&page.0,page.status(),\"data\",Some(\"total\"),)?")
                && t.contains("free_form::info(&page.0,\"data\",Some(\"total\"),None)")
                && t.contains("free_form::items(page.0,\"data\")"),
            "{t}"
        );
        // Not inferred: nothing in the spec says which field holds the items.
        assert!(infer(&s, &[]).is_empty());
        // A point in time, or an answer with typed extra keys, is not free-form paging.
        let pit = describe(
            "paginators: [{operation: find_things, cursor: {param: page, response: next}, point_in_time: {open_param: page, id_param: page, keep_alive_param: page, keep_alive: 1m, response: pit}, items: data}]",
        );
        let err = format!("{:#}", generate(&s, &pit, true).unwrap_err());
        assert!(err.contains("point in time"), "{err}");
        s["components"]["schemas"]["FindThingsResponse"] =
            json!({"type": "object", "additionalProperties": {"type": "string"}});
        let err = format!("{:#}", generate(&s, &d, true).unwrap_err());
        assert!(err.contains("not an object with properties"), "{err}");
    }

    #[test]
    fn a_total_nested_in_an_object_of_the_answer() {
        let items = json!({"type": "array", "items": {"$ref": "#/components/schemas/Thing"}});
        let mut s = spec(
            &["page", "per_page"],
            json!({"data": items, "meta": {"$ref": "#/components/schemas/Meta"}}),
        );
        // Every success JSON: `items_as` is offered, whose pages read the total by its path.
        s["paths"]["/things"]["get"]["responses"] =
            json!({"200": {"content": {"application/json": {"schema": {}}}}});
        s["components"]["schemas"]["Meta"] = json!({"type": "object", "properties": {
            "total": {"type": "integer"}, "page": {"type": "integer"}, "inner": {"type": "object", "properties": {"count": {"type": "number"}}}}});
        let d = describe(
            "paginators: [{operation: find_things, page: {param: page}, size: {param: per_page}, items: data, total: meta.total}]",
        );
        let t = text(generate(&s, &d, true).unwrap().0);
        assert!(
            t.contains("total:{usecrate::pagination::nested::{ViaOptionalas_,ViaRequiredas_};(&crate::pagination::nested::Via(&page.meta)).step().and_then(|x|crate::pagination::AsCount::as_count(&x.total))}"),
            "{t}"
        );
        assert!(
            t.contains("constTOTAL:Option<&'staticstr>=Some(\"meta.total\")"),
            "{t}"
        );
        // Two objects deep.
        let deep = describe(
            "paginators: [{operation: find_things, page: {param: page}, items: data, total: meta.inner.count}]",
        );
        let t = text(generate(&s, &deep, true).unwrap().0);
        assert!(
            t.contains(".step().and_then(|x|(&crate::pagination::nested::Via(&x.inner)).step()).and_then(|x|crate::pagination::AsCount::as_count(&x.count))"),
            "{t}"
        );
        // Found without a description, when one object of the answer has a total.
        let mut s2 = s.clone();
        for p in s2["paths"]["/things"]["get"]["parameters"]
            .as_array_mut()
            .unwrap()
        {
            p["schema"]["type"] = json!("integer");
        }
        assert_eq!(infer(&s2, &[])[0].total.as_deref(), Some("meta.total"));
        // Paths that do not fit, and totals that are not counts.
        for (total, wanted) in [
            ("meta.nothing", "the object has no field \"nothing\""),
            (
                "meta.page.total",
                "\"meta.page\" is not an object with properties",
            ),
            ("nothing.total", "no field \"nothing\""),
            ("meta.inner", "\"meta.inner\" is not a number"),
        ] {
            let yaml = format!(
                "paginators: [{{operation: find_things, page: {{param: page}}, items: data, total: {total}}}]"
            );
            let err = format!("{:#}", generate(&s, &describe(&yaml), true).unwrap_err());
            assert!(err.contains(wanted), "{total}: {err}");
        }
        s["components"]["schemas"]["Count"] = json!({"type": "integer"});
        s["components"]["schemas"]["Meta"]["properties"]["total"] =
            json!({"$ref": "#/components/schemas/Count"});
        let err = format!("{:#}", generate(&s, &d, true).unwrap_err());
        assert!(err.contains("is a named schema"), "{err}");
        // Inferred, that listing pages without a total.
        s2["components"] = s["components"].clone();
        let found = infer(&s2, &[]);
        assert_eq!((found.len(), found[0].total.as_deref()), (1, None));
    }

    #[test]
    fn zero_based_page_index() {
        let s = spec(
            &["page_index", "page_size"],
            json!({"items": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}),
        );
        let d = describe(
            "paginators: [{operation: find_things, page: {param: page_index, first: 0}, size: {param: page_size}, items: items}]",
        );
        let t = text(generate(&s, &d, true).unwrap().0);
        assert!(
            t.contains("first:0u64")
                && t.contains("b=b.page_index(*n)")
                && t.contains("total:None"),
            "{t}"
        );
    }

    #[test]
    fn opaque_cursor_under_another_name() {
        let s = spec(
            &["cursor", "size"],
            json!({"results": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}, "next_cursor": {"type": "string"}}),
        );
        let d = describe(
            "paginators: [{operation: find_things, name: by_cursor, cursor: {param: cursor, response: next_cursor}, size: {param: size}, items: results}]",
        );
        let t = text(generate(&s, &d, true).unwrap().0);
        assert!(
            t.contains("Style::Cursor") && t.contains("b=b.cursor(cursor.clone())"),
            "{t}"
        );
        assert!(
            t.contains("next:crate::pagination::AsCursor::as_cursor(&page.next_cursor)"),
            "{t}"
        );
        assert!(
            t.contains("pubfnby_cursor_pages(self)") && t.contains("pubfnby_cursor_items(self)"),
            "{t}"
        );
    }

    #[test]
    fn descriptions_that_do_not_fit_are_errors() {
        let s = spec(
            &["page"],
            json!({"items": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}, "total": {"type": "number"}}),
        );
        for (yaml, wanted) in [
            (
                "paginators: [{operation: find_things, page: {param: pg}, items: items}]",
                "no query parameter \"pg\"",
            ),
            (
                "paginators: [{operation: find_things, page: {param: page}, items: things}]",
                "no field \"things\"",
            ),
            (
                "paginators: [{operation: find_things, items: items}]",
                "exactly one of",
            ),
            (
                "paginators: [{operation: find_things, page: {param: page}, items: total}]",
                "not an array of a named schema",
            ),
        ] {
            let err = format!("{:#}", generate(&s, &describe(yaml), true).unwrap_err());
            assert!(err.contains(wanted), "{yaml}: {err}");
        }
        assert!(
            serde_yaml::from_str::<Descriptions>("paginators: [{operation: x, items: y, typo: 1}]")
                .is_err()
        );
    }
}
