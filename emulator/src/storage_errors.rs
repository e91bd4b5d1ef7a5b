//! The error documents of the storage endpoints, in each service's own format: S3 and GCS
//! XML `<Error><Code>..</Code><Message>..</Message></Error>`, Azure XML plus the
//! `x-ms-error-code` header.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use crate::ids::{random_hex, random_uuid};

/// Escapes element text (quotes stay literal, as in S3's own messages).
fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An S3 (or GCS) error document.
pub(crate) fn s3_error(
    status: StatusCode,
    code: &str,
    message: &str,
    extra: &[(&str, String)],
) -> Response {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{}</Message>",
        xml_escape(message)
    );
    for (k, v) in extra {
        xml.push_str(&format!("<{k}>{}</{k}>", xml_escape(v)));
    }
    let request_id = random_hex(16).to_uppercase();
    xml.push_str(&format!("<RequestId>{request_id}</RequestId></Error>"));
    let mut response = (status, xml).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    // The body may not have been read: the connection cannot serve another request.
    h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-amz-request-id", v);
    }
    response
}

/// An Azure Blob error: XML body and `x-ms-error-code`.
pub(crate) fn azure_error(status: StatusCode, code: &'static str, message: &str) -> Response {
    let request_id = random_uuid();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>{}\nRequestId:{request_id}\nTime:{}</Message></Error>",
        xml_escape(message),
        Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ")
    );
    let mut response = (status, xml).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    h.insert("x-ms-error-code", HeaderValue::from_static(code));
    h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-ms-request-id", v);
    }
    response
}

fn is_azure(path: &str) -> bool {
    path.starts_with("/_storage/azure/")
}

/// A throttling answer in the format of the storage service of `path`.
pub(crate) fn throttled(path: &str) -> Response {
    if is_azure(path) {
        let mut response = azure_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServerBusy",
            "The server is busy.",
        );
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        response
    } else {
        s3_error(
            StatusCode::TOO_MANY_REQUESTS,
            "SlowDown",
            "Please reduce your request rate.",
            &[],
        )
    }
}

/// The answer when every upload slot is taken: `503`, which S3, GCS and Azure clients all
/// treat as "retry later".
pub(crate) fn busy(path: &str) -> Response {
    let mut response = if is_azure(path) {
        azure_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServerBusy",
            "The server is busy: too many uploads in progress.",
        )
    } else {
        s3_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "SlowDown",
            "Please reduce your request rate: too many uploads in progress.",
            &[],
        )
    };
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// A failure answer with `status` in the format of the storage service of `path`.
pub(crate) fn failed(path: &str, status: StatusCode) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    if is_azure(path) {
        let code = if status.is_server_error() {
            "InternalError"
        } else {
            "InvalidInput"
        };
        azure_error(status, code, reason)
    } else {
        let code = match status.as_u16() {
            503 => "ServiceUnavailable",
            s if s >= 500 => "InternalError",
            _ => "InvalidRequest",
        };
        s3_error(status, code, reason, &[])
    }
}

/// The S3 answer when the body ends before its `Content-Length` (or cannot be read).
pub(crate) fn incomplete_body() -> Response {
    s3_error(
        StatusCode::BAD_REQUEST,
        "IncompleteBody",
        "You did not provide the number of bytes specified by the Content-Length HTTP header.",
        &[],
    )
}

/// S3's answer for an upload over the size limit.
pub(crate) fn entity_too_large(proposed: u64, max: u64) -> Response {
    s3_error(
        StatusCode::BAD_REQUEST,
        "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed size",
        &[
            ("ProposedSize", proposed.to_string()),
            ("MaxSizeAllowed", max.to_string()),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_and_throttled_answers_follow_the_service() {
        let r = busy("/_storage/azure/c/b");
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()["x-ms-error-code"], "ServerBusy");
        let r = busy("/_storage/s3/b/");
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()["retry-after"], "1");
        assert_eq!(
            throttled("/_storage/azure/c/b").status(),
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(xml_escape("a<b>&c"), "a&lt;b&gt;&amp;c");
    }
}
