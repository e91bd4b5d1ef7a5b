//! Control endpoints that script a connector's states, under `/_emulator/`: a script for
//! an existing connector (it starts at once), or for the next connector created with a
//! name (it starts at the creation). The `EmulatorHandle` methods of the same names call
//! the functions here, so Rust and HTTP users get one behaviour.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tokio::time::Instant;

use crate::http::errors::{Failure, JsonBody, Shape};
use crate::http::json::empty;
use crate::state::script::{Script, ScriptedState};
use crate::state::store::App;

type ConnectorPath = Path<(String, String, String)>;

const NESTED: Shape = Shape::Nested;

fn key(env: &str, cluster: &str, name: &str) -> (String, String, String) {
    (env.to_owned(), cluster.to_owned(), name.to_owned())
}

/// Gives an existing connector `script`, starting now (an empty script clears it); `false`
/// when there is no such connector.
pub(crate) fn script(app: &App, env: &str, cluster: &str, name: &str, script: Script) -> bool {
    let mut store = app.store();
    let Some(conn) = store.connector_mut(env, cluster, name) else {
        return false;
    };
    let now = Instant::now();
    conn.settle(now);
    conn.script = (!script.is_empty()).then_some((script, now));
    conn.stale = None;
    true
}

/// Ends a connector's script: it shows its own lifecycle again, at once (a stale-status
/// window in progress is cut short). `false` when there is no such connector.
pub(crate) fn clear_script(app: &App, env: &str, cluster: &str, name: &str) -> bool {
    let mut store = app.store();
    let Some(conn) = store.connector_mut(env, cluster, name) else {
        return false;
    };
    conn.settle(Instant::now());
    conn.script = None;
    conn.stale = None;
    true
}

/// Keeps `script` for the next connector created with this name in this cluster (by
/// `POST .../connectors` or a `PUT .../config` that creates it); it replaces a script
/// already waiting, and an empty one withdraws it.
pub(crate) fn script_next(app: &App, env: &str, cluster: &str, name: &str, script: Script) {
    let mut store = app.store();
    if script.is_empty() {
        store.next_scripts.remove(&key(env, cluster, name));
    } else {
        store.next_scripts.insert(key(env, cluster, name), script);
    }
}

/// Withdraws the script waiting for a connector name; `false` when none was waiting.
pub(crate) fn clear_next(app: &App, env: &str, cluster: &str, name: &str) -> bool {
    app.store()
        .next_scripts
        .remove(&key(env, cluster, name))
        .is_some()
}

/// One step of a script body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepRequest {
    state: String,
    #[serde(default)]
    trace: Option<String>,
    #[serde(default)]
    for_ms: Option<u64>,
}

/// Body of `PUT .../script` and `PUT .../next-script`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptRequest {
    steps: Vec<StepRequest>,
}

fn not_found(name: &str) -> Failure {
    Failure::not_found(NESTED, format!("Connector {name} not found"))
}

fn bad(message: impl Into<String>) -> Failure {
    Failure::bad_request(NESTED, message)
}

/// Reads a script body: at least one step; every step but the last needs `for_ms`;
/// `FAILED` and `DEGRADED` need a `trace`, the other states take none.
pub(crate) fn parse_script(body: &[u8]) -> Result<Script, Failure> {
    let req: ScriptRequest =
        serde_json::from_slice(body).map_err(|e| bad(format!("invalid script: {e}")))?;
    if req.steps.is_empty() {
        return Err(bad("a script needs at least one step"));
    }
    let last = req.steps.len() - 1;
    let mut script = Script::new();
    for (i, step) in req.steps.into_iter().enumerate() {
        let state = match (step.state.as_str(), step.trace) {
            ("PROVISIONING", None) => ScriptedState::Provisioning,
            ("RUNNING", None) => ScriptedState::Running,
            ("PAUSED", None) => ScriptedState::Paused,
            ("FAILED", Some(trace)) => ScriptedState::failed(trace),
            ("DEGRADED", Some(trace)) => ScriptedState::degraded(trace),
            ("FAILED" | "DEGRADED", None) => {
                return Err(bad(format!("steps[{i}]: {} needs a trace", step.state)));
            }
            ("PROVISIONING" | "RUNNING" | "PAUSED", Some(_)) => {
                return Err(bad(format!(
                    "steps[{i}]: only FAILED and DEGRADED take a trace, not {}",
                    step.state
                )));
            }
            (other, _) => {
                return Err(bad(format!(
                    "steps[{i}]: unknown state {other:?}: use PROVISIONING, RUNNING, PAUSED, FAILED or DEGRADED"
                )));
            }
        };
        let duration = match step.for_ms {
            Some(ms) => Duration::from_millis(ms),
            None if i == last => Duration::ZERO,
            None => {
                return Err(bad(format!(
                    "steps[{i}]: for_ms is needed on every step but the last, which holds for ever"
                )));
            }
        };
        script = script.then(state, duration);
    }
    Ok(script)
}

