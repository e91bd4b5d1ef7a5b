//! One connector: reads, updates, lifecycle actions and the waits that follow them.

use std::future::Future;

use crate::connect::{
    Cluster, Connector, ConnectorConfig, ConnectorSpec, ConnectorState, ConnectorStatus,
    ConnectorTaskInfo, OffsetsHandle,
};
use crate::wait::{Verdict, Wait, WaitOptions, poll_until};
use crate::{Error, Result};

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

/// One connector of a [`Cluster`], by name, from [`Cluster::connector`].
///
/// Pause, resume and restart are asynchronous on the server (`202 Accepted`): each takes a
/// [`Wait`] that says whether to return once the server accepted the action or to poll
/// `/status` until the connector gets where the action leads.
#[derive(Clone, Debug)]
pub struct ConnectorHandle {
    cluster: Cluster,
    name: String,
}

impl ConnectorHandle {
    pub(crate) fn new(cluster: Cluster, name: String) -> Self {
        ConnectorHandle { cluster, name }
    }

    /// The connector's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The cluster the connector belongs to.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The connector's offsets.
    pub fn offsets(&self) -> OffsetsHandle {
        OffsetsHandle::new(self.clone())
    }

    fn ids(&self) -> (&str, &str, &str) {
        (
            self.cluster.environment_id(),
            self.cluster.kafka_cluster_id(),
            &self.name,
        )
    }

    /// The connector: name, type, configuration (secrets masked) and tasks.
    pub async fn get(&self) -> Result<Connector> {
        let (env, cluster, name) = self.ids();
        self.cluster.api().get_connector(env, cluster, name).await
    }

    /// The connector's state and its tasks' states (`GET .../status`).
    pub async fn status(&self) -> Result<ConnectorStatus> {
        let (env, cluster, name) = self.ids();
        self.cluster
            .api()
            .get_connector_status(env, cluster, name)
            .await
    }

    /// The connector's tasks (`GET .../tasks`).
    pub async fn tasks(&self) -> Result<Vec<ConnectorTaskInfo>> {
        let (env, cluster, name) = self.ids();
        self.cluster
            .api()
            .list_connector_tasks(env, cluster, name)
            .await
    }

    /// The connector's configuration, secrets masked (`GET .../config`).
    pub async fn config(&self) -> Result<ConnectorConfig> {
        let (env, cluster, name) = self.ids();
        self.cluster
            .api()
            .get_connector_config(env, cluster, name)
            .await
    }

    /// The configuration as a [`ConnectorSpec`] to change and send back with
    /// [`update`](Self::update). Secrets come back masked; see [`ConnectorSpec::from_read`].
    pub async fn spec(&self) -> Result<ConnectorSpec> {
        Ok(ConnectorSpec::from_read(
            self.name.clone(),
            self.config().await?,
        ))
    }

    /// Replaces the connector's configuration with a checked spec (`PUT .../config`; the
    /// API creates the connector when absent). Nothing is sent when the spec fails
    /// [`ConnectorSpec::validate`], in particular while it holds a masked secret, or when it
    /// names another connector.
    pub async fn update(&self, spec: &ConnectorSpec) -> Result<Connector> {
        if spec.name() != self.name {
            return Err(Error::validation(
                "connector name",
                spec.name(),
                format!(
                    "the spec must name the connector it updates, {:?}",
                    self.name
                ),
            ));
        }
        let config = spec.to_config()?;
        let (env, cluster, name) = self.ids();
        self.cluster
            .api()
            .put_connector_config(env, cluster, name, &config)
            .await
    }

    /// Read-modify-write: reads the configuration, applies `change`, checks the result and
    /// sends it. The update is refused, with nothing sent, while a secret is still masked:
    /// `change` must give each masked secret again or remove it.
    ///
    /// ```no_run
    /// # async fn run(client: ccloud_connect::Client) -> ccloud_connect::Result<()> {
    /// client
    ///     .connect()
    ///     .cluster("env-1", "lkc-1")
    ///     .connector("s3-sink")
    ///     .modify(|spec| {
    ///         spec.set("time.interval", "DAILY")
    ///             .kafka_api_key("KAFKA-KEY")
    ///             .kafka_api_secret("kafka-secret")
    ///             .secret("aws.access.key.id", "AKIA...")
    ///             .secret("aws.secret.access.key", "...")
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn modify(
        &self,
        change: impl FnOnce(ConnectorSpec) -> ConnectorSpec,
    ) -> Result<Connector> {
        let spec = change(self.spec().await?);
        if spec.name() != self.name {
            return Err(Error::validation(
                "connector name",
                spec.name(),
                format!("a read-modify-write of {:?} cannot rename it", self.name),
            ));
        }
        self.update(&spec).await
    }

    /// Deletes the connector (`DELETE .../connectors/{name}`).
    pub async fn delete(&self) -> Result<()> {
        let (env, cluster, name) = self.ids();
        self.cluster
            .api()
            .delete_connector(env, cluster, name)
            .await
            .map(drop)
    }

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
    pub async fn wait_for(
        &self,
        target: TargetState,
        options: WaitOptions,
    ) -> Result<ConnectorStatus> {
        poll_until(
            options,
            format!("connector {:?} to be {}", self.name, target.state()),
            None,
            || self.status(),
            |status| judge_connector(status, target),
        )
        .await
    }

    /// Sends a lifecycle request (`request`, not polled before the wait options are
    /// checked), then waits for `target` when asked to.
    async fn change_state(
        &self,
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
            Some(options) => self.wait_for(target, options).await.map(Some),
        }
    }

    /// Pauses the connector (`PUT .../pause`); with [`Wait::With`], waits until it is
    /// `PAUSED` (see [`wait_for`](Self::wait_for)) and returns that status.
    pub async fn pause(&self, wait: Wait) -> Result<Option<ConnectorStatus>> {
        let (env, cluster, name) = self.ids();
        let request = self.cluster.api().pause_connector(env, cluster, name);
        self.change_state(TargetState::Paused, wait, request).await
    }

    /// Resumes a paused connector (`PUT .../resume`); with [`Wait::With`], waits until it
    /// is `RUNNING` and returns that status.
    pub async fn resume(&self, wait: Wait) -> Result<Option<ConnectorStatus>> {
        let (env, cluster, name) = self.ids();
        let request = self.cluster.api().resume_connector(env, cluster, name);
        self.change_state(TargetState::Running, wait, request).await
    }

    /// Restarts the connector (`POST .../restart`, a Preview endpoint); with
    /// [`Wait::With`], waits until it is `RUNNING` and returns that status.
    ///
    /// The API reports no restart phase, so a first read may still see the connector
    /// `RUNNING` from before the restart took effect: the wait confirms the connector is
    /// running, not that the restart has finished.
    pub async fn restart(&self, wait: Wait) -> Result<Option<ConnectorStatus>> {
        let (env, cluster, name) = self.ids();
        let request = self.cluster.api().restart_connector(env, cluster, name);
        self.change_state(TargetState::Running, wait, request).await
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
