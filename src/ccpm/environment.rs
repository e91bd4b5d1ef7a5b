//! One environment's ccpm plugins: list, create, publish versions, upload.

use crate::ccpm::{
    self, CcpmApi, Cloud, NewPlugin, NewPluginVersion, Plugin, PluginHandle, PluginRef,
    PublishedPluginVersion,
};
use crate::http::ids::{self, IdKind};
use crate::paginate::{ListAnswer as _, Paginator};
use crate::upload::{Archive, ArchiveFormat, PresignedUpload, UploadOptions, missing_in_answer};
#[cfg(doc)]
use crate::wait::WaitOptions;
use crate::{Error, Result};

/// The ccpm plugins of one environment (`env-...`), from
/// [`Ccpm::environment`](crate::ccpm::Ccpm::environment).
#[derive(Clone, Debug)]
pub struct Environment {
    api: CcpmApi,
    id: String,
}

impl Environment {
    pub(crate) fn new(api: CcpmApi, id: String) -> Self {
        Environment { api, id }
    }

    /// The environment id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// One plugin of the environment (`ccp-...`).
    pub fn plugin(&self, id: impl Into<String>) -> PluginHandle {
        PluginHandle::new(self.api.clone(), self.id.clone(), id.into())
    }

    /// Every ccpm plugin of the environment, optionally only those of one cloud
    /// (`GET /ccpm/v1/plugins`).
    pub fn plugins(&self, cloud: Option<Cloud>) -> Paginator<Plugin> {
        const OP: &str = "list_plugins";
        let api = self.api.clone();
        let environment = self.id.clone();
        let cloud = cloud.map(|c| c.to_string());
        Paginator::new(OP, move |token, size| {
            let (api, environment, cloud) = (api.clone(), environment.clone(), cloud.clone());
            async move {
                api.list_plugins(&environment, Some(size), token.as_deref(), cloud.as_deref())
                    .await?
                    .into_page(OP)
            }
        })
    }

    /// Creates a plugin in the environment (`POST /ccpm/v1/plugins`); its versions hold the
    /// archives.
    pub async fn create_plugin(&self, plugin: &NewPlugin) -> Result<Plugin> {
        // The environment travels in the body here, where the facade does not look.
        ids::check("environment", IdKind::Environment, &self.id)?;
        self.api.create_plugin(&plugin.to_body(&self.id)?).await
    }

    /// Asks for a presigned URL to upload one archive to, in this environment
    /// (`POST /ccpm/v1/presigned-upload-url`), with the requested cloud recorded for
    /// [`PresignedUpload::protocol`].
    pub async fn presigned_upload(
        &self,
        format: ArchiveFormat,
        cloud: Cloud,
    ) -> Result<PresignedUpload> {
        ids::check("environment", IdKind::Environment, &self.id)?;
        let body = ccpm::PresignedUrlRequest {
            cloud: cloud.clone(),
            content_format: format.into(),
            environment: ccpm::EnvScopedObjectReference::new(&self.id),
        };
        let answer = self.api.create_presigned_upload_url(&body).await?;
        PresignedUpload::from_answer(
            "ccpm/v1",
            answer.upload_url,
            answer.upload_id,
            answer.upload_form_data,
            answer.cloud.map(|c| c.to_string()),
            answer.content_format.map(|c| c.to_string()),
        )
        .map(|p| p.with_requested_cloud(cloud.as_str()))
    }

