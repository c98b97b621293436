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
//!
//! An `allOf` of one union and objects (a stream condition, each shape closed, and the
//! steps it guards) is distributed where a closed shape refuses the objects' fields: it
//! becomes the union of each shape merged with the objects. Opening the shapes instead lets
//! typify distribute the `allOf` itself, which ran for minutes on Kibana's stream conditions.

use super::{Change, resolve};
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn run(spec: &mut Value) -> Vec<Change> {
    let snapshot = spec.clone();
    let mut state = Distributed::default();
    let mut changes = Vec::new();
    super::for_each_object(spec, &mut |at, map| {
        visit(&snapshot, &mut state, at, map, &mut changes)
    });
    // Components made for distributed unions hold copies of their shapes, which no traversal
    // has seen yet; they may make more (bounded: a pattern is distributed once).
    for _round in 0..8 {
        let made = std::mem::take(&mut state.made);
        if made.is_empty() {
            break;
        }
        for (name, mut schema) in made {
            let prefix = format!("/components/schemas/{name}");
            super::for_each_object(&mut schema, &mut |at, map| {
                visit(
                    &snapshot,
                    &mut state,
                    &format!("{prefix}{at}"),
                    map,
                    &mut changes,
                )
            });
            if let Some(Value::Object(schemas)) = spec.pointer_mut("/components/schemas") {
                schemas.insert(name, schema);
            }
        }
    }
    changes
}

/// The distributions made so far: each `allOf` (its members as written) distributed over a
/// component's union, and where its union now is, so that a copy of the union's shapes that
/// holds the same `allOf` (a content pack's routing entries hold content packs) refers to it
/// instead of being distributed again, without end.
#[derive(Default)]
struct Distributed {
    at: HashMap<String, String>,
    /// Components made here, not yet in the document: (name, schema).
    made: Vec<(String, Value)>,
    /// Names taken by components made here.
    names: std::collections::HashSet<String>,
    /// Distributions made.
    count: usize,
}

/// The most distributions one run makes: each copies a union's shapes.
const MAX_DISTRIBUTIONS: usize = 1000;

fn visit(
    snapshot: &Value,
    state: &mut Distributed,
    at: &str,
    map: &mut serde_json::Map<String, Value>,
    changes: &mut Vec<Change>,
) {
    let Some(Value::Array(members)) = map.get_mut("allOf") else {
        return;
    };
    let mut did = Vec::new();
    if splice(members) {
        did.push("nested allOf spliced".to_string());
    }
    if let Some(what) = distribute_here(snapshot, state, at, map) {
        did.push(what);
        changes.push(Change {
            pass: "closed_intersections",
            at: at.to_string(),
            what: format!("allOf: {}", did.join("; ")),
        });
        return;
    }
    let Some(Value::Array(members)) = map.get_mut("allOf") else {
        return;
    };
    let gathered = gather(snapshot, members);
    if !gathered.is_empty() {
        did.push(format!("fields {gathered:?} of several members gathered"));
    }
    let fields: Vec<Vec<String>> = members.iter().map(|m| fields_of(snapshot, m)).collect();
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
}

/// Distributes the `allOf` of `map` over its union, when [`distribute`] says so: in place
/// where the union is written inline or `map` is a component of its own, else into a
/// component of its own (named for the union's component and the fields added) that `map`
/// refers to. Returns what it did.
fn distribute_here(
    snapshot: &Value,
    state: &mut Distributed,
    at: &str,
    map: &mut serde_json::Map<String, Value>,
) -> Option<String> {
    if map.contains_key("anyOf") || map.contains_key("oneOf") {
        return None;
    }
    let members = map.get("allOf")?.as_array()?;
    let key = serde_json::to_string(members).ok()?;
    if let Some(target) = state.at.get(&key) {
        let target = target.clone();
        map.remove("allOf");
        map.insert("$ref".into(), json!(target));
        return Some(format!("the same intersection as {target}: refers to it"));
    }
    if state.count >= MAX_DISTRIBUTIONS {
        return None;
    }
    let (kind, mut merged) = distribute(snapshot, members)?;
    let count = merged.len();
    let union_component = members
        .iter()
        .find(|m| kind_of_union(resolve(snapshot, m)).is_some())
        .and_then(|m| {
            m.get("$ref")?
                .as_str()?
                .strip_prefix("#/components/schemas/")
        })
        .map(str::to_string);
    let own_component = at
        .strip_prefix("/components/schemas/")
        .filter(|name| !name.contains('/'))
        .map(str::to_string);
    let target = match (&union_component, &own_component) {
        (None, _) => None,
        (Some(_), Some(own)) => Some((own.clone(), false)),
        (Some(union), None) => {
            let added: Vec<String> = members
                .iter()
                .filter(|m| kind_of_union(resolve(snapshot, m)).is_none())
                .flat_map(|m| fields_of(snapshot, m))
                .take(3)
                .collect();
            let base = format!("{union}_with_{}", added.join("_"));
            let mut name = base.clone();
            let mut n = 2;
            while snapshot
                .pointer(&format!("/components/schemas/{name}"))
                .is_some()
                || state.names.contains(&name)
            {
                name = format!("{base}_{n}");
                n += 1;
            }
            state.names.insert(name.clone());
            Some((name, true))
        }
    };
    // A shape copied from a component may hold this very intersection again.
    if let Some((name, _)) = &target {
        let pointer = format!("#/components/schemas/{name}");
        state.at.insert(key.clone(), pointer.clone());
        for shape in &mut merged {
            refer_to(shape, &key, &pointer);
        }
    }
    state.count += 1;
    map.remove("allOf");
    match target {
        Some((name, true)) => {
            let mut schema = serde_json::Map::new();
            if let Some(d) = map.get("description") {
                schema.insert("description".into(), d.clone());
            }
            schema.insert(kind.into(), Value::Array(merged));
            state.made.push((name.clone(), Value::Object(schema)));
            map.insert("$ref".into(), json!(format!("#/components/schemas/{name}")));
            Some(format!(
                "a union of closed shapes and objects: distributed into component {name}, {kind} of {count} merged shapes"
            ))
        }
        _ => {
            map.insert(kind.into(), Value::Array(merged));
            Some(format!(
                "a union of closed shapes and objects: distributed into {kind} of {count} merged shapes"
            ))
        }
    }
}

