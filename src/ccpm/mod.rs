//! `ccpm/v1`: Custom Connect Plugin Management, environment-scoped plugins and their
//! versions, and presigned upload URLs.
//!
//! Start from [`Client::ccpm`](crate::Client::ccpm), which returns the [`Ccpm`] handle;
//! [`Ccpm::environment`] names an environment once, and its [`Environment`] handle lists,
//! creates and publishes plugins, whose [`PluginHandle`] reaches their versions.
//!
//! The generated operations, one method per operationId of the API, are the raw layer
//! underneath: [`Ccpm::raw`] returns them as a [`CcpmApi`]. The request and response types
//! of both layers are defined in this module.

mod constructors;
mod environment;
mod plugin;
mod publish;
mod version;

pub use environment::Environment;
pub use plugin::{NewPlugin, PluginChange, PluginHandle};
pub use publish::{NewPluginVersion, PluginRef, PublishedPluginVersion};
pub use version::VersionHandle;

pub use crate::generated::ccpm::CcpmApi;
/// The progenitor client underneath [`CcpmApi`], for access to raw responses
/// ([`CcpmApi::progenitor`]).
pub use crate::generated::ccpm::Client as RawClient;
#[cfg(feature = "mock")]
pub use crate::generated::ccpm::mock;
pub use crate::generated::ccpm::types::*;

/// `ccpm/v1`, from [`Client::ccpm`](crate::Client::ccpm).
#[derive(Clone, Debug)]
pub struct Ccpm {
    api: CcpmApi,
}

impl Ccpm {
    pub(crate) fn new(api: CcpmApi) -> Self {
        Ccpm { api }
    }

    /// The generated operations, one method per operationId of `ccpm/v1`, each
    /// authenticated, retried and checked like the handles' methods.
    pub fn raw(&self) -> &CcpmApi {
        &self.api
    }

    /// The plugins of one environment (`env-...`).
    pub fn environment(&self, environment_id: impl Into<String>) -> Environment {
        Environment::new(self.api.clone(), environment_id.into())
    }
}
