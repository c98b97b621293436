//! Operations that document no answer. Kibana's route schemas converted to OpenAPI may list no
//! responses at all (`responses: {}`): the client then reads any success as bytes, while a mock
//! server that answers from the document (Prism) has nothing to answer and fails with a 500.
//! The mock's spec gets a bare `200` for such an operation, which is what the client reads.
//!
//! Only the spec served to such a mock is changed.

use super::{Change, for_each_operation, op_name};
use serde_json::{Value, json};

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    for_each_operation(spec, |path, method, op| {
        let none = op
            .get("responses")
            .is_none_or(|r| r.as_object().is_some_and(|r| r.is_empty()));
        if none {
            op.insert(
                "responses".into(),
                json!({"200": {"description": "Answered with no documented body."}}),
            );
            changes.push(Change {
                pass: "mock_responses",
                at: op_name(path, method, op),
                what: "no responses: a bare 200 for the mock".into(),
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
    fn operations_without_answers_answer_200() {
        let mut s = spec(
            r#"
paths:
  /api/a:
    get: {responses: {}}
    put: {responses: {'204': {description: done}}}
"#,
        );
        assert_eq!(run(&mut s).len(), 1);
        assert!(at(&s, "/paths/~1api~1a/get/responses/200").is_object());
        assert_eq!(
            at(&s, "/paths/~1api~1a/put/responses"),
            &json!({"204": {"description": "done"}})
        );
    }
}
