//! Writing JSON answers. A leaf: it imports nothing of the emulator.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

/// A JSON answer.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// An answer with no body.
pub(crate) fn empty(status: StatusCode) -> Response {
    status.into_response()
}

/// Serialises a generated type, for answers that need a key the type leaves out.
pub(crate) fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Adds `key: []` when absent: the API sends empty lists the generated types skip.
pub(crate) fn ensure_array(value: &mut Value, key: &str) {
    if let Value::Object(map) = value {
        map.entry(key.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
    }
}
