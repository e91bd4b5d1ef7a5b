//! The control endpoint that fails a `cam/v1` Connect Artifact's processing, under
//! `/_emulator/`. [`EmulatorHandle::fail_artifact`](crate::EmulatorHandle::fail_artifact)
//! calls the function here, so Rust and HTTP users get one behaviour.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::http::errors::{Failure, JsonBody, Shape};
use crate::http::json::empty;
use crate::state::store::App;

/// Makes an artifact's processing fail with `reason`: `FAILED` once processing ends (at
/// once when it already has). `false` when there is no such artifact.
pub(crate) fn fail(app: &App, id: &str, reason: &str) -> bool {
    let mut store = app.store();
    match store.artifacts.get_mut(id) {
        Some(artifact) => {
            artifact.failure = Some(reason.to_owned());
            true
        }
        None => false,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FailRequest {
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /_emulator/artifacts/{id}/fail`, body `{"reason": "..."}` (optional): `204`, or
/// `404` for an unknown artifact.
pub(crate) async fn fail_artifact(
    State(app): State<App>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let req: FailRequest = if body.iter().all(u8::is_ascii_whitespace) {
        FailRequest { reason: None }
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| Failure::bad_request(Shape::Nested, format!("invalid failure: {e}")))?
    };
    let reason = req
        .reason
        .unwrap_or_else(|| "processing failed (injected)".to_owned());
    if fail(&app, &id, &reason) {
        Ok(empty(StatusCode::NO_CONTENT))
    } else {
        Err(Failure::not_found(
            Shape::Nested,
            format!("Connect Artifact {id} not found"),
        ))
    }
}
