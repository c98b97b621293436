//! `allOf` members closed against each other. Kibana's route schemas converted to OpenAPI write
//! an intersection of objects (`a.and(b)`) as an `allOf` whose members each carry
//! `additionalProperties: false`: read as JSON Schema, a member refuses the fields its siblings
//! declare, no value fits the whole, and typify makes it a type no value has (an empty enum),
//! so such a body cannot be built. The intersection means "the fields of all members": a member
//! closed against a field a sibling declares is opened (its siblings' fields are its own). A
//! field several members declare (a stream's `stream`, each member with its own closed part) is
//! first gathered into one field, the `allOf` of its schemas, so that its parts meet as
//! siblings in turn; an `allOf` member that is only an `allOf` is spliced in. Members that are
//! `$ref`s are read, not changed (the component serves other schemas).

use super::{Change, resolve};
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn run(spec: &mut Value) -> Vec<Change> {
    let snapshot = spec.clone();
    let mut changes = Vec::new();
    super::for_each_object(spec, &mut |at, map| {
        let Some(Value::Array(members)) = map.get_mut("allOf") else {
            return;
        };
        let mut did = Vec::new();
        if splice(members) {
            did.push("nested allOf spliced".to_string());
        }
        let gathered = gather(&snapshot, members);
        if !gathered.is_empty() {
            did.push(format!("fields {gathered:?} of several members gathered"));
        }
        let fields: Vec<Vec<String>> = members.iter().map(|m| fields_of(&snapshot, m)).collect();
        let mut opened = Vec::new();
        for (i, member) in members.iter_mut().enumerate() {
            let siblings: Vec<&String> = fields
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .flat_map(|(_, f)| f)
                .collect();
            if open_against(member, &siblings) {
                opened.push(i.to_string());
            }
        }
        if !opened.is_empty() {
            did.push(format!(
                "member(s) {} refused their siblings' fields: opened",
                opened.join(", ")
            ));
        }
        if !did.is_empty() {
            changes.push(Change {
                pass: "closed_intersections",
                at: at.to_string(),
                what: format!("allOf: {}", did.join("; ")),
            });
        }
    });
    changes
}

/// The fields a member declares.
fn fields_of(spec: &Value, member: &Value) -> Vec<String> {
    resolve(spec, member)
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// Opens a closed inline object that would refuse one of the siblings' fields. Returns whether
/// it was opened. The closed members of a union member are left closed: opened, they let
/// typify distribute the `allOf` over the union, which for Kibana's stream conditions (a union
/// of closed shapes intersected with an object of steps) ran for minutes; closed, the member
/// is a type no value has, and such a value is sent through its parent union's `Unknown`.
fn open_against(member: &mut Value, siblings: &[&String]) -> bool {
    let Some(map) = member.as_object_mut() else {
        return false;
    };
    if map.contains_key("$ref") {
        return false;
    }
    let own = |f: &String| {
        map.get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| p.contains_key(f))
    };
    let refuses = map.get("additionalProperties") == Some(&Value::Bool(false))
        && siblings.iter().any(|f| !own(f));
    refuses && map.remove("additionalProperties").is_some()
}

/// A schema as the parts of its `allOf`s, read through references. This pass runs before
/// reference cycles are broken: an `allOf` that reaches itself again ends there.
fn parts_of<'a>(spec: &'a Value, schema: &'a Value) -> Vec<&'a Value> {
    fn go<'a>(spec: &'a Value, schema: &'a Value, depth: usize, out: &mut Vec<&'a Value>) {
        let schema = resolve(spec, schema);
        match schema.get("allOf").and_then(Value::as_array) {
            Some(all) if depth < 16 => {
                for m in all {
                    go(spec, m, depth + 1, out);
                }
            }
            _ => out.push(schema),
        }
    }
    let mut out = Vec::new();
    go(spec, schema, 0, &mut out);
    out
}

/// Whether a closed part refuses a field another part declares.
fn contradict(spec: &Value, parts: &[&Value]) -> bool {
    let fields: Vec<Vec<String>> = parts.iter().map(|p| fields_of(spec, p)).collect();
    parts.iter().enumerate().any(|(i, p)| {
        p.get("additionalProperties") == Some(&Value::Bool(false))
            && fields
                .iter()
                .enumerate()
                .any(|(j, f)| j != i && f.iter().any(|f| !fields[i].contains(f)))
    })
}

/// Splices in members that are nothing but an `allOf` (a description aside). Returns whether
/// any was.
fn splice(members: &mut Vec<Value>) -> bool {
    let nested = |m: &Value| {
        m.as_object().is_some_and(|m| {
            m.get("allOf").is_some_and(Value::is_array)
                && m.keys()
                    .all(|k| matches!(k.as_str(), "allOf" | "description" | "title"))
        })
    };
    if !members.iter().any(nested) {
        return false;
    }
    let mut flat = Vec::with_capacity(members.len());
    for member in members.drain(..) {
        if nested(&member) {
            if let Value::Object(mut m) = member
                && let Some(Value::Array(inner)) = m.remove("allOf")
            {
                flat.extend(inner);
            }
        } else {
            flat.push(member);
        }
    }
    *members = flat;
    // A spliced member may itself have been an `allOf` of `allOf`s.
    splice(members);
    true
}

