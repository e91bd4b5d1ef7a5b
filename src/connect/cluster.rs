//! The connectors and managed plugins of one Kafka cluster.

use std::collections::BTreeMap;

use crate::ccpm::{Ccpm, PluginVersion, PluginVersionPhase};
use crate::connect::spec::CUSTOM;
use crate::connect::{
    ConfigValidation, ConnectApi, Connector, ConnectorExpansion, ConnectorHandle, ConnectorPlugin,
    ConnectorSpec, ConnectorStatus, Expand, ListConnectorsResponse, TargetState, TranslatedSecrets,
    Translation, keys, translate,
};
use crate::wait::WaitOptions;
use crate::{Error, Result};

/// One Kafka cluster of one environment, from [`Connect::cluster`](crate::connect::Connect::cluster).
#[derive(Clone, Debug)]
pub struct Cluster {
    api: ConnectApi,
    ccpm: Ccpm,
    environment_id: String,
    kafka_cluster_id: String,
    check_pinned_versions: bool,
}

impl Cluster {
    pub(crate) fn new(
        api: ConnectApi,
        ccpm: Ccpm,
        environment_id: String,
        kafka_cluster_id: String,
    ) -> Self {
        Cluster {
            api,
            ccpm,
            environment_id,
            kafka_cluster_id,
            check_pinned_versions: false,
        }
    }

    /// Opts in to a check of the plugin version a custom connector pins: before
    /// [`create`](Self::create) (and [`ConnectorHandle::update`] of one of this handle's
    /// connectors) sends a spec with `confluent.custom.plugin.version`, one read lists the
    /// versions of its ccpm plugin (`confluent.custom.plugin.id`) in this cluster's
    /// environment, and a version that is not there, or whose processing `FAILED`, is
    /// refused with [`Error::Validation`] naming the versions that exist.
    ///
    /// Off by default because it costs a request and needs read access to the
    /// environment's ccpm plugins. Without it the API accepts the connector, which then
    /// fails to provision. When the read itself fails (a `403` for a key without that
    /// access, say), its error is returned as it is: an [`Error::Api`] of `ccpm/v1`
    /// `list_plugin_versions`, and the connector is not sent.
    ///
    /// ```no_run
    /// # async fn run(client: ccloud_connect::Client) -> ccloud_connect::Result<()> {
    /// use ccloud_connect::connect::ConnectorSpec;
    /// let cluster = client.connect().cluster("env-1", "lkc-1").check_pinned_versions(true);
    /// let spec = ConnectorSpec::custom("my-source", "ccp-123456")
    ///     .connector_class("com.example.MySource")
    ///     .plugin_version("1.2.3");
    /// cluster.create(&spec).await?; // refused, before the create, if 1.2.3 is not there
    /// # Ok(()) }
    /// ```
    pub fn check_pinned_versions(mut self, check: bool) -> Self {
        self.check_pinned_versions = check;
        self
    }

