//! [`EmulatorConfig`]: how an emulator starts (the builder), and starting it: the store
//! restored from the state file or seeded, the router, the server task.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::middleware;
use tokio::sync::oneshot;
use tower::Layer as _;

use crate::control::handle::EmulatorHandle;
use crate::control::seed;
use crate::control::seed::Seed;
use crate::http::address::advertised;
use crate::state::lifecycle::Delays;
use crate::state::persist;
use crate::state::rate::RateLimit;
use crate::state::store::{Settings, Shared};
use crate::{gate, routes};

/// What the emulator prints in place of a secret.
const REDACTED: &str = "[redacted]";

/// How an emulator behaves; built with [`Emulator::builder`](crate::Emulator::builder).
///
/// ```
/// use std::time::Duration;
/// let config = ccloud_connect_emulator::Emulator::builder()
///     .port(0)
///     .provisioning_delay(Duration::from_millis(20))
///     .version_processing_delay(Duration::from_millis(20))
///     .credentials("KEY", "SECRET")
///     .max_upload_size(1024 * 1024)
///     .max_concurrent_uploads(4)
///     .max_pending_uploads(100)
///     .upload_url_ttl(Duration::from_secs(600))
///     .restart_delay(Duration::from_millis(50))
///     .pause_delay(Duration::from_millis(50))
///     .resume_delay(Duration::from_millis(50))
///     .stale_status_window(Duration::from_millis(10))
///     .rate_limit(100, Duration::from_secs(60));
/// assert!(!format!("{config:?}").contains("SECRET"));
/// ```
#[derive(Clone)]
pub struct EmulatorConfig {
    host: IpAddr,
    port: u16,
    provisioning_delay: Duration,
    version_processing_delay: Duration,
    artifact_processing_delay: Duration,
    credentials: Option<(String, String)>,
    max_upload_size: u64,
    upload_url_ttl: Duration,
    max_pending_uploads: usize,
    max_concurrent_uploads: usize,
    /// `None`: as long as the provisioning delay.
    restart_delay: Option<Duration>,
    pause_delay: Duration,
    resume_delay: Duration,
    stale_status_window: Duration,
    rate_limit: Option<RateLimit>,
    seed: Option<Seed>,
    state_file: Option<PathBuf>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            provisioning_delay: Duration::from_millis(200),
            version_processing_delay: Duration::from_millis(200),
            artifact_processing_delay: Duration::from_millis(200),
            credentials: None,
            max_upload_size: 200 * 1024 * 1024,
            upload_url_ttl: Duration::from_secs(3600),
            max_pending_uploads: 1000,
            max_concurrent_uploads: 8,
            restart_delay: None,
            pause_delay: Duration::ZERO,
            resume_delay: Duration::ZERO,
            stale_status_window: Duration::ZERO,
            rate_limit: None,
            seed: None,
            state_file: None,
        }
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("provisioning_delay", &self.provisioning_delay)
            .field("version_processing_delay", &self.version_processing_delay)
            .field("artifact_processing_delay", &self.artifact_processing_delay)
            .field(
                "credentials",
                &self
                    .credentials
                    .as_ref()
                    .map(|(k, _)| (k.as_str(), REDACTED)),
            )
            .field("max_upload_size", &self.max_upload_size)
            .field("upload_url_ttl", &self.upload_url_ttl)
            .field("max_pending_uploads", &self.max_pending_uploads)
            .field("max_concurrent_uploads", &self.max_concurrent_uploads)
            .field("delays", &self.delays())
            .field("rate_limit", &self.rate_limit)
            .field("seed", &self.seed.is_some())
            .field("state_file", &self.state_file)
            .finish()
    }
}

