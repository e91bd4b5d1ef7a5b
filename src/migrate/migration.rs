//! A migration's options, its dry run and its run, step by step.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::connect::{
    Cluster, Connector, ConnectorOffset, ConnectorSpec, ConnectorState, Finding, MASKED_VALUE,
    TargetState, TranslatedSecrets, is_sensitive_key, validate_connector_name,
};
use crate::error::MigrationStep;
use crate::migrate::{Worker, plugins};
use crate::wait::WaitOptions;
use crate::{Error, Result};

/// Moving one connector from a self-managed Kafka Connect [`Worker`] to a Kafka cluster of
/// Confluent Cloud, where it runs as the fully-managed plugin its class maps to.
///
/// [`plan`](Self::plan) is the dry run; [`run`](Self::run) does it:
///
/// 1. read the connector's configuration, state and offsets from the worker;
/// 2. look for a managed connector of that name in the cluster: when there is one of the
///    same plugin, the connector was migrated before and nothing is created again (it is
///    still waited for, and the worker's connector stopped when asked); one of another
///    plugin is refused, as it is not this connector;
/// 3. translate the configuration for the managed plugin (its errors stop the
///    migration; its warnings are reported), then add the keys set on this value
///    ([`set`](Self::set), [`secret`](Self::secret): the Kafka API key the managed connector
///    uses, say);
/// 4. create the managed connector with the worker's offsets in the create body;
/// 5. wait until it is `RUNNING` with every task running (a task down would leave its
///    partitions unprocessed once the worker stops);
/// 6. with [`stop_worker_connector`](Self::stop_worker_connector), stop the connector on
///    the worker (`PUT /connectors/{name}/stop`), only now that the managed one runs.
///
/// Until step 6 both may process the same records: sinks write some twice, sources read
/// some twice (at least once, as Kafka Connect itself). Nothing is retried beyond the
/// client's retry policy. A failed step is an [`Error::Migration`] naming it and what was
/// already done; run again, a migration picks up where it stopped (a created connector is
/// found in step 2 and waited for, then the worker's connector is stopped).
#[derive(Clone)]
pub struct Migration {
    worker: Worker,
    connector: String,
    plugin: Option<String>,
    /// Keys to set on the managed connector: value, and whether it is a secret.
    extra: BTreeMap<String, (String, bool)>,
    wait: WaitOptions,
    stop_worker: bool,
}

impl fmt::Debug for Migration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let extra: BTreeMap<&str, &str> = self
            .extra
            .iter()
            .map(|(k, (v, secret))| {
                let shown = if *secret || crate::connect::is_sensitive_key(k) {
                    crate::error::REDACTED
                } else {
                    v.as_str()
                };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("Migration")
            .field("worker", &self.worker)
            .field("connector", &self.connector)
            .field("plugin", &self.plugin)
            .field("set", &extra)
            .field("wait", &self.wait)
            .field("stop_worker", &self.stop_worker)
            .finish()
    }
}

impl Migration {
    /// The connector `connector` of `worker`.
    pub fn new(worker: Worker, connector: impl Into<String>) -> Self {
        let connector = connector.into();
        Migration {
            worker,
            extra: BTreeMap::new(),
            connector,
            plugin: None,
            wait: WaitOptions::new(Duration::from_secs(5), Duration::from_secs(600)),
            stop_worker: false,
        }
    }

    /// The managed plugin to translate for (`S3_SINK`). By default it is found from the
    /// connector's class among the classes this crate knows ([`managed_plugin_for`]).
    ///
    /// [`managed_plugin_for`]: crate::migrate::managed_plugin_for
    pub fn plugin(mut self, name: impl Into<String>) -> Self {
        self.plugin = Some(name.into());
        self
    }

    /// Sets a key of the managed connector that the worker's configuration does not hold,
    /// or overrides a translated one.
    pub fn set(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.insert(key.into(), (value.into(), false));
        self
    }

    /// [`set`](Self::set) for a secret: never shown by `Debug` or a plan.
    pub fn secret(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.insert(key.into(), (value.into(), true));
        self
    }

    /// How to wait for the managed connector to run. Default: every 5 s, at most 10 min.
    pub fn wait(mut self, options: WaitOptions) -> Self {
        self.wait = options;
        self
    }

