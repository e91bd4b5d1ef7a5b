//! [`WorkerSeed`]: the connectors a worker starts with, read from JSON (the format is in
//! the crate docs, **Self-managed Kafka Connect worker**).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::connector::{ConnectorOffset, WorkerConnector, WorkerError, WorkerState};
use crate::http::json::located;

/// The connectors a worker starts with, with their offsets and states. Given to
/// [`WorkerConfig::seed`](crate::WorkerConfig::seed), or to the binary with
/// `--worker-seed FILE`.
///
/// ```
/// use ccloud_connect_emulator::WorkerSeed;
/// let seed = WorkerSeed::from_json(r#"{"connectors": [{
///   "name": "orders-to-s3",
///   "config": {"connector.class": "io.confluent.connect.s3.S3SinkConnector", "topics": "orders"},
///   "offsets": [{"partition": {"kafka_topic": "orders", "kafka_partition": 0},
///                "offset": {"kafka_offset": 42}}],
///   "state": "RUNNING"
/// }]}"#).unwrap();
/// # let _ = seed;
/// assert!(WorkerSeed::from_json(r#"{"connector": []}"#).is_err());
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerSeed {
    #[serde(default)]
    connectors: Vec<SeedConnector>,
    /// The file the seed was read from, to name it in the errors of applying it.
    #[serde(skip)]
    source: Option<PathBuf>,
}

/// One connector of a seed.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedConnector {
    /// Default: `config.name`.
    #[serde(default)]
    name: Option<String>,
    config: BTreeMap<String, String>,
    #[serde(default)]
    offsets: Vec<ConnectorOffset>,
    #[serde(default)]
    state: WorkerState,
}

impl WorkerSeed {
    /// Reads a seed from its JSON text. Unknown keys are refused, so a typo does not
    /// silently seed less than meant; the connectors themselves are checked when the
    /// worker starts.
    pub fn from_json(text: &str) -> Result<WorkerSeed, WorkerError> {
        serde_json::from_str(text)
            .map_err(|e| WorkerError::new(format!("invalid worker seed: {e}")))
    }

    /// Reads a seed from a JSON file. The error is one line that leads with the place:
    /// `FILE:LINE:COLUMN: what was expected`, or `FILE: ...` for a file that cannot be
    /// read.
    pub fn from_file(path: impl AsRef<Path>) -> Result<WorkerSeed, WorkerError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            WorkerError::new(format!(
                "{}: cannot read the worker seed: {e}",
                path.display()
            ))
        })?;
        let mut seed: WorkerSeed =
            serde_json::from_str(&text).map_err(|e| WorkerError::new(located(path, &e)))?;
        seed.source = Some(path.to_owned());
        Ok(seed)
    }

    /// What names the seed in an error: its file, or `worker seed` for one built from text.
    pub(super) fn origin(&self) -> String {
        match &self.source {
            Some(path) => path.display().to_string(),
            None => "worker seed".to_owned(),
        }
    }

    /// The seed's connectors, each with the place that names it in an error
    /// (`connectors[2]`). A connector with no name is an error here; the rest is checked
    /// as the worker takes them.
    pub(super) fn connectors(&self) -> Result<Vec<(String, WorkerConnector)>, String> {
        self.connectors
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let what = format!("connectors[{i}]");
                let name = c
                    .name
                    .clone()
                    .or_else(|| c.config.get("name").cloned())
                    .ok_or_else(|| format!("{what}: no name, and no name in its config"))?;
                let connector = WorkerConnector::new(name, c.config.clone())
                    .offsets(c.offsets.clone())
                    .state(c.state);
                Ok((what, connector))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_default_to_the_configs() {
        let seed = WorkerSeed::from_json(
            r#"{"connectors": [{"config": {"name": "a", "connector.class": "C"}, "state": "STOPPED"}]}"#,
        )
        .unwrap();
        let connectors = seed.connectors().unwrap();
        assert_eq!(connectors[0].0, "connectors[0]");
        assert_eq!(connectors[0].1.name, "a");
        assert_eq!(connectors[0].1.state, WorkerState::Stopped);
        let nameless = WorkerSeed::from_json(r#"{"connectors": [{"config": {}}]}"#).unwrap();
        assert!(
            nameless
                .connectors()
                .unwrap_err()
                .starts_with("connectors[0]: ")
        );
    }

    #[test]
    fn unknown_keys_and_states_are_refused() {
        let err = WorkerSeed::from_json(r#"{"connectors": [{"config": {}, "tasks": []}]}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `tasks`"), "{err}");
        let err = WorkerSeed::from_json(r#"{"connectors": [{"config": {}, "state": "FAILED"}]}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("RUNNING") && err.contains("STOPPED"), "{err}");
        let err = WorkerSeed::from_json(
            r#"{"connectors": [{"config": {}, "offsets": [{"partition": {}, "offset": 1}]}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("expected a map"), "{err}");
    }
}
