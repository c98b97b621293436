//! Values of a schema's shape, for operations and parameters the spec gives no example for.

use serde_json::{Map, Value, json};

/// `schema` with its `$ref`s followed (within `spec`).
pub fn resolve<'a>(spec: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => match spec.pointer(r.trim_start_matches('#')) {
                Some(s) => schema = s,
                None => return &Value::Null,
            },
            None => break,
        }
    }
    schema
}

/// A value for `schema`: its example, default or first enum value where it has one, otherwise
/// one with every declared property filled in. Unions take their first member.
pub fn synthesize(spec: &Value, schema: &Value) -> Value {
    go(spec, schema, 0, 0, None)
}

/// How deep a made-up value nests (objects and arrays), and how many `allOf`/`oneOf`/`anyOf`
/// steps lead to one of its values: both bound a recursive schema (Streams' conditions hold
/// conditions). A Streams step's condition sits six objects deep, under three or four unions
/// at each level, so the steps through unions count apart from the depth.
const MAX_DEPTH: usize = 12;
const MAX_HOPS: usize = 24;

/// [`synthesize`] at `depth` (of nesting) after `hops` (through unions and intersections);
/// `field` names the property the value is for, which a plain string takes as its text, so that
/// two fields differ (Kibana refuses the same user both added and removed).
fn go(spec: &Value, schema: &Value, depth: usize, hops: usize, field: Option<&str>) -> Value {
    let schema = resolve(spec, schema);
    if depth > MAX_DEPTH || hops > MAX_HOPS {
        return Value::Null;
    }
    // An example that does not fit its schema (SLO's `group_by`, a string or a list of
    // strings, has a list of three examples as its one `example`) is not a value of it.
    for key in ["example", "default"] {
        if let Some(v) = schema
            .get(key)
            .filter(|v| !v.is_null() && fits(spec, schema, v))
        {
            return v.clone();
        }
    }
    // `x-kbn-enum`: values the generator kept aside from a string it could not make an enum.
    if let Some(first) = schema
        .get("enum")
        .or_else(|| schema.get("x-kbn-enum"))
        .and_then(Value::as_array)
        .and_then(|e| e.iter().find(|v| !v.is_null()))
    {
        return first.clone();
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        // Objects merge; a scalar schema written as an `allOf` (Kibana's `$ref` beside an
        // `example`: `allOf: [{$ref: Kuery}, {example: 'platform:windows'}]`) is its last value.
        let mut merged = Map::new();
        let mut scalar = None;
        // A member that only bounds the others (`allOf: [{$ref: PageSize}, {maximum: 1000}]`)
        // describes no value of its own.
        for member in all.iter().filter(|m| !bounds_only(resolve(spec, m))) {
            match go(spec, member, depth, hops + 1, field) {
                Value::Object(m) => merge(&mut merged, m),
                Value::Null => {}
                other => scalar = Some(other),
            }
        }
        return match scalar {
            Some(v) if merged.is_empty() => v,
            _ => Value::Object(merged),
        };
    }
    // A union takes the first member's value that a validator accepts of it: for a `oneOf`, one
    // no other member also takes (Kibana's run-script parameters have two members of one
    // shape); for either, one complete where a recursive member ran out of depth (a condition
    // of conditions: a plain condition then). Else the first member's.
    for key in ["oneOf", "anyOf"] {
        let Some(members) = schema
            .get(key)
            .and_then(Value::as_array)
            .filter(|m| !m.is_empty())
        else {
            continue;
        };
        let judge = Judge {
            unions: Unions::Validator,
            closed_objects: true,
            closed_enums: true,
        };
        let mut first = None;
        for member in members {
            let value = go(spec, member, depth, hops + 1, field);
            if check(spec, schema, &value, "", judge, depth).is_none() {
                return value;
            }
            first.get_or_insert(value);
        }
        return first.unwrap_or(Value::Null);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") | None if schema.get("properties").is_some() => {
            let mut map = Map::new();
            let required = |k: &str| {
                schema
                    .get("required")
                    .and_then(Value::as_array)
                    .is_some_and(|r| r.iter().any(|n| n == k))
            };
            for (k, p) in schema["properties"].as_object().into_iter().flatten() {
                if resolve(spec, p).get("readOnly") != Some(&Value::Bool(true)) {
                    let value = go(spec, p, depth + 1, 0, Some(k));
                    // Out of depth: an optional field is left out rather than sent as null.
                    if !value.is_null() || required(k) {
                        map.insert(k.clone(), value);
                    }
                }
            }
            Value::Object(map)
        }
        Some("object") => Value::Object(Map::new()),
        Some("array") => json!([go(
            spec,
            schema.get("items").unwrap_or(&Value::Null),
            depth + 1,
            0,
            field
        )]),
        // A format or pattern a validator checks gets a value of it (the generator keeps some
        // formats aside as `x-kbn-format`; a mock server such as Prism still checks them).
        Some("string") if patterned(schema).is_some() => json!(patterned(schema)),
        Some("string") => match schema
            .get("format")
            .or_else(|| schema.get("x-kbn-format"))
            .and_then(Value::as_str)
        {
            Some("uri") => json!("https://example.com"),
            Some("email") => json!("someone@example.com"),
            Some("uuid") => json!("5f0c8a36-3f63-4a8e-9b0e-2c4d6e8fa1b2"),
            Some("date-time") => json!("2024-01-01T00:00:00.000Z"),
            Some("date") => json!("2024-01-01"),
            Some("time") => json!("00:00:00"),
            Some("ipv4" | "ip") => json!("127.0.0.1"),
            Some("ipv6") => json!("::1"),
            Some("hostname") => json!("example.com"),
            _ => json!(string_of(schema, field)),
        },
        Some("integer") => json!(
            schema
                .get("minimum")
                .and_then(Value::as_i64)
                .unwrap_or(0)
                .max(1)
        ),
        Some("number") => json!(
            schema
                .get("minimum")
                .and_then(Value::as_f64)
                .unwrap_or(0.0)
                .max(1.0)
        ),
        Some("boolean") => json!(true),
        _ => json!("any JSON value"),
    }
}

