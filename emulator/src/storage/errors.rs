//! The error documents of the storage endpoints, in each service's own format: S3 and GCS
//! XML `<Error><Code>..</Code><Message>..</Message></Error>`, Azure XML plus the
//! `x-ms-error-code` header.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use crate::http::ids::{random_hex, random_uuid};

/// Escapes element text (quotes stay literal, as in S3's own messages).
fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An S3 (or GCS) error document.
fn s3_error(status: StatusCode, code: &str, message: &str, extra: &[(&str, String)]) -> Response {
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
fn azure_error(status: StatusCode, code: &'static str, message: &str) -> Response {
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

/// The S3 POST form's refusals.
pub(crate) mod s3 {
    use axum::http::StatusCode;
    use axum::response::Response;

    use super::s3_error;

    pub(crate) fn no_such_bucket(bucket: String) -> Response {
        s3_error(
            StatusCode::NOT_FOUND,
            "NoSuchBucket",
            "The specified bucket does not exist",
            &[("BucketName", bucket)],
        )
    }

    pub(crate) fn missing_content_length() -> Response {
        s3_error(
            StatusCode::LENGTH_REQUIRED,
            "MissingContentLength",
            "You must provide the Content-Length HTTP header.",
            &[],
        )
    }

    pub(crate) fn not_multipart() -> Response {
        s3_error(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            "Bucket POST must be of the enclosure-type multipart/form-data",
            &[],
        )
    }

    pub(crate) fn malformed(detail: &str) -> Response {
        s3_error(
            StatusCode::BAD_REQUEST,
            "MalformedPOSTRequest",
            &format!(
                "The body of your POST request is not well-formed multipart/form-data: {detail}."
            ),
            &[],
        )
    }

    pub(crate) fn fields_too_large() -> Response {
        s3_error(
            StatusCode::BAD_REQUEST,
            "MaxPostPreDataLengthExceeded",
            "Your POST request fields preceding the upload file were too large.",
            &[],
        )
    }

    pub(crate) fn policy_failed(message: &str) -> Response {
        s3_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            &format!("Invalid according to Policy: {message}"),
            &[],
        )
    }

    pub(crate) fn missing_field(name: &str) -> Response {
        s3_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            &format!(
                "Bucket POST must contain a field named '{name}'.  If it is specified, please check the order of the fields: those after the file are ignored."
            ),
            &[("ArgumentName", name.to_owned())],
        )
    }

    pub(crate) fn signature_mismatch() -> Response {
        s3_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
            &[],
        )
    }

    pub(crate) fn no_file() -> Response {
        s3_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "POST requires exactly one file upload per request.",
            &[("ArgumentName", "file".to_owned())],
        )
    }

    /// S3 ignores every field after the file, so a form in that order fails there with a
    /// confusing policy error; the emulator says so directly.
    pub(crate) fn field_after_file(after: String) -> Response {
        s3_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            &format!(
                "The file must be the last field of the form; field {after:?} comes after it and S3 would ignore it."
            ),
            &[("ArgumentName", after)],
        )
    }

    pub(crate) fn empty_file() -> Response {
        s3_error(
            StatusCode::BAD_REQUEST,
            "EntityTooSmall",
            "Your proposed upload is smaller than the minimum allowed size",
            &[
                ("ProposedSize", "0".to_owned()),
                ("MinSizeAllowed", "1".to_owned()),
            ],
        )
    }
}

/// The Azure Put Blob's refusals.
pub(crate) mod azure {
    use axum::http::StatusCode;
    use axum::response::Response;

    use super::azure_error;

    pub(crate) fn auth_failed(why: &str) -> Response {
        azure_error(
            StatusCode::FORBIDDEN,
            "AuthenticationFailed",
            &format!(
                "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature. {why}"
            ),
        )
    }

    pub(crate) fn missing_blob_type() -> Response {
        azure_error(
            StatusCode::BAD_REQUEST,
            "MissingRequiredHeader",
            "An HTTP header that's mandatory for this request is not specified. (x-ms-blob-type)",
        )
    }

    pub(crate) fn invalid_blob_type() -> Response {
        azure_error(
            StatusCode::BAD_REQUEST,
            "InvalidHeaderValue",
            "The value for one of the HTTP headers is not in the correct format. (x-ms-blob-type)",
        )
    }

    pub(crate) fn missing_content_length() -> Response {
        azure_error(
            StatusCode::LENGTH_REQUIRED,
            "MissingContentLengthHeader",
            "Content-Length HTTP header is missing.",
        )
    }

    pub(crate) fn too_large() -> Response {
        azure_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestBodyTooLarge",
            "The request body is too large and exceeds the maximum permissible limit.",
        )
    }

    pub(crate) fn cut_short() -> Response {
        azure_error(
            StatusCode::BAD_REQUEST,
            "InvalidInput",
            "One of the request inputs is not valid. (the body ended before its Content-Length)",
        )
    }

    pub(crate) fn empty_blob() -> Response {
        azure_error(
            StatusCode::BAD_REQUEST,
            "InvalidInput",
            "One of the request inputs is not valid. (empty blob)",
        )
    }
}

/// The GCS signed-URL PUT's refusals (GCS answers in S3's XML format).
pub(crate) mod gcs {
    use axum::http::StatusCode;
    use axum::response::Response;

    use super::s3_error;

    pub(crate) fn signature_mismatch() -> Response {
        s3_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "Access denied. The request signature we calculated does not match the signature you provided. Check your Google secret key and signing method.",
            &[],
        )
    }

    pub(crate) fn token_expired() -> Response {
        s3_error(
            StatusCode::BAD_REQUEST,
            "ExpiredToken",
            "Invalid argument. The provided token has expired. Request signature expired.",
            &[],
        )
    }

    pub(crate) fn missing_content_length() -> Response {
        s3_error(
            StatusCode::LENGTH_REQUIRED,
            "MissingContentLength",
            "Length Required: the request needs a Content-Length header.",
            &[],
        )
    }

    pub(crate) fn empty_object() -> Response {
        s3_error(
            StatusCode::BAD_REQUEST,
            "EntityTooSmall",
            "Your proposed upload is smaller than the minimum allowed size",
            &[],
        )
    }
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
