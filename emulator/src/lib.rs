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
mod connectors;
mod control;
mod custom_plugins;
mod errors;
mod faults;
mod form;
mod gate;
mod ids;
mod json;
mod paging;
mod presign;
mod query;
mod storage;
mod storage_errors;
mod store;
mod uploads;

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower::Layer as _;

pub use faults::{Fault, FaultKind};

use errors::{Failure, Shape};
use store::{App, Settings, Shared};

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

/// How an emulator behaves; built with [`Emulator::builder`].
///
/// ```
/// use std::time::Duration;
/// let config = ccloud_connect_emulator::Emulator::builder()
///     .port(0)
///     .provisioning_delay(Duration::from_millis(20))
///     .version_processing_delay(Duration::from_millis(20))
///     .credentials("KEY", "SECRET")
///     .max_upload_size(1024 * 1024)
///     .max_concurrent_uploads(4);
/// assert!(!format!("{config:?}").contains("SECRET"));
/// ```
#[derive(Clone)]
pub struct EmulatorConfig {
    port: u16,
    provisioning_delay: Duration,
    version_processing_delay: Duration,
    credentials: Option<(String, String)>,
    max_upload_size: u64,
    upload_url_ttl: Duration,
    max_concurrent_uploads: usize,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            port: 0,
            provisioning_delay: Duration::from_millis(200),
            version_processing_delay: Duration::from_millis(200),
            credentials: None,
            max_upload_size: 200 * 1024 * 1024,
            upload_url_ttl: Duration::from_secs(3600),
            max_concurrent_uploads: 8,
        }
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("port", &self.port)
            .field("provisioning_delay", &self.provisioning_delay)
            .field("version_processing_delay", &self.version_processing_delay)
            .field(
                "credentials",
                &self
                    .credentials
                    .as_ref()
                    .map(|(k, _)| (k.as_str(), crate::REDACTED)),
            )
            .field("max_upload_size", &self.max_upload_size)
            .field("upload_url_ttl", &self.upload_url_ttl)
            .field("max_concurrent_uploads", &self.max_concurrent_uploads)
            .finish()
    }
}

impl EmulatorConfig {
    /// The port on 127.0.0.1; `0` (the default) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// How long a connector stays `PROVISIONING` after creation or restart, and how long an
    /// offsets request stays `PENDING`. Default 200 ms.
    pub fn provisioning_delay(mut self, delay: Duration) -> Self {
        self.provisioning_delay = delay;
        self
    }

    /// How long a ccpm plugin version stays `PROCESSING`. Default 200 ms.
    pub fn version_processing_delay(mut self, delay: Duration) -> Self {
        self.version_processing_delay = delay;
        self
    }

    /// Accept only this API key and secret (by default any non-empty pair is accepted).
    /// Both must be non-empty: an empty key or secret never authenticates.
    pub fn credentials(
        mut self,
        api_key: impl Into<String>,
        api_secret: impl Into<String>,
    ) -> Self {
        self.credentials = Some((api_key.into(), api_secret.into()));
        self
    }

    /// The largest plugin archive the storage endpoints take, in bytes. Default 200 MiB.
    pub fn max_upload_size(mut self, bytes: u64) -> Self {
        self.max_upload_size = bytes;
        self
    }

    /// How long a presigned upload URL stays valid. Default one hour, as the API's. A URL
    /// that expires with nothing uploaded to it is forgotten: its `upload_id` becomes
    /// unknown. `Duration::ZERO` makes every URL expired when used.
    pub fn upload_url_ttl(mut self, ttl: Duration) -> Self {
        self.upload_url_ttl = ttl;
        self
    }

    /// How many storage requests (archive uploads) are served at once; the next ones are
    /// answered `503` in the storage service's format, with `Retry-After`. Default 8; `0`
    /// counts as 1.
    pub fn max_concurrent_uploads(mut self, uploads: usize) -> Self {
        self.max_concurrent_uploads = uploads;
        self
    }

