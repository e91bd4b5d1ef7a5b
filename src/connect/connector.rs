//! One connector: reads, updates, lifecycle actions and the waits that follow them.

use std::future::Future;
use std::time::Duration;

use crate::connect::{
    Cluster, Connector, ConnectorConfig, ConnectorSpec, ConnectorState, ConnectorStatus,
    ConnectorTaskInfo, MaskedSecrets, OffsetsHandle,
};
use tokio::time::Instant;

use crate::wait::{Failures, Verdict, Wait, WaitOptions, poll_until};
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
    /// names another connector. With [`Cluster::check_pinned_versions`], a pinned plugin
    /// version is looked up first.
    pub async fn update(&self, spec: &ConnectorSpec) -> Result<Connector> {
        let config = self.checked_config(spec)?;
        self.cluster.check_pinned_version(spec).await?;
        let (env, cluster, name) = self.ids();
        self.cluster
            .api()
            .put_connector_config(env, cluster, name, &config)
            .await
    }

    fn checked_config(&self, spec: &ConnectorSpec) -> Result<ConnectorConfig> {
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
        spec.to_config()
    }

    /// Read-modify-write ("change these keys, keep the rest"): reads the configuration,
    /// applies `change`, checks the result and sends it. `masked` says what happens to the
    /// secrets the read returned masked and `change` did not set again (see the
    /// [masked secrets model](ConnectorSpec#masked-secrets)):
    ///
    /// * [`MaskedSecrets::Refuse`]: nothing is sent while one is left; the error names them.
    /// * [`MaskedSecrets::KeepStored`]: the masks are sent back and the API keeps the stored
    ///   secrets, as Confluent's CLI does.
    ///
    /// ```no_run
    /// use ccloud_connect::connect::MaskedSecrets;
    /// # async fn run(client: ccloud_connect::Client) -> ccloud_connect::Result<()> {
    /// // Rotate the Kafka key of one connector without holding its other secrets.
    /// client
    ///     .connect()
    ///     .cluster("env-1", "lkc-1")
    ///     .connector("s3-sink")
    ///     .modify(MaskedSecrets::KeepStored, |spec| {
    ///         spec.kafka_api_key("NEW-KAFKA-KEY")
    ///             .kafka_api_secret("new-kafka-secret")
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn modify(
        &self,
        masked: MaskedSecrets,
        change: impl FnOnce(ConnectorSpec) -> ConnectorSpec,
    ) -> Result<Connector> {
        let spec = self.modified_spec(masked, change).await?;
        self.update(&spec).await
    }

    /// [`modify`](Self::modify), then waits until the connector runs again under the new
    /// configuration, as [`update_and_wait`](Self::update_and_wait) does (the status read
    /// before the change, and the [settle](WaitOptions::settle) rule for reads that still
    /// show it).
    ///
    /// ```no_run
    /// use ccloud_connect::connect::MaskedSecrets;
    /// use ccloud_connect::wait::WaitOptions;
    /// # async fn run(client: ccloud_connect::Client) -> ccloud_connect::Result<()> {
    /// let connector = client.connect().cluster("env-1", "lkc-1").connector("s3-sink");
    /// let (_, status) = connector
    ///     .modify_and_wait(
    ///         MaskedSecrets::KeepStored,
    ///         |spec| spec.set("flush.size", "5000"),
    ///         WaitOptions::default(),
    ///     )
    ///     .await?;
    /// println!("{}", status.connector.state);
    /// # Ok(()) }
    /// ```
    pub async fn modify_and_wait(
        &self,
        masked: MaskedSecrets,
        change: impl FnOnce(ConnectorSpec) -> ConnectorSpec,
        options: WaitOptions,
    ) -> Result<(Connector, ConnectorStatus)> {
        // Bad wait options fail before the read.
        options.check()?;
        let spec = self.modified_spec(masked, change).await?;
        self.update_and_wait(&spec, options).await
    }

    /// The read of a read-modify-write, with `change` applied; refuses a rename.
    async fn modified_spec(
        &self,
        masked: MaskedSecrets,
        change: impl FnOnce(ConnectorSpec) -> ConnectorSpec,
    ) -> Result<ConnectorSpec> {
        let spec = change(self.spec().await?.masked_secrets(masked));
        if spec.name() != self.name {
            return Err(Error::validation(
                "connector name",
                spec.name(),
                format!("a read-modify-write of {:?} cannot rename it", self.name),
            ));
        }
        Ok(spec)
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
            Failures::MayRecover,
            || self.status(),
            |status| judge_connector(status, target),
        )
        .await
    }

    /// Sends an action (`request`, not polled before the wait options are checked), then,
    /// when asked to, waits for `target` under the rule of [`WaitOptions::settle`]: the
    /// status is read once before the action, and a read that still matches it is not
    /// trusted until the settle time has passed.
    async fn act_and_wait<T>(
        &self,
        target: TargetState,
        options: WaitOptions,
        action: &str,
        request: impl Future<Output = Result<T>>,
    ) -> Result<(T, ConnectorStatus)> {
        options.check()?;
        // A connector that cannot be read yet (a config PUT creating it) has no "before".
        let before = match self.status().await {
            Ok(status) => Some(Fingerprint::of(&status)),
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(e),
        };
        let answer = request.await?;
        let acted = Instant::now();
        // Once one read differs from the status before the action, the action has taken
        // effect: a later read that looks like the old status again is genuine.
        let took_effect = std::cell::Cell::new(before.is_none());
        let status = poll_until(
            options,
            format!(
                "connector {:?} to be {} after the {action}",
                self.name,
                target.state()
            ),
            None,
            Failures::MayRecover,
            || self.status(),
            |status| {
                if before
                    .as_ref()
                    .is_some_and(|b| *b != Fingerprint::of(&status))
                {
                    took_effect.set(true);
                }
                let settled = acted.elapsed() >= options.settle_time();
                judge_after_action(
                    status,
                    target,
                    !took_effect.get() && !settled,
                    action,
                    options.settle_time(),
                )
            },
        )
        .await?;
        Ok((answer, status))
    }

    /// A lifecycle action, with the wait `wait` asks for.
    async fn lifecycle(
        &self,
        target: TargetState,
        wait: Wait,
        action: &str,
        request: impl Future<Output = Result<()>>,
    ) -> Result<Option<ConnectorStatus>> {
        match wait {
            Wait::No => request.await.map(|()| None),
            Wait::With(options) => self
                .act_and_wait(target, options, action, request)
                .await
                .map(|((), status)| Some(status)),
        }
    }

    /// Pauses the connector (`PUT .../pause`); with [`Wait::With`], waits until it is
    /// `PAUSED` (see [`wait_for`](Self::wait_for)) and returns that status.
    pub async fn pause(&self, wait: Wait) -> Result<Option<ConnectorStatus>> {
        let (env, cluster, name) = self.ids();
        let request = self.cluster.api().pause_connector(env, cluster, name);
        self.lifecycle(TargetState::Paused, wait, "pause", request)
            .await
    }

    /// Resumes a paused connector (`PUT .../resume`); with [`Wait::With`], waits until it
    /// is `RUNNING` and returns that status.
    pub async fn resume(&self, wait: Wait) -> Result<Option<ConnectorStatus>> {
        let (env, cluster, name) = self.ids();
        let request = self.cluster.api().resume_connector(env, cluster, name);
        self.lifecycle(TargetState::Running, wait, "resume", request)
            .await
    }

    /// Restarts the connector (`POST .../restart`, a Preview endpoint); with
    /// [`Wait::With`], waits until it is `RUNNING` and returns that status.
    ///
    /// The API reports no restart phase, so the first reads may still show the status from
    /// before the restart: a `FAILED` connector still failed, a running one still running.
    /// The wait trusts such a read only once the status changed or the
    /// [settle time](WaitOptions::settle) passed.
    pub async fn restart(&self, wait: Wait) -> Result<Option<ConnectorStatus>> {
        let (env, cluster, name) = self.ids();
        let request = self.cluster.api().restart_connector(env, cluster, name);
        self.lifecycle(TargetState::Running, wait, "restart", request)
            .await
    }

    /// [`update`](Self::update), then waits until the connector runs again under the new
    /// configuration (the API re-provisions it), with the rule of
    /// [`WaitOptions::settle`] for reads that still show the status from before.
    pub async fn update_and_wait(
        &self,
        spec: &ConnectorSpec,
        options: WaitOptions,
    ) -> Result<(Connector, ConnectorStatus)> {
        // Checked before anything is read, so a bad spec sends nothing at all.
        self.checked_config(spec)?;
        self.act_and_wait(
            TargetState::Running,
            options,
            "configuration update",
            self.update(spec),
        )
        .await
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
        ConnectorState::Deleted => Verdict::Gone {
            state: state.to_string(),
            detail: Some("the connector was deleted".to_owned()),
        },
        other => Verdict::Pending(other.to_string()),
    }
}

