//! Rust names for what the spec names: the keyword and case rules in one place (operation
//! methods, fields and parameters as progenitor and typify spell them, type names, domains).

use heck::{ToPascalCase, ToSnakeCase};

/// Rust's keywords (strict, reserved and the 2024 edition's), which are not identifiers.
pub const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Methods a generated domain `Client` already has.
const CLIENT_METHODS: &[&str] = &["new", "new_with_client", "baseurl", "client", "inner"];

/// The Rust method name for an operation id (or a method+path when there is none).
pub fn method_name(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let mut name = cleaned.to_snake_case();
    if name.is_empty() {
        name = "operation".to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("op_{name}");
    }
    if KEYWORDS.contains(&name.as_str()) || CLIENT_METHODS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// progenitor's (and typify's) snake_case name for a parameter or a field: non-identifier
/// characters are word breaks, and a keyword gets a trailing `_`.
pub fn field_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    let s = cleaned.to_snake_case();
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// typify's name for a schema: PascalCase of the name with non-identifier characters as breaks.
pub fn type_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    let mut out = cleaned.to_pascal_case();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out = format!("X{out}");
    }
    out
}

/// A domain (module and cargo feature) name for a Kibana tag that no domain claims:
/// `Machine learning APIs` -> `machine_learning_apis`.
pub fn domain_name(tag: &str) -> String {
    // Words as written, lowercased: `APIs` is one word, not `ap_is`.
    let words: Vec<String> = tag
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut name = words.join("_");
    if name.is_empty() {
        name = "untagged".to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("api_{name}");
    }
    // Cargo features and module names the crates already use.
    const RESERVED: &[&str] = &[
        "default",
        "other",
        "mocks",
        "codegen",
        "httpmock",
        "operations",
    ];
    if KEYWORDS.contains(&name.as_str()) || RESERVED.contains(&name.as_str()) {
        name.push_str("_api");
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(method_name("get-fleet-agents"), "get_fleet_agents");
        assert_eq!(method_name("type"), "type_");
        assert_eq!(method_name("new"), "new_");
        assert_eq!(method_name("/api/x/{id}"), "api_x_id");
        assert_eq!(field_name("perPage"), "per_page");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("kibana.alert.rule"), "kibana_alert_rule");
        assert_eq!(type_name("Fleet_agent"), "FleetAgent");
        assert_eq!(type_name("400_response"), "X400Response");
        assert_eq!(
            domain_name("Machine learning APIs"),
            "machine_learning_apis"
        );
        assert_eq!(
            domain_name("Security Detections API"),
            "security_detections_api"
        );
        assert_eq!(domain_name("saved objects"), "saved_objects");
        assert_eq!(domain_name("-"), "untagged");
        assert_eq!(domain_name("2fa"), "api_2fa");
    }
}
