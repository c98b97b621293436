//! One success type per operation: progenitor panics when an operation's 2xx responses have
//! different types (e.g. 200 with a body and 204 without). The first 2xx response that has a body
//! is kept, with every other 2xx response whose body is the same; the rest are dropped and
//! reported. A dropped status still reaches the caller as an unexpected-response error.

use super::{Change, for_each_operation, is_success_status, op_name};
use serde_json::Value;

fn body_of(response: &Value) -> Option<&Value> {
    response
        .get("content")
        .filter(|c| c.as_object().is_some_and(|c| !c.is_empty()))
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    for_each_operation(spec, |path, method, op| {
        let at = op_name(path, method, op);
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            return;
        };
        let successes: Vec<String> = responses
            .keys()
            .filter(|s| is_success_status(s))
            .cloned()
            .collect();
        if successes.len() < 2 {
            return;
        }
        let keep = successes
            .iter()
            .find(|s| body_of(&responses[s.as_str()]).is_some())
            .unwrap_or(&successes[0])
            .clone();
        let kept_body = body_of(&responses[&keep]).cloned();
        for status in successes.iter().filter(|s| **s != keep) {
            if body_of(&responses[status.as_str()]).cloned() == kept_body {
                continue;
            }
            responses.shift_remove(status.as_str());
            changes.push(Change {
                pass: "success_responses",
                at: format!("{at} {status}"),
                what: format!("dropped: its body differs from the {keep} response, and an operation has one success type"),
            });
        }
    });
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};

    #[test]
    fn keeps_one_success_type() {
        let mut s = spec(
            r#"
paths:
  /x:
    post:
      responses:
        '204': {description: none}
        '200': {description: a, content: {application/json: {schema: {type: object}}}}
        '201': {description: same, content: {application/json: {schema: {type: object}}}}
        '202': {description: other, content: {application/json: {schema: {type: string}}}}
        '400': {description: bad}
"#,
        );
        let changes = run(&mut s);
        assert_eq!(changes.len(), 2, "{changes:#?}");
        let kept: Vec<&String> = at(&s, "/paths/~1x/post/responses")
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(kept, ["200", "201", "400"]);
    }
}
