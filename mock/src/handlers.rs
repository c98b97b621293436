//! What each operation does. Stateful operations have handlers; every other one answers its
//! spec example.

use crate::MockConfig;
use crate::data;
use crate::server::{Body, Call, error, json};
use bytes::Bytes;
use futures::StreamExt;
use http::{Response, StatusCode};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The mock's mutable state.
pub(crate) struct State {
    pub config: MockConfig,
    /// The operations served.
    routes: Vec<crate::routes::Route>,
    /// Resources of create/read/update/delete families, per space.
    store: crate::generic::Store,
    requests: AtomicU64,
    /// TCP connections accepted, and those still open.
    pub connections: AtomicU64,
    pub open_connections: AtomicU64,
    ids: AtomicU64,
    conversations: Mutex<HashMap<String, Value>>,
    alerts: Mutex<HashMap<String, (String, Vec<String>)>>,
    upgrades: Mutex<HashMap<String, Instant>>,
    /// Serialized agent pages by (start, end): a listing served again costs no rebuilding, so
    /// the mock's own work does not drown a client's in benchmarks.
    pages: Mutex<HashMap<(usize, usize), Bytes>>,
}

impl State {
    pub fn new(config: MockConfig) -> Self {
        let alerts = (0..config.alerts)
            .map(|n| (format!("alert-{n}"), ("open".to_string(), Vec::new())))
            .collect();
        let routes = match &config.spec {
            Some(spec) => crate::routes::of(spec),
            None => crate::routes::of(
                &serde_json::from_str(crate::routes::VENDORED).unwrap_or(Value::Null),
            ),
        };
        Self {
            config,
            routes,
            store: crate::generic::Store::default(),
            requests: AtomicU64::new(0),
            connections: AtomicU64::new(0),
            open_connections: AtomicU64::new(0),
            ids: AtomicU64::new(1),
            conversations: Mutex::new(HashMap::new()),
            alerts: Mutex::new(alerts),
            upgrades: Mutex::new(HashMap::new()),
            pages: Mutex::new(HashMap::new()),
        }
    }

    pub fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub fn alert_status(&self, id: &str) -> Option<String> {
        self.alerts.lock().ok()?.get(id).map(|(s, _)| s.clone())
    }

    /// The JSON array of agents `start..end`.
    fn agent_items(&self, start: usize, end: usize) -> Bytes {
        if let Some(hit) = self
            .pages
            .lock()
            .ok()
            .and_then(|p| p.get(&(start, end)).cloned())
        {
            return hit;
        }
        let items: Vec<Value> = (start..end).map(data::agent).collect();
        let bytes = Bytes::from(serde_json::to_vec(&items).unwrap_or_default());
        if let Ok(mut pages) = self.pages.lock() {
            if pages.len() >= 256 {
                pages.clear();
            }
            pages.insert((start, end), bytes.clone());
        }
        bytes
    }

    fn next_id(&self, prefix: &str) -> String {
        format!("{prefix}-{}", self.ids.fetch_add(1, Ordering::Relaxed))
    }
}

