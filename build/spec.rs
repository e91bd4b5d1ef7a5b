//! Reading a spec, and the changes made to it before progenitor sees it.

use std::path::Path;

use serde_norway::Value;

/// The spec as a YAML tree, so that it can be inspected and edited before generation.
pub(crate) fn load(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    serde_norway::from_str(&text).map_err(|e| e.to_string())
}

pub(crate) fn to_openapi(doc: Value) -> Result<openapiv3::OpenAPI, String> {
    serde_norway::from_value(doc).map_err(|e| format!("not OpenAPI 3.0: {e}"))
}

/// Drops every non-2xx response before generation.
///
/// The specs declare their error responses for documentation and contract tests, but the
/// hand-written layer parses error bodies itself: it must keep the status and headers of a
/// 502 whose body is HTML, and read every error shape the API family sends. Left in, a body
/// that is not JSON would surface from progenitor without its status.
pub(crate) fn strip_error_responses(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_mapping_mut) else {
        return;
    };
    for (_, item) in paths.iter_mut() {
        let Some(item) = item.as_mapping_mut() else {
            continue;
        };
        for (_, op) in item.iter_mut() {
            if let Some(responses) = op.get_mut("responses").and_then(Value::as_mapping_mut) {
                responses.retain(|code, _| {
                    let code = match code {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        _ => return true,
                    };
                    code.starts_with('2')
                });
            }
        }
    }
}
