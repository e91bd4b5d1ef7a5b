//! The crate's one error type, and the one place progenitor's errors are converted into it.

use std::borrow::Cow;
use std::time::Duration;

use reqwest::StatusCode;
use serde::de::DeserializeOwned;

mod api_error;

pub use api_error::{ApiError, ErrorDetail, RateLimit};
pub(crate) use api_error::{parse_retry_after, parse_seconds, read_capped};

/// Whether a status is worth sending the request again for: 429 and the transient 5xx.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504)
}

/// The marker printed wherever a secret would otherwise appear.
pub(crate) const REDACTED: &str = "[redacted]";

/// The steps of a [`Migration`](crate::migrate::Migration), in order, as
/// [`Error::Migration`] names the one that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MigrationStep {
    /// Reading the connector's configuration, state and offsets from the worker.
    ReadWorker,
    /// Looking for a managed connector of that name in the cluster.
    CheckManaged,
    /// Translating the configuration for the managed plugin.
    Translate,
    /// Creating the managed connector.
    Create,
    /// Waiting for the managed connector to run.
    Wait,
    /// Stopping the connector on the worker.
    StopWorker,
}

impl std::fmt::Display for MigrationStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MigrationStep::ReadWorker => "reading the worker's connector",
            MigrationStep::CheckManaged => "looking for the managed connector",
            MigrationStep::Translate => "translating the configuration",
            MigrationStep::Create => "creating the managed connector",
            MigrationStep::Wait => "waiting for the managed connector to run",
            MigrationStep::StopWorker => "stopping the worker's connector",
        })
    }
}

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
        /// `connect/v1`, `ccpm/v1`, `cam/v1` or `telemetry/v2`.
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
        /// `connect/v1`, `ccpm/v1`, `cam/v1` or `telemetry/v2`.
        api: &'static str,
        /// The operationId.
        operation: String,
        /// Why, and what to change.
        message: String,
    },

    /// The client's own rate limiter ([`Pacing`](crate::Pacing)) would have held the
    /// request past the retry policy's time budget
    /// ([`RetryPolicy::max_elapsed`](crate::RetryPolicy::max_elapsed)), so it was not sent
    /// (again). Not a timeout of the connection: the API's rate limit is used up for now.
    #[error(
        "{api} {operation}: not sent: the rate limit's budget is used up; the client's \
         limiter would hold the request {:.1}s more, past the retry budget of {:.1}s \
         (waited {:.1}s, {attempts} attempts sent); raise RetryPolicy::max_elapsed or send less",
        .more.as_secs_f64(), .budget.as_secs_f64(), .waited.as_secs_f64()
    )]
    RateBudget {
        /// `connect/v1`, `ccpm/v1`, `cam/v1` or `telemetry/v2`.
        api: &'static str,
        /// The operationId.
        operation: String,
        /// How long the request had waited for budget, over all its attempts.
        waited: Duration,
        /// How much longer it would have had to wait, at least.
        more: Duration,
        /// The retry policy's time budget.
        budget: Duration,
        /// Attempts sent before the limiter held the request (0: it was never sent).
        attempts: u32,
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

    /// A step of a [`Migration`](crate::migrate::Migration) failed. `done` says what the
    /// migration had already done (a managed connector created before a failed wait is
    /// named there), so nothing is half-done silently; `source` is the step's own error.
    #[error("migrating connector {connector:?}: {step} failed ({done}): {source}")]
    Migration {
        /// The connector's name on the worker.
        connector: String,
        /// The step that failed.
        step: MigrationStep,
        /// What was done before it, in words.
        done: String,
        /// The step's error.
        #[source]
        source: Box<Error>,
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
            Error::Migration { source, .. } => source.status(),
            _ => None,
        }
    }

    /// The server's error details, for API and storage errors.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) | Error::Storage(e) => Some(e),
            Error::Migration { source, .. } => source.api_error(),
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

    /// `429 Too Many Requests` (see [`ApiError::rate_limit`] for when to try again), or a
    /// request the client's own limiter held back ([`Error::RateBudget`]).
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::RateBudget { .. })
            || self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// Refused by the client before anything was sent.
    pub fn is_validation(&self) -> bool {
        match self {
            Error::Validation { .. } | Error::InvalidRequest { .. } => true,
            Error::Migration { source, .. } => source.is_validation(),
            _ => false,
        }
    }

    /// A timeout: of the connection or of the whole request, or a wait
    /// ([`Error::Wait`]) whose time ran out before the state was reached.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Transport { source, .. } => source.is_timeout(),
            Error::Wait { timed_out, .. } => *timed_out,
            Error::Migration { source, .. } => source.is_timeout(),
            _ => false,
        }
    }

    /// A wait ([`Error::Wait`]) that a failure state ended: a `FAILED` connector (past
    /// [`WaitOptions::tolerate_failed`](crate::wait::WaitOptions::tolerate_failed), when
    /// set), a deleted one, a failed offsets request or plugin version. The trace is in
    /// the error's `detail`.
    pub fn is_wait_failed(&self) -> bool {
        match self {
            Error::Wait { timed_out, .. } => !timed_out,
            Error::Migration { source, .. } => source.is_wait_failed(),
            _ => false,
        }
    }

    /// For an [`Error::Migration`], the step that failed.
    pub fn migration_step(&self) -> Option<MigrationStep> {
        match self {
            Error::Migration { step, .. } => Some(*step),
            _ => None,
        }
    }

    /// Whether sending the same request later may succeed: a transient status (429, 500,
    /// 502, 503, 504) or a connection failure. The client's retry policy has already
    /// retried these as far as it was allowed to.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) | Error::Storage(e) => is_retryable_status(e.status),
            Error::Transport { source, .. } => source.is_connect() || source.is_timeout(),
            Error::RateBudget { .. } => true,
            Error::Migration { source, .. } => source.is_retryable(),
            _ => false,
        }
    }
}

