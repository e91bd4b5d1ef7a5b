//! What publishing a ccpm plugin version takes, and what it returns.

use crate::ccpm;
#[cfg(doc)]
use crate::ccpm::{Environment, VersionHandle};
use crate::http::validate::query_param;
use crate::upload::UploadReceipt;
use crate::wait::WaitOptions;
use crate::{Error, Result};

/// Which ccpm plugin a new version belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PluginRef {
    /// An existing plugin, by id (`ccp-...`). Its cloud decides where the archive is stored.
    Id(String),
    /// The plugin of the environment with this display name in this cloud; created (with
    /// the description) when there is none. Two plugins of that name are an error.
    Named {
        /// The plugin's display name.
        display_name: String,
        /// The cloud the plugin, and so the archive, is stored in.
        cloud: ccpm::Cloud,
        /// The description given to the plugin if it is created.
        description: Option<String>,
    },
}

impl PluginRef {
    /// An existing plugin by id.
    pub fn id(id: impl Into<String>) -> Self {
        PluginRef::Id(id.into())
    }

    /// A plugin by display name and cloud, created when missing.
    pub fn named(display_name: impl Into<String>, cloud: ccpm::Cloud) -> Self {
        PluginRef::Named {
            display_name: display_name.into(),
            cloud,
            description: None,
        }
    }

    /// Sets the description a [`PluginRef::Named`] plugin gets if it is created; no effect
    /// on [`PluginRef::Id`].
    pub fn with_description(self, text: impl Into<String>) -> Self {
        match self {
            PluginRef::Named {
                display_name,
                cloud,
                ..
            } => PluginRef::Named {
                display_name,
                cloud,
                description: Some(text.into()),
            },
            other => other,
        }
    }
}

/// A ccpm plugin version to publish with [`Environment::publish_version`].
#[derive(Clone, Debug)]
pub struct NewPluginVersion {
    plugin: PluginRef,
    version: String,
    connector_classes: Vec<ccpm::ConnectorClass>,
    sensitive_config_properties: Vec<String>,
    documentation_link: Option<String>,
    wait: Option<WaitOptions>,
}

impl NewPluginVersion {
    /// Version `version` (e.g. `1.2.3`) of `plugin`. At least one
    /// [`connector_class`](Self::connector_class) is required.
    pub fn new(plugin: PluginRef, version: impl Into<String>) -> Self {
        NewPluginVersion {
            plugin,
            version: version.into(),
            connector_classes: Vec::new(),
            sensitive_config_properties: Vec::new(),
            documentation_link: None,
            wait: None,
        }
    }

    /// Adds a connector class the archive provides.
    pub fn connector_class(
        mut self,
        class_name: impl Into<String>,
        kind: ccpm::ConnectorClassType,
    ) -> Self {
        self.connector_classes.push(ccpm::ConnectorClass {
            class_name: class_name.into(),
            type_: kind,
        });
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

    /// An http(s) link to the plugin's documentation.
    pub fn documentation_link(mut self, url: impl Into<String>) -> Self {
        self.documentation_link = Some(url.into());
        self
    }

    /// After creating the version, reads it per `options` until it is `READY` (see
    /// [`VersionHandle::wait_until_ready`]). Without it, the version is returned as the
    /// create answered (`PROCESSING`).
    pub fn wait_until_ready(mut self, options: WaitOptions) -> Self {
        self.wait = Some(options);
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        query_param("version", &self.version)?;
        match &self.plugin {
            PluginRef::Id(id) => crate::http::validate::path_param("plugin_id", id)?,
            PluginRef::Named { display_name, .. } => query_param("display_name", display_name)?,
        }
        if self.connector_classes.is_empty() {
            return Err(Error::validation(
                "connector_classes",
                "",
                "at least one connector class is required",
            ));
        }
        for class in &self.connector_classes {
            query_param("connector_classes.class_name", &class.class_name)?;
        }
        if let Some(wait) = &self.wait {
            wait.check()?;
        }
        Ok(())
    }

    pub(crate) fn plugin(&self) -> &PluginRef {
        &self.plugin
    }

    pub(crate) fn wait(&self) -> Option<WaitOptions> {
        self.wait
    }

    /// The create body, in `environment`, for the archive uploaded as `upload_id`.
    pub(crate) fn to_body(&self, environment: &str, upload_id: &str) -> ccpm::PluginVersion {
        ccpm::PluginVersion {
            api_version: None,
            id: None,
            kind: None,
            metadata: None,
            spec: ccpm::PluginVersionSpec {
                connector_classes: self.connector_classes.clone(),
                content_format: None,
                documentation_link: self.documentation_link.clone(),
                environment: ccpm::EnvScopedObjectReference::new(environment),
                sensitive_config_properties: self.sensitive_config_properties.clone(),
                upload_source: ccpm::UploadSourcePresignedUrl {
                    location: ccpm::UploadSourceLocation::PresignedUrlLocation,
                    upload_id: upload_id.to_owned(),
                },
                version: self.version.clone(),
            },
            status: None,
        }
    }
}

/// The result of [`Environment::publish_version`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PublishedPluginVersion {
    /// The plugin the version belongs to.
    pub plugin: ccpm::Plugin,
    /// Whether the plugin was created by this call.
    pub plugin_created: bool,
    /// The version: as created, or as last read when waiting for `READY`.
    pub version: ccpm::PluginVersion,
    /// The storage upload.
    pub upload: UploadReceipt,
}
