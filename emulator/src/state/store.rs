//! Everything the emulator remembers: the [`Store`] behind one mutex, and what every
//! handler reaches through [`App`] (settings, the fault queue, upload slots).
//!
//! The store depends on the data modules below it (`faults`, `uploads`, `ids`) and on no
//! handler: handlers read and change it, never the other way round.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

use ccloud_connect::ccpm;
use ccloud_connect::connect::{self, ConnectorOffset};

use crate::http::ids::random_uuid;
use crate::state::artifacts::Artifact;
use crate::state::faults::FaultQueue;
use crate::state::lifecycle::{Delays, Failure as Injected};
use crate::state::rate::{RateCount, RateLimit, RateWindows};
use crate::state::script::{Script, ScriptedState};
use crate::state::uploads::Uploads;

/// Settings fixed when the emulator starts.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) version_processing_delay: Duration,
    /// How long a Connect Artifact waits, then processes (each half of it).
    pub(crate) artifact_processing_delay: Duration,
    pub(crate) credentials: Option<(String, String)>,
    pub(crate) max_upload_size: u64,
    pub(crate) upload_url_ttl: Duration,
    /// Presigned uploads with nothing uploaded kept at most (at least one).
    pub(crate) max_pending_uploads: usize,
    /// Storage requests served at once (at least one).
    pub(crate) max_concurrent_uploads: usize,
    /// Where every acknowledged change is written, when set.
    pub(crate) state_file: Option<PathBuf>,
}

/// What every handler reaches: settings, the store, the fault queue.
pub(crate) struct Shared {
    pub(crate) settings: Settings,
    /// `http://127.0.0.1:PORT` (or the advertised host), used in links and presigned URLs.
    pub(crate) base_url: String,
    /// Organisation id used in resource names (CRNs).
    pub(crate) org_id: String,
    store: Mutex<Store>,
    faults: Mutex<FaultQueue>,
    delays: Mutex<Delays>,
    rate: Mutex<RateWindows>,
    /// Held while the state file is written, so snapshots reach the disk in the order
    /// they were taken.
    pub(crate) persisting: Mutex<()>,
    /// One permit per storage request in progress.
    upload_slots: Semaphore,
}

/// The state handle given to axum.
pub(crate) type App = Arc<Shared>;

impl Shared {
    pub(crate) fn new(mut settings: Settings, delays: Delays, base_url: String) -> Self {
        settings.max_concurrent_uploads = settings
            .max_concurrent_uploads
            .clamp(1, Semaphore::MAX_PERMITS);
        Shared {
            upload_slots: Semaphore::new(settings.max_concurrent_uploads),
            settings,
            base_url,
            org_id: random_uuid(),
            store: Mutex::new(Store::default()),
            faults: Mutex::new(FaultQueue::default()),
            delays: Mutex::new(delays),
            rate: Mutex::new(RateWindows::default()),
            persisting: Mutex::new(()),
        }
    }

    /// The store, recovered even if a handler panicked while holding it: the emulator
    /// keeps serving the other tests' requests.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, FaultQueue> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A slot for one storage request, or `None` when all are taken: the caller answers
    /// "busy" rather than queueing, so held-open uploads cannot pile up behind each other.
    pub(crate) fn upload_slot(&self) -> Option<SemaphorePermit<'_>> {
        self.upload_slots.try_acquire().ok()
    }

    /// How many storage requests are being served.
    pub(crate) fn uploads_in_progress(&self) -> usize {
        self.settings
            .max_concurrent_uploads
            .saturating_sub(self.upload_slots.available_permits())
    }

    /// The lifecycle delays in force.
    pub(crate) fn delays(&self) -> Delays {
        *self.delays.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn set_delays(&self, delays: Delays) {
        *self.delays.lock().unwrap_or_else(|e| e.into_inner()) = delays;
    }

    /// Enforces `limit` from now on (every key in a fresh window), or stops enforcing
    /// with `None`.
    pub(crate) fn set_rate_limit(&self, limit: Option<RateLimit>) {
        self.rate
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .set_limit(limit);
    }

    /// Requests the rate limit counted and refused so far.
    pub(crate) fn rate_totals(&self) -> crate::state::rate::RateTotals {
        self.rate.lock().unwrap_or_else(|e| e.into_inner()).totals()
    }

    pub(crate) fn rate_limit(&self) -> Option<RateLimit> {
        self.rate.lock().unwrap_or_else(|e| e.into_inner()).limit()
    }

    /// Counts a request of API key `key` (empty without one) in its window (see
    /// `rate`).
    pub(crate) fn count_request(&self, key: &str) -> RateCount {
        self.rate
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .count(key, Instant::now())
    }
}

