//! What a connector on the worker is: [`WorkerConnector`] (a name, a configuration, its
//! offsets and its state), [`ConnectorOffset`], [`WorkerState`], and the checks a
//! connector passes before the worker keeps it, whether it comes from a request, a seed or
//! a test. A leaf of the worker: it imports nothing else of the crate.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The most tasks shown for one connector. A real connector decides how many of
/// `tasks.max` it runs; without one, a `tasks.max` of millions must not make every status
/// answer millions of entries long.
pub(super) const MAX_TASKS: usize = 1000;

/// The state of a connector on the worker, as Kafka Connect's status shows it.
///
/// In JSON (the seed, `initial_state`) it is written `"RUNNING"`, `"PAUSED"` or
/// `"STOPPED"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum WorkerState {
    /// Running its tasks (the default).
    #[default]
    Running,
    /// Paused: its tasks exist but process nothing (`PUT .../pause`).
    Paused,
    /// Stopped (`PUT .../stop`): no tasks at all, as Kafka Connect shows a stopped
    /// connector; the state a connector must be in before its offsets are moved.
    Stopped,
}

impl WorkerState {
    /// `"RUNNING"`, `"PAUSED"` or `"STOPPED"`, as the status answers show it.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkerState::Running => "RUNNING",
            WorkerState::Paused => "PAUSED",
            WorkerState::Stopped => "STOPPED",
        }
    }

    /// The state named `"RUNNING"`, `"PAUSED"` or `"STOPPED"` (exactly), or `None`.
    pub(super) fn parse(value: &str) -> Option<WorkerState> {
        match value {
            "RUNNING" => Some(WorkerState::Running),
            "PAUSED" => Some(WorkerState::Paused),
            "STOPPED" => Some(WorkerState::Stopped),
            _ => None,
        }
    }
}

impl fmt::Display for WorkerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One offset of a connector, as Kafka Connect's `GET /connectors/{name}/offsets` shows it
/// (KIP-875): `{"partition": {...}, "offset": {...}}`.
///
/// A source connector's partition and offset are whatever the connector wrote (a file
/// name and a position, a table and a timestamp, ...). A sink connector's are its consumer
/// group's: `{"kafka_topic": "orders", "kafka_partition": 0}` and `{"kafka_offset": 42}`
/// ([`ConnectorOffset::sink`]); the worker refuses other shapes for a sink.
///
/// ```
/// use ccloud_connect_emulator::ConnectorOffset;
/// let sink = ConnectorOffset::sink("orders", 0, 42);
/// assert_eq!(sink.offset()["kafka_offset"], 42);
/// let source: ConnectorOffset = serde_json::from_value(serde_json::json!({
///     "partition": {"filename": "/data/orders.csv"}, "offset": {"position": 1024}
/// })).unwrap();
/// assert_eq!(source.partition()["filename"], "/data/orders.csv");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorOffset {
    partition: Map<String, Value>,
    offset: Map<String, Value>,
}

impl ConnectorOffset {
    /// An offset with this partition and offset, as a source connector writes them.
    pub fn new(partition: Map<String, Value>, offset: Map<String, Value>) -> Self {
        ConnectorOffset { partition, offset }
    }

    /// A sink connector's offset: the next record it reads from `partition` of `topic` is
    /// at `offset`.
    pub fn sink(topic: impl Into<String>, partition: u32, offset: u64) -> Self {
        let mut p = Map::new();
        p.insert("kafka_topic".to_owned(), Value::String(topic.into()));
        p.insert("kafka_partition".to_owned(), Value::from(partition));
        let mut o = Map::new();
        o.insert("kafka_offset".to_owned(), Value::from(offset));
        ConnectorOffset {
            partition: p,
            offset: o,
        }
    }

    /// The partition: what the offset is the position in.
    pub fn partition(&self) -> &Map<String, Value> {
        &self.partition
    }

    /// The position in the partition.
    pub fn offset(&self) -> &Map<String, Value> {
        &self.offset
    }
}