    /// Whether to stop the worker's connector once the managed one runs. Default: no.
    pub fn stop_worker_connector(mut self, stop: bool) -> Self {
        self.stop_worker = stop;
        self
    }

    fn fail(&self, step: MigrationStep, done: impl Into<String>, source: Error) -> Error {
        Error::Migration {
            connector: self.connector.clone(),
            step,
            done: done.into(),
            source: Box::new(source),
        }
    }

    /// Steps 1 and 2: the worker's connector and whether the cluster has it already.
    async fn read(&self, cluster: &Cluster) -> Result<Read> {
        let step = MigrationStep::ReadWorker;
        let nothing = "nothing was changed";
        crate::http::validate::query_param("connector", &self.connector)
            .and_then(|()| validate_connector_name(&self.connector))
            .map_err(|e| self.fail(step, "nothing was sent", e))?;
        self.wait.check()?;
        let config = self
            .worker
            .config(&self.connector)
            .await
            .map_err(|e| self.fail(step, nothing, e))?;
        let state = self
            .worker
            .state(&self.connector)
            .await
            .map_err(|e| self.fail(step, nothing, e))?;
        let offsets = self
            .worker
            .offsets(&self.connector)
            .await
            .map_err(|e| self.fail(step, nothing, e))?;
        let managed = match cluster.connector(&self.connector).get().await {
            Ok(found) => Some(found),
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(self.fail(MigrationStep::CheckManaged, nothing, e)),
        };
        Ok(Read {
            config,
            state,
            offsets,
            managed,
        })
    }

    /// The managed plugin: named, or found from the worker's class.
    fn plugin_for(&self, read: &Read) -> Result<String> {
        if let Some(p) = &self.plugin {
            return Ok(p.clone());
        }
        let class = read
            .config
            .get("connector.class")
            .map(String::as_str)
            .unwrap_or("");
        plugins::managed_plugin_for(class)
            .map(str::to_owned)
            .ok_or_else(|| {
                self.fail(
                    MigrationStep::Translate,
                    "nothing was changed",
                    Error::validation(
                        "connector.class",
                        class,
                        "no managed plugin is known for this class (or several serve it); \
                         name one with Migration::plugin",
                    ),
                )
            })
    }

    /// A managed connector of the worker's name that another plugin runs is not an earlier
    /// run's: refuse to treat it as migrated (and to stop the worker's connector for it).
    fn check_existing(&self, read: &Read) -> Result<()> {
        let Some(existing) = &read.managed else {
            return Ok(());
        };
        let plugin = self.plugin_for(read)?;
        let class = existing
            .config
            .as_ref()
            .and_then(|c| c.get("connector.class").cloned())
            .unwrap_or_default();
        if !class.is_empty() && class != plugin {
            return Err(self.fail(
                MigrationStep::CheckManaged,
                "nothing was changed",
                Error::validation(
                    "connector",
                    self.connector.clone(),
                    format!(
                        "the cluster already has a connector of this name running {class}, \
                         not {plugin}: it is not an earlier migration of this one"
                    ),
                ),
            ));
        }
        Ok(())
    }

    /// Step 3, with secrets as asked.
    async fn translate(
        &self,
        cluster: &Cluster,
        read: &Read,
        secrets: TranslatedSecrets,
    ) -> Result<(String, crate::connect::Translation)> {
        let step = MigrationStep::Translate;
        let plugin = self.plugin_for(read)?;
        // The managed connector takes the worker's name, which Kafka Connect keeps equal to
        // `name` in the configuration; set it so the create and the wait agree.
        let mut config = read.config.clone();
        config.insert("name".to_owned(), self.connector.clone());
        if secrets == TranslatedSecrets::Masked {
            // A dry run shows masks anyway: the secrets themselves need not travel.
            for (key, value) in config.iter_mut() {
                if is_sensitive_key(key) {
                    *value = MASKED_VALUE.to_owned();
                }
            }
        }
        let translation = cluster
            .translate(&plugin, &config, secrets)
            .await
            .map_err(|e| self.fail(step, "nothing was changed", e))?;
        Ok((plugin, translation))
    }

