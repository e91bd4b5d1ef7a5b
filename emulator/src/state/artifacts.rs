//! A `cam/v1` Connect Artifact as the store keeps it, and its processing phase over time:
//! `WAITING_FOR_PROCESSING`, then `PROCESSING`, then `READY`, or `FAILED` when its archive
//! is not a ZIP/JAR or a failure was injected. A leaf: phases are computed from instants
//! when read, so no background task runs.

use ccloud_connect::cam;
use tokio::time::Instant;

/// One Connect Artifact, stored as answered but for its status.
#[derive(Clone, Debug)]
pub(crate) struct Artifact {
    pub(crate) seq: u64,
    pub(crate) artifact: cam::ConnectArtifact,
    /// When processing starts (`WAITING_FOR_PROCESSING` before).
    pub(crate) processing_at: Instant,
    /// When processing ends (`PROCESSING` before, `READY` or `FAILED` after).
    pub(crate) ready_at: Instant,
    /// Why processing fails, when it does.
    pub(crate) failure: Option<String>,
}

impl Artifact {
    pub(crate) fn environment(&self) -> &str {
        &self.artifact.spec.environment
    }

    pub(crate) fn cloud(&self) -> &str {
        self.artifact.spec.cloud.as_str()
    }

    pub(crate) fn phase(&self, now: Instant) -> cam::ArtifactPhase {
        if now < self.processing_at {
            cam::ArtifactPhase::WaitingForProcessing
        } else if now < self.ready_at {
            cam::ArtifactPhase::Processing
        } else if self.failure.is_some() {
            cam::ArtifactPhase::Failed
        } else {
            cam::ArtifactPhase::Ready
        }
    }

    /// The artifact as answered, with its current phase.
    pub(crate) fn view(&self, now: Instant) -> cam::ConnectArtifact {
        let mut a = self.artifact.clone();
        a.status = Some(cam::ConnectArtifactStatus {
            phase: self.phase(now),
        });
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn phases_follow_the_instants_and_a_failure_shows_once_processed() {
        let start = Instant::now();
        let mut a = Artifact {
            seq: 1,
            artifact: cam::ConnectArtifact {
                api_version: None,
                id: Some("ca-1".into()),
                kind: None,
                metadata: None,
                spec: cam::ConnectArtifactSpec {
                    cloud: cam::Cloud::Aws,
                    content_format: None,
                    description: None,
                    display_name: "smts".into(),
                    environment: "env-1".into(),
                    plugins: Vec::new(),
                    upload_source: None,
                    usages: Vec::new(),
                },
                status: None,
            },
            processing_at: start + Duration::from_millis(10),
            ready_at: start + Duration::from_millis(20),
            failure: None,
        };
        assert_eq!(a.phase(start), cam::ArtifactPhase::WaitingForProcessing);
        assert_eq!(
            a.phase(start + Duration::from_millis(10)),
            cam::ArtifactPhase::Processing
        );
        assert_eq!(
            a.phase(start + Duration::from_millis(20)),
            cam::ArtifactPhase::Ready
        );
        a.failure = Some("bad archive".into());
        assert_eq!(
            a.phase(start + Duration::from_millis(15)),
            cam::ArtifactPhase::Processing
        );
        assert_eq!(
            a.view(start + Duration::from_millis(20))
                .status
                .unwrap()
                .phase,
            cam::ArtifactPhase::Failed
        );
    }
}