/// Answers `call`.
pub(crate) async fn route(state: &State, call: Call) -> Response<Body> {
    let Some((route, params)) = state
        .routes
        .iter()
        .find_map(|r| r.matches(call.method.as_str(), &call.path).map(|p| (r, p)))
    else {
        return error(StatusCode::NOT_FOUND, "Not Found");
    };
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let answer = match route.operation.as_str() {
        "get_fleet_agents" => list_agents(state, &call).await,
        "get_fleet_agents_agentid" => {
            match data::agent_index(&param("agentId")).filter(|n| *n < state.config.agents) {
                Some(n) => json(StatusCode::OK, &json!({"item": data::agent(n)})),
                None => fleet_error(
                    StatusCode::NOT_FOUND,
                    &format!("Agent {} not found", param("agentId")),
                ),
            }
        }
        "post_fleet_agents_agentid_upgrade" => upgrade(state, &param("agentId"), &call),
        "post_fleet_agents_bulk_reassign" => match call.json() {
            // Fleet looks the policy up before acting: an empty id names none.
            Some(body) if body.get("policy_id") == Some(&json!("")) => {
                fleet_error(StatusCode::NOT_FOUND, "Agent policy  not found")
            }
            Some(body) if body.get("policy_id").is_some() && body.get("agents").is_some() => json(
                StatusCode::OK,
                &json!({"actionId": state.next_id("action")}),
            ),
            _ => fleet_error(
                StatusCode::BAD_REQUEST,
                "[request body]: agents and policy_id are required",
            ),
        },
        "post_fleet_epm_packages" => install_package(&call),
        "post_saved_objects_export" => export(state, &call),
        "create_conversation" => create_conversation(state, &call),
        "read_conversation" => match state
            .conversations
            .lock()
            .ok()
            .and_then(|c| c.get(&param("id")).cloned())
        {
            Some(c) => json(StatusCode::OK, &c),
            None => json(
                StatusCode::NOT_FOUND,
                &json!({"statusCode": 404, "error": "Not Found", "message": format!("conversation id: \"{}\" not found", param("id"))}),
            ),
        },
        "update_conversation" => update_conversation(state, &param("id"), &call),
        "find_prompts" => find_prompts(state, &call),
        "set_alerts_status" => set_alerts_status(state, &call),
        "set_alert_assignees" => set_alert_assignees(state, &call),
        "get_security_role" => json(StatusCode::OK, &roles()),
        _ => return crate::generic::answer(&state.store, &state.routes, route, &params, &call),
    };
    // The handlers' data is made for the vendored spec, which the tests check it against.
    if state.config.spec.is_some() {
        completed(route, answer).await
    } else {
        answer
    }
}

/// A handler's JSON answer with the fields its operation's schema requires and the handler's
/// data lacks (see [`crate::schema::complete`]).
async fn completed(route: &crate::routes::Route, answer: Response<Body>) -> Response<Body> {
    let status = answer.status();
    let is_json = answer
        .headers()
        .get(http::header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
    let schema = route
        .op
        .pointer(&format!("/responses/{}/content", status.as_u16()))
        .and_then(Value::as_object)
        .and_then(|c| {
            c.iter()
                .find(|(media, _)| media.starts_with("application/json"))
        })
        .and_then(|(_, media)| media.get("schema"));
    let Some(schema) = schema.filter(|_| is_json && status.is_success()) else {
        return answer;
    };
    let (mut parts, body) = answer.into_parts();
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(never) => match never {},
    };
    let mut value: Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        Err(_) => return Response::from_parts(parts, crate::server::full(bytes)),
    };
    if !crate::schema::complete(&route.spec, schema, &mut value) {
        return Response::from_parts(parts, crate::server::full(bytes));
    }
    parts.headers.remove(http::header::CONTENT_LENGTH);
    let body = serde_json::to_vec(&value).unwrap_or_default();
    Response::from_parts(parts, crate::server::full(body))
}

fn fleet_error(status: StatusCode, message: &str) -> Response<Body> {
    json(
        status,
        &json!({"statusCode": status.as_u16(), "error": status.canonical_reason().unwrap_or(""), "message": message, "errorType": "FleetError"}),
    )
}

#[allow(clippy::result_large_err)] // the error is the response to send, built once
fn number(call: &Call, name: &str, default: usize) -> Result<usize, Response<Body>> {
    match call.query(name) {
        None => Ok(default),
        // Kibana's number parameters take `2` and `2.0` alike.
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|n| n.fract() == 0.0 && *n >= 0.0)
            .map(|n| n as usize)
            .ok_or_else(|| {
                error(
                    StatusCode::BAD_REQUEST,
                    &format!(
                        "[request query.{name}]: expected value of type [number] but got [string]"
                    ),
                )
            }),
    }
}