    /// Refuses a spec that pins a plugin version its ccpm plugin does not have, when
    /// [`check_pinned_versions`](Self::check_pinned_versions) is on.
    pub(crate) async fn check_pinned_version(&self, spec: &ConnectorSpec) -> Result<()> {
        if !self.check_pinned_versions {
            return Ok(());
        }
        let (Some(plugin_id), Some(version)) = (
            spec.get(keys::CUSTOM_PLUGIN_ID),
            spec.get(keys::CUSTOM_PLUGIN_VERSION),
        ) else {
            return Ok(());
        };
        let versions = self
            .ccpm
            .environment(self.environment_id.as_str())
            .plugin(plugin_id)
            .versions()
            .all()
            .await;
        let versions = match versions {
            Ok(versions) => versions,
            Err(e) if e.is_not_found() => {
                return Err(Error::validation(
                    keys::CUSTOM_PLUGIN_ID,
                    plugin_id,
                    format!(
                        "is not a ccpm plugin of environment {} (the API answered 404 to its \
                         versions), so it has no version {version:?} to pin; the connector was not sent",
                        self.environment_id
                    ),
                ));
            }
            Err(e) => return Err(e),
        };
        pinned_version_verdict(plugin_id, version, &versions)
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
    /// when the spec fails [`ConnectorSpec::validate`]. With
    /// [`check_pinned_versions`](Self::check_pinned_versions), a pinned plugin version is
    /// looked up first.
    ///
    /// The connector starts provisioning; wait for it with
    /// [`ConnectorHandle::wait_for`].
    pub async fn create(&self, spec: &ConnectorSpec) -> Result<Connector> {
        let body = spec.to_create_request()?;
        self.check_pinned_version(spec).await?;
        self.api
            .create_connector(&self.environment_id, &self.kafka_cluster_id, &body)
            .await
    }

    /// [`create`](Self::create), then waits until the connector is `RUNNING`
    /// ([`ConnectorHandle::wait_for`]) and returns its status with the create's answer.
    ///
    /// Provisioning commonly takes minutes and connectors can flap right after creation:
    /// [`WaitOptions::first_poll_after`], [`WaitOptions::max_interval`] and
    /// [`WaitOptions::tolerate_failed`] say how to wait. When the wait fails, the connector
    /// was created and stays: the error is an [`Error::Wait`]
    /// ([`Error::is_wait_failed`], or [`Error::is_timeout`] when time ran out), never the
    /// create's.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use ccloud_connect::connect::ConnectorSpec;
    /// use ccloud_connect::wait::WaitOptions;
    /// # async fn run(client: ccloud_connect::Client, spec: ConnectorSpec) -> ccloud_connect::Result<()> {
    /// let waits = WaitOptions::new(Duration::from_secs(5), Duration::from_secs(900))
    ///     .first_poll_after(Duration::from_secs(30))
    ///     .max_interval(Duration::from_secs(30))
    ///     .tolerate_failed(Duration::from_secs(120));
    /// let (created, status) = client
    ///     .connect()
    ///     .cluster("env-1", "lkc-1")
    ///     .create_and_wait(&spec, waits)
    ///     .await?;
    /// println!("{} is {}", created.name, status.connector.state);
    /// # Ok(()) }
    /// ```
    pub async fn create_and_wait(
        &self,
        spec: &ConnectorSpec,
        options: WaitOptions,
    ) -> Result<(Connector, ConnectorStatus)> {
        // Bad wait options fail before the create, so nothing is left half-done.
        options.check()?;
        let created = self.create(spec).await?;
        let status = self
            .connector(created.name.clone())
            .wait_for(TargetState::Running, options)
            .await?;
        Ok((created, status))
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

    /// Translates the configuration of a self-managed Kafka Connect connector into the
    /// configuration of the fully-managed plugin `plugin_name` (`S3_SINK`, say), with the
    /// API's warnings and errors per key
    /// (`PUT .../connector-plugins/{plugin_name}/config/translate`). Nothing is created:
    /// the answer is a [`Translation`] whose [`spec`](Translation::spec) can be
    /// [`create`](Self::create)d once its errors are dealt with and the keys only Confluent
    /// Cloud needs (`kafka.api.key`, ...) are set.
    ///
    /// `self_managed` is the connector's configuration as Kafka Connect's
    /// `GET /connectors/{name}/config` shows it; it must hold `name`. With
    /// [`TranslatedSecrets::Masked`] the answer masks secret values.
    ///
    /// ```no_run
    /// use std::collections::BTreeMap;
    /// use ccloud_connect::connect::TranslatedSecrets;
    /// # async fn run(client: ccloud_connect::Client) -> ccloud_connect::Result<()> {
    /// let self_managed: BTreeMap<String, String> = [
    ///     ("name", "orders-to-s3"),
    ///     ("connector.class", "io.confluent.connect.s3.S3SinkConnector"),
    ///     ("topics", "orders"),
    ///     ("s3.bucket.name", "my-bucket"),
    /// ]
    /// .into_iter()
    /// .map(|(k, v)| (k.to_owned(), v.to_owned()))
    /// .collect();
    /// let cluster = client.connect().cluster("env-1", "lkc-1");
    /// let translation = cluster
    ///     .translate("S3_SINK", &self_managed, TranslatedSecrets::Masked)
    ///     .await?;
    /// for warning in &translation.warnings {
    ///     println!("warning: {warning}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn translate(
        &self,
        plugin_name: &str,
        self_managed: &BTreeMap<String, String>,
        secrets: TranslatedSecrets,
    ) -> Result<Translation> {
        let (name, config) = translate::check_input(self_managed)?;
        let answer = self
            .api
            .translate_connector_plugin_config(
                &self.environment_id,
                &self.kafka_cluster_id,
                plugin_name,
                Some(secrets == TranslatedSecrets::Masked),
                &config,
            )
            .await?;
        Translation::from_answer(&name, answer)
    }

    /// The managed connector plugins this cluster offers
    /// (`GET .../connector-plugins`).
    pub async fn managed_plugins(&self) -> Result<Vec<ConnectorPlugin>> {
        self.api
            .list_connector_plugins(&self.environment_id, &self.kafka_cluster_id)
            .await
    }
}

/// Whether `version` is among `versions` and did not fail processing.
fn pinned_version_verdict(
    plugin_id: &str,
    version: &str,
    versions: &[PluginVersion],
) -> Result<()> {
    let found = versions.iter().find(|v| v.spec.version == version);
    let phase = found.and_then(|v| v.status.as_ref()).map(|s| &s.phase);
    match (found, phase) {
        (Some(_), Some(PluginVersionPhase::Failed)) => Err(Error::validation(
            keys::CUSTOM_PLUGIN_VERSION,
            version,
            format!(
                "version {version:?} of plugin {plugin_id} FAILED processing; pin another \
                 version or publish it again; the connector was not sent"
            ),
        )),
        (Some(_), _) => Ok(()),
        (None, _) => {
            let known: Vec<&str> = versions.iter().map(|v| v.spec.version.as_str()).collect();
            let known = if known.is_empty() {
                "it has none".to_owned()
            } else {
                format!("it has {}", known.join(", "))
            };
            Err(Error::validation(
                keys::CUSTOM_PLUGIN_VERSION,
                version,
                format!(
                    "plugin {plugin_id} has no version {version:?} ({known}); the connector was not sent"
                ),
            ))
        }
    }
}
