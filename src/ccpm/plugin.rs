//! One ccpm plugin, and what creating or changing one takes.

use crate::Result;
use crate::ccpm::{self, CcpmApi, Cloud, EnvScopedObjectReference, PluginVersion, VersionHandle};
use crate::http::validate::query_param;
use crate::paginate::{ListAnswer as _, Paginator};

/// One ccpm plugin (`ccp-...`) of an environment, from
/// [`Environment::plugin`](crate::ccpm::Environment::plugin).
#[derive(Clone, Debug)]
pub struct PluginHandle {
    api: CcpmApi,
    environment: String,
    id: String,
}

impl PluginHandle {
    pub(crate) fn new(api: CcpmApi, environment: String, id: String) -> Self {
        PluginHandle {
            api,
            environment,
            id,
        }
    }

    /// The plugin id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// One version of the plugin.
    pub fn version(&self, id: impl Into<String>) -> VersionHandle {
        VersionHandle::new(
            self.api.clone(),
            self.environment.clone(),
            self.id.clone(),
            id.into(),
        )
    }

    /// The plugin (`GET /ccpm/v1/plugins/{id}`).
    pub async fn get(&self) -> Result<ccpm::Plugin> {
        self.api.get_plugin(&self.id, &self.environment).await
    }

    /// Changes the plugin's display name, description or runtime language
    /// (`PATCH /ccpm/v1/plugins/{id}`); what the change leaves unset stays as it is.
    pub async fn update(&self, change: &PluginChange) -> Result<ccpm::Plugin> {
        self.api
            .update_plugin(&self.id, &change.to_body(&self.environment))
            .await
    }

    /// Deletes the plugin (`DELETE /ccpm/v1/plugins/{id}`).
    pub async fn delete(&self) -> Result<()> {
        self.api.delete_plugin(&self.id, &self.environment).await
    }

    /// Every version of the plugin (`GET /ccpm/v1/plugins/{id}/versions`), following
    /// `metadata.next` when the server pages the answer.
    pub fn versions(&self) -> Paginator<PluginVersion> {
        const OP: &str = "list_plugin_versions";
        let api = self.api.clone();
        let plugin_id = self.id.clone();
        let environment = self.environment.clone();
        Paginator::new(OP, move |token, size| {
            let (api, plugin_id, environment) =
                (api.clone(), plugin_id.clone(), environment.clone());
            async move {
                api.list_plugin_versions(&plugin_id, &environment, Some(size), token.as_deref())
                    .await?
                    .into_page(OP)
            }
        })
    }
}

/// A ccpm plugin to create with [`Environment::create_plugin`](crate::ccpm::Environment::create_plugin).
///
/// ```
/// use ccloud_connect::ccpm::{Cloud, NewPlugin};
/// let plugin = NewPlugin::new("my-connector", Cloud::Aws).description("Reads from X");
/// # let _ = plugin;
/// ```
#[derive(Clone, Debug)]
pub struct NewPlugin {
    display_name: String,
    cloud: Cloud,
    description: Option<String>,
    runtime_language: Option<String>,
}

impl NewPlugin {
    /// A plugin with its display name, in `cloud` (where its archives are stored).
    pub fn new(display_name: impl Into<String>, cloud: Cloud) -> Self {
        NewPlugin {
            display_name: display_name.into(),
            cloud,
            description: None,
            runtime_language: None,
        }
    }

    /// Free text about the plugin.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// The language the plugin runs in (`JAVA`).
    pub fn runtime_language(mut self, language: impl Into<String>) -> Self {
        self.runtime_language = Some(language.into());
        self
    }

    pub(crate) fn to_body(&self, environment: &str) -> Result<ccpm::Plugin> {
        query_param("display_name", &self.display_name)?;
        let mut body =
            ccpm::Plugin::new(environment, self.display_name.clone(), self.cloud.clone());
        body.spec.description = self.description.clone();
        body.spec.runtime_language = self.runtime_language.clone();
        Ok(body)
    }
}

/// A change to a ccpm plugin for [`PluginHandle::update`]: only what is set is sent.
///
/// ```
/// use ccloud_connect::ccpm::PluginChange;
/// let change = PluginChange::new().description("Now with exactly-once");
/// # let _ = change;
/// ```
#[derive(Clone, Debug, Default)]
pub struct PluginChange {
    display_name: Option<String>,
    description: Option<String>,
    runtime_language: Option<String>,
}

impl PluginChange {
    /// A change of nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new display name.
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.display_name = Some(name.into());
        self
    }

    /// A new description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// A new runtime language.
    pub fn runtime_language(mut self, language: impl Into<String>) -> Self {
        self.runtime_language = Some(language.into());
        self
    }

    fn to_body(&self, environment: &str) -> ccpm::PluginUpdate {
        ccpm::PluginUpdate {
            api_version: None,
            id: None,
            kind: None,
            metadata: None,
            spec: ccpm::PluginSpecUpdate {
                description: self.description.clone(),
                display_name: self.display_name.clone(),
                environment: EnvScopedObjectReference::new(environment),
                runtime_language: self.runtime_language.clone(),
            },
        }
    }
}
