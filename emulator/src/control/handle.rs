//! [`EmulatorHandle`]: a running emulator, and the controls a Rust test has on it. Each
//! control calls the same function as its HTTP endpoint under `/_emulator/`.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::control::artifacts;
use crate::control::connectors;
use crate::control::scripts;
use crate::state::faults::Fault;
use crate::state::lifecycle::{Delays, Failure};
use crate::state::rate::{RateLimit, RateTotals};
use crate::state::script::Script;
use crate::state::store::App;

/// What [`EmulatorHandle::inspect`] counts. Not part of the stable API.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Inspection {
    /// Clusters with at least one connector.
    pub clusters: usize,
    /// Connectors in all clusters.
    pub connectors: usize,
    /// Presigned uploads remembered (issued and not expired unused).
    pub uploads: usize,
    /// Presigned uploads remembered with nothing uploaded yet: at most
    /// [`max_pending_uploads`](crate::EmulatorConfig::max_pending_uploads).
    pub pending_uploads: usize,
    /// Storage requests being served.
    pub uploads_in_progress: usize,
}

/// A running emulator. Dropping it stops the server.
pub struct EmulatorHandle {
    pub(crate) base_url: String,
    pub(crate) addr: SocketAddr,
    pub(crate) shared: App,
    pub(crate) shutdown: Option<oneshot::Sender<()>>,
    pub(crate) task: Option<JoinHandle<()>>,
}

impl fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl EmulatorHandle {
    /// `http://127.0.0.1:PORT` (or the [`host`](crate::EmulatorConfig::host)'s address),
    /// the base URL to give a [`Client`](ccloud_connect::Client).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the emulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Queues a fault for the next matching requests.
    pub fn inject(&self, fault: Fault) {
        self.shared.faults().push(fault);
    }

    /// Drops every fault not yet used up.
    pub fn clear_faults(&self) {
        self.shared.faults().clear();
    }

    /// The faults still waiting, with their remaining counts.
    pub fn pending_faults(&self) -> Vec<Fault> {
        self.shared.faults().pending()
    }

    /// The size in bytes of the archive received for `upload_id` by a storage endpoint, or
    /// `None` while nothing was uploaded for it.
    pub fn uploaded_size(&self, upload_id: &str) -> Option<u64> {
        let store = self.shared.store();
        store.uploads.get(upload_id)?.file.as_ref().map(|f| f.size)
    }

    /// Fails a connector (see [`Failure`]): at once, with no stale-status window. `false`
    /// when there is no such connector, or when the failure names a task the connector
    /// does not run (its tasks are 0 to `tasks.max - 1`). HTTP:
    /// `POST /_emulator/connectors/{environment}/{cluster}/{name}/fail`.
    pub fn fail_connector(
        &self,
        environment: &str,
        cluster: &str,
        name: &str,
        failure: Failure,
    ) -> bool {
        connectors::fail(&self.shared, environment, cluster, name, failure).is_ok()
    }

    /// Makes a `cam/v1` Connect Artifact's processing fail: it shows `FAILED` once
    /// processing ends, at once when it already has (the API gives no reason in the
    /// artifact; `reason` is kept in the state file). `false` when there is no such
    /// artifact. HTTP: `POST /_emulator/artifacts/{id}/fail` with `{"reason": "..."}`.
    pub fn fail_artifact(&self, id: &str, reason: &str) -> bool {
        artifacts::fail(&self.shared, id, reason)
    }

    /// Removes an injected failure, persistent or not: the connector shows its state as if
    /// it had never failed. `false` when there is no such connector. HTTP:
    /// `POST /_emulator/connectors/{environment}/{cluster}/{name}/recover`.
    pub fn recover_connector(&self, environment: &str, cluster: &str, name: &str) -> bool {
        connectors::recover(&self.shared, environment, cluster, name)
    }

    /// Gives a connector a [`Script`] of states, starting now: its status follows the
    /// script (an empty one clears it). `false` when there is no such connector. HTTP:
    /// `PUT /_emulator/connectors/{environment}/{cluster}/{name}/script`.
    ///
    /// ```no_run
    /// # async fn run(emulator: ccloud_connect_emulator::EmulatorHandle) {
    /// use ccloud_connect_emulator::Script;
    /// assert!(emulator.script_connector("env-1", "lkc-1", "my-connector", Script::stuck_provisioning()));
    /// # }
    /// ```
    pub fn script_connector(
        &self,
        environment: &str,
        cluster: &str,
        name: &str,
        script: Script,
    ) -> bool {
        scripts::script(&self.shared, environment, cluster, name, script)
    }

