//! The embedded mock answers every operation of a model: each operation through `invoke` with
//! what it requires (optional parameters carry meaning, a cursor or a point in time, that values
//! of their schema's shape do not have), answered with a success or an error status the
//! operation documents (404 for an id the mock does not have, as Kibana answers it, whether the
//! id is in the path, a query parameter or the body: `?rule_id=`).

use crate::Invoke;
use kibana_serverless_runtime::Error;
use serde_json::{Map, Value};

/// Operations answered, and what went wrong with the others.
pub async fn every_operation_answered<C: Invoke>(
    client: &C,
    manifest: &Value,
    specs: &Map<String, Value>,
) -> (usize, Vec<String>) {
    let mut answered = 0;
    let mut failures = Vec::new();
    for op in manifest["operations"].as_array().into_iter().flatten() {
        let domain = op["domain"].as_str().unwrap_or_default();
        let name = op["rust_method"].as_str().unwrap_or_default();
        let (Some(spec), Some(spec_op)) = (
            specs.get(domain),
            crate::conformance::spec_operation(specs, op),
        ) else {
            failures.push(format!("{name}: not in openapi.json"));
            continue;
        };
        let mut args = crate::conformance::arguments(spec, op, spec_op);
        let required: Vec<&str> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["required"] == true)
            .filter_map(|p| p["setter"].as_str())
            .collect();
        args.params.retain(|k, _| required.contains(&k.as_str()));
        let id_key = |k: &String| k == "id" || k.ends_with("_id");
        let names_item = op["path"].as_str().unwrap_or_default().contains('{')
            || args.params.keys().any(id_key)
            || args
                .body
                .as_ref()
                .and_then(Value::as_object)
                .is_some_and(|b| b.keys().any(id_key));
        match client.invoke(domain, name, &args).await {
            Ok(_) => answered += 1,
            Err(Error::Api { status, .. })
                if (status.as_u16() == 404 && names_item)
                    || (status.as_u16() != 400
                        && spec_op["responses"].get(status.as_str()).is_some()) =>
            {
                answered += 1
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    (answered, failures)
}
