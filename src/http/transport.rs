//! What every authenticated request goes through: credentials, user agent, retries,
//! observers, the answer's checks.
//!
//! The generated clients call progenitor's `ClientHooks`; this module implements them once for
//! both APIs, and the telemetry client of `metrics.rs` calls the same two steps
//! ([`Transport::prepare`], then [`Transport::send`]), so no request can bypass
//! authentication scoping, the retry policy, the body limit, the final-URL check, the
//! scrubbing of quoted credentials, the observers or the request span.

use std::fmt;
use std::sync::Arc;

use tokio::time::Instant;
use tracing::Instrument as _;

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue, USER_AGENT};
use reqwest::{Method, Request, Response, ResponseBuilderExt as _, StatusCode, Url};

use super::observe::{Observers, ResponseView};
use super::pacing::{Held, HostKey, Limiter};
use super::retry::{self, RetryPolicy};
use super::{Credentials, RequestView};
use crate::error::{Attempts, BudgetHeld, Refusal};

// Header names made at compile time: a lookup by `&str` parses and checks the name on
// every call.
/// The header progenitor adds to every request, removed by [`Transport::prepare`].
static API_VERSION: HeaderName = HeaderName::from_static("api-version");
/// The answer's request id, recorded on the request span.
static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The state the generated clients carry (progenitor's "inner" value).
pub(crate) type Inner = Arc<Transport>;

pub(crate) struct Transport {
    pub(crate) base: Url,
    pub(crate) credentials: Credentials,
    pub(crate) user_agent: HeaderValue,
    pub(crate) retry: RetryPolicy,
    pub(crate) observers: Observers,
    /// The largest success body read, in bytes ([`crate::ClientBuilder::max_response_body`]).
    pub(crate) max_body: u64,
    /// [`crate::ClientBuilder::allow_insecure_http`], for the telemetry base URL too.
    pub(crate) allow_insecure_http: bool,
    /// [`crate::ClientBuilder::pacing`]: one budget per host, shared by every clone.
    pub(crate) limiter: Limiter,
}

/// The stand-in answer that carries a [`Refusal`] or a [`BudgetHeld`] back through
/// progenitor's hooks.
trait IntoStandIn: Clone + Send + Sync + 'static {
    fn text(&self) -> String;

    fn into_response(self, url: Url) -> Response {
        let text = Bytes::from(self.text());
        let stand_in = http::Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .header(reqwest::header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .url(url)
            .extension(self);
        match stand_in.body(text.clone()) {
            Ok(stand_in) => Response::from(stand_in),
            // Unreachable: a fixed status and header.
            Err(_) => Response::from(http::Response::new(text)),
        }
    }
}

impl IntoStandIn for Refusal {
    fn text(&self) -> String {
        self.0.clone()
    }
}

impl IntoStandIn for BudgetHeld {
    fn text(&self) -> String {
        format!(
            "not sent: the client's rate limiter would hold it {:.1}s more, past the retry \
             budget of {:.1}s",
            self.more.as_secs_f64(),
            self.budget.as_secs_f64()
        )
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("base", &self.base.as_str())
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .field("limiter", &self.limiter)
            .field("observers", &self.observers)
            .finish()
    }
}

impl Transport {
    /// Checks that `request` goes under `base` (the API base URL, or the telemetry base URL
    /// for `metrics.rs`), adds the user agent, shows the request to the observers, then adds
    /// the credentials. Credentials go nowhere else.
    pub(crate) fn prepare(
        &self,
        api: &'static str,
        operation: &str,
        base: &Url,
        request: &mut Request,
    ) -> Result<(), String> {
        if !owned_by(base, request.url()) {
            return Err(format!(
                "refusing to send credentials to {}: not under the configured base URL {}",
                origin(request.url()),
                base
            ));
        }
        let headers = request.headers_mut();
        // progenitor adds `api-version: <spec version>` to every request; Confluent's own
        // clients do not send it and the API does not read it.
        headers.remove(&API_VERSION);
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
                base_url: base,
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
    /// scrubbed from it and from its headers, after the response observers saw it: whatever
    /// reaches the caller, the raw client's errors and the observers is already clean.
    /// Error bodies are capped like [`crate::error::read_capped`], which reads them next;
    /// success bodies are read up to [`Transport::max_body`]. The scan is one linear pass
    /// (`Credentials::scrub`), a few microseconds for a page of 100 plugins.
    ///
    /// An answer that did not come from under `base` (a redirect followed by a caller's own
    /// `reqwest::Client`), or whose success body is larger than the limit, is not read: it
    /// becomes a [`Refusal`].
    pub(crate) async fn inspect(
        &self,
        api: &'static str,
        operation: &str,
        shown: Option<(&Method, &Url)>,
        base: &Url,
        mut response: Response,
    ) -> reqwest::Result<Response> {
        let status = response.status();
        let version = response.version();
        let answered_url = response.url().clone();
        if !owned_by(base, &answered_url) {
            let mut shown = answered_url.clone();
            shown.set_query(None);
            return Ok(Refusal(format!(
                "the answer came from {shown}, which is not under the base URL {base}: the HTTP \
                 client followed a redirect; build it with \
                 .redirect(reqwest::redirect::Policy::none())"
            ))
            .into_response(answered_url));
        }
        // Taken, not cloned: the answer is rebuilt from its parts below.
        let mut headers = std::mem::take(response.headers_mut());
        // What the HTTP stack attached to the answer stays with the rebuilt one.
        let extensions = std::mem::take(response.extensions_mut());
        if self.credentials.scrub_headers(&mut headers) {
            tracing::warn!(
                api,
                operation,
                %status,
                "the answer's headers quoted this client's credentials; they were replaced by [redacted]"
            );
        }
        let raw: Bytes = if status.is_success() {
            let too_large = |size: String| {
                Refusal(format!(
                    "the answer's body is {size} the limit of {} bytes; raise it with \
                     ClientBuilder::max_response_body",
                    self.max_body
                ))
                .into_response(answered_url.clone())
            };
            match response.content_length() {
                Some(announced) if announced > self.max_body => {
                    return Ok(too_large(format!(
                        "{announced} bytes (Content-Length), more than"
                    )));
                }
                // hyper holds a body to its Content-Length, so it cannot run past the limit:
                // read it in one go (no copy when it came in one piece).
                Some(_) => response.bytes().await?,
                None => {
                    let mut body = bytes::BytesMut::new();
                    while let Some(chunk) = response.chunk().await? {
                        if (body.len() + chunk.len()) as u64 > self.max_body {
                            return Ok(too_large("longer than".to_owned()));
                        }
                        body.extend_from_slice(&chunk);
                    }
                    body.freeze()
                }
            }
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
        if let Some((method, url)) = shown
            && !self.observers.responses.is_empty()
        {
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
        }
        let mut builder = http::Response::builder().status(status).version(version);
        if let Some(all) = builder.headers_mut() {
            *all = headers;
        }
        if let Some(all) = builder.extensions_mut() {
            *all = extensions;
        }
        // After the extensions, which would replace it: without it, the rebuilt answer's
        // `url()` would be reqwest's placeholder, parsed anew for every answer.
        let builder = builder.url(answered_url);
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

    /// The one send path of every authenticated request, after [`prepare`](Self::prepare):
    /// [`execute`](Self::execute) (retries) then [`inspect`](Self::inspect) (the answer's
    /// checks), inside one `ccloud_connect::request` span at DEBUG level carrying the API,
    /// operation, method, attempt, status, request id and elapsed milliseconds. The request
    /// id is recorded after scrubbing, and no field holds a URL, header or body.
    pub(crate) async fn send(
        &self,
        client: &reqwest::Client,
        api: &'static str,
        operation: &str,
        base: &Url,
        request: Request,
    ) -> reqwest::Result<Response> {
        // What the response observers are shown of the request, kept only for them: the
        // request itself goes into `execute`.
        let shown = (!self.observers.responses.is_empty())
            .then(|| (request.method().clone(), request.url().clone()));
        let span = tracing::debug_span!(
            "ccloud_connect::request",
            api,
            operation,
            method = %request.method(),
            attempt = tracing::field::Empty,
            budget_wait_ms = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        async {
            let (response, attempts) = self.execute(client, request, operation).await;
            let response = response?;
            if response.extensions().get::<BudgetHeld>().is_some() {
                // Not an answer: the limiter held the request, so observers and the span's
                // status have nothing to show.
                return Ok(response);
            }
            let mut response = self
                .inspect(
                    api,
                    operation,
                    shown.as_ref().map(|(method, url)| (method, url)),
                    base,
                    response,
                )
                .await?;
            // For the error built from this answer: how many attempts it took, and how long.
            response.extensions_mut().insert(attempts);
            let span = tracing::Span::current();
            span.record("status", response.status().as_u16());
            if let Some(id) = response
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
            {
                span.record("request_id", id);
            }
            Ok(response)
        }
        .instrument(span.clone())
        .await
        .inspect(|_| {
            span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        })
        .inspect_err(|_| {
            span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        })
    }

    /// Sends `request`, again while the answer is transient and the policy allows, each
    /// attempt after the limiter let it go. Returns the last result with the number of
    /// attempts made and the time they took.
    pub(crate) async fn execute(
        &self,
        client: &reqwest::Client,
        request: Request,
        operation: &str,
    ) -> (reqwest::Result<Response>, Attempts) {
        let policy = &self.retry;
        let span = tracing::Span::current();
        let started = Instant::now();
        // A budget too large for the clock (Duration::MAX: "no budget") is a year.
        let deadline = started
            .checked_add(policy.elapsed_budget())
            .unwrap_or_else(|| started + std::time::Duration::from_secs(365 * 86_400));
        let method_retried = policy.method_is_retried(request.method());
        let mut budget_wait = std::time::Duration::ZERO;
        let mut attempt = 1;
        loop {
            span.record("attempt", attempt);
            let attempts = |count| Attempts {
                count,
                elapsed: started.elapsed(),
            };
            let permit = if self.limiter.is_on() {
                let waiting = Instant::now();
                let permit = self
                    .limiter
                    .acquire(HostKey::of(request.url()), deadline)
                    .await;
                budget_wait += waiting.elapsed();
                span.record("budget_wait_ms", budget_wait.as_millis() as u64);
                match permit {
                    Ok(permit) => Some(permit),
                    Err(Held { more, .. }) => {
                        tracing::debug!(
                            operation,
                            attempt,
                            ?budget_wait,
                            ?more,
                            "rate budget exhausted"
                        );
                        let held = BudgetHeld {
                            more,
                            waited: budget_wait,
                            budget: policy.elapsed_budget(),
                            attempts: attempt - 1,
                        };
                        let url = request.url().clone();
                        return (Ok(held.into_response(url)), attempts(attempt - 1));
                    }
                }
            } else {
                None
            };
            // The last attempt sends the request itself; so does a streamed body, which
            // cannot be sent twice.
            let copy = if attempt < policy.attempts() {
                request.try_clone()
            } else {
                None
            };
            let Some(this) = copy else {
                let result = client.execute(request).await;
                if let (Some(mut permit), Ok(resp)) = (permit, &result) {
                    permit.answered(resp.status(), resp.headers());
                }
                return (result, attempts(attempt));
            };
            let result = client.execute(this).await;
            if let (Some(mut permit), Ok(resp)) = (permit, &result) {
                permit.answered(resp.status(), resp.headers());
            }
            let (hint, why) = match &result {
                Ok(resp) if method_retried && retry::is_retryable_status(resp.status()) => (
                    retry::server_hint(resp.status(), resp.headers()),
                    resp.status().to_string(),
                ),
                // Nothing reached the server when the connection could not be opened, so
                // even a POST is safe to send again.
                Err(e) if e.is_connect() => (None, "connection failed".to_owned()),
                Err(e) if method_retried && e.is_timeout() => (None, "timed out".to_owned()),
                _ => return (result, attempts(attempt)),
            };
            let delay = policy.delay(attempt, hint);
            if started.elapsed() + delay > policy.elapsed_budget() {
                tracing::debug!(operation, attempt, ?delay, "retry budget exhausted");
                return (result, attempts(attempt));
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use base64::Engine as _;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    use super::under;

    /// Collects what a `fmt` subscriber writes.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Answers every connection with `answers[n]` in turn (the last one repeats).
    async fn canned(answers: Vec<String>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            for n in 0.. {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let mut buf = vec![0u8; 16 * 1024];
                let _ = sock.read(&mut buf).await;
                let answer = &answers[n.min(answers.len() - 1)];
                let _ = sock.write_all(answer.as_bytes()).await;
                let _ = sock.shutdown().await;
            }
        });
        url
    }

    #[tokio::test]
    async fn one_span_per_request_with_its_outcome_and_no_credential() {
        const SECRET: &str = "span-secret-0123456789abcdef";
        let token = base64::engine::general_purpose::STANDARD.encode(format!("SPANKEY:{SECRET}"));
        let busy =
            "HTTP/1.1 503 Busy\r\ncontent-length: 0\r\nretry-after: 0\r\nconnection: close\r\n\r\n";
        let body = r#"{"name":"c1","config":{},"tasks":[]}"#;
        let ok = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-request-id: Basic {token}\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let url = canned(vec![busy.to_owned(), ok]).await;
        let client = crate::Client::builder()
            .credentials("SPANKEY", SECRET)
            .base_url(url)
            .retry(
                crate::RetryPolicy::default()
                    .initial_backoff(std::time::Duration::from_millis(1))
                    .max_backoff(std::time::Duration::from_millis(1)),
            )
            .build()
            .unwrap();
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let connector = client
            .connect()
            .cluster("env-1", "lkc-1")
            .connector("c1")
            .get()
            .await
            .unwrap();
        assert_eq!(connector.name, "c1");
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let closed: Vec<&str> = log.lines().filter(|l| l.contains("close")).collect();
        assert_eq!(closed.len(), 1, "{log}");
        for field in [
            "ccloud_connect::request",
            "api=\"connect/v1\"",
            "operation=\"get_connector\"",
            "method=GET",
            "attempt=2",
            "status=200",
            "request_id=\"Basic [redacted]\"",
            "elapsed_ms=",
        ] {
            assert!(closed[0].contains(field), "{field} not in {}", closed[0]);
        }
        assert!(!log.contains(SECRET) && !log.contains(&token), "{log}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_span_shows_the_time_spent_waiting_for_rate_limit_budget() {
        let body = r#"{"name":"c1","config":{},"tasks":[]}"#;
        let ok = |remaining: u32| {
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-ratelimit-limit: 5\r\n\
                 x-ratelimit-remaining: {remaining}\r\nx-ratelimit-reset: 3\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            )
        };
        let url = canned(vec![ok(0), ok(4)]).await;
        let untimed = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0)
            .build()
            .unwrap();
        let client = crate::Client::builder()
            .credentials("SPANKEY", "span-secret-0123456789abcdef")
            .base_url(url)
            .http_client(untimed)
            .build()
            .unwrap();
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let connector = client.connect().cluster("env-1", "lkc-1").connector("c1");
        connector.get().await.unwrap();
        connector.get().await.unwrap();
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let closed: Vec<&str> = log.lines().filter(|l| l.contains("close")).collect();
        assert_eq!(closed.len(), 2, "{log}");
        assert!(closed[0].contains("budget_wait_ms=0"), "{}", closed[0]);
        // The first answer spent the window's budget: the second waited out its 3 s.
        assert!(closed[1].contains("budget_wait_ms=3000"), "{}", closed[1]);
    }

    #[tokio::test]
    async fn the_inspected_answer_keeps_its_url_and_parts() {
        let body = r#"{"name":"c1"}"#;
        let ok = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-request-id: r-1\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let base: reqwest::Url = canned(vec![ok]).await.parse().unwrap();
        let transport = super::Transport {
            base: base.clone(),
            credentials: super::Credentials::new("KEY", "0123456789abcdef0123").unwrap(),
            user_agent: reqwest::header::HeaderValue::from_static("test"),
            retry: crate::RetryPolicy::default(),
            observers: Default::default(),
            max_body: 1 << 20,
            allow_insecure_http: true,
            limiter: super::Limiter::new(crate::Pacing::Off),
        };
        let url = base.join("/connect/v1/x?page_size=1").unwrap();
        let http = reqwest::Client::new();
        let answer = http.get(url.clone()).send().await.unwrap();
        let answer = transport
            .inspect("connect/v1", "op", None, &base, answer)
            .await
            .unwrap();
        assert_eq!(answer.url(), &url);
        assert_eq!(answer.status(), reqwest::StatusCode::OK);
        assert_eq!(answer.headers()["x-request-id"], "r-1");
        assert_eq!(answer.text().await.unwrap(), body);
    }

    #[test]
    fn base_path_ownership_is_segment_wise() {
        assert!(under("/connect/v1/x", "/"));
        assert!(under("/cc/connect/v1", "/cc/"));
        assert!(under("/cc", "/cc"));
        assert!(!under("/ccx/connect", "/cc"));
        assert!(!under("/other", "/cc/"));
    }
}
