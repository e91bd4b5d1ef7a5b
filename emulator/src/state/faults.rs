//! Fault injection: make the next requests fail or wait, to test a client's retries.
//!
//! Only what a fault is and the queue that holds them, over the operation table
//! (`operations`) alone, so the store can own the queue. How a fault is answered is the gate's business (`gate`), and the HTTP control
//! endpoints that queue them are in `control`.

use std::collections::VecDeque;
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method};

use crate::http::operations;

/// What an injected fault does to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// Answer `429 Too Many Requests` with `Retry-After` (whole seconds, rounded up),
    /// `X-RateLimit-Remaining: 0` and the error body of the API the path belongs to, as the
    /// enforced rate limit answers.
    RateLimited {
        /// The wait announced in `Retry-After` and `X-RateLimit-Reset`.
        retry_after: Duration,
    },
    /// Answer with this status (400 to 599) and an error body in the shape the API the
    /// path belongs to has for it, unless the fault sets another body.
    Status(u16),
    /// Wait this long, then handle the request normally.
    Delay(Duration),
}

/// What a status or rate-limit fault answers as its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FaultBody {
    /// The API's error shape for the status, with the emulator's message.
    Default,
    /// The API's error shape for the status, with this message.
    Message(String),
    /// This JSON, as it is (`Content-Type: application/json`).
    Json(serde_json::Value),
    /// These bytes with this `Content-Type`: what a proxy or load balancer may answer.
    Raw { content_type: String, body: String },
    /// No body at all.
    Empty,
}

/// A fault that applies to the next `times` requests matching its filters (or to every
/// one, [`until_cleared`](Fault::until_cleared)).
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
/// // The next create answers 402 with a body of the test's choosing, and a header.
/// let payment = Fault::status(402)
///     .operation("create_connector")
///     .json_body(serde_json::json!({"error": {"code": 402, "message": "add a card"}}))
///     .header("x-billing", "required");
/// // Every status read answers 503 with an HTML page, until the faults are cleared.
/// let outage = Fault::status(503)
///     .operation("get_connector_status")
///     .raw_body("text/html", "<html><body>Service Unavailable</body></html>")
///     .until_cleared();
/// # let _ = (fault, payment, outage);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub(crate) kind: FaultKind,
    pub(crate) times: u32,
    pub(crate) until_cleared: bool,
    pub(crate) path_contains: Option<String>,
    pub(crate) method: Option<Method>,
    pub(crate) operation: Option<String>,
    pub(crate) template: Option<String>,
    pub(crate) body: FaultBody,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

impl Fault {
    /// The next request gets a `429` asking to wait `retry_after`, with the API's error
    /// body unless another body is set.
    pub fn rate_limited(retry_after: Duration) -> Self {
        Self::new(FaultKind::RateLimited { retry_after })
    }

    /// The next request gets this error status (a 5xx for a server failure), with the
    /// API's error body for it unless another body is set.
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
            until_cleared: false,
            path_contains: None,
            method: None,
            operation: None,
            template: None,
            body: FaultBody::Default,
            headers: Vec::new(),
        }
    }

    /// Applies to the next `n` matching requests instead of one (0 disables the fault),
    /// and no longer [`until_cleared`](Fault::until_cleared).
    pub fn times(mut self, n: u32) -> Self {
        self.times = n;
        self.until_cleared = false;
        self
    }

    /// Applies to every matching request until the faults are cleared
    /// ([`EmulatorHandle::clear_faults`](crate::EmulatorHandle::clear_faults), HTTP
    /// `DELETE /_emulator/faults`). It stays first in line, so faults queued behind it
    /// that match the same requests never apply.
    pub fn until_cleared(mut self) -> Self {
        self.until_cleared = true;
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

    /// Only requests of this operation, by the `operationId` of the published specs
    /// (`create_connector`, `get_connector_status`, `create_plugin_version`, ...): its
    /// method and path template. `create_presigned_upload_url` names the operation of
    /// both APIs; add [`path_contains`](Fault::path_contains) (`"/ccpm/"`) to pick one.
    ///
    /// # Panics
    ///
    /// When neither API has an operation of that id.
    pub fn operation(mut self, operation_id: &str) -> Self {
        assert!(
            !operations::named(operation_id).is_empty(),
            "{operation_id:?} is not an operationId of connect/v1 or ccpm/v1"
        );
        self.operation = Some(operation_id.to_owned());
        self
    }

    /// Only requests whose path fits `template`, segment by segment, a `{...}` segment
    /// matching any one (`/connect/v1/environments/{env}/clusters/{cluster}/connectors`).
    pub fn path_template(mut self, template: impl Into<String>) -> Self {
        self.template = Some(template.into());
        self
    }

    /// The error body of the API concerned (the shape the status has there), with this
    /// message instead of the emulator's.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.body = FaultBody::Message(message.into());
        self
    }

    /// This JSON as the body, exactly (`Content-Type: application/json`).
    pub fn json_body(mut self, body: serde_json::Value) -> Self {
        self.body = FaultBody::Json(body);
        self
    }

    /// This text as the body with this `Content-Type`, as a proxy or load balancer in
    /// front of the API can answer (HTML, plain text).
    pub fn raw_body(mut self, content_type: impl Into<String>, body: impl Into<String>) -> Self {
        self.body = FaultBody::Raw {
            content_type: content_type.into(),
            body: body.into(),
        };
        self
    }

    /// No body at all.
    pub fn empty_body(mut self) -> Self {
        self.body = FaultBody::Empty;
        self
    }

    /// A header added to the answer (it replaces one of the same name the emulator would
    /// send, `Retry-After` and the `X-RateLimit-*` headers included). For a delay, it is
    /// added to the answer given after the delay.
    ///
    /// # Panics
    ///
    /// When `name` or `value` is not valid in an HTTP header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let name = HeaderName::from_bytes(name.as_bytes())
            .unwrap_or_else(|_| panic!("{name:?} is not a header name"));
        let value = HeaderValue::from_str(value)
            .unwrap_or_else(|_| panic!("{value:?} is not a header value"));
        self.headers.push((name, value));
        self
    }

    /// What the fault does.
    pub fn kind(&self) -> &FaultKind {
        &self.kind
    }

    /// How many more requests it applies to; `u32::MAX` for a fault that applies
    /// [`until_cleared`](Fault::until_cleared).
    pub fn remaining(&self) -> u32 {
        if self.until_cleared {
            u32::MAX
        } else {
            self.times
        }
    }

    /// Whether it applies until the faults are cleared.
    pub fn is_until_cleared(&self) -> bool {
        self.until_cleared
    }

    fn matches(&self, method: &Method, path: &str) -> bool {
        (self.until_cleared || self.times > 0)
            && self.method.as_ref().is_none_or(|m| m == method)
            && self
                .path_contains
                .as_deref()
                .is_none_or(|fragment| path.contains(fragment))
            && self
                .template
                .as_deref()
                .is_none_or(|t| operations::fits(t, path))
            && self.operation.as_deref().is_none_or(|id| {
                operations::named(id)
                    .iter()
                    .any(|o| o.matches(method, path))
            })
    }
}