/// A connector to preload into a worker ([`WorkerConfig::connector`], a seed file) or to
/// add to a running one ([`WorkerHandle::add_connector`]).
///
/// [`WorkerConfig::connector`]: crate::WorkerConfig::connector
/// [`WorkerHandle::add_connector`]: crate::WorkerHandle::add_connector
///
/// ```
/// use std::collections::BTreeMap;
/// use ccloud_connect_emulator::{ConnectorOffset, WorkerConnector, WorkerState};
/// let config = BTreeMap::from([
///     ("connector.class".to_owned(), "io.confluent.connect.s3.S3SinkConnector".to_owned()),
///     ("topics".to_owned(), "orders".to_owned()),
/// ]);
/// let connector = WorkerConnector::new("orders-to-s3", config)
///     .offsets(vec![ConnectorOffset::sink("orders", 0, 42)])
///     .state(WorkerState::Paused);
/// # let _ = connector;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct WorkerConnector {
    pub(super) name: String,
    pub(super) config: BTreeMap<String, String>,
    /// `None`: keep what the worker already holds for this name (see
    /// [`WorkerHandle::offsets`](crate::WorkerHandle::offsets)).
    pub(super) offsets: Option<Vec<ConnectorOffset>>,
    pub(super) state: WorkerState,
}

impl WorkerConnector {
    /// A `RUNNING` connector with this configuration and no offsets. The configuration
    /// needs `connector.class`; `name` is added to it when absent (as Kafka Connect does)
    /// and must match when present. It is checked when the worker takes the connector.
    pub fn new(name: impl Into<String>, config: BTreeMap<String, String>) -> Self {
        WorkerConnector {
            name: name.into(),
            config,
            offsets: None,
            state: WorkerState::Running,
        }
    }

    /// The connector's committed offsets, as `GET .../offsets` shows them. A sink's must
    /// be [`ConnectorOffset::sink`]-shaped.
    pub fn offsets(mut self, offsets: Vec<ConnectorOffset>) -> Self {
        self.offsets = Some(offsets);
        self
    }

    /// The state the connector starts in. Default [`WorkerState::Running`].
    pub fn state(mut self, state: WorkerState) -> Self {
        self.state = state;
        self
    }
}

/// Why the worker refused a connector, its offsets or a seed; the message says what and
/// where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerError {
    message: String,
}

impl WorkerError {
    pub(super) fn new(message: impl Into<String>) -> Self {
        WorkerError {
            message: message.into(),
        }
    }
}

impl fmt::Display for WorkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WorkerError {}

/// `true` for a sink connector. Kafka Connect knows from the class; without classes the
/// worker goes by the keys only a sink has.
pub(super) fn is_sink(config: &BTreeMap<String, String>) -> bool {
    config.contains_key("topics") || config.contains_key("topics.regex")
}

/// `"sink"` or `"source"`, as the answers' `type` shows it.
pub(super) fn kind(config: &BTreeMap<String, String>) -> &'static str {
    if is_sink(config) { "sink" } else { "source" }
}

/// How many tasks a running connector shows: `tasks.max` (default 1), at most
/// [`MAX_TASKS`]. The value was checked when the configuration was taken.
pub(super) fn task_count(config: &BTreeMap<String, String>) -> usize {
    config
        .get("tasks.max")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, MAX_TASKS)
}

/// Checks a connector's name and configuration as Kafka Connect does before it keeps
/// them, and adds `name` to the configuration. The name is trimmed, as Kafka Connect
/// trims it.
pub(super) fn check(name: &str, config: &mut BTreeMap<String, String>) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Connector name is required".to_owned());
    }
    if name.chars().any(char::is_control) {
        return Err(format!(
            "Connector name {name:?} contains control characters, which Kafka Connect refuses"
        ));
    }
    match config.get("name") {
        Some(inner) if inner != name => {
            return Err(format!(
                "Connector name configuration ({inner}) doesn't match connector name in the URL ({name})"
            ));
        }
        Some(_) => {}
        None => {
            config.insert("name".to_owned(), name.to_owned());
        }
    }
    if config
        .get("connector.class")
        .is_none_or(|c| c.trim().is_empty())
    {
        return Err(format!(
            "Connector config for {name} contains no connector type: connector.class is required"
        ));
    }
    if let Some(tasks) = config.get("tasks.max")
        && !tasks.trim().parse::<u64>().is_ok_and(|n| n >= 1)
    {
        return Err(format!(
            "Connector configuration is invalid: tasks.max must be an integer of at least 1, not {tasks:?}"
        ));
    }
    Ok(name.to_owned())
}