/// `PUT /_emulator/connectors/{environment}/{cluster}/{name}/script`.
pub(crate) async fn put_script(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let parsed = parse_script(&body)?;
    if !script(&app, &env, &cluster, &name, parsed) {
        return Err(not_found(&name));
    }
    Ok(empty(StatusCode::NO_CONTENT))
}

/// `DELETE /_emulator/connectors/{environment}/{cluster}/{name}/script`.
pub(crate) async fn delete_script(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
) -> Result<Response, Failure> {
    if !clear_script(&app, &env, &cluster, &name) {
        return Err(not_found(&name));
    }
    Ok(empty(StatusCode::NO_CONTENT))
}

/// `PUT /_emulator/connectors/{environment}/{cluster}/{name}/next-script`.
pub(crate) async fn put_next_script(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let parsed = parse_script(&body)?;
    script_next(&app, &env, &cluster, &name, parsed);
    Ok(empty(StatusCode::NO_CONTENT))
}

/// `DELETE /_emulator/connectors/{environment}/{cluster}/{name}/next-script`.
pub(crate) async fn delete_next_script(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
) -> Result<Response, Failure> {
    if !clear_next(&app, &env, &cluster, &name) {
        return Err(Failure::not_found(
            NESTED,
            format!("No script is waiting for a connector {name}"),
        ));
    }
    Ok(empty(StatusCode::NO_CONTENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_bodies_are_checked() {
        let s = parse_script(
            br#"{"steps": [{"state": "PROVISIONING", "for_ms": 2000},
                           {"state": "FAILED", "trace": "boom", "for_ms": 1000},
                           {"state": "DEGRADED", "trace": "t", "for_ms": 5},
                           {"state": "RUNNING"}]}"#,
        )
        .unwrap();
        assert_eq!(
            s,
            Script::new()
                .then(ScriptedState::Provisioning, Duration::from_secs(2))
                .then(ScriptedState::failed("boom"), Duration::from_secs(1))
                .then(ScriptedState::degraded("t"), Duration::from_millis(5))
                .hold(ScriptedState::Running)
        );
        assert_eq!(
            parse_script(br#"{"steps": [{"state": "PROVISIONING"}]}"#).unwrap(),
            Script::stuck_provisioning()
        );
        for bad in [
            &br#"{"steps": []}"#[..],
            br#"{"steps": [{"state": "FAILED"}]}"#,
            br#"{"steps": [{"state": "RUNNING", "trace": "x"}]}"#,
            br#"{"steps": [{"state": "RESTARTING"}]}"#,
            br#"{"steps": [{"state": "RUNNING"}, {"state": "PAUSED"}]}"#,
            br#"{"steps": [{"state": "RUNNING", "for_ms": -1}]}"#,
            br#"{"steps": [{"state": "RUNNING", "extra": 1}]}"#,
            br#"{"steps": {}}"#,
            b"nope",
        ] {
            let err = parse_script(bad).unwrap_err();
            assert_eq!(err.status, 400, "{}", String::from_utf8_lossy(bad));
        }
    }
}
