//! `connect/v1` offsets endpoints: read, alter (`PATCH`/`DELETE`, applied after the
//! provisioning delay) and the status of the latest alteration.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde_json::Value;

use ccloud_connect::connect::{self, AlterOffsetsRequest, AlterOffsetsRequestType};

use crate::api::connectors::{ConnectorPath, NESTED, parse, with_connector};
use crate::http::errors::{Failure, JsonBody};
use crate::http::json::{ensure_array, json_response, to_value};
use crate::state::lifecycle::later;
use crate::state::store::{App, OffsetsRequest};

/// `GET .../offsets`.
pub(crate) async fn offsets(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
) -> Result<Response, Failure> {
    let v = with_connector(&app, &env, &cluster, &name, |c, _| {
        let offsets = connect::ConnectorOffsets {
            id: Some(c.id.clone()),
            name: Some(c.name.clone()),
            offsets: c.offsets.clone(),
            metadata: Some(connect::ConnectorOffsetsMetadata {
                observed_at: Some(Utc::now()),
            }),
        };
        let mut v = to_value(&offsets);
        ensure_array(&mut v, "offsets");
        Ok(v)
    })?;
    Ok(json_response(StatusCode::OK, &v))
}

/// `POST .../offsets/request`: applied after the provisioning delay.
pub(crate) async fn alter_offsets(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let req: AlterOffsetsRequest = parse(&body, NESTED)?;
    match req.type_ {
        AlterOffsetsRequestType::Patch if req.offsets.is_empty() => {
            return Err(Failure::bad_request(
                NESTED,
                "offsets are required for a PATCH request",
            ));
        }
        AlterOffsetsRequestType::Patch | AlterOffsetsRequestType::Delete => {}
        ref other => {
            return Err(Failure::bad_request(
                NESTED,
                format!("invalid type {:?}: use PATCH or DELETE", other.as_str()),
            ));
        }
    }
    let delay = app.delays().provisioning;
    let info = with_connector(&app, &env, &cluster, &name, |c, now| {
        if c.offsets_request
            .as_ref()
            .is_some_and(|r| r.applied_at.is_none())
        {
            return Err(Failure::bad_request(
                NESTED,
                format!("an offsets request for connector {name} is already in progress"),
            ));
        }
        let info = connect::AlterOffsetsRequestInfo {
            id: c.id.clone(),
            name: c.name.clone(),
            offsets: req.offsets.clone(),
            requested_at: Some(Utc::now()),
            type_: Some(req.type_.clone()),
        };
        c.offsets_request = Some(OffsetsRequest {
            info: info.clone(),
            previous: c.offsets.clone(),
            apply_at: later(now, delay),
            applied_at: None,
        });
        Ok(info)
    })?;
    Ok(json_response(StatusCode::ACCEPTED, &to_value(&info)))
}

/// `GET .../offsets/request/status`.
pub(crate) async fn offsets_status(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
) -> Result<Response, Failure> {
    let v = with_connector(&app, &env, &cluster, &name, |c, _| {
        let req = c.offsets_request.as_ref().ok_or_else(|| {
            Failure::not_found(
                NESTED,
                format!("no offsets request found for connector {name}"),
            )
        })?;
        let (phase, message) = match req.applied_at {
            Some(_) => (
                connect::AlterOffsetsPhase::Applied,
                "The Connect framework-managed offsets for this connector have been altered successfully.",
            ),
            None => (
                connect::AlterOffsetsPhase::Pending,
                "The offsets request is being processed.",
            ),
        };
        let status = connect::AlterOffsetsStatus {
            request: Some(req.info.clone()),
            status: connect::AlterOffsetsStatusDetail {
                phase,
                message: Some(message.to_owned()),
            },
            previous_offsets: req.previous.clone(),
            applied_at: req.applied_at,
        };
        let mut v = to_value(&status);
        ensure_array(&mut v, "previous_offsets");
        if req.applied_at.is_none() {
            v["applied_at"] = Value::Null;
        }
        Ok(v)
    })?;
    Ok(json_response(StatusCode::OK, &v))
}
