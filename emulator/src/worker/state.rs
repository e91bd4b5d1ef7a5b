//! What a worker holds (its connectors, and the offsets of every connector name it has
//! seen) and how its answers show a connector. Shared by the endpoints and the handle, so
//! both change the same thing in the same way.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use serde_json::{Value, json};

use super::connector::{
    ConnectorOffset, WorkerConnector, WorkerState, check, check_offsets, is_sink, kind, task_count,
};

/// A connector as the worker keeps it.
#[derive(Clone, Debug)]
pub(super) struct Stored {
    pub(super) config: BTreeMap<String, String>,
    pub(super) state: WorkerState,
}

/// Why a connector was not taken.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Refused {
    /// A connector of that name exists.
    Exists(String),
    /// The name, configuration or offsets are not acceptable; the message says why.
    Invalid(String),
}

/// The connectors and offsets, behind one lock.
#[derive(Debug, Default)]
pub(super) struct Registry {
    connectors: BTreeMap<String, Stored>,
    /// By connector name, and kept when the connector is deleted: Kafka Connect keeps a
    /// source connector's offsets in its offsets topic and a sink's in its consumer group,
    /// so a connector created again under the same name carries on from them, and a
    /// migration rehearsal should see that.
    offsets: BTreeMap<String, Vec<ConnectorOffset>>,
}

impl Registry {
    /// Takes a new connector, after the checks of a create request. Given offsets replace
    /// those kept for the name; without any, the kept ones stay.
    pub(super) fn insert(&mut self, connector: WorkerConnector) -> Result<String, Refused> {
        let WorkerConnector {
            name,
            mut config,
            offsets,
            state,
        } = connector;
        let name = check(&name, &mut config).map_err(Refused::Invalid)?;
        if self.connectors.contains_key(&name) {
            return Err(Refused::Exists(format!("Connector {name} already exists")));
        }
        if let Some(offsets) = offsets {
            check_offsets(is_sink(&config), &offsets).map_err(Refused::Invalid)?;
            self.offsets.insert(name.clone(), offsets);
        }
        self.connectors
            .insert(name.clone(), Stored { config, state });
        Ok(name)
    }

    /// Replaces a connector's configuration, or creates a running connector with it.
    /// `true` when it was created.
    pub(super) fn put_config(
        &mut self,
        name: &str,
        mut config: BTreeMap<String, String>,
    ) -> Result<bool, String> {
        let name = check(name, &mut config)?;
        match self.connectors.get_mut(&name) {
            Some(stored) => {
                stored.config = config;
                Ok(false)
            }
            None => {
                let state = WorkerState::Running;
                self.connectors.insert(name, Stored { config, state });
                Ok(true)
            }
        }
    }

    /// The connector named, if there is one.
    pub(super) fn get(&self, name: &str) -> Option<&Stored> {
        self.connectors.get(name)
    }

    /// The connectors, by name.
    pub(super) fn connectors(&self) -> &BTreeMap<String, Stored> {
        &self.connectors
    }

    /// Moves a connector to `state`; `false` when there is no such connector.
    pub(super) fn set_state(&mut self, name: &str, state: WorkerState) -> bool {
        match self.connectors.get_mut(name) {
            Some(stored) => {
                stored.state = state;
                true
            }
            None => false,
        }
    }

    /// Deletes a connector, keeping its offsets (see [`Registry::offsets`]); `false` when
    /// there is no such connector.
    pub(super) fn remove(&mut self, name: &str) -> bool {
        self.connectors.remove(name).is_some()
    }

    /// A connector's offsets; `None` when there is no such connector.
    pub(super) fn offsets(&self, name: &str) -> Option<Vec<ConnectorOffset>> {
        self.connectors.get(name)?;
        Some(self.offsets.get(name).cloned().unwrap_or_default())
    }

    /// Replaces a connector's offsets, checked as at creation.
    pub(super) fn set_offsets(
        &mut self,
        name: &str,
        offsets: Vec<ConnectorOffset>,
    ) -> Result<(), String> {
        let stored = self
            .connectors
            .get(name)
            .ok_or_else(|| format!("Connector {name} not found"))?;
        check_offsets(is_sink(&stored.config), &offsets)?;
        self.offsets.insert(name.to_owned(), offsets);
        Ok(())
    }
}