/// Fills in the required fields `value` lacks, each with a made-up value of its schema (see
/// [`synthesize`]), through objects, their values, arrays and `allOf`; returns whether it added
/// any. A union's values are left as they are: which member they are meant for cannot be told.
/// The mock's own data (its agents, roles, ...) is made for the vendored spec; another spec may
/// require more of it (an agent's `effective_config`).
pub fn complete(spec: &Value, schema: &Value, value: &mut Value) -> bool {
    complete_at(spec, schema, value, 0)
}

fn complete_at(spec: &Value, schema: &Value, value: &mut Value, depth: usize) -> bool {
    let schema = resolve(spec, schema);
    if depth > MAX_DEPTH {
        return false;
    }
    let mut added = false;
    for member in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        added |= complete_at(spec, member, value, depth + 1);
    }
    match value {
        Value::Object(map) => {
            let props = schema.get("properties").and_then(Value::as_object);
            for name in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !map.contains_key(name) {
                    let field = props.and_then(|p| p.get(name)).unwrap_or(&Value::Null);
                    map.insert(name.to_string(), go(spec, field, depth + 1, 0, Some(name)));
                    added = true;
                }
            }
            let others = schema.get("additionalProperties").filter(|a| a.is_object());
            for (name, field) in map.iter_mut() {
                if let Some(s) = props.and_then(|p| p.get(name)).or(others) {
                    added |= complete_at(spec, s, field, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            if let Some(s) = schema.get("items") {
                for item in items {
                    added |= complete_at(spec, s, item, depth + 1);
                }
            }
        }
        _ => {}
    }
    added
}

/// A schema that says nothing of its value's shape, only bounds it (`{maximum: 1000}`,
/// `{minLength: 1}`, `{description: ...}`, or `{}`): no type, fields, items, members, values or example.
fn bounds_only(schema: &Value) -> bool {
    const SHAPES: [&str; 13] = [
        "type",
        "properties",
        "additionalProperties",
        "items",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "enum",
        "x-kbn-enum",
        "const",
        "example",
        "default",
    ];
    schema.as_object().is_some_and(|m| {
        !m.keys()
            .any(|k| SHAPES.contains(&k.as_str()) || k == "$ref")
    })
}

/// An `allOf` member's object into the others': a field two members give is merged when both
/// are objects (each member may describe part of it), kept when only the first is one (the
/// other member's schema, such as `{}`, leaves it open), else the later, narrower value.
fn merge(into: &mut Map<String, Value>, from: Map<String, Value>) {
    for (key, value) in from {
        match (into.get_mut(&key), value) {
            (Some(Value::Object(old)), Value::Object(new)) => merge(old, new),
            (Some(Value::Object(_)), _) => {}
            (_, value) => {
                into.insert(key, value);
            }
        }
    }
}

/// `value` has the JSON types `schema` asks for: some member's, for a union.
fn fits(spec: &Value, schema: &Value, value: &Value) -> bool {
    let schema = resolve(spec, schema);
    match union_members(schema) {
        Some(members) => members.iter().any(|m| fits(spec, m, value)),
        None => problem(spec, schema, value, "").is_none(),
    }
}

/// A string the schema's `pattern` matches, within its length limits, where one can be built.
fn patterned(schema: &Value) -> Option<String> {
    let s = crate::pattern::string_matching(schema.get("pattern")?.as_str()?)?;
    let length = s.chars().count() as u64;
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0);
    let max = schema.get("maxLength").and_then(Value::as_u64);
    (length >= min && max.is_none_or(|m| length <= m)).then_some(s)
}

