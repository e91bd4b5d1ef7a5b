//! The crate's one error type, and the one place progenitor's errors are converted into it.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

/// The result type of every fallible operation of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong talking to the Connect API.
///
/// The variants say where the failure happened: before sending ([`Validation`](Self::Validation)),
/// on the wire ([`Transport`](Self::Transport)), in the server's answer ([`Api`](Self::Api),
/// [`Decode`](Self::Decode)), at the storage service of an upload ([`Storage`](Self::Storage)),
/// or in a helper that follows several requests (pagination, waiting). Use the `is_*`
/// methods rather than matching when only the kind of failure matters.
///
/// No variant ever holds the API secret or the `Authorization` header.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// The storage service of a presigned upload answered with an error status.
    #[error("{0}")]
    Storage(Box<ApiError>),

    /// A value was refused before any request was sent.
    #[error("invalid {field} {value:?}: {reason}")]
    Validation {
        /// What was checked (a parameter, configuration key or file).
        field: Cow<'static, str>,
        /// The offending value (`[redacted]` for secrets).
        value: String,
        /// Why it was refused, and what would be accepted.
        reason: String,
    },

    /// The request could not be built or was refused by the client's own safety checks.
    #[error("{api} {operation}: request not sent: {message}")]
    InvalidRequest {
        /// `connect/v1`, `ccpm/v1` or `telemetry/v2`.
        api: &'static str,
        /// The operationId.
        operation: String,
        /// What was wrong.
        message: String,
    },

    /// The connection failed, timed out, or broke before the whole answer arrived.
    #[error("{api} {operation}: {message}")]
    Transport {
        /// `connect/v1`, `ccpm/v1`, `telemetry/v2` or `storage`.
        api: &'static str,
        /// The operationId.
        operation: String,
        /// A summary of what failed.
        message: String,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },

    /// A success status whose body is not the JSON the spec describes.
    #[error(
        "{api} {operation}: could not decode the {status} answer: {source}; body starts with {snippet:?}"
    )]
    Decode {
        /// `connect/v1`, `ccpm/v1`, `telemetry/v2` or an upload helper.
        api: &'static str,
        /// The operationId.
        operation: String,
        /// The HTTP status, when known.
        status: Cow<'static, str>,
        /// The first characters of the body.
        snippet: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },

    /// An answer the client refused to read: its success body was larger than
    /// [`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body), or it
    /// came from a URL outside the base URL (a redirect followed by an HTTP client given to
    /// [`ClientBuilder::http_client`](crate::ClientBuilder::http_client)). Nothing of it was
    /// decoded.
    #[error("{api} {operation}: answer refused: {message}")]
    ResponseRefused {
        /// `connect/v1`, `ccpm/v1` or `telemetry/v2`.
        api: &'static str,
        /// The operationId.
        operation: String,
        /// Why, and what to change.
        message: String,
    },

    /// The client could not be configured (missing environment variable, bad base URL).
    #[error("configuration: {0}")]
    Config(String),

    /// A paginated list answered inconsistently (for example the same page token twice).
    #[error("pagination of {operation}: {message}")]
    Pagination {
        /// The list operation.
        operation: &'static str,
        /// What went wrong.
        message: String,
    },

    /// A wait for a state (a connector `RUNNING` or `PAUSED`, an offsets request `APPLIED`)
    /// ended without reaching it: a failure state ended it, or the time allowed ran out.
    ///
    /// The request that started the change was accepted and is not undone.
    #[error("waiting for {what}: {}", wait_outcome(.timed_out, .last_state, .detail, .waited))]
    Wait {
        /// What was awaited, e.g. `connector "pg-sink" to be RUNNING`.
        what: String,
        /// The last state read from the server; `None` when no read completed in time.
        last_state: Option<String>,
        /// `true` when the time allowed ran out, `false` when a failure state ended the wait.
        timed_out: bool,
        /// The server's explanation: the connector's trace and its failed tasks' messages, or
        /// the message of an offsets request.
        detail: Option<String>,
        /// How long the wait lasted.
        waited: Duration,
    },

    /// A local file could not be read.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, with the path.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn validation(
        field: impl Into<Cow<'static, str>>,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Error::Validation {
            field: field.into(),
            value: value.into(),
            reason: reason.into(),
        }
    }

    /// The HTTP status of the answer that failed, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) | Error::Storage(e) => Some(e.status),
            Error::Transport { source, .. } => source.status(),
            _ => None,
        }
    }

    /// The server's error details, for API and storage errors.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) | Error::Storage(e) => Some(e),
            _ => None,
        }
    }

    /// The `X-Request-Id` of the failed answer, to quote to Confluent support.
    pub fn request_id(&self) -> Option<&str> {
        self.api_error().and_then(|e| e.request_id.as_deref())
    }

    /// `404 Not Found`.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// `409 Conflict` (for example a connector name already taken).
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(StatusCode::CONFLICT)
    }

    /// `401` or `403`: the credentials are wrong or lack a role.
    pub fn is_unauthorized(&self) -> bool {
        matches!(
            self.status(),
            Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
        )
    }

    /// `429 Too Many Requests`; see [`ApiError::rate_limit`] for when to try again.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// Refused by the client before anything was sent.
    pub fn is_validation(&self) -> bool {
        matches!(
            self,
            Error::Validation { .. } | Error::InvalidRequest { .. }
        )
    }

    /// A timeout, of the connection or of the whole request.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport { source, .. } if source.is_timeout())
    }

    /// Whether sending the same request later may succeed: a transient status (429, 500,
    /// 502, 503, 504) or a connection failure. The client's retry policy has already
    /// retried these as far as it was allowed to.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) | Error::Storage(e) => crate::retry::is_retryable_status(e.status),
            Error::Transport { source, .. } => source.is_connect() || source.is_timeout(),
            _ => false,
        }
    }
}

