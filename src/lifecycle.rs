//! Pause, resume and restart with optional waits, state waiters, and offsets alteration.
//!
//! Pause, resume, restart and offsets changes are asynchronous on the server: the API
//! accepts them (`202`) and the connector gets there later. The waiters poll until the
//! wanted state, a failure state, or the caller's timeout.
//!
//! Every wait is a plain `async fn` that sleeps between reads and holds no lock: dropping
//! its future (say, inside `tokio::time::timeout` or `tokio::select!`) stops the polling at
//! once, and nothing is left running.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

use crate::connect::{
    AlterOffsetsPhase, AlterOffsetsRequest, AlterOffsetsRequestInfo, AlterOffsetsRequestType,
    AlterOffsetsStatus, ConnectApi, ConnectorOffset, ConnectorState, ConnectorStatus,
};
use crate::{Error, Result};

/// How often to poll and for how long, for the waiters.
///
/// The timeout bounds when the last read may start: reads happen at the start, then every
/// `interval`, and once more at the deadline; a read in flight at the deadline is allowed
/// to finish (each read is bounded by the client's request timeout). A zero timeout makes
/// exactly one read, or none when an answer is already at hand (a publish judges the
/// create's answer first).
///
/// ```
/// use std::time::Duration;
/// let options = ccloud_connect::WaitOptions::new(Duration::from_secs(2), Duration::from_secs(300));
/// assert_eq!(options.interval(), Duration::from_secs(2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WaitOptions {
    interval: Duration,
    timeout: Duration,
}

impl Default for WaitOptions {
    /// Every 5 seconds for up to 10 minutes: provisioning a connector commonly takes
    /// minutes.
    fn default() -> Self {
        WaitOptions {
            interval: Duration::from_secs(5),
            timeout: Duration::from_secs(600),
        }
    }
}

impl WaitOptions {
    /// Polls every `interval` for up to `timeout`. A zero interval is refused when a wait
    /// starts.
    pub fn new(interval: Duration, timeout: Duration) -> Self {
        WaitOptions { interval, timeout }
    }

    /// Time between two reads.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Time after which no new read starts.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.interval.is_zero() {
            return Err(Error::validation(
                "wait interval",
                "0s",
                "must be positive, or the wait would flood the API with reads",
            ));
        }
        Ok(())
    }
}

/// Whether a lifecycle call returns once the server accepted it, or waits for its effect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Wait {
    /// Return once the server accepted the request.
    #[default]
    No,
    /// Poll `/status` with these options until the connector reaches the state the call
    /// leads to.
    With(WaitOptions),
}

/// A connector state a wait can aim at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TargetState {
    /// `RUNNING`: after creation, resume or restart.
    Running,
    /// `PAUSED`: after pause.
    Paused,
}

impl TargetState {
    /// The connector state this target is reached at.
    pub fn state(self) -> ConnectorState {
        match self {
            TargetState::Running => ConnectorState::Running,
            TargetState::Paused => ConnectorState::Paused,
        }
    }
}

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

/// What one read says about a wait.
pub(crate) enum Verdict<T> {
    Done(T),
    Pending(String),
    Failed {
        state: String,
        detail: Option<String>,
    },
}

/// Reads until `judge` says done or failed, or the timeout passes. `first`, when given, is
/// judged before any read (an answer the caller already holds, such as a create's).
pub(crate) async fn poll_until<T, F, Fut>(
    options: WaitOptions,
    what: String,
    mut first: Option<T>,
    mut read: F,
    judge: impl Fn(T) -> Verdict<T>,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    options.check()?;
    let started = Instant::now();
    // A timeout too large for the clock (Duration::MAX, say) means no deadline.
    let deadline = started.checked_add(options.timeout);
    loop {
        let value = match first.take() {
            Some(value) => value,
            None => read().await?,
        };
        let state = match judge(value) {
            Verdict::Done(value) => return Ok(value),
            Verdict::Failed { state, detail } => {
                return Err(Error::Wait {
                    what,
                    last_state: Some(state),
                    timed_out: false,
                    detail,
                    waited: started.elapsed(),
                });
            }
            Verdict::Pending(state) => state,
        };
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            return Err(Error::Wait {
                what,
                last_state: Some(state),
                timed_out: true,
                detail: None,
                waited: started.elapsed(),
            });
        }
        tracing::debug!(%what, %state, "still waiting");
        let left = deadline.map_or(options.interval, |d| d - now);
        tokio::time::sleep(options.interval.min(left)).await;
    }
}

