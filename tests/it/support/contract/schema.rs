//! OpenAPI 3.0 schemas as JSON Schema 2020-12, judged per direction of the exchange.

use serde_json::{Map, Value, json};

use super::spec::{Direction, deref};

/// Converts an OpenAPI 3.0 schema to JSON Schema 2020-12 (refs point into `$defs`).
pub fn to_json_schema(doc: &Value, schema: &Value, dir: Direction) -> Value {
    let Some(obj) = schema.as_object() else {
        return schema.clone();
    };
    if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
        // OpenAPI 3.0 ignores the siblings of a $ref.
        let name = r.rsplit('/').next().unwrap_or_default();
        return json!({ "$ref": format!("#/$defs/{name}") });
    }
    let mut out = Map::new();
    for (k, v) in obj {
        match k.as_str() {
            "nullable" | "example" | "discriminator" | "xml" | "externalDocs" | "deprecated" => {}
            k if k.starts_with("x-") => {}
            "properties" => {
                let required = |name: &str| {
                    obj.get("required")
                        .and_then(Value::as_array)
                        .is_some_and(|r| r.iter().any(|n| n == name))
                };
                let props = v
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(name, s)| {
                                let converted = to_json_schema(doc, s, dir);
                                // OpenAPI 3.0 cannot mark a `$ref` nullable; answers may send
                                // `null` for an optional section (openapi/README.md), which
                                // the crate decodes as absent.
                                let nullable_ref = dir == Direction::Response
                                    && s.get("$ref").is_some()
                                    && !required(name);
                                let converted = if nullable_ref {
                                    json!({ "anyOf": [converted, { "type": "null" }] })
                                } else {
                                    converted
                                };
                                (name.clone(), converted)
                            })
                            .collect::<Map<_, _>>()
                    })
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Object(props));
            }
            // Every enum of these specs is open (`x-extensible-enum` published): an answer
            // may carry a value added later, which the crate decodes as `Unknown`. What the
            // client sends stays within the known values.
            "enum" if dir == Direction::Response => {}
            "items" | "not" => {
                out.insert(k.clone(), to_json_schema(doc, v, dir));
            }
            "additionalProperties" => {
                out.insert(
                    k.clone(),
                    if v.is_object() {
                        to_json_schema(doc, v, dir)
                    } else {
                        v.clone()
                    },
                );
            }
            "allOf" | "oneOf" | "anyOf" => {
                let parts = v
                    .as_array()
                    .map(|a| a.iter().map(|s| to_json_schema(doc, s, dir)).collect())
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Array(parts));
            }
            "required" => {
                // A readOnly property is only required of answers, a writeOnly one only of
                // requests.
                let props = obj.get("properties").and_then(Value::as_object);
                let kept: Vec<Value> = v
                    .as_array()
                    .map(|names| {
                        names
                            .iter()
                            .filter(|n| {
                                let Some(p) = n.as_str().and_then(|n| props?.get(n)) else {
                                    return true;
                                };
                                let p = deref(doc, p);
                                let flag = match dir {
                                    Direction::Request | Direction::OpenRequest => "readOnly",
                                    Direction::Response => "writeOnly",
                                };
                                !p[flag].as_bool().unwrap_or(false)
                            })
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Array(kept));
            }
            "exclusiveMinimum" | "exclusiveMaximum" if v.is_boolean() => {
                // OpenAPI 3.0 (draft 4) booleans become 2020-12 numeric bounds.
                let bound = if k == "exclusiveMinimum" {
                    "minimum"
                } else {
                    "maximum"
                };
                if let (Some(true), Some(limit)) = (v.as_bool(), obj.get(bound)) {
                    out.insert(k.clone(), limit.clone());
                }
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    for bound in ["exclusiveMinimum", "exclusiveMaximum"] {
        if obj.get(bound).and_then(Value::as_bool) == Some(true) {
            out.remove(if bound == "exclusiveMinimum" {
                "minimum"
            } else {
                "maximum"
            });
        }
    }
    if obj.get("nullable").and_then(Value::as_bool) == Some(true) {
        match out.get_mut("type") {
            Some(Value::String(t)) => {
                let t = t.clone();
                out.insert("type".into(), json!([t, "null"]));
                if let Some(Value::Array(values)) = out.get_mut("enum") {
                    values.push(Value::Null);
                }
            }
            _ => return json!({ "anyOf": [Value::Object(out), { "type": "null" }] }),
        }
    }
    // The client builds every request: a property its schema does not define is a
    // contract violation (answers stay open for forward compatibility).
    if dir == Direction::Request
        && out.contains_key("properties")
        && !out.contains_key("additionalProperties")
    {
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    Value::Object(out)
}