async fn list_agents(state: &State, call: &Call) -> Response<Body> {
    if !state.config.page_latency.is_zero() {
        tokio::time::sleep(state.config.page_latency).await;
    }
    let per_page = match number(call, "perPage", 20) {
        Ok(n) => n.clamp(1, 10_000),
        Err(e) => return e,
    };
    let total = state.config.agents;
    let (start, pit) = if let Some(after) = call.query("searchAfter") {
        if call.query("pitId").is_none() {
            return fleet_error(StatusCode::BAD_REQUEST, "searchAfter requires pitId");
        }
        match serde_json::from_str::<Vec<usize>>(after) {
            Ok(v) if !v.is_empty() => (v[0] + 1, true),
            _ => {
                return fleet_error(
                    StatusCode::BAD_REQUEST,
                    "searchAfter must be a JSON array of sort values",
                );
            }
        }
    } else if call.query("openPit") == Some("true") {
        (0, true)
    } else {
        let page = match number(call, "page", 1) {
            Ok(n) => n.max(1),
            Err(e) => return e,
        };
        ((page - 1).saturating_mul(per_page), false)
    };
    let end = start.saturating_add(per_page).min(total);
    let items = state.agent_items(start.min(end), end);
    let page_number = start / per_page + 1;
    let mut body =
        json!({"total": total as f64, "page": page_number as f64, "perPage": per_page as f64});
    if pit {
        body["pit"] = json!("mock-point-in-time");
        if end > start && end < total {
            body["nextSearchAfter"] = json!(format!("[{}]", end - 1));
        }
    }
    if call.query("getStatusSummary") == Some("true") {
        body["statusSummary"] = json!({"online": (total * 3 / 5) as f64, "offline": (total / 5) as f64, "updating": (total / 5) as f64});
    }
    // `{"items":[...],` then the rest of the object, without re-serializing cached items.
    let rest = body.to_string();
    let mut text = Vec::with_capacity(items.len() + rest.len() + 16);
    text.extend_from_slice(b"{\"items\":");
    text.extend_from_slice(&items);
    text.push(b',');
    text.extend_from_slice(&rest.as_bytes()[1..]);
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .body(crate::server::full(text))
        .unwrap_or_else(|_| Response::new(crate::server::full("")))
}

fn upgrade(state: &State, id: &str, call: &Call) -> Response<Body> {
    if data::agent_index(id).is_none_or(|n| n >= state.config.agents) {
        return fleet_error(StatusCode::NOT_FOUND, &format!("Agent {id} not found"));
    }
    if call
        .json()
        .and_then(|b| b.get("version").and_then(Value::as_str).map(str::to_string))
        .is_none()
    {
        return fleet_error(
            StatusCode::BAD_REQUEST,
            "[request body.version]: expected value of type [string] but got [undefined]",
        );
    }
    let Ok(mut upgrades) = state.upgrades.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "state lock");
    };
    let now = Instant::now();
    if let Some(last) = upgrades.get(id)
        && now.duration_since(*last) < state.config.upgrade_cooldown
    {
        // Fleet's per-agent rate limit: no Retry-After, the client backs off.
        return fleet_error(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("agent {id} was upgraded recently; try again later"),
        );
    }
    upgrades.insert(id.to_string(), now);
    json(StatusCode::OK, &json!({}))
}

fn install_package(call: &Call) -> Response<Body> {
    let media = call
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let kind = match media {
        "application/zip" if call.body.starts_with(b"PK") => "zip",
        "application/gzip" if call.body.starts_with(&[0x1f, 0x8b]) => "gzip",
        "application/zip" | "application/gzip" => {
            return fleet_error(
                StatusCode::BAD_REQUEST,
                "Uploaded archive does not match its content type",
            );
        }
        _ => {
            return fleet_error(
                StatusCode::BAD_REQUEST,
                &format!(
                    "Unsupported content type {media:?}: use application/zip or application/gzip"
                ),
            );
        }
    };
    json(
        StatusCode::OK,
        &json!({"_meta": {"install_source": "upload", "name": format!("uploaded-{kind}-package")}, "items": [{"id": "logs-uploaded", "type": "index_template"}]}),
    )
}

