//! Migrating a connector from a self-managed Kafka Connect worker to Confluent Cloud.
//!
//! A [`Worker`] names the worker's REST API; a [`Migration`] names the connector and what
//! the managed one needs beyond the translation (its Kafka credentials, say), then
//! [`Migration::plan`] shows what would happen and [`Migration::run`] does it: read the
//! configuration and offsets, translate, create with the offsets, wait until `RUNNING`,
//! and optionally stop the worker's connector. Confluent's own migration tool stops the
//! connector first and neither waits nor retries; here the worker's connector is stopped
//! only once the managed one runs, and a run that stopped half-way is picked up by the
//! next.
//!
//! ```no_run
//! use ccloud_connect::migrate::{Migration, MigrationOutcome, Worker};
//! # async fn run(client: ccloud_connect::Client) -> ccloud_connect::Result<()> {
//! let worker = Worker::new("https://connect.internal:8083")?.basic_auth("admin", "pw")?;
//! let migration = Migration::new(worker, "orders-to-s3")
//!     .secret("kafka.api.key", "KAFKA-KEY")
//!     .secret("kafka.api.secret", "kafka-secret")
//!     .stop_worker_connector(true);
//! let cluster = client.connect().cluster("env-123", "lkc-456");
//! println!("{}", migration.plan(&cluster).await?);
//! let report = migration.run(&cluster).await?;
//! assert_ne!(report.outcome, MigrationOutcome::NothingToMigrate);
//! # Ok(()) }
//! ```

mod migration;
mod plugins;
mod worker;

pub use migration::{Migration, MigrationOutcome, MigrationPlan, MigrationReport};
pub use plugins::managed_plugin_for;
pub use worker::Worker;
