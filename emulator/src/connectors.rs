//! `connect/v1` connector endpoints: CRUD, lifecycle, status, tasks, offsets, and the
//! managed connector plugins (list and validate).

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde_json::{Map, Value, json};
use tokio::time::Instant;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

use ccloud_connect::connect::{
    self, AlterOffsetsRequest, AlterOffsetsRequestType, ConnectorConfig, ConnectorOffset,
    ConnectorState, CreateConnectorRequest,
};

use crate::catalog::{self, MASK};
use crate::errors::{Failure, JsonBody, Shape};
use crate::ids::random_id;
use crate::json::{empty, ensure_array, json_response, to_value};
use crate::query::Query;
use crate::store::{App, Connector, OffsetsRequest, Store};

type ClusterPath = Path<(String, String)>;
type ConnectorPath = Path<(String, String, String)>;

const NESTED: Shape = Shape::Nested;

fn not_found(name: &str) -> Failure {
    Failure::not_found(NESTED, format!("Connector {name} not found"))
}

/// A connector name as the API accepts it: at most 64 characters of Unicode letters,
/// numbers, marks, spaces and `. , & _ + | [ ] -`.
fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("connector name must not be empty".to_owned());
    }
    if name.chars().count() > 64 {
        return Err(format!(
            "connector name {name:?} is longer than 64 characters"
        ));
    }
    if let Some(bad) = name.chars().find(|c| {
        !(matches!(
            c.general_category_group(),
            GeneralCategoryGroup::Letter
                | GeneralCategoryGroup::Number
                | GeneralCategoryGroup::Mark
        ) || " .,&_+|[]-".contains(*c))
    }) {
        return Err(format!(
            "connector name {name:?} contains {bad:?}; use letters, numbers, marks, spaces and . , & _ + | [ ] -"
        ));
    }
    Ok(())
}

/// What a configuration resolves to.
struct Resolved {
    type_: Option<connect::ConnectorType>,
    sensitive: BTreeSet<String>,
    failure: Option<String>,
}

fn missing(key: &str) -> String {
    format!("Missing required configuration \"{key}\" which has no default value.")
}

