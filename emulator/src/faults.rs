//! Fault injection: make the next requests fail or wait, to test a client's retries.
//!
//! Only what a fault is and the queue that holds them: a leaf, so the store can own the
//! queue. How a fault is answered is the gate's business (`gate`), and the HTTP control
//! endpoints that queue them are in `control`.

use std::collections::VecDeque;
use std::time::Duration;

use axum::http::Method;

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
    pub(crate) kind: FaultKind,
    pub(crate) times: u32,
    pub(crate) path_contains: Option<String>,
    pub(crate) method: Option<Method>,
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

/// `Retry-After` in whole seconds, rounded up, as the API sends it: a client that waits
/// the announced time must not come back early.
pub(crate) fn whole_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
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
}