/// Replaces, inside a copied shape, each `allOf` written as `key` by a reference to where it
/// was distributed.
fn refer_to(schema: &mut Value, key: &str, pointer: &str) {
    super::for_each_object(schema, &mut |_, map| {
        let same = map
            .get("allOf")
            .and_then(|m| serde_json::to_string(m).ok())
            .is_some_and(|k| k == key);
        if same && !map.contains_key("anyOf") && !map.contains_key("oneOf") {
            map.remove("allOf");
            map.insert("$ref".into(), json!(pointer));
        }
    });
}

fn kind_of_union(schema: &Value) -> Option<&'static str> {
    ["anyOf", "oneOf"]
        .into_iter()
        .find(|k| schema.get(*k).is_some())
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

/// The most shapes a union distributed over an `allOf` may have.
const MAX_SHAPES: usize = 64;

/// The union an `allOf` distributes into, when exactly one member is a union (`anyOf` or
/// `oneOf`, nested unions of the same kind flattened) of object shapes, the other members are
/// objects, and a closed shape refuses a field the objects declare: the union's kind, and each
/// shape merged with the objects (fields added, `required` joined, a field both declare as the
/// `allOf` of its two schemas; a closed shape stays closed, over its new fields too).
fn distribute(spec: &Value, members: &[Value]) -> Option<(&'static str, Vec<Value>)> {
    let mut unions = members
        .iter()
        .enumerate()
        .filter(|(_, m)| kind_of_union(resolve(spec, m)).is_some());
    let (at, union) = unions.next()?;
    if unions.next().is_some() {
        return None;
    }
    let union = resolve(spec, union);
    let kind = kind_of_union(union)?;
    let is_object = |s: &Value| {
        s.is_object()
            && ["allOf", "anyOf", "oneOf", "not"]
                .iter()
                .all(|k| s.get(k).is_none())
            && s.get("type").is_none_or(|t| t == "object")
    };
    let objects: Vec<&Value> = members
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != at)
        .map(|(_, m)| resolve(spec, m))
        .collect();
    if !objects.iter().all(|o| is_object(o)) {
        return None;
    }
    let mut shapes = Vec::new();
    flatten(spec, union, kind, 0, &mut shapes)?;
    if shapes.is_empty() || shapes.len() > MAX_SHAPES || !shapes.iter().all(|s| is_object(s)) {
        return None;
    }
    let added: Vec<String> = objects.iter().flat_map(|o| fields_of(spec, o)).collect();
    let refused = shapes.iter().any(|s| {
        let own = fields_of(spec, s);
        s.get("additionalProperties") == Some(&Value::Bool(false))
            && added.iter().any(|f| !own.contains(f))
    });
    if !refused {
        return None;
    }
    let merged = shapes
        .into_iter()
        .map(|shape| {
            let mut out = shape.clone();
            for object in &objects {
                merge_into(&mut out, object);
            }
            out
        })
        .collect();
    Some((kind, merged))
}

/// A union's members, read through references, with nested unions of the same kind spliced
/// in. `None` where a nested union carries more than its members (it would be lost).
fn flatten<'a>(
    spec: &'a Value,
    union: &'a Value,
    kind: &str,
    depth: usize,
    out: &mut Vec<&'a Value>,
) -> Option<()> {
    if depth > 8 {
        return None;
    }
    for member in union.get(kind)?.as_array()? {
        let member = resolve(spec, member);
        match member.get(kind) {
            Some(_)
                if member
                    .as_object()?
                    .keys()
                    .all(|k| k == kind || k == "description" || k == "title") =>
            {
                flatten(spec, member, kind, depth + 1, out)?
            }
            Some(_) => return None,
            None => out.push(member),
        }
    }
    Some(())
}