/// `FAILED` ends a wait with the connector's trace and its failed tasks' messages;
/// `DELETED` ends it too, since the connector cannot come back. Every other state,
/// including `PROVISIONING`, `DEGRADED` and values this crate does not know, is pending.
fn judge_connector(status: ConnectorStatus, target: TargetState) -> Verdict<ConnectorStatus> {
    let state = &status.connector.state;
    if *state == target.state() {
        return Verdict::Done(status);
    }
    match state {
        ConnectorState::Failed => Verdict::Failed {
            state: state.to_string(),
            detail: failure_detail(&status),
        },
        ConnectorState::Deleted => Verdict::Failed {
            state: state.to_string(),
            detail: Some("the connector was deleted".to_owned()),
        },
        other => Verdict::Pending(other.to_string()),
    }
}

fn failure_detail(status: &ConnectorStatus) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(trace) = status.connector.trace.as_deref().map(str::trim)
        && !trace.is_empty()
    {
        parts.push(format!("trace: {trace}"));
    }
    for task in &status.tasks {
        if task.state == ConnectorState::Failed {
            match task.msg.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
                Some(msg) => parts.push(format!("task {} FAILED: {msg}", task.id)),
                None => parts.push(format!("task {} FAILED", task.id)),
            }
        }
    }
    (!parts.is_empty()).then(|| parts.join("; "))
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

impl ConnectApi {
    /// Polls `/status` until the connector reaches `target`, and returns that status.
    ///
    /// * `PROVISIONING`, `DEGRADED` and other states are pending (for [`TargetState::Paused`]
    ///   so is `RUNNING`, for [`TargetState::Running`] so is `PAUSED`: the change may not
    ///   have started yet).
    /// * `FAILED` ends the wait at once with an [`Error::Wait`] carrying the connector's
    ///   trace and the messages of its failed tasks; so does `DELETED`.
    /// * When `options.timeout()` passes, an [`Error::Wait`] with `timed_out` reports the
    ///   last state seen.
    ///
    /// A connector `RUNNING` with some failed tasks counts as running: look at
    /// [`ConnectorStatus::tasks`] in the result. An error reading the status (a `404` for a
    /// connector that does not exist, say) ends the wait with that error.
    ///
    /// Cancel-safe: dropping the future stops the polling.
    pub async fn wait_for_state(
        &self,
        environment_id: &str,
        kafka_cluster_id: &str,
        connector_name: &str,
        target: TargetState,
        options: WaitOptions,
    ) -> Result<ConnectorStatus> {
        poll_until(
            options,
            format!("connector {connector_name:?} to be {}", target.state()),
            None,
            || self.get_connector_status(environment_id, kafka_cluster_id, connector_name),
            |status| judge_connector(status, target),
        )
        .await
    }

    /// Sends a lifecycle request (`request`, not polled before the wait options are
    /// checked), then waits for `target` when asked to.
    async fn change_state(
        &self,
        environment_id: &str,
        kafka_cluster_id: &str,
        connector_name: &str,
        target: TargetState,
        wait: Wait,
        request: impl Future<Output = Result<()>>,
    ) -> Result<Option<ConnectorStatus>> {
        let options = match wait {
            Wait::No => None,
            Wait::With(options) => {
                options.check()?;
                Some(options)
            }
        };
        request.await?;
        match options {
            None => Ok(None),
            Some(options) => self
                .wait_for_state(
                    environment_id,
                    kafka_cluster_id,
                    connector_name,
                    target,
                    options,
                )
                .await
                .map(Some),
        }
    }

    /// Pauses a connector (`PUT .../pause`); with [`Wait::With`], waits until it is
    /// `PAUSED` (see [`wait_for_state`](Self::wait_for_state)) and returns that status.
    pub async fn pause(
        &self,
        environment_id: &str,
        kafka_cluster_id: &str,
        connector_name: &str,
        wait: Wait,
    ) -> Result<Option<ConnectorStatus>> {
        let request = self.pause_connector(environment_id, kafka_cluster_id, connector_name);
        self.change_state(
            environment_id,
            kafka_cluster_id,
            connector_name,
            TargetState::Paused,
            wait,
            request,
        )
        .await
    }

