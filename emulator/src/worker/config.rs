//! [`WorkerConfig`]: how a worker starts (the builder), and starting it: the connectors
//! taken from the seed and the builder, the router, the server task.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::oneshot;

use crate::http::address::advertised;

use super::connector::WorkerConnector;
use super::endpoints;
use super::handle::WorkerHandle;
use super::seed::WorkerSeed;
use super::state::{Refused, Registry, Shared};

/// Where the seed comes from; the last one given wins.
#[derive(Clone, Debug)]
enum SeedSource {
    Loaded(WorkerSeed),
    /// Read at start, so a builder can be made before the file is written.
    File(PathBuf),
}

/// How a worker behaves; built with [`Worker::builder`](crate::Worker::builder).
///
/// ```
/// use std::collections::BTreeMap;
/// use ccloud_connect_emulator::{Worker, WorkerConnector};
/// let config = Worker::builder()
///     .port(0)
///     .basic_auth("connect", "connect-secret")
///     .connector(WorkerConnector::new("pageviews", BTreeMap::from([(
///         "connector.class".to_owned(),
///         "io.confluent.kafka.connect.datagen.DatagenConnector".to_owned(),
///     )])));
/// assert!(!format!("{config:?}").contains("connect-secret"));
/// ```
#[derive(Clone)]
pub struct WorkerConfig {
    host: IpAddr,
    port: u16,
    basic_auth: Option<(String, String)>,
    seed: Option<SeedSource>,
    connectors: Vec<WorkerConnector>,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            basic_auth: None,
            seed: None,
            connectors: Vec::new(),
        }
    }
}

impl fmt::Debug for WorkerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkerConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field(
                "basic_auth",
                &self
                    .basic_auth
                    .as_ref()
                    .map(|(user, _)| (user.as_str(), "[redacted]")),
            )
            // Not the seed's connectors: their configurations may hold secrets.
            .field(
                "seed",
                &match &self.seed {
                    None => None,
                    Some(SeedSource::Loaded(_)) => Some("loaded".to_owned()),
                    Some(SeedSource::File(path)) => Some(path.display().to_string()),
                },
            )
            .field("connectors", &self.connectors.len())
            .finish()
    }
}

impl WorkerConfig {
    /// The port; `0` (the default) picks a free one. A real worker listens on 8083.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The address to listen on. Default `127.0.0.1`. An unspecified address (`0.0.0.0`,
    /// `::`) is advertised, in the base URL and the statuses' `worker_id`, as the loopback
    /// address of its family, as the emulator does.
    pub fn host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }

    /// Require this exact HTTP Basic pair on every request, as a worker with Kafka
    /// Connect's `BasicAuthSecurityRestExtension` does; anything else is a `401`. Both
    /// must be non-empty, or [`start`](WorkerConfig::start) fails.
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.basic_auth = Some((user.into(), password.into()));
        self
    }

    /// Start with a connector (after the seed's). Checked at start as `POST /connectors`
    /// checks one.
    pub fn connector(mut self, connector: WorkerConnector) -> Self {
        self.connectors.push(connector);
        self
    }

    /// Start with the connectors of `seed`. Replaces an earlier seed or seed file.
    pub fn seed(mut self, seed: WorkerSeed) -> Self {
        self.seed = Some(SeedSource::Loaded(seed));
        self
    }

    /// Start with the connectors of the seed file at `path`, read at start (see
    /// [`WorkerSeed::from_file`]). Replaces an earlier seed or seed file.
    pub fn seed_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.seed = Some(SeedSource::File(path.into()));
        self
    }

    /// Binds the [`host`](WorkerConfig::host) and [`port`](WorkerConfig::port) and serves
    /// in a task of the current tokio runtime until the handle is dropped or
    /// [`stop`](WorkerHandle::stop)ped.
    ///
    /// Fails with `InvalidInput` when the basic-auth user or password is empty, the seed
    /// file cannot be read or parsed, or a connector is refused (named by its place in
    /// the seed, or by its name); with the bind error, naming the address, when the port
    /// cannot be bound.
    pub async fn start(self) -> io::Result<WorkerHandle> {
        let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidInput, message);
        if let Some((user, password)) = &self.basic_auth
            && (user.is_empty() || password.is_empty())
        {
            return Err(invalid(
                "the worker's basic-auth user and password must not be empty".to_owned(),
            ));
        }
        let registry = self.registry().map_err(invalid)?;
        let wanted = SocketAddr::new(self.host, self.port);
        let listener = tokio::net::TcpListener::bind(wanted).await.map_err(|e| {
            io::Error::new(e.kind(), format!("binding the worker to {wanted}: {e}"))
        })?;
        let addr = listener.local_addr()?;
        let advertised = advertised(addr);
        let shared = Arc::new(Shared::new(
            registry,
            advertised.to_string(),
            self.basic_auth,
        ));
        let app = endpoints::router(shared.clone());
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "worker server stopped with an error");
            }
        });
        Ok(WorkerHandle {
            base_url: format!("http://{advertised}"),
            addr,
            shared,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// The connectors to start with: the seed's, then the builder's.
    fn registry(&self) -> Result<Registry, String> {
        let loaded;
        let seed = match &self.seed {
            None => None,
            Some(SeedSource::Loaded(seed)) => Some(seed),
            Some(SeedSource::File(path)) => {
                loaded = WorkerSeed::from_file(path).map_err(|e| e.to_string())?;
                Some(&loaded)
            }
        };
        let mut registry = Registry::default();
        let reason = |r: Refused| match r {
            Refused::Exists(m) | Refused::Invalid(m) => m,
        };
        if let Some(seed) = seed {
            let origin = seed.origin();
            let connectors = seed.connectors().map_err(|m| format!("{origin}: {m}"))?;
            for (what, connector) in connectors {
                registry
                    .insert(connector)
                    .map_err(|r| format!("{origin}: {what}: {}", reason(r)))?;
            }
        }
        for connector in &self.connectors {
            let name = connector.name.clone();
            registry
                .insert(connector.clone())
                .map_err(|r| format!("connector {name:?}: {}", reason(r)))?;
        }
        Ok(registry)
    }
}
