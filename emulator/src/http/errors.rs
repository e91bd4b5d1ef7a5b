//! The error bodies the API endpoints answer with, one shape per API family, and the JSON
//! request body extractor whose refusals take those shapes. The storage endpoints answer
//! in their services' formats instead (`crate::storage::errors`).

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use serde_json::{Value, json};

use crate::http::ids::random_hex;
use crate::http::json::json_response;

/// Which error body an endpoint answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Connector endpoints: `{"error": {"code": 404, "message": "..."}}`.
    Nested,
    /// `create_connector` 400: `{"code": 400, "message": "..."}`.
    Flat,
    /// `create_connector` 500: `{"error_code": 500, "message": "..."}`.
    ErrorCode,
    /// Custom plugins, presigned URLs, runtimes and ccpm: `{"errors": [{...}]}`.
    List,
}

impl Shape {
    /// The shape used for most answers under `path` (the control endpoints answer like
    /// the connector endpoints).
    pub(crate) fn for_path(path: &str) -> Shape {
        if path.starts_with("/connect/v1/environments/") || path.starts_with("/_emulator/") {
            Shape::Nested
        } else {
            Shape::List
        }
    }
}

/// Where in the request the problem is, for `{"errors": [...]}` answers.
#[derive(Clone, Debug)]
pub(crate) enum Source {
    /// A JSON pointer into the body.
    Pointer(String),
    /// A query parameter.
    Parameter(&'static str),
}

/// An error answer of the API.
#[derive(Clone, Debug)]
pub(crate) struct Failure {
    pub(crate) status: StatusCode,
    pub(crate) shape: Shape,
    pub(crate) code: &'static str,
    pub(crate) message: String,
    pub(crate) source: Option<Source>,
}

impl Failure {
    pub(crate) fn new(
        status: StatusCode,
        shape: Shape,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Failure {
            status,
            shape,
            code,
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn bad_request(shape: Shape, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, shape, "bad_request", message)
    }

    pub(crate) fn not_found(shape: Shape, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, shape, "not_found", message)
    }

    pub(crate) fn conflict(shape: Shape, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            shape,
            "resource_already_exists",
            message,
        )
    }

    /// A well-formed body with a value the API refuses (422, `{"errors": [...]}` only).
    pub(crate) fn invalid(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Failure {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            shape: Shape::List,
            code: "invalid_configuration",
            message: message.into(),
            source: Some(Source::Pointer(pointer.into())),
        }
    }

    /// A query parameter the API refuses.
    pub(crate) fn bad_parameter(
        shape: Shape,
        parameter: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Failure {
            status: StatusCode::BAD_REQUEST,
            shape,
            code: "bad_request",
            message: message.into(),
            source: Some(Source::Parameter(parameter)),
        }
    }

    /// A body that is not JSON of the expected shape.
    pub(crate) fn malformed(shape: Shape, err: &serde_json::Error) -> Self {
        Self::bad_request(shape, format!("request body is not valid: {err}"))
    }

    pub(crate) fn body(&self) -> Value {
        let code = self.status.as_u16();
        match self.shape {
            Shape::Nested => json!({"error": {"code": code, "message": self.message}}),
            Shape::Flat => json!({"code": code, "message": self.message}),
            Shape::ErrorCode => json!({"error_code": code, "message": self.message}),
            Shape::List => {
                let mut item = json!({
                    "id": random_hex(32),
                    "status": code.to_string(),
                    "code": self.code,
                    "title": title(self.status),
                    "detail": self.message,
                });
                match &self.source {
                    Some(Source::Pointer(p)) => item["source"] = json!({"pointer": p}),
                    Some(Source::Parameter(p)) => item["source"] = json!({"parameter": p}),
                    None => {}
                }
                json!({"errors": [item]})
            }
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        json_response(self.status, &self.body())
    }
}

/// A `429` in the error shape of the API `path` belongs to, with `Retry-After: secs`: the
/// answer of the enforced rate limit and of an injected one.
pub(crate) fn too_many_requests(path: &str, secs: u64, message: String) -> Response {
    let mut response = Failure::new(
        StatusCode::TOO_MANY_REQUESTS,
        Shape::for_path(path),
        "too_many_requests",
        message,
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    response
}

/// The `code` of an `{"errors": [...]}` item for an error status with no more specific
/// code.
pub(crate) fn code_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "unauthorized",
        402 => "payment_required",
        403 => "forbidden",
        404 => "not_found",
        409 => "resource_already_exists",
        413 => "request_entity_too_large",
        422 => "invalid_configuration",
        429 => "too_many_requests",
        s if s >= 500 => "server_error",
        _ => "bad_request",
    }
}

fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Resource Already Exists",
        422 => "Validation Failed",
        429 => "Rate Limit Exceeded",
        _ => status.canonical_reason().unwrap_or("Error"),
    }
}

/// The largest JSON request body taken: axum's default, far above any real request.
pub(crate) const MAX_JSON_BODY: usize = 2 * 1024 * 1024;

/// How much of an oversized body is still read, and dropped, before the `413`: a client
/// still sending when the connection closes can see a reset instead of the answer.
const DRAIN_LIMIT: u64 = 16 * 1024 * 1024;

/// A JSON request body, read whole up to [`MAX_JSON_BODY`]. Unlike axum's `Bytes`, whose
/// refusals are plain text, a refusal here answers in the error shape of the API concerned.
pub(crate) struct JsonBody(pub(crate) Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = Failure;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Failure> {
        let shape = Shape::for_path(request.uri().path());
        let too_large = || {
            Failure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                shape,
                "request_entity_too_large",
                format!("request body is larger than the {MAX_JSON_BODY} bytes the API takes"),
            )
        };
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > DRAIN_LIMIT) {
            return Err(too_large());
        }
        let mut pieces = request.into_body().into_data_stream();
        let mut body = BytesMut::new();
        let mut seen = 0u64;
        while let Some(piece) = pieces.next().await {
            let piece = piece.map_err(|e| {
                Failure::bad_request(shape, format!("request body could not be read: {e}"))
            })?;
            seen = seen.saturating_add(piece.len() as u64);
            if seen > DRAIN_LIMIT {
                break;
            }
            if body.len() + piece.len() <= MAX_JSON_BODY {
                body.extend_from_slice(&piece);
            }
        }
        if seen > MAX_JSON_BODY as u64 {
            return Err(too_large());
        }
        Ok(JsonBody(body.freeze()))
    }
}
