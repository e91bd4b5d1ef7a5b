//! What creating or publishing a Connect Artifact takes, and what publishing returns.

use crate::cam::{self, ConnectArtifact};
#[cfg(doc)]
use crate::cam::{ArtifactHandle, Environment};
use crate::http::validate::query_param;
use crate::upload::UploadReceipt;
use crate::wait::WaitOptions;
use crate::{Error, Result};

/// The longest display name `cam/v1` accepts (`ConnectArtifactSpec.display_name`).
const MAX_DISPLAY_NAME: usize = 60;
/// The longest description `cam/v1` accepts (`ConnectArtifactSpec.description`).
const MAX_DESCRIPTION: usize = 256;

/// A Connect Artifact to create with [`Environment::create_artifact`] or publish with
/// [`Environment::publish_artifact`]; its environment and cloud are the handle's.
#[derive(Clone, Debug)]
pub struct NewArtifact {
    display_name: String,
    description: Option<String>,
    wait: Option<WaitOptions>,
}

impl NewArtifact {
    /// An artifact named `display_name`, unique per environment and cloud, at most 60
    /// characters.
    pub fn new(display_name: impl Into<String>) -> Self {
        NewArtifact {
            display_name: display_name.into(),
            description: None,
            wait: None,
        }
    }

    /// A description, at most 256 characters.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// After creating the artifact, reads it per `options` until it is `READY` (see
    /// [`ArtifactHandle::wait_until_ready`]). Without it, the artifact is returned as the
    /// create answered (`WAITING_FOR_PROCESSING`).
    pub fn wait_until_ready(mut self, options: WaitOptions) -> Self {
        self.wait = Some(options);
        self
    }

    pub(crate) fn wait(&self) -> Option<WaitOptions> {
        self.wait
    }

    /// Refuses what the API would refuse with a `422`, before anything is sent.
    pub(crate) fn validate(&self) -> Result<()> {
        query_param("display_name", &self.display_name)?;
        let chars = self.display_name.chars().count();
        if chars > MAX_DISPLAY_NAME {
            return Err(Error::validation(
                "display_name",
                self.display_name.clone(),
                format!("is {chars} characters long, more than the API's {MAX_DISPLAY_NAME}"),
            ));
        }
        if let Some(text) = &self.description {
            let chars = text.chars().count();
            if chars > MAX_DESCRIPTION {
                return Err(Error::validation(
                    "description",
                    text.clone(),
                    format!("is {chars} characters long, more than the API's {MAX_DESCRIPTION}"),
                ));
            }
        }
        if let Some(wait) = &self.wait {
            wait.check()?;
        }
        Ok(())
    }

    /// The create body, in `environment` and `cloud`, for the archive uploaded as
    /// `upload_id`.
    pub(crate) fn to_body(
        &self,
        environment: &str,
        cloud: cam::Cloud,
        upload_id: &str,
    ) -> ConnectArtifact {
        ConnectArtifact {
            api_version: None,
            id: None,
            kind: None,
            metadata: None,
            spec: cam::ConnectArtifactSpec {
                cloud,
                content_format: None,
                description: self.description.clone(),
                display_name: self.display_name.clone(),
                environment: environment.to_owned(),
                plugins: Vec::new(),
                upload_source: Some(cam::UploadSourcePresignedUrl {
                    location: cam::UploadSourceLocation::PresignedUrlLocation,
                    upload_id: upload_id.to_owned(),
                }),
                usages: Vec::new(),
            },
            status: None,
        }
    }
}

/// The result of [`Environment::publish_artifact`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PublishedArtifact {
    /// The artifact: as created, or as last read when waiting for `READY`.
    pub artifact: ConnectArtifact,
    /// The storage upload.
    pub upload: UploadReceipt,
}

#[cfg(test)]
mod tests {
    use super::NewArtifact;

    #[test]
    fn names_and_descriptions_over_the_api_limits_are_refused() {
        assert!(NewArtifact::new("smts").validate().is_ok());
        assert!(NewArtifact::new("é".repeat(60)).validate().is_ok());
        let err = NewArtifact::new("a".repeat(61)).validate().unwrap_err();
        assert!(err.to_string().contains("61 characters long"), "{err}");
        let err = NewArtifact::new("").validate().unwrap_err();
        assert!(err.to_string().contains("display_name"), "{err}");
        let err = NewArtifact::new("x")
            .description("d".repeat(257))
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("description"), "{err}");
    }
}