/// One Kafka cluster of one environment.
pub(crate) type ClusterKey = (String, String);

/// Every resource clients created: connectors, plugins, uploads.
#[derive(Default)]
pub(crate) struct Store {
    /// The last number [`Store::next_seq`] gave.
    pub(crate) next_seq: u64,
    pub(crate) clusters: BTreeMap<ClusterKey, BTreeMap<String, Connector>>,
    pub(crate) custom_plugins: BTreeMap<String, CustomPlugin>,
    pub(crate) ccpm_plugins: BTreeMap<String, CcpmPlugin>,
    /// `cam/v1` Connect Artifacts, by id.
    pub(crate) artifacts: BTreeMap<String, Artifact>,
    pub(crate) uploads: Uploads,
    /// Scripts waiting for a connector to be created, by environment, cluster and name.
    pub(crate) next_scripts: BTreeMap<ConnectorKey, Script>,
}

/// One connector name of one cluster.
pub(crate) type ConnectorKey = (String, String, String);

impl Store {
    /// A number that orders resources by creation; page tokens carry it.
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// The connectors of a cluster. Any environment and cluster id is valid, so an unknown
    /// one simply has none; reading never stores an entry for it.
    pub(crate) fn cluster(&self, env: &str, cluster: &str) -> Option<&BTreeMap<String, Connector>> {
        self.clusters.get(&(env.to_owned(), cluster.to_owned()))
    }

    /// A connector of a cluster, to change.
    pub(crate) fn connector_mut(
        &mut self,
        env: &str,
        cluster: &str,
        name: &str,
    ) -> Option<&mut Connector> {
        self.clusters
            .get_mut(&(env.to_owned(), cluster.to_owned()))?
            .get_mut(name)
    }

    /// Stores a connector, creating its cluster's entry on its first connector. A script
    /// waiting for its name starts now.
    pub(crate) fn insert_connector(&mut self, env: &str, cluster: &str, mut connector: Connector) {
        let key = (env.to_owned(), cluster.to_owned(), connector.name.clone());
        if let Some(script) = self.next_scripts.remove(&key) {
            connector.script = Some((script, Instant::now()));
        }
        self.clusters
            .entry((env.to_owned(), cluster.to_owned()))
            .or_default()
            .insert(connector.name.clone(), connector);
    }

    /// Removes a connector, and its cluster's entry with its last connector.
    pub(crate) fn remove_connector(
        &mut self,
        env: &str,
        cluster: &str,
        name: &str,
    ) -> Option<Connector> {
        let key = (env.to_owned(), cluster.to_owned());
        let connectors = self.clusters.get_mut(&key)?;
        let removed = connectors.remove(name);
        if connectors.is_empty() {
            self.clusters.remove(&key);
        }
        removed
    }

    /// Whether any connector, anywhere, has this id.
    pub(crate) fn connector_id_taken(&self, id: &str) -> bool {
        self.clusters
            .values()
            .any(|c| c.values().any(|conn| conn.id == id))
    }
}