/// Checks offsets for a connector: a sink's must name a topic, a partition and an offset
/// in the keys Kafka Connect uses, so a typo in a seed fails at start instead of showing
/// offsets no tool can read.
pub(super) fn check_offsets(sink: bool, offsets: &[ConnectorOffset]) -> Result<(), String> {
    if !sink {
        return Ok(());
    }
    for (i, o) in offsets.iter().enumerate() {
        let topic = o.partition.get("kafka_topic").and_then(Value::as_str);
        let partition = o.partition.get("kafka_partition").and_then(Value::as_u64);
        if topic.is_none_or(str::is_empty) || partition.is_none() {
            return Err(format!(
                "offsets[{i}]: a sink connector's partition is {{\"kafka_topic\": \"TOPIC\", \
                 \"kafka_partition\": N}} (N a non-negative integer), not {}",
                Value::Object(o.partition.clone())
            ));
        }
        if o.offset
            .get("kafka_offset")
            .and_then(Value::as_u64)
            .is_none()
        {
            return Err(format!(
                "offsets[{i}]: a sink connector's offset is {{\"kafka_offset\": N}} \
                 (N a non-negative integer), not {}",
                Value::Object(o.offset.clone())
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn names_and_configurations_are_checked() {
        let mut c = config(&[("connector.class", "C")]);
        assert_eq!(check(" src ", &mut c).unwrap(), "src");
        assert_eq!(c["name"], "src");
        assert!(check("", &mut c).is_err());
        assert!(check("a\nb", &mut config(&[("connector.class", "C")])).is_err());
        let err = check("other", &mut c).unwrap_err();
        assert!(err.contains("(src)") && err.contains("(other)"), "{err}");
        assert!(
            check("x", &mut config(&[]))
                .unwrap_err()
                .contains("connector.class")
        );
        for bad in ["0", "x", "-1", ""] {
            let mut c = config(&[("connector.class", "C"), ("tasks.max", bad)]);
            assert!(check("x", &mut c).is_err(), "{bad}");
        }
    }

    #[test]
    fn types_and_task_counts() {
        assert_eq!(kind(&config(&[("topics", "a")])), "sink");
        assert_eq!(kind(&config(&[("topics.regex", "a.*")])), "sink");
        assert_eq!(kind(&config(&[("kafka.topic", "a")])), "source");
        assert_eq!(task_count(&config(&[])), 1);
        assert_eq!(task_count(&config(&[("tasks.max", "3")])), 3);
        assert_eq!(task_count(&config(&[("tasks.max", "99999999")])), MAX_TASKS);
    }

    #[test]
    fn a_sinks_offsets_name_topic_partition_and_offset() {
        assert!(check_offsets(true, &[ConnectorOffset::sink("t", 0, 1)]).is_ok());
        let odd = ConnectorOffset::new(Map::new(), Map::new());
        assert!(check_offsets(false, std::slice::from_ref(&odd)).is_ok());
        let err = check_offsets(true, &[odd]).unwrap_err();
        assert!(
            err.starts_with("offsets[0]: ") && err.contains("kafka_topic"),
            "{err}"
        );
        let mut no_offset = ConnectorOffset::sink("t", 0, 1);
        no_offset.offset.clear();
        let err = check_offsets(true, &[no_offset]).unwrap_err();
        assert!(err.contains("kafka_offset"), "{err}");
    }
}
