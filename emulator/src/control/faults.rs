//! The control endpoints under `/_emulator/`: queue, list and clear faults over HTTP (for
//! programs that run the binary), and the readiness probe.
//!
//! Handlers like the API's, so they sit above the store; the gate (`gate`) decides who may
//! reach them.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::http::errors::JsonBody;
use crate::http::json::{empty, json_response};
use crate::http::operations;
use crate::state::faults::{Fault, FaultBody, FaultKind};
use crate::state::store::App;

/// Every control endpoint starts with this.
pub(crate) const PREFIX: &str = "/_emulator/";

/// The one control endpoint open without credentials, for readiness probes: it tells
/// nothing and changes nothing.
pub(crate) const HEALTH: &str = "/_emulator/health";

/// `GET /_emulator/health`.
pub(crate) async fn health() -> &'static str {
    "ok"
}

/// Body of `POST /_emulator/faults`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    /// `rate_limit`, `status` or `delay`.
    kind: String,
    #[serde(default)]
    times: Option<u32>,
    #[serde(default)]
    until_cleared: Option<bool>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    path_template: Option<String>,
    #[serde(default)]
    operation: Option<String>,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    retry_after_secs: Option<f64>,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    delay_ms: Option<u64>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    raw_body: Option<String>,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    empty_body: Option<bool>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
}

fn control_error(message: String) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({"error": {"code": 400, "message": message}}),
    )
}

/// The body the request asks for: at most one of `message`, `body`, `raw_body` (with
/// `content_type`, default `text/plain`) and `empty_body`.
fn body_of(req: &FaultRequest) -> Result<FaultBody, String> {
    let mut chosen = Vec::new();
    if let Some(m) = &req.message {
        chosen.push(FaultBody::Message(m.clone()));
    }
    if let Some(v) = &req.body {
        chosen.push(FaultBody::Json(v.clone()));
    }
    if let Some(raw) = &req.raw_body {
        chosen.push(FaultBody::Raw {
            content_type: req
                .content_type
                .clone()
                .unwrap_or_else(|| "text/plain".to_owned()),
            body: raw.clone(),
        });
    } else if req.content_type.is_some() {
        return Err("content_type goes with raw_body".to_owned());
    }
    if req.empty_body == Some(true) {
        chosen.push(FaultBody::Empty);
    }
    if chosen.len() > 1 {
        return Err("give at most one of message, body, raw_body and empty_body".to_owned());
    }
    if !chosen.is_empty() && req.kind == "delay" {
        return Err("a delay answers normally: it takes no body".to_owned());
    }
    Ok(chosen.pop().unwrap_or(FaultBody::Default))
}

fn parse_fault(body: &[u8]) -> Result<Fault, String> {
    let req: FaultRequest =
        serde_json::from_slice(body).map_err(|e| format!("invalid fault: {e}"))?;
    let mut fault = match req.kind.as_str() {
        "rate_limit" => {
            let secs = req.retry_after_secs.unwrap_or(1.0);
            if !(secs.is_finite() && (0.0..=3600.0).contains(&secs)) {
                return Err("retry_after_secs must be between 0 and 3600".to_owned());
            }
            Fault::rate_limited(Duration::from_secs_f64(secs))
        }
        "status" => match req.status.unwrap_or(500) {
            s @ 400..=599 => Fault::status(s),
            s => return Err(format!("status must be 400..=599, not {s}")),
        },
        "delay" => Fault::delay(Duration::from_millis(req.delay_ms.unwrap_or(1000))),
        other => {
            return Err(format!(
                "unknown fault kind {other:?}: use rate_limit, status or delay"
            ));
        }
    };
    fault.body = body_of(&req)?;
    fault = match (req.times, req.until_cleared) {
        (Some(_), Some(true)) => return Err("give times or until_cleared, not both".to_owned()),
        (_, Some(true)) => fault.until_cleared(),
        (times, _) => fault.times(times.unwrap_or(1)),
    };
    if let Some(path) = req.path {
        fault = fault.path_contains(path);
    }
    if let Some(template) = req.path_template {
        fault = fault.path_template(template);
    }
    if let Some(id) = req.operation {
        if operations::named(&id).is_empty() {
            return Err(format!(
                "{id:?} is not an operationId of connect/v1 or ccpm/v1"
            ));
        }
        fault = fault.operation(&id);
    }
    if let Some(method) = req.method {
        if Method::from_bytes(method.to_ascii_uppercase().as_bytes()).is_err() {
            return Err(format!("{method:?} is not an HTTP method"));
        }
        fault = fault.method(&method);
    }
    for (name, value) in &req.headers {
        if HeaderName::from_bytes(name.as_bytes()).is_err() || HeaderValue::from_str(value).is_err()
        {
            return Err(format!("{name:?}: {value:?} is not a valid header"));
        }
        fault = fault.header(name, value);
    }
    Ok(fault)
}