/// What every request and the handle share.
#[derive(Debug)]
pub(super) struct Shared {
    registry: Mutex<Registry>,
    /// `HOST:PORT`, as Kafka Connect names a worker in statuses.
    pub(super) worker_id: String,
    /// The only HTTP Basic pair accepted, when set.
    pub(super) basic_auth: Option<(String, String)>,
}

impl Shared {
    pub(super) fn new(
        registry: Registry,
        worker_id: String,
        basic_auth: Option<(String, String)>,
    ) -> Self {
        Shared {
            registry: Mutex::new(registry),
            worker_id,
            basic_auth,
        }
    }

    /// The registry, locked. A panic elsewhere while it was held leaves nothing half
    /// changed that matters to a test double, so a poisoned lock is taken over.
    pub(super) fn registry(&self) -> MutexGuard<'_, Registry> {
        self.registry
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `GET /connectors/{name}`: the name, configuration, tasks and type. A stopped
    /// connector has no tasks, as Kafka Connect drops a stopped connector's task configs.
    pub(super) fn info(&self, name: &str, stored: &Stored) -> Value {
        let tasks: Vec<Value> = match stored.state {
            WorkerState::Stopped => Vec::new(),
            _ => (0..task_count(&stored.config))
                .map(|task| json!({"connector": name, "task": task}))
                .collect(),
        };
        json!({
            "name": name,
            "config": stored.config,
            "tasks": tasks,
            "type": kind(&stored.config),
        })
    }

    /// `GET /connectors/{name}/status`: the connector's state and its tasks' on this
    /// worker; a stopped connector has no tasks.
    pub(super) fn status(&self, name: &str, stored: &Stored) -> Value {
        let state = stored.state.as_str();
        let tasks: Vec<Value> = match stored.state {
            WorkerState::Stopped => Vec::new(),
            _ => (0..task_count(&stored.config))
                .map(|id| json!({"id": id, "state": state, "worker_id": self.worker_id}))
                .collect(),
        };
        json!({
            "name": name,
            "connector": {"state": state, "worker_id": self.worker_id},
            "tasks": tasks,
            "type": kind(&stored.config),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connector(name: &str, pairs: &[(&str, &str)]) -> WorkerConnector {
        let mut config: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        config.insert("connector.class".to_owned(), "C".to_owned());
        WorkerConnector::new(name, config)
    }

    #[test]
    fn offsets_outlive_their_connector() {
        let mut r = Registry::default();
        let sink =
            connector("s", &[("topics", "t")]).offsets(vec![ConnectorOffset::sink("t", 0, 7)]);
        r.insert(sink).unwrap();
        assert!(matches!(
            r.insert(connector("s", &[])),
            Err(Refused::Exists(m)) if m == "Connector s already exists"
        ));
        assert!(r.remove("s"));
        assert_eq!(r.offsets("s"), None);
        r.insert(connector("s", &[("topics", "t")])).unwrap();
        assert_eq!(r.offsets("s").unwrap(), [ConnectorOffset::sink("t", 0, 7)]);
        assert!(r.set_offsets("s", vec![]).is_ok());
        assert_eq!(r.offsets("s").unwrap(), []);
        assert!(
            r.set_offsets("nope", vec![])
                .unwrap_err()
                .contains("not found")
        );
    }

    #[test]
    fn a_stopped_connector_has_no_tasks() {
        let shared = Shared::new(Registry::default(), "127.0.0.1:1".to_owned(), None);
        let stored = Stored {
            config: BTreeMap::from([("tasks.max".to_owned(), "2".to_owned())]),
            state: WorkerState::Paused,
        };
        let status = shared.status("c", &stored);
        assert_eq!(status["tasks"][1]["state"], "PAUSED");
        assert_eq!(shared.info("c", &stored)["tasks"][1]["task"], 1);
        let stopped = Stored {
            state: WorkerState::Stopped,
            ..stored
        };
        assert_eq!(shared.status("c", &stopped)["tasks"], json!([]));
        assert_eq!(shared.info("c", &stopped)["tasks"], json!([]));
        assert_eq!(shared.status("c", &stopped)["type"], "source");
    }
}
