//! One environment's Connect Artifacts in one cloud: list, create, upload, publish.

use crate::cam::{
    self, ArtifactHandle, CamApi, Cloud, ConnectArtifact, NewArtifact, PublishedArtifact,
};
use crate::http::ids::{self, IdKind};
use crate::paginate::{ListAnswer as _, Paginator};
use crate::upload::{Archive, ArchiveFormat, PresignedUpload, UploadOptions, missing_in_answer};
use crate::{Error, Result};

/// The Connect Artifacts of one environment (`env-...`) in one cloud, from
/// [`Cam::environment`](crate::cam::Cam::environment). Every call sends both as the API
/// requires (`environment` and `spec.cloud`).
#[derive(Clone, Debug)]
pub struct Environment {
    api: CamApi,
    id: String,
    cloud: Cloud,
}

impl Environment {
    pub(crate) fn new(api: CamApi, id: String, cloud: Cloud) -> Self {
        Environment { api, id, cloud }
    }

    /// The environment id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The cloud.
    pub fn cloud(&self) -> &Cloud {
        &self.cloud
    }

    /// One artifact of the environment, by id.
    pub fn artifact(&self, id: impl Into<String>) -> ArtifactHandle {
        ArtifactHandle::new(self.clone(), id.into())
    }

    pub(crate) fn api(&self) -> &CamApi {
        &self.api
    }

    /// The cloud as the query parameter `spec.cloud`, refusing a cloud this crate does not
    /// know: `cam/v1` would answer it with a `400`, after a round trip.
    pub(crate) fn cloud_param(&self) -> Result<&'static str> {
        match &self.cloud {
            Cloud::Aws => Ok("AWS"),
            Cloud::Azure => Ok("AZURE"),
            Cloud::Gcp => Ok("GCP"),
            Cloud::Unknown(other) => Err(Error::validation(
                "spec.cloud",
                other.clone(),
                "is not a cloud cam/v1 stores artifacts in (AWS, AZURE or GCP)",
            )),
        }
    }

    /// Every artifact of the environment in this cloud, page by page
    /// (`GET /cam/v1/connect-artifacts`).
    pub fn artifacts(&self) -> Paginator<ConnectArtifact> {
        const OP: &str = "list_artifacts";
        let this = self.clone();
        Paginator::new(OP, move |token, size| {
            let this = this.clone();
            async move {
                let cloud = this.cloud_param()?;
                this.api
                    .list_artifacts(&this.id, Some(size), token.as_deref(), cloud)
                    .await?
                    .into_page(OP)
            }
        })
    }

    /// Creates an artifact from an archive already uploaded as `upload_id`
    /// (`POST /cam/v1/connect-artifacts`). The API answers `202` with the artifact
    /// `WAITING_FOR_PROCESSING`; [`ArtifactHandle::wait_until_ready`] waits for the rest.
    pub async fn create_artifact(
        &self,
        artifact: &NewArtifact,
        upload_id: &str,
    ) -> Result<ConnectArtifact> {
        artifact.validate()?;
        crate::http::validate::query_param("upload_id", upload_id)?;
        let cloud = self.cloud_param()?;
        // The environment also travels in the body, where the facade does not look.
        ids::check("environment", IdKind::Environment, &self.id)?;
        let body = artifact.to_body(&self.id, self.cloud.clone(), upload_id);
        self.api.create_artifact(&self.id, cloud, &body).await
    }

    /// Asks for a presigned URL to upload one artifact archive to
    /// (`POST /cam/v1/presigned-upload-url`), in this environment and cloud.
    pub async fn presigned_upload(&self, format: ArchiveFormat) -> Result<PresignedUpload> {
        let cloud = self.cloud_param()?;
        ids::check("environment", IdKind::Environment, &self.id)?;
        let body = cam::PresignedUrlRequest {
            cloud: self.cloud.clone(),
            content_format: match format {
                ArchiveFormat::Zip => cam::ContentFormat::Zip,
                ArchiveFormat::Jar => cam::ContentFormat::Jar,
            },
            environment: self.id.clone(),
        };
        let answer = self.api.create_presigned_upload_url(&body).await?;
        PresignedUpload::from_answer(
            "cam/v1",
            answer.upload_url,
            answer.upload_id,
            answer.upload_form_data,
            answer.cloud.map(|c| c.to_string()),
            answer.content_format.map(|c| c.to_string()),
        )
        .map(|p| p.with_requested_cloud(cloud))
    }

    /// Publishes an artifact in one call:
    ///
    /// 1. a presigned URL for the archive's format, in this environment and cloud;
    /// 2. the upload;
    /// 3. the artifact, from the `upload_id` (`202`, `WAITING_FOR_PROCESSING`);
    /// 4. when [`NewArtifact::wait_until_ready`] was set, reading it per those options
    ///    until `status.phase` is `READY`; `FAILED` ends the wait with
    ///    [`Error::Wait`](crate::Error::Wait), and so does the timeout, with the last phase
    ///    seen. The error of a failed wait comes after the artifact was created: its
    ///    message names the artifact's id so it can be read or deleted.
    ///
    /// The archive (a ZIP or JAR of at most 1 GiB, see [`Archive::open`]), the display
    /// name and the cloud are checked before the first request.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use ccloud_connect::cam::{Cloud, NewArtifact};
    /// use ccloud_connect::upload::{Archive, ArchiveFormat, UploadOptions};
    /// use ccloud_connect::wait::WaitOptions;
    /// # async fn run(client: ccloud_connect::Client) -> ccloud_connect::Result<()> {
    /// let archive = Archive::open("my-smts-1.0.jar", ArchiveFormat::Jar)?;
    /// let artifact = NewArtifact::new("my-smts")
    ///     .description("Masking transforms")
    ///     .wait_until_ready(WaitOptions::new(Duration::from_secs(5), Duration::from_secs(600)));
    /// let published = client
    ///     .cam()
    ///     .environment("env-123", Cloud::Aws)
    ///     .publish_artifact(&artifact, &archive, &UploadOptions::new())
    ///     .await?;
    /// println!("{:?} is ready", published.artifact.id);
    /// # Ok(()) }
    /// ```
    pub async fn publish_artifact(
        &self,
        artifact: &NewArtifact,
        archive: &Archive,
        options: &UploadOptions,
    ) -> Result<PublishedArtifact> {
        artifact.validate()?;
        self.cloud_param()?;
        ids::check("environment", IdKind::Environment, &self.id)?;
        archive.check(options.timeout).await?;
        let presigned = self.presigned_upload(archive.format()).await?;
        let upload = presigned.upload(archive, options).await?;
        let created = self.create_artifact(artifact, &upload.upload_id).await?;
        let artifact = match artifact.wait() {
            Some(wait) => {
                let id = created
                    .id
                    .clone()
                    .filter(|id| !id.is_empty())
                    .ok_or_else(|| missing_in_answer("cam/v1", "create_artifact", "id"))?;
                self.artifact(id).settle(Some(created), wait).await?
            }
            None => created,
        };
        Ok(PublishedArtifact { artifact, upload })
    }
}
