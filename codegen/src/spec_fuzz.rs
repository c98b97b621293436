//! Hostile specs, fuzzed: small specs cut from the vendored one (a few operations and the
//! components they reach) are mutated (broken, external and cyclic `$ref`s, wrong types, huge
//! enums, keyword and Unicode names, duplicate ids, missing sections, deep nesting) and
//! generated. The generator never panics: it generates, or names each operation it skipped
//! with the reason, or refuses the spec with an error. `KIBANA_FUZZ_SPECS` sets how many
//! (default 600); `KIBANA_FUZZ_KEEP=dir` writes a sample of the mutated specs there, for
//! `.ci/run` to build their crates.

use crate::pipeline::{Target, build};
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// A small deterministic generator (xorshift): the same run each time, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

#[derive(Clone, Copy, Debug)]
enum Mutation {
    BrokenRef,
    ExternalRef,
    CyclicRef,
    WrongType,
    HugeEnum,
    KeywordName,
    DuplicateIds,
    MissingSection,
    DeepNesting,
    DropKey,
}

const MUTATIONS: [Mutation; 10] = [
    Mutation::BrokenRef,
    Mutation::ExternalRef,
    Mutation::CyclicRef,
    Mutation::WrongType,
    Mutation::HugeEnum,
    Mutation::KeywordName,
    Mutation::DuplicateIds,
    Mutation::MissingSection,
    Mutation::DeepNesting,
    Mutation::DropKey,
];

const NAMES: [&str; 18] = [
    "type",
    "self",
    "Self",
    "fn",
    "r#type",
    "crate",
    "super",
    "",
    "123abc",
    "ünïcödé",
    "名前",
    "a-b",
    "a b",
    "__",
    "_",
    "🚀",
    "Type",
    "x\"y",
];

/// Every `#/components/...` reference in `v`.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(x, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

/// A spec of `count` operations of `spec` from `start` on, with the components they reach.
fn cut(spec: &Value, ops: &[(String, String)], start: usize, count: usize) -> Value {
    let mut paths = Map::new();
    let mut reached = Vec::new();
    for (path, method) in ops.iter().cycle().skip(start).take(count) {
        let op = spec["paths"][path][method].clone();
        refs(&op, &mut reached);
        let item = paths.entry(path.clone()).or_insert_with(|| json!({}));
        item[method] = op;
    }
    let mut components = json!({});
    let mut queue: VecDeque<String> = reached.into();
    let mut seen = BTreeSet::new();
    while let Some(r) = queue.pop_front() {
        if !seen.insert(r.clone()) {
            continue;
        }
        let Some(pointer) = r.strip_prefix('#') else {
            continue;
        };
        if let Some(target) = spec.pointer(pointer) {
            let mut more = Vec::new();
            refs(target, &mut more);
            queue.extend(more);
            let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
            if let [_, kind, name] = parts[..] {
                components[kind][name] = target.clone();
            }
        }
    }
    json!({
        "openapi": spec["openapi"],
        "info": spec["info"],
        "paths": paths,
        "components": components,
    })
}

