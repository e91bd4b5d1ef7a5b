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

/// `FILE:LINE:COLUMN: what was expected`, for a JSON file that did not parse into what it
/// should hold: one line, in the form editors and terminals turn into a link. serde_json
/// appends " at line L column C" to its messages; the position moves to the front instead.
/// An error with no position (an I/O error) is `FILE: message`.
pub(crate) fn located(path: &std::path::Path, e: &serde_json::Error) -> String {
    let message = e.to_string();
    if e.line() == 0 {
        return format!("{}: {message}", path.display());
    }
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = message.strip_suffix(&suffix).unwrap_or(&message);
    format!("{}:{}:{}: {message}", path.display(), e.line(), e.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn located_errors_lead_with_the_position() {
        let e = serde_json::from_str::<Value>("{\n  \"a\": 1,\n  \"b\" 2\n}").unwrap_err();
        let shown = located(std::path::Path::new("dir/seed.json"), &e);
        assert_eq!(shown, "dir/seed.json:3:7: expected `:`");
        let e = serde_json::from_str::<Value>("").unwrap_err();
        assert!(
            located(std::path::Path::new("s.json"), &e).starts_with("s.json:1:0: EOF"),
            "{}",
            located(std::path::Path::new("s.json"), &e)
        );
    }
}