    /// Publishes a new version of a ccpm plugin in one call:
    ///
    /// 1. the plugin: read by id ([`PluginRef::Id`]), or found by display name in this
    ///    environment and cloud and created when there is none ([`PluginRef::Named`]);
    /// 2. a presigned URL for the archive's format, in the plugin's cloud and environment;
    /// 3. the upload;
    /// 4. the version, from the `upload_id` (the API answers `202` with `PROCESSING`);
    /// 5. when [`NewPluginVersion::wait_until_ready`] was set, polling the version per its
    ///    [`WaitOptions`] until `status.phase` is `READY`, failing with
    ///    [`Error::Wait`](crate::Error::Wait) carrying the server's `error_message` on
    ///    `FAILED`, and the last phase seen when time runs out.
    ///
    /// The archive and `version` are checked before the first request.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use ccloud_connect::ccpm::{Cloud, ConnectorClassType, NewPluginVersion, PluginRef};
    /// use ccloud_connect::upload::{Archive, ArchiveFormat, UploadOptions};
    /// use ccloud_connect::wait::WaitOptions;
    /// # async fn run(client: ccloud_connect::Client) -> ccloud_connect::Result<()> {
    /// let archive = Archive::open("my-connector-1.2.3.jar", ArchiveFormat::Jar)?;
    /// let version = NewPluginVersion::new(PluginRef::named("my-connector", Cloud::Aws), "1.2.3")
    ///     .connector_class("com.example.MySourceConnector", ConnectorClassType::Source)
    ///     .wait_until_ready(WaitOptions::new(Duration::from_secs(5), Duration::from_secs(600)));
    /// let published = client
    ///     .ccpm()
    ///     .environment("env-123")
    ///     .publish_version(&version, &archive, &UploadOptions::new())
    ///     .await?;
    /// println!("{:?} is ready", published.version.id);
    /// # Ok(()) }
    /// ```
    pub async fn publish_version(
        &self,
        version: &NewPluginVersion,
        archive: &Archive,
        options: &UploadOptions,
    ) -> Result<PublishedPluginVersion> {
        version.validate()?;
        archive.check(options.timeout).await?;
        let (plugin, plugin_created) = match version.plugin() {
            PluginRef::Id(id) => (self.plugin(id.clone()).get().await?, false),
            PluginRef::Named {
                display_name,
                cloud,
                description,
            } => {
                self.find_or_create_plugin(display_name, cloud, description)
                    .await?
            }
        };
        let plugin_id = plugin
            .id
            .clone()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| missing_in_answer("ccpm/v1", "get_plugin", "id"))?;

        let presigned = self
            .presigned_upload(archive.format(), plugin.spec.cloud.clone())
            .await?;
        let upload = presigned.upload(archive, options).await?;

        let body = version.to_body(&self.id, &upload.upload_id);
        let plugin_handle = self.plugin(plugin_id);
        let created = self
            .api
            .create_plugin_version(plugin_handle.id(), &body)
            .await?;
        let created = match version.wait() {
            Some(wait) => {
                let version_id = created
                    .id
                    .clone()
                    .filter(|id| !id.is_empty())
                    .ok_or_else(|| missing_in_answer("ccpm/v1", "create_plugin_version", "id"))?;
                plugin_handle
                    .version(version_id)
                    .settle(Some(created), wait)
                    .await?
            }
            None => created,
        };
        Ok(PublishedPluginVersion {
            plugin,
            plugin_created,
            version: created,
            upload,
        })
    }

    async fn find_or_create_plugin(
        &self,
        display_name: &str,
        cloud: &Cloud,
        description: &Option<String>,
    ) -> Result<(Plugin, bool)> {
        let mut matches: Vec<Plugin> = self
            .plugins(Some(cloud.clone()))
            .all()
            .await?
            .into_iter()
            .filter(|p| p.spec.display_name == display_name && &p.spec.cloud == cloud)
            .collect();
        match matches.len() {
            0 => {}
            1 => return Ok((matches.remove(0), false)),
            n => {
                return Err(Error::validation(
                    "plugin",
                    display_name,
                    format!(
                        "{n} plugins in {} ({cloud}) have this display name; \
                         name the one to use with PluginRef::Id",
                        self.id
                    ),
                ));
            }
        }
        let mut plugin = NewPlugin::new(display_name, cloud.clone());
        if let Some(text) = description {
            plugin = plugin.description(text.clone());
        }
        Ok((self.create_plugin(&plugin).await?, true))
    }
}

impl From<ArchiveFormat> for ccpm::ContentFormat {
    fn from(value: ArchiveFormat) -> Self {
        match value {
            ArchiveFormat::Zip => ccpm::ContentFormat::Zip,
            ArchiveFormat::Jar => ccpm::ContentFormat::Jar,
        }
    }
}
