//! Content documented under a status that HTTP gives no content (204 No Content, 205 Reset
//! Content, 304 Not Modified). No body ever arrives with such a status, so a client that reads
//! the declared one fails on every answer; and a server that does send that body must send it
//! with another status, which the client would not expect. Kibana's early SLO spec documents
//! the reset's SLO under 204, where its route answers 200 with it (later specs say 200).
//!
//! Where no other 2xx response of the operation has content, the body is the operation's answer
//! and moves to 200 (the status Kibana's routes send a body with): the response is renamed, or,
//! where a 200 without content is documented, that 200 takes the content. Otherwise the other
//! response already names the body, and the declared content goes.

use super::{Change, for_each_operation, op_name, resolve};
use serde_json::{Map, Value};

/// Statuses whose responses HTTP gives no content.
const NO_CONTENT: [&str; 3] = ["204", "205", "304"];

fn has_content(response: &Value) -> bool {
    response
        .get("content")
        .and_then(Value::as_object)
        .is_some_and(|c| !c.is_empty())
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    let original = spec.clone();
    let mut changes = Vec::new();
    for_each_operation(spec, |path, method, op| {
        let at = op_name(path, method, op);
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            return;
        };
        for status in NO_CONTENT {
            let Some(response) = responses.get(status) else {
                continue;
            };
            // A `$ref` response is read where it points and copied here, so that the shared
            // component (which other operations may use under other statuses) stays whole.
            let mut response = resolve(&original, response).clone();
            let Some(content) = response.as_object_mut().and_then(|r| r.remove("content")) else {
                continue;
            };
            if content.as_object().is_none_or(Map::is_empty) {
                continue;
            }
            let other_body = responses.iter().any(|(s, r)| {
                s != status && s.starts_with('2') && has_content(resolve(&original, r))
            });
            let what = if other_body {
                responses.insert(status.into(), response);
                format!(
                    "content dropped: HTTP gives {status} none, and another 2xx response names the body"
                )
            } else if let Some(ok) = responses.get_mut("200").and_then(Value::as_object_mut) {
                ok.insert("content".into(), content);
                responses.insert(status.into(), response);
                format!("content moved to 200: HTTP gives {status} none")
            } else {
                response
                    .as_object_mut()
                    .expect("a response with content is an object")
                    .insert("content".into(), content);
                *responses = std::mem::take(responses)
                    .into_iter()
                    .map(|(s, r)| {
                        if s == status {
                            ("200".into(), response.clone())
                        } else {
                            (s, r)
                        }
                    })
                    .collect();
                format!(
                    "answered as 200: HTTP gives {status} no content, and Kibana sends a body with 200"
                )
            };
            changes.push(Change {
                pass: "no_content_bodies",
                at: format!("{at} {status}"),
                what,
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
    fn a_body_under_no_content_is_answered_with_200() {
        let mut s = spec(
            r#"
paths:
  /reset:
    post:
      responses:
        '204': {description: reset, content: {application/json: {schema: {$ref: '#/components/schemas/Slo'}}}}
        '400': {description: bad, content: {application/json: {schema: {type: object}}}}
  /both:
    post:
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}}}}
        '204': {description: none, content: {application/json: {schema: {type: string}}}}
  /empty-ok:
    post:
      responses:
        '200': {description: ok}
        '204': {$ref: '#/components/responses/Body'}
  /fine:
    delete:
      responses:
        '204': {description: gone}
        '304': {description: same, content: {}}
components:
  responses:
    Body: {description: body, content: {application/json: {schema: {type: integer}}}}
  schemas:
    Slo: {type: object}
"#,
        );
        let changes = run(&mut s);
        assert_eq!(changes.len(), 3, "{changes:#?}");

        let reset = at(&s, "/paths/~1reset/post/responses");
        let statuses: Vec<&String> = reset.as_object().unwrap().keys().collect();
        assert_eq!(statuses, ["200", "400"], "renamed in place");
        assert_eq!(reset["200"]["description"], "reset");
        assert_eq!(
            reset["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Slo"
        );

        let both = at(&s, "/paths/~1both/post/responses");
        assert_eq!(
            both["200"]["content"]["application/json"]["schema"]["type"],
            "object"
        );
        assert!(both["204"].get("content").is_none());
        assert_eq!(both["204"]["description"], "none");

        let empty_ok = at(&s, "/paths/~1empty-ok/post/responses");
        assert_eq!(
            empty_ok["200"]["content"]["application/json"]["schema"]["type"],
            "integer"
        );
        assert_eq!(empty_ok["204"], serde_json::json!({"description": "body"}));
        assert!(
            has_content(at(&s, "/components/responses/Body")),
            "the shared response stays whole"
        );

        assert_eq!(
            at(&s, "/paths/~1fine/delete/responses/204"),
            &serde_json::json!({"description": "gone"})
        );
    }
}
