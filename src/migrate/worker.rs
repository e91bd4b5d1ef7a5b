//! The self-managed Kafka Connect worker a connector moves from: the four calls of its
//! REST API a migration makes.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use reqwest::{Method, StatusCode, Url};
use serde::Deserialize;

use crate::connect::ConnectorOffset;
use crate::error::ApiError;
use crate::{Error, Result};

/// What errors from the worker name as their API.
const API: &str = "kafka-connect";

/// A self-managed Kafka Connect worker, by the base URL of its REST API
/// (`http://connect:8083`), optionally with HTTP Basic credentials.
///
/// It has its own HTTP client: the Confluent Cloud credentials of a
/// [`Client`](crate::Client) are never sent to it, and its credentials never go to
/// Confluent. It follows no redirect.
#[derive(Clone)]
pub struct Worker {
    base: Url,
    auth: Option<(String, String)>,
    allow_insecure_http: bool,
    http: reqwest::Client,
}

impl fmt::Debug for Worker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker")
            .field("base_url", &self.base.as_str())
            .field(
                "basic_auth",
                &self
                    .auth
                    .as_ref()
                    .map(|(user, _)| (user, crate::error::REDACTED)),
            )
            .finish()
    }
}

impl Worker {
    /// The worker at `url`: `http` or `https`, with a host, and no credentials, query or
    /// fragment (give credentials with [`basic_auth`](Self::basic_auth), so they are
    /// never part of a URL that could be logged). Refused with [`Error::Config`].
    pub fn new(url: &str) -> Result<Worker> {
        // Plain http is allowed here: a worker without credentials is often on a private
        // network; with credentials, every call checks the rule (`check_clear_text`).
        let mut base =
            crate::client::parse_base_url("worker URL", url, true, "Worker::basic_auth")?;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| Error::Config(format!("building the worker's HTTP client: {e}")))?;
        Ok(Worker {
            base,
            auth: None,
            allow_insecure_http: false,
            http,
        })
    }

    /// HTTP Basic credentials for the worker's REST API. Over plain `http` they are never
    /// sent unless the worker is on this machine (loopback) or
    /// [`allow_insecure_http`](Self::allow_insecure_http) says the network is trusted: every
    /// call is refused with [`Error::Config`] before anything is sent.
    pub fn basic_auth(
        mut self,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> Result<Self> {
        let user = user.into();
        if user.is_empty() || user.contains(':') {
            return Err(Error::validation(
                "worker user",
                user,
                "must be non-empty and hold no `:`",
            ));
        }
        self.auth = Some((user, password.into()));
        Ok(self)
    }

    /// Allows Basic credentials over plain `http` to a host that is not loopback, for a
    /// worker on a trusted network.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    fn check_clear_text(&self) -> Result<()> {
        if self.auth.is_some()
            && self.base.scheme() == "http"
            && !self.allow_insecure_http
            && !crate::client::is_loopback(&self.base)
        {
            return Err(Error::Config(format!(
                "worker URL {:?} uses plain http to a host that is not loopback, which would \
                 send the worker's password in clear text; use https, or \
                 Worker::allow_insecure_http(true) on a trusted network",
                self.base.as_str()
            )));
        }
        Ok(())
    }

    async fn call(&self, method: Method, operation: &str, path: &[&str]) -> Result<Vec<u8>> {
        self.check_clear_text()?;
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| Error::Config("the worker URL cannot take a path".into()))?
            .pop_if_empty()
            .extend(path);
        let mut request = self
            .http
            .request(method, url)
            .header("accept", "application/json");
        if let Some((user, password)) = &self.auth {
            request = request.basic_auth(user, Some(password));
        }
        let answer = request
            .send()
            .await
            .map_err(|e| crate::error::transport(API, operation, e))?;
        let status = answer.status();
        let headers = answer.headers().clone();
        let body = answer
            .bytes()
            .await
            .map_err(|e| crate::error::transport(API, operation, e))?;
        if !status.is_success() {
            return Err(Error::Api(Box::new(ApiError::from_parts(
                API, operation, status, &headers, &body,
            ))));
        }
        Ok(body.to_vec())
    }

    fn decode<T: serde::de::DeserializeOwned>(operation: &str, body: &[u8]) -> Result<T> {
        serde_json::from_slice(body)
            .map_err(|e| crate::error::decode(API, operation, Some(StatusCode::OK), body, e))
    }

    /// The connector's configuration (`GET /connectors/{name}/config`).
    pub async fn config(&self, name: &str) -> Result<BTreeMap<String, String>> {
        const OP: &str = "get_connector_config";
        let body = self
            .call(Method::GET, OP, &["connectors", name, "config"])
            .await?;
        Self::decode(OP, &body)
    }

    /// The connector's state, `RUNNING`, `PAUSED`, `STOPPED`, ...
    /// (`GET /connectors/{name}/status`).
    pub async fn state(&self, name: &str) -> Result<String> {
        const OP: &str = "get_connector_status";
        #[derive(Deserialize)]
        struct Status {
            connector: State,
        }
        #[derive(Deserialize)]
        struct State {
            state: String,
        }
        let body = self
            .call(Method::GET, OP, &["connectors", name, "status"])
            .await?;
        Ok(Self::decode::<Status>(OP, &body)?.connector.state)
    }

    /// The connector's committed offsets (`GET /connectors/{name}/offsets`, KIP-875, Kafka
    /// 3.5 and later).
    pub async fn offsets(&self, name: &str) -> Result<Vec<ConnectorOffset>> {
        const OP: &str = "get_connector_offsets";
        #[derive(Deserialize)]
        struct Offsets {
            #[serde(default)]
            offsets: Vec<ConnectorOffset>,
        }
        let body = self
            .call(Method::GET, OP, &["connectors", name, "offsets"])
            .await?;
        Ok(Self::decode::<Offsets>(OP, &body)?.offsets)
    }

    /// Stops the connector: its tasks end and its offsets stay
    /// (`PUT /connectors/{name}/stop`, `202`).
    pub async fn stop(&self, name: &str) -> Result<()> {
        self.call(Method::PUT, "stop_connector", &["connectors", name, "stop"])
            .await
            .map(drop)
    }
}