/// A string within the schema's length limits.
fn string_of(schema: &Value, field: Option<&str>) -> String {
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .unwrap_or(64) as usize;
    let named = field.filter(|f| {
        !f.is_empty() && f.len() <= max && f.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    });
    let mut s = String::from(named.unwrap_or("text"));
    while s.len() < min {
        s.push('x');
    }
    s.truncate(max.max(1));
    s
}

/// How [`check`] judges what the plain JSON types leave open.
#[derive(Clone, Copy)]
struct Judge {
    unions: Unions,
    /// A closed object (`additionalProperties: false`) refuses other keys: true of what is
    /// sent and of a client's request types; a client keeps an answer's other keys (the
    /// generator opens answers' objects).
    closed_objects: bool,
    /// A value its `enum` does not list is a problem: a server refuses it, while a client's
    /// enums are open (an unknown value decodes as `Unknown`).
    closed_enums: bool,
}

/// Which values a union takes.
#[derive(Clone, Copy, PartialEq)]
enum Unions {
    /// JSON Schema's rule, which a validating mock server (Prism) applies to a request: a
    /// `oneOf` takes a value exactly one member fits, an `anyOf` one some member fits.
    Validator,
    /// Some member must fit, `oneOf` or `anyOf`: Kibana's own validation, which tries each
    /// member in turn.
    Some,
    /// A value no member fits is a problem only when the union's discriminator names the
    /// member it must be (its mapping, or a member schema of the tag's name), as a generated
    /// client decodes it: a client keeps any other value whole (a generated union's `Unknown`).
    Tagged,
}

/// A `oneOf`'s or `anyOf`'s members.
pub fn union_members(schema: &Value) -> Option<&Vec<Value>> {
    schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array)
}

/// The first place where `value` does not have `schema`'s JSON type or lacks a required field,
/// in Kibana's words (`[request body.name]: expected value of type [string] but got [undefined]`).
/// `allOf` members are each checked; a union must have a member the value fits.
pub fn problem(spec: &Value, schema: &Value, value: &Value, at: &str) -> Option<String> {
    check(
        spec,
        schema,
        value,
        at,
        Judge {
            unions: Unions::Some,
            closed_objects: true,
            closed_enums: true,
        },
        0,
    )
}

/// [`problem`] as a validating mock server (Prism) judges a request: a `oneOf` takes a value
/// that exactly one of its members fits. Kibana writes unions whose members overlap (two of
/// one shape), which such a server refuses whatever is sent as those members.
pub fn validator_problem(spec: &Value, schema: &Value, value: &Value, at: &str) -> Option<String> {
    check(
        spec,
        schema,
        value,
        at,
        Judge {
            unions: Unions::Validator,
            closed_objects: true,
            closed_enums: true,
        },
        0,
    )
}

