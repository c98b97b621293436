//! API domains: Kibana's tags grouped into the modules (and cargo features) of the client.
//! `spec/domains.yaml` maps tags to domains; an operation belongs to the domain of its first tag.
//! A tag the file does not map is a domain of its own, named from the tag (`Machine learning
//! APIs` -> `machine_learning_apis`); an operation without tags goes to `other`. Each domain gets its own copy of the spec holding only its operations and the
//! component schemas they reach, with Kibana's API prefixes stripped from schema names and every
//! name in the Rust type form typify will use, so the manifest can name each type exactly.

use crate::normalize::{METHODS, for_each_operation, reachable_schemas, schema_ref_name};
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub const OTHER: &str = "other";

#[derive(Debug, Deserialize)]
pub struct DomainSpec {
    pub doc: String,
    pub tags: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Domains {
    pub domains: BTreeMap<String, DomainSpec>,
    #[serde(default)]
    pub strip_schema_prefixes: Vec<String>,
}

impl Domains {
    pub fn load(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let domains: Self =
            serde_yaml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        for name in domains.domains.keys() {
            let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !valid || name == OTHER {
                bail!(
                    "{}: domain name {name:?} must be a lowercase Rust identifier other than `other`",
                    path.display()
                );
            }
        }
        Ok(domains)
    }

    /// The domain an operation with these tags belongs to.
    pub fn domain_of(&self, tags: &[String]) -> String {
        tags.first()
            .and_then(|tag| {
                self.domains
                    .iter()
                    .find(|(_, d)| d.tags.iter().any(|t| t == tag))
            })
            .map(|(name, _)| name.clone())
            .or_else(|| tags.first().map(|tag| crate::names::domain_name(tag)))
            .unwrap_or_else(|| OTHER.to_string())
    }

    /// A domain's documentation: from `domains.yaml`, else the description of the spec's tag
    /// the domain is named from, its code blocks fenced as rustdoc reads them (see
    /// `doc_examples`).
    pub fn doc(&self, spec: &Value, domain: &str) -> String {
        let doc = self.written_doc(spec, domain);
        crate::postprocess::mended_fences(&doc).unwrap_or(doc)
    }

    fn written_doc(&self, spec: &Value, domain: &str) -> String {
        if let Some(d) = self.domains.get(domain) {
            return d.doc.clone();
        }
        if domain == OTHER {
            return "Operations without a tag.".to_string();
        }
        let tags = spec.get("tags").and_then(Value::as_array);
        let tag = tags.into_iter().flatten().find(|t| {
            t.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| crate::names::domain_name(n) == domain)
        });
        match tag {
            Some(t) => match t.get("description").and_then(Value::as_str) {
                Some(d) if !d.trim().is_empty() => d.trim().to_string(),
                _ => format!(
                    "Operations Kibana tags `{}`.",
                    t["name"].as_str().unwrap_or(domain)
                ),
            },
            None => format!("Operations of the `{domain}` tag."),
        }
    }
}

fn tags_of(op: &Map<String, Value>) -> Vec<String> {
    op.get("tags")
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Splits a normalized spec into one spec per domain, in domain-name order. Domains with no
/// operation are left out.
pub fn split(spec: &Value, domains: &Domains) -> BTreeMap<String, Value> {
    let mut of_op: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut scratch = spec.clone();
    for_each_operation(&mut scratch, |path, method, op| {
        of_op.insert(
            (path.to_string(), method.to_string()),
            domains.domain_of(&tags_of(op)),
        );
    });
    let names: BTreeSet<&String> = of_op.values().collect();
    names
        .into_iter()
        .map(|domain| {
            let mut part = spec.clone();
            keep_operations(&mut part, |path, method| {
                of_op.get(&(path.to_string(), method.to_string())) == Some(domain)
            });
            prune_components(&mut part);
            rename_schemas(&mut part, &domains.strip_schema_prefixes);
            (domain.clone(), part)
        })
        .collect()
}

/// Removes every operation for which `keep` is false, and path items left empty.
pub fn keep_operations(spec: &mut Value, keep: impl Fn(&str, &str) -> bool) {
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        if let Some(item) = item.as_object_mut() {
            item.retain(|method, _| !METHODS.contains(&method.as_str()) || keep(path, method));
        }
    }
    paths.retain(|_, item| {
        item.as_object()
            .is_some_and(|i| i.keys().any(|k| METHODS.contains(&k.as_str())))
    });
    // Tags of operations that are gone are noise in the domain's docs.
    let mut used = BTreeSet::new();
    for_each_operation(spec, |_, _, op| used.extend(tags_of(op)));
    if let Some(tags) = spec.get_mut("tags").and_then(Value::as_array_mut) {
        tags.retain(|t| {
            t.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| used.contains(n))
        });
    }
}

