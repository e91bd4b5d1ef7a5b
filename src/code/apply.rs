//! Applying a plan: every change checked before anything is sent, then creates and
//! updates with bounded concurrency, each waited for until it runs, then deletes; a report
//! per connector.

use std::fmt;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::stream::{self, StreamExt as _};
use serde::Serialize;
use tokio::time::Instant;

use crate::code::desired::{DesiredConnector, DesiredValue};
use crate::code::plan::{Action, Plan, PlannedConnector};
use crate::connect::ConnectorSpec;
use crate::wait::WaitOptions;
use crate::{Error, Result};

/// What [`Plan::apply`] does after a connector fails.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OnError {
    /// Start nothing more (what is under way finishes); the rest is reported skipped.
    #[default]
    Stop,
    /// Go on with every other connector and report each.
    Continue,
}

/// How [`Plan::apply`] applies.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ApplyOptions {
    /// How many connectors are created, updated or deleted at once (default 4). The
    /// client's pacing still decides when each request goes.
    pub concurrency: NonZeroUsize,
    /// How each created or updated connector is waited for until it runs. The default
    /// polls every 5 s, growing to 30 s, for up to 15 minutes, and tolerates a connector
    /// that fails and recovers within 2 minutes (connectors can flap right after a create).
    pub waits: WaitOptions,
    /// What to do after a failure (default [`OnError::Stop`]).
    pub on_error: OnError,
    /// Refuse to apply, before anything is sent, when an update would keep a stored
    /// secret because its variable is unset.
    pub require_secrets: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            concurrency: NonZeroUsize::new(4).unwrap(),
            waits: WaitOptions::new(Duration::from_secs(5), Duration::from_secs(900))
                .max_interval(Duration::from_secs(30))
                .tolerate_failed(Duration::from_secs(120)),
            on_error: OnError::Stop,
            require_secrets: false,
        }
    }
}

impl ApplyOptions {
    /// The defaults (see each field).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`concurrency`](Self::concurrency).
    pub fn concurrency(mut self, connectors: NonZeroUsize) -> Self {
        self.concurrency = connectors;
        self
    }

    /// Sets [`waits`](Self::waits).
    pub fn waits(mut self, waits: WaitOptions) -> Self {
        self.waits = waits;
        self
    }

    /// Sets [`on_error`](Self::on_error).
    pub fn on_error(mut self, policy: OnError) -> Self {
        self.on_error = policy;
        self
    }

    /// Sets [`require_secrets`](Self::require_secrets).
    pub fn require_secrets(mut self, require: bool) -> Self {
        self.require_secrets = require;
        self
    }
}

/// How applying one connector ended.
#[derive(Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ApplyOutcome {
    /// Done: created or updated and running (its state after the wait), or deleted.
    Done {
        /// The connector's state after the wait; `None` for a delete.
        #[serde(skip_serializing_if = "Option::is_none")]
        state: Option<String>,
    },
    /// The request or the wait failed; a connector created or updated stays as it is.
    Failed {
        /// What went wrong.
        #[serde(serialize_with = "as_text")]
        error: Error,
    },
    /// Not attempted: an earlier connector failed and the policy is [`OnError::Stop`].
    Skipped,
}

fn as_text<S: serde::Serializer>(error: &Error, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(error)
}

/// One connector's line of an [`ApplyReport`].
#[derive(Debug, Serialize)]
#[non_exhaustive]
pub struct AppliedConnector {
    /// The connector's name.
    pub name: String,
    /// `create`, `update` or `delete`.
    pub action: &'static str,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: ApplyOutcome,
    /// How long it took, request and wait.
    #[serde(serialize_with = "as_seconds", rename = "seconds")]
    pub elapsed: Duration,
}

fn as_seconds<S: serde::Serializer>(d: &Duration, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 10.0).round() / 10.0)
}

/// What [`Plan::apply`] did, connector by connector (the plan's changes, in its order).
#[derive(Debug, Serialize)]
#[non_exhaustive]
pub struct ApplyReport {
    /// The environment id.
    pub environment_id: String,
    /// The Kafka cluster id.
    pub kafka_cluster_id: String,
    /// One line per connector the plan changes.
    pub connectors: Vec<AppliedConnector>,
}

