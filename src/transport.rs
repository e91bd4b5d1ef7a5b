//! What every generated request goes through: credentials, user agent, retries, observers.
//!
//! The generated clients call progenitor's `ClientHooks`; this module implements them once for
//! both APIs, so no generated operation can bypass authentication scoping, the retry policy,
//! the scrubbing of quoted credentials or the observers installed on the client. (The
//! telemetry client of `metrics.rs` is not generated: it shares the retry loop and scopes
//! and scrubs on its own, and is not shown to observers.)

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
use reqwest::{Method, Request, Response, ResponseBuilderExt as _, StatusCode, Url};

use crate::auth::Credentials;
use crate::retry::{self, RetryPolicy};

/// A request as the client is about to send it, shown to the observers installed with
/// [`ClientBuilder::on_request`](crate::ClientBuilder::on_request).
///
/// The `Authorization` header, and any other header marked sensitive, is left out: an
/// observer never sees credentials.
#[derive(Debug)]
#[non_exhaustive]
pub struct RequestView<'a> {
    /// `connect/v1` or `ccpm/v1`.
    pub api: &'static str,
    /// The operationId, e.g. `create_connector`.
    pub operation: &'a str,
    /// The HTTP method.
    pub method: &'a Method,
    /// The full URL, query included.
    pub url: &'a Url,
    /// The client's base URL (the part of [`url`](Self::url) the operation's path follows).
    pub base_url: &'a Url,
    /// The headers that will be sent, without credentials.
    pub headers: &'a HeaderMap,
    /// The body, when the request has one held in memory (every JSON body).
    pub body: Option<&'a [u8]>,
}

/// An answer as the client received it, shown to the observers installed with
/// [`ClientBuilder::on_response`](crate::ClientBuilder::on_response) before it is decoded.
#[derive(Debug)]
#[non_exhaustive]
pub struct ResponseView<'a> {
    /// `connect/v1` or `ccpm/v1`.
    pub api: &'static str,
    /// The operationId of the request.
    pub operation: &'a str,
    /// The method of the request.
    pub method: &'a Method,
    /// The URL of the request.
    pub url: &'a Url,
    /// The status of the answer.
    pub status: StatusCode,
    /// The headers of the answer.
    pub headers: &'a HeaderMap,
    /// The body: complete for a success status, its first 64 KiB otherwise. Quotations of the
    /// client's own credentials are already replaced by `[redacted]`.
    pub body: &'a [u8],
}

type RequestObserver = dyn Fn(&RequestView<'_>) + Send + Sync;
type ResponseObserver = dyn Fn(&ResponseView<'_>) + Send + Sync;

/// The observers of a client, in installation order.
#[derive(Clone, Default)]
pub(crate) struct Observers {
    pub(crate) requests: Vec<Arc<RequestObserver>>,
    pub(crate) responses: Vec<Arc<ResponseObserver>>,
}

impl fmt::Debug for Observers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Observers")
            .field("requests", &self.requests.len())
            .field("responses", &self.responses.len())
            .finish()
    }
}

/// The state the generated clients carry (progenitor's "inner" value).
pub(crate) type Inner = Arc<Transport>;

pub(crate) struct Transport {
    pub(crate) base: Url,
    pub(crate) credentials: Credentials,
    pub(crate) user_agent: HeaderValue,
    pub(crate) retry: RetryPolicy,
    pub(crate) observers: Observers,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("base", &self.base.as_str())
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .field("observers", &self.observers)
            .finish()
    }
}

impl Transport {
    /// Whether `url` is under the configured base URL: same scheme, host and port, and a
    /// path below the base path. Credentials go nowhere else.
    pub(crate) fn owns(&self, url: &Url) -> bool {
        owned_by(&self.base, url)
    }

    fn prepare(
        &self,
        api: &'static str,
        operation: &str,
        request: &mut Request,
    ) -> Result<(), String> {
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
        headers.insert(USER_AGENT, self.user_agent.clone());
        if !self.observers.requests.is_empty() {
            let mut shown = request.headers().clone();
            shown.remove(AUTHORIZATION);
            let sensitive: Vec<_> = shown
                .iter()
                .filter(|(_, v)| v.is_sensitive())
                .map(|(k, _)| k.clone())
                .collect();
            for name in sensitive {
                shown.remove(name);
            }
            let view = RequestView {
                api,
                operation,
                method: request.method(),
                url: request.url(),
                base_url: &self.base,
                headers: &shown,
                body: request.body().and_then(reqwest::Body::as_bytes),
            };
            for observe in &self.observers.requests {
                observe(&view);
            }
        }
        request
            .headers_mut()
            .insert(AUTHORIZATION, self.credentials.header().clone());
        Ok(())
    }

