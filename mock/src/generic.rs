//! What the mock does for an operation that has no hand-written behaviour, from the spec alone:
//! it checks the request (required parameters and body fields, their JSON types) and answers
//! 400 in Kibana's shape when it is wrong; it keeps resources of a create/read/update/delete/find
//! family in a store per space (`POST /x` or `POST /x/{id}` creates, `GET /x/{id}` reads,
//! `PUT`/`PATCH`/`POST /x/{id}` updates, `DELETE /x/{id}` deletes, `GET /x` or `/x/_find`
//! finds), answering 404 for an unknown id and 409 for a duplicate. Kibana's Security APIs
//! address an item on the collection path itself (`GET /api/detection_engine/rules?rule_id=`,
//! `PUT /api/exception_lists` with the `id` in the body): where the collection's GET declares
//! an `id` or `*_id` query parameter, such calls read, update and delete by that field.
//! Anything else answers its first success example, or a value of its response schema's shape.

use crate::routes::Route;
use crate::schema::{resolve, synthesize};
use crate::server::{Body, Call, error, json};
use http::{Response, StatusCode};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// The resources of one family in one space: creation number -> (id, resource).
type Family = BTreeMap<u64, (String, Value)>;

/// Resources by (space, family: the collection path), in creation order.
#[derive(Default)]
pub(crate) struct Store {
    families: Mutex<HashMap<(String, String), Family>>,
    next: std::sync::atomic::AtomicU64,
}

/// The first problem with the request, as Kibana words it.
pub(crate) fn validate(route: &Route, params: &[(String, String)], call: &Call) -> Option<String> {
    let spec = &route.spec;
    for p in route
        .op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(name), Some(place)) = (p["name"].as_str(), p["in"].as_str()) else {
            continue;
        };
        let value = match place {
            "query" => call.query(name).map(str::to_string),
            "path" => params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone()),
            _ => continue,
        };
        let schema = resolve(spec, &p["schema"]);
        let ty = schema["type"].as_str().unwrap_or("string");
        match value.filter(|v| !v.is_empty() || place == "query") {
            None if p["required"] == true => {
                return Some(format!(
                    "[request {place}.{name}]: expected value of type [{ty}] but got [undefined]"
                ));
            }
            Some(v) if !text_fits(&v, ty) => {
                return Some(format!(
                    "[request {place}.{name}]: expected value of type [{ty}] but got [{v}]"
                ));
            }
            _ => {}
        }
    }
    let body = route
        .op
        .pointer("/requestBody/content/application~1json/schema")?;
    let required = route.op.pointer("/requestBody/required") == Some(&Value::Bool(true));
    let Some(mut value) = call.json() else {
        return (required || !call.body.is_empty())
            .then(|| "[request body]: expected a JSON object".to_string());
    };
    // A form's fields are text: one its schema types as a string is that text, even when it
    // holds JSON (Streams' content import sends its selection JSON-encoded).
    if call.is_form() {
        let props = crate::schema::properties(spec, body);
        if let Value::Object(fields) = &mut value {
            for (name, field) in fields.iter_mut() {
                let typed_string = props
                    .get(name)
                    .map(|s| crate::schema::resolve(spec, s))
                    .and_then(|s| s.get("type"))
                    == Some(&json!("string"));
                if typed_string && !field.is_string() {
                    *field = Value::String(field.to_string());
                }
            }
        }
    }
    crate::schema::problem(spec, body, &value, "body")
}

/// Whether a query or path value can be of JSON type `ty`.
fn text_fits(v: &str, ty: &str) -> bool {
    match ty {
        "integer" => v.parse::<i64>().is_ok(),
        "number" => v.parse::<f64>().is_ok(),
        "boolean" => v == "true" || v == "false",
        _ => true,
    }
}