/// [`problem`] as a client's own request type judges a value it reads (an example decoded as
/// the body type): closed objects take no other key, and a union no member fits is kept whole
/// unless its discriminator names a member.
pub fn body_problem(spec: &Value, schema: &Value, value: &Value, at: &str) -> Option<String> {
    check(
        spec,
        schema,
        value,
        at,
        Judge {
            unions: Unions::Tagged,
            closed_objects: true,
            closed_enums: false,
        },
        0,
    )
}

/// [`problem`] for an answer a client reads: a union no member fits is a problem only when a
/// tag says which member it must be (the client fails to decode it then; otherwise it keeps the
/// value as the union's `Unknown`).
pub fn answer_problem(spec: &Value, schema: &Value, value: &Value, at: &str) -> Option<String> {
    check(
        spec,
        schema,
        value,
        at,
        Judge {
            unions: Unions::Tagged,
            closed_objects: false,
            closed_enums: false,
        },
        0,
    )
}

/// Whether the union's discriminator says that `value` is `member`.
fn tag_claims(union: &Value, member: &Value, value: &Value) -> bool {
    let Some(discriminator) = union.get("discriminator") else {
        return false;
    };
    let Some(Value::String(tag)) = discriminator
        .get("propertyName")
        .and_then(Value::as_str)
        .and_then(|p| value.get(p))
    else {
        return false;
    };
    let Some(reference) = member.get("$ref").and_then(Value::as_str) else {
        return false;
    };
    match discriminator.get("mapping").and_then(Value::as_object) {
        Some(mapping) => mapping.get(tag).and_then(Value::as_str) == Some(reference),
        None => reference.rsplit('/').next() == Some(tag.as_str()),
    }
}

fn check(
    spec: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    judge: Judge,
    depth: usize,
) -> Option<String> {
    let schema = resolve(spec, schema);
    if depth > 64 {
        return None;
    }
    for member in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(problem) = check(spec, member, value, at, judge, depth + 1) {
            return Some(problem);
        }
    }
    if let Some(members) = union_members(schema) {
        let problems: Vec<Option<String>> = members
            .iter()
            .map(|m| check(spec, m, value, at, judge, depth + 1))
            .collect();
        let fitting = problems.iter().filter(|p| p.is_none()).count();
        if judge.unions == Unions::Validator && fitting > 1 && schema.get("oneOf").is_some() {
            return Some(format!(
                "[request {at}]: fits {fitting} of the {} types of a oneOf, which takes exactly one",
                members.len()
            ));
        }
        if fitting > 0 || members.is_empty() {
            return None;
        }
        if judge.unions != Unions::Tagged {
            return Some(format!(
                "[request {at}]: fits none of the {} types it may be; the first: {}",
                members.len(),
                problems[0].as_deref().unwrap_or_default()
            ));
        }
        return members
            .iter()
            .position(|m| tag_claims(schema, m, value))
            .and_then(|i| problems[i].clone());
    }
    let ty = schema.get("type").and_then(Value::as_str);
    let ok = match (ty, value) {
        (None, _) | (_, Value::Null) => true,
        (Some("object"), Value::Object(_)) | (Some("array"), Value::Array(_)) => true,
        (Some("string"), Value::String(_)) | (Some("boolean"), Value::Bool(_)) => true,
        (Some("integer"), Value::Number(n)) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        (Some("number"), Value::Number(_)) => true,
        _ => false,
    };
    if !ok {
        let got = match value {
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "boolean",
            Value::Array(_) => "Array",
            Value::Object(_) => "Object",
            Value::Null => "null",
        };
        return Some(format!(
            "[request {at}]: expected value of type [{}] but got [{got}]",
            ty.unwrap_or("any")
        ));
    }
    if judge.closed_enums
        && !value.is_null()
        && let Some(values) = schema.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        return Some(format!(
            "[request {at}]: expected one of {} but got {value}",
            Value::Array(values.clone())
        ));
    }
    if let (Value::Array(items), Some(item_schema)) = (value, schema.get("items")) {
        return items.iter().enumerate().find_map(|(i, v)| {
            check(
                spec,
                item_schema,
                v,
                &format!("{at}[{i}]"),
                judge,
                depth + 1,
            )
        });
    }
    if let Value::Object(map) = value {
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !map.contains_key(name) {
                let ty = resolve(spec, &schema["properties"][name])["type"]
                    .as_str()
                    .unwrap_or("any")
                    .to_string();
                return Some(format!(
                    "[request {at}.{name}]: expected value of type [{ty}] but got [undefined]"
                ));
            }
        }
        // A closed object (not through `allOf`, whose members each see only their own
        // properties) takes no other key, where the judge says so; an open object's other keys
        // are of `additionalProperties`' schema.
        let others = schema.get("additionalProperties");
        let closed = others == Some(&Value::Bool(false))
            && schema.get("allOf").is_none()
            && judge.closed_objects;
        for (k, v) in map {
            let at = format!("{at}.{k}");
            let problem = match schema.get("properties").and_then(|p| p.get(k)) {
                Some(p) => check(spec, p, v, &at, judge, depth + 1),
                None if closed => Some(format!(
                    "[request {at}]: definition for this key is missing"
                )),
                None => others
                    .filter(|o| o.is_object())
                    .and_then(|o| check(spec, o, v, &at, judge, depth + 1)),
            };
            if problem.is_some() {
                return problem;
            }
        }
    }
    None
}

