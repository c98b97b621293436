//! The operations of a spec (a domain -> normalized spec map, as `generated/openapi.json`
//! holds it), matched by method and path template.

use serde_json::Value;
use std::sync::Arc;

/// The normalized spec of every domain of the vendored spec, as the generator wrote it.
pub(crate) const VENDORED: &str = include_str!("../../generated/openapi.json");

/// One operation.
pub(crate) struct Route {
    pub method: String,
    /// The path template, e.g. `/api/fleet/agents/{agentId}`.
    pub path: String,
    segments: Vec<Segment>,
    /// The client method name (the normalized operationId).
    pub operation: String,
    /// The operation as the spec has it.
    pub op: Value,
    /// Its domain's spec, to resolve `$ref`s.
    pub spec: Arc<Value>,
}

enum Segment {
    Literal(String),
    Param(String),
}

impl Route {
    /// The path parameters, if `path` is this route's.
    pub fn matches(&self, method: &str, path: &str) -> Option<Vec<(String, String)>> {
        if !self.method.eq_ignore_ascii_case(method) {
            return None;
        }
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (segment, part) in self.segments.iter().zip(parts) {
            match segment {
                Segment::Literal(l) if l == part => {}
                Segment::Literal(_) => return None,
                Segment::Param(name) => params.push((name.clone(), crate::server::decode(part))),
            }
        }
        Some(params)
    }
}

/// Every route of `specs` (domain -> normalized spec). Literal segments win over parameters
/// (`/agents/bulk_reassign` before `/agents/{id}`).
pub(crate) fn of(specs: &Value) -> Vec<Route> {
    let mut routes = Vec::new();
    for domain in specs.as_object().into_iter().flat_map(|d| d.values()) {
        let spec = Arc::new(domain.clone());
        for (path, item) in domain
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            for (method, op) in item.as_object().into_iter().flatten() {
                let Some(operation) = op.get("operationId").and_then(Value::as_str) else {
                    continue;
                };
                let segments = path
                    .trim_start_matches('/')
                    .split('/')
                    .map(
                        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(name) => Segment::Param(name.to_string()),
                            None => Segment::Literal(s.to_string()),
                        },
                    )
                    .collect();
                routes.push(Route {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    segments,
                    operation: operation.to_string(),
                    op: op.clone(),
                    spec: spec.clone(),
                });
            }
        }
    }
    routes.sort_by_key(|r| {
        std::cmp::Reverse(
            r.segments
                .iter()
                .filter(|s| matches!(s, Segment::Literal(_)))
                .count(),
        )
    });
    routes
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operation_is_routed() {
        let specs: serde_json::Value = serde_json::from_str(super::VENDORED).unwrap();
        let routes = super::of(&specs);
        let operations: usize = specs
            .as_object()
            .unwrap()
            .values()
            .flat_map(|d| d["paths"].as_object().unwrap().values())
            .map(|item| item.as_object().unwrap().len())
            .sum();
        assert_eq!(routes.len(), operations);
        let find = |m: &str, p: &str| {
            routes
                .iter()
                .find_map(|r| r.matches(m, p).map(|params| (r.operation.clone(), params)))
        };
        assert_eq!(
            find("POST", "/api/fleet/agents/bulk_reassign").unwrap().0,
            "post_fleet_agents_bulk_reassign"
        );
        let (op, params) = find("POST", "/api/fleet/agents/a%2Fb/upgrade").unwrap();
        assert_eq!(op, "post_fleet_agents_agentid_upgrade");
        assert_eq!(params, [("agentId".to_string(), "a/b".to_string())]);
        assert!(find("GET", "/api/nothing").is_none());
    }
}