/// The operation's first success: its status and example, or its schema's shape.
pub(crate) fn success(route: &Route) -> (StatusCode, Option<Value>) {
    let responses = route.op.get("responses").and_then(Value::as_object);
    let Some((status, response)) = responses
        .into_iter()
        .flatten()
        .find(|(s, _)| s.starts_with('2'))
    else {
        return (StatusCode::OK, None);
    };
    let code = status
        .parse()
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let Some(media) = response
        .get("content")
        .and_then(Value::as_object)
        .and_then(|c| c.values().next())
    else {
        return (code, None);
    };
    let example = media
        .get("examples")
        .and_then(Value::as_object)
        .and_then(|e| e.values().find_map(|x| x.get("value").cloned()));
    let schema = media.get("schema").unwrap_or(&Value::Null);
    // An example that contradicts its own schema would not decode: a value of the schema's
    // shape is answered instead.
    let example = example
        .filter(|e| crate::schema::answer_problem(&route.spec, schema, e, "response").is_none());
    let value = example.unwrap_or_else(|| synthesize(&route.spec, schema));
    (code, Some(value))
}

/// A stateful answer when it fits the operation's schema; otherwise the operation's own answer.
/// Paths look alike where operations differ (`POST /api/fleet/agents` lists agents by action,
/// it creates none): whatever the family logic makes of them, the answer keeps its shape.
fn fitting(route: &Route, code: StatusCode, out: Value, own: Option<&Value>) -> Response<Body> {
    let schema = response_schema(route);
    if crate::schema::answer_problem(&route.spec, &schema, &out, "response").is_none() {
        respond(code, Some(&out))
    } else {
        respond(code, own)
    }
}

fn respond(code: StatusCode, value: Option<&Value>) -> Response<Body> {
    match value {
        Some(v) => json(code, v),
        None => Response::builder()
            .status(code)
            .body(crate::server::full(""))
            .unwrap_or_else(|_| Response::new(crate::server::full(""))),
    }
}

/// How an operation touches its family, if it belongs to one.
enum Role {
    Create(Option<String>),
    Read(String),
    Update(String),
    Delete(String),
    Find,
}

/// The family and role of `route`, when `routes` has both a way to create and to read items
/// of that family.
fn role(
    route: &Route,
    routes: &[Route],
    params: &[(String, String)],
    call: &Call,
) -> Option<(String, Role, Option<String>)> {
    let path = route.path.as_str();
    if let Some(base) = path.strip_suffix("/_find")
        && route.method == "GET"
        && query_keys(base, routes).is_some()
    {
        return Some((base.to_string(), Role::Find, None));
    }
    if let Some(keys) = query_keys(path, routes) {
        return query_role(route, call, &keys).map(|(role, field)| (path.to_string(), role, field));
    }
    let item = |p: &str| -> Option<(String, String)> {
        let (base, last) = p.rsplit_once('/')?;
        let name = last.strip_prefix('{')?.strip_suffix('}')?;
        Some((base.to_string(), name.to_string()))
    };
    let id_of = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let (family, role) = match (route.method.as_str(), item(path)) {
        ("GET", Some((base, name))) => (base, Role::Read(id_of(&name)?)),
        ("DELETE", Some((base, name))) => (base, Role::Delete(id_of(&name)?)),
        ("PUT" | "PATCH", Some((base, name))) => (base, Role::Update(id_of(&name)?)),
        ("POST", Some((base, name))) => {
            // `POST /x/{id}` updates where `POST /x` creates and the item has no PUT or PATCH
            // (data views); otherwise it creates with that id (connectors, rules).
            let id = id_of(&name)?;
            let creates_at_base = routes.iter().any(|r| r.method == "POST" && r.path == base);
            let other_update = routes
                .iter()
                .any(|r| (r.method == "PUT" || r.method == "PATCH") && r.path == path);
            if creates_at_base && !other_update {
                (base, Role::Update(id))
            } else {
                (base, Role::Create(Some(id)))
            }
        }
        ("POST", None) => (path.to_string(), Role::Create(None)),
        ("GET", None) => (path.trim_end_matches("/_find").to_string(), Role::Find),
        _ => return None,
    };
    let has = |method: &str, p: &dyn Fn(&str) -> bool| {
        routes.iter().any(|r| r.method == method && p(&r.path))
    };
    let is_item = |p: &str| item(p).is_some_and(|(b, _)| b == family);
    // A family without a POST creates by PUT on the item (roles: create or update).
    let creates = has("POST", &|p| p == family || is_item(p)) || has("PUT", &is_item);
    let reads = has("GET", &is_item);
    (creates && reads).then_some((family, role, None))
}