/// Keeps only the component schemas the remaining operations reach.
pub fn prune_components(spec: &mut Value) {
    let roots: Vec<Value> = spec.get("paths").cloned().into_iter().collect();
    let keep = reachable_schemas(spec, roots.iter());
    if let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.retain(|name, _| keep.contains(name));
    }
    if let Some(components) = spec.get_mut("components").and_then(Value::as_object_mut) {
        // Inlined by the normalize passes; progenitor does not read them.
        for kind in [
            "parameters",
            "requestBodies",
            "responses",
            "examples",
            "headers",
        ] {
            components.remove(kind);
        }
    }
}

/// Renames component schemas to the Rust type names typify will give them (PascalCase), without
/// Kibana's API prefixes where the short name stays unique, and rewrites every `$ref`.
pub fn rename_schemas(spec: &mut Value, prefixes: &[String]) {
    let Some(schemas) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    let old: Vec<String> = schemas.keys().cloned().collect();
    let short = |name: &str| {
        let stripped = prefixes
            .iter()
            .find_map(|p| name.strip_prefix(p.as_str()))
            .unwrap_or(name);
        rust_type_name(stripped)
    };
    let shorts: Vec<String> = old.iter().map(|n| short(n)).collect();
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &shorts {
        *uses.entry(s.as_str()).or_default() += 1;
    }
    // typify names an inline object property's type `{Parent}{Property}`: a short name equal to
    // one of those would define the type twice, so such a schema keeps its prefix.
    let inline: BTreeSet<String> = old
        .iter()
        .zip(&shorts)
        .flat_map(|(name, short)| {
            schemas[name]
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter(|(_, p)| p.get("$ref").is_none() && is_structured(p))
                .map(move |(prop, _)| format!("{short}{}", rust_type_name(prop)))
        })
        .collect();
    for s in shorts.iter().filter(|s| inline.contains(*s)) {
        *uses.entry(s.as_str()).or_default() += 1;
    }
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for (name, wanted) in old.iter().zip(&shorts) {
        let wanted = wanted.clone();
        let unique = uses[wanted.as_str()] == 1;
        let mut new = if unique { wanted } else { rust_type_name(name) };
        let base = new.clone();
        let mut n = 2;
        while !taken.insert(new.clone()) {
            new = format!("{base}{n}");
            n += 1;
        }
        renames.insert(name.clone(), new);
    }
    let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let renamed: Map<String, Value> = std::mem::take(schemas)
        .into_iter()
        .map(|(k, v)| (renames[&k].clone(), v))
        .collect();
    *schemas = renamed;
    rewrite_refs(spec, &renames);
}

fn rewrite_refs(value: &mut Value, renames: &BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            explicit_mapping(map);
            if let Some(mapping) = map
                .get_mut("discriminator")
                .and_then(|d| d.get_mut("mapping"))
                .and_then(Value::as_object_mut)
            {
                for target in mapping.values_mut() {
                    let Some(t) = target.as_str() else { continue };
                    let name = schema_ref_name(t).unwrap_or(t);
                    if let Some(new) = renames.get(name) {
                        *target = json!(format!("#/components/schemas/{new}"));
                    }
                }
            }
            if let Some(Value::String(r)) = map.get("$ref")
                && let Some(new) = schema_ref_name(r).and_then(|n| renames.get(n))
            {
                map.insert(
                    "$ref".to_string(),
                    json!(format!("#/components/schemas/{new}")),
                );
            }
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" {
                    rewrite_refs(child, renames);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rewrite_refs(i, renames)),
        _ => {}
    }
}