fn export(state: &State, call: &Call) -> Response<Body> {
    let Some(body) = call.json() else {
        return error(
            StatusCode::BAD_REQUEST,
            "[request body]: expected a value of type [object]",
        );
    };
    let padding = state.config.saved_object_padding;
    let lines: Vec<Value> = if let Some(objects) = body.get("objects").and_then(Value::as_array) {
        objects
            .iter()
            .map(|o| {
                let t = o.get("type").and_then(Value::as_str).unwrap_or("dashboard");
                let mut v = data::saved_object(0, t, padding);
                v["id"] = o.get("id").cloned().unwrap_or(Value::Null);
                v
            })
            .collect()
    } else if body.get("type").is_some() {
        Vec::new()
    } else {
        return error(
            StatusCode::BAD_REQUEST,
            "Either `type` or `objects` are required.",
        );
    };
    let count = if lines.is_empty() {
        state.config.saved_objects
    } else {
        lines.len()
    };
    let types: Vec<String> = match body.get("type") {
        Some(Value::String(t)) if t != "*" => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => vec![
            "dashboard".into(),
            "visualization".into(),
            "index-pattern".into(),
        ],
    };
    let with_details = !body
        .get("excludeExportDetails")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    // Lines are made as they are sent: an export of any size holds one chunk at a time.
    let chunks = futures::stream::iter(0..count.div_ceil(100)).map(move |chunk| {
        let mut text = String::new();
        for n in chunk * 100..((chunk + 1) * 100).min(count) {
            match lines.get(n) {
                Some(line) => text.push_str(&line.to_string()),
                None => data::write_saved_object(&mut text, n, &types[n % types.len().max(1)], padding),
            }
            text.push('\n');
        }
        if with_details && (chunk + 1) * 100 >= count {
            text.push_str(&json!({"excludedObjects": [], "excludedObjectsCount": 0, "exportedCount": count, "missingRefCount": 0, "missingReferences": []}).to_string());
            text.push('\n');
        }
        Ok::<_, std::convert::Infallible>(Frame::data(Bytes::from(text)))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/x-ndjson")
        .header(
            "content-disposition",
            "attachment; filename=\"export.ndjson\"",
        )
        .body(BodyExt::boxed(StreamBody::new(chunks)))
        .unwrap_or_else(|_| Response::new(crate::server::full("")))
}

fn now() -> String {
    "2025-04-22T10:00:00.000Z".to_string()
}

fn create_conversation(state: &State, call: &Call) -> Response<Body> {
    let Some(Value::Object(mut c)) = call.json() else {
        return ai_error(StatusCode::BAD_REQUEST, "[request body]: expected object");
    };
    if !c.get("title").is_some_and(Value::is_string) {
        return ai_error(StatusCode::BAD_REQUEST, "[request body]: title: Required");
    }
    let id = c
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| state.next_id("conversation"));
    c.insert("id".into(), json!(id));
    c.entry("category").or_insert(json!("assistant"));
    c.entry("messages").or_insert(json!([]));
    c.insert("createdAt".into(), json!(now()));
    c.insert("updatedAt".into(), json!(now()));
    c.insert("namespace".into(), json!("default"));
    // Kibana records the caller as the creator and the only user (its newer specs require
    // `createdBy`).
    let caller = json!({"id": "u_mock", "name": "mock-user"});
    c.insert("createdBy".into(), caller.clone());
    c.insert("users".into(), json!([caller]));
    let c = Value::Object(c);
    if let Ok(mut all) = state.conversations.lock() {
        all.insert(id, c.clone());
    }
    json(StatusCode::OK, &c)
}

fn update_conversation(state: &State, id: &str, call: &Call) -> Response<Body> {
    let Some(Value::Object(update)) = call.json() else {
        return ai_error(StatusCode::BAD_REQUEST, "[request body]: expected object");
    };
    let Ok(mut all) = state.conversations.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "state lock");
    };
    let Some(Value::Object(c)) = all.get_mut(id) else {
        return json(
            StatusCode::NOT_FOUND,
            &json!({"statusCode": 404, "error": "Not Found", "message": format!("conversation id: \"{id}\" not found")}),
        );
    };
    for (k, v) in update {
        if k != "id" {
            c.insert(k, v);
        }
    }
    c.insert("updatedAt".into(), json!(now()));
    json(StatusCode::OK, &Value::Object(c.clone()))
}

