//! The connectors and managed plugins of one Kafka cluster.

use std::collections::BTreeMap;

use crate::connect::spec::CUSTOM;
use crate::connect::{
    ConfigValidation, ConnectApi, Connector, ConnectorExpansion, ConnectorHandle, ConnectorPlugin,
    ConnectorSpec, Expand, ListConnectorsResponse, keys,
};
use crate::{Error, Result};

/// One Kafka cluster of one environment, from [`Connect::cluster`](crate::connect::Connect::cluster).
#[derive(Clone, Debug)]
pub struct Cluster {
    api: ConnectApi,
    environment_id: String,
    kafka_cluster_id: String,
}

impl Cluster {
    pub(crate) fn new(api: ConnectApi, environment_id: String, kafka_cluster_id: String) -> Self {
        Cluster {
            api,
            environment_id,
            kafka_cluster_id,
        }
    }

    /// The environment id (`env-...`).
    pub fn environment_id(&self) -> &str {
        &self.environment_id
    }

    /// The Kafka cluster id (`lkc-...`).
    pub fn kafka_cluster_id(&self) -> &str {
        &self.kafka_cluster_id
    }

    /// One connector of the cluster, by name.
    pub fn connector(&self, name: impl Into<String>) -> ConnectorHandle {
        ConnectorHandle::new(self.clone(), name.into())
    }

    pub(crate) fn api(&self) -> &ConnectApi {
        &self.api
    }

    /// The names of the cluster's connectors (`list_connectors` without `expand`).
    pub async fn connector_names(&self) -> Result<Vec<String>> {
        match self
            .api
            .list_connectors(&self.environment_id, &self.kafka_cluster_id, None)
            .await?
        {
            ListConnectorsResponse::NameList(names) => Ok(names.0),
            ListConnectorsResponse::ExpansionMap(map) => Ok(map.0.into_keys().collect()),
        }
    }

    /// Every connector of the cluster with the requested sections, keyed by name, in one
    /// request. Sections the server leaves out or sends as `null` are `None`.
    pub async fn connectors(&self, expand: Expand) -> Result<BTreeMap<String, ConnectorExpansion>> {
        if expand.is_empty() {
            return Err(Error::validation(
                "expand",
                "",
                "select at least one of INFO, STATUS, ID",
            ));
        }
        let expand = expand.to_string();
        match self
            .api
            .list_connectors(&self.environment_id, &self.kafka_cluster_id, Some(&expand))
            .await?
        {
            ListConnectorsResponse::ExpansionMap(map) => Ok(map.0),
            // Names without sections: the server left every section out.
            ListConnectorsResponse::NameList(names) => Ok(names
                .0
                .into_iter()
                .map(|name| (name, ConnectorExpansion::default()))
                .collect()),
        }
    }

    /// Creates a connector from a checked spec (`POST .../connectors`). Nothing is sent
    /// when the spec fails [`ConnectorSpec::validate`].
    ///
    /// The connector starts provisioning; wait for it with
    /// [`ConnectorHandle::wait_for`].
    pub async fn create(&self, spec: &ConnectorSpec) -> Result<Connector> {
        let body = spec.to_create_request()?;
        self.api
            .create_connector(&self.environment_id, &self.kafka_cluster_id, &body)
            .await
    }

    /// Asks the managed plugin named by the spec's `connector.class` to validate the
    /// configuration (`PUT .../connector-plugins/{class}/config/validate`). The answer lists
    /// per-key errors ([`ConfigValidation::field_errors`]) and their `error_count`.
    ///
    /// The spec is checked first and nothing is sent when it fails; a custom connector is
    /// refused, since the managed-plugin validation does not know custom plugins.
    pub async fn validate(&self, spec: &ConnectorSpec) -> Result<ConfigValidation> {
        if spec.is_custom() {
            return Err(Error::validation(
                keys::CONNECTOR_TYPE,
                CUSTOM,
                "managed-plugin validation only applies to managed connectors",
            ));
        }
        let config = spec.to_config()?;
        let class = spec.get(keys::CONNECTOR_CLASS).unwrap_or("");
        self.api
            .validate_connector_plugin_config(
                &self.environment_id,
                &self.kafka_cluster_id,
                class,
                &config,
            )
            .await
    }

    /// The managed connector plugins this cluster offers
    /// (`GET .../connector-plugins`).
    pub async fn managed_plugins(&self) -> Result<Vec<ConnectorPlugin>> {
        self.api
            .list_connector_plugins(&self.environment_id, &self.kafka_cluster_id)
            .await
    }
}
