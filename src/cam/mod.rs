//! `cam/v1`: Connect Artifacts, the archives of custom single message transforms (SMTs)
//! that connectors of an environment can use, and their presigned upload URLs.
//!
//! Start from [`Client::cam`](crate::Client::cam), which returns the [`Cam`] handle;
//! [`Cam::environment`] names an environment and a cloud once (every `cam/v1` call takes
//! both), and its [`Environment`] handle lists, creates, uploads and publishes artifacts,
//! whose [`ArtifactHandle`] reads, deletes and waits for one.
//!
//! The generated operations, one method per operationId of the API, are the raw layer
//! underneath: [`Cam::raw`] returns them as a [`CamApi`]. The request and response types
//! of both layers are defined in this module.

mod artifact;
mod environment;
mod publish;

pub use artifact::ArtifactHandle;
pub use environment::Environment;
pub use publish::{NewArtifact, PublishedArtifact};

pub use crate::generated::cam::CamApi;
/// The progenitor client underneath [`CamApi`], for access to raw responses
/// ([`CamApi::progenitor`]).
pub use crate::generated::cam::Client as RawClient;
#[cfg(feature = "mock")]
pub use crate::generated::cam::mock;
pub use crate::generated::cam::types::*;

/// `cam/v1`, from [`Client::cam`](crate::Client::cam).
#[derive(Clone, Debug)]
pub struct Cam {
    api: CamApi,
}

impl Cam {
    pub(crate) fn new(api: CamApi) -> Self {
        Cam { api }
    }

    /// The generated operations, one method per operationId of `cam/v1`, each
    /// authenticated, retried and checked like the handles' methods.
    pub fn raw(&self) -> &CamApi {
        &self.api
    }

    /// The Connect Artifacts of one environment (`env-...`) in one cloud: `cam/v1` scopes
    /// every artifact by both, so they are given once here.
    pub fn environment(&self, environment_id: impl Into<String>, cloud: Cloud) -> Environment {
        Environment::new(self.api.clone(), environment_id.into(), cloud)
    }
}