/// Gathers each field that several inline members declare, where their schemas' closed parts
/// refuse each other's fields, into the first of them, as the `allOf` of its schemas; the others
/// keep the field, as any value, so that what they refuse stays the same. Returns the fields
/// gathered. A field whose schemas agree is left as written.
fn gather(spec: &Value, members: &mut [Value]) -> Vec<String> {
    let props = |m: &Value| -> Vec<String> {
        m.get("properties")
            .and_then(Value::as_object)
            .filter(|_| m.get("$ref").is_none())
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    };
    let mut first_of: HashMap<String, usize> = HashMap::new();
    let mut repeated = Vec::new();
    for (i, m) in members.iter().enumerate() {
        for name in props(m) {
            match first_of.get(&name) {
                None => {
                    first_of.insert(name, i);
                }
                Some(_) if !repeated.contains(&name) => repeated.push(name),
                Some(_) => {}
            }
        }
    }
    repeated.retain(|name| {
        let parts: Vec<&Value> = members
            .iter()
            .filter(|m| m.get("$ref").is_none())
            .filter_map(|m| m.get("properties")?.get(name))
            .flat_map(|s| parts_of(spec, s))
            .collect();
        contradict(spec, &parts)
    });
    for name in &repeated {
        let first = first_of[name];
        let mut schemas = Vec::new();
        for m in members.iter_mut().skip(first) {
            if m.get("$ref").is_some() {
                continue;
            }
            let Some(schema) = m
                .get_mut("properties")
                .and_then(Value::as_object_mut)
                .and_then(|p| p.get_mut(name))
                .map(|s| std::mem::replace(s, json!({})))
            else {
                continue;
            };
            match schema {
                Value::Object(mut s) if s.len() == 1 && s.contains_key("allOf") => {
                    if let Some(Value::Array(parts)) = s.remove("allOf") {
                        schemas.extend(parts);
                    }
                }
                other => schemas.push(other),
            }
        }
        let Some(m) = members[first].as_object_mut() else {
            continue;
        };
        if let Some(Value::Object(p)) = m.get_mut("properties") {
            p.insert(name.clone(), json!({ "allOf": schemas }));
        }
    }
    repeated
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_closed_against_their_siblings_are_opened() {
        let mut spec = json!({"components": {"schemas": {
            "Base": {"type": "object", "properties": {"id": {"type": "string"}},
                     "additionalProperties": false},
            "Stream": {"allOf": [
                {"$ref": "#/components/schemas/Base"},
                {"type": "object", "properties": {"name": {"type": "string"}},
                 "additionalProperties": false},
                {"type": "object", "properties": {"name": {"type": "string"}},
                 "additionalProperties": true}
            ]},
            "Alone": {"allOf": [
                {"type": "object", "properties": {"a": {"type": "string"}},
                 "additionalProperties": false},
                {"type": "object", "properties": {"a": {"minLength": 1}},
                 "additionalProperties": false}
            ]}
        }}});
        let changes = run(&mut spec);
        assert_eq!(changes.len(), 1, "{changes:?}");
        let s = &spec["components"]["schemas"];
        // The member closed against `id` is opened; the component behind the `$ref` is not.
        assert!(
            s["Stream"]["allOf"][1]
                .get("additionalProperties")
                .is_none()
        );
        assert_eq!(s["Base"]["additionalProperties"], false);
        // Members that declare the same fields refuse nothing of each other's, and a field
        // whose schemas agree stays where it is.
        assert_eq!(s["Alone"]["allOf"][0]["additionalProperties"], false);
        assert_eq!(
            s["Alone"]["allOf"][1]["properties"]["a"],
            json!({"minLength": 1})
        );
    }

    #[test]
    fn an_all_of_that_reaches_itself_ends() {
        let mut spec = json!({"components": {"schemas": {
            "Loop": {"allOf": [{"$ref": "#/components/schemas/Loop"}]},
            "Body": {"allOf": [
                {"type": "object", "properties": {"x": {"$ref": "#/components/schemas/Loop"}}},
                {"type": "object", "properties": {"x": {"$ref": "#/components/schemas/Loop"}}}
            ]}
        }}});
        run(&mut spec);
        assert!(spec["components"]["schemas"]["Body"]["allOf"].is_array());
    }

    #[test]
    fn a_field_of_several_members_is_gathered_and_its_parts_opened() {
        let closed = |field: &str| {
            json!({"type": "object", "properties": {field: {"type": "string"}},
                   "required": [field], "additionalProperties": false})
        };
        let mut spec = json!({"components": {"schemas": {"Body": {"allOf": [
            {"type": "object", "properties": {"stream": {"allOf": [closed("name")]}},
             "required": ["stream"]},
            {"allOf": [
                {"type": "object", "properties": {"stream": closed("ingest")},
                 "required": ["stream"]},
                {"type": "object", "properties": {"queries": {"type": "array"}}}
            ]}
        ]}}}});
        run(&mut spec);
        let body = &spec["components"]["schemas"]["Body"];
        assert_eq!(body["allOf"].as_array().unwrap().len(), 3, "{body}");
        assert_eq!(body["allOf"][1]["properties"]["stream"], json!({}));
        let stream = &body["allOf"][0]["properties"]["stream"]["allOf"];
        assert_eq!(stream.as_array().unwrap().len(), 2, "{stream}");
        for part in stream.as_array().unwrap() {
            assert!(part.get("additionalProperties").is_none(), "{part}");
        }
    }
}