/// JSON pointers of every node of `v` under `at`.
fn nodes(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                nodes(
                    x,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                nodes(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// Pointers of the nodes that are objects holding `key`.
fn holding(v: &Value, key: &str) -> Vec<String> {
    let mut all = Vec::new();
    nodes(v, String::new(), &mut all);
    all.into_iter()
        .filter(|p| v.pointer(p).and_then(|n| n.get(key)).is_some())
        .collect()
}

fn wrong(v: &Value, rng: &mut Rng) -> Value {
    let choices = [
        json!(42),
        json!("text"),
        json!([1, "two"]),
        json!({"x": 1}),
        Value::Null,
        json!(true),
    ];
    loop {
        let c = rng.pick(&choices).clone();
        if std::mem::discriminant(&c) != std::mem::discriminant(v) {
            return c;
        }
    }
}

fn schema_names(spec: &Value) -> Vec<String> {
    spec.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Applies `mutation` to `spec` (in place); what it did, for the report.
fn mutate(spec: &mut Value, mutation: Mutation, rng: &mut Rng) -> String {
    match mutation {
        Mutation::BrokenRef | Mutation::ExternalRef => {
            let at = holding(spec, "$ref");
            if at.is_empty() {
                return "no $ref".into();
            }
            let p = rng.pick(&at).clone();
            let target = match mutation {
                Mutation::BrokenRef => rng
                    .pick(&[
                        "#/components/schemas/Nowhere",
                        "#/nope",
                        "#",
                        "",
                        "#/components/schemas/",
                        "#/paths",
                    ])
                    .to_string(),
                _ => rng
                    .pick(&[
                        "other.yaml#/components/schemas/X",
                        "https://example.invalid/s.json",
                        "../up.yaml",
                    ])
                    .to_string(),
            };
            spec.pointer_mut(&p).unwrap()["$ref"] = json!(target);
            format!("{p}/$ref = {target}")
        }
        Mutation::CyclicRef => {
            let names = schema_names(spec);
            if names.is_empty() {
                return "no schema".into();
            }
            let a = rng.pick(&names).clone();
            let b = rng.pick(&names).clone();
            let schemas = spec.pointer_mut("/components/schemas").unwrap();
            schemas[&a] = json!({"$ref": format!("#/components/schemas/{b}")});
            if a != b {
                schemas[&b] = json!({"allOf": [{"$ref": format!("#/components/schemas/{a}")}]});
            }
            format!("{a} -> {b} -> {a}")
        }
        Mutation::WrongType => {
            let mut all = Vec::new();
            nodes(spec, String::new(), &mut all);
            let p = rng.pick(&all[..all.len() - 1]).clone();
            let node = spec.pointer(&p).cloned().unwrap_or(Value::Null);
            *spec.pointer_mut(&p).unwrap() = wrong(&node, rng);
            format!("{p} of the wrong type")
        }
        Mutation::HugeEnum => {
            let at = holding(spec, "type");
            if at.is_empty() {
                return "no typed schema".into();
            }
            let p = rng.pick(&at).clone();
            let mut values: Vec<Value> = (0..5_000).map(|n| json!(format!("value-{n}"))).collect();
            values.extend([
                json!(""),
                json!("value-1"),
                json!("Value-1"),
                json!("value_1"),
                json!("ünï"),
                json!(7),
                Value::Null,
            ]);
            let node = spec.pointer_mut(&p).unwrap();
            node["enum"] = Value::Array(values);
            format!("{p}: an enum of 5,007 values")
        }
        Mutation::KeywordName => {
            let name = rng.pick(&NAMES).to_string();
            let props = holding(spec, "properties");
            let ids = holding(spec, "operationId");
            let params = holding(spec, "in");
            let which = rng.below(3);
            if which == 0 && !props.is_empty() {
                let p = rng.pick(&props).clone();
                if let Some(map) = spec.pointer_mut(&p).unwrap()["properties"].as_object_mut()
                    && let Some(first) = map.keys().next().cloned()
                {
                    let v = map.remove(&first).unwrap();
                    map.insert(name.clone(), v);
                    return format!("{p}: property {first} renamed {name:?}");
                }
                "properties not an object".into()
            } else if which == 1 && !ids.is_empty() {
                let p = rng.pick(&ids).clone();
                spec.pointer_mut(&p).unwrap()["operationId"] = json!(name);
                format!("{p}: operationId {name:?}")
            } else if !params.is_empty() {
                let p = rng.pick(&params).clone();
                spec.pointer_mut(&p).unwrap()["name"] = json!(name);
                format!("{p}: parameter {name:?}")
            } else {
                "nothing to rename".into()
            }
        }
        Mutation::DuplicateIds => {
            let ids = holding(spec, "operationId");
            let params = holding(spec, "parameters");
            if ids.len() >= 2 && rng.below(2) == 0 {
                let id = spec.pointer(&ids[0]).unwrap()["operationId"].clone();
                spec.pointer_mut(&ids[1]).unwrap()["operationId"] = id.clone();
                format!("operationId {id} twice")
            } else if let Some(p) = params.first() {
                if let Some(list) = spec.pointer_mut(p).unwrap()["parameters"].as_array_mut()
                    && let Some(first) = list.first().cloned()
                {
                    list.push(first);
                    return format!("{p}: a parameter twice");
                }
                "parameters not a list".into()
            } else {
                "nothing to duplicate".into()
            }
        }
        Mutation::MissingSection => {
            let sections = [
                "/paths",
                "/components",
                "/info",
                "/openapi",
                "/components/schemas",
            ];
            let responses = holding(spec, "responses");
            let bodies = holding(spec, "content");
            let choice = rng.below(sections.len() + 2);
            let p = if choice < sections.len() {
                sections[choice].to_string()
            } else if choice == sections.len() && !responses.is_empty() {
                format!("{}/responses", rng.pick(&responses))
            } else if !bodies.is_empty() {
                format!("{}/content", rng.pick(&bodies))
            } else {
                "/paths".into()
            };
            remove(spec, &p);
            format!("{p} removed")
        }
        Mutation::DeepNesting => {
            let names = schema_names(spec);
            let Some(name) = names.first().cloned() else {
                return "no schema".into();
            };
            let depth = *rng.pick(&[64usize, 200, 1_000]);
            let mut deep = json!({"type": "string"});
            for n in 0..depth {
                // Built by moving, not `json!` (which would copy the whole tail at each level).
                let mut properties = Map::new();
                properties.insert(format!("level{n}"), deep);
                let mut object = Map::new();
                object.insert("type".into(), json!("object"));
                object.insert("properties".into(), Value::Object(properties));
                deep = Value::Object(object);
            }
            spec["components"]["schemas"][&name] = deep;
            format!("{name}: {depth} levels of objects")
        }
        Mutation::DropKey => {
            let mut all = Vec::new();
            nodes(spec, String::new(), &mut all);
            let p = rng.pick(&all[..all.len() - 1]).clone();
            remove(spec, &p);
            format!("{p} removed")
        }
    }
}

fn remove(spec: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    let key = key.replace("~1", "/").replace("~0", "~");
    match spec.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&key);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = key.parse::<usize>()
                && i < items.len()
            {
                items.remove(i);
            }
        }
        _ => {}
    }
}

/// One mutated spec: its number, the spec, and the mutations made (with what they did).
struct Case {
    n: usize,
    spec: Value,
    mutation: Mutation,
    what: String,
    second: Option<String>,
}

/// How one mutated spec fared.
enum Fate {
    Generated { operations: usize, skipped: usize },
    Refused(String),
}

/// Generates `spec` (written to `file`); a panic is an `Err` with its message.
fn run(inputs: &Path, spec: &Value, file: &Path) -> Result<Fate, String> {
    std::fs::write(file, serde_json::to_string(spec).unwrap()).unwrap();
    let declared: usize = spec
        .get("paths")
        .and_then(Value::as_object)
        .map(|p| {
            p.values()
                .filter_map(Value::as_object)
                .map(|i| i.len())
                .sum()
        })
        .unwrap_or(0);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        build(inputs, file, false, Target::Crate)
    }));
    match outcome {
        Err(p) => Err(crate::generate::panic_message(&*p).unwrap_or_else(|| "a panic".into())),
        Ok(Err(e)) => {
            let text = format!("{e:#}");
            if text.trim().is_empty() {
                return Err("an error without a message".into());
            }
            if text.contains("internal error") {
                return Err(text);
            }
            Ok(Fate::Refused(text))
        }
        Ok(Ok(g)) => {
            for s in &g.skipped {
                if s.reason.trim().is_empty() {
                    return Err(format!("{} {} skipped without a reason", s.method, s.path));
                }
            }
            if g.operations.len() + g.skipped.len() < declared.min(1) {
                return Err("operations vanished without a word".into());
            }
            Ok(Fate::Generated {
                operations: g.operations.len(),
                skipped: g.skipped.len(),
            })
        }
    }
}

