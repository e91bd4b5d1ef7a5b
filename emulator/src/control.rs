//! The control endpoints under `/_emulator/`: queue, list and clear faults over HTTP (for
//! programs that run the binary), and the readiness probe.
//!
//! Handlers like the API's, so they sit above the store; the gate (`gate`) decides who may
//! reach them.

use std::time::Duration;

use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use crate::errors::JsonBody;
use crate::faults::{Fault, FaultKind};
use crate::json::{empty, json_response};
use crate::store::App;

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
    path: Option<String>,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    retry_after_secs: Option<f64>,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    delay_ms: Option<u64>,
}

fn control_error(message: String) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({"error": {"code": 400, "message": message}}),
    )
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
    fault = fault.times(req.times.unwrap_or(1));
    if let Some(path) = req.path {
        fault = fault.path_contains(path);
    }
    if let Some(method) = req.method {
        if Method::from_bytes(method.to_ascii_uppercase().as_bytes()).is_err() {
            return Err(format!("{method:?} is not an HTTP method"));
        }
        fault = fault.method(&method);
    }
    Ok(fault)
}

fn describe(f: &Fault) -> serde_json::Value {
    let mut v = match &f.kind {
        FaultKind::RateLimited { retry_after } => {
            json!({"kind": "rate_limit", "retry_after_secs": retry_after.as_secs_f64()})
        }
        FaultKind::Status(s) => json!({"kind": "status", "status": s}),
        FaultKind::Delay(d) => json!({"kind": "delay", "delay_ms": d.as_millis() as u64}),
    };
    v["times"] = json!(f.times);
    if let Some(p) = &f.path_contains {
        v["path"] = json!(p);
    }
    if let Some(m) = &f.method {
        v["method"] = json!(m.as_str());
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
    use crate::faults::whole_seconds;

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
        assert_eq!(whole_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(whole_seconds(Duration::ZERO), 0);
    }
}
