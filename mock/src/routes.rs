//! The operations of the vendored spec (from `generated/openapi.json`), matched by method and
//! path template, with the example each answers by default.

use serde_json::Value;
use std::sync::OnceLock;

/// The normalized spec of every domain, as the generator wrote it.
const SPEC: &str = include_str!("../../generated/openapi.json");

/// One operation.
pub(crate) struct Route {
    pub method: String,
    segments: Vec<Segment>,
    /// The client method name (the normalized operationId).
    pub operation: String,
    /// The first example of the success response, if the spec has one.
    pub example: Option<(u16, Value)>,
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

fn first_success_example(op: &Value) -> Option<(u16, Value)> {
    let responses = op.get("responses")?.as_object()?;
    responses.iter().find_map(|(status, response)| {
        let code: u16 = status.parse().ok().filter(|c| (200..300).contains(c))?;
        let media = response.get("content")?.as_object()?.values().next()?;
        let example = media
            .get("examples")?
            .as_object()?
            .values()
            .next()?
            .get("value")?
            .clone();
        Some((code, example))
    })
}

/// Every route of the spec.
pub(crate) fn all() -> &'static [Route] {
    static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let spec: Value = serde_json::from_str(SPEC).unwrap_or(Value::Null);
        let mut routes = Vec::new();
        for domain in spec.as_object().into_iter().flat_map(|d| d.values()) {
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
                        segments,
                        operation: operation.to_string(),
                        example: first_success_example(op),
                    });
                }
            }
        }
        // Literal segments win over parameters (`/agents/bulk_reassign` before `/agents/{id}`).
        routes.sort_by_key(|r| {
            std::cmp::Reverse(
                r.segments
                    .iter()
                    .filter(|s| matches!(s, Segment::Literal(_)))
                    .count(),
            )
        });
        routes
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operation_is_routed() {
        let routes = super::all();
        assert_eq!(routes.len(), 25);
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