fn ai_error(status: StatusCode, message: &str) -> Response<Body> {
    json(
        status,
        &json!({"statusCode": status.as_u16(), "error": status.canonical_reason().unwrap_or(""), "message": message}),
    )
}

fn find_prompts(state: &State, call: &Call) -> Response<Body> {
    let (page, per_page) = match (number(call, "page", 1), number(call, "per_page", 20)) {
        (Ok(p), Ok(s)) => (p.max(1), s),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let total = state.config.prompts;
    let start = (page - 1).saturating_mul(per_page).min(total);
    let data: Vec<Value> = (start..start.saturating_add(per_page).min(total))
        .map(data::prompt)
        .collect();
    json(
        StatusCode::OK,
        &json!({"data": data, "page": page, "perPage": per_page, "total": total}),
    )
}

fn siem_error(status: StatusCode, message: &str) -> Response<Body> {
    json(
        status,
        &json!({"message": message, "status_code": status.as_u16()}),
    )
}

fn set_alerts_status(state: &State, call: &Call) -> Response<Body> {
    let Some(body) = call.json() else {
        return siem_error(StatusCode::BAD_REQUEST, "[request body]: expected object");
    };
    let Some(status) = body
        .get("status")
        .and_then(Value::as_str)
        .filter(|s| ["open", "closed", "acknowledged", "in-progress"].contains(s))
    else {
        return siem_error(
            StatusCode::BAD_REQUEST,
            "[request body]: status: Invalid enum value",
        );
    };
    let Ok(mut alerts) = state.alerts.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "state lock");
    };
    let updated = if let Some(ids) = body.get("signal_ids").and_then(Value::as_array) {
        let mut n = 0;
        for id in ids.iter().filter_map(Value::as_str) {
            if let Some(alert) = alerts.get_mut(id) {
                alert.0 = status.to_string();
                n += 1;
            }
        }
        n
    } else if body.get("query").is_some() {
        alerts
            .values_mut()
            .map(|a| a.0 = status.to_string())
            .count()
    } else {
        return siem_error(
            StatusCode::BAD_REQUEST,
            "[request body]: signal_ids or query is required",
        );
    };
    json(StatusCode::OK, &data::update_by_query(updated))
}

fn set_alert_assignees(state: &State, call: &Call) -> Response<Body> {
    let Some(body) = call.json() else {
        return siem_error(StatusCode::BAD_REQUEST, "[request body]: expected object");
    };
    let list = |k: &str| -> Vec<String> {
        body.pointer(&format!("/assignees/{k}"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let (add, remove) = (list("add"), list("remove"));
    if add.iter().any(|a| remove.contains(a)) {
        return siem_error(
            StatusCode::BAD_REQUEST,
            "Duplicated user ids in assignees: a user cannot be added and removed at once",
        );
    }
    let Ok(mut alerts) = state.alerts.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "state lock");
    };
    let ids: Vec<String> = body
        .get("ids")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let mut updated = 0;
    for id in &ids {
        if let Some((_, assignees)) = alerts.get_mut(id) {
            assignees.retain(|a| !remove.contains(a));
            assignees.extend(
                add.iter()
                    .filter(|a| !assignees.contains(a))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            updated += 1;
        }
    }
    json(StatusCode::OK, &data::update_by_query(updated))
}

fn roles() -> Value {
    json!([
        {"name": "editor", "description": "Edit everything in Kibana", "elasticsearch": {"cluster": [], "indices": [{"names": ["*"], "privileges": ["read", "view_index_metadata"]}], "run_as": []}, "kibana": [{"base": ["all"], "feature": {}, "spaces": ["*"]}], "metadata": {"_reserved": true}, "transient_metadata": {"enabled": true}},
        {"name": "viewer", "description": "View everything in Kibana", "elasticsearch": {"cluster": [], "indices": [{"names": ["*"], "privileges": ["read"]}], "run_as": []}, "kibana": [{"base": ["read"], "feature": {}, "spaces": ["*"]}], "metadata": {"_reserved": true}, "transient_metadata": {"enabled": true}}
    ])
}
