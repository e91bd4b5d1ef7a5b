//! Valid sample bodies of every schema, for exchanges that need one.

use serde_json::{Map, Value, json};

use super::spec::{Direction, deref, operation, spec};

/// A JSON value valid against `schema` (an OpenAPI schema of `api`) for `dir`: every
/// property present, one item per array, one entry per map, the first enum value, the
/// first `oneOf` alternative.
pub fn sample(api: &str, schema: &Value, dir: Direction) -> Value {
    let spec = spec(api);
    sample_of(&spec.doc, schema, dir, 0).unwrap_or(Value::Null)
}

/// A valid request body of operation `id`.
pub fn sample_request(api: &str, id: &str) -> Value {
    let op = operation(api, id);
    let body = op
        .body
        .as_ref()
        .unwrap_or_else(|| panic!("{id} takes no body"));
    sample(api, &body.schema, Direction::Request)
}

/// The first declared success status of operation `id` and a valid body for it (`None`
/// when the status has no content).
pub fn sample_response(api: &str, id: &str) -> (u16, Option<Value>) {
    let op = operation(api, id);
    let status = op.success_statuses()[0];
    let body = op.responses[&status.to_string()]
        .as_ref()
        .map(|schema| sample(api, schema, Direction::Response));
    (status, body)
}

fn sample_of(doc: &Value, schema: &Value, dir: Direction, depth: usize) -> Option<Value> {
    if depth > 12 {
        return None;
    }
    let s = deref(doc, schema);
    if let Some(values) = s["enum"].as_array() {
        return values.first().cloned();
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = s[key].as_array().and_then(|a| a.first()) {
            return sample_of(doc, first, dir, depth + 1);
        }
    }
    if let Some(parts) = s["allOf"].as_array() {
        let mut merged = Map::new();
        for part in parts {
            if let Some(Value::Object(m)) = sample_of(doc, part, dir, depth + 1) {
                merged.extend(m);
            }
        }
        return Some(Value::Object(merged));
    }
    let ty = s["type"]
        .as_str()
        .unwrap_or(if s.get("properties").is_some() {
            "object"
        } else {
            ""
        });
    Some(match ty {
        "object" => {
            let mut out = Map::new();
            if let Some(props) = s["properties"].as_object() {
                for (name, p) in props {
                    if dir != Direction::Response
                        && deref(doc, p)["readOnly"].as_bool() == Some(true)
                    {
                        continue;
                    }
                    if let Some(v) = sample_of(doc, p, dir, depth + 1) {
                        out.insert(name.clone(), v);
                    }
                }
            }
            match &s["additionalProperties"] {
                Value::Object(m) if !m.is_empty() => {
                    if let Some(v) = sample_of(doc, &s["additionalProperties"], dir, depth + 1) {
                        out.insert("sample.key".into(), v);
                    }
                }
                _ => {}
            }
            Value::Object(out)
        }
        "array" => {
            let n = s["minItems"].as_u64().unwrap_or(1).max(1);
            let item = sample_of(doc, &s["items"], dir, depth + 1)?;
            Value::Array(vec![item; n as usize])
        }
        "string" => json!(match s["format"].as_str() {
            Some("date-time") => "2026-01-02T03:04:05Z",
            Some("date") => "2026-01-02",
            Some("uri") => "https://api.confluent.cloud/sample",
            Some("uuid") => "00000000-0000-4000-8000-000000000000",
            _ => "sample",
        }),
        "integer" => json!(s["minimum"].as_i64().unwrap_or(1)),
        "number" => json!(1.5),
        "boolean" => json!(true),
        _ => json!({}),
    })
}
