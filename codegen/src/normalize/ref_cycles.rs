//! Schemas that are, through `$ref`s and compositions alone, themselves: `A: {$ref: B}` with
//! `B: {allOf: [{$ref: A}]}`. Such a schema describes no value (recursion through a property or
//! an array item does, and is left alone), and typify follows it until the stack overflows.
//! Each schema on such a cycle becomes "any JSON value", reported.

use super::Change;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

const PREFIX: &str = "#/components/schemas/";

/// The component schemas `schema` stands for without describing a value of its own: its
/// `$ref`, and those of its `allOf`/`oneOf`/`anyOf` members, inline members included.
fn aliases(schema: &Value, out: &mut BTreeSet<String>) {
    let Value::Object(map) = schema else { return };
    if let Some(name) = map
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix(PREFIX))
    {
        out.insert(name.to_string());
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(members)) = map.get(key) {
            members.iter().for_each(|m| aliases(m, out));
        }
    }
}

/// The names on a cycle of `edges` (Tarjan's strongly connected components, iteratively: a
/// spec's graph may be deep).
fn on_cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    let names: Vec<&String> = edges.keys().collect();
    let index_of: BTreeMap<&String, usize> =
        names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let succ: Vec<Vec<usize>> = names
        .iter()
        .map(|n| {
            edges[*n]
                .iter()
                .filter_map(|m| index_of.get(m).copied())
                .collect()
        })
        .collect();
    let n = names.len();
    let (mut index, mut low, mut on_stack) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut stack, mut next, mut out) = (Vec::new(), 0, BTreeSet::new());
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, next successor to look at)
        let mut work = vec![(root, 0usize)];
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if *i == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = succ[v].get(*i) {
                *i += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 || succ[v].contains(&v) {
                    out.extend(component.into_iter().map(|w| names[w].clone()));
                }
            }
        }
    }
    out
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    let Some(Value::Object(schemas)) = spec.pointer_mut("/components/schemas") else {
        return Vec::new();
    };
    let edges: BTreeMap<String, BTreeSet<String>> = schemas
        .iter()
        .map(|(name, schema)| {
            let mut out = BTreeSet::new();
            aliases(schema, &mut out);
            (name.clone(), out)
        })
        .collect();
    let mut changes = Vec::new();
    for name in on_cycles(&edges) {
        let through: Vec<&str> = edges[&name].iter().map(String::as_str).collect();
        schemas.insert(
            name.clone(),
            json!({"description": format!("A schema defined only as itself in the source spec (through {}).", through.join(", "))}),
        );
        changes.push(Change {
            pass: "ref_cycles",
            at: format!("{PREFIX}{name}"),
            what: format!(
                "defined only as itself (through {}); now any JSON value",
                through.join(", ")
            ),
        });
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::spec;

    #[test]
    fn cycles_of_aliases_become_any_value_and_recursion_stays() {
        let mut s = spec(
            r##"
paths: {}
components:
  schemas:
    A: {$ref: '#/components/schemas/B'}
    B: {allOf: [{$ref: '#/components/schemas/A'}, {type: object}]}
    Self: {oneOf: [{type: string}, {$ref: '#/components/schemas/Self'}]}
    Tree: {type: object, properties: {children: {type: array, items: {$ref: '#/components/schemas/Tree'}}}}
    UsesA: {type: object, properties: {a: {$ref: '#/components/schemas/A'}}}
    Plain: {$ref: '#/components/schemas/Tree'}
"##,
        );
        let changes = run(&mut s);
        let at: Vec<&str> = changes.iter().map(|c| c.at.as_str()).collect();
        assert_eq!(
            at,
            [
                "#/components/schemas/A",
                "#/components/schemas/B",
                "#/components/schemas/Self"
            ]
        );
        let schemas = &s["components"]["schemas"];
        assert!(schemas["A"].get("$ref").is_none() && schemas["A"]["description"].is_string());
        assert_eq!(
            schemas["Tree"]["properties"]["children"]["items"]["$ref"],
            "#/components/schemas/Tree"
        );
        assert_eq!(schemas["Plain"]["$ref"], "#/components/schemas/Tree");
        assert_eq!(
            schemas["UsesA"]["properties"]["a"]["$ref"],
            "#/components/schemas/A"
        );
    }

    #[test]
    fn a_long_chain_is_no_cycle_and_does_not_overflow() {
        let mut s = json!({"components": {"schemas": {}}});
        let schemas = s["components"]["schemas"].as_object_mut().unwrap();
        for n in 0..50_000 {
            schemas.insert(
                format!("S{n}"),
                json!({"$ref": format!("{PREFIX}S{}", n + 1)}),
            );
        }
        schemas.insert("S50000".into(), json!({"type": "string"}));
        assert!(run(&mut s).is_empty());
    }
}
