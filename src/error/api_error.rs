//! The server's error answers: every JSON error shape of the API family, HTML from a
//! proxy, and the rate-limit headers.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};

use super::{escape_text, truncate};

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
        // One pass over the answer's few headers, each name compared as a string: cheaper
        // than four hashed lookups, and the client's limiter reads every answer. As with
        // `HeaderMap::get`, only the first value of a repeated header counts.
        let (mut limit, mut remaining, mut reset, mut retry_after) = (None, None, None, None);
        for (name, value) in headers {
            let slot = match name.as_str() {
                "x-ratelimit-limit" => &mut limit,
                "x-ratelimit-remaining" => &mut remaining,
                "x-ratelimit-reset" => &mut reset,
                "retry-after" => &mut retry_after,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value);
            }
        }
        let num = |value: Option<&HeaderValue>| {
            value
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        RateLimit {
            limit: num(limit),
            remaining: num(remaining),
            // A day at most, as for `Retry-After`: a wild value must not overflow the clock
            // arithmetic of the pacing and the retries.
            reset: num(reset).map(|s| Duration::from_secs(s.min(MAX_HINT_SECS))),
            retry_after: retry_after
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, std::time::SystemTime::now())),
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
    /// How many times the request was sent, this answer's attempt included (more than 1
    /// when the retry policy sent it again and then gave up).
    pub attempts: u32,
    /// The time from the first attempt to this answer, backoffs and waits for rate-limit
    /// budget included; zero where not measured (storage answers).
    pub elapsed: Duration,
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
        if self.attempts > 1 {
            write!(
                f,
                " (gave up after {} attempts in {:.1}s)",
                self.attempts,
                self.elapsed.as_secs_f64()
            )?;
        }
        if let Some(after) = self.rate_limit.retry_after {
            write!(f, " (retry after {}s)", after.as_secs_f64())?;
        }
        let RateLimit {
            limit,
            remaining,
            reset,
            ..
        } = &self.rate_limit;
        // Every answer carries these; they explain a 429 or a spent budget, and are noise
        // on a 404.
        if self.status == StatusCode::TOO_MANY_REQUESTS || *remaining == Some(0) {
            let shown = |v: Option<u64>| v.map_or_else(|| "?".to_owned(), |v| v.to_string());
            write!(
                f,
                " (rate limit: {} of {} left, resets in {}s)",
                shown(*remaining),
                shown(*limit),
                shown(reset.map(|r| r.as_secs()))
            )?;
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
            attempts: 1,
            elapsed: Duration::ZERO,
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

/// `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3).
pub(crate) fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    parse_seconds(value).or_else(|| {
        let when = httpdate::parse_http_date(value.trim()).ok()?;
        let wait = when.duration_since(now).unwrap_or(Duration::ZERO);
        Some(wait.min(Duration::from_secs(MAX_HINT_SECS)))
    })
}

pub(crate) fn parse_seconds(value: &str) -> Option<Duration> {
    let secs: f64 = value.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0)
        .then(|| Duration::from_secs_f64(secs.min(MAX_HINT_SECS as f64)))
}

/// The longest wait a server's header is taken for: a day.
const MAX_HINT_SECS: u64 = 86_400;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_accepts_seconds_and_dates() {
        let now = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        let date = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(parse_retry_after(&date, now), Some(Duration::from_secs(7)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    use crate::Error;
    use crate::error::is_unsafe_to_show;

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
}