    /// The final answer of a request, its body read into memory with quoted credentials
    /// scrubbed, after the response observers saw it: whatever reaches the caller, the raw
    /// client's errors and the observers is already clean. Success bodies are read whole
    /// (the generated code decodes all of them anyway); error bodies are capped like
    /// [`crate::error::read_capped`], which reads them next. The scan is one linear pass
    /// (`Credentials::scrub`), a few microseconds for a page of 100 plugins.
    async fn inspect(
        &self,
        api: &'static str,
        operation: &str,
        method: &Method,
        url: &Url,
        response: Response,
    ) -> reqwest::Result<Response> {
        let status = response.status();
        let version = response.version();
        let headers = response.headers().clone();
        let answered_url = response.url().clone();
        let raw: Bytes = if status.is_success() {
            response.bytes().await?
        } else {
            Bytes::from(crate::error::read_capped(response).await)
        };
        let body = match self.credentials.scrub(&raw) {
            Some(scrubbed) => {
                tracing::warn!(
                    api,
                    operation,
                    %status,
                    "the answer quoted this client's credentials; they were replaced by [redacted]"
                );
                Bytes::from(scrubbed)
            }
            None => raw,
        };
        let view = ResponseView {
            api,
            operation,
            method,
            url,
            status,
            headers: &headers,
            body: &body,
        };
        for observe in &self.observers.responses {
            observe(&view);
        }
        let mut builder = http::Response::builder()
            .status(status)
            .version(version)
            .url(answered_url);
        if let Some(all) = builder.headers_mut() {
            *all = headers;
        }
        Ok(match builder.body(body.clone()) {
            Ok(rebuilt) => Response::from(rebuilt),
            // Unreachable: the parts come from an answer that was already valid.
            Err(_) => {
                let mut rebuilt = http::Response::new(body);
                *rebuilt.status_mut() = status;
                Response::from(rebuilt)
            }
        })
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

/// Whether `url` is under `base`: same scheme, host and port, and a path at or below the
/// base path. Credentials go to no other URL.
pub(crate) fn owned_by(base: &Url, url: &Url) -> bool {
    url.scheme() == base.scheme()
        && url.host_str() == base.host_str()
        && url.port_or_known_default() == base.port_or_known_default()
        && under(url.path(), base.path())
}

/// Whether `path` is `base` or below it, segment-wise (`/cc` owns `/cc/x`, not `/ccx`).
fn under(path: &str, base: &str) -> bool {
    let base = base.trim_end_matches('/');
    path == base
        || path
            .strip_prefix(base)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// `scheme://host:port` of a URL, for messages that must not echo a path or query.
pub(crate) fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

macro_rules! hooks {
    ($client:ty, $api:literal) => {
        impl ClientHooks<Inner> for $client {
            async fn pre<E>(
                &self,
                request: &mut Request,
                info: &OperationInfo,
            ) -> Result<(), progenitor_client::Error<E>> {
                self.inner()
                    .prepare($api, info.operation_id, request)
                    .map_err(progenitor_client::Error::InvalidRequest)
            }

            async fn exec(
                &self,
                request: Request,
                info: &OperationInfo,
            ) -> reqwest::Result<Response> {
                let transport = self.inner();
                let method = request.method().clone();
                let url = request.url().clone();
                let response = transport
                    .execute(self.client(), request, info.operation_id)
                    .await?;
                transport
                    .inspect($api, info.operation_id, &method, &url, response)
                    .await
            }
        }
    };
}

hooks!(crate::generated::connect::Client, "connect/v1");
hooks!(crate::generated::ccpm::Client, "ccpm/v1");

#[cfg(test)]
mod tests {
    use super::under;

    #[test]
    fn base_path_ownership_is_segment_wise() {
        assert!(under("/connect/v1/x", "/"));
        assert!(under("/cc/connect/v1", "/cc/"));
        assert!(under("/cc", "/cc"));
        assert!(!under("/ccx/connect", "/cc"));
        assert!(!under("/other", "/cc/"));
    }
}
