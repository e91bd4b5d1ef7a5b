//! Forward compatibility: answers with unknown fields, unknown enum values, missing optional
//! fields and `null` optional objects decode, for every operation.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use super::decoding::decoders;
use super::test_client;
use crate::support::contract::{self, Direction, ops};
use crate::support::server::{Answer, Server};

/// Where a valid answer can change without the client minding.
#[derive(Debug)]
enum Site {
    /// An object: a property may be added (for a map, an entry holding `entry`).
    Object { at: String, entry: Option<Value> },
    /// An enum value: a new one may appear.
    Enum(String),
    /// An optional property: it may be left out; an object or array one may be `null`
    /// (Go servers send nil maps and slices as `null`).
    Optional { at: String, nullable: bool },
}

fn child(ptr: &str, key: &str) -> String {
    format!("{ptr}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// Walks a sample answer along its schema, recording every [`Site`].
fn sites(doc: &Value, schema: &Value, instance: &Value, ptr: &str, out: &mut Vec<Site>) {
    let s = contract::deref(doc, schema);
    if s.get("enum").is_some() {
        out.push(Site::Enum(ptr.to_owned()));
        return;
    }
    if let Some(first) = s["oneOf"].as_array().and_then(|a| a.first()) {
        return sites(doc, first, instance, ptr, out);
    }
    match instance {
        Value::Object(map) => {
            let entry = (s.get("properties").is_none() && s["additionalProperties"].is_object())
                .then(|| sample_of_schema(doc, &s["additionalProperties"]));
            out.push(Site::Object {
                at: ptr.to_owned(),
                entry,
            });
            let required: Vec<&str> = s["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for (key, value) in map {
                let at = child(ptr, key);
                let prop = s["properties"].get(key);
                if let Some(prop) = prop {
                    if !required.contains(&key.as_str()) {
                        let p = contract::deref(doc, prop);
                        let nullable = p["type"] == "object"
                            || p["type"] == "array"
                            || p.get("properties").is_some()
                            || p["nullable"] == true;
                        out.push(Site::Optional {
                            at: at.clone(),
                            nullable,
                        });
                    }
                    sites(doc, prop, value, &at, out);
                } else if s["additionalProperties"].is_object() {
                    sites(doc, &s["additionalProperties"], value, &at, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                sites(doc, &s["items"], item, &child(ptr, &i.to_string()), out);
            }
        }
        _ => {}
    }
}

/// A valid value of `schema`, a schema of the spec whose document `doc` is (of any spec;
/// the connect spec resolves a document that is none of them).
fn sample_of_schema(doc: &Value, schema: &Value) -> Value {
    let api = contract::specs()
        .iter()
        .find(|s| std::ptr::eq(&s.doc, doc))
        .map_or("connect", |s| s.api);
    contract::sample(api, schema, Direction::Response)
}

fn remove_at(v: &mut Value, ptr: &str) {
    let (parent, key) = ptr.rsplit_once('/').unwrap();
    let key = key.replace("~1", "/").replace("~0", "~");
    if let Some(Value::Object(m)) = v.pointer_mut(parent) {
        m.remove(&key);
    }
}

/// Every variant of every operation's sample answer that a newer or sloppier server could
/// send, with what was changed.
fn forward_variants() -> Vec<(&'static str, &'static str, String, Value)> {
    let mut out = Vec::new();
    for (api, id, _) in decoders() {
        let spec = contract::spec(api);
        let op = spec.operation(id);
        let status = op.success_statuses()[0];
        let schema = op.responses[&status.to_string()].clone().unwrap();
        // Each alternative of a oneOf answer is a base of its own.
        let bases: Vec<Value> = match contract::deref(&spec.doc, &schema)["oneOf"].as_array() {
            Some(alternatives) => alternatives.clone(),
            None => vec![schema],
        };
        for schema in bases {
            let sample = contract::sample(api, &schema, Direction::Response);
            let mut found = Vec::new();
            sites(&spec.doc, &schema, &sample, "", &mut found);
            let mut minimal = sample.clone();
            for site in &found {
                let mut v = sample.clone();
                let what = match site {
                    Site::Object { at, entry } => {
                        let Some(Value::Object(m)) = v.pointer_mut(at) else {
                            continue;
                        };
                        let added = entry
                            .clone()
                            .unwrap_or_else(|| json!({"nested": [1, "two", null, {"deep": true}]}));
                        m.insert("x_added_later".into(), added);
                        format!("unknown field at {at:?}")
                    }
                    Site::Enum(at) => {
                        *v.pointer_mut(at).unwrap() = json!("VALUE_ADDED_LATER");
                        format!("unknown enum value at {at:?}")
                    }
                    Site::Optional { at, nullable } => {
                        remove_at(&mut minimal, at);
                        if *nullable {
                            let mut nulled = sample.clone();
                            *nulled.pointer_mut(at).unwrap() = Value::Null;
                            out.push((api, id, format!("null value at {at:?}"), nulled));
                        }
                        remove_at(&mut v, at);
                        format!("missing optional {at:?}")
                    }
                };
                out.push((api, id, what, v));
            }
            out.push((api, id, "every optional field missing".into(), minimal));
        }
    }
    out
}

#[test]
fn newer_and_sparser_answers_decode() {
    let table = decoders();
    let variants = forward_variants();
    let mut kinds = std::collections::BTreeMap::<&str, usize>::new();
    for (api, id, what, body) in &variants {
        let decode = table
            .iter()
            .find(|(a, i, _)| a == api && i == id)
            .unwrap()
            .2;
        if let Err(e) = decode(body.to_string().as_bytes()) {
            panic!("{api} {id} with {what} does not decode: {e}\n{body}");
        }
        *kinds
            .entry(
                what.split(" at ")
                    .next()
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap(),
            )
            .or_default() += 1;
    }
    for kind in ["unknown", "missing", "null", "every"] {
        assert!(
            kinds.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} variant: {kinds:?}"
        );
    }
    eprintln!(
        "{} forward-compatible variants decode: {kinds:?}",
        variants.len()
    );
}

#[tokio::test]
async fn newer_and_sparser_answers_pass_through_the_client() {
    let slot = Arc::new(Mutex::new(Answer::empty(200)));
    let server = Server::answering(slot.clone()).await;
    let client = test_client(&server.base_url, Duration::from_secs(5));
    let table = ops::all();
    for (api, id, what, body) in forward_variants() {
        let op = table.iter().find(|o| o.api == api && o.id == id).unwrap();
        let (status, _) = contract::sample_response(api, id);
        *slot.lock().unwrap() = Answer::json(status, &body);
        if let Err(e) = op.call_plain(&client).await {
            panic!("{api} {id} with {what}: {e}\n{body}");
        }
    }
}

#[test]
fn unknown_enum_values_are_kept() {
    use ccloud_connect::connect::{ConnectorState, ConnectorStatus};
    let status: ConnectorStatus = serde_json::from_value(json!({
        "name": "c", "connector": {"state": "RESTARTING"}, "tasks": [{"id": 0, "state": "RUNNING"}]
    }))
    .unwrap();
    assert_eq!(
        status.connector.state,
        ConnectorState::Unknown("RESTARTING".into())
    );
    assert_eq!(status.connector.state.to_string(), "RESTARTING");
    assert_eq!(
        serde_json::to_value(&status.connector.state).unwrap(),
        json!("RESTARTING")
    );
}
