//! `connect/v1` connector endpoints: CRUD, lifecycle, status, tasks, and the managed
//! connector plugins (list and validate). Offsets are in `offsets`.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use ccloud_connect::connect::{self, ConnectorConfig, CreateConnectorRequest};

use crate::http::errors::{Failure, JsonBody, Shape};
use crate::http::json::{empty, json_response, to_value};
use crate::http::query::Query;
use crate::state::catalog::{self, MASK};
use crate::state::lifecycle::later;
use crate::state::resolve::{check_name, missing, resolve};
use crate::state::store::{App, Connector};
use crate::state::views::{
    config_view, connector_view, new_connector, reconfigure, status_view, task_ids,
};

pub(crate) type ClusterPath = Path<(String, String)>;
pub(crate) type ConnectorPath = Path<(String, String, String)>;

pub(crate) const NESTED: Shape = Shape::Nested;

pub(crate) fn not_found(name: &str) -> Failure {
    Failure::not_found(NESTED, format!("Connector {name} not found"))
}

pub(crate) fn parse<T: serde::de::DeserializeOwned>(
    body: &[u8],
    shape: Shape,
) -> Result<T, Failure> {
    serde_json::from_slice(body).map_err(|e| Failure::malformed(shape, &e))
}

/// `GET .../connectors`: names, or expansions keyed by name with `expand`.
pub(crate) async fn list(
    State(app): State<App>,
    Path((env, cluster)): ClusterPath,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let query = Query::parse(query.as_deref());
    let mut expand = BTreeSet::new();
    for part in query.all("expand").flat_map(|v| v.split(',')) {
        match part.trim() {
            "" => {}
            p @ ("info" | "status" | "id") => {
                expand.insert(p);
            }
            other => {
                return Err(Failure::bad_parameter(
                    NESTED,
                    "expand",
                    format!("invalid expand value {other:?}: use info, status and/or id"),
                ));
            }
        }
    }
    let store = app.store();
    let now = Instant::now();
    let empty_cluster = BTreeMap::new();
    let connectors = store.cluster(&env, &cluster).unwrap_or(&empty_cluster);
    if expand.is_empty() {
        let names: Vec<&String> = connectors.keys().collect();
        return Ok(json_response(StatusCode::OK, &json!(names)));
    }
    let mut out = Map::new();
    for (name, conn) in connectors.iter() {
        let mut entry = Map::new();
        if expand.contains("id") {
            entry.insert("id".into(), json!({"id": conn.id, "id_type": "ID"}));
        }
        if expand.contains("info") {
            let mut info = json!({
                "name": conn.name,
                "config": config_view(conn, &env, &cluster),
                "tasks": to_value(&task_ids(conn, now)),
            });
            if let Some(t) = &conn.type_ {
                info["type"] = json!(t.as_str());
            }
            entry.insert("info".into(), info);
        }
        if expand.contains("status") {
            entry.insert("status".into(), status_view(conn, now));
        }
        out.insert(name.clone(), Value::Object(entry));
    }
    Ok(json_response(StatusCode::OK, &Value::Object(out)))
}

/// `POST .../connectors`.
pub(crate) async fn create(
    State(app): State<App>,
    Path((env, cluster)): ClusterPath,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    // create_connector's 400 answers use the flat `{"code", "message"}` shape.
    let flat = Shape::Flat;
    let req: CreateConnectorRequest = parse(&body, flat)?;
    let mut config = req
        .config
        .map(|c| c.0)
        .ok_or_else(|| Failure::bad_request(flat, "config is required"))?;
    let name = match (req.name, config.get("name")) {
        (Some(n), Some(c)) if n != *c => {
            return Err(Failure::bad_request(
                flat,
                format!("name {n:?} does not match config.name {c:?}"),
            ));
        }
        (Some(n), _) => n,
        (None, Some(c)) => c.clone(),
        (None, None) => return Err(Failure::bad_request(flat, missing("name"))),
    };
    check_name(&name).map_err(|m| Failure::bad_request(flat, m))?;
    config.insert("name".to_owned(), name.clone());
    let mut store = app.store();
    if store
        .cluster(&env, &cluster)
        .is_some_and(|c| c.contains_key(&name))
    {
        // 409, which the published create operation does not list: see "Where the
        // emulator guesses" in the crate docs.
        return Err(Failure::conflict(
            NESTED,
            format!("Connector {name} already exists"),
        ));
    }
    let resolved = resolve(&store, &env, &config, flat)?;
    let ready_at = later(Instant::now(), app.delays().provisioning);
    let mut conn = new_connector(&store, name.clone(), config, resolved, ready_at);
    if !req.offsets.is_empty() {
        conn.offsets = req.offsets.clone();
    }
    let mut answer = connector_view(&conn, &env, &cluster, Instant::now());
    if !req.offsets.is_empty() {
        answer["offsets"] = to_value(&req.offsets);
    }
    store.insert_connector(&env, &cluster, conn);
    Ok(json_response(StatusCode::CREATED, &answer))
}

