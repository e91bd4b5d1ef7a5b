//! A connector as the API answers it (the connector, its status, its configuration), and
//! a new connector built from a resolved configuration. Shared by the connector
//! handlers, the control endpoints and the seed.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use tokio::time::Instant;

use ccloud_connect::connect::{self, ConnectorConfig, ConnectorOffset};

use crate::http::ids::random_id;
use crate::http::json::{ensure_array, to_value};
use crate::state::catalog;
use crate::state::resolve::Resolved;
use crate::state::store::{Connector, Store};

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

/// A new connector with a fresh id, `PROVISIONING` until `ready_at`.
pub(crate) fn new_connector(
    store: &Store,
    name: String,
    config: BTreeMap<String, String>,
    r: Resolved,
    ready_at: Instant,
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
        class: r.class,
        plugin_version: r.plugin_version,
        ready_at,
        paused: false,
        pause_change: None,
        stale: None,
        failure: r.failure,
        injected: None,
        offsets,
        offsets_request: None,
        script: None,
    }
}

/// Replaces what follows from the configuration; the lifecycle is the caller's.
pub(crate) fn reconfigure(conn: &mut Connector, config: BTreeMap<String, String>, r: Resolved) {
    conn.config = config;
    conn.type_ = r.type_;
    conn.sensitive = r.sensitive;
    conn.class = r.class;
    conn.plugin_version = r.plugin_version;
    conn.failure = r.failure;
}

/// The configuration as answered: masked, with the server-side keys, and for a custom
/// connector the class its plugin provides (the published answer schema requires
/// `connector.class`, and the usage guide says a custom connector's class is derived from
/// its plugin, so it wins over any `connector.class` the client sent).
pub(crate) fn config_view(conn: &Connector, env: &str, cluster: &str) -> BTreeMap<String, String> {
    let mut config = catalog::answer_config(&conn.config, &conn.sensitive, env, cluster);
    if let Some(class) = &conn.class {
        config.insert("connector.class".to_owned(), class.clone());
    }
    config
}

pub(crate) fn task_ids(conn: &Connector, now: Instant) -> Vec<connect::ConnectorTaskId> {
    conn.task_states(now)
        .into_iter()
        .map(|(task, _, _)| connect::ConnectorTaskId {
            connector: conn.name.clone(),
            task,
        })
        .collect()
}

/// The connector as `get_connector` answers it.
pub(crate) fn connector_view(conn: &Connector, env: &str, cluster: &str, now: Instant) -> Value {
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

/// The status as it is at `now`, whatever a stale-status window shows.
pub(crate) fn live_status(conn: &Connector, now: Instant) -> Value {
    let (state, trace) = conn.state(now);
    let tasks = conn
        .task_states(now)
        .into_iter()
        .map(|(id, state, msg)| connect::ConnectorTaskStatus {
            id,
            state,
            worker_id: Some(conn.id.clone()),
            msg,
        })
        .collect();
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

/// The status `GET .../status` answers: the one from before the last lifecycle action
/// while its stale-status window lasts, else the live one; a script wins over both.
pub(crate) fn status_view(conn: &Connector, now: Instant) -> Value {
    match &conn.stale {
        Some((until, before)) if now < *until && conn.script.is_none() => before.clone(),
        _ => live_status(conn, now),
    }
}
