//! Control endpoints that steer connectors and timing, under `/_emulator/`: fail and
//! recover a connector, read a connector as stored, set the lifecycle delays and the rate
//! limit. The `EmulatorHandle` methods of the same names call the functions here, so Rust
//! and HTTP users get one behaviour.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use tokio::time::Instant;

use crate::http::errors::{Failure, JsonBody, Shape};
use crate::http::json::{empty, json_response};
use crate::state::lifecycle::{Delays, Failure as Injected};
use crate::state::rate::RateLimit;
use crate::state::store::App;

type ConnectorPath = Path<(String, String, String)>;

const NESTED: Shape = Shape::Nested;

fn not_found(name: &str) -> Failure {
    Failure::not_found(NESTED, format!("Connector {name} not found"))
}

fn bad_body(e: serde_json::Error) -> Failure {
    Failure::bad_request(NESTED, format!("invalid control body: {e}"))
}

/// Why a failure could not be injected.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NotFailed {
    /// There is no such connector.
    NoConnector,
    /// The failure names a task the connector does not run; it runs `tasks` (0 to
    /// `tasks - 1`, from `tasks.max`).
    NoTask { task: i64, tasks: i64 },
}

impl NotFailed {
    /// The `404` answered for it.
    fn failure(&self, name: &str) -> Failure {
        match self {
            NotFailed::NoConnector => not_found(name),
            NotFailed::NoTask { task, tasks } => {
                let ids: Vec<String> = (0..*tasks).map(|t| t.to_string()).collect();
                let which = match ids.as_slice() {
                    [one] => format!("its only task is {one}"),
                    _ => format!("its tasks are {}", ids.join(", ")),
                };
                Failure::not_found(
                    NESTED,
                    format!("Connector {name} has no task {task}: {which}"),
                )
            }
        }
    }
}

/// Injects `failure` into a connector. It shows at once: a stale-status window in
/// progress is cut short. A task failure must name one of the connector's tasks.
pub(crate) fn fail(
    app: &App,
    env: &str,
    cluster: &str,
    name: &str,
    failure: Injected,
) -> Result<(), NotFailed> {
    let mut store = app.store();
    let Some(conn) = store.connector_mut(env, cluster, name) else {
        return Err(NotFailed::NoConnector);
    };
    if let Some(task) = failure.task_id() {
        let tasks = conn.task_count();
        if !(0..tasks).contains(&task) {
            return Err(NotFailed::NoTask { task, tasks });
        }
    }
    conn.settle(Instant::now());
    conn.injected = Some(failure);
    conn.stale = None;
    Ok(())
}

/// Removes an injected failure; `false` when there is no such connector.
pub(crate) fn recover(app: &App, env: &str, cluster: &str, name: &str) -> bool {
    let mut store = app.store();
    let Some(conn) = store.connector_mut(env, cluster, name) else {
        return false;
    };
    conn.settle(Instant::now());
    conn.injected = None;
    conn.stale = None;
    true
}

/// A connector as stored: its configuration unmasked, the ccpm plugin version it runs and
/// its live state (not the stale one a status read may show).
pub(crate) struct Stored {
    pub(crate) config: BTreeMap<String, String>,
    pub(crate) plugin_version: Option<String>,
    pub(crate) state: String,
}

pub(crate) fn stored(app: &App, env: &str, cluster: &str, name: &str) -> Option<Stored> {
    let store = app.store();
    let conn = store.cluster(env, cluster)?.get(name)?;
    Some(Stored {
        config: conn.config.clone(),
        plugin_version: conn.plugin_version.clone(),
        state: conn.state(Instant::now()).0.as_str().to_owned(),
    })
}

/// Body of `POST /_emulator/connectors/{environment}/{cluster}/{name}/fail`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FailRequest {
    trace: String,
    #[serde(default)]
    task: Option<i64>,
    #[serde(default)]
    persistent: Option<bool>,
}

fn parse_failure(body: &[u8]) -> Result<Injected, Failure> {
    let req: FailRequest = serde_json::from_slice(body).map_err(bad_body)?;
    let failure = match req.task {
        None => Injected::connector(req.trace),
        Some(t) if t >= 0 => Injected::task(t, req.trace),
        Some(t) => {
            return Err(Failure::bad_request(
                NESTED,
                format!("task must be a task id (0 or more), not {t}"),
            ));
        }
    };
    Ok(failure.persistent(req.persistent.unwrap_or(false)))
}