/// What a wait after an action compares to tell whether the action took effect: the
/// connector's state and trace, and each task's id and state.
#[derive(PartialEq, Eq)]
struct Fingerprint {
    state: String,
    trace: Option<String>,
    tasks: Vec<(i64, String)>,
}

impl Fingerprint {
    fn of(status: &ConnectorStatus) -> Self {
        Fingerprint {
            state: status.connector.state.to_string(),
            trace: status.connector.trace.clone(),
            tasks: status
                .tasks
                .iter()
                .map(|t| (t.id, t.state.to_string()))
                .collect(),
        }
    }
}

/// [`judge_connector`], except that while `stale` (the status still matches the one read
/// before the action, within the settle time) neither the target nor `FAILED` is final.
fn judge_after_action(
    status: ConnectorStatus,
    target: TargetState,
    stale: bool,
    action: &str,
    settle: Duration,
) -> Verdict<ConnectorStatus> {
    if stale {
        // Say why a state that may already be the target is still pending: the API shows
        // no sign of the action, so nothing tells this read from one made before it.
        return Verdict::Pending(format!(
            "{} (as before the {action}: no change seen yet, so not trusted until {:.1}s \
             after the {action}, the settle time)",
            status.connector.state,
            settle.as_secs_f64()
        ));
    }
    judge_connector(status, target)
}

impl ConnectorStatus {
    /// Whether the connector is `FAILED` or one of its tasks is: what a restart is for.
    pub fn is_failing(&self) -> bool {
        self.connector.state == ConnectorState::Failed
            || self.tasks.iter().any(|t| t.state == ConnectorState::Failed)
    }
}

/// The trace and the failed tasks' messages of a status, for the error that ends a wait.
pub(crate) fn failure_detail(status: &ConnectorStatus) -> Option<String> {
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
