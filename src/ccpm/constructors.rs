//! Constructors for generated request types whose literal would spell out every optional
//! and read-only field.

use crate::ccpm::{Cloud, EnvScopedObjectReference, Plugin, PluginSpec};

impl EnvScopedObjectReference {
    /// A reference to the environment `id` (`env-...`), as request bodies carry it.
    pub fn new(id: impl Into<String>) -> Self {
        EnvScopedObjectReference {
            environment: None,
            id: id.into(),
            related: None,
            resource_name: None,
        }
    }
}

impl Plugin {
    /// A ccpm plugin to create with `create_plugin`: its environment, display name and
    /// cloud. Set `spec.description` on the result for a description.
    ///
    /// ```
    /// use ccloud_connect::ccpm::{Cloud, Plugin};
    /// let plugin = Plugin::new("env-123", "my-connector", Cloud::Aws);
    /// assert_eq!(plugin.spec.environment.id, "env-123");
    /// ```
    pub fn new(
        environment: impl Into<String>,
        display_name: impl Into<String>,
        cloud: Cloud,
    ) -> Self {
        Plugin {
            api_version: None,
            id: None,
            kind: None,
            metadata: None,
            spec: PluginSpec {
                cloud,
                description: None,
                display_name: display_name.into(),
                environment: EnvScopedObjectReference::new(environment),
                runtime_language: None,
            },
        }
    }
}