/// `POST /_emulator/connectors/{environment}/{cluster}/{name}/fail`.
pub(crate) async fn fail_connector(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let failure = parse_failure(&body)?;
    fail(&app, &env, &cluster, &name, failure).map_err(|e| e.failure(&name))?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// `POST /_emulator/connectors/{environment}/{cluster}/{name}/recover`.
pub(crate) async fn recover_connector(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
) -> Result<Response, Failure> {
    if !recover(&app, &env, &cluster, &name) {
        return Err(not_found(&name));
    }
    Ok(empty(StatusCode::NO_CONTENT))
}

/// `GET /_emulator/connectors/{environment}/{cluster}/{name}`.
pub(crate) async fn inspect_connector(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
) -> Result<Response, Failure> {
    let s = stored(&app, &env, &cluster, &name).ok_or_else(|| not_found(&name))?;
    Ok(json_response(
        StatusCode::OK,
        &json!({"config": s.config, "plugin_version": s.plugin_version, "state": s.state}),
    ))
}

/// Body of `PUT /_emulator/delays`: keys left out keep their value.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DelaysRequest {
    provisioning_ms: Option<u64>,
    restart_ms: Option<u64>,
    pause_ms: Option<u64>,
    resume_ms: Option<u64>,
    stale_status_ms: Option<u64>,
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// `GET /_emulator/delays`.
pub(crate) async fn get_delays(State(app): State<App>) -> Response {
    let d = app.delays();
    json_response(
        StatusCode::OK,
        &json!({
            "provisioning_ms": millis(d.provisioning),
            "restart_ms": millis(d.restart),
            "pause_ms": millis(d.pause),
            "resume_ms": millis(d.resume),
            "stale_status_ms": millis(d.stale_status),
        }),
    )
}

/// `PUT /_emulator/delays`.
pub(crate) async fn put_delays(
    State(app): State<App>,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let req: DelaysRequest = serde_json::from_slice(&body).map_err(bad_body)?;
    let mut d: Delays = app.delays();
    let set = |field: &mut Duration, ms: Option<u64>| {
        if let Some(ms) = ms {
            *field = Duration::from_millis(ms);
        }
    };
    set(&mut d.provisioning, req.provisioning_ms);
    set(&mut d.restart, req.restart_ms);
    set(&mut d.pause, req.pause_ms);
    set(&mut d.resume, req.resume_ms);
    set(&mut d.stale_status, req.stale_status_ms);
    app.set_delays(d);
    Ok(empty(StatusCode::NO_CONTENT))
}

/// Body of `PUT /_emulator/rate-limit`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RateLimitRequest {
    requests: u32,
    window_secs: f64,
}

/// The longest rate-limit window taken: a day is far beyond any test.
const MAX_WINDOW_SECS: f64 = 86_400.0;

pub(crate) fn parse_rate_limit(body: &[u8]) -> Result<RateLimit, Failure> {
    let req: RateLimitRequest = serde_json::from_slice(body).map_err(bad_body)?;
    if req.requests == 0 {
        return Err(Failure::bad_request(NESTED, "requests must be at least 1"));
    }
    if !(req.window_secs.is_finite() && req.window_secs > 0.0 && req.window_secs <= MAX_WINDOW_SECS)
    {
        return Err(Failure::bad_request(
            NESTED,
            format!("window_secs must be more than 0 and at most {MAX_WINDOW_SECS}"),
        ));
    }
    Ok(RateLimit {
        requests: req.requests,
        window: Duration::from_secs_f64(req.window_secs),
    })
}

/// `PUT /_emulator/rate-limit`: enforce a limit from now on, in a fresh window.
pub(crate) async fn put_rate_limit(
    State(app): State<App>,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let limit = parse_rate_limit(&body)?;
    app.set_rate_limit(Some(limit));
    Ok(empty(StatusCode::NO_CONTENT))
}

/// `GET /_emulator/rate-limit`: the limit enforced, or `null`.
pub(crate) async fn get_rate_limit(State(app): State<App>) -> Response {
    let v = app
        .rate_limit()
        .map(|l| json!({"requests": l.requests, "window_secs": l.window.as_secs_f64()}));
    json_response(StatusCode::OK, &json!(v))
}

/// `DELETE /_emulator/rate-limit`: stop enforcing.
pub(crate) async fn delete_rate_limit(State(app): State<App>) -> Response {
    app.set_rate_limit(None);
    empty(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_bodies_are_checked() {
        let f = parse_failure(br#"{"trace":"boom","task":1,"persistent":true}"#).unwrap();
        assert_eq!(f, Injected::task(1, "boom").persistent(true));
        assert_eq!(
            parse_failure(br#"{"trace":"x"}"#).unwrap(),
            Injected::connector("x")
        );
        for bad in [
            &br#"{"task":1}"#[..],
            br#"{"trace":"x","task":-1}"#,
            br#"{"trace":"x","extra":1}"#,
            b"not json",
        ] {
            assert_eq!(parse_failure(bad).unwrap_err().status, 400);
        }
        assert!(parse_rate_limit(br#"{"requests":2,"window_secs":1.5}"#).is_ok());
        for bad in [
            &br#"{"requests":0,"window_secs":1}"#[..],
            br#"{"requests":1,"window_secs":0}"#,
            br#"{"requests":1,"window_secs":1e9}"#,
            br#"{"requests":-1,"window_secs":1}"#,
        ] {
            assert!(parse_rate_limit(bad).is_err());
        }
    }
}
