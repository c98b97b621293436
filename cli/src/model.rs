//! The operation model the client is generated from (`generated/operations.json` and the
//! normalized spec `generated/openapi.json`), read into what a command needs: each operation's
//! name, help, parameters with their types and allowed values, and how it takes a body.

use serde_json::{Map, Value};
use std::sync::OnceLock;

const OPERATIONS: &str = include_str!("../../generated/operations.json");
const SPECS: &str = include_str!("../../generated/openapi.json");

/// kbn's own flags, which no parameter's flag may take.
pub const RESERVED: &[&str] = &[
    "url",
    "api-key",
    "space",
    "dry-run",
    "compact",
    "body",
    "file",
    "help",
    "version",
    "all",
    "limit",
    "profile",
    "output",
    "verbose",
    "concurrency",
];

/// How a flag's text becomes the parameter's JSON value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    /// A JSON value written out (objects, unions).
    Json,
}

/// One path or query parameter.
#[derive(Clone, Debug)]
pub struct Param {
    /// The name on the wire (`perPage`).
    pub name: String,
    /// The flag (`per-page`), from the client's setter name.
    pub flag: String,
    /// The setter name `invoke` takes (`per_page`).
    pub setter: String,
    /// `path` or `query`.
    pub location: String,
    pub required: bool,
    pub kind: Kind,
    /// A list (repeat the flag, or separate values with commas).
    pub list: bool,
    /// The values an enum allows.
    pub values: Vec<String>,
    pub help: String,
}

/// How an operation takes its request body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    None,
    /// JSON, from `--body FILE` or `-`.
    Json {
        required: bool,
    },
    /// Bytes from a file, sent as one of these media types (an archive, an ndjson import).
    File {
        media_types: Vec<String>,
    },
}

/// How a paginated operation pages (from the model's `pagination`).
#[derive(Clone, Debug, Default)]
pub struct Paging {
    /// The page-number parameter's setter, and the first page's number.
    pub page: Option<(String, u64)>,
    /// The cursor parameter's setter, and the answer's field holding the next cursor.
    pub cursor: Option<(String, String)>,
    /// The page-size parameter's setter.
    pub size: Option<String>,
    /// The answer's field holding the page's items.
    pub items: String,
    /// The answer's field holding the total, if any.
    pub total: Option<String>,
}

/// One operation: a subcommand of its domain.
#[derive(Clone, Debug)]
pub struct Operation {
    pub domain: String,
    /// The subcommand (`get-fleet-agents`).
    pub command: String,
    /// The client method `invoke` takes (`get_fleet_agents`).
    pub rust_method: String,
    pub method: String,
    pub path: String,
    pub params: Vec<Param>,
    pub body: Body,
    /// The JSON body's simple top-level fields (strings, numbers, booleans, enums and lists of
    /// them), each a flag too; `location` is `body`, `setter` the flag's id (`body.name`).
    pub fields: Vec<Param>,
    /// How it pages, when it does.
    pub paging: Option<Paging>,
    pub about: String,
    pub long_about: String,
}

/// Every operation, in the model's order.
pub fn operations() -> &'static [Operation] {
    static ALL: OnceLock<Vec<Operation>> = OnceLock::new();
    ALL.get_or_init(|| {
        let model: Value = serde_json::from_str(OPERATIONS).expect("generated/operations.json");
        let specs: Value = serde_json::from_str(SPECS).expect("generated/openapi.json");
        model["operations"]
            .as_array()
            .map(|ops| ops.iter().map(|op| operation(&specs, op)).collect())
            .unwrap_or_default()
    })
}

/// The domains, in the model's order.
pub fn domains() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for op in operations() {
        if !out.contains(&op.domain.as_str()) {
            out.push(&op.domain);
        }
    }
    out
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// Follows `$ref`s within the domain's spec.
fn resolve<'a>(spec: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| spec.pointer(p))
        {
            Some(target) => schema = target,
            None => break,
        }
    }
    schema
}

fn kind_of(spec: &Value, schema: &Value) -> Kind {
    let schema = resolve(spec, schema);
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => Kind::String,
        Some("integer") => Kind::Integer,
        Some("number") => Kind::Number,
        Some("boolean") => Kind::Boolean,
        Some(_) => Kind::Json,
        // An enum without a type is of its values' type; a union is written out as JSON.
        None if schema.get("enum").is_some() => Kind::String,
        None => Kind::Json,
    }
}

