//! What every generated request goes through: credentials, user agent, retries.
//!
//! The generated clients call progenitor's `ClientHooks`; this module implements them once for
//! both APIs, so no generated operation can bypass authentication scoping or the retry policy.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderValue, USER_AGENT};
use reqwest::{Request, Response, Url};

use crate::auth::Credentials;
use crate::retry::{self, RetryPolicy};

/// The state the generated clients carry (progenitor's "inner" value).
pub(crate) type Inner = Arc<Transport>;

pub(crate) struct Transport {
    pub(crate) base: Url,
    pub(crate) credentials: Credentials,
    pub(crate) user_agent: HeaderValue,
    pub(crate) retry: RetryPolicy,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("base", &self.base.as_str())
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .finish()
    }
}

impl Transport {
    /// Whether `url` is under the configured base URL: same scheme, host and port, and a
    /// path below the base path. Credentials go nowhere else.
    pub(crate) fn owns(&self, url: &Url) -> bool {
        url.scheme() == self.base.scheme()
            && url.host_str() == self.base.host_str()
            && url.port_or_known_default() == self.base.port_or_known_default()
            && url
                .path()
                .starts_with(self.base.path().trim_end_matches('/'))
    }

    fn prepare(&self, request: &mut Request) -> Result<(), String> {
        if !self.owns(request.url()) {
            return Err(format!(
                "refusing to send credentials to {}: not under the configured base URL {}",
                origin(request.url()),
                self.base
            ));
        }
        let headers = request.headers_mut();
        // progenitor adds `api-version: <spec version>` to every request; Confluent's own
        // clients do not send it and the API does not read it.
        headers.remove("api-version");
        headers.insert(AUTHORIZATION, self.credentials.header().clone());
        headers.insert(USER_AGENT, self.user_agent.clone());
        Ok(())
    }

    /// Sends `request`, again while the answer is transient and the policy allows.
    pub(crate) async fn execute(
        &self,
        client: &reqwest::Client,
        request: Request,
        operation: &str,
    ) -> reqwest::Result<Response> {
        let policy = &self.retry;
        if policy.attempts() <= 1 {
            return client.execute(request).await;
        }
        let method_retried = policy.method_is_retried(request.method());
        let started = Instant::now();
        let mut attempt = 1;
        loop {
            // A streamed body cannot be sent twice: such a request gets one attempt.
            let Some(this) = request.try_clone() else {
                return client.execute(request).await;
            };
            let result = client.execute(this).await;
            let (hint, why) = match &result {
                Ok(resp) if method_retried && retry::is_retryable_status(resp.status()) => (
                    retry::server_hint(resp.status(), resp.headers()),
                    resp.status().to_string(),
                ),
                // Nothing reached the server when the connection could not be opened, so
                // even a POST is safe to send again.
                Err(e) if e.is_connect() => (None, "connection failed".to_owned()),
                Err(e) if method_retried && e.is_timeout() => (None, "timed out".to_owned()),
                _ => return result,
            };
            if attempt >= policy.attempts() {
                return result;
            }
            let delay = policy.delay(attempt, hint);
            if started.elapsed() + delay > policy.elapsed_budget() {
                tracing::debug!(operation, attempt, ?delay, "retry budget exhausted");
                return result;
            }
            tracing::debug!(operation, attempt, ?delay, reason = %why, "retrying");
            drop(result);
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }
}

/// `scheme://host:port` of a URL, for messages that must not echo a path or query.
pub(crate) fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

macro_rules! hooks {
    ($client:ty) => {
        impl ClientHooks<Inner> for $client {
            async fn pre<E>(
                &self,
                request: &mut Request,
                _info: &OperationInfo,
            ) -> Result<(), progenitor_client::Error<E>> {
                self.inner()
                    .prepare(request)
                    .map_err(progenitor_client::Error::InvalidRequest)
            }

            async fn exec(
                &self,
                request: Request,
                info: &OperationInfo,
            ) -> reqwest::Result<Response> {
                self.inner()
                    .execute(self.client(), request, info.operation_id)
                    .await
            }
        }
    };
}

hooks!(crate::generated::connect::Client);
hooks!(crate::generated::ccpm::Client);