/// Works out what `config` runs and whether it will fail. Structural problems are refused
/// (`Err`, a 400); problems with values end the connector `FAILED` (`failure`).
fn resolve(
    store: &Store,
    env: &str,
    config: &BTreeMap<String, String>,
    shape: Shape,
) -> Result<Resolved, Failure> {
    let get = |k: &str| config.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let connector_type = get("confluent.connector.type")
        .unwrap_or("MANAGED")
        .to_ascii_uppercase();
    match connector_type.as_str() {
        "MANAGED" => {
            let class = get("connector.class")
                .ok_or_else(|| Failure::bad_request(shape, missing("connector.class")))?;
            let plugin = catalog::find(class).ok_or_else(|| {
                let available: Vec<&str> = catalog::plugins().iter().map(|p| p.class.as_str()).collect();
                Failure::bad_request(
                    shape,
                    format!(
                        "Failed to find any class that implements Connector and which name matches {class}, available connectors are: {}",
                        available.join(", ")
                    ),
                )
            })?;
            let problems = plugin.problems(config);
            Ok(Resolved {
                type_: Some(plugin.connector_type()),
                sensitive: plugin.password_keys(),
                failure: (!problems.is_empty())
                    .then(|| catalog::invalid_config_trace(&problems, &plugin.class)),
            })
        }
        "CUSTOM" => {
            let plugin_id = get("confluent.custom.plugin.id").ok_or_else(|| {
                Failure::bad_request(shape, missing("confluent.custom.plugin.id"))
            })?;
            let mut problems: Vec<String> = Vec::new();
            let (type_, sensitive) = if let Some(p) = store.custom_plugins.get(plugin_id) {
                (
                    Some(p.plugin.connector_type.as_str().to_ascii_lowercase()),
                    p.plugin.sensitive_config_properties.clone(),
                )
            } else if let Some(p) = store
                .ccpm_plugins
                .get(plugin_id)
                .filter(|p| p.environment == env)
            {
                let now = Instant::now();
                let wanted = get("confluent.custom.plugin.version");
                let version = match wanted {
                    Some(w) => p.versions.values().find(|v| {
                        let have = v.version.spec.version.as_str();
                        have == w || have.trim_start_matches('v') == w.trim_start_matches('v')
                    }),
                    None => p
                        .versions
                        .values()
                        .filter(|v| {
                            v.phase(now) != ccloud_connect::ccpm::PluginVersionPhase::Failed
                        })
                        .max_by_key(|v| v.seq),
                };
                match version {
                    None => {
                        problems.push(match wanted {
                            Some(w) => format!("Custom plugin {plugin_id} has no version {w}"),
                            None => format!("Custom plugin {plugin_id} has no usable version"),
                        });
                        (None, Vec::new())
                    }
                    Some(v) => {
                        if v.phase(now) == ccloud_connect::ccpm::PluginVersionPhase::Failed {
                            problems.push(format!(
                                "Custom plugin {plugin_id} version {} failed: {}",
                                v.version.spec.version,
                                v.failure.as_deref().unwrap_or("processing failed")
                            ));
                        }
                        let spec = &v.version.spec;
                        (
                            spec.connector_classes
                                .first()
                                .map(|c| c.type_.as_str().to_ascii_lowercase()),
                            spec.sensitive_config_properties.clone(),
                        )
                    }
                }
            } else {
                return Err(Failure::bad_request(
                    shape,
                    format!("Custom connector plugin {plugin_id} not found"),
                ));
            };
            let runtimes = catalog::runtimes();
            let runtime = match get("confluent.custom.connect.plugin.runtime") {
                None => runtimes.first(),
                Some(name) => {
                    let found = runtimes
                        .iter()
                        .find(|r| r.custom_connect_plugin_runtime_name.as_deref() == Some(name));
                    if found.is_none() {
                        problems.push(format!(
                            "Invalid value {name} for configuration confluent.custom.connect.plugin.runtime: no such custom connector runtime"
                        ));
                    }
                    found
                }
            };
            if let (Some(java), Some(runtime)) =
                (get("confluent.custom.connect.java.version"), runtime)
                && !runtime.supported_java_versions.iter().any(|j| j == java)
            {
                problems.push(format!(
                    "Invalid value {java} for configuration confluent.custom.connect.java.version: runtime {} supports Java {}",
                    runtime.custom_connect_plugin_runtime_name.as_deref().unwrap_or("?"),
                    runtime.supported_java_versions.join(", ")
                ));
            }
            if get("kafka.auth.mode").unwrap_or("KAFKA_API_KEY") == "KAFKA_API_KEY" {
                for key in ["kafka.api.key", "kafka.api.secret"] {
                    if get(key).is_none() {
                        problems.push(format!("\"{key}\" is required"));
                    }
                }
            }
            let failure = (!problems.is_empty()).then(|| {
                let pairs: Vec<(String, String)> =
                    problems.into_iter().map(|m| (String::new(), m)).collect();
                catalog::invalid_config_trace(&pairs, plugin_id)
            });
            Ok(Resolved {
                type_: type_.map(|t| connect::ConnectorType::from(t.as_str())),
                sensitive: sensitive.into_iter().collect(),
                failure,
            })
        }
        other => Err(Failure::bad_request(
            shape,
            format!(
                "Invalid value {other} for configuration confluent.connector.type: must be MANAGED or CUSTOM"
            ),
        )),
    }
}

/// Offsets a new sink connector starts from: the start of partition 0 of each topic.
fn initial_offsets(
    config: &BTreeMap<String, String>,
    type_: Option<&connect::ConnectorType>,
) -> Vec<ConnectorOffset> {
    if type_ != Some(&connect::ConnectorType::Sink) {
        return Vec::new();
    }
    config
        .get("topics")
        .map(|t| t.split(',').map(str::trim).filter(|t| !t.is_empty()))
        .into_iter()
        .flatten()
        .map(|topic| ConnectorOffset {
            partition: json_map(json!({"kafka_partition": 0, "kafka_topic": topic})),
            offset: json_map(json!({"kafka_offset": 0})),
        })
        .collect()
}

fn json_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn config_view(conn: &Connector, env: &str, cluster: &str) -> BTreeMap<String, String> {
    catalog::answer_config(&conn.config, &conn.sensitive, env, cluster)
}

fn running_tasks(state: &ConnectorState) -> bool {
    matches!(state, ConnectorState::Running | ConnectorState::Paused)
}

fn task_ids(conn: &Connector, now: Instant) -> Vec<connect::ConnectorTaskId> {
    if !running_tasks(&conn.state(now).0) {
        return Vec::new();
    }
    (0..conn.task_count())
        .map(|task| connect::ConnectorTaskId {
            connector: conn.name.clone(),
            task,
        })
        .collect()
}

/// The connector as `get_connector` answers it.
fn connector_view(conn: &Connector, env: &str, cluster: &str, now: Instant) -> Value {
    let view = connect::Connector {
        name: conn.name.clone(),
        type_: conn.type_.clone(),
        config: Some(ConnectorConfig(config_view(conn, env, cluster))),
        tasks: task_ids(conn, now),
        offsets: Vec::new(),
    };
    let mut v = to_value(&view);
    ensure_array(&mut v, "tasks");
    v
}