/// Whether typify makes a type of its own for an inline schema.
fn is_structured(schema: &Value) -> bool {
    ["properties", "enum", "oneOf", "anyOf", "allOf"]
        .iter()
        .any(|k| schema.get(k).is_some())
        || schema.get("items").is_some_and(is_structured)
}

/// A discriminator without a mapping names each member by its schema name: that name is written
/// into the mapping before schemas are renamed, so the tag values survive the renaming.
fn explicit_mapping(map: &mut Map<String, Value>) {
    let Some(members) = map
        .get("oneOf")
        .or_else(|| map.get("anyOf"))
        .and_then(Value::as_array)
    else {
        return;
    };
    let names: Vec<String> = members
        .iter()
        .filter_map(|m| m.get("$ref").and_then(Value::as_str))
        .filter_map(schema_ref_name)
        .map(str::to_string)
        .collect();
    let Some(discriminator) = map.get_mut("discriminator").and_then(Value::as_object_mut) else {
        return;
    };
    let mapping = discriminator.entry("mapping").or_insert_with(|| json!({}));
    let Some(mapping) = mapping.as_object_mut() else {
        return;
    };
    for name in names {
        let reference = format!("#/components/schemas/{name}");
        let named = mapping
            .values()
            .any(|v| v.as_str().is_some_and(|t| t == reference || t == name));
        if !named {
            mapping.insert(name, json!(reference));
        }
    }
}

pub use crate::names::type_name as rust_type_name;

#[cfg(test)]
mod tests {
    use super::*;

    fn domains() -> Domains {
        serde_yaml::from_str(
            "domains:\n  fleet: {doc: f, tags: [Fleet agents]}\n  security: {doc: s, tags: [roles]}\nstrip_schema_prefixes: [Fleet_, Security_]\n",
        )
        .unwrap()
    }

    #[test]
    fn splits_prunes_and_renames() {
        let spec = json!({
            "paths": {
                "/a": {"get": {"tags": ["Fleet agents"], "responses": {"200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Fleet_agent"}}}}}}},
                "/r": {"get": {"tags": ["roles"], "responses": {"200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Security_agent"}}}}}}},
                "/u": {"get": {"tags": ["Machine learning APIs"]}},
                "/n": {"get": {}}
            },
            "components": {"schemas": {
                "Fleet_agent": {"type": "object", "properties": {"s": {"$ref": "#/components/schemas/Fleet_status"}}},
                "Fleet_status": {"type": "string"},
                "Security_agent": {"type": "object"},
                "Unused": {"type": "object"}
            }}
        });
        let parts = split(&spec, &domains());
        assert_eq!(
            parts.keys().collect::<Vec<_>>(),
            ["fleet", "machine_learning_apis", "other", "security"]
        );
        let fleet = &parts["fleet"];
        let names: Vec<&String> = fleet["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(names, ["Agent", "Status"]);
        assert_eq!(
            fleet["components"]["schemas"]["Agent"]["properties"]["s"]["$ref"],
            "#/components/schemas/Status"
        );
        assert_eq!(
            fleet["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
                ["$ref"],
            "#/components/schemas/Agent"
        );
        assert!(fleet["paths"].get("/r").is_none());
    }

    #[test]
    fn keeps_prefix_when_short_names_collide() {
        let mut spec =
            json!({"components": {"schemas": {"Fleet_x": {}, "Security_x": {}, "Fleet_y": {}}}});
        rename_schemas(&mut spec, &["Fleet_".into(), "Security_".into()]);
        let names: Vec<&String> = spec["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(names, ["FleetX", "SecurityX", "Y"]);
    }
}
