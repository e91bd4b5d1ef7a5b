//! When and how long to wait before sending a request again.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

pub(crate) use crate::error::is_retryable_status;
use crate::error::{parse_retry_after, parse_seconds};
use reqwest::{Method, StatusCode};

/// Retry behaviour for requests whose answer was transient.
///
/// On by default for idempotent requests (`GET`, `PUT`, `DELETE`, `HEAD`, `OPTIONS`): a
/// `429`, `500`, `502`, `503` or `504` answer, or a connection that failed or timed out, is
/// retried with exponential backoff and jitter. A `Retry-After` header (seconds or an HTTP
/// date) or, on a `429`, `X-RateLimit-Reset` (seconds until the window resets) is honoured as
/// the minimum wait. Attempts stop at [`max_attempts`](Self::max_attempts) or when the next
/// wait would pass [`max_elapsed`](Self::max_elapsed); the last answer is then returned as is.
///
/// `POST` and `PATCH` are sent once unless [`retry_non_idempotent`](Self::retry_non_idempotent)
/// is set, except when the connection could not be opened at all (nothing reached the server).
///
/// ```
/// use std::time::Duration;
/// let policy = ccloud_connect::RetryPolicy::default()
///     .max_attempts(3)
///     .initial_backoff(Duration::from_millis(100));
/// let disabled = ccloud_connect::RetryPolicy::none();
/// # let _ = (policy, disabled);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
    retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(20),
            max_elapsed: Duration::from_secs(90),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// A policy that sends every request exactly once.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Total attempts per request, the first included (at least 1). Default 4.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Wait before the first retry; doubles for each further one. Default 500 ms.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Upper bound of one computed backoff (a longer `Retry-After` still wins). Default 20 s.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Time budget for one request and all its retries: no retry starts whose wait would end
    /// after it. Default 90 s.
    pub fn max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// Also retry `POST` and `PATCH`. Only safe where a duplicate request does no harm.
    pub fn retry_non_idempotent(mut self, yes: bool) -> Self {
        self.retry_non_idempotent = yes;
        self
    }

    /// The configured number of attempts.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The configured time budget.
    pub fn elapsed_budget(&self) -> Duration {
        self.max_elapsed
    }

    pub(crate) fn method_is_retried(&self, method: &Method) -> bool {
        self.retry_non_idempotent
            || matches!(
                *method,
                Method::GET | Method::PUT | Method::DELETE | Method::HEAD | Method::OPTIONS
            )
    }

    /// The backoff before retry number `retry` (1-based), with jitter, before hints.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exp = retry.saturating_sub(1).min(20);
        let base = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        // Half fixed, half random: spreads clients that failed together without ever
        // collapsing the wait to zero.
        let half = base / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// The wait before retry number `retry`, the server's hint taken as a floor.
    pub(crate) fn delay(&self, retry: u32, hint: Option<Duration>) -> Duration {
        let backoff = self.backoff(retry);
        hint.map_or(backoff, |hint| hint.max(backoff))
    }
}

/// How long the server asked us to wait: `Retry-After` (seconds or HTTP date), else on a
/// `429` the relative `X-RateLimit-Reset`.
pub(crate) fn server_hint(status: StatusCode, headers: &HeaderMap) -> Option<Duration> {
    if let Some(after) = headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok())
        && let Some(d) = parse_retry_after(after, SystemTime::now())
    {
        return Some(d);
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        return headers
            .get("x-ratelimit-reset")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_seconds);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_jittered_and_bounded() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(350));
        for _ in 0..100 {
            let b1 = p.backoff(1);
            assert!(b1 >= Duration::from_millis(50) && b1 <= Duration::from_millis(100));
            let b2 = p.backoff(2);
            assert!(b2 >= Duration::from_millis(100) && b2 <= Duration::from_millis(200));
            let b9 = p.backoff(9);
            assert!(b9 >= Duration::from_millis(175) && b9 <= Duration::from_millis(350));
        }
    }

    #[test]
    fn server_hint_is_a_floor() {
        let p = RetryPolicy::default().initial_backoff(Duration::from_millis(10));
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(1))),
            Duration::from_secs(1)
        );
        let d = p.delay(8, Some(Duration::from_millis(1)));
        assert!(
            d >= Duration::from_millis(320),
            "backoff wins over a smaller hint: {d:?}"
        );
    }

    #[test]
    fn methods() {
        let p = RetryPolicy::default();
        assert!(p.method_is_retried(&Method::GET));
        assert!(p.method_is_retried(&Method::PUT));
        assert!(p.method_is_retried(&Method::DELETE));
        assert!(!p.method_is_retried(&Method::POST));
        assert!(!p.method_is_retried(&Method::PATCH));
        assert!(
            p.retry_non_idempotent(true)
                .method_is_retried(&Method::POST)
        );
    }

    #[test]
    fn rate_limit_reset_is_used_on_429_only() {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-reset", "2".parse().unwrap());
        assert_eq!(
            server_hint(StatusCode::TOO_MANY_REQUESTS, &h),
            Some(Duration::from_secs(2))
        );
        assert_eq!(server_hint(StatusCode::SERVICE_UNAVAILABLE, &h), None);
        h.insert(RETRY_AFTER, "1".parse().unwrap());
        assert_eq!(
            server_hint(StatusCode::SERVICE_UNAVAILABLE, &h),
            Some(Duration::from_secs(1))
        );
    }
}
