//! The entry point: one authenticated [`Client`] for both APIs.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderValue;

use crate::cam::{Cam, CamApi};
use crate::ccpm::{Ccpm, CcpmApi};
use crate::connect::{Connect, ConnectApi};
use crate::http::pacing::Limiter;
use crate::http::transport::Transport;
use crate::http::{
    Credentials, Observers, Pacing, REDACTED, RequestView, ResponseView, RetryPolicy,
};
use crate::{Error, Result};

const DEFAULT_BASE_URL: &str = ClientBuilder::DEFAULT_BASE_URL;
const ENV_API_KEY: &str = ClientBuilder::ENV_API_KEY;
const ENV_API_SECRET: &str = ClientBuilder::ENV_API_SECRET;
const ENV_ENDPOINT: &str = ClientBuilder::ENV_ENDPOINT;

/// An authenticated client for the Confluent Cloud Connect API: `connect/v1` through
/// [`connect()`](Self::connect), `ccpm/v1` through [`ccpm()`](Self::ccpm) and `cam/v1`
/// through [`cam()`](Self::cam).
///
/// Cloning is cheap: clones share one connection pool and one configuration.
///
/// ```no_run
/// # async fn run() -> ccloud_connect::Result<()> {
/// let client = ccloud_connect::Client::from_env()?;
/// let names = client.connect().cluster("env-123", "lkc-456").connector_names().await?;
/// # let _ = names; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    connect: Connect,
    ccpm: Ccpm,
    cam: Cam,
    transport: Arc<Transport>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.transport.base.as_str())
            .field("credentials", &self.transport.credentials)
            .field("retry", &self.transport.retry)
            .finish()
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the process environment: `CONFLUENT_CLOUD_API_KEY`,
    /// `CONFLUENT_CLOUD_API_SECRET` and optionally `CONFLUENT_CLOUD_ENDPOINT`.
    ///
    /// A missing or empty variable is an [`Error::Config`] naming it.
    pub fn from_env() -> Result<Self> {
        ClientBuilder::from_env()?.build()
    }

    /// `connect/v1`: clusters and their connectors, managed plugins, custom connector
    /// plugins, presigned upload URLs and runtimes.
    pub fn connect(&self) -> &Connect {
        &self.connect
    }

    /// `ccpm/v1`: Custom Connect Plugin Management plugins and versions, per environment.
    pub fn ccpm(&self) -> &Ccpm {
        &self.ccpm
    }

    /// `cam/v1`: Connect Artifacts (custom SMT archives), per environment and cloud.
    pub fn cam(&self) -> &Cam {
        &self.cam
    }

    /// The base URL every API request goes to.
    pub fn base_url(&self) -> &Url {
        &self.transport.base
    }

    /// The API key id this client authenticates with.
    pub fn api_key(&self) -> &str {
        self.transport.credentials.api_key()
    }
}

/// A secret string that never prints.
#[derive(Clone, Default)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Configuration of a [`Client`]; see [`Client::builder`].
///
/// ```
/// use std::time::Duration;
/// let client = ccloud_connect::Client::builder()
///     .credentials("MYKEY", "MYSECRET")
///     .base_url("http://127.0.0.1:8080")
///     .user_agent_suffix("my-tool/1.2")
///     .request_timeout(Duration::from_secs(30))
///     .retry(ccloud_connect::RetryPolicy::default().max_attempts(2))
///     .build()
///     .unwrap();
/// assert_eq!(client.base_url().as_str(), "http://127.0.0.1:8080/");
/// ```
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    api_key: Option<String>,
    api_secret: Option<Secret>,
    base_url: String,
    user_agent_suffix: Option<String>,
    connect_timeout: Duration,
    request_timeout: Duration,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    pacing: Pacing,
    observers: Observers,
    max_response_body: u64,
    allow_insecure_http: bool,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            api_key: None,
            api_secret: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            user_agent_suffix: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            http: None,
            retry: RetryPolicy::default(),
            pacing: Pacing::default(),
            observers: Observers::default(),
            max_response_body: Self::DEFAULT_MAX_RESPONSE_BODY,
            allow_insecure_http: false,
        }
    }
}

impl ClientBuilder {
    /// Confluent Cloud's API endpoint, the default base URL.
    pub const DEFAULT_BASE_URL: &'static str = "https://api.confluent.cloud";
    /// Environment variable holding the Cloud API key (the name Confluent's Terraform
    /// provider reads).
    pub const ENV_API_KEY: &'static str = "CONFLUENT_CLOUD_API_KEY";
    /// Environment variable holding the Cloud API secret.
    pub const ENV_API_SECRET: &'static str = "CONFLUENT_CLOUD_API_SECRET";
    /// Optional environment variable overriding the base URL.
    pub const ENV_ENDPOINT: &'static str = "CONFLUENT_CLOUD_ENDPOINT";