/// A connector and its lifecycle, computed from timestamps when read.
#[derive(Clone, Debug)]
pub(crate) struct Connector {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) config: BTreeMap<String, String>,
    pub(crate) type_: Option<connect::ConnectorType>,
    /// Keys masked in answers beyond the generic rule.
    pub(crate) sensitive: BTreeSet<String>,
    /// The class of a custom connector, derived from its plugin (answered as
    /// `connector.class`).
    pub(crate) class: Option<String>,
    /// The ccpm plugin version a custom connector runs.
    pub(crate) plugin_version: Option<String>,
    /// `PROVISIONING` until then.
    pub(crate) ready_at: Instant,
    pub(crate) paused: bool,
    /// A pause or resume accepted and not yet in effect: when, and the `paused` it sets.
    pub(crate) pause_change: Option<(Instant, bool)>,
    /// The status answered until the instant: the one from before the last lifecycle
    /// action, as the real API's asynchronous actions show for a while.
    pub(crate) stale: Option<(Instant, serde_json::Value)>,
    /// Set when the configuration was found invalid; the connector ends `FAILED` with it.
    pub(crate) failure: Option<String>,
    /// A failure a test injected.
    pub(crate) injected: Option<Injected>,
    pub(crate) offsets: Vec<ConnectorOffset>,
    pub(crate) offsets_request: Option<OffsetsRequest>,
    /// A script a test set, and when it started: the status follows it alone.
    pub(crate) script: Option<(Script, Instant)>,
}

/// The latest offsets alteration of a connector.
#[derive(Clone, Debug)]
pub(crate) struct OffsetsRequest {
    pub(crate) info: connect::AlterOffsetsRequestInfo,
    pub(crate) previous: Vec<ConnectorOffset>,
    pub(crate) apply_at: Instant,
    pub(crate) applied_at: Option<DateTime<Utc>>,
}

impl Connector {
    /// Applies what has come due: a pending pause or resume, the end of a stale-status
    /// window, an offsets request.
    pub(crate) fn settle(&mut self, now: Instant) {
        if let Some((at, paused)) = self.pause_change
            && now >= at
        {
            self.paused = paused;
            self.pause_change = None;
        }
        if self.stale.as_ref().is_some_and(|(until, _)| now >= *until) {
            self.stale = None;
        }
        let Some(req) = self.offsets_request.as_mut() else {
            return;
        };
        if req.applied_at.is_some() || now < req.apply_at {
            return;
        }
        req.applied_at = Some(Utc::now());
        match req.info.type_ {
            Some(connect::AlterOffsetsRequestType::Delete) => self.offsets.clear(),
            _ => {
                for wanted in &req.info.offsets {
                    match self
                        .offsets
                        .iter_mut()
                        .find(|o| o.partition == wanted.partition)
                    {
                        Some(existing) => existing.offset = wanted.offset.clone(),
                        None => self.offsets.push(wanted.clone()),
                    }
                }
            }
        }
    }

    /// Whether the connector is paused at `now`, a pending pause or resume included.
    fn paused_at(&self, now: Instant) -> bool {
        match self.pause_change {
            Some((at, paused)) if now >= at => paused,
            _ => self.paused,
        }
    }

    /// An injected failure of the whole connector.
    fn connector_failure(&self) -> Option<&Injected> {
        self.injected.as_ref().filter(|f| f.task_id().is_none())
    }

    /// The state its script shows at `now`, when it has one.
    pub(crate) fn scripted(&self, now: Instant) -> Option<&ScriptedState> {
        let (script, started) = self.script.as_ref()?;
        script.state_at(now.saturating_duration_since(*started))
    }

    /// The connector's state and, when it failed, the trace.
    pub(crate) fn state(&self, now: Instant) -> (connect::ConnectorState, Option<&str>) {
        use connect::ConnectorState as S;
        if let Some(scripted) = self.scripted(now) {
            return match scripted {
                ScriptedState::Provisioning => (S::Provisioning, None),
                ScriptedState::Running => (S::Running, None),
                ScriptedState::Paused => (S::Paused, None),
                ScriptedState::Failed { trace } => (S::Failed, Some(trace)),
                ScriptedState::Degraded { .. } => (S::Degraded, None),
            };
        }
        if now < self.ready_at {
            (connect::ConnectorState::Provisioning, None)
        } else if let Some(trace) = &self.failure {
            (connect::ConnectorState::Failed, Some(trace))
        } else if let Some(f) = self.connector_failure() {
            (connect::ConnectorState::Failed, Some(f.trace()))
        } else if self.paused_at(now) {
            (connect::ConnectorState::Paused, None)
        } else {
            (connect::ConnectorState::Running, None)
        }
    }