    /// Binds 127.0.0.1 and serves in a task of the current tokio runtime until the handle
    /// is dropped or [`stop`](EmulatorHandle::stop)ped.
    ///
    /// Fails when the port cannot be bound; the error names the address.
    pub async fn start(self) -> std::io::Result<EmulatorHandle> {
        let wanted = SocketAddr::from(([127, 0, 0, 1], self.port));
        let listener = tokio::net::TcpListener::bind(wanted).await.map_err(|e| {
            std::io::Error::new(e.kind(), format!("binding the emulator to {wanted}: {e}"))
        })?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let shared = Arc::new(Shared::new(
            Settings {
                provisioning_delay: self.provisioning_delay,
                version_processing_delay: self.version_processing_delay,
                credentials: self.credentials,
                max_upload_size: self.max_upload_size,
                upload_url_ttl: self.upload_url_ttl,
                max_concurrent_uploads: self.max_concurrent_uploads,
            },
            base_url.clone(),
        ));
        // Rewriting the URI must happen before routing, so this layer wraps the router.
        let app = middleware::from_fn(gate::normalize_uri).layer(router(shared.clone()));
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(
                listener,
                axum::ServiceExt::<Request>::into_make_service(app),
            )
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "emulator server stopped with an error");
            }
        });
        Ok(EmulatorHandle {
            base_url,
            addr,
            shared,
            shutdown: Some(shutdown),
            task: Some(task),
        })
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
    base_url: String,
    addr: SocketAddr,
    shared: App,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
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

fn router(app: App) -> Router {
    const CLUSTER: &str = "/connect/v1/environments/{env}/clusters/{cluster}";
    let c = |suffix: &str| format!("{CLUSTER}{suffix}");
    Router::new()
        .route(
            &c("/connectors"),
            get(connectors::list).post(connectors::create),
        )
        .route(
            &c("/connectors/{name}"),
            get(connectors::get).delete(connectors::delete),
        )
        .route(
            &c("/connectors/{name}/config"),
            get(connectors::get_config).put(connectors::put_config),
        )
        .route(&c("/connectors/{name}/pause"), put(connectors::pause))
        .route(&c("/connectors/{name}/resume"), put(connectors::resume))
        .route(&c("/connectors/{name}/restart"), post(connectors::restart))
        .route(&c("/connectors/{name}/status"), get(connectors::status))
        .route(&c("/connectors/{name}/tasks"), get(connectors::tasks))
        .route(&c("/connectors/{name}/offsets"), get(connectors::offsets))
        .route(
            &c("/connectors/{name}/offsets/request"),
            post(connectors::alter_offsets),
        )
        .route(
            &c("/connectors/{name}/offsets/request/status"),
            get(connectors::offsets_status),
        )
        .route(&c("/connector-plugins"), get(connectors::list_plugins))
        .route(
            &c("/connector-plugins/{name}/config/validate"),
            put(connectors::validate),
        )
        .route(
            "/connect/v1/custom-connector-plugins",
            get(custom_plugins::list).post(custom_plugins::create),
        )
        .route(
            "/connect/v1/custom-connector-plugins/{id}",
            get(custom_plugins::get)
                .patch(custom_plugins::update)
                .delete(custom_plugins::delete),
        )
        .route(
            "/connect/v1/presigned-upload-url",
            post(custom_plugins::presigned_upload_url),
        )
        .route(
            "/connect/v1/custom-connector-runtimes",
            get(custom_plugins::runtimes),
        )
        .route(
            "/ccpm/v1/plugins",
            get(ccpm::list_plugins).post(ccpm::create_plugin),
        )
        .route(
            "/ccpm/v1/plugins/{id}",
            get(ccpm::get_plugin)
                .patch(ccpm::update_plugin)
                .delete(ccpm::delete_plugin),
        )
        .route(
            "/ccpm/v1/plugins/{id}/versions",
            get(ccpm::list_versions).post(ccpm::create_version),
        )
        .route(
            "/ccpm/v1/plugins/{id}/versions/{version}",
            get(ccpm::get_version).delete(ccpm::delete_version),
        )
        .route(
            "/ccpm/v1/presigned-upload-url",
            post(ccpm::presigned_upload_url),
        )
        .route("/_storage/s3/{bucket}", post(storage::s3_post))
        .route("/_storage/s3/{bucket}/", post(storage::s3_post))
        .route(
            "/_storage/azure/{container}/{*blob}",
            put(storage::azure_put),
        )
        .route("/_storage/gcs/{bucket}/{*object}", put(storage::gcs_put))
        .route(
            "/_emulator/faults",
            get(control::list)
                .post(control::inject)
                .delete(control::clear),
        )
        .route(control::HEALTH, get(control::health))
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(app.clone(), gate::gate))
        .with_state(app)
}

async fn unknown_route(uri: Uri) -> Response {
    Failure::not_found(
        Shape::for_path(uri.path()),
        format!("no route for {}", uri.path()),
    )
    .into_response()
}

async fn method_not_allowed(uri: Uri) -> Response {
    Failure::new(
        StatusCode::METHOD_NOT_ALLOWED,
        Shape::for_path(uri.path()),
        "method_not_allowed",
        format!("method not allowed on {}", uri.path()),
    )
    .into_response()
}
