//! The storage service's error answers (S3 and GCS XML, Azure's `x-ms-error-code`).

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::Error;
use crate::error::ApiError;

use super::EXPIRED_HINT;

pub(crate) fn storage_transport(source: reqwest::Error, timeout: Duration) -> Error {
    let message = if source.is_timeout() {
        format!(
            "the upload did not finish within {}s; allow more with UploadOptions::timeout",
            timeout.as_secs()
        )
    } else if source.is_connect() {
        "could not connect to the storage service".to_owned()
    } else {
        "the upload broke off".to_owned()
    };
    Error::Transport {
        api: "storage",
        operation: "upload".to_owned(),
        message,
        // The URL carries the storage signature in its query.
        source: source.without_url(),
    }
}

/// Reads a storage error answer: S3 and GCS send `<Error><Code>…</Code><Message>…</Message>`,
/// Azure the same XML plus the `x-ms-error-code` header and an `AuthenticationErrorDetail`.
pub(crate) fn storage_error(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ApiError {
    let mut err = ApiError::from_parts("storage", "upload", status, headers, body);
    let text = String::from_utf8_lossy(body);
    let xml_code = xml_element(&text, "Code");
    if xml_code.is_some() {
        // S3 echoes <SignatureProvided>, <StringToSign> and tokens in its XML errors: keep
        // only what is parsed out of it below.
        err.raw_body = None;
        // An XML error body: its <Message> is the message, or there is none. The generic
        // fallback (the body's text without tags) would only repeat the code.
        err.message = xml_element(&text, "Message")
            // Azure appends "\nRequestId:…\nTime:…" to its message.
            .map(|m| m.lines().next().unwrap_or("").trim().to_owned())
            .filter(|m| !m.is_empty());
    }
    let code = header_str(headers, "x-ms-error-code").or(xml_code);
    if code.is_some() {
        err.code = code;
    }
    if let Some(detail) = xml_element(&text, "AuthenticationErrorDetail") {
        err.message = Some(match err.message.take() {
            Some(m) if !m.is_empty() => format!("{m} ({detail})"),
            _ => detail,
        });
    }
    if err.request_id.is_none() {
        err.request_id = storage_request_id(headers, &[&text]);
    }
    let code = err.code.as_deref().unwrap_or("");
    let message = err.message.as_deref().unwrap_or("").to_ascii_lowercase();
    let expired = match code {
        "AccessDenied" => message.contains("expired"),
        "ExpiredToken" => true,
        "AuthenticationFailed" => message.contains("signed expiry time"),
        _ => false,
    };
    if expired {
        err.hint = Some(EXPIRED_HINT);
    }
    err
}

pub(crate) fn storage_request_id(headers: &HeaderMap, bodies: &[&str]) -> Option<String> {
    [
        "x-amz-request-id",
        "x-ms-request-id",
        "x-guploader-uploadid",
    ]
    .iter()
    .find_map(|h| header_str(headers, h))
    .or_else(|| bodies.iter().find_map(|b| xml_element(b, "RequestId")))
}

/// The text of the first `<name>…</name>` element, entities decoded; `None` when absent or
/// empty. Storage error bodies are flat and small, which is all this handles.
pub(crate) fn xml_element(text: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = text.find(&open)? + open.len();
    let end = start + text[start..].find(&close)?;
    let value = text[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// A header's value as text, when it is text.
pub(crate) fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_errors() {
        let body = b"<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message><RequestId>R1</RequestId></Error>";
        let e = storage_error(StatusCode::FORBIDDEN, &HeaderMap::new(), body);
        assert_eq!(e.code.as_deref(), Some("AccessDenied"));
        assert_eq!(
            e.message.as_deref(),
            Some("Invalid according to Policy: Policy expired.")
        );
        assert_eq!(e.request_id.as_deref(), Some("R1"));
        assert_eq!(e.hint, Some(EXPIRED_HINT));
        let bare = b"<Error><Code>SignatureDoesNotMatch</Code></Error>";
        let e = storage_error(StatusCode::FORBIDDEN, &HeaderMap::new(), bare);
        assert_eq!(e.code.as_deref(), Some("SignatureDoesNotMatch"));
        assert_eq!(e.message, None);
        assert_eq!(
            e.to_string(),
            "storage upload: HTTP 403 Forbidden [SignatureDoesNotMatch]"
        );
        assert_eq!(
            xml_element("<A>x &amp; y</A>", "A").as_deref(),
            Some("x & y")
        );
        assert_eq!(xml_element("<A> </A>", "A"), None);
    }
}