    /// Each task's state and message. A connector that is provisioning, or failed on its
    /// configuration, runs none; one failed by an injected failure shows every task
    /// failed with it, as Kafka Connect does when the connector itself dies.
    pub(crate) fn task_states(
        &self,
        now: Instant,
    ) -> Vec<(i64, connect::ConnectorState, Option<String>)> {
        use connect::ConnectorState as S;
        let (state, trace) = self.state(now);
        if let Some(scripted) = self.scripted(now) {
            let tasks = 0..self.task_count();
            return match scripted {
                ScriptedState::Provisioning => Vec::new(),
                ScriptedState::Degraded { trace } => tasks
                    .map(|id| match id {
                        0 => (id, S::Failed, Some(trace.clone())),
                        _ => (id, S::Running, None),
                    })
                    .collect(),
                _ => tasks
                    .map(|id| (id, state.clone(), trace.map(str::to_owned)))
                    .collect(),
            };
        }
        let failed_task = self
            .injected
            .as_ref()
            .and_then(|f| f.task_id().map(|t| (t, f.trace())));
        match state {
            S::Running | S::Paused => (0..self.task_count())
                .map(|id| match failed_task {
                    Some((t, trace)) if t == id => (id, S::Failed, Some(trace.to_owned())),
                    _ => (id, state.clone(), None),
                })
                .collect(),
            S::Failed if self.failure.is_none() => (0..self.task_count())
                .map(|id| (id, S::Failed, trace.map(str::to_owned)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// What a restart or a new configuration clears: a failure that is not persistent.
    pub(crate) fn heal(&mut self) {
        if self.injected.as_ref().is_some_and(|f| !f.is_persistent()) {
            self.injected = None;
        }
    }

    /// How many tasks the connector runs (`tasks.max`, at least one).
    pub(crate) fn task_count(&self) -> i64 {
        self.config
            .get("tasks.max")
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(1)
            .clamp(1, 64)
    }
}

/// A `connect/v1` custom connector plugin, stored as answered.
#[derive(Clone, Debug)]
pub(crate) struct CustomPlugin {
    pub(crate) seq: u64,
    pub(crate) plugin: connect::CustomConnectorPlugin,
}

/// A `ccpm/v1` plugin and its versions.
#[derive(Clone, Debug)]
pub(crate) struct CcpmPlugin {
    pub(crate) seq: u64,
    pub(crate) environment: String,
    pub(crate) plugin: ccpm::Plugin,
    pub(crate) versions: BTreeMap<String, CcpmVersion>,
}

/// One version of a ccpm plugin; `PROCESSING` until `ready_at`.
#[derive(Clone, Debug)]
pub(crate) struct CcpmVersion {
    pub(crate) seq: u64,
    pub(crate) version: ccpm::PluginVersion,
    pub(crate) ready_at: Instant,
    pub(crate) failure: Option<String>,
}

impl CcpmVersion {
    pub(crate) fn phase(&self, now: Instant) -> ccpm::PluginVersionPhase {
        if now < self.ready_at {
            ccpm::PluginVersionPhase::Processing
        } else if self.failure.is_some() {
            ccpm::PluginVersionPhase::Failed
        } else {
            ccpm::PluginVersionPhase::Ready
        }
    }

    /// The version as answered, with its current status.
    pub(crate) fn view(&self, now: Instant) -> ccpm::PluginVersion {
        let mut v = self.version.clone();
        let phase = self.phase(now);
        v.status = Some(ccpm::PluginVersionStatus {
            error_message: match phase {
                ccpm::PluginVersionPhase::Failed => self.failure.clone(),
                _ => None,
            },
            phase,
        });
        v
    }
}
