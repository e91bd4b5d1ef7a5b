//! [`WorkerHandle`]: a running worker, and what a Rust test reads and changes on it
//! without going through HTTP.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::connector::{ConnectorOffset, WorkerConnector, WorkerError, WorkerState};
use super::state::{Refused, Shared};

/// A running self-managed Kafka Connect worker. Dropping it stops the server.
pub struct WorkerHandle {
    pub(super) base_url: String,
    pub(super) addr: SocketAddr,
    pub(super) shared: Arc<Shared>,
    pub(super) shutdown: Option<oneshot::Sender<()>>,
    pub(super) task: Option<JoinHandle<()>>,
}

impl fmt::Debug for WorkerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkerHandle")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl WorkerHandle {
    /// `http://127.0.0.1:PORT` (or the [`host`](crate::WorkerConfig::host)'s address), the
    /// worker's REST URL, as a tool would be given `http://connect:8083`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the worker listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `HOST:PORT`, the `worker_id` the status answers show.
    pub fn worker_id(&self) -> &str {
        &self.shared.worker_id
    }

    /// Adds a connector, checked as `POST /connectors` checks one. Refused when the name
    /// is taken, the configuration has no `connector.class` or a bad `tasks.max`, or a
    /// sink's offsets are not `kafka_topic`/`kafka_partition`/`kafka_offset`-shaped.
    pub fn add_connector(&self, connector: WorkerConnector) -> Result<(), WorkerError> {
        match self.shared.registry().insert(connector) {
            Ok(_) => Ok(()),
            Err(Refused::Exists(m) | Refused::Invalid(m)) => Err(WorkerError::new(m)),
        }
    }

    /// The connector's names, sorted, as `GET /connectors` lists them.
    pub fn connector_names(&self) -> Vec<String> {
        self.shared
            .registry()
            .connectors()
            .keys()
            .cloned()
            .collect()
    }

    /// The connector's state, or `None` when there is no such connector: what a test
    /// checks after a migration tool stopped the connector.
    pub fn connector_state(&self, name: &str) -> Option<WorkerState> {
        self.shared.registry().get(name).map(|c| c.state)
    }

    /// The connector's configuration (with its `name`), or `None`.
    pub fn connector_config(&self, name: &str) -> Option<BTreeMap<String, String>> {
        self.shared.registry().get(name).map(|c| c.config.clone())
    }

    /// The connector's offsets as `GET .../offsets` shows them, or `None` when there is
    /// no such connector. Offsets outlive their connector, as Kafka Connect keeps them in
    /// its offsets topic or the sink's consumer group: a connector created again under
    /// the same name shows the old ones unless it is given new ones.
    pub fn offsets(&self, name: &str) -> Option<Vec<ConnectorOffset>> {
        self.shared.registry().offsets(name)
    }

    /// Replaces the connector's offsets, as if its tasks had committed them (in any
    /// state). Refused when there is no such connector, or when a sink's offsets are not
    /// [`ConnectorOffset::sink`]-shaped.
    pub fn set_offsets(
        &self,
        name: &str,
        offsets: Vec<ConnectorOffset>,
    ) -> Result<(), WorkerError> {
        self.shared
            .registry()
            .set_offsets(name, offsets)
            .map_err(WorkerError::new)
    }

    /// Stops accepting connections and waits for the requests in progress to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
