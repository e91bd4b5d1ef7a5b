//! The account-wide `connect/v1` handle: clusters, custom plugins, runtimes, uploads.

use crate::ccpm::Ccpm;
use crate::connect::{
    Cluster, ConnectApi, CustomConnectorPlugin, CustomConnectorRuntime, CustomPluginHandle, Fleet,
    NewCustomPlugin, PublishedCustomPlugin, RuntimeReport,
};
use crate::paginate::{ListAnswer as _, Paginator};
use crate::upload::{Archive, ArchiveFormat, PresignedUpload, UploadOptions};
use crate::{Result, connect};

/// `connect/v1` for the whole organisation, from [`Client::connect`](crate::Client::connect).
///
/// Cheap to clone; every handle made from it shares the client's connection pool and
/// configuration.
#[derive(Clone, Debug)]
pub struct Connect {
    api: ConnectApi,
    // For the checks of custom connectors against their ccpm plugin's versions.
    ccpm: Ccpm,
}

impl Connect {
    pub(crate) fn new(api: ConnectApi, ccpm: Ccpm) -> Self {
        Connect { api, ccpm }
    }

    /// The generated operations, one method per operationId of `connect/v1`, each
    /// authenticated, retried and checked like the handles' methods.
    pub fn raw(&self) -> &ConnectApi {
        &self.api
    }

    /// The connectors and managed plugins of one Kafka cluster (`lkc-...`) of an
    /// environment (`env-...`).
    pub fn cluster(
        &self,
        environment_id: impl Into<String>,
        kafka_cluster_id: impl Into<String>,
    ) -> Cluster {
        Cluster::new(
            self.api.clone(),
            self.ccpm.clone(),
            environment_id.into(),
            kafka_cluster_id.into(),
        )
    }

    /// Many clusters at once, each named by its environment and Kafka cluster ids: every
    /// connector with its status as one stream, and restarts of every failed one
    /// ([`Fleet`]).
    pub fn fleet<E, K>(&self, clusters: impl IntoIterator<Item = (E, K)>) -> Fleet
    where
        E: Into<String>,
        K: Into<String>,
    {
        Fleet::new(
            clusters
                .into_iter()
                .map(|(environment_id, kafka_cluster_id)| {
                    self.cluster(environment_id, kafka_cluster_id)
                })
                .collect(),
        )
    }

    /// The custom connector plugins of the organisation in one cloud, page by page
    /// (`GET /connect/v1/custom-connector-plugins`).
    ///
    /// With `None` the server applies its default filter, which Confluent documents as
    /// `AWS`: to see every plugin, list each of [`connect::Cloud::KNOWN`] in turn.
    pub fn custom_plugins(
        &self,
        cloud: Option<connect::Cloud>,
    ) -> Paginator<CustomConnectorPlugin> {
        const OP: &str = "list_custom_connector_plugins";
        let api = self.api.clone();
        let cloud = cloud.map(|c| c.to_string());
        Paginator::new(OP, move |token, size| {
            let (api, cloud) = (api.clone(), cloud.clone());
            async move {
                api.list_custom_connector_plugins(cloud.as_deref(), Some(size), token.as_deref())
                    .await?
                    .into_page(OP)
            }
        })
    }

    /// One custom connector plugin (`ccp-...`).
    pub fn custom_plugin(&self, id: impl Into<String>) -> CustomPluginHandle {
        CustomPluginHandle::new(self.api.clone(), id.into())
    }

    /// Every custom connector runtime, as the server orders them
    /// (`GET /connect/v1/custom-connector-runtimes`).
    pub fn runtimes(&self) -> Paginator<CustomConnectorRuntime> {
        const OP: &str = "list_custom_connector_runtimes";
        let api = self.api.clone();
        Paginator::new(OP, move |token, size| {
            let api = api.clone();
            async move {
                api.list_custom_connector_runtimes(Some(size), token.as_deref())
                    .await?
                    .into_page(OP)
            }
        })
    }

    /// Every custom connector runtime (all pages) in a report as of now: the newest GA
    /// runtime, and those near their end of life.
    pub async fn runtime_report(&self) -> Result<RuntimeReport> {
        let runtimes = self.runtimes().all().await?;
        Ok(RuntimeReport::new(runtimes, chrono::Utc::now()))
    }

    /// Asks for a presigned URL to upload one archive to
    /// (`POST /connect/v1/presigned-upload-url`), with the requested cloud recorded for
    /// [`PresignedUpload::protocol`].
    ///
    /// Authenticated and retried like every other operation (a `POST` is only retried when
    /// the connection could not be opened).
    pub async fn presigned_upload(
        &self,
        format: ArchiveFormat,
        cloud: connect::Cloud,
    ) -> Result<PresignedUpload> {
        let body = connect::PresignedUrlRequest {
            cloud: Some(cloud.clone()),
            content_format: format.into(),
        };
        let answer = self.api.create_presigned_upload_url(&body).await?;
        PresignedUpload::from_answer(
            "connect/v1",
            answer.upload_url,
            answer.upload_id,
            answer.upload_form_data,
            answer.cloud.map(|c| c.to_string()),
            answer.content_format.map(|c| c.to_string()),
        )
        .map(|p| p.with_requested_cloud(cloud.as_str()))
    }

    /// Publishes a custom connector plugin in one call: asks for a presigned URL for the
    /// archive's format and `plugin`'s cloud, uploads the archive, and creates the plugin
    /// with `upload_source` `PRESIGNED_URL_LOCATION` and the `upload_id`.
    ///
    /// The archive and `plugin` are checked before the first request. When the upload
    /// fails, no plugin is created; when the create fails after the upload, the uploaded
    /// archive is left to the storage's expiry.
    ///
    /// ```no_run
    /// use ccloud_connect::connect::{CustomConnectorPluginType, NewCustomPlugin};
    /// use ccloud_connect::upload::{Archive, ArchiveFormat, UploadOptions};
    /// # async fn run(client: ccloud_connect::Client) -> ccloud_connect::Result<()> {
    /// let archive = Archive::open("datagen-0.6.zip", ArchiveFormat::Zip)?;
    /// let plugin = NewCustomPlugin::new(
    ///     "custom-datagen",
    ///     "io.confluent.kafka.connect.datagen.DatagenConnector",
    ///     CustomConnectorPluginType::Source,
    /// )
    /// .sensitive_config_properties(["passwords"]);
    /// let published = client
    ///     .connect()
    ///     .publish_custom_plugin(&plugin, &archive, &UploadOptions::new())
    ///     .await?;
    /// println!("created {:?}", published.plugin.id);
    /// # Ok(()) }
    /// ```
    pub async fn publish_custom_plugin(
        &self,
        plugin: &NewCustomPlugin,
        archive: &Archive,
        options: &UploadOptions,
    ) -> Result<PublishedCustomPlugin> {
        plugin.validate()?;
        archive.check(options.timeout).await?;
        let presigned = self
            .presigned_upload(archive.format(), plugin.target_cloud().clone())
            .await?;
        let upload = presigned.upload(archive, options).await?;
        let created = self
            .api
            .create_custom_connector_plugin(&plugin.to_body(&upload.upload_id))
            .await?;
        Ok(PublishedCustomPlugin {
            plugin: created,
            upload,
        })
    }
}

impl From<ArchiveFormat> for connect::ContentFormat {
    fn from(value: ArchiveFormat) -> Self {
        match value {
            ArchiveFormat::Zip => connect::ContentFormat::Zip,
            ArchiveFormat::Jar => connect::ContentFormat::Jar,
        }
    }
}
