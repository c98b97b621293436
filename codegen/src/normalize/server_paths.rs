//! Paths relative to a server path. An operation's URL is its server's URL followed by its
//! path, so a spec whose server is `http://localhost:5601/api/fleet` (or `/api/fleet`, or
//! `{scheme}://{host}/api/fleet` with variables) writes `/agents` for `/api/fleet/agents`. The
//! client's base URL is Kibana's root, so the server's path is put in front of every path.
//! Kibana's own bundles name the host only (`https://{kibana_url}`, `/`), which changes nothing.
//! The server keeps its host only, so that the document still says the same URLs (an independent
//! mock server serving it answers the paths the client sends). A spec whose every path already
//! starts with the server's path says it twice; it is left as it is, and reported. A spec whose
//! every path is a whole Kibana route (`/api/...`, `/internal/...`, `/s/{spaceId}/...`) names
//! in its server the base path of the Kibana it was written from (`server.basePath`, such as a
//! developer's `http://localhost:5603/abc`): that path belongs to one deployment, and the
//! client's base URL carries the user's own, so the server keeps its host and the paths stay.

use super::Change;
use serde_json::{Map, Value};

pub fn run(spec: &mut Value) -> Vec<Change> {
    let Some(prefix) = server_path(spec) else {
        return Vec::new();
    };
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return Vec::new();
    };
    let under = |p: &str| p == prefix || p.starts_with(&format!("{prefix}/"));
    if !paths.is_empty() && paths.keys().all(|p| under(p)) {
        return vec![Change {
            pass: "server_paths",
            at: "/servers/0/url".into(),
            what: format!(
                "every path already starts with the server's path {prefix}: kept as written"
            ),
        }];
    }
    if !paths.is_empty() && paths.keys().all(|p| kibana_route(p)) {
        keep_origin(spec);
        return vec![Change {
            pass: "server_paths",
            at: "/servers/0/url".into(),
            what: format!(
                "every path is a whole Kibana route: {prefix} is a deployment's base path, dropped"
            ),
        }];
    }
    let old = std::mem::take(paths);
    let mut changes = Vec::new();
    let mut new = Map::new();
    for (path, item) in old {
        let full = format!("{prefix}{path}");
        changes.push(Change {
            pass: "server_paths",
            at: path,
            what: format!("-> {full}: the server's path comes first"),
        });
        new.insert(full, item);
    }
    *paths = new;
    keep_origin(spec);
    changes
}

/// Whether a path is one of Kibana's own routes, whole: its public and internal APIs live
/// under `/api/` and `/internal/`, in a space under `/s/{spaceId}/`.
fn kibana_route(path: &str) -> bool {
    ["/api/", "/internal/", "/s/"]
        .iter()
        .any(|root| path.starts_with(root))
}

/// The first server without its path (its variables kept); the others named other paths.
fn keep_origin(spec: &mut Value) {
    if let Some(servers) = spec.get_mut("servers").and_then(Value::as_array_mut) {
        servers.truncate(1);
        if let Some(url) = servers[0].get_mut("url") {
            let origin = split(url.as_str().unwrap_or_default()).0;
            *url = Value::String(if origin.is_empty() { "/" } else { origin }.to_string());
        }
    }
}

/// A server URL as its origin (`scheme://host`, empty for a relative URL) and its path.
fn split(url: &str) -> (&str, &str) {
    match url.find("://") {
        Some(scheme_end) => {
            let after = scheme_end + 3;
            let path_start = url[after..].find('/').map_or(url.len(), |i| after + i);
            url.split_at(path_start)
        }
        None => ("", url),
    }
}

/// The path of the spec's first server URL, its variables replaced by their defaults, without
/// a trailing `/`; `None` when it is empty or `/`.
fn server_path(spec: &Value) -> Option<String> {
    let server = spec.get("servers")?.as_array()?.first()?;
    let mut url = server.get("url")?.as_str()?.to_string();
    if let Some(vars) = server.get("variables").and_then(Value::as_object) {
        for (name, var) in vars {
            if let Some(default) = var.get("default").and_then(Value::as_str) {
                url = url.replace(&format!("{{{name}}}"), default);
            }
        }
    }
    let path = split(&url).1;
    // A query or fragment is no part of a server's path.
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let path = path.trim_end_matches('/');
    // A variable without a default, or a relative path without its `/`, names no known path.
    if path.is_empty() || path.contains('{') || !path.starts_with('/') {
        return None;
    }
    Some(path.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths_after(servers: Value, paths: &[&str]) -> Vec<String> {
        let mut spec = json!({
            "servers": servers,
            "paths": paths.iter().map(|p| (p.to_string(), json!({}))).collect::<Map<_, _>>()
        });
        run(&mut spec);
        spec["paths"].as_object().unwrap().keys().cloned().collect()
    }

    #[test]
    fn the_server_keeps_its_host() {
        for (url, host) in [
            ("http://localhost:5601/api/fleet", "http://localhost:5601"),
            ("/api/fleet", "/"),
        ] {
            let mut spec = json!({
                "servers": [{"url": url}, {"url": "http://other/api/x"}],
                "paths": {"/agents": {}}
            });
            run(&mut spec);
            assert_eq!(spec["servers"], json!([{"url": host}]));
        }
    }

    #[test]
    fn server_paths_come_first() {
        for servers in [
            json!([{"url": "http://localhost:5601/api/fleet"}]),
            json!([{"url": "/api/fleet/"}]),
            json!([{"url": "{scheme}://{host}/api/fleet", "variables": {
                "scheme": {"default": "https"}, "host": {"default": "kb.example.com:443"}
            }}]),
            json!([{"url": "{base}", "variables": {"base": {"default": "/api/fleet"}}}]),
        ] {
            assert_eq!(
                paths_after(servers.clone(), &["/agents", "/agents/{agentId}"]),
                ["/api/fleet/agents", "/api/fleet/agents/{agentId}"],
                "{servers}"
            );
        }
    }

    #[test]
    fn a_deployments_base_path_is_dropped() {
        let paths = [
            "/api/streams/{name}",
            "/internal/streams",
            "/s/{spaceId}/api/x",
        ];
        let mut spec = json!({
            "servers": [{"url": "http://localhost:5603/abc"}],
            "paths": paths.iter().map(|p| (p.to_string(), json!({}))).collect::<Map<_, _>>()
        });
        let changes = run(&mut spec);
        assert_eq!(spec["servers"], json!([{"url": "http://localhost:5603"}]));
        let kept: Vec<&String> = spec["paths"].as_object().unwrap().keys().collect();
        assert_eq!(kept, paths);
        assert!(changes[0].what.contains("base path"), "{}", changes[0].what);
        // A path that is not a whole route still gets the server's path.
        assert_eq!(
            paths_after(json!([{"url": "/kibana"}]), &["/api/x", "/status"]),
            ["/kibana/api/x", "/kibana/status"]
        );
    }

    #[test]
    fn host_only_servers_and_doubled_paths_stay() {
        let paths = ["/api/fleet/agents", "/api/fleet/agents/{agentId}"];
        for servers in [
            json!([{"url": "https://{kibana_url}", "variables": {"kibana_url": {"default": "localhost:5601"}}}]),
            json!([{"url": "/"}]),
            json!([{"url": "http://localhost:5601"}]),
            json!([{"url": "https://kb.example.com/{basePath}"}]),
            json!([]),
            json!([{"url": "http://localhost:5601/api/fleet"}]),
        ] {
            assert_eq!(paths_after(servers.clone(), &paths), paths, "{servers}");
        }
    }
}