    /// The managed connector: the translation, the keys set here, the offsets.
    /// With `masked`, the secrets set here are masks, as the plan shows them.
    fn spec(
        &self,
        translated: &ConnectorSpec,
        offsets: &[ConnectorOffset],
        masked: bool,
    ) -> ConnectorSpec {
        let mut spec = translated.clone();
        for (key, (value, secret)) in &self.extra {
            spec = if *secret {
                let value = if masked { MASKED_VALUE } else { value.as_str() };
                spec.secret(key.clone(), value.to_owned())
            } else {
                spec.set(key.clone(), value.clone())
            };
        }
        spec.offsets(offsets.to_vec())
    }

    /// The dry run: reads the worker's connector, looks for a managed one, translates with
    /// secrets masked, and returns what [`run`](Self::run) would create. Nothing is
    /// changed anywhere: its requests to Confluent Cloud are one read and the translation,
    /// which stores nothing; the worker's connector is only read.
    pub async fn plan(&self, cluster: &Cluster) -> Result<MigrationPlan> {
        let read = self.read(cluster).await?;
        self.check_existing(&read)?;
        let (plugin, translation) = self
            .translate(cluster, &read, TranslatedSecrets::Masked)
            .await?;
        Ok(MigrationPlan {
            connector: self.connector.clone(),
            plugin,
            worker_state: read.state,
            already_migrated: read.managed.is_some(),
            spec: self.spec(&translation.spec, &read.offsets, true),
            offsets: read.offsets,
            warnings: translation.warnings,
            errors: translation.errors,
            stop_worker: self.stop_worker,
        })
    }

    /// Does the migration (see [`Migration`] for the steps) and reports what it did.
    pub async fn run(&self, cluster: &Cluster) -> Result<MigrationReport> {
        let read = self.read(cluster).await?;
        let worker_stopped = read.state.eq_ignore_ascii_case("STOPPED");
        let handle = cluster.connector(&self.connector);
        let mut report = MigrationReport {
            connector: self.connector.clone(),
            outcome: MigrationOutcome::Migrated,
            managed: None,
            offsets: read.offsets.len(),
            warnings: Vec::new(),
            worker_stopped,
        };
        let created = match &read.managed {
            Some(existing) => {
                self.check_existing(&read)?;
                // This run sent no offsets: an earlier one created the connector.
                report.offsets = 0;
                report.outcome = if worker_stopped || !self.stop_worker {
                    MigrationOutcome::NothingToMigrate
                } else {
                    MigrationOutcome::Resumed
                };
                existing.clone()
            }
            None => {
                let (_, translation) = self
                    .translate(cluster, &read, TranslatedSecrets::InClear)
                    .await?;
                if translation.has_errors() {
                    let errors: Vec<String> =
                        translation.errors.iter().map(ToString::to_string).collect();
                    return Err(self.fail(
                        MigrationStep::Translate,
                        "nothing was changed",
                        Error::validation(
                            "translation",
                            self.connector.clone(),
                            format!("the managed plugin cannot honour: {}", errors.join("; ")),
                        ),
                    ));
                }
                report.warnings = translation.warnings;
                let spec = self.spec(&translation.spec, &read.offsets, false);
                cluster.create(&spec).await.map_err(|e| {
                    // Refused (a 4xx, or before sending): nothing exists. Otherwise the
                    // create may have reached the service before the answer was lost.
                    let refused =
                        e.is_validation() || e.status().is_some_and(|s| s.is_client_error());
                    let done = if refused {
                        "nothing was created"
                    } else {
                        "the create may have reached the service; a new run finds the \
                         connector if it did"
                    };
                    self.fail(MigrationStep::Create, done, e)
                })?
            }
        };
        let worker_now = if worker_stopped {
            "the worker's connector is stopped"
        } else {
            "the worker's connector still runs"
        };
        let what = match report.outcome {
            MigrationOutcome::Migrated => format!(
                "managed connector {:?} was created with {} partition(s) of offsets; {worker_now}",
                self.connector,
                read.offsets.len()
            ),
            _ => format!(
                "managed connector {:?} was created by an earlier run; {worker_now}",
                self.connector
            ),
        };
        // A connector that runs with a task down would process nothing of that task's
        // partitions: only all tasks running let the worker's connector stop.
        let status = handle
            .wait_for(TargetState::Running, self.wait)
            .await
            .map_err(|e| self.fail(MigrationStep::Wait, what.clone(), e))?;
        let down: Vec<String> = status
            .tasks
            .iter()
            .filter(|t| t.state != ConnectorState::Running)
            .map(|t| format!("task {} {}", t.id, t.state))
            .collect();
        if status.tasks.is_empty() || !down.is_empty() {
            let detail = if down.is_empty() {
                "no task runs".to_owned()
            } else {
                down.join(", ")
            };
            return Err(self.fail(
                MigrationStep::Wait,
                what,
                Error::Wait {
                    what: format!("every task of connector {:?} to run", self.connector),
                    last_state: Some(status.connector.state.to_string()),
                    timed_out: false,
                    detail: Some(detail),
                    waited: Duration::ZERO,
                },
            ));
        }
        if report.outcome == MigrationOutcome::NothingToMigrate {
            report.managed = Some(created);
            return Ok(report);
        }
        report.managed = Some(created);
        if self.stop_worker && !worker_stopped {
            self.worker.stop(&self.connector).await.map_err(|e| {
                self.fail(
                    MigrationStep::StopWorker,
                    format!(
                        "managed connector {:?} runs; the worker's connector still runs too",
                        self.connector
                    ),
                    e,
                )
            })?;
            report.worker_stopped = true;
        }
        Ok(report)
    }
}