fn describe(f: &Fault) -> Value {
    let mut v = match &f.kind {
        FaultKind::RateLimited { retry_after } => {
            json!({"kind": "rate_limit", "retry_after_secs": retry_after.as_secs_f64()})
        }
        FaultKind::Status(s) => json!({"kind": "status", "status": s}),
        FaultKind::Delay(d) => json!({"kind": "delay", "delay_ms": d.as_millis() as u64}),
    };
    if f.until_cleared {
        v["until_cleared"] = json!(true);
    } else {
        v["times"] = json!(f.times);
    }
    if let Some(p) = &f.path_contains {
        v["path"] = json!(p);
    }
    if let Some(t) = &f.template {
        v["path_template"] = json!(t);
    }
    if let Some(o) = &f.operation {
        v["operation"] = json!(o);
    }
    if let Some(m) = &f.method {
        v["method"] = json!(m.as_str());
    }
    match &f.body {
        FaultBody::Default => {}
        FaultBody::Message(m) => v["message"] = json!(m),
        FaultBody::Json(body) => v["body"] = body.clone(),
        FaultBody::Raw { content_type, body } => {
            v["raw_body"] = json!(body);
            v["content_type"] = json!(content_type);
        }
        FaultBody::Empty => v["empty_body"] = json!(true),
    }
    if !f.headers.is_empty() {
        let headers: serde_json::Map<String, Value> = f
            .headers
            .iter()
            .map(|(k, val)| {
                let text = val.to_str().unwrap_or_default().to_owned();
                (k.as_str().to_owned(), Value::String(text))
            })
            .collect();
        v["headers"] = Value::Object(headers);
    }
    v
}

/// `POST /_emulator/faults`: queue a fault, for clients that run the emulator binary.
pub(crate) async fn inject(State(app): State<App>, JsonBody(body): JsonBody) -> Response {
    match parse_fault(&body) {
        Ok(fault) => {
            let described = describe(&fault);
            app.faults().push(fault);
            json_response(StatusCode::CREATED, &described)
        }
        Err(message) => control_error(message),
    }
}

/// `GET /_emulator/faults`: the faults still waiting.
pub(crate) async fn list(State(app): State<App>) -> Response {
    let faults: Vec<_> = app.faults().pending().iter().map(describe).collect();
    json_response(StatusCode::OK, &json!({ "faults": faults }))
}

/// `DELETE /_emulator/faults`: drop every waiting fault.
pub(crate) async fn clear(State(app): State<App>) -> Response {
    app.faults().clear();
    empty(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::faults::whole_seconds;

    #[test]
    fn control_bodies_are_checked() {
        let f = parse_fault(
            br#"{"kind":"rate_limit","times":2,"retry_after_secs":1.5,"path":"/x","method":"put"}"#,
        )
        .unwrap();
        assert_eq!(
            f,
            Fault::rate_limited(Duration::from_millis(1500))
                .times(2)
                .path_contains("/x")
                .method("PUT")
        );
        assert!(parse_fault(br#"{"kind":"status","status":302}"#).is_err());
        assert!(parse_fault(br#"{"kind":"boom"}"#).is_err());
        assert!(parse_fault(br#"{"kind":"delay","extra":1}"#).is_err());
        let f = parse_fault(
            br#"{"kind":"status","status":402,"operation":"create_connector","until_cleared":true,
                 "body":{"error":{"code":402,"message":"pay"}},"headers":{"x-billing":"required"}}"#,
        )
        .unwrap();
        assert_eq!(
            f,
            Fault::status(402)
                .operation("create_connector")
                .until_cleared()
                .json_body(json!({"error": {"code": 402, "message": "pay"}}))
                .header("x-billing", "required")
        );
        assert_eq!(
            parse_fault(&serde_json::to_vec(&describe(&f)).unwrap()).unwrap(),
            f,
            "what GET lists can be posted again"
        );
        let raw = parse_fault(br#"{"kind":"status","status":502,"raw_body":"<html/>","content_type":"text/html","path_template":"/ccpm/v1/plugins/{id}"}"#).unwrap();
        assert_eq!(
            raw,
            Fault::status(502)
                .raw_body("text/html", "<html/>")
                .path_template("/ccpm/v1/plugins/{id}")
        );
        for bad in [
            &br#"{"kind":"status","operation":"make_coffee"}"#[..],
            br#"{"kind":"status","times":2,"until_cleared":true}"#,
            br#"{"kind":"status","message":"a","empty_body":true}"#,
            br#"{"kind":"status","content_type":"text/html"}"#,
            br#"{"kind":"delay","message":"a"}"#,
            br#"{"kind":"status","headers":{"bad name":"x"}}"#,
            br#"{"kind":"status","headers":{"x-a":"line
break"}}"#,
        ] {
            assert!(
                parse_fault(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(whole_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(whole_seconds(Duration::ZERO), 0);
    }
}
