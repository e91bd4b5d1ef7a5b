//! Custom connector plugins: one plugin's handle, and what publishing one takes.

use crate::Result;
#[cfg(doc)]
use crate::connect::Connect;
use crate::connect::{self, ConnectApi, CustomConnectorPlugin, CustomConnectorPluginUpdate};
use crate::upload::UploadReceipt;

/// One custom connector plugin (`ccp-...`), from
/// [`Connect::custom_plugin`](crate::connect::Connect::custom_plugin).
#[derive(Clone, Debug)]
pub struct CustomPluginHandle {
    api: ConnectApi,
    id: String,
}

impl CustomPluginHandle {
    pub(crate) fn new(api: ConnectApi, id: String) -> Self {
        CustomPluginHandle { api, id }
    }

    /// The plugin id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The plugin (`GET /connect/v1/custom-connector-plugins/{id}`).
    pub async fn get(&self) -> Result<CustomConnectorPlugin> {
        self.api.get_custom_connector_plugin(&self.id).await
    }

    /// Changes the plugin's descriptive fields (`PATCH .../{id}`); fields left `None` stay
    /// as they are.
    pub async fn update(
        &self,
        change: &CustomConnectorPluginUpdate,
    ) -> Result<CustomConnectorPlugin> {
        self.api
            .update_custom_connector_plugin(&self.id, change)
            .await
    }

    /// Deletes the plugin (`DELETE .../{id}`).
    pub async fn delete(&self) -> Result<()> {
        self.api.delete_custom_connector_plugin(&self.id).await
    }
}

/// A custom connector plugin to create with [`Connect::publish_custom_plugin`].
#[derive(Clone, Debug)]
pub struct NewCustomPlugin {
    display_name: String,
    connector_class: String,
    connector_type: connect::CustomConnectorPluginType,
    cloud: connect::Cloud,
    description: Option<String>,
    documentation_link: Option<String>,
    sensitive_config_properties: Vec<String>,
    runtime_language: Option<connect::RuntimeLanguage>,
}

impl NewCustomPlugin {
    /// A plugin with its required settings, stored in AWS unless [`cloud`](Self::cloud) says
    /// otherwise.
    pub fn new(
        display_name: impl Into<String>,
        connector_class: impl Into<String>,
        connector_type: connect::CustomConnectorPluginType,
    ) -> Self {
        NewCustomPlugin {
            display_name: display_name.into(),
            connector_class: connector_class.into(),
            connector_type,
            cloud: connect::Cloud::Aws,
            description: None,
            documentation_link: None,
            sensitive_config_properties: Vec::new(),
            runtime_language: None,
        }
    }

    /// The cloud the archive is stored in; the presigned URL is requested for it and the
    /// plugin created with it. Default AWS.
    pub fn cloud(mut self, cloud: connect::Cloud) -> Self {
        self.cloud = cloud;
        self
    }

    /// Free text about the plugin.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// An http(s) link to the connector's documentation.
    pub fn documentation_link(mut self, url: impl Into<String>) -> Self {
        self.documentation_link = Some(url.into());
        self
    }

    /// Connector config keys whose values are masked once entered.
    pub fn sensitive_config_properties(
        mut self,
        keys: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.sensitive_config_properties = keys.into_iter().map(Into::into).collect();
        self
    }

    /// The language the plugin runs in.
    pub fn runtime_language(mut self, language: connect::RuntimeLanguage) -> Self {
        self.runtime_language = Some(language);
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        crate::http::validate::query_param("display_name", &self.display_name)?;
        crate::http::validate::query_param("connector_class", &self.connector_class)?;
        Ok(())
    }

    pub(crate) fn target_cloud(&self) -> &connect::Cloud {
        &self.cloud
    }

    /// The create body, for the archive uploaded as `upload_id`.
    pub(crate) fn to_body(&self, upload_id: &str) -> connect::CustomConnectorPlugin {
        connect::CustomConnectorPlugin {
            api_version: None,
            cloud: Some(self.cloud.clone()),
            connector_class: self.connector_class.clone(),
            connector_type: self.connector_type.clone(),
            content_format: None,
            description: self.description.clone(),
            display_name: self.display_name.clone(),
            documentation_link: self.documentation_link.clone(),
            id: None,
            kind: None,
            metadata: None,
            runtime_language: self.runtime_language.clone(),
            sensitive_config_properties: self.sensitive_config_properties.clone(),
            upload_source: Some(connect::UploadSourcePresignedUrl {
                location: connect::UploadSourceLocation::PresignedUrlLocation,
                upload_id: upload_id.to_owned(),
            }),
        }
    }
}

/// The result of [`Connect::publish_custom_plugin`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PublishedCustomPlugin {
    /// The created plugin, as the API answered.
    pub plugin: connect::CustomConnectorPlugin,
    /// The storage upload.
    pub upload: UploadReceipt,
}