    /// Resumes a paused connector (`PUT .../resume`); with [`Wait::With`], waits until it
    /// is `RUNNING` and returns that status.
    pub async fn resume(
        &self,
        environment_id: &str,
        kafka_cluster_id: &str,
        connector_name: &str,
        wait: Wait,
    ) -> Result<Option<ConnectorStatus>> {
        let request = self.resume_connector(environment_id, kafka_cluster_id, connector_name);
        self.change_state(
            environment_id,
            kafka_cluster_id,
            connector_name,
            TargetState::Running,
            wait,
            request,
        )
        .await
    }

    /// Restarts a connector (`POST .../restart`, a Preview endpoint); with [`Wait::With`],
    /// waits until it is `RUNNING` and returns that status.
    ///
    /// The API reports no restart phase, so a first read may still see the connector
    /// `RUNNING` from before the restart took effect: the wait confirms the connector is
    /// running, not that the restart has finished.
    pub async fn restart(
        &self,
        environment_id: &str,
        kafka_cluster_id: &str,
        connector_name: &str,
        wait: Wait,
    ) -> Result<Option<ConnectorStatus>> {
        let request = self.restart_connector(environment_id, kafka_cluster_id, connector_name);
        self.change_state(
            environment_id,
            kafka_cluster_id,
            connector_name,
            TargetState::Running,
            wait,
            request,
        )
        .await
    }

    /// Asks for a connector's offsets to be patched or reset (`POST .../offsets/request`)
    /// and returns the request as recorded. An empty [`OffsetsChange::Patch`] is refused
    /// before sending. Follow it with
    /// [`wait_for_offsets_applied`](Self::wait_for_offsets_applied), or use
    /// [`alter_offsets_and_wait`](Self::alter_offsets_and_wait).
    pub async fn alter_offsets(
        &self,
        environment_id: &str,
        kafka_cluster_id: &str,
        connector_name: &str,
        change: &OffsetsChange,
    ) -> Result<AlterOffsetsRequestInfo> {
        let body = change.to_request()?;
        self.alter_connector_offsets(environment_id, kafka_cluster_id, connector_name, &body)
            .await
    }

    /// Polls `/offsets/request/status` until the latest alteration is `APPLIED`.
    ///
    /// * `PENDING` and `PENDING_VALIDATION` are pending, as is a phase this crate does not
    ///   know yet (reported as the last state if the wait times out).
    /// * `FAILED` ends the wait at once with an [`Error::Wait`] carrying the server's
    ///   message; the offsets are then unchanged.
    /// * When the timeout passes, an [`Error::Wait`] with `timed_out` reports the last phase.
    ///
    /// This reads whichever alteration is the latest; after a request of your own, prefer
    /// [`alter_offsets_and_wait`](Self::alter_offsets_and_wait), which ignores the status
    /// of an earlier one. Cancel-safe.
    pub async fn wait_for_offsets_applied(
        &self,
        environment_id: &str,
        kafka_cluster_id: &str,
        connector_name: &str,
        options: WaitOptions,
    ) -> Result<AlterOffsetsStatus> {
        self.wait_offsets(
            environment_id,
            kafka_cluster_id,
            connector_name,
            None,
            options,
        )
        .await
    }

    /// Alters the offsets and waits until the alteration is `APPLIED`, with the states
    /// handled as in [`wait_for_offsets_applied`](Self::wait_for_offsets_applied).
    ///
    /// While the status still describes an alteration requested before this one (its
    /// `requested_at` is earlier than the one the server gave this request), it counts as
    /// pending, so an earlier `APPLIED` is not taken for this one. When either time is
    /// missing the status is taken as it is.
    pub async fn alter_offsets_and_wait(
        &self,
        environment_id: &str,
        kafka_cluster_id: &str,
        connector_name: &str,
        change: &OffsetsChange,
        options: WaitOptions,
    ) -> Result<AlterOffsetsStatus> {
        options.check()?;
        let request = self
            .alter_offsets(environment_id, kafka_cluster_id, connector_name, change)
            .await?;
        self.wait_offsets(
            environment_id,
            kafka_cluster_id,
            connector_name,
            request.requested_at,
            options,
        )
        .await
    }

    async fn wait_offsets(
        &self,
        environment_id: &str,
        kafka_cluster_id: &str,
        connector_name: &str,
        requested_at: Option<DateTime<Utc>>,
        options: WaitOptions,
    ) -> Result<AlterOffsetsStatus> {
        poll_until(
            options,
            format!("the offsets of connector {connector_name:?} to be APPLIED"),
            None,
            || {
                self.get_connector_offsets_request_status(
                    environment_id,
                    kafka_cluster_id,
                    connector_name,
                )
            },
            |status| judge_offsets(status, requested_at),
        )
        .await
    }
}