/// For a collection whose items are addressed by query parameter: the `id`/`*_id` parameters
/// its GET declares (`id` first), when it also has a POST that creates.
fn query_keys(path: &str, routes: &[Route]) -> Option<Vec<String>> {
    routes
        .iter()
        .any(|r| r.method == "POST" && r.path == path)
        .then_some(())?;
    let get = routes
        .iter()
        .find(|r| r.method == "GET" && r.path == path)?;
    let mut keys: Vec<String> = get
        .op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query")
        .filter_map(|p| p["name"].as_str())
        .filter(|n| *n == "id" || n.ends_with("_id"))
        .map(str::to_string)
        .collect();
    keys.sort_by_key(|k| k != "id");
    (!keys.is_empty()).then_some(keys)
}

/// The role of a call on a query-addressed collection, and the field naming its item (`None`:
/// the store's id).
fn query_role(route: &Route, call: &Call, keys: &[String]) -> Option<(Role, Option<String>)> {
    let field = |k: &String| (k != "id").then(|| k.clone());
    let in_query = || {
        keys.iter()
            .find_map(|k| call.query(k).map(|v| (field(k), v.to_string())))
    };
    let in_body = || {
        let body = call.json()?;
        keys.iter().find_map(|k| {
            body.get(k)
                .and_then(Value::as_str)
                .map(|v| (field(k), v.to_string()))
        })
    };
    match route.method.as_str() {
        "POST" => Some((Role::Create(None), None)),
        "GET" => Some(match in_query() {
            Some((f, v)) => (Role::Read(v), f),
            None => (Role::Find, None),
        }),
        "DELETE" => in_query().map(|(f, v)| (Role::Delete(v), f)),
        "PUT" | "PATCH" => in_body()
            .or_else(in_query)
            .map(|(f, v)| (Role::Update(v), f)),
        _ => None,
    }
}

/// Where a body or answer holds the resource: itself, or its one object property (`item`,
/// `data_view`, `body`...) when only flags stand beside it.
fn slot<'a>(spec: &Value, schema: &Value, value: &'a mut Value) -> &'a mut Value {
    let schema = resolve(spec, schema);
    let props = schema.get("properties").and_then(Value::as_object);
    let objects: Vec<&String> = props
        .into_iter()
        .flatten()
        .filter(|(_, p)| resolve(spec, p).get("properties").is_some())
        .map(|(k, _)| k)
        .collect();
    let holds_id = props.is_some_and(|p| p.contains_key("id"));
    // Beside the resource, only flags may stand (`action: created`, `override: true`).
    let flag = |p: &Value| {
        let p = resolve(spec, p);
        p.get("enum").is_some() || p.get("type").and_then(Value::as_str) == Some("boolean")
    };
    let only_flags_beside =
        |one: &String| props.is_some_and(|p| p.iter().all(|(k, s)| k == one || flag(s)));
    match objects.as_slice() {
        [one] if !holds_id && only_flags_beside(one) => {
            let key = (*one).clone();
            if !value.get(&key).is_some_and(Value::is_object) {
                value[&key] = json!({});
            }
            &mut value[&key]
        }
        _ => value,
    }
}

/// The media type of the first success answer, when it is not JSON (ndjson, text, a file).
fn text_media(route: &Route) -> Option<String> {
    let (_, response) = route
        .op
        .get("responses")?
        .as_object()?
        .iter()
        .find(|(s, _)| s.starts_with('2'))?;
    let media = response.get("content")?.as_object()?.keys().next()?;
    let json = media == "application/json" || media.ends_with("+json");
    (!json).then(|| media.clone())
}

fn response_schema(route: &Route) -> Value {
    route
        .op
        .get("responses")
        .and_then(Value::as_object)
        .and_then(|r| r.iter().find(|(s, _)| s.starts_with('2')))
        .and_then(|(_, r)| r.pointer("/content/application~1json/schema").cloned())
        .unwrap_or(Value::Null)
}

