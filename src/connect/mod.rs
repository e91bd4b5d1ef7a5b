//! `connect/v1`: connectors and their lifecycle, managed connector plugins, custom connector
//! plugins, presigned upload URLs and custom connector runtimes.
//!
//! Start from [`Client::connect`](crate::Client::connect), which returns the account-wide
//! [`Connect`] handle. Handles are scoped to what their ids name, and each id is given
//! once: [`Connect::cluster`] names an environment and a Kafka cluster and returns a
//! [`Cluster`]; [`Cluster::connector`] names a connector and returns a [`ConnectorHandle`].
//!
//! ```no_run
//! use std::time::Duration;
//! use ccloud_connect::connect::{ConnectorSpec, TargetState};
//! use ccloud_connect::wait::{Wait, WaitOptions};
//! # async fn run(client: ccloud_connect::Client) -> ccloud_connect::Result<()> {
//! let cluster = client.connect().cluster("env-123", "lkc-456");
//! let spec = ConnectorSpec::managed("pg-sink", "PostgresSink").tasks_max(1);
//! cluster.create(&spec).await?;
//! let connector = cluster.connector("pg-sink");
//! let waits = WaitOptions::new(Duration::from_secs(5), Duration::from_secs(600));
//! connector.wait_for(TargetState::Running, waits).await?;
//! connector.pause(Wait::With(waits)).await?;
//! # Ok(()) }
//! ```
//!
//! The generated operations, one method per operationId of the API, are the raw layer
//! underneath: [`Connect::raw`] returns them as a [`ConnectApi`]. The request and response
//! types of both layers are defined in this module.

mod api;
mod cluster;
mod connector;
mod custom_plugin;
mod expand;
mod fleet;
mod offsets;
mod runtimes;
pub(crate) mod server_keys;
mod spec;
mod translate;
mod validation;

pub use api::Connect;
pub use cluster::Cluster;
pub use connector::{ConnectorHandle, TargetState};
pub use custom_plugin::{CustomPluginHandle, NewCustomPlugin, PublishedCustomPlugin};
pub use expand::Expand;
pub use fleet::{
    ClusterError, Fleet, FleetConnector, RestartOutcome, RestartReport, RestartedConnector,
};
pub use offsets::{OffsetsChange, OffsetsHandle};
pub use runtimes::RuntimeReport;
pub use server_keys::{INTERNAL_KEY_PREFIX, SERVER_ADDED_KEYS, is_server_added_key};
pub use spec::{
    ConnectorSpec, KafkaAuthMode, MASKED_VALUE, MAX_CONNECTOR_NAME_CHARS, MaskedSecrets, is_masked,
    is_sensitive_key, keys, validate_connector_name,
};
pub use translate::{Finding, TranslatedSecrets, Translation};

/// The progenitor client underneath [`ConnectApi`], for access to raw responses
/// ([`ConnectApi::progenitor`]).
pub use crate::generated::connect::Client as RawClient;
pub use crate::generated::connect::ConnectApi;
#[cfg(feature = "mock")]
pub use crate::generated::connect::mock;
pub use crate::generated::connect::types::*;
