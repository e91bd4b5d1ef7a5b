//! How an injected [`Fault`] is answered: the status or `429` with the body it asks for
//! (by default the error body the API concerned has for that status), and the headers it
//! adds. The gate (`gate`) takes the fault from the queue and calls these.

use axum::body::Body;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::http::errors::{Failure, Shape, code_for, too_many_requests};
use crate::http::json::{empty, json_response};
use crate::http::operations;
use crate::state::faults::{Fault, FaultBody, FaultKind, whole_seconds};
use crate::storage::errors as storage_errors;

/// The error shape the API answers `status` with for this request: `create_connector`
/// documents a flat `400` and an `error_code` `500`; otherwise the shape of the path's
/// API.
fn shape(method: &Method, path: &str, status: StatusCode) -> Shape {
    let create = operations::named("create_connector")
        .iter()
        .any(|o| o.matches(method, path));
    match status.as_u16() {
        400 if create => Shape::Flat,
        500 if create => Shape::ErrorCode,
        _ => Shape::for_path(path),
    }
}

/// The body a fault asked for in place of the default one, or `None` for the default.
fn chosen_body(body: &FaultBody, status: StatusCode) -> Option<Response> {
    match body {
        FaultBody::Default | FaultBody::Message(_) => None,
        FaultBody::Json(v) => Some(json_response(status, v)),
        FaultBody::Raw { content_type, body } => {
            let mut response = (status, Body::from(body.clone())).into_response();
            if let Ok(v) = HeaderValue::from_str(content_type) {
                response.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            Some(response)
        }
        FaultBody::Empty => Some(empty(status)),
    }
}

/// The message of a default-shaped body: the fault's, or `default`.
fn message(body: &FaultBody, default: String) -> String {
    match body {
        FaultBody::Message(m) => m.clone(),
        _ => default,
    }
}

/// The answer of a rate-limit or status fault to a request; `None` for a delay, which
/// lets the request through.
pub(crate) fn answer(fault: &Fault, method: &Method, path: &str) -> Option<Response> {
    let storage = path.starts_with("/_storage/");
    match fault.kind() {
        FaultKind::Delay(_) => None,
        FaultKind::RateLimited { retry_after } => {
            let secs = whole_seconds(*retry_after);
            let status = StatusCode::TOO_MANY_REQUESTS;
            let mut response = match chosen_body(&fault.body, status) {
                Some(chosen) => chosen,
                None if storage => storage_errors::throttled(path),
                None => too_many_requests(
                    path,
                    secs,
                    message(
                        &fault.body,
                        format!(
                            "Too Many Requests: retry in {secs} s (fault injected by the emulator)"
                        ),
                    ),
                ),
            };
            let h = response.headers_mut();
            h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
            h.insert("x-ratelimit-reset", HeaderValue::from(secs));
            h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
            Some(response)
        }
        FaultKind::Status(code) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            if let Some(chosen) = chosen_body(&fault.body, status) {
                return Some(chosen);
            }
            if storage {
                return Some(storage_errors::failed(path, status));
            }
            let default = format!(
                "{} (fault injected by the emulator)",
                status.canonical_reason().unwrap_or("Error")
            );
            let failure = Failure::new(
                status,
                shape(method, path, status),
                code_for(status),
                message(&fault.body, default),
            );
            Some(failure.into_response())
        }
    }
}

/// Adds the headers a fault asks for, over any the emulator set.
pub(crate) fn add_headers(fault: Option<&Fault>, response: &mut Response) {
    for (name, value) in fault.map(|f| f.headers.as_slice()).unwrap_or_default() {
        response.headers_mut().insert(name.clone(), value.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CONNECTORS: &str = "/connect/v1/environments/e/clusters/c/connectors";

    #[test]
    fn create_connector_keeps_its_documented_shapes() {
        let post = Method::POST;
        assert_eq!(
            shape(&post, CONNECTORS, StatusCode::BAD_REQUEST),
            Shape::Flat
        );
        assert_eq!(
            shape(&post, CONNECTORS, StatusCode::INTERNAL_SERVER_ERROR),
            Shape::ErrorCode
        );
        assert_eq!(
            shape(&post, CONNECTORS, StatusCode::PAYMENT_REQUIRED),
            Shape::Nested
        );
        assert_eq!(
            shape(&Method::GET, CONNECTORS, StatusCode::BAD_REQUEST),
            Shape::Nested
        );
        assert_eq!(
            shape(&post, "/ccpm/v1/plugins", StatusCode::BAD_REQUEST),
            Shape::List
        );
    }

    #[test]
    fn a_chosen_body_replaces_the_default() {
        let status = StatusCode::PAYMENT_REQUIRED;
        assert!(chosen_body(&FaultBody::Default, status).is_none());
        assert!(chosen_body(&FaultBody::Message("m".into()), status).is_none());
        let json = chosen_body(&FaultBody::Json(json!({"a": 1})), status).unwrap();
        assert_eq!(json.status(), status);
        assert_eq!(json.headers()[header::CONTENT_TYPE], "application/json");
        let raw = FaultBody::Raw {
            content_type: "text/html".into(),
            body: "<html/>".into(),
        };
        let raw = chosen_body(&raw, status).unwrap();
        assert_eq!(raw.headers()[header::CONTENT_TYPE], "text/html");
        let none = chosen_body(&FaultBody::Empty, status).unwrap();
        assert!(none.headers().get(header::CONTENT_TYPE).is_none());
        assert_eq!(message(&FaultBody::Message("m".into()), "d".into()), "m");
        assert_eq!(message(&FaultBody::Empty, "d".into()), "d");
    }
}