/// What steps 1 and 2 found.
struct Read {
    config: BTreeMap<String, String>,
    state: String,
    offsets: Vec<ConnectorOffset>,
    managed: Option<Connector>,
}

/// What a [`Migration`] would do, from [`Migration::plan`]. Its `Display` is a report for
/// people, secrets masked.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct MigrationPlan {
    /// The connector's name, on the worker and in the cluster.
    pub connector: String,
    /// The managed plugin it translates to.
    pub plugin: String,
    /// Its state on the worker.
    pub worker_state: String,
    /// Whether the cluster already has a connector of that name: then a run creates
    /// nothing.
    pub already_migrated: bool,
    /// The managed connector a run would create, secrets masked (it refuses to be sent).
    pub spec: ConnectorSpec,
    /// The worker's offsets, sent in the create body.
    pub offsets: Vec<ConnectorOffset>,
    /// The translation's warnings.
    pub warnings: Vec<Finding>,
    /// The translation's errors: a run stops on them.
    pub errors: Vec<Finding>,
    /// Whether a run stops the worker's connector once the managed one runs.
    pub stop_worker: bool,
}

impl fmt::Display for MigrationPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "connector {:?} ({} on the worker) -> managed plugin {}",
            self.connector, self.worker_state, self.plugin
        )?;
        if self.already_migrated {
            writeln!(f, "  the cluster already has it: nothing to migrate")?;
        }
        for key in self.spec.keys() {
            let value = if self.spec.is_secret(key) {
                "****************"
            } else {
                self.spec.get(key).unwrap_or_default()
            };
            writeln!(f, "  {key} = {value}")?;
        }
        writeln!(f, "  offsets: {} partition(s)", self.offsets.len())?;
        for w in &self.warnings {
            writeln!(f, "  warning: {w}")?;
        }
        for e in &self.errors {
            writeln!(f, "  error: {e}")?;
        }
        if self.stop_worker {
            writeln!(f, "  then stop the worker's connector")?;
        }
        Ok(())
    }
}

/// How a [`Migration::run`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MigrationOutcome {
    /// The managed connector was created and runs.
    Migrated,
    /// An earlier run had created it; this one waited for it (and stopped the worker's
    /// connector, when asked).
    Resumed,
    /// The cluster already had it, running with every task, and the worker's connector is
    /// stopped or was not to be stopped: nothing was changed.
    NothingToMigrate,
}

/// What [`Migration::run`] did.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct MigrationReport {
    /// The connector's name.
    pub connector: String,
    /// How it ended.
    pub outcome: MigrationOutcome,
    /// The managed connector, as created or found.
    pub managed: Option<Connector>,
    /// How many partitions' offsets this run sent when creating (0 when an earlier run
    /// created the connector).
    pub offsets: usize,
    /// The translation's warnings (when this run translated).
    pub warnings: Vec<Finding>,
    /// Whether the worker's connector is stopped now.
    pub worker_stopped: bool,
}