/// Rate-limit information a Confluent Cloud answer carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// `X-RateLimit-Limit`: requests allowed in the window.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`: requests left in the window.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Reset`: time until the window resets.
    pub reset: Option<Duration>,
    /// `Retry-After`: how long the server asked the client to wait.
    pub retry_after: Option<Duration>,
}

impl RateLimit {
    /// Reads the rate-limit headers of an answer.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let num = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        RateLimit {
            limit: num("x-ratelimit-limit"),
            remaining: num("x-ratelimit-remaining"),
            reset: num("x-ratelimit-reset").map(Duration::from_secs),
            retry_after: headers
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| crate::retry::parse_retry_after(v, std::time::SystemTime::now())),
        }
    }
}

/// One entry of a `{"errors": [...]}` answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorDetail {
    /// Machine-readable code.
    pub code: Option<String>,
    /// Short summary.
    pub title: Option<String>,
    /// Human-readable explanation.
    pub detail: Option<String>,
    /// JSON pointer to the offending request field.
    pub pointer: Option<String>,
    /// Name of the offending query parameter.
    pub parameter: Option<String>,
}

/// An error answer from the API or from a storage service.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApiError {
    /// `connect/v1`, `ccpm/v1`, `telemetry/v2` or `storage`.
    pub api: &'static str,
    /// The operationId (or `upload`).
    pub operation: String,
    /// The HTTP status.
    pub status: StatusCode,
    /// The server's error code, when the body carried one.
    pub code: Option<String>,
    /// The server's message, or the text of an HTML body.
    pub message: Option<String>,
    /// Every entry of a `{"errors": [...]}` body.
    pub details: Vec<ErrorDetail>,
    /// `X-Request-Id`.
    pub request_id: Option<String>,
    /// Rate-limit headers of the answer.
    pub rate_limit: RateLimit,
    /// The body as received (at most 64 KiB), when it was not a known JSON error shape.
    pub raw_body: Option<String>,
    /// What to do about it, when the client knows better than the server's message.
    pub hint: Option<&'static str>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Everything quoted from the answer is escaped: a hostile server must not be able to
        // forge log lines or repaint a terminal through an error message.
        write!(f, "{} {}: HTTP {}", self.api, self.operation, self.status)?;
        if let Some(code) = &self.code {
            write!(f, " [{}]", escape_text(code))?;
        }
        match &self.message {
            Some(m) => write!(f, ": {}", escape_text(m))?,
            None if self
                .raw_body
                .as_deref()
                .is_some_and(|b| b.trim().is_empty()) =>
            {
                write!(f, " with an empty body")?
            }
            None => {}
        }
        for d in self.details.iter().skip(1) {
            if let Some(text) = d.detail.as_ref().or(d.title.as_ref()) {
                write!(f, "; {}", escape_text(text))?;
            }
        }
        if let Some(after) = self.rate_limit.retry_after {
            write!(f, " (retry after {}s)", after.as_secs_f64())?;
        }
        if let Some(hint) = self.hint {
            write!(f, " ({hint})")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {}]", escape_text(id))?;
        }
        Ok(())
    }
}

