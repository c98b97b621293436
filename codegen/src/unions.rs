//! Discriminated unions of a domain's spec: for each component schema that is a `oneOf`/`anyOf`
//! with a `discriminator`, the tag property and the tag values of each member (the mapping's,
//! or each member's schema name where the spec gives none; the domain split writes those into
//! the mapping before renaming schemas). The `unions` post-pass decodes by them.

use serde_json::Value;
use std::collections::BTreeMap;

/// One union: its tag property, and member type name -> the tag values that select it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Union {
    pub property: String,
    pub members: BTreeMap<String, Vec<String>>,
}

/// Union type name -> its discriminator.
pub type Unions = BTreeMap<String, Union>;

/// The discriminated unions among the component schemas of a (split, renamed) domain spec.
pub fn of(part: &Value) -> Unions {
    let mut out = Unions::new();
    let Some(schemas) = part
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return out;
    };
    for (name, schema) in schemas {
        let Some(d) = schema.get("discriminator") else {
            continue;
        };
        let Some(property) = d.get("propertyName").and_then(Value::as_str) else {
            continue;
        };
        let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (tag, target) in d
            .get("mapping")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let Some(t) = target.as_str() else { continue };
            let member = crate::normalize::schema_ref_name(t)
                .unwrap_or(t)
                .to_string();
            members.entry(member).or_default().push(tag.clone());
        }
        out.insert(
            name.clone(),
            Union {
                property: property.to_string(),
                members,
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mapping_and_schema_names() {
        let part = json!({"components": {"schemas": {
            "Connector": {"oneOf": [{"$ref": "#/components/schemas/Webhook"}, {"$ref": "#/components/schemas/Email"}],
                "discriminator": {"propertyName": "connector_type_id", "mapping": {".webhook": "#/components/schemas/Webhook", ".email": "#/components/schemas/Email", ".mail": "#/components/schemas/Email"}}},
            "Webhook": {"type": "object"}, "Email": {"type": "object"}, "Plain": {"oneOf": [{"type": "string"}]}
        }}});
        let u = of(&part);
        assert_eq!(u.len(), 1);
        assert_eq!(u["Connector"].property, "connector_type_id");
        assert_eq!(u["Connector"].members["Webhook"], [".webhook"]);
        assert_eq!(u["Connector"].members["Email"], [".email", ".mail"]);
    }
}
