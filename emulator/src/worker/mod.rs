//! A minimal self-managed Kafka Connect worker: the REST API of a Kafka Connect worker
//! (connectors, their status and offsets, pause, resume, stop), for rehearsing the
//! migration of a connector from one's own Kafka Connect to Confluent Cloud on one
//! machine. What it serves and what it simplifies is in the crate docs, **Self-managed
//! Kafka Connect worker**.
//!
//! A second server beside the emulator, sharing nothing with it: it imports only the
//! leaf `http::json` of the crate, and nothing of the crate imports it but `lib.rs`.
//! Layering inside: `connector` (what a connector is, its checks), `state` (the registry
//! and the answers' shapes), `seed`, `endpoints` (the REST API), `handle`, `config` (the
//! builder and `start`), then this file.

mod config;
mod connector;
mod endpoints;
mod handle;
mod seed;
mod state;

pub use config::WorkerConfig;
pub use connector::{ConnectorOffset, WorkerConnector, WorkerError, WorkerState};
pub use handle::WorkerHandle;
pub use seed::WorkerSeed;

/// Entry point of the self-managed Kafka Connect worker: [`Worker::builder`] configures
/// one, and [`WorkerConfig::start`] starts it.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::collections::BTreeMap;
/// use ccloud_connect_emulator::{ConnectorOffset, Worker, WorkerConnector, WorkerState};
///
/// let config = BTreeMap::from([
///     ("connector.class".to_owned(), "io.confluent.connect.s3.S3SinkConnector".to_owned()),
///     ("topics".to_owned(), "orders".to_owned()),
/// ]);
/// let worker = Worker::builder()
///     .connector(
///         WorkerConnector::new("orders-to-s3", config)
///             .offsets(vec![ConnectorOffset::sink("orders", 0, 42)]),
///     )
///     .start()
///     .await?;
/// // ... the migration under test stops the connector and reads its offsets ...
/// assert_eq!(worker.connector_state("orders-to-s3"), Some(WorkerState::Running));
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Worker;

impl Worker {
    /// A configuration with the defaults (`127.0.0.1`, a free port, no authentication, no
    /// connectors), to adjust and [`start`](WorkerConfig::start).
    pub fn builder() -> WorkerConfig {
        WorkerConfig::default()
    }
}