impl EmulatorConfig {
    /// The port; `0` (the default) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The address to listen on. Default `127.0.0.1`, reachable only from this machine.
    /// In a container, `0.0.0.0` (binary: `--host 0.0.0.0`) makes it reachable through a
    /// published port. Anyone who reaches the emulator can use it: set
    /// [`credentials`](EmulatorConfig::credentials) before listening beyond loopback.
    ///
    /// The base URL (in links, `metadata.next` and presigned upload URLs) names the host
    /// listened on, except for an unspecified address (`0.0.0.0`, `::`), which names the
    /// loopback address of its family (`127.0.0.1`, `[::1]`) with the same port: what a
    /// client on the same host reaches, or through a container's port published under the
    /// same number (`-p 8080:8080`). A guess: the emulator cannot know the name other
    /// machines reach it by.
    pub fn host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }

    /// How long a connector stays `PROVISIONING` after creation or a configuration change,
    /// and how long an offsets request stays `PENDING`. Default 200 ms. Also the restart
    /// delay unless [`restart_delay`](EmulatorConfig::restart_delay) is set.
    pub fn provisioning_delay(mut self, delay: Duration) -> Self {
        self.provisioning_delay = delay;
        self
    }

    /// How long a ccpm plugin version stays `PROCESSING`. Default 200 ms.
    pub fn version_processing_delay(mut self, delay: Duration) -> Self {
        self.version_processing_delay = delay;
        self
    }

    /// How long a `cam/v1` Connect Artifact takes to process: `WAITING_FOR_PROCESSING`
    /// for the first half, `PROCESSING` for the second, then `READY` (or `FAILED`).
    /// Default 200 ms.
    pub fn artifact_processing_delay(mut self, delay: Duration) -> Self {
        self.artifact_processing_delay = delay;
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
    /// unknown, and an upload to it gets the storage service's expiry error.
    /// `Duration::ZERO` makes every URL expired when used. Binary: `--upload-url-ttl-secs`.
    pub fn upload_url_ttl(mut self, ttl: Duration) -> Self {
        self.upload_url_ttl = ttl;
        self
    }

    /// How many presigned uploads with nothing uploaded yet are kept. Default 1000
    /// (about 2.4 MB); `0` counts as 1. Issuing one more forgets the oldest unused one,
    /// exactly as if its URL had expired: its `upload_id` becomes unknown, and an upload
    /// to its URL gets the storage service's expiry error. So a loop of URLs that are
    /// never used keeps the emulator's memory flat. Uploads that received an archive are
    /// kept, and not counted. Binary: `--max-pending-uploads`.
    pub fn max_pending_uploads(mut self, uploads: usize) -> Self {
        self.max_pending_uploads = uploads;
        self
    }

    /// How many storage requests (archive uploads) are served at once; the next ones are
    /// answered `503` in the storage service's format, with `Retry-After`. Default 8; `0`
    /// counts as 1.
    pub fn max_concurrent_uploads(mut self, uploads: usize) -> Self {
        self.max_concurrent_uploads = uploads;
        self
    }

    /// How long a connector stays `PROVISIONING` after a restart (after the stale-status
    /// window). Default: the provisioning delay.
    pub fn restart_delay(mut self, delay: Duration) -> Self {
        self.restart_delay = Some(delay);
        self
    }

    /// How long a connector still shows `RUNNING` after a pause (after the stale-status
    /// window) before `PAUSED`. Default zero.
    pub fn pause_delay(mut self, delay: Duration) -> Self {
        self.pause_delay = delay;
        self
    }

    /// How long a connector still shows `PAUSED` after a resume (after the stale-status
    /// window) before `RUNNING`. Default zero.
    pub fn resume_delay(mut self, delay: Duration) -> Self {
        self.resume_delay = delay;
        self
    }

    /// How long after a pause, resume or restart `GET .../status` (and the `status` of
    /// `list_connectors?expand=status`) still answers the status from before the action,
    /// as the real API's asynchronous lifecycle does. Default zero.
    pub fn stale_status_window(mut self, window: Duration) -> Self {
        self.stale_status_window = window;
        self
    }

    /// Enforce at most `requests` API requests per `window` and per API key (the
    /// Basic-auth user name; each key has its own window; control and storage endpoints
    /// are not counted): every API answer carries `X-RateLimit-Limit`,
    /// `X-RateLimit-Remaining` and `X-RateLimit-Reset` for the caller's key, and a request over the limit is a
    /// `429` with `Retry-After`. `requests` 0 counts as 1; a zero window as 1 ms.
    pub fn rate_limit(mut self, requests: u32, window: Duration) -> Self {
        self.rate_limit = Some(RateLimit {
            requests: requests.max(1),
            window: window.max(Duration::from_millis(1)),
        });
        self
    }

    /// Start with the connectors, plugins and artifacts of `seed` (see [`Seed`] for the format).
    /// Ignored when a [`state_file`](EmulatorConfig::state_file) exists: it already holds
    /// the seeded state and what followed.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Keep the state in `path`: restored at start when the file exists, and rewritten
    /// whole (temporary file in the same directory, fsync, rename) before answering every
    /// request that changed something, so a killed emulator loses nothing it acknowledged.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    fn delays(&self) -> Delays {
        Delays {
            provisioning: self.provisioning_delay,
            restart: self.restart_delay.unwrap_or(self.provisioning_delay),
            pause: self.pause_delay,
            resume: self.resume_delay,
            stale_status: self.stale_status_window,
        }
    }

    /// Binds the [`host`](EmulatorConfig::host) and [`port`](EmulatorConfig::port) and
    /// serves in a task of the current tokio runtime until the handle
    /// is dropped or [`stop`](EmulatorHandle::stop)ped.
    ///
    /// Fails when the port cannot be bound (the error names the address), when the state
    /// file cannot be read or written, or when the seed does not apply (an unknown plugin,
    /// a refused configuration, a duplicate name or id).
    pub async fn start(self) -> std::io::Result<EmulatorHandle> {
        let wanted = SocketAddr::new(self.host, self.port);
        let listener = tokio::net::TcpListener::bind(wanted).await.map_err(|e| {
            std::io::Error::new(e.kind(), format!("binding the emulator to {wanted}: {e}"))
        })?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{}", advertised(addr));
        let delays = self.delays();
        let shared = Arc::new(Shared::new(
            Settings {
                version_processing_delay: self.version_processing_delay,
                artifact_processing_delay: self.artifact_processing_delay,
                credentials: self.credentials,
                max_upload_size: self.max_upload_size,
                upload_url_ttl: self.upload_url_ttl,
                max_pending_uploads: self.max_pending_uploads.max(1),
                max_concurrent_uploads: self.max_concurrent_uploads,
                state_file: self.state_file.clone(),
            },
            delays,
            base_url.clone(),
        ));
        shared.set_rate_limit(self.rate_limit);
        let restored = match &self.state_file {
            Some(path) => persist::load(path)?,
            None => None,
        };
        match restored {
            Some(store) => *shared.store() = store,
            None => {
                if let Some(s) = &self.seed {
                    seed::apply(&shared, s).map_err(|m| {
                        let origin = s.origin();
                        std::io::Error::new(
                            std::io::ErrorKind::InvalidInput,
                            format!("{origin}: {m}"),
                        )
                    })?;
                }
                // The seeded state is acknowledged too: written before anyone can see it.
                if self.state_file.is_some() {
                    persist::save(&shared)?;
                }
            }
        }
        // Rewriting the URI must happen before routing, so this layer wraps the router.
        let app = middleware::from_fn(gate::normalize_uri).layer(routes::router(shared.clone()));
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
