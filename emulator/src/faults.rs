//! Fault injection: make the next requests fail or wait, to test a client's retries.

use std::collections::VecDeque;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::errors::{Failure, JsonBody, Shape, empty, json_response};
use super::state::App;

/// What an injected fault does to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// Answer `429 Too Many Requests` with `Retry-After` (whole seconds, rounded up) and
    /// `X-RateLimit-Remaining: 0`, and no body, as the API does.
    RateLimited {
        /// The wait announced in `Retry-After` and `X-RateLimit-Reset`.
        retry_after: Duration,
    },
    /// Answer with this status (400 to 599) and an error body in the shape of the API the
    /// path belongs to.
    Status(u16),
    /// Wait this long, then handle the request normally.
    Delay(Duration),
}

/// A fault that applies to the next `times` requests matching its filters.
///
/// Faults are consumed in the order they were injected: a request takes the first fault
/// whose filters match it. Paths under `/_emulator/` are never affected.
///
/// ```
/// use std::time::Duration;
/// use ccloud_connect_emulator::Fault;
/// let fault = Fault::rate_limited(Duration::from_secs(1))
///     .times(2)
///     .path_contains("/connectors")
///     .method("GET");
/// # let _ = fault;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    kind: FaultKind,
    times: u32,
    path_contains: Option<String>,
    method: Option<Method>,
}

impl Fault {
    /// The next request gets a `429` asking to wait `retry_after`.
    pub fn rate_limited(retry_after: Duration) -> Self {
        Self::new(FaultKind::RateLimited { retry_after })
    }

    /// The next request gets this error status (a 5xx for a server failure).
    ///
    /// # Panics
    ///
    /// When `status` is not between 400 and 599: a fault is an error answer.
    pub fn status(status: u16) -> Self {
        assert!(
            (400..=599).contains(&status),
            "an injected fault status must be 400..=599, not {status}"
        );
        Self::new(FaultKind::Status(status))
    }

    /// The next request is answered normally, but only after `delay`.
    pub fn delay(delay: Duration) -> Self {
        Self::new(FaultKind::Delay(delay))
    }

    fn new(kind: FaultKind) -> Self {
        Fault {
            kind,
            times: 1,
            path_contains: None,
            method: None,
        }
    }

    /// Applies to the next `n` matching requests instead of one (0 disables the fault).
    pub fn times(mut self, n: u32) -> Self {
        self.times = n;
        self
    }

    /// Only requests whose path contains `fragment`.
    pub fn path_contains(mut self, fragment: impl Into<String>) -> Self {
        self.path_contains = Some(fragment.into());
        self
    }

    /// Only requests with this method (`GET`, `POST`, ...; case-insensitive).
    ///
    /// # Panics
    ///
    /// When `method` is not a valid HTTP method token.
    pub fn method(mut self, method: &str) -> Self {
        let parsed = Method::from_bytes(method.to_ascii_uppercase().as_bytes())
            .unwrap_or_else(|_| panic!("{method:?} is not an HTTP method"));
        self.method = Some(parsed);
        self
    }

    /// What the fault does.
    pub fn kind(&self) -> &FaultKind {
        &self.kind
    }

    /// How many more requests it applies to.
    pub fn remaining(&self) -> u32 {
        self.times
    }

    fn matches(&self, method: &Method, path: &str) -> bool {
        self.times > 0
            && self.method.as_ref().is_none_or(|m| m == method)
            && self
                .path_contains
                .as_deref()
                .is_none_or(|fragment| path.contains(fragment))
    }
}

/// The faults waiting for requests.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    faults: VecDeque<Fault>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, fault: Fault) {
        if fault.times > 0 {
            self.faults.push_back(fault);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.faults.clear();
    }

    pub(crate) fn pending(&self) -> Vec<Fault> {
        self.faults.iter().cloned().collect()
    }

    /// Consumes one use of the first fault matching the request.
    pub(crate) fn take(&mut self, method: &Method, path: &str) -> Option<FaultKind> {
        let index = self.faults.iter().position(|f| f.matches(method, path))?;
        let fault = &mut self.faults[index];
        fault.times -= 1;
        let kind = fault.kind.clone();
        if fault.times == 0 {
            self.faults.remove(index);
        }
        Some(kind)
    }
}

/// `Retry-After` in whole seconds, as the API sends it.
fn whole_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// The answer of a rate-limit or status fault for a request to `path`.
pub(crate) fn answer(kind: &FaultKind, path: &str) -> Option<Response> {
    match kind {
        FaultKind::Delay(_) => None,
        FaultKind::RateLimited { retry_after } => {
            let secs = whole_seconds(*retry_after).to_string();
            let mut response = if path.starts_with("/_storage/") {
                super::storage_errors::throttled(path)
            } else {
                empty(StatusCode::TOO_MANY_REQUESTS)
            };
            let h = response.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&secs) {
                h.insert(header::RETRY_AFTER, v.clone());
                h.insert("x-ratelimit-reset", v);
            }
            h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
            Some(response)
        }
        FaultKind::Status(code) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            if path.starts_with("/_storage/") {
                return Some(super::storage_errors::failed(path, status));
            }
            let message = format!(
                "{} (fault injected by the emulator)",
                status.canonical_reason().unwrap_or("Error")
            );
            let mut failure = Failure::new(status, Shape::for_path(path), "server_error", message);
            if status.is_client_error() {
                failure.code = "bad_request";
            }
            Some(axum::response::IntoResponse::into_response(failure))
        }
    }
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

    #[test]
    fn faults_are_taken_in_order_and_filtered() {
        let mut q = FaultQueue::default();
        q.push(Fault::status(503).times(2).path_contains("/ccpm/"));
        q.push(Fault::delay(Duration::from_millis(5)).method("get"));
        q.push(Fault::status(500).times(0));
        let get = Method::GET;
        assert_eq!(
            q.take(&get, "/connect/v1/x"),
            Some(FaultKind::Delay(Duration::from_millis(5)))
        );
        assert_eq!(q.take(&get, "/connect/v1/x"), None);
        assert_eq!(
            q.take(&Method::POST, "/ccpm/v1/plugins"),
            Some(FaultKind::Status(503))
        );
        assert_eq!(q.pending().len(), 1);
        assert_eq!(
            q.take(&get, "/ccpm/v1/plugins"),
            Some(FaultKind::Status(503))
        );
        assert!(q.pending().is_empty());
    }

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