/// Whether `c` could forge a line or reorder text on a terminal: control characters
/// (newlines, ANSI escapes) and the Unicode bidirectional marks, embeddings, overrides and
/// isolates.
fn is_unsafe_to_show(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every character of [`is_unsafe_to_show`] written as an escape (`\n`,
/// `\u{1b}`, `\u{202e}`), for quoting a server's words in messages.
pub(crate) fn escape_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_to_show) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe_to_show(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// How much of an error body is kept.
const MAX_ERROR_BODY: usize = 64 * 1024;

impl ApiError {
    /// Builds the error from an answer's status, headers and body, reading every JSON error
    /// shape of the API family, and falling back to the text of HTML or other bodies.
    pub(crate) fn from_parts(
        api: &'static str,
        operation: impl Into<String>,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Self {
        let mut err = ApiError {
            api,
            operation: operation.into(),
            status,
            code: None,
            message: None,
            details: Vec::new(),
            request_id: headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            rate_limit: RateLimit::from_headers(headers),
            raw_body: None,
            hint: None,
        };
        let body = &body[..body.len().min(MAX_ERROR_BODY)];
        if !err.read_json(body) {
            let text = String::from_utf8_lossy(body).into_owned();
            err.message = text_message(&text);
            err.raw_body = Some(text);
        }
        err
    }

    /// Reads a known JSON error shape; false when the body is none of them.
    fn read_json(&mut self, body: &[u8]) -> bool {
        let Ok(serde_json::Value::Object(obj)) = serde_json::from_slice(body) else {
            return false;
        };
        let string = |v: Option<&serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        // {"errors": [{id, status, code, title, detail, source}]}
        if let Some(serde_json::Value::Array(items)) = obj.get("errors") {
            self.details = items
                .iter()
                .filter_map(serde_json::Value::as_object)
                .map(|e| {
                    let source = e.get("source").and_then(serde_json::Value::as_object);
                    ErrorDetail {
                        code: string(e.get("code")),
                        title: string(e.get("title")),
                        detail: string(e.get("detail")),
                        pointer: source.and_then(|s| string(s.get("pointer"))),
                        parameter: source.and_then(|s| string(s.get("parameter"))),
                    }
                })
                .collect();
            if let Some(first) = self.details.first() {
                self.code = first.code.clone();
                self.message = first.detail.clone().or_else(|| first.title.clone());
                return true;
            }
        }
        // {"error": {"code": 404, "message": "..."}}
        if let Some(serde_json::Value::Object(inner)) = obj.get("error") {
            self.code = string(inner.get("code"));
            self.message = string(inner.get("message"));
            return self.code.is_some() || self.message.is_some();
        }
        // {"code": 400, "message": "..."} and {"error_code": 500, "message": "..."}
        self.code = string(obj.get("code")).or_else(|| string(obj.get("error_code")));
        self.message = string(obj.get("message"))
            .or_else(|| string(obj.get("error")))
            .or_else(|| string(obj.get("detail")));
        self.code.is_some() || self.message.is_some()
    }
}

/// The second half of an [`Error::Wait`] message.
fn wait_outcome(
    timed_out: &bool,
    last_state: &Option<String>,
    detail: &Option<String>,
    waited: &Duration,
) -> String {
    let mut out = if *timed_out {
        format!(
            "timed out after {:.1}s; last state seen: {}",
            waited.as_secs_f64(),
            escape_text(last_state.as_deref().unwrap_or("none (no read completed)"))
        )
    } else {
        format!(
            "it is {}",
            escape_text(last_state.as_deref().unwrap_or("in a failure state"))
        )
    };
    if let Some(detail) = detail.as_deref().filter(|d| !d.trim().is_empty()) {
        // The connector's trace is the server's text: shown escaped, like ApiError's.
        out.push_str(": ");
        out.push_str(&escape_text(detail));
    }
    if *timed_out {
        out.push_str(
            " (allow more time with WaitOptions::timeout, or look at the status the server reports)",
        );
    }
    out
}

/// A readable one-line message from a non-JSON body: the `<title>` of an HTML page or its
/// text without tags, else the text itself; `None` for an empty body.
fn text_message(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let picked = if let (Some(start), Some(end)) = (lower.find("<title>"), lower.find("</title>")) {
        text.get(start + 7..end).unwrap_or("").to_owned()
    } else if lower.contains('<') && lower.contains('>') {
        let mut out = String::new();
        let mut in_tag = false;
        for c in text.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    out.push(' ');
                }
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    } else {
        text.to_owned()
    };
    let collapsed = picked.split_whitespace().collect::<Vec<_>>().join(" ");
    (!collapsed.is_empty()).then(|| truncate(&collapsed, 300))
}

/// `raw` (a URL as given, valid or not) with any password of its `user:password@` part
/// replaced by `[redacted]`, for configuration messages.
pub(crate) fn without_password(raw: &str) -> String {
    let Some(scheme_end) = raw.find("://").map(|i| i + 3) else {
        return raw.to_owned();
    };
    let rest = &raw[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return raw.to_owned();
    };
    let user = rest[..at].split(':').next().unwrap_or("");
    format!(
        "{}{user}:{}{}",
        &raw[..scheme_end],
        crate::auth::REDACTED,
        &rest[at..]
    )
}

pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Reads at most [`MAX_ERROR_BODY`] bytes of an answer, ignoring a body that breaks off.
pub(crate) async fn read_capped(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = MAX_ERROR_BODY - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_ERROR_BODY {
            break;
        }
    }
    body
}

pub(crate) fn transport(api: &'static str, operation: &str, source: reqwest::Error) -> Error {
    let summary = if source.is_timeout() {
        "timed out waiting for the server"
    } else if source.is_connect() {
        "could not connect to the server"
    } else if source.is_builder() {
        "the request could not be built, nothing was sent"
    } else if source.is_body() || source.is_decode() {
        "the answer broke off before its end"
    } else {
        "the request failed"
    };
    // The innermost cause says what actually happened ("connection reset by peer",
    // "connection closed before message completed"); a timeout says it all already.
    let message = match root_cause(&source) {
        Some(cause) if !source.is_timeout() => format!("{summary}: {cause}"),
        _ => summary.to_owned(),
    };
    Error::Transport {
        api,
        operation: operation.to_owned(),
        message,
        source: source.without_url(),
    }
}

/// The text of the last error in `err`'s source chain, when there is one.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause = err.source()?;
    while let Some(next) = cause.source() {
        cause = next;
    }
    Some(cause.to_string()).filter(|c| !c.trim().is_empty())
}