fn enum_values(spec: &Value, schema: &Value) -> Vec<String> {
    resolve(spec, schema)
        .get("enum")
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Null => None,
                    other => Some(other.to_string()),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn first_sentence(description: &str) -> String {
    let line = description
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let end = line.find(". ").map_or(line.len(), |i| i + 1);
    line[..end].trim().to_string()
}

fn operation(specs: &Value, op: &Value) -> Operation {
    let domain = text(&op["domain"]).to_string();
    let method = text(&op["method"]).to_string();
    let path = text(&op["path"]).to_string();
    let spec = &specs[&domain];
    let empty = Value::Object(Map::new());
    let spec_op = spec
        .get("paths")
        .and_then(|p| p.get(&path))
        .and_then(|item| item.get(method.to_lowercase()))
        .unwrap_or(&empty);
    let declared: Vec<&Value> = spec_op
        .get("parameters")
        .and_then(Value::as_array)
        .map(|p| p.iter().collect())
        .unwrap_or_default();
    let params: Vec<Param> = op["parameters"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    let name = text(&p["name"]).to_string();
                    let declared = declared
                        .iter()
                        .map(|d| resolve(spec, d))
                        .find(|d| d["name"] == name.as_str());
                    let schema = declared
                        .and_then(|d| d.get("schema"))
                        .unwrap_or(&Value::Null);
                    let resolved = resolve(spec, schema);
                    let list = resolved.get("type").and_then(Value::as_str) == Some("array");
                    let item = if list {
                        resolved.get("items").unwrap_or(&Value::Null)
                    } else {
                        schema
                    };
                    let setter = text(&p["setter"]).to_string();
                    let flag = setter.replace('_', "-");
                    Param {
                        // A parameter named like one of kbn's own flags (detection rules'
                        // `dry_run`) gets a `param-` prefix.
                        flag: if RESERVED.contains(&flag.as_str()) {
                            format!("param-{flag}")
                        } else {
                            flag
                        },
                        setter,
                        location: text(&p["in"]).to_string(),
                        required: p["required"] == true,
                        kind: kind_of(spec, item),
                        list,
                        values: enum_values(spec, item),
                        help: declared
                            .and_then(|d| d.get("description"))
                            .map(|d| first_sentence(text(d)))
                            .unwrap_or_default(),
                        name,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let media_types: Vec<String> = op["body_content_types"]
        .as_array()
        .map(|a| a.iter().map(|t| text(t).to_string()).collect())
        .unwrap_or_default();
    let octets = spec_op
        .pointer("/requestBody/content/application~1octet-stream")
        .is_some();
    // A form of fields is sent from JSON; raw bytes (archives, ndjson files) from a file.
    let form = op["multipart_fields"] == true;
    let json = op.get("body_type").is_some() && media_types.is_empty() && !octets;
    let body = if form || json {
        match op.get("body_type") {
            Some(_) => Body::Json {
                required: spec_op.pointer("/requestBody/required") == Some(&Value::Bool(true)),
            },
            None => Body::None,
        }
    } else if !media_types.is_empty() || octets {
        Body::File {
            media_types: if media_types.is_empty() {
                vec!["application/octet-stream".into()]
            } else {
                media_types
            },
        }
    } else {
        Body::None
    };
    let setter = |name: &Value| -> Option<String> {
        params
            .iter()
            .find(|p: &&Param| p.name == text(name))
            .map(|p| p.setter.clone())
    };
    let paging = op.get("pagination").and_then(|g| {
        let paging = Paging {
            page: g
                .get("page")
                .and_then(|p| Some((setter(&p["param"])?, p["first"].as_u64().unwrap_or(1)))),
            cursor: g
                .get("cursor")
                .and_then(|c| Some((setter(&c["param"])?, text(&c["response"]).to_string()))),
            size: g.get("size").and_then(|s| setter(&s["param"])),
            items: text(&g["items"]).to_string(),
            total: g.get("total").map(|t| text(t).to_string()),
        };
        (!paging.items.is_empty() && (paging.page.is_some() || paging.cursor.is_some()))
            .then_some(paging)
    });
    let fields = match body {
        Body::Json { .. } => body_fields(spec, spec_op, &params),
        _ => Vec::new(),
    };
    let summary = text(&spec_op["summary"]).to_string();
    let description = text(&spec_op["description"]).to_string();
    Operation {
        command: text(&op["rust_method"]).replace('_', "-"),
        rust_method: text(&op["rust_method"]).to_string(),
        about: if summary.is_empty() {
            first_sentence(&description)
        } else {
            summary.clone()
        },
        long_about: [format!("{method} {path}"), summary, description]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n"),
        domain,
        method,
        path,
        params,
        body,
        fields,
        paging,
    }
}

/// `perPage` and `per_page` as `per-page`.
fn kebab(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('-') {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else if c == '_' || c == '.' || c == ' ' {
            out.push('-');
        } else {
            out.push(c);
        }
    }
    out
}

/// The body's simple top-level fields as flags. A field whose flag another flag already has
/// gets a `body-` prefix; one that still clashes, or whose flag would not be a plain word, is
/// left to `--body`.
fn body_fields(spec: &Value, spec_op: &Value, params: &[Param]) -> Vec<Param> {
    let Some(schema) = spec_op.pointer("/requestBody/content/application~1json/schema") else {
        return Vec::new();
    };
    let schema = resolve(spec, schema);
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut taken: Vec<String> = params.iter().map(|p| p.flag.clone()).collect();
    taken.extend(RESERVED.iter().map(|r| r.to_string()));
    let mut out = Vec::new();
    for (name, field) in properties {
        let resolved = resolve(spec, field);
        if resolved.get("readOnly") == Some(&Value::Bool(true)) {
            continue;
        }
        let list = resolved.get("type").and_then(Value::as_str) == Some("array");
        let item = if list {
            resolved.get("items").unwrap_or(&Value::Null)
        } else {
            field
        };
        let kind = kind_of(spec, item);
        if kind == Kind::Json {
            continue;
        }
        let plain = kebab(name);
        if !plain.starts_with(|c: char| c.is_ascii_lowercase())
            || plain.ends_with('-')
            || plain.contains("--")
            || !plain
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            continue;
        }
        let Some(flag) = [plain.clone(), format!("body-{plain}")]
            .into_iter()
            .find(|f| !taken.contains(f))
        else {
            continue;
        };
        taken.push(flag.clone());
        out.push(Param {
            setter: format!("body.{name}"),
            flag,
            location: "body".into(),
            required: required.contains(&name.as_str()),
            kind,
            list,
            values: enum_values(spec, item),
            help: resolved
                .get("description")
                .map(|d| first_sentence(text(d)))
                .unwrap_or_default(),
            name: name.clone(),
        });
    }
    out
}