impl ApplyReport {
    /// Whether every change was applied (none failed or was skipped).
    pub fn succeeded(&self) -> bool {
        self.connectors
            .iter()
            .all(|c| matches!(c.outcome, ApplyOutcome::Done { .. }))
    }

    fn count(&self, pick: impl Fn(&ApplyOutcome) -> bool) -> usize {
        self.connectors.iter().filter(|c| pick(&c.outcome)).count()
    }
}

impl fmt::Display for ApplyReport {
    /// One line per connector, then a summary line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.connectors {
            let secs = c.elapsed.as_secs_f64();
            match &c.outcome {
                ApplyOutcome::Done { state: Some(state) } => {
                    writeln!(f, "ok      {} {:?}: {state} ({secs:.1}s)", c.action, c.name)?
                }
                ApplyOutcome::Done { state: None } => {
                    writeln!(f, "ok      {} {:?} ({secs:.1}s)", c.action, c.name)?
                }
                ApplyOutcome::Failed { error } => {
                    writeln!(f, "FAILED  {} {:?}: {error}", c.action, c.name)?
                }
                ApplyOutcome::Skipped => writeln!(
                    f,
                    "skipped {} {:?}: not started after an earlier failure",
                    c.action, c.name
                )?,
            }
        }
        writeln!(
            f,
            "Applied to {}/{}: {} done, {} failed, {} skipped.",
            self.environment_id,
            self.kafka_cluster_id,
            self.count(|o| matches!(o, ApplyOutcome::Done { .. })),
            self.count(|o| matches!(o, ApplyOutcome::Failed { .. })),
            self.count(|o| matches!(o, ApplyOutcome::Skipped)),
        )
    }
}

/// A change checked and ready to send.
enum Job {
    Create(ConnectorSpec),
    Update(ConnectorSpec),
    Delete,
}

/// The spec a create or update sends: secrets whose variables are set with their
/// values, the others as the mask (the API keeps the stored secret).
fn spec_to_send(desired: &DesiredConnector) -> Result<ConnectorSpec> {
    desired.spec_with(|_, value| match value {
        DesiredValue::Secret { value, .. } => value.clone(),
        DesiredValue::Plain(p) => Some(p.clone()),
    })
}

/// Refuses, naming the connector and what to do, a change that cannot be applied.
fn check(plan: &Plan, c: &PlannedConnector, options: &ApplyOptions) -> Result<Job> {
    let refuse = |reason: String| Error::validation("connector", c.name.as_str(), reason);
    let desired = || {
        plan.desired(&c.name)
            .ok_or_else(|| refuse("is not in the plan's desired state".to_owned()))
    };
    match &c.action {
        Action::Create { .. } => {
            if !c.unset_variables.is_empty() {
                return Err(refuse(format!(
                    "is to be created and needs every secret, but {} unset; set {} and plan \
                     again; nothing was sent",
                    variables_are(&c.unset_variables),
                    c.unset_variables.join(", ")
                )));
            }
            let spec = spec_to_send(desired()?)?;
            spec.to_create_request()?;
            Ok(Job::Create(spec))
        }
        Action::Update {
            added,
            secrets_kept,
            ..
        } => {
            let new_unset: Vec<&str> = added
                .iter()
                .flat_map(|kv| kv.unset.iter().map(String::as_str))
                .collect();
            if !new_unset.is_empty() {
                return Err(refuse(format!(
                    "gets a new secret key, which has no stored value to keep, but {} unset; \
                     nothing was sent",
                    variables_are(&new_unset)
                )));
            }
            if options.require_secrets && !secrets_kept.is_empty() {
                let vars: Vec<&str> = secrets_kept
                    .iter()
                    .flat_map(|kv| kv.unset.iter().map(String::as_str))
                    .collect();
                return Err(refuse(format!(
                    "would keep stored secrets because {} unset, and secrets are required; \
                     set them, or apply without requiring secrets; nothing was sent",
                    variables_are(&vars)
                )));
            }
            let spec = spec_to_send(desired()?)?;
            spec.to_config()?;
            Ok(Job::Update(spec))
        }
        Action::Delete => Ok(Job::Delete),
        // `changes()` never yields these; a plan edited by hand (its fields are public)
        // gets an error rather than a panic.
        Action::Unchanged | Action::NotManaged => Err(refuse(
            "has no change to apply (unchanged or not managed); plan again".to_owned(),
        )),
    }
}