/// The answer of an operation without hand-written behaviour.
pub(crate) fn answer(
    store: &Store,
    routes: &[Route],
    route: &Route,
    params: &[(String, String)],
    call: &Call,
) -> Response<Body> {
    if let Some(problem) = validate(route, params, call) {
        return error(StatusCode::BAD_REQUEST, &problem);
    }
    let (code, example) = success(route);
    let Some((family, role, field)) = role(route, routes, params, call) else {
        // A text answer (an ndjson export) is sent as its text, with its media type.
        if let (Some(media), Some(Value::String(text))) = (text_media(route), &example) {
            return Response::builder()
                .status(code)
                .header("content-type", media)
                .body(crate::server::full(text.clone()))
                .unwrap_or_else(|_| Response::new(crate::server::full("")));
        }
        return respond(code, example.as_ref());
    };
    let spec = &route.spec;
    let Ok(mut families) = store.families.lock() else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the mock's store is poisoned",
        );
    };
    let items = families
        .entry((call.space.clone(), family.clone()))
        .or_default();
    // An item by its id, or by the field the call names it by (`rule_id`).
    let position = |items: &Family, id: &str| {
        items
            .iter()
            .find(|(_, (i, r))| match &field {
                None => i == id,
                Some(f) => r.get(f).and_then(Value::as_str) == Some(id),
            })
            .map(|(k, _)| *k)
    };
    let not_found = |id: &str| {
        error(
            StatusCode::NOT_FOUND,
            &format!(
                "Saved object [{}/{id}] not found",
                family.rsplit('/').next().unwrap_or("object")
            ),
        )
    };
    // The answer's shape with the resource in its slot.
    let answer_with = |resource: &Value| {
        if code == StatusCode::NO_CONTENT {
            return respond(code, None);
        }
        let mut out = example.clone().unwrap_or_else(|| json!({}));
        let target = slot(spec, &response_schema(route), &mut out);
        *target = resource.clone();
        fitting(route, code, out, example.as_ref())
    };
    // A resource as this operation answers it: its answer's slot, with the request's fields.
    // The family's read operation says what a resource looks like (a create may answer only
    // its id); this operation's own answer is the fallback.
    let read = routes.iter().find(|r| {
        r.method == "GET"
            && r.path
                .rsplit_once('/')
                .is_some_and(|(base, last)| base == family && last.starts_with('{'))
    });
    let shaped = |input: &Value| {
        let (shape_route, mut template) = match read {
            Some(r) => (r, success(r).1.unwrap_or_else(|| json!({}))),
            None => (route, example.clone().unwrap_or_else(|| json!({}))),
        };
        let schema = response_schema(shape_route);
        let example_slot = slot(&shape_route.spec, &schema, &mut template).take();
        // Fields neither the request nor the example has come from the schema's shape (an
        // example's empty list gives no item to shape a new one on).
        let mut synthesized = synthesize(&shape_route.spec, &schema);
        let synthesized_slot = slot(&shape_route.spec, &schema, &mut synthesized).take();
        deep_merge(synthesized_slot, &deep_merge(example_slot, input))
    };
    // The resource the request body holds (or the changes to one).
    let input = {
        let mut body = call.json().unwrap_or_else(|| json!({}));
        let body_schema = route
            .op
            .pointer("/requestBody/content/application~1json/schema")
            .cloned()
            .unwrap_or(Value::Null);
        slot(spec, &body_schema, &mut body).take()
    };
    // PUT creates where the family has no POST (create or update).
    let role = match role {
        Role::Update(id)
            if call.method == http::Method::PUT
                && position(items, &id).is_none()
                && upserts(routes, &family) =>
        {
            Role::Create(Some(id))
        }
        other => other,
    };
    match role {
        Role::Create(id) => {
            let mut resource = input;
            if !resource.is_object() {
                resource = json!({});
            }
            // One number per created resource: its order in the family, and its id when the
            // request names none.
            let n = store
                .next
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let id = id
                .or_else(|| {
                    resource
                        .get("id")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .unwrap_or_else(|| format!("mock-{}", n + 1));
            if position(items, &id).is_some() {
                let kind = family.rsplit('/').next().unwrap_or("object");
                return error(
                    StatusCode::CONFLICT,
                    &format!("Saved object [{kind}/{id}] conflict"),
                );
            }
            resource["id"] = json!(id);
            let resource = shaped(&resource);
            items.insert(n, (id, resource.clone()));
            answer_with(&resource)
        }
        Role::Read(id) => match position(items, &id) {
            Some(k) => answer_with(&items[&k].1),
            None => not_found(&id),
        },
        Role::Update(id) => match position(items, &id) {
            Some(k) => {
                if let Some((key, stored)) = items.get_mut(&k) {
                    let merged = deep_merge(stored.take(), &input);
                    *stored = shaped(&merged);
                    stored["id"] = json!(key);
                }
                answer_with(&items[&k].1)
            }
            None => not_found(&id),
        },
        Role::Delete(id) => match position(items, &id) {
            Some(k) => {
                items.remove(&k);
                respond(code, example.as_ref())
            }
            None => not_found(&id),
        },
        Role::Find => {
            let all: Vec<Value> = items.values().map(|(_, v)| v.clone()).collect();
            let mut out = example.clone().unwrap_or_else(|| json!({}));
            list_into(spec, &response_schema(route), &mut out, all, call);
            fitting(route, code, out, example.as_ref())
        }
    }
}

/// Whether a family creates by PUT on its items: it has no POST that creates.
fn upserts(routes: &[Route], family: &str) -> bool {
    !routes.iter().any(|r| {
        r.method == "POST"
            && (r.path == family
                || r.path
                    .rsplit_once('/')
                    .is_some_and(|(b, last)| b == family && last.starts_with('{')))
    })
}

/// `input` laid over `template`: objects field by field, each element of an array over the
/// template's first element; so a resource keeps every field its answer's shape has.
fn deep_merge(template: Value, input: &Value) -> Value {
    match (template, input) {
        (Value::Object(mut t), Value::Object(i)) => {
            for (k, v) in i {
                let base = t.remove(k).unwrap_or(Value::Null);
                t.insert(k.clone(), deep_merge(base, v));
            }
            Value::Object(t)
        }
        (Value::Array(t), Value::Array(i)) => {
            let first = t.into_iter().next().unwrap_or(Value::Null);
            Value::Array(i.iter().map(|v| deep_merge(first.clone(), v)).collect())
        }
        (_, input) => input.clone(),
    }
}

/// Puts `all` (one page of it, by `page`/`perPage`/`per_page`) into the answer's array field.
fn list_into(spec: &Value, schema: &Value, out: &mut Value, all: Vec<Value>, call: &Call) {
    let schema = resolve(spec, schema);
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        *out = Value::Array(all);
        return;
    }
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let Some(field) = props
        .iter()
        .find(|(_, p)| resolve(spec, p).get("type").and_then(Value::as_str) == Some("array"))
        .map(|(k, _)| k.clone())
    else {
        return;
    };
    let size = ["perPage", "per_page", "pageSize", "page_size", "size"]
        .iter()
        .find_map(|k| call.query(k)?.parse::<usize>().ok())
        .unwrap_or(20)
        .max(1);
    let page = call
        .query("page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let total = all.len();
    // Each item as this listing shows items: over its example's first item.
    let template = out
        .get(&field)
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .cloned()
        .unwrap_or(Value::Null);
    let items: Vec<Value> = all
        .into_iter()
        .skip((page - 1) * size)
        .take(size)
        .map(|item| deep_merge(template.clone(), &item))
        .collect();
    if let Value::Object(map) = out {
        map.insert(field, Value::Array(items));
        let mut counters = Map::new();
        counters.insert("total".into(), json!(total));
        counters.insert("page".into(), json!(page));
        for k in ["perPage", "per_page", "pageSize", "page_size"] {
            counters.insert(k.into(), json!(size));
        }
        for (k, v) in counters {
            if props.contains_key(&k) {
                map.insert(k, v);
            }
        }
    }
}