fn status_view(conn: &Connector, now: Instant) -> Value {
    let (state, trace) = conn.state(now);
    let tasks = if running_tasks(&state) {
        (0..conn.task_count())
            .map(|id| connect::ConnectorTaskStatus {
                id,
                state: state.clone(),
                worker_id: Some(conn.id.clone()),
                msg: None,
            })
            .collect()
    } else {
        Vec::new()
    };
    let status = connect::ConnectorStatus {
        name: conn.name.clone(),
        type_: conn.type_.clone(),
        connector: connect::ConnectorStatusConnector {
            state,
            worker_id: Some(conn.id.clone()),
            trace: Some(trace.unwrap_or("").to_owned()),
        },
        tasks,
    };
    let mut v = to_value(&status);
    ensure_array(&mut v, "tasks");
    v
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8], shape: Shape) -> Result<T, Failure> {
    serde_json::from_slice(body).map_err(|e| Failure::malformed(shape, &e))
}

fn new_connector(
    store: &Store,
    name: String,
    config: BTreeMap<String, String>,
    r: Resolved,
    delay: std::time::Duration,
) -> Connector {
    let mut id = random_id("lcc-", 5);
    while store.connector_id_taken(&id) {
        id = random_id("lcc-", 5);
    }
    let offsets = initial_offsets(&config, r.type_.as_ref());
    Connector {
        id,
        name,
        config,
        type_: r.type_,
        sensitive: r.sensitive,
        ready_at: Instant::now() + delay,
        paused: false,
        failure: r.failure,
        offsets,
        offsets_request: None,
    }
}

impl Connector {
    fn reconfigure(&mut self, config: BTreeMap<String, String>, r: Resolved) {
        self.config = config;
        self.type_ = r.type_;
        self.sensitive = r.sensitive;
        self.failure = r.failure;
    }
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
        return Err(Failure::conflict(
            NESTED,
            format!("Connector {name} already exists"),
        ));
    }
    let resolved = resolve(&store, &env, &config, flat)?;
    let mut conn = new_connector(
        &store,
        name.clone(),
        config,
        resolved,
        app.settings.provisioning_delay,
    );
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

/// Runs `f` on an existing connector.
fn with_connector<T>(
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

/// `PUT .../connectors/{name}/config`: replaces the configuration, creating the connector
/// when absent. A sensitive key sent back as the mask keeps its stored value.
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
    let delay = app.settings.provisioning_delay;
    let view = match store.connector_mut(&env, &cluster, &name) {
        Some(conn) => {
            // A running connector keeps running; only its configuration and what follows
            // from it change.
            conn.settle(now);
            conn.reconfigure(config, resolved);
            connector_view(conn, &env, &cluster, now)
        }
        None => {
            let conn = new_connector(&store, name.clone(), config, resolved, delay);
            let view = connector_view(&conn, &env, &cluster, now);
            store.insert_connector(&env, &cluster, conn);
            view
        }
    };
    Ok(json_response(StatusCode::OK, &view))
}

/// `PUT .../pause`.
pub(crate) async fn pause(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
) -> Result<Response, Failure> {
    with_connector(&app, &env, &cluster, &name, |c, _| {
        c.paused = true;
        Ok(())
    })?;
    Ok(empty(StatusCode::ACCEPTED))
}

/// `PUT .../resume`.
pub(crate) async fn resume(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
) -> Result<Response, Failure> {
    with_connector(&app, &env, &cluster, &name, |c, _| {
        c.paused = false;
        Ok(())
    })?;
    Ok(empty(StatusCode::ACCEPTED))
}

/// `POST .../restart`: provisions again, re-checking the configuration against the
/// plugins as they are now.
pub(crate) async fn restart(
    State(app): State<App>,
    Path((env, cluster, name)): ConnectorPath,
) -> Result<Response, Failure> {
    let mut store = app.store();
    let config = store
        .cluster(&env, &cluster)
        .and_then(|c| c.get(&name))
        .map(|c| c.config.clone())
        .ok_or_else(|| not_found(&name))?;
    let failure = match resolve(&store, &env, &config, NESTED) {
        Ok(r) => r.failure,
        Err(f) => Some(f.message),
    };
    if let Some(conn) = store.connector_mut(&env, &cluster, &name) {
        conn.failure = failure;
        conn.ready_at = Instant::now() + app.settings.provisioning_delay;
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
    let delay = app.settings.provisioning_delay;
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
            apply_at: now + delay,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_documented_rules() {
        for ok in [
            "S3_SINKConnector_0",
            "my conn [1] | a+b, c&d.e-f",
            "café",
            "नमस्ते",
            "x",
        ] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "  ", "a/b", "a:b", "a\"b", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
