//! A connector's offsets: read, alter or reset, and wait for the change to apply.

use chrono::{DateTime, Utc};

use crate::connect::{
    AlterOffsetsPhase, AlterOffsetsRequest, AlterOffsetsRequestInfo, AlterOffsetsRequestType,
    AlterOffsetsStatus, ConnectorHandle, ConnectorOffset, ConnectorOffsets,
};
use crate::wait::{Failures, Verdict, WaitOptions, poll_until};
use crate::{Error, Result};

/// A change of a connector's offsets.
#[derive(Clone, Debug)]
pub enum OffsetsChange {
    /// `PATCH`: move the listed partitions to the given offsets (at least one).
    Patch(Vec<ConnectorOffset>),
    /// `DELETE`: reset the offsets, as if the connector were new.
    Reset,
}

impl OffsetsChange {
    /// The request body; an empty `Patch` is refused.
    pub fn to_request(&self) -> Result<AlterOffsetsRequest> {
        match self {
            OffsetsChange::Patch(offsets) if offsets.is_empty() => Err(Error::validation(
                "offsets",
                "[]",
                "a PATCH needs at least one partition and offset; use OffsetsChange::Reset to reset",
            )),
            OffsetsChange::Patch(offsets) => Ok(AlterOffsetsRequest {
                type_: AlterOffsetsRequestType::Patch,
                offsets: offsets.clone(),
            }),
            OffsetsChange::Reset => Ok(AlterOffsetsRequest {
                type_: AlterOffsetsRequestType::Delete,
                offsets: Vec::new(),
            }),
        }
    }
}

/// The offsets of one connector, from [`ConnectorHandle::offsets`].
#[derive(Clone, Debug)]
pub struct OffsetsHandle {
    connector: ConnectorHandle,
}

impl OffsetsHandle {
    pub(crate) fn new(connector: ConnectorHandle) -> Self {
        OffsetsHandle { connector }
    }

    fn ids(&self) -> (&str, &str, &str) {
        let cluster = self.connector.cluster();
        (
            cluster.environment_id(),
            cluster.kafka_cluster_id(),
            self.connector.name(),
        )
    }

    /// The connector's current offsets (`GET .../offsets`).
    pub async fn get(&self) -> Result<ConnectorOffsets> {
        let (env, cluster, name) = self.ids();
        self.connector
            .cluster()
            .api()
            .get_connector_offsets(env, cluster, name)
            .await
    }

    /// Asks for the offsets to be patched or reset (`POST .../offsets/request`) and returns
    /// the request as recorded. An empty [`OffsetsChange::Patch`] is refused before
    /// sending. Follow it with [`wait_until_applied`](Self::wait_until_applied), or use
    /// [`alter_and_wait`](Self::alter_and_wait).
    pub async fn alter(&self, change: OffsetsChange) -> Result<AlterOffsetsRequestInfo> {
        let body = change.to_request()?;
        let (env, cluster, name) = self.ids();
        self.connector
            .cluster()
            .api()
            .alter_connector_offsets(env, cluster, name, &body)
            .await
    }

    /// The status of the latest alteration (`GET .../offsets/request/status`).
    pub async fn request_status(&self) -> Result<AlterOffsetsStatus> {
        let (env, cluster, name) = self.ids();
        self.connector
            .cluster()
            .api()
            .get_connector_offsets_request_status(env, cluster, name)
            .await
    }

    /// Polls [`request_status`](Self::request_status) until the latest alteration is
    /// `APPLIED`.
    ///
    /// * `PENDING` and `PENDING_VALIDATION` are pending, as is a phase this crate does not
    ///   know yet (reported as the last state if the wait times out).
    /// * `FAILED` ends the wait at once with an [`Error::Wait`] carrying the server's
    ///   message; the offsets are then unchanged.
    /// * When the timeout passes, an [`Error::Wait`] with `timed_out` reports the last phase.
    ///
    /// This reads whichever alteration is the latest; after a request of your own, prefer
    /// [`alter_and_wait`](Self::alter_and_wait), which ignores the status of an earlier
    /// one. Cancel-safe.
    pub async fn wait_until_applied(&self, options: WaitOptions) -> Result<AlterOffsetsStatus> {
        self.wait_applied(None, options).await
    }

    /// Alters the offsets and waits until the alteration is `APPLIED`, with the states
    /// handled as in [`wait_until_applied`](Self::wait_until_applied).
    ///
    /// While the status still describes an alteration requested before this one (its
    /// `requested_at` is earlier than the one the server gave this request), it counts as
    /// pending, so an earlier `APPLIED` is not taken for this one. When either time is
    /// missing the status is taken as it is.
    pub async fn alter_and_wait(
        &self,
        change: OffsetsChange,
        options: WaitOptions,
    ) -> Result<AlterOffsetsStatus> {
        options.check()?;
        let request = self.alter(change).await?;
        self.wait_applied(request.requested_at, options).await
    }

    async fn wait_applied(
        &self,
        requested_at: Option<DateTime<Utc>>,
        options: WaitOptions,
    ) -> Result<AlterOffsetsStatus> {
        poll_until(
            options,
            format!(
                "the offsets of connector {:?} to be APPLIED",
                self.connector.name()
            ),
            None,
            Failures::Final,
            || self.request_status(),
            |status| judge_offsets(status, requested_at),
        )
        .await
    }
}

/// `APPLIED` is done; `FAILED` ends the wait with the server's message; `PENDING`,
/// `PENDING_VALIDATION` and values this crate does not know are pending. A status whose
/// request is older than `ours` describes an earlier alteration and is pending too.
fn judge_offsets(
    status: AlterOffsetsStatus,
    ours: Option<DateTime<Utc>>,
) -> Verdict<AlterOffsetsStatus> {
    let theirs = status.request.as_ref().and_then(|r| r.requested_at);
    let phase = &status.status.phase;
    if let (Some(ours), Some(theirs)) = (ours, theirs)
        && theirs < ours
    {
        return Verdict::Pending(format!("{phase} (of an earlier request)"));
    }
    match phase {
        AlterOffsetsPhase::Applied => Verdict::Done(status),
        AlterOffsetsPhase::Failed => Verdict::Failed {
            state: phase.to_string(),
            detail: status.status.message.clone(),
        },
        other => Verdict::Pending(other.to_string()),
    }
}
