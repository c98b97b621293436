//! Form files typed as something other than a string. Kibana's main spec types the saved-objects
//! import's file and the script library's upload as `type: object`. A validating mock server
//! (Prism) reads each form part as text and refuses such a file whatever is sent. For the mock,
//! the form's file field (chosen as the client chooses it) is a binary string.
//!
//! Only the spec served to such a mock is changed.

use super::non_json_bodies::{flattened, form_file};
use super::{Change, for_each_operation, op_name, resolve};
use serde_json::{Value, json};

pub fn run(spec: &mut Value) -> Vec<Change> {
    let snapshot = spec.clone();
    let mut changes = Vec::new();
    for_each_operation(spec, |path, method, op| {
        let at = op_name(path, method, op);
        let Some(schema) = op
            .get_mut("requestBody")
            .and_then(|b| b.pointer_mut("/content/multipart~1form-data/schema"))
        else {
            return;
        };
        let mut form = flattened(&snapshot, resolve(&snapshot, schema));
        let Some(field) = form
            .get("properties")
            .and_then(Value::as_object)
            .and_then(form_file)
        else {
            return;
        };
        let declared = resolve(&snapshot, &form["properties"][&field]);
        if declared.get("type").and_then(Value::as_str) == Some("string") {
            return;
        }
        let mut file = json!({"type": "string", "format": "binary"});
        if let Some(d) = declared.get("description") {
            file["description"] = d.clone();
        }
        form["properties"][&field] = file;
        *schema = form;
        changes.push(Change {
            pass: "mock_form_files",
            at,
            what: format!("form file `{field}` as a binary string, for the mock"),
        });
    });
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};

    #[test]
    fn a_form_file_typed_as_an_object_is_a_binary_string() {
        let mut s = spec(
            r#"
paths:
  /import:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema: {$ref: '#/components/schemas/Import'}
  /upload:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                file: {type: string, format: binary}
                name: {type: string}
components:
  schemas:
    Import:
      type: object
      additionalProperties: false
      required: [file]
      properties:
        file: {type: object, description: An export.}
"#,
        );
        assert_eq!(run(&mut s).len(), 1);
        let form = at(
            &s,
            "/paths/~1import/post/requestBody/content/multipart~1form-data/schema",
        );
        assert_eq!(
            form["properties"]["file"],
            json!({"type": "string", "format": "binary", "description": "An export."})
        );
        assert_eq!(form["additionalProperties"], false);
        assert_eq!(form["required"], json!(["file"]));
        assert!(run(&mut s).is_empty(), "once is enough");
    }
}
