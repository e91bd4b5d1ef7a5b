//! A local, stateful emulator of the Confluent Cloud Connect API, for tests of programs that
//! use it, in Rust or any other language.
//!
//! It serves every operation of `openapi/connect-v1.yaml` and `openapi/ccpm-v1.yaml` on
//! `127.0.0.1`, in the JSON shapes and with the status codes of the real API, keeping its
//! state in memory. Start it from a test with [`Emulator::builder`], or as a program:
//!
//! ```text
//! cargo run -p ccloud-connect-emulator -- --port 8080
//! listening on http://127.0.0.1:8080
//! ```
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use ccloud_connect_emulator::{Emulator, Fault};
//!
//! let emulator = Emulator::builder()
//!     .provisioning_delay(Duration::from_millis(20))
//!     .start()
//!     .await?;
//! let client = ccloud_connect::Client::builder()
//!     .credentials("any-key", "any-secret")
//!     .base_url(emulator.base_url())
//!     .build()?;
//! emulator.inject(Fault::rate_limited(Duration::from_secs(1)).path_contains("/connectors"));
//! let names = client.connect().cluster("env-1", "lkc-1").connector_names().await?;
//! assert!(names.is_empty());
//! # Ok(()) }
//! ```
//!
//! Dropping the [`EmulatorHandle`] stops the server.
//!
//! # Behaviour
//!
//! **Authentication.** Every request under `/connect/` and `/ccpm/` needs
//! `Authorization: Basic base64(key:secret)` (scheme and header name case-insensitive).
//! Any non-empty key and secret are accepted unless [`EmulatorConfig::credentials`] (binary:
//! `--api-key`/`--api-secret`) requires an exact pair. Otherwise the answer is `401`
//! `{"error": {"code": 401, "message": "Unauthorized"}}` with a `WWW-Authenticate` header,
//! for both APIs. The storage endpoints (`/_storage/`) take no Confluent credentials, as
//! the real storage URLs do not. The control endpoints (`/_emulator/faults`) take none
//! either, unless credentials are configured: then they need the same exact pair, because
//! anyone who reaches them can break every client of the emulator. `GET /_emulator/health`
//! stays open for readiness probes; it tells nothing and changes nothing.
//!
//! **Headers.** API answers carry `X-Request-Id`, `X-RateLimit-Limit`,
//! `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds until the one-minute window
//! resets). The limit is announced, not enforced: use a [`Fault`] to get a `429`.
//!
//! **Request bodies** are read as JSON whatever the `Content-Type`, as curl's `--data`
//! sends `application/x-www-form-urlencoded`. Unknown JSON fields are ignored. A body over
//! 2 MiB is a `413` in the error shape of the API concerned.
//!
//! **Error shapes.** Connector endpoints answer `{"error": {"code", "message"}}`, except
//! `create_connector`'s `400`, which is flat `{"code", "message"}`. Custom connector
//! plugins, presigned upload URLs, runtimes and every ccpm endpoint answer
//! `{"errors": [{"id", "status", "code", "title", "detail", "source"}]}`. A body that is not
//! JSON of the documented shape (missing required field, wrong type) is a `400`; in the
//! `errors` family a well-formed body with a refused value (unknown enum value, empty or too
//! long name, `upload_id` with nothing uploaded) is a `422` whose `source.pointer` names the
//! field. Unknown resources are `404`; duplicate names `409` (connector names per cluster,
//! connect/v1 plugin display names, ccpm plugin display names per environment, version
//! strings per ccpm plugin). A `429` has no body, as documented.
//!
//! **Environments and clusters** exist from their first use: any id works. Reading one
//! that holds no connector stores nothing, and a cluster is forgotten with its last
//! connector, so the emulator's state grows only with what clients create.
//!
//! **Connectors.** A connector is `PROVISIONING` for
//! [`provisioning_delay`](EmulatorConfig::provisioning_delay), then `RUNNING` with
//! `tasks.max` tasks (`PAUSED` after a pause, `FAILED` when its configuration is invalid).
//! States are computed from timestamps when read, so no background task runs.
//! `pause`/`resume` take effect at once (`202`); `restart` provisions again (`202`) and
//! re-checks the configuration against the plugins as they are then. `PUT .../config`
//! replaces the configuration (creating the connector when absent, answering `200`) and
//! keeps the connector's state; a sensitive key sent back as the mask `****************`
//! keeps its stored value.
//!
//! What is refused at once with `400`, and what is accepted but ends `FAILED` with a
//! Kafka-Connect-style `trace`:
//!
//! | `400` when creating or replacing | `FAILED` after provisioning |
//! | --- | --- |
//! | body not JSON, not string values, `config` missing | a managed plugin's required key missing (e.g. `s3.bucket.name`), `kafka.api.key`/`kafka.api.secret` missing (or `kafka.service.account.id` with `kafka.auth.mode=SERVICE_ACCOUNT`) |
//! | no `name`, or `name` and `config.name` differ, or a name over 64 characters or with characters other than letters, numbers, marks, spaces and `. , & _ + \| [ ] -` | a value of the wrong type or not among the allowed ones (`tasks.max=x`, `time.interval=WEEKLY`, `flush.size` under 1000) |
//! | managed: no `connector.class`, or a class not in the catalogue | custom: the ccpm plugin has no usable version, the requested `confluent.custom.plugin.version` does not exist or `FAILED` |
//! | custom (`confluent.connector.type=CUSTOM`): no `confluent.custom.plugin.id`, or no such plugin (connect/v1 plugins anywhere, ccpm plugins in the connector's environment) | custom: `confluent.custom.connect.plugin.runtime` not a listed runtime, or a Java version the runtime does not support |
//! | `confluent.connector.type` other than `MANAGED`/`CUSTOM` | |
//!
//! **Masking.** Answers mask as `****************` every value whose key contains
//! `password`, `secret` or `credentials`, or ends with `api.key`, `access.key.id`,
//! `private.key` or `.token`, every key a managed plugin defines as `PASSWORD`, and the
//! plugin's `sensitive_config_properties` for custom connectors. Answers add
//! `cloud.environment`, `cloud.provider`, `kafka.endpoint`, `kafka.region`,
//! `kafka.dedicated` and `schema.registry.url` unless the configuration sets them.
//!
//! **Lists** of connectors support `expand` (any of `info`, `status`, `id`, comma-joined or
//! repeated). Custom connector plugins, runtimes, ccpm plugins and ccpm versions page with
//! `page_size` (1 to 100, default 10) and an opaque `page_token`; `metadata.next` is a full
//! URL on the emulator that keeps the filters (`cloud`, `environment`, `spec.cloud`),
//! `metadata.first` and `total_size` are always present. connect/v1 custom plugin lists
//! show only the `cloud` asked for, `AWS` when absent, as the API documents.
//!
//! **Offsets.** A sink connector starts at offset 0 of partition 0 of each of its
//! `topics`, a source connector with none, unless `offsets` were given at creation. An
//! offsets request (`PATCH` merges by partition, `DELETE` clears) is `PENDING` for the
//! provisioning delay, then `APPLIED`; a second request while one is pending is a `400`.
//!
//! **Managed plugins.** The catalogue holds `DatagenSource`, `GcsSink`,
//! `MicrosoftSqlServerSink`, `MySqlCdcSource`, `PostgresSource`, `PubSubSource` and
//! `S3_SINK`, each with its required keys. `validate` answers like the usage guide: the Java
//! class as `name`, `groups`, `error_count` and one entry per defined key with its
//! per-field `errors`; keys the plugin does not define are ignored.
//!
//! **Custom plugins and uploads.** `presigned-upload-url` answers a URL on the emulator:
//! for `AWS` an S3-style POST form (`/_storage/s3/<bucket>/` plus `upload_form_data`), for
//! `AZURE` a SAS URL to PUT with `x-ms-blob-type: BlockBlob`, for `GCP` a signed URL to PUT
//! with the archive's `Content-Type` (`application/zip` or `application/java-archive`). The
//! S3 endpoint reads the multipart form as it streams in and refuses, in S3's XML error
//! format: a missing `Content-Length` (`411 MissingContentLength`), a file over
//! [`max_upload_size`](EmulatorConfig::max_upload_size) (`400 EntityTooLarge`), an empty
//! file, a multipart boundary over 70 characters (RFC 2046's limit;
//! `400 MalformedPOSTRequest`), a missing or changed form field (`403 AccessDenied`, or
//! `SignatureDoesNotMatch`), an extra field, an expired policy, and, more strictly than S3
//! (which silently ignores them), any field after the file. The fields, which come before
//! the file, are checked before a byte of the file is read, and the file is counted, never
//! held: a request that names no issued upload is answered at once whatever size it
//! announces. At most [`max_concurrent_uploads`](EmulatorConfig::max_concurrent_uploads)
//! storage requests are served at once; the next ones get `503` (`SlowDown`, or Azure's
//! `ServerBusy`) with `Retry-After`. A presigned URL that expires
//! ([`upload_url_ttl`](EmulatorConfig::upload_url_ttl)) with nothing uploaded is forgotten,
//! and its `upload_id` becomes unknown; one that received an archive is kept. A plugin
//! (connect/v1) or version (ccpm) created with an `upload_id` that is unknown, has nothing
//! uploaded, or belongs to the other API, another environment or another cloud is a `422`.
//! A connect/v1 plugin whose archive is not a ZIP/JAR is a `422`; a ccpm version with such
//! an archive is accepted and ends `FAILED` with
//! `"Version creation failed due to invalid plugin archive."`. Otherwise a version is
//! `PROCESSING` for [`version_processing_delay`](EmulatorConfig::version_processing_delay),
//! then `READY`. Uploads may be used more than once; `upload_source.upload_id` is answered
//! as an empty string. Deleting a ccpm plugin deletes its versions.
//!
//! **Faults.** [`EmulatorHandle::inject`] (or `POST /_emulator/faults` with
//! `{"kind": "rate_limit" | "status" | "delay", "times", "path", "method",
//! "retry_after_secs", "status", "delay_ms"}`; `GET` lists, `DELETE` clears) makes the next
//! matching requests answer `429` with `Retry-After`, answer a 4xx/5xx in the shape of the
//! API concerned, or wait before being handled. `GET /_emulator/health` answers `200`.
//! See **Authentication** for the credentials they need.
//!
//! **The usage guide's curl commands** work with `http://127.0.0.1:PORT` in place of
//! `https://api.confluent.cloud`: lowercase `authorization:`, `--data @file` and
//! `--data-raw` bodies, and the backslash-escaped `\?page_size\=20` of one example (stray
//! backslashes at the end of the path and in the query are dropped before routing).

