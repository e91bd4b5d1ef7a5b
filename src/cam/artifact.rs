//! One Connect Artifact, and the wait until it is `READY`.

use crate::Result;
use crate::cam::{ArtifactPhase, ConnectArtifact, Environment};
use crate::wait::{Failures, Verdict, WaitOptions, poll_until};

/// One Connect Artifact, from [`Environment::artifact`].
#[derive(Clone, Debug)]
pub struct ArtifactHandle {
    environment: Environment,
    id: String,
}

impl ArtifactHandle {
    pub(crate) fn new(environment: Environment, id: String) -> Self {
        ArtifactHandle { environment, id }
    }

    /// The artifact id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The artifact (`GET /cam/v1/connect-artifacts/{id}`).
    pub async fn get(&self) -> Result<ConnectArtifact> {
        let cloud = self.environment.cloud_param()?;
        self.environment
            .api()
            .get_artifact(&self.id, self.environment.id(), cloud)
            .await
    }

    /// Deletes the artifact (`DELETE /cam/v1/connect-artifacts/{id}`).
    pub async fn delete(&self) -> Result<()> {
        let cloud = self.environment.cloud_param()?;
        self.environment
            .api()
            .delete_artifact(&self.id, self.environment.id(), cloud)
            .await
    }

    /// Reads the artifact every [`WaitOptions::interval`] until its `status.phase` is
    /// `READY`, and returns it as last read.
    ///
    /// Fails with [`Error::Wait`](crate::Error::Wait): on `FAILED` (the API gives no
    /// reason in the artifact; the detail says so), and when [`WaitOptions::timeout`] runs
    /// out, with the last phase seen. `WAITING_FOR_PROCESSING`, `PROCESSING` and phases
    /// this crate does not know keep the wait going. Errors of the reads end the wait as
    /// they are (transient ones are retried by the client's policy first). Cancel-safe.
    pub async fn wait_until_ready(&self, options: WaitOptions) -> Result<ConnectArtifact> {
        self.settle(None, options).await
    }

    /// Polls the artifact (judging `known` first, when given) until `READY`.
    pub(crate) async fn settle(
        &self,
        known: Option<ConnectArtifact>,
        options: WaitOptions,
    ) -> Result<ConnectArtifact> {
        poll_until(
            options,
            format!("artifact {:?} to be READY", self.id),
            known,
            Failures::Final,
            || self.get(),
            judge,
        )
        .await
    }
}

/// `READY` ends the wait and `FAILED` fails it; every other phase is pending.
fn judge(artifact: ConnectArtifact) -> Verdict<ConnectArtifact> {
    match artifact.status.as_ref().map(|s| &s.phase) {
        Some(ArtifactPhase::Ready) => Verdict::Done(artifact),
        Some(ArtifactPhase::Failed) => Verdict::Failed {
            state: "FAILED".to_owned(),
            detail: Some(format!(
                "artifact {} could not be processed; check that the archive holds the \
                 transform classes, then delete it and publish again",
                artifact.id.as_deref().unwrap_or("(no id)")
            )),
        },
        Some(other) => Verdict::Pending(other.as_str().to_owned()),
        None => Verdict::Pending("without a status".to_owned()),
    }
}