    /// Ends a connector's script: it shows its own lifecycle again, at once (the
    /// provisioning delay, pauses, restarts and failures that happened meanwhile
    /// included; a stale-status window in progress is cut short). `false`
    /// when there is no such connector. HTTP:
    /// `DELETE /_emulator/connectors/{environment}/{cluster}/{name}/script`.
    pub fn clear_connector_script(&self, environment: &str, cluster: &str, name: &str) -> bool {
        scripts::clear_script(&self.shared, environment, cluster, name)
    }

    /// Keeps a [`Script`] for the next connector created with this name in this cluster
    /// (`POST .../connectors`, or a `PUT .../config` that creates it): it starts at the
    /// creation, so a test can create and then wait. Once; a second call replaces the
    /// script waiting, an empty script withdraws it. A connector of that name that exists
    /// now is not affected. HTTP:
    /// `PUT /_emulator/connectors/{environment}/{cluster}/{name}/next-script`.
    pub fn script_next_connector(
        &self,
        environment: &str,
        cluster: &str,
        name: &str,
        script: Script,
    ) {
        scripts::script_next(&self.shared, environment, cluster, name, script);
    }

    /// Withdraws the script waiting for the next connector of this name; `false` when
    /// none was waiting. HTTP:
    /// `DELETE /_emulator/connectors/{environment}/{cluster}/{name}/next-script`.
    pub fn clear_next_connector_script(
        &self,
        environment: &str,
        cluster: &str,
        name: &str,
    ) -> bool {
        scripts::clear_next(&self.shared, environment, cluster, name)
    }

    /// Sets the lifecycle delays for the actions accepted from now on. HTTP:
    /// `PUT /_emulator/delays`.
    pub fn set_delays(&self, delays: Delays) {
        self.shared.set_delays(delays);
    }

    /// The lifecycle delays in force. HTTP: `GET /_emulator/delays`.
    pub fn delays(&self) -> Delays {
        self.shared.delays()
    }

    /// Enforces at most `requests` API requests per `window` and per API key from now on,
    /// every key in a fresh window (see [`EmulatorConfig::rate_limit`](crate::EmulatorConfig::rate_limit)).
    /// HTTP: `PUT /_emulator/rate-limit`.
    pub fn set_rate_limit(&self, requests: u32, window: Duration) {
        self.shared.set_rate_limit(Some(RateLimit {
            requests: requests.max(1),
            window: window.max(Duration::from_millis(1)),
        }));
    }

    /// How many API requests the rate limit has counted since the emulator started, and
    /// how many it refused with `429`: for a test (or a benchmark) that checks a client
    /// stays under the limit, retries included.
    pub fn rate_totals(&self) -> RateTotals {
        self.shared.rate_totals()
    }

    /// Stops enforcing a rate limit. HTTP: `DELETE /_emulator/rate-limit`.
    pub fn clear_rate_limit(&self) {
        self.shared.set_rate_limit(None);
    }

    /// A connector's configuration as stored, secrets unmasked, or `None` when there is
    /// no such connector. HTTP: `GET /_emulator/connectors/{environment}/{cluster}/{name}`.
    pub fn connector_config(
        &self,
        environment: &str,
        cluster: &str,
        name: &str,
    ) -> Option<BTreeMap<String, String>> {
        connectors::stored(&self.shared, environment, cluster, name).map(|s| s.config)
    }

    /// The ccpm plugin version a custom connector runs: the one its configuration names,
    /// or the latest `READY` one when it names none (resolved when the connector was
    /// created, reconfigured or restarted). `None` when there is no such connector or it
    /// runs no ccpm plugin.
    pub fn connector_plugin_version(
        &self,
        environment: &str,
        cluster: &str,
        name: &str,
    ) -> Option<String> {
        connectors::stored(&self.shared, environment, cluster, name)?.plugin_version
    }

    /// Counts of what the emulator holds, for tests that check it does not grow. Not part
    /// of the stable API.
    #[doc(hidden)]
    pub fn inspect(&self) -> Inspection {
        let store = self.shared.store();
        Inspection {
            clusters: store.clusters.len(),
            connectors: store.clusters.values().map(|c| c.len()).sum(),
            uploads: store.uploads.len(),
            pending_uploads: store.uploads.unused(),
            uploads_in_progress: self.shared.uploads_in_progress(),
        }
    }

    /// Stops accepting connections and waits for the requests in progress to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