    /// The default of [`max_response_body`](Self::max_response_body): 32 MiB, far above the
    /// largest real answer (a page of 100 plugins, or a cluster's connectors with every
    /// expansion, is well under 1 MiB).
    pub const DEFAULT_MAX_RESPONSE_BODY: u64 = 32 * 1024 * 1024;

    /// A builder filled from the process environment (see [`Client::from_env`]).
    pub fn from_env() -> Result<Self> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// A builder filled from `lookup`, called with each variable name; lets tests and
    /// programs with their own configuration source supply the values without touching the
    /// process environment.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// let vars = HashMap::from([
    ///     ("CONFLUENT_CLOUD_API_KEY", "KEY"),
    ///     ("CONFLUENT_CLOUD_API_SECRET", "SECRET"),
    /// ]);
    /// let client = ccloud_connect::ClientBuilder::from_env_with(|k| vars.get(k).map(|v| v.to_string()))
    ///     .unwrap()
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(client.api_key(), "KEY");
    /// ```
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let required = |name: &str| match lookup(name) {
            Some(v) if !v.trim().is_empty() => Ok(v),
            Some(_) => Err(Error::Config(format!(
                "environment variable {name} is empty"
            ))),
            None => Err(Error::Config(format!(
                "environment variable {name} is not set"
            ))),
        };
        let key = required(ENV_API_KEY)?;
        let secret = required(ENV_API_SECRET)?;
        let mut builder = Self::default().credentials(key, secret);
        match lookup(ENV_ENDPOINT) {
            Some(url) if !url.trim().is_empty() => builder = builder.base_url(url.trim()),
            Some(_) => {
                return Err(Error::Config(format!(
                    "environment variable {ENV_ENDPOINT} is set but empty; unset it to use {DEFAULT_BASE_URL}"
                )));
            }
            None => {}
        }
        Ok(builder)
    }

    /// The Cloud API key and secret (`confluent api-key create --resource cloud`).
    pub fn credentials(
        mut self,
        api_key: impl Into<String>,
        api_secret: impl Into<String>,
    ) -> Self {
        self.api_key = Some(api_key.into());
        self.api_secret = Some(Secret(api_secret.into()));
        self
    }

    /// Where API requests go. Default `https://api.confluent.cloud`; set it for a proxy, a
    /// test server or the emulator. A path stem is kept.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The largest success body the client reads, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_BODY`](Self::DEFAULT_MAX_RESPONSE_BODY)). An answer announcing
    /// more in its `Content-Length` is refused before its body is read, and one that sends
    /// more is cut off at the limit: both end in [`Error::ResponseRefused`], so a broken or
    /// hostile server cannot make a program hold an endless body in memory. Error bodies are
    /// always cut at 64 KiB.
    pub fn max_response_body(mut self, bytes: u64) -> Self {
        self.max_response_body = bytes;
        self
    }

    /// Allows a plain `http://` base URL (and telemetry base URL) on a host other than the
    /// loopback addresses. Off by default: the API key and secret travel in every request's
    /// `Authorization` header, and over plain HTTP anyone on the path reads them. Loopback
    /// (`127.0.0.0/8`, `::1`, `localhost`: the emulator and local tests) is always allowed.
    /// Turn this on only for a proxy on a network you trust.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Appended to the `User-Agent` (`ccloud-connect/<version> <suffix>`).
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Time allowed to open a connection. Default 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one attempt of one request, answer included. Default 60 s.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Uses the caller's HTTP client (its pool, proxy and TLS settings). The timeouts set
    /// on this builder are then not applied: configure them on that client. Credentials are
    /// added per request, only for the base URL.
    ///
    /// Build it with `.redirect(reqwest::redirect::Policy::none())`, as the crate's own
    /// client is: the API never redirects, and a followed redirect carries the request,
    /// credentials included, to a URL this client did not check.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The retry policy (default: [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How requests are paced under the API's rate limit (default: [`Pacing::Adaptive`],
    /// which learns the limit from the `X-RateLimit-*` headers and holds requests rather
    /// than send them into a `429`). The budget is shared by every clone of the client.
    /// Time spent waiting for budget shows as `budget_wait_ms` in the request span.
    pub fn pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = pacing;
        self
    }

    /// Calls `observer` with every `connect/v1`, `ccpm/v1`, `cam/v1` and telemetry request just before it is sent: its operation, method,
    /// URL, headers and JSON body. Credentials are never shown (the `Authorization` header is
    /// added after observers ran). A request retried by the [`RetryPolicy`] is shown once.
    ///
    /// Observers run on the task that sends the request and should return quickly: use them
    /// for logging, metrics or checking requests in tests. Several observers run in the
    /// order they were installed.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// let sent = Arc::new(Mutex::new(Vec::new()));
    /// let log = sent.clone();
    /// let client = ccloud_connect::Client::builder()
    ///     .credentials("KEY", "SECRET")
    ///     .on_request(move |r| log.lock().unwrap().push(format!("{} {}", r.method, r.url.path())))
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// ```
    pub fn on_request(
        mut self,
        observer: impl Fn(&RequestView<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.observers.requests.push(Arc::new(observer));
        self
    }

    /// Calls `observer` with the final answer of every `connect/v1`, `ccpm/v1`, `cam/v1` and telemetry
    /// request (after retries), before it is decoded: status, headers and body (whole for a
    /// success status, the first 64 KiB otherwise). Quotations of the client's own
    /// credentials in the body and the headers are already `[redacted]`.
    /// An answer that never arrived (a timeout, a broken connection) or that was refused
    /// ([`Error::ResponseRefused`]) is not shown.
    pub fn on_response(
        mut self,
        observer: impl Fn(&ResponseView<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.observers.responses.push(Arc::new(observer));
        self
    }

    /// Checks the configuration and builds the client. Sends nothing.
    pub fn build(self) -> Result<Client> {
        let (Some(key), Some(secret)) = (self.api_key, self.api_secret) else {
            return Err(Error::Config(format!(
                "no credentials: call .credentials(key, secret) or set {ENV_API_KEY} and {ENV_API_SECRET}"
            )));
        };
        let credentials = Credentials::new(key, &secret.0)?;
        let base = parse_base_url(
            "base URL",
            &self.base_url,
            self.allow_insecure_http,
            ".credentials()",
        )?;
        if self.max_response_body == 0 {
            return Err(Error::validation(
                "max_response_body",
                "0",
                "must be at least 1 byte",
            ));
        }

        let mut agent = format!("ccloud-connect/{}", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = self.user_agent_suffix.filter(|s| !s.trim().is_empty()) {
            agent.push(' ');
            agent.push_str(suffix.trim());
        }
        let user_agent = HeaderValue::from_str(&agent).map_err(|_| {
            Error::validation("user_agent_suffix", agent.clone(), "must be visible ASCII")
        })?;

        let http = match self.http {
            Some(http) => http,
            None => {
                reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .timeout(self.request_timeout)
                    // The API never redirects; following one could carry a request elsewhere.
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?
            }
        };

        let transport = Arc::new(Transport {
            base: base.clone(),
            credentials,
            user_agent,
            retry: self.retry,
            observers: self.observers,
            max_body: self.max_response_body,
            allow_insecure_http: self.allow_insecure_http,
            limiter: Limiter::new(self.pacing),
        });
        // progenitor appends "/connect/v1/..." to this string.
        let stem = base.as_str().trim_end_matches('/');
        let ccpm = Ccpm::new(CcpmApi {
            raw: crate::generated::ccpm::Client::new_with_client(
                stem,
                http.clone(),
                transport.clone(),
            ),
        });
        let cam = Cam::new(CamApi {
            raw: crate::generated::cam::Client::new_with_client(
                stem,
                http.clone(),
                transport.clone(),
            ),
        });
        Ok(Client {
            connect: Connect::new(
                ConnectApi {
                    raw: crate::generated::connect::Client::new_with_client(
                        stem,
                        http,
                        transport.clone(),
                    ),
                },
                ccpm.clone(),
            ),
            ccpm,
            cam,
            transport,
        })
    }
}

/// Checks a base URL (`what` names it in messages): http(s) with a host, no credentials
/// (`credentials_hint` says where they go instead), query or fragment, and TLS unless the
/// host is loopback or `allow_insecure_http` is set. Messages quote the URL without its
/// password.
pub(crate) fn parse_base_url(
    what: &str,
    raw: &str,
    allow_insecure_http: bool,
    credentials_hint: &str,
) -> Result<Url> {
    let bad =
        |why: &str| Error::Config(format!("{what} {:?} {why}", crate::error::quoted_url(raw)));
    let url = Url::parse(raw.trim()).map_err(|e| bad(&format!("is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("must use http or https"));
    }
    if url.host_str().is_none() {
        return Err(bad("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(&format!(
            "must not carry credentials; use {credentials_hint}"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a query or fragment"));
    }
    if url.scheme() == "http" && !allow_insecure_http && !is_loopback(&url) {
        return Err(bad(
            "uses plain http to a host that is not loopback, which would send the API secret \
             in clear text; use https, or ClientBuilder::allow_insecure_http(true) for a \
             proxy on a trusted network",
        ));
    }
    Ok(url)
}

/// Whether `url`'s host is this machine: `127.0.0.0/8`, `::1` or `localhost`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6
            .parse::<std::net::Ipv6Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    }
    if let Ok(v4) = host.parse::<std::net::Ipv4Addr>() {
        return v4.is_loopback();
    }
    host.eq_ignore_ascii_case("localhost") || host.eq_ignore_ascii_case("localhost.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_errors_name_the_variable() {
        let err = ClientBuilder::from_env_with(|_| None).unwrap_err();
        assert!(err.to_string().contains(ENV_API_KEY), "{err}");
        let err =
            ClientBuilder::from_env_with(|k| (k == ENV_API_KEY).then(|| "k".into())).unwrap_err();
        assert!(err.to_string().contains(ENV_API_SECRET), "{err}");
        let err = ClientBuilder::from_env_with(|k| {
            Some(if k == ENV_API_SECRET {
                " ".into()
            } else {
                "k".into()
            })
        })
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("CONFLUENT_CLOUD_API_SECRET is empty"),
            "{err}"
        );
        let b = ClientBuilder::from_env_with(|k| match k {
            ENV_ENDPOINT => Some("http://127.0.0.1:9".into()),
            _ => Some("v".into()),
        })
        .unwrap();
        assert_eq!(
            b.build().unwrap().base_url().as_str(),
            "http://127.0.0.1:9/"
        );
    }

    #[test]
    fn base_url_is_checked() {
        for bad in [
            "ftp://x",
            "not a url",
            "https://u:p@host",
            "https://h/?q=1",
            "https://h/#f",
        ] {
            let err = Client::builder()
                .credentials("k", "s")
                .base_url(bad)
                .build()
                .unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{bad}: {err}");
        }
        let c = Client::builder()
            .credentials("k", "s")
            .base_url("https://proxy.local/cc/")
            .build()
            .unwrap();
        assert_eq!(c.base_url().path(), "/cc/");
    }

    #[test]
    fn plain_http_only_to_loopback_unless_allowed() {
        let build = |url: &str, allow: bool| {
            Client::builder()
                .credentials("k", "s")
                .base_url(url)
                .allow_insecure_http(allow)
                .build()
        };
        for local in [
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://[::1]:9/",
            "http://localhost:1/cc",
            "http://LOCALHOST",
        ] {
            assert!(build(local, false).is_ok(), "{local}");
        }
        for remote in [
            "http://api.confluent.cloud",
            "http://10.0.0.1",
            "http://localhost.example.com",
            "http://[::2]",
        ] {
            let err = build(remote, false).unwrap_err();
            assert!(
                matches!(err, Error::Config(_)) && err.to_string().contains("plain http"),
                "{remote}: {err}"
            );
            assert!(build(remote, true).is_ok(), "{remote} with the opt-in");
        }
        assert!(build("https://api.confluent.cloud", false).is_ok());
    }

    #[test]
    fn url_errors_never_quote_a_password() {
        for url in [
            "https://user:hunter2secret@host",
            "https://user:hunter2secret@ho st/",
            "ftp://user:hunter2secret@host",
            "http://user:hunter2secret@example.com",
        ] {
            let err = Client::builder()
                .credentials("k", "s")
                .base_url(url)
                .build()
                .unwrap_err();
            let text = format!("{err} {err:?}");
            assert!(!text.contains("hunter2secret"), "{text}");
        }
        let err = ClientBuilder::from_env_with(|k| {
            Some(match k {
                ENV_ENDPOINT => "https://u:hunter2secret@h".into(),
                _ => "v".into(),
            })
        })
        .unwrap()
        .build()
        .unwrap_err();
        assert!(!format!("{err:?}").contains("hunter2secret"), "{err:?}");
    }

    /// Every TLS feature set must give a client that builds: with `rustls-ring` alone,
    /// rustls finds its provider through the `ring` feature of the `rustls` dependency
    /// (rustls panics when a client config is built without one).
    #[test]
    fn clients_build_with_every_tls_feature_set() {
        let client = Client::builder()
            .credentials("k", "s")
            .base_url("https://api.confluent.cloud")
            .build();
        assert!(client.is_ok(), "{client:?}");
        assert!(crate::upload::UploadOptions::new().storage_client().is_ok());
    }

    #[test]
    fn missing_credentials() {
        let err = Client::builder().build().unwrap_err();
        assert!(err.to_string().contains("no credentials"));
        assert!(
            Client::builder()
                .credentials("", "s")
                .build()
                .unwrap_err()
                .is_validation()
        );
        assert!(
            Client::builder()
                .credentials("k", "")
                .build()
                .unwrap_err()
                .is_validation()
        );
    }
}