/// A decode error quoting the start of `body`, with any quotation of `credentials` replaced
/// (answers through the generated clients' hooks are scrubbed already; the metrics client
/// reads its answers directly).
pub(crate) fn decode(
    credentials: Option<&crate::Credentials>,
    api: &'static str,
    operation: &str,
    status: Option<StatusCode>,
    body: &[u8],
    source: serde_json::Error,
) -> Error {
    let scrubbed = credentials.and_then(|c| c.scrub(body));
    let body = scrubbed.as_deref().unwrap_or(body);
    Error::Decode {
        api,
        operation: operation.to_owned(),
        status: status.map_or(Cow::Borrowed("success"), |s| Cow::Owned(s.to_string())),
        snippet: truncate(&String::from_utf8_lossy(body), 200),
        source,
    }
}

/// The [`Error::ResponseRefused`] that `response` stands in for, when the transport refused
/// the real answer (see [`crate::transport::Refusal`]).
pub(crate) fn refusal(
    api: &'static str,
    operation: &str,
    response: &reqwest::Response,
) -> Option<Error> {
    let refusal = response.extensions().get::<crate::transport::Refusal>()?;
    Some(Error::ResponseRefused {
        api,
        operation: operation.to_owned(),
        message: refusal.0.clone(),
    })
}