/// Adds an object's fields and required names to a shape.
fn merge_into(shape: &mut Value, object: &Value) {
    let Some(shape) = shape.as_object_mut() else {
        return;
    };
    shape.insert("type".into(), json!("object"));
    if let Some(Value::Object(fields)) = object.get("properties") {
        let Value::Object(own) = shape.entry("properties").or_insert_with(|| json!({})) else {
            return;
        };
        for (name, schema) in fields {
            match own.get_mut(name) {
                Some(mine) if mine == schema => {}
                Some(mine) => {
                    let first = std::mem::take(mine);
                    *mine = json!({ "allOf": [first, schema] });
                }
                None => {
                    own.insert(name.clone(), schema.clone());
                }
            }
        }
    }
    if let Some(Value::Array(names)) = object.get("required") {
        let Value::Array(own) = shape.entry("required").or_insert_with(|| json!([])) else {
            return;
        };
        for name in names {
            if !own.contains(name) {
                own.push(name.clone());
            }
        }
    }
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
    fn a_union_of_closed_shapes_is_distributed_over_its_sibling_objects() {
        let shape = |field: &str| {
            json!({"type": "object", "properties": {field: {"type": "string"}},
                   "required": [field], "additionalProperties": false})
        };
        let mut spec = json!({"components": {"schemas": {
            "Never": shape("never"),
            "Where": {"description": "a condition", "allOf": [
                {},
                {"anyOf": [
                    {"anyOf": [shape("field"), shape("exists")]},
                    {"$ref": "#/components/schemas/Never"}
                ]},
                {"type": "object", "properties": {
                    "steps": {"type": "array"}, "field": {"minLength": 1}
                 }, "required": ["steps"]}
            ]},
            // Open shapes refuse nothing: typify reads such an allOf as it is.
            "Open": {"allOf": [
                {"anyOf": [{"type": "object", "properties": {"a": {"type": "string"}}}]},
                {"type": "object", "properties": {"b": {"type": "string"}}}
            ]},
            // Two unions would multiply: left alone.
            "Two": {"allOf": [
                {"anyOf": [shape("a"), shape("b")]},
                {"oneOf": [shape("c"), shape("d")]}
            ]}
        }}});
        let changes = run(&mut spec);
        let s = &spec["components"]["schemas"];
        assert!(s["Where"].get("allOf").is_none(), "{changes:?}");
        assert_eq!(s["Where"]["description"], "a condition");
        let shapes = s["Where"]["anyOf"].as_array().unwrap();
        assert_eq!(shapes.len(), 3, "{shapes:?}");
        for (shape, own) in shapes.iter().zip(["field", "exists", "never"]) {
            assert_eq!(shape["additionalProperties"], false);
            assert_eq!(shape["required"], json!([own, "steps"]));
            assert_eq!(shape["properties"]["steps"], json!({"type": "array"}));
        }
        // A field both declare takes both schemas.
        assert_eq!(
            shapes[0]["properties"]["field"],
            json!({"allOf": [{"type": "string"}, {"minLength": 1}]})
        );
        // The component behind the `$ref` is unchanged.
        assert_eq!(s["Never"], shape("never"));
        assert!(s["Open"]["allOf"].is_array());
        assert!(s["Two"]["allOf"].is_array());
    }

    #[test]
    fn a_union_whose_shapes_hold_the_same_intersection_is_distributed_once() {
        // A content pack's routing entries are content packs with a destination.
        let entry = json!({"allOf": [
            {"$ref": "#/components/schemas/Pack"},
            {"type": "object", "properties": {"destination": {"type": "string"}},
             "required": ["destination"]}
        ]});
        let mut spec = json!({"components": {"schemas": {
            "Pack": {"anyOf": [
                {"type": "object", "additionalProperties": false,
                 "properties": {"all": {"type": "object"}}, "required": ["all"]},
                {"type": "object", "additionalProperties": false,
                 "properties": {"routing": {"type": "array", "items": entry.clone()}},
                 "required": ["routing"]}
            ]},
            // Elsewhere, the same intersection refers to the same component.
            "Other": {"type": "object", "properties": {"entry": entry}}
        }}});
        let changes = run(&mut spec);
        let s = &spec["components"]["schemas"];
        let made = "#/components/schemas/Pack_with_destination";
        assert_eq!(
            s["Pack"]["anyOf"][1]["properties"]["routing"]["items"],
            json!({"$ref": made}),
            "{changes:?}"
        );
        assert_eq!(s["Other"]["properties"]["entry"], json!({"$ref": made}));
        let shapes = s["Pack_with_destination"]["anyOf"].as_array().unwrap();
        assert_eq!(shapes.len(), 2);
        // The copy's own routing entries refer back to it: recursion by reference, not copy.
        assert_eq!(
            shapes[1]["properties"]["routing"]["items"],
            json!({"$ref": made})
        );
        for shape in shapes {
            assert_eq!(
                shape["properties"]["destination"],
                json!({"type": "string"})
            );
            assert!(
                shape["required"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("destination"))
            );
        }
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