/// Whether `c` could forge a line or reorder text on a terminal: control characters
/// (newlines, ANSI escapes) and the Unicode bidirectional marks, embeddings, overrides and
/// isolates.
pub(crate) fn is_unsafe_to_show(c: char) -> bool {
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
    format!("{}{user}:{}{}", &raw[..scheme_end], REDACTED, &rest[at..])
}

/// `raw` (a URL as given) as configuration messages may quote it: without its password,
/// and not at all when it does not parse but holds an `@`, since a password with `#`,
/// `/` or `?` in it breaks the parse and hides where the credentials end.
pub(crate) fn quoted_url(raw: &str) -> String {
    match reqwest::Url::parse(raw.trim()) {
        // `http:user:pw@host` parses with credentials but has no `//` to find them by.
        Ok(url) if url.password().is_some() && !raw.contains("://") => REDACTED.to_owned(),
        Ok(_) => without_password(raw),
        Err(_) if raw.contains('@') => REDACTED.to_owned(),
        Err(_) => raw.to_owned(),
    }
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

/// A decode error quoting the start of `body`. Every answer of the API reaches this crate
/// through the transport, which has already replaced any quotation of the credentials.
pub(crate) fn decode(
    api: &'static str,
    operation: &str,
    status: Option<StatusCode>,
    body: &[u8],
    source: serde_json::Error,
) -> Error {
    Error::Decode {
        api,
        operation: operation.to_owned(),
        status: status.map_or(Cow::Borrowed("success"), |s| Cow::Owned(s.to_string())),
        snippet: truncate(&String::from_utf8_lossy(body), 200),
        source,
    }
}

/// Why the transport refused an answer. progenitor's hooks can only hand back a `reqwest`
/// result, so a refusal travels as a stand-in answer (status 502, this value in its
/// extensions, the reason as its text body) that [`from_generated`] turns into
/// [`Error::ResponseRefused`] before anything decodes it. A caller of the raw client sees
/// that stand-in as an unexpected 502 whose body says why.
#[derive(Clone, Debug)]
pub(crate) struct Refusal(pub(crate) String);

/// A request the rate limiter held past the retry budget, travelling like a [`Refusal`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct BudgetHeld {
    pub(crate) more: Duration,
    pub(crate) waited: Duration,
    pub(crate) budget: Duration,
    pub(crate) attempts: u32,
}

/// How many attempts the answer a response carries took, and how long: set by the
/// transport on the final answer, read into [`ApiError::attempts`] and
/// [`ApiError::elapsed`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Attempts {
    pub(crate) count: u32,
    pub(crate) elapsed: Duration,
}

/// The [`Error::ResponseRefused`] that `response` stands in for, when the transport refused
/// the real answer (see [`Refusal`]).
pub(crate) fn refusal(
    api: &'static str,
    operation: &str,
    response: &reqwest::Response,
) -> Option<Error> {
    if let Some(held) = response.extensions().get::<BudgetHeld>() {
        return Some(Error::RateBudget {
            api,
            operation: operation.to_owned(),
            waited: held.waited,
            more: held.more,
            budget: held.budget,
            attempts: held.attempts,
        });
    }
    let refusal = response.extensions().get::<Refusal>()?;
    Some(Error::ResponseRefused {
        api,
        operation: operation.to_owned(),
        message: refusal.0.clone(),
    })
}

/// The [`Error::Api`] of an error answer, with the attempts the transport recorded on it.
pub(crate) async fn error_answer(
    api: &'static str,
    operation: &str,
    response: reqwest::Response,
) -> Error {
    let status = response.status();
    let headers = response.headers().clone();
    let attempts = response.extensions().get::<Attempts>().copied();
    let body = read_capped(response).await;
    let mut err = ApiError::from_parts(api, operation, status, &headers, &body);
    if let Some(attempts) = attempts {
        err.attempts = attempts.count.max(1);
        err.elapsed = attempts.elapsed;
    }
    Error::Api(Box::new(err))
}

/// Converts the result of a generated operation. This is the one place progenitor's error
/// type turns into the crate's.
pub(crate) async fn from_generated<T: DeserializeOwned, E>(
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
        P::InvalidResponsePayload(body, e) => decode(api, operation, None, &body, e),
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
                return serde_json::from_slice(json)
                    .map_err(|e| decode(api, operation, Some(status), &body, e));
            }
            error_answer(api, operation, response).await
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn urls_that_hide_where_their_password_ends_are_not_quoted() {
        assert_eq!(quoted_url("http://admin:p#ss@host:8083"), REDACTED);
        assert_eq!(quoted_url("http:admin:pw@host"), REDACTED);
        assert_eq!(quoted_url("https://u:pw@h/x"), "https://u:[redacted]@h/x");
        assert_eq!(quoted_url("not a url"), "not a url");
    }

    #[test]
    fn truncates_on_char_boundary() {
        assert_eq!(truncate("ééé", 3), "é…");
        assert_eq!(truncate("abc", 3), "abc");
    }
}