/// Runs `f` on an existing connector, settled at the current time.
pub(crate) fn with_connector<T>(
    app: &App,
    env: &str,
    cluster: &str,
    name: &str,
    f: impl FnOnce(&mut Connector, Instant) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let mut store = app.store();
    let now = Instant::now();
    let conn = store
        .connector_mut(env, cluster, name)
        .ok_or_else(|| not_found(name))?;
    conn.settle(now);
    f(conn, now)
}

/// `GET .../connectors/{name}`.
pub(crate) async fn get(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
) -> Result<Response, Failure> {
    let v = with_connector(&app, &env, &cluster, &name, |c, now| {
        Ok(connector_view(c, &env, &cluster, now))
    })?;
    Ok(json_response(StatusCode::OK, &v))
}

/// `DELETE .../connectors/{name}`: answers `{"error": null}`.
pub(crate) async fn delete(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
) -> Result<Response, Failure> {
    let mut store = app.store();
    store
        .remove_connector(&env, &cluster, &name)
        .ok_or_else(|| not_found(&name))?;
    Ok(json_response(StatusCode::OK, &json!({"error": null})))
}

/// `GET .../connectors/{name}/config`.
pub(crate) async fn get_config(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
) -> Result<Response, Failure> {
    let v = with_connector(&app, &env, &cluster, &name, |c, _| {
        Ok(to_value(&config_view(c, &env, &cluster)))
    })?;
    Ok(json_response(StatusCode::OK, &v))
}

/// `PUT .../connectors/{name}/config`: replaces the configuration (a key left out is gone,
/// as in Kafka Connect), creating the connector when absent. A sensitive key sent back as
/// the mask keeps its stored value. An existing connector provisions again with the new
/// configuration, checked as on create.
pub(crate) async fn put_config(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let mut config = parse::<ConnectorConfig>(&body, NESTED)?.0;
    match config.get("name") {
        Some(n) if *n != name => {
            return Err(Failure::bad_request(
                NESTED,
                format!("config.name {n:?} does not match the connector name {name:?} of the URL"),
            ));
        }
        _ => {}
    }
    check_name(&name).map_err(|m| Failure::bad_request(NESTED, m))?;
    config.insert("name".to_owned(), name.clone());
    let mut store = app.store();
    let now = Instant::now();
    if let Some(existing) = store.cluster(&env, &cluster).and_then(|c| c.get(&name)) {
        for (k, v) in config.iter_mut() {
            if v == MASK
                && let Some(old) = existing.config.get(k)
            {
                v.clone_from(old);
            }
        }
    }
    let resolved = resolve(&store, &env, &config, NESTED)?;
    let ready_at = later(now, app.delays().provisioning);
    let view = match store.connector_mut(&env, &cluster, &name) {
        Some(conn) => {
            conn.settle(now);
            reconfigure(conn, config, resolved);
            conn.heal();
            conn.ready_at = ready_at;
            conn.stale = None;
            connector_view(conn, &env, &cluster, now)
        }
        None => {
            let conn = new_connector(&store, name.clone(), config, resolved, ready_at);
            let view = connector_view(&conn, &env, &cluster, now);
            store.insert_connector(&env, &cluster, conn);
            view
        }
    };
    Ok(json_response(StatusCode::OK, &view))
}