// Module layering: each module imports only modules of a lower layer (or its own), so
// there is no import cycle.
//
// 0. Leaves, importing nothing of the crate: `ids` (random ids), `query` (query strings),
//    `json` (JSON answers), `faults` (what a fault is, the queue), `uploads` (what a
//    presigned upload is, their index), `catalog` (managed plugins: data and checks),
//    `form` (the multipart reader).
// 1. Answers and request checks shared by the handlers: `errors` (the API's error shapes),
//    `storage_errors` (the storage services' error documents), `auth`, `paging`.
// 2. The store: `store` (everything remembered, settings, the fault queue), above the
//    data it holds and below every handler.
// 3. Handlers: `connectors`, `custom_plugins`, `ccpm`, `presign` (issuing upload URLs),
//    `storage` (the upload endpoints), `control` (`/_emulator/...`).
// 4. The edge: `gate` (middleware), then this file (public API, router).

mod auth;
mod catalog;
mod ccpm;
mod config;
mod connectors;
mod control;
mod control_connectors;
mod custom_plugins;
mod errors;
mod faults;
mod form;
mod gate;
mod ids;
mod json;
mod lifecycle;
mod offsets;
mod paging;
mod persist;
mod presign;
mod query;
mod resolve;
mod routes;
mod seed;
mod storage;
mod storage_errors;
mod store;
mod uploads;
mod views;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::EmulatorConfig;
pub use faults::{Fault, FaultKind};
pub use lifecycle::{Delays, Failure};
pub use seed::{Seed, SeedError};