#[test]
fn mutated_specs_never_panic_the_generator() {
    // The harness walks and writes deeply nested specs too: a stack to match the generator's.
    std::thread::Builder::new()
        .stack_size(crate::pipeline::STACK)
        .spawn(fuzz)
        .unwrap()
        .join()
        .unwrap();
}

fn fuzz() {
    let root = crate::workspace_root();
    let inputs = root.join("spec");
    let vendored = crate::spec::load(&inputs.join("kibana.serverless.yaml")).unwrap();
    let ops: Vec<(String, String)> = vendored["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(p, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|m| ["get", "post", "put", "patch", "delete"].contains(&m.as_str()))
                .map(move |m| (p.clone(), m.clone()))
        })
        .collect();
    let total: usize = std::env::var("KIBANA_FUZZ_SPECS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(600);
    let keep = std::env::var_os("KIBANA_FUZZ_KEEP").map(std::path::PathBuf::from);
    let dir = std::env::temp_dir().join(format!("spec-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // The specs first, in order (one generator of random numbers), then generated on every core.
    let cases: Vec<Case> = (0..total)
        .map(|n| {
            let start = rng.below(ops.len());
            let mut spec = cut(&vendored, &ops, start, 1 + rng.below(3));
            let mutation = MUTATIONS[n % MUTATIONS.len()];
            let what = mutate(&mut spec, mutation, &mut rng);
            // A second mutation on every third spec: faults come in company.
            let second = n.is_multiple_of(3).then(|| {
                let m = *rng.pick(&MUTATIONS);
                mutate(&mut spec, m, &mut rng)
            });
            Case {
                n,
                spec,
                mutation,
                what,
                second,
            }
        })
        .collect();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut fates: Vec<(&Case, Result<Fate, String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let (cases, inputs, file) = (&cases, &inputs, dir.join(format!("spec-{w}.json")));
                std::thread::Builder::new()
                    .stack_size(crate::pipeline::STACK)
                    .spawn_scoped(scope, move || {
                        cases
                            .iter()
                            .skip(w)
                            .step_by(workers)
                            .map(|case| {
                                if std::env::var_os("KIBANA_FUZZ_TRACE").is_some() {
                                    eprintln!(
                                        "spec {} {:?} ({}; {:?})",
                                        case.n, case.mutation, case.what, case.second
                                    );
                                }
                                (case, run(inputs, &case.spec, &file))
                            })
                            .collect::<Vec<_>>()
                    })
                    .unwrap()
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    fates.sort_by_key(|(case, _)| case.n);
    let (mut generated, mut refused, mut skipped_ops, mut panics) = (0, 0, 0, Vec::new());
    let mut kept = 0;
    for (case, fate) in fates {
        let Case {
            n,
            spec,
            mutation,
            what,
            second,
        } = case;
        match fate {
            Ok(Fate::Generated {
                operations,
                skipped,
            }) => {
                generated += 1;
                skipped_ops += skipped;
                if let Some(keep) = &keep
                    && kept < 3
                    && operations > 0
                    && matches!(
                        mutation,
                        Mutation::KeywordName | Mutation::HugeEnum | Mutation::DuplicateIds
                    )
                {
                    std::fs::create_dir_all(keep).unwrap();
                    std::fs::write(
                        keep.join(format!("mutated-{kept}.json")),
                        serde_json::to_string(spec).unwrap(),
                    )
                    .unwrap();
                    kept += 1;
                }
            }
            Ok(Fate::Refused(why)) => {
                refused += 1;
                if std::env::var_os("KIBANA_FUZZ_TRACE").is_some() {
                    eprintln!("  refused: {}", why.lines().next().unwrap_or(""));
                }
            }
            Err(why) => panics.push(format!("spec {n} {mutation:?} ({what}; {second:?}): {why}")),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "HOSTILE_SPECS={total}: {generated} generated ({skipped_ops} operations skipped with a reason), {refused} refused with an error, {} panics",
        panics.len()
    );
    assert!(panics.is_empty(), "{}", panics.join("\n"));
}