/// Converts the result of a generated operation. This is the one place progenitor's error
/// type turns into the crate's.
pub(crate) async fn from_generated<T: DeserializeOwned, E>(
    credentials: &crate::Credentials,
    api: &'static str,
    operation: &str,
    result: std::result::Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>,
) -> Result<T> {
    use progenitor_client::Error as P;
    let err = match result {
        Ok(value) => return Ok(value.into_inner()),
        Err(err) => err,
    };
    Err(match err {
        P::InvalidRequest(message) | P::Custom(message) => Error::InvalidRequest {
            api,
            operation: operation.to_owned(),
            message,
        },
        P::CommunicationError(e) | P::ResponseBodyError(e) | P::InvalidUpgrade(e) => {
            transport(api, operation, e)
        }
        P::InvalidResponsePayload(body, e) => {
            decode(Some(credentials), api, operation, None, &body, e)
        }
        P::ErrorResponse(value) => Error::Api(Box::new(ApiError::from_parts(
            api,
            operation,
            value.status(),
            value.headers(),
            b"",
        ))),
        P::UnexpectedResponse(response) => {
            if let Some(refused) = refusal(api, operation, &response) {
                return Err(refused);
            }
            let status = response.status();
            let headers = response.headers().clone();
            if status.is_success() {
                // A success status the spec does not list (a 201 where it says 200, say):
                // the body is still the documented one.
                let body = match response.bytes().await {
                    Ok(b) => b,
                    Err(e) => return Err(transport(api, operation, e)),
                };
                let json: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
                    b"null"
                } else {
                    &body
                };
                return serde_json::from_slice(json).map_err(|e| {
                    decode(Some(credentials), api, operation, Some(status), &body, e)
                });
            }
            let body = read_capped(response).await;
            Error::Api(Box::new(ApiError::from_parts(
                api, operation, status, &headers, &body,
            )))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> ApiError {
        ApiError::from_parts(
            "connect/v1",
            "op",
            StatusCode::BAD_REQUEST,
            &HeaderMap::new(),
            body.as_bytes(),
        )
    }

    #[test]
    fn reads_every_error_shape() {
        let e = parse(r#"{"error":{"code":404,"message":"Connector x not found"}}"#);
        assert_eq!(
            (e.code.as_deref(), e.message.as_deref()),
            (Some("404"), Some("Connector x not found"))
        );
        assert!(e.raw_body.is_none());

        let e = parse(r#"{"code":400,"message":"bad config"}"#);
        assert_eq!(
            (e.code.as_deref(), e.message.as_deref()),
            (Some("400"), Some("bad config"))
        );

        let e = parse(r#"{"error_code":500,"message":"oops"}"#);
        assert_eq!(
            (e.code.as_deref(), e.message.as_deref()),
            (Some("500"), Some("oops"))
        );

        let e = parse(
            r#"{"errors":[{"id":"1","status":"400","code":"invalid_input","title":"Bad","detail":"display_name is required","source":{"pointer":"/spec/display_name"}},{"detail":"second"}]}"#,
        );
        assert_eq!(e.code.as_deref(), Some("invalid_input"));
        assert_eq!(e.message.as_deref(), Some("display_name is required"));
        assert_eq!(e.details.len(), 2);
        assert_eq!(e.details[0].pointer.as_deref(), Some("/spec/display_name"));
        assert!(e.to_string().contains("; second"));
    }

    #[test]
    fn falls_back_to_text() {
        let e = parse("<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>");
        assert_eq!(e.message.as_deref(), Some("502 Bad Gateway"));
        assert!(e.raw_body.as_deref().unwrap().contains("nginx"));

        let e = parse("<p>upstream   <b>down</b></p>");
        assert_eq!(e.message.as_deref(), Some("upstream down"));

        let e = parse("");
        assert_eq!(e.message, None);
        assert!(e.to_string().contains("empty body"), "{e}");

        let e = parse(r#"{"unrelated": true}"#);
        assert_eq!(e.message.as_deref(), Some(r#"{"unrelated": true}"#));
    }

    #[test]
    fn reads_headers() {
        let mut h = HeaderMap::new();
        h.insert("x-request-id", "req-1".parse().unwrap());
        h.insert("x-ratelimit-limit", "80".parse().unwrap());
        h.insert("x-ratelimit-remaining", "0".parse().unwrap());
        h.insert("x-ratelimit-reset", "12".parse().unwrap());
        h.insert("retry-after", "3".parse().unwrap());
        let e = ApiError::from_parts(
            "ccpm/v1",
            "list_plugins",
            StatusCode::TOO_MANY_REQUESTS,
            &h,
            b"",
        );
        assert_eq!(e.request_id.as_deref(), Some("req-1"));
        assert_eq!(
            e.rate_limit,
            RateLimit {
                limit: Some(80),
                remaining: Some(0),
                reset: Some(Duration::from_secs(12)),
                retry_after: Some(Duration::from_secs(3)),
            }
        );
        let text = Error::Api(Box::new(e)).to_string();
        assert!(
            text.contains("429") && text.contains("req-1") && text.contains("retry after 3s"),
            "{text}"
        );
    }

    #[test]
    fn server_text_is_escaped_in_messages() {
        let mut h = HeaderMap::new();
        h.insert("x-request-id", "r1".parse().unwrap());
        let e = ApiError::from_parts(
            "connect/v1",
            "get_connector",
            StatusCode::BAD_REQUEST,
            &h,
            "{\"error\":{\"code\":\"c\\n2\",\"message\":\"bad\\n2026-01-01 INFO forged\\u001b[31m \\u202egnp.exe\"}}".as_bytes(),
        );
        let shown = e.to_string();
        assert!(!shown.chars().any(is_unsafe_to_show), "{shown:?}");
        assert!(
            shown.contains("bad\\n2026-01-01 INFO forged\\u{1b}[31m \\u{202e}gnp.exe"),
            "{shown}"
        );
        assert!(shown.contains("[c\\n2]") && shown.contains("r1"), "{shown}");
        let wait = Error::Wait {
            what: "connector".into(),
            last_state: Some("FAILED\u{2066}".into()),
            timed_out: false,
            detail: Some("trace\r\nline".into()),
            waited: Duration::from_secs(1),
        }
        .to_string();
        assert!(!wait.chars().any(is_unsafe_to_show), "{wait:?}");
        assert_eq!(escape_text("plain"), "plain");
    }

    #[test]
    fn urls_are_quoted_without_their_password() {
        assert_eq!(
            without_password("https://u:pw@h/x@y"),
            "https://u:[redacted]@h/x@y"
        );
        assert_eq!(
            without_password("https://a:b:c@d@h"),
            "https://a:[redacted]@h"
        );
        assert_eq!(without_password("https://h/p"), "https://h/p");
        assert_eq!(without_password("not a url"), "not a url");
    }

    #[test]
    fn truncates_on_char_boundary() {
        assert_eq!(truncate("ééé", 3), "é…");
        assert_eq!(truncate("abc", 3), "abc");
    }
}