/// The faults waiting for requests.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    faults: VecDeque<Fault>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, fault: Fault) {
        if fault.until_cleared || fault.times > 0 {
            self.faults.push_back(fault);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.faults.clear();
    }

    pub(crate) fn pending(&self) -> Vec<Fault> {
        self.faults.iter().cloned().collect()
    }

    /// Consumes one use of the first fault matching the request, and answers it.
    pub(crate) fn take(&mut self, method: &Method, path: &str) -> Option<Fault> {
        let index = self.faults.iter().position(|f| f.matches(method, path))?;
        let fault = &mut self.faults[index];
        if fault.until_cleared {
            return Some(fault.clone());
        }
        fault.times -= 1;
        let taken = fault.clone();
        if fault.times == 0 {
            self.faults.remove(index);
        }
        Some(taken)
    }
}

/// `Retry-After` in whole seconds, rounded up, as the API sends it: a client that waits
/// the announced time must not come back early.
pub(crate) fn whole_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(f: Option<Fault>) -> Option<FaultKind> {
        f.map(|f| f.kind)
    }

    #[test]
    fn faults_are_taken_in_order_and_filtered() {
        let mut q = FaultQueue::default();
        q.push(Fault::status(503).times(2).path_contains("/ccpm/"));
        q.push(Fault::delay(Duration::from_millis(5)).method("get"));
        q.push(Fault::status(500).times(0));
        let get = Method::GET;
        assert_eq!(
            kind(q.take(&get, "/connect/v1/x")),
            Some(FaultKind::Delay(Duration::from_millis(5)))
        );
        assert_eq!(q.take(&get, "/connect/v1/x"), None);
        assert_eq!(
            kind(q.take(&Method::POST, "/ccpm/v1/plugins")),
            Some(FaultKind::Status(503))
        );
        assert_eq!(q.pending().len(), 1);
        assert_eq!(
            kind(q.take(&get, "/ccpm/v1/plugins")),
            Some(FaultKind::Status(503))
        );
        assert!(q.pending().is_empty());
    }

    #[test]
    fn operations_and_templates_select_requests() {
        let connectors = "/connect/v1/environments/e/clusters/c/connectors";
        let mut q = FaultQueue::default();
        q.push(
            Fault::status(402)
                .operation("create_connector")
                .message("pay"),
        );
        assert_eq!(q.take(&Method::GET, connectors), None, "list, not create");
        assert_eq!(
            q.take(&Method::POST, &format!("{connectors}/x/restart")),
            None
        );
        let taken = q.take(&Method::POST, connectors).unwrap();
        assert_eq!(taken.body, FaultBody::Message("pay".to_owned()));
        assert!(q.pending().is_empty());

        q.push(Fault::status(500).path_template("/ccpm/v1/plugins/{id}"));
        assert_eq!(q.take(&Method::GET, "/ccpm/v1/plugins"), None);
        assert!(q.take(&Method::DELETE, "/ccpm/v1/plugins/ccp-1").is_some());

        let presigned = Fault::status(503).operation("create_presigned_upload_url");
        q.push(presigned.clone().times(2));
        assert!(
            q.take(&Method::POST, "/connect/v1/presigned-upload-url")
                .is_some()
        );
        assert!(
            q.take(&Method::POST, "/ccpm/v1/presigned-upload-url")
                .is_some()
        );
        q.push(presigned.path_contains("/ccpm/"));
        assert_eq!(
            q.take(&Method::POST, "/connect/v1/presigned-upload-url"),
            None
        );
    }

    #[test]
    fn a_fault_until_cleared_never_runs_out() {
        let mut q = FaultQueue::default();
        q.push(Fault::status(503).times(0).until_cleared());
        q.push(Fault::status(500));
        for _ in 0..5 {
            assert_eq!(
                kind(q.take(&Method::GET, "/x")),
                Some(FaultKind::Status(503))
            );
        }
        assert_eq!(q.pending()[0].remaining(), u32::MAX);
        assert!(q.pending()[0].is_until_cleared());
        q.clear();
        assert_eq!(q.take(&Method::GET, "/x"), None);
        assert!(
            !Fault::status(500)
                .until_cleared()
                .times(2)
                .is_until_cleared()
        );
    }

    #[test]
    #[should_panic(expected = "not an operationId")]
    fn an_unknown_operation_is_refused() {
        let _ = Fault::status(500).operation("make_coffee");
    }
}