use lifecycle::RateLimit;
use store::App;

/// What the emulator prints in place of a secret.
pub(crate) const REDACTED: &str = "[redacted]";

/// Entry point of the emulator: [`Emulator::builder`] configures one, and
/// [`EmulatorConfig::start`] starts it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Emulator;

impl Emulator {
    /// A configuration with the defaults, to adjust and [`start`](EmulatorConfig::start).
    pub fn builder() -> EmulatorConfig {
        EmulatorConfig::default()
    }
}

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
    /// `http://127.0.0.1:PORT`, the base URL to give a [`Client`](ccloud_connect::Client).
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
    /// when there is no such connector. HTTP:
    /// `POST /_emulator/connectors/{environment}/{cluster}/{name}/fail`.
    pub fn fail_connector(
        &self,
        environment: &str,
        cluster: &str,
        name: &str,
        failure: Failure,
    ) -> bool {
        control_connectors::fail(&self.shared, environment, cluster, name, failure)
    }

    /// Removes an injected failure, persistent or not: the connector shows its state as if
    /// it had never failed. `false` when there is no such connector. HTTP:
    /// `POST /_emulator/connectors/{environment}/{cluster}/{name}/recover`.
    pub fn recover_connector(&self, environment: &str, cluster: &str, name: &str) -> bool {
        control_connectors::recover(&self.shared, environment, cluster, name)
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

    /// Enforces at most `requests` API requests per `window` from now on, in a fresh
    /// window (see [`EmulatorConfig::rate_limit`]). HTTP: `PUT /_emulator/rate-limit`.
    pub fn set_rate_limit(&self, requests: u32, window: Duration) {
        self.shared.set_rate_limit(Some(RateLimit {
            requests: requests.max(1),
            window: window.max(Duration::from_millis(1)),
        }));
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
        control_connectors::stored(&self.shared, environment, cluster, name).map(|s| s.config)
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
        control_connectors::stored(&self.shared, environment, cluster, name)?.plugin_version
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