/// `value` without the object fields its schema does not declare (where the schema lists its
/// properties and keeps no others): what a typed client can be expected to keep.
pub fn declared(spec: &Value, schema: &Value, value: &Value) -> Value {
    let schema = resolve(spec, schema);
    if let Some(members) = union_members(schema) {
        // The member with the fewest undeclared fields.
        return members
            .iter()
            .map(|m| declared(spec, m, value))
            .max_by_key(count)
            .unwrap_or_else(|| value.clone());
    }
    match value {
        Value::Array(items) => {
            let item = schema.get("items").unwrap_or(&Value::Null);
            Value::Array(items.iter().map(|v| declared(spec, item, v)).collect())
        }
        Value::Object(map) => {
            let shape = object_shape(spec, schema);
            // A map's values (osquery's queries by name) have a schema too.
            let others = shape.others.unwrap_or(Value::Null);
            let out = map
                .iter()
                .filter(|(k, _)| !shape.closed || shape.open || shape.props.contains_key(*k))
                .map(|(k, v)| {
                    let sub = shape.props.get(k).unwrap_or(&others);
                    (k.clone(), declared(spec, sub, v))
                })
                .collect();
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// The properties an object schema declares, its own and its `allOf` members'.
pub fn properties(spec: &Value, schema: &Value) -> Map<String, Value> {
    object_shape(spec, schema).props
}

/// What an object schema says of its fields, through nested `allOf`.
#[derive(Default)]
struct Shape {
    /// The properties it declares.
    props: Map<String, Value>,
    /// It declares some.
    closed: bool,
    /// It keeps others too (`additionalProperties`, or a union member whose fields cannot be
    /// told here).
    open: bool,
    /// The schema of the others (`additionalProperties: {...}`): the first found, its own
    /// before its members'.
    others: Option<Value>,
}

fn object_shape(spec: &Value, schema: &Value) -> Shape {
    let mut shape = Shape::default();
    shape.gather(spec, schema, 0);
    shape
}

impl Shape {
    fn gather(&mut self, spec: &Value, schema: &Value, depth: usize) {
        let schema = resolve(spec, schema);
        if depth > 16 {
            self.open = true;
            return;
        }
        // `properties: {}` (Kibana's endpoint answers) declares nothing: a free-form object.
        if let Some(p) = schema
            .get("properties")
            .and_then(Value::as_object)
            .filter(|p| !p.is_empty())
        {
            self.closed = true;
            self.props.extend(p.clone());
        }
        let additional = schema.get("additionalProperties");
        if additional.is_some_and(|a| a != &Value::Bool(false))
            || schema.get("oneOf").is_some()
            || schema.get("anyOf").is_some()
        {
            self.open = true;
        }
        if self.others.is_none() {
            self.others = additional.filter(|a| a.is_object()).cloned();
        }
        for m in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.gather(spec, m, depth + 1);
        }
    }
}

/// How many values a JSON value holds, nested ones included.
fn count(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(count).sum::<usize>(),
        Value::Object(o) => 1 + o.values().map(count).sum::<usize>(),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::{complete, synthesize};
    use serde_json::{Value, json};

    #[test]
    fn formats_get_values_of_their_format() {
        let spec = json!({"components": {"schemas": {
            "UUID": {"type": "string", "format": "uuid"},
            "RuleObjectId": {"$ref": "#/components/schemas/UUID"}
        }}});
        let of = |schema: Value| synthesize(&spec, &schema);
        let uuid = of(json!({"$ref": "#/components/schemas/RuleObjectId"}));
        let uuid = uuid.as_str().unwrap();
        assert_eq!(uuid.len(), 36);
        assert_eq!(uuid.matches('-').count(), 4);
        assert_eq!(of(json!({"type": "string", "x-kbn-format": "uuid"})), uuid);
        assert_eq!(
            of(json!({"type": "string", "x-kbn-format": "date-time"})),
            "2024-01-01T00:00:00.000Z"
        );
        assert_eq!(of(json!({"type": "string", "format": "ipv4"})), "127.0.0.1");
        assert_eq!(of(json!({"type": "string", "maxLength": 2})), "te");
    }

    #[test]
    fn an_all_of_member_that_only_bounds_gives_no_value() {
        // Kibana's endpoint scripts' page size: a page size of up to 1000.
        let spec = json!({"components": {"schemas": {
            "PageSize": {"type": "integer", "minimum": 1, "maximum": 100, "example": 10},
            "ApiPageSize": {"allOf": [{"$ref": "#/components/schemas/PageSize"}, {"maximum": 1000}]}
        }}});
        let of = |schema: Value| synthesize(&spec, &schema);
        assert_eq!(
            of(json!({"$ref": "#/components/schemas/ApiPageSize"})),
            json!(10)
        );
        assert_eq!(
            of(json!({"allOf": [{"type": "string", "minLength": 2}, {}, {"description": "d"}]})),
            "text"
        );
        assert_eq!(
            of(json!({"allOf": [{"type": "string"}, {"example": "platform:windows"}]})),
            "platform:windows"
        );
    }

    #[test]
    fn declared_fields_are_found_in_the_values_of_maps_too() {
        // Osquery's pack: queries by name, each of a schema without `interval`, which Kibana's
        // own example sends.
        let spec = json!({"components": {"schemas": {
            "Item": {"type": "object", "properties": {"query": {"type": "string"}}},
            "Queries": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Item"}},
            "Pack": {"type": "object", "properties": {"queries": {"$ref": "#/components/schemas/Queries"}}}
        }}});
        let example = json!({"queries": {"q": {"query": "SELECT 1;", "interval": 60}}});
        assert_eq!(
            super::declared(
                &spec,
                &json!({"$ref": "#/components/schemas/Pack"}),
                &example
            ),
            json!({"queries": {"q": {"query": "SELECT 1;"}}})
        );
    }

    #[test]
    fn examples_that_do_not_fit_their_schema_are_not_used() {
        let spec = json!({});
        let group_by = json!({
            "example": [["service.name"], "service.name", ["service.name", "service.environment"]],
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
        });
        assert_eq!(synthesize(&spec, &group_by), "text");
        let fitting = json!({
            "example": ["service.name"],
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
        });
        assert_eq!(synthesize(&spec, &fitting), json!(["service.name"]));
        assert_eq!(
            synthesize(&spec, &json!({"type": "integer", "example": "5"})),
            json!(1)
        );
    }

    #[test]
    fn all_of_members_and_tagged_unions_are_checked() {
        use super::{answer_problem, problem};
        let spec = json!({"components": {"schemas": {
            "Shared": {"type": "object", "required": ["actions"],
                       "properties": {"actions": {"type": "array"}}},
            "Query": {"allOf": [
                {"$ref": "#/components/schemas/Shared"},
                {"type": "object", "required": ["type"],
                 "properties": {"type": {"type": "string", "enum": ["query"]}}}
            ]},
            "Eql": {"allOf": [
                {"$ref": "#/components/schemas/Shared"},
                {"type": "object", "required": ["type", "language"],
                 "properties": {"type": {"type": "string", "enum": ["eql"]},
                                "language": {"type": "string"}}}
            ]},
            "Rule": {"oneOf": [{"$ref": "#/components/schemas/Eql"},
                               {"$ref": "#/components/schemas/Query"}],
                     "discriminator": {"propertyName": "type", "mapping": {
                         "eql": "#/components/schemas/Eql", "query": "#/components/schemas/Query"}}},
            "Untagged": {"oneOf": [{"$ref": "#/components/schemas/Eql"},
                                   {"$ref": "#/components/schemas/Query"}]}
        }}});
        let rule = json!({"$ref": "#/components/schemas/Rule"});
        let query = json!({"$ref": "#/components/schemas/Query"});
        // allOf: a field one member requires.
        let p = problem(&spec, &query, &json!({"type": "query"}), "response").unwrap();
        assert!(p.contains("actions"), "{p}");
        assert!(problem(&spec, &query, &json!({"type": "query", "actions": []}), "r").is_none());
        // A union: fitting a member is no problem.
        assert!(problem(&spec, &rule, &json!({"type": "query", "actions": []}), "r").is_none());
        // Tagged, a member's problem is the answer's: the client decodes it as that member.
        let tagged = json!({"type": "query"});
        let p = answer_problem(&spec, &rule, &tagged, "response").unwrap();
        assert!(p.contains("actions"), "{p}");
        // Without a discriminator the client keeps what fits no member whole.
        let untagged = json!({"$ref": "#/components/schemas/Untagged"});
        assert!(answer_problem(&spec, &untagged, &tagged, "response").is_none());
        // A tag no member has: kept whole too; a request must fit.
        let other = json!({"type": "threshold"});
        assert!(answer_problem(&spec, &rule, &other, "response").is_none());
        let p = problem(&spec, &rule, &other, "body").unwrap();
        assert!(p.contains("fits none of the 2 types"), "{p}");
        // Without a mapping, the member schema of the tag's name.
        let named = json!({"oneOf": [{"$ref": "#/components/schemas/Eql"}],
            "discriminator": {"propertyName": "type"}});
        let p = answer_problem(&spec, &named, &json!({"type": "Eql", "actions": []}), "r");
        assert!(p.unwrap().contains("language"));
    }

    #[test]
    fn all_of_members_describing_parts_of_one_field_merge() {
        let spec = json!({});
        let schema = json!({"allOf": [
            {"type": "object", "properties": {"stream": {"type": "object", "required": ["name"],
                "properties": {"name": {"type": "string"}}}}},
            {"type": "object", "properties": {"stream": {}}},
            {"type": "object", "properties": {"stream": {"type": "object", "required": ["ingest"],
                "properties": {"ingest": {"type": "boolean"}}}}}
        ]});
        assert_eq!(
            synthesize(&spec, &schema),
            json!({"stream": {"name": "name", "ingest": true}})
        );
        // A plain string is named for its field, within its limits; other values are not.
        let pair = json!({"type": "object", "properties": {
            "add": {"type": "array", "items": {"type": "string"}},
            "remove": {"type": "array", "items": {"type": "string"}},
            "short": {"type": "string", "maxLength": 2},
            "the-id": {"type": "string", "format": "uuid"}
        }});
        let v = synthesize(&spec, &pair);
        assert_eq!(v["add"], json!(["add"]));
        assert_eq!(v["remove"], json!(["remove"]));
        assert_eq!(v["short"], "te");
        assert_eq!(v["the-id"], "5f0c8a36-3f63-4a8e-9b0e-2c4d6e8fa1b2");
    }

    #[test]
    fn a_one_of_takes_exactly_one_member_where_a_validator_judges() {
        use super::{problem, validator_problem};
        let spec = json!({"components": {"schemas": {
            "Defend": {"type": "object", "required": ["scriptId"],
                       "properties": {"scriptId": {"type": "string"}}},
            "SentinelOne": {"type": "object", "required": ["scriptId"],
                            "properties": {"scriptId": {"type": "string"}}},
            "Raw": {"type": "object", "required": ["raw"],
                    "properties": {"raw": {"type": "string"}}}
        }}});
        let members = json!([{"$ref": "#/components/schemas/Defend"},
            {"$ref": "#/components/schemas/SentinelOne"}, {"$ref": "#/components/schemas/Raw"}]);
        let one_of = json!({"oneOf": members});
        let both = json!({"scriptId": "s"});
        assert!(problem(&spec, &one_of, &both, "body").is_none());
        let p = validator_problem(&spec, &one_of, &both, "body").unwrap();
        assert!(p.contains("fits 2 of the 3 types"), "{p}");
        // `anyOf` takes it; a made-up value is the first member only one member takes.
        assert!(validator_problem(&spec, &json!({"anyOf": members}), &both, "b").is_none());
        assert_eq!(synthesize(&spec, &one_of), json!({"raw": "raw"}));
        // An enum tells members apart for a server; a client keeps other values.
        let status = json!({"oneOf": [
            {"type": "object", "properties": {"status": {"enum": ["closed"]}}},
            {"type": "object", "properties": {"status": {"enum": ["open", "acknowledged"]}}}
        ]});
        assert!(validator_problem(&spec, &status, &json!({"status": "closed"}), "b").is_none());
        let p = problem(&spec, &status, &json!({"status": "gone"}), "body").unwrap();
        assert!(p.contains("fits none"), "{p}");
        let field = json!({"type": "string", "enum": ["open"]});
        let p = problem(&spec, &field, &json!("gone"), "body.status").unwrap();
        assert_eq!(
            p,
            r#"[request body.status]: expected one of ["open"] but got "gone""#
        );
        assert!(super::answer_problem(&spec, &field, &json!("gone"), "r").is_none());
        let interval = json!({"type": "string", "pattern": "^(\\d+)([smhd])$"});
        assert_eq!(synthesize(&spec, &interval), "0d");
        // A pattern whose string breaks the length limits is left for the limits.
        let short = json!({"type": "string", "pattern": "^x{5}$", "maxLength": 2});
        assert_eq!(synthesize(&spec, &short), "te");
    }

    #[test]
    fn closed_objects_and_the_values_of_open_ones_are_checked() {
        use super::problem;
        let spec = json!({});
        let closed = json!({"type": "object", "additionalProperties": false,
                            "properties": {"name": {"type": "string"}}});
        let p = problem(&spec, &closed, &json!({"name": "a", "id": 1}), "body").unwrap();
        assert_eq!(p, "[request body.id]: definition for this key is missing");
        assert!(problem(&spec, &closed, &json!({"name": "a"}), "body").is_none());
        // A client's body type refuses the key too; an answer keeps it.
        let extra = json!({"name": "a", "id": 1});
        assert!(super::body_problem(&spec, &closed, &extra, "body").is_some());
        assert!(super::answer_problem(&spec, &closed, &extra, "response").is_none());
        let vars = json!({"type": "object", "additionalProperties": {"oneOf": [
            {"type": "string"},
            {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
        ]}});
        assert!(problem(&spec, &vars, &json!({"a": "x", "b": {"id": "s"}}), "body").is_none());
        let p = problem(&spec, &vars, &json!({"a": {"type": "text"}}), "body").unwrap();
        assert!(p.contains("body.a"), "{p}");
    }

    #[test]
    fn data_made_for_another_spec_gets_the_fields_this_one_requires() {
        let spec = json!({"components": {"schemas": {"Agent": {
            "type": "object",
            "required": ["id", "effective_config", "agent"],
            "properties": {
                "id": {"type": "string"},
                "effective_config": {},
                "agent": {"type": "object", "required": ["version"],
                          "properties": {"version": {"type": "string"}}},
                "tags": {"type": "array", "items": {"type": "string"}}
            }
        }}}});
        let page = json!({"allOf": [{"type": "object", "required": ["items"], "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Agent"}}}}]});
        let mut value = json!({"items": [{"id": "a", "agent": {}, "tags": ["x"]}]});
        assert!(complete(&spec, &page, &mut value));
        let agent = &value["items"][0];
        assert_eq!(agent["id"], "a", "what was there stays");
        assert_eq!(agent["tags"], json!(["x"]));
        assert!(agent.get("effective_config").is_some());
        assert_eq!(agent["agent"]["version"], "version");
        assert!(super::answer_problem(&spec, &page, &value, "response").is_none());
        assert!(!complete(&spec, &page, &mut value), "nothing more to add");
    }
}