/// Starts the stale-status window of a lifecycle action accepted at `now`, and answers
/// when the window ends.
fn begin_action(conn: &mut Connector, now: Instant, stale: std::time::Duration) -> Instant {
    conn.settle(now);
    conn.stale = (!stale.is_zero()).then(|| (later(now, stale), status_view(conn, now)));
    later(now, stale)
}

/// `PUT .../pause`: `PAUSED` once the stale-status window and the pause delay have passed.
pub(crate) async fn pause(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
) -> Result<Response, Failure> {
    let delays = app.delays();
    with_connector(&app, &env, &cluster, &name, |c, now| {
        let from = begin_action(c, now, delays.stale_status);
        c.pause_change = Some((later(from, delays.pause), true));
        c.settle(now);
        Ok(())
    })?;
    Ok(empty(StatusCode::ACCEPTED))
}

/// `PUT .../resume`: `RUNNING` once the stale-status window and the resume delay have
/// passed.
pub(crate) async fn resume(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
) -> Result<Response, Failure> {
    let delays = app.delays();
    with_connector(&app, &env, &cluster, &name, |c, now| {
        let from = begin_action(c, now, delays.stale_status);
        c.pause_change = Some((later(from, delays.resume), false));
        c.settle(now);
        Ok(())
    })?;
    Ok(empty(StatusCode::ACCEPTED))
}

/// `POST .../restart`: provisions again for the restart delay (after the stale-status
/// window), re-checking the configuration against the plugins as they are now. A failure
/// injected without `persistent` is healed.
pub(crate) async fn restart(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
) -> Result<Response, Failure> {
    let delays = app.delays();
    let mut store = app.store();
    let config = store
        .cluster(&env, &cluster)
        .and_then(|c| c.get(&name))
        .map(|c| c.config.clone())
        .ok_or_else(|| not_found(&name))?;
    let resolved = resolve(&store, &env, &config, NESTED);
    if let Some(conn) = store.connector_mut(&env, &cluster, &name) {
        let now = Instant::now();
        let from = begin_action(conn, now, delays.stale_status);
        match resolved {
            Ok(r) => reconfigure(conn, config, r),
            Err(f) => conn.failure = Some(f.message),
        }
        conn.heal();
        conn.ready_at = later(from, delays.restart);
    }
    Ok(empty(StatusCode::ACCEPTED))
}

/// `GET .../status`.
pub(crate) async fn status(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
) -> Result<Response, Failure> {
    let v = with_connector(&app, &env, &cluster, &name, |c, now| {
        Ok(status_view(c, now))
    })?;
    Ok(json_response(StatusCode::OK, &v))
}

/// `GET .../tasks`.
pub(crate) async fn tasks(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
) -> Result<Response, Failure> {
    let v = with_connector(&app, &env, &cluster, &name, |c, now| {
        let config = config_view(c, &env, &cluster);
        let tasks: Vec<connect::ConnectorTaskInfo> = task_ids(c, now)
            .into_iter()
            .map(|id| connect::ConnectorTaskInfo {
                id: Some(id),
                config: Some(ConnectorConfig(config.clone())),
            })
            .collect();
        Ok(to_value(&tasks))
    })?;
    Ok(json_response(StatusCode::OK, &v))
}

/// `GET .../connector-plugins`: the managed plugin catalogue.
pub(crate) async fn list_plugins(Path((_env, _cluster)): ClusterPath) -> Response {
    let plugins: Vec<connect::ConnectorPlugin> = catalog::plugins()
        .iter()
        .map(|p| connect::ConnectorPlugin {
            class: p.class.to_owned(),
            type_: Some(p.connector_type()),
            version: Some(p.version.to_owned()),
        })
        .collect();
    json_response(StatusCode::OK, &to_value(&plugins))
}

/// `PUT .../connector-plugins/{plugin}/config/validate`.
pub(crate) async fn validate(
    Path((_env, _cluster, plugin)): ConnectorPath,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let plugin = catalog::find(&plugin).ok_or_else(|| {
        Failure::not_found(NESTED, format!("Connector plugin {plugin} not found"))
    })?;
    let config = parse::<ConnectorConfig>(&body, NESTED)?.0;
    Ok(json_response(StatusCode::OK, &plugin.validation(&config)))
}