fn variables_are<S: AsRef<str>>(vars: &[S]) -> String {
    let list: Vec<&str> = vars.iter().map(AsRef::as_ref).collect();
    match list.as_slice() {
        [one] => format!("variable {one} is"),
        many => format!("variables {} are", many.join(", ")),
    }
}

impl Plan {
    /// Applies the plan: creates and updates (up to [`ApplyOptions::concurrency`] at
    /// once), each waited for until the connector runs, then deletes. A connector that
    /// fails and recovers within [`WaitOptions::tolerate_failed`] is not a failure.
    ///
    /// Every change is checked before anything is sent, and an `Err` means nothing was:
    /// a create whose secret variables are not all set, an update that adds a secret key
    /// whose variable is unset, with [`ApplyOptions::require_secrets`] an update that would
    /// keep a stored secret, bad wait options. After that, failures are reported per
    /// connector in the [`ApplyReport`] ([`ApplyReport::succeeded`]), and
    /// [`ApplyOptions::on_error`] says whether the others go on.
    ///
    /// Secrets whose variables are set are sent; an unset one goes back as the mask and the
    /// API keeps the stored value ([`MaskedSecrets::KeepStored`](crate::connect::MaskedSecrets::KeepStored)).
    pub async fn apply(&self, options: &ApplyOptions) -> Result<ApplyReport> {
        options.waits.check()?;
        let mut jobs = Vec::new();
        for c in self.changes() {
            jobs.push((c.name.clone(), c.action.kind(), check(self, c, options)?));
        }
        let (deletes, others): (Vec<_>, Vec<_>) = jobs
            .into_iter()
            .partition(|(_, _, job)| matches!(job, Job::Delete));
        let stop = AtomicBool::new(false);
        let mut connectors = Vec::new();
        for batch in [others, deletes] {
            let done: Vec<AppliedConnector> = stream::iter(batch)
                .map(|(name, action, job)| self.run(name, action, job, options, &stop))
                .buffered(options.concurrency.get())
                .collect()
                .await;
            connectors.extend(done);
        }
        Ok(ApplyReport {
            environment_id: self.environment_id.clone(),
            kafka_cluster_id: self.kafka_cluster_id.clone(),
            connectors,
        })
    }

    async fn run(
        &self,
        name: String,
        action: &'static str,
        job: Job,
        options: &ApplyOptions,
        stop: &AtomicBool,
    ) -> AppliedConnector {
        let started = Instant::now();
        if stop.load(Ordering::SeqCst) {
            return AppliedConnector {
                name,
                action,
                outcome: ApplyOutcome::Skipped,
                elapsed: Duration::ZERO,
            };
        }
        let connector = self.cluster.connector(name.clone());
        let result = match job {
            Job::Create(spec) => self
                .cluster
                .create_and_wait(&spec, options.waits)
                .await
                .map(|(_, s)| Some(s.connector.state.to_string())),
            Job::Update(spec) => connector
                .update_and_wait(&spec, options.waits)
                .await
                .map(|(_, s)| Some(s.connector.state.to_string())),
            Job::Delete => connector.delete().await.map(|()| None),
        };
        let outcome = match result {
            Ok(state) => ApplyOutcome::Done { state },
            Err(error) => {
                if options.on_error == OnError::Stop {
                    stop.store(true, Ordering::SeqCst);
                }
                ApplyOutcome::Failed { error }
            }
        };
        AppliedConnector {
            name,
            action,
            outcome,
            elapsed: started.elapsed(),
        }
    }
}
