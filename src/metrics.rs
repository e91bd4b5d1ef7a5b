//! Connector metrics from the Confluent Cloud Metrics API (`POST /v2/metrics/cloud/query`).
//!
//! The Metrics API lives on its own host, `https://api.telemetry.confluent.cloud`, and takes
//! the same Cloud API key as the Connect API. Reach it with [`Client::metrics`] (or
//! [`Client::metrics_at`] for another base URL, such as a test server); credentials go only
//! to that base URL.
//!
//! This client is hand-written rather than generated from a third spec: it is one operation
//! on a different host, and the generated clients' transport only authenticates requests
//! under the Connect API base URL, so a generated telemetry client would need a second
//! transport and facade for a single call.
//!
//! ```no_run
//! use ccloud_connect::metrics::{self, Granularity, MetricsQuery};
//! # async fn run(client: ccloud_connect::Client) -> ccloud_connect::Result<()> {
//! let query = MetricsQuery::connector("lcc-k2q7v", metrics::RECEIVED_RECORDS)
//!     .granularity(Granularity::PT1H)
//!     .interval("2021-03-02T00:00:00/2021-03-02T23:00:00");
//! for point in client.metrics().query(&query).await?.data {
//!     println!("{} {}", point.timestamp, point.value);
//! }
//! # Ok(()) }
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use progenitor_client::ClientInfo as _;
use reqwest::Url;
use reqwest::header::{ACCEPT, HeaderValue};
use serde::{Deserialize, Serialize};

use crate::error::{decode, transport};
use crate::http::transport::Transport;
use crate::{Client, Error, Result};

/// The Metrics API endpoint, the default telemetry base URL.
pub const DEFAULT_TELEMETRY_URL: &str = "https://api.telemetry.confluent.cloud";

/// Records a sink connector received from Kafka.
pub const RECEIVED_RECORDS: &str = "io.confluent.kafka.connect/received_records";
/// Records a source connector sent to Kafka.
pub const SENT_RECORDS: &str = "io.confluent.kafka.connect/sent_records";
/// Bytes a sink connector received from Kafka.
pub const RECEIVED_BYTES: &str = "io.confluent.kafka.connect/received_bytes";
/// Bytes a source connector sent to Kafka.
pub const SENT_BYTES: &str = "io.confluent.kafka.connect/sent_bytes";
/// Records a connector wrote to its dead letter queue.
pub const DEAD_LETTER_QUEUE_RECORDS: &str = "io.confluent.kafka.connect/dead_letter_queue_records";

const API: &str = "telemetry/v2";
const OPERATION: &str = "query_metrics";
const QUERY_PATH: &str = "v2/metrics/cloud/query";
/// The filter field naming a connector.
const CONNECTOR_ID_FIELD: &str = "resource.connector.id";

/// The time bucket of each returned point, an ISO-8601 duration such as `PT1H`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Granularity(Cow<'static, str>);

impl Granularity {
    /// One minute.
    pub const PT1M: Granularity = Granularity::from_static("PT1M");
    /// Five minutes.
    pub const PT5M: Granularity = Granularity::from_static("PT5M");
    /// Fifteen minutes.
    pub const PT15M: Granularity = Granularity::from_static("PT15M");
    /// Thirty minutes.
    pub const PT30M: Granularity = Granularity::from_static("PT30M");
    /// One hour.
    pub const PT1H: Granularity = Granularity::from_static("PT1H");
    /// Four hours.
    pub const PT4H: Granularity = Granularity::from_static("PT4H");
    /// Six hours.
    pub const PT6H: Granularity = Granularity::from_static("PT6H");
    /// Twelve hours.
    pub const PT12H: Granularity = Granularity::from_static("PT12H");
    /// One day.
    pub const P1D: Granularity = Granularity::from_static("P1D");
    /// One point for the whole interval.
    pub const ALL: Granularity = Granularity::from_static("ALL");

    const fn from_static(s: &'static str) -> Self {
        Granularity(Cow::Borrowed(s))
    }

    /// Any other granularity the API accepts, sent as given.
    pub fn other(value: impl Into<String>) -> Self {
        Granularity(Cow::Owned(value.into()))
    }

    /// The value as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Granularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One time interval of a query.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Interval {
    /// ISO-8601 as written by the caller: `start/end`, `start/duration` or `duration/end`.
    Text(String),
    /// From `start` (inclusive) to `end` (exclusive).
    Range(DateTime<Utc>, DateTime<Utc>),
}

/// A query for one metric of one connector: which metric, at which granularity, over which
/// intervals.
///
/// Checked before sending: a connector id, a metric, a granularity and at least one
/// interval are required, a `start/end` range must not end before it starts, and a
/// `limit` must be positive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricsQuery {
    connector_id: String,
    metric: String,
    granularity: Granularity,
    intervals: Vec<Interval>,
    limit: Option<u32>,
}

impl MetricsQuery {
    /// `metric` (e.g. [`RECEIVED_RECORDS`]) of the connector `connector_id` (`lcc-...`), by
    /// the hour until [`granularity`](Self::granularity) says otherwise. Add at least one
    /// interval.
    pub fn connector(connector_id: impl Into<String>, metric: impl Into<String>) -> Self {
        MetricsQuery {
            connector_id: connector_id.into(),
            metric: metric.into(),
            granularity: Granularity::PT1H,
            intervals: Vec::new(),
            limit: None,
        }
    }

    /// The time bucket of each point.
    pub fn granularity(mut self, granularity: Granularity) -> Self {
        self.granularity = granularity;
        self
    }

    /// Adds an ISO-8601 interval as the API takes it, e.g.
    /// `2021-03-02T00:00:00/2021-03-02T23:00:00` or `2024-05-01T10:00:00Z/PT1H`.
    pub fn interval(mut self, interval: impl Into<String>) -> Self {
        self.intervals.push(Interval::Text(interval.into()));
        self
    }

    /// Adds the interval from `start` to `end` (sent as `start/end` in UTC).
    pub fn between(mut self, start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        self.intervals.push(Interval::Range(start, end));
        self
    }

    /// At most this many points.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    fn check(&self) -> Result<()> {
        if self.connector_id.trim().is_empty() {
            return Err(Error::validation(
                "connector id",
                self.connector_id.as_str(),
                "must not be empty (the connector's lcc-... id)",
            ));
        }
        if self.metric.trim().is_empty() {
            return Err(Error::validation(
                "metric",
                self.metric.as_str(),
                "must not be empty, e.g. io.confluent.kafka.connect/received_records",
            ));
        }
        if self.granularity.0.trim().is_empty() {
            return Err(Error::validation(
                "granularity",
                "",
                "must not be empty, e.g. PT1H",
            ));
        }
        if self.intervals.is_empty() {
            return Err(Error::validation(
                "intervals",
                "[]",
                "add at least one with .interval() or .between()",
            ));
        }
        for interval in &self.intervals {
            match interval {
                Interval::Text(text) if !text.contains('/') || text.trim() != text => {
                    return Err(Error::validation(
                        "interval",
                        text.as_str(),
                        "must be an ISO-8601 interval such as 2021-03-02T00:00:00Z/PT1H or start/end",
                    ));
                }
                Interval::Range(start, end) if end <= start => {
                    return Err(Error::validation(
                        "interval",
                        range_text(start, end),
                        "must end after it starts",
                    ));
                }
                _ => {}
            }
        }
        if self.limit == Some(0) {
            return Err(Error::validation("limit", "0", "must be positive"));
        }
        Ok(())
    }

    fn body(&self) -> QueryBody<'_> {
        QueryBody {
            aggregations: [Aggregation {
                metric: &self.metric,
            }],
            filter: Filter {
                field: CONNECTOR_ID_FIELD,
                op: "EQ",
                value: &self.connector_id,
            },
            granularity: self.granularity.as_str(),
            intervals: self
                .intervals
                .iter()
                .map(|i| match i {
                    Interval::Text(text) => text.clone(),
                    Interval::Range(start, end) => range_text(start, end),
                })
                .collect(),
            limit: self.limit,
        }
    }
}

fn range_text(start: &DateTime<Utc>, end: &DateTime<Utc>) -> String {
    format!(
        "{}/{}",
        start.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        end.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    )
}

#[derive(Serialize)]
struct QueryBody<'a> {
    aggregations: [Aggregation<'a>; 1],
    filter: Filter<'a>,
    granularity: &'a str,
    intervals: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u32>,
}

#[derive(Serialize)]
struct Aggregation<'a> {
    metric: &'a str,
}

#[derive(Serialize)]
struct Filter<'a> {
    field: &'a str,
    op: &'a str,
    value: &'a str,
}

/// The answer to a metrics query.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct MetricsResponse {
    /// The points, in the order the API returned them.
    #[serde(default)]
    pub data: Vec<MetricPoint>,
}

/// One value of the metric over one time bucket.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct MetricPoint {
    /// Start of the bucket.
    pub timestamp: DateTime<Utc>,
    /// The aggregated value.
    pub value: f64,
    /// Any other field of the point (the labels of a grouped query), as sent.
    #[serde(flatten)]
    pub labels: BTreeMap<String, serde_json::Value>,
}

/// The Metrics API, authenticated with the client's Cloud API key; see the
/// [module docs](self).
#[derive(Clone)]
pub struct MetricsApi {
    base: Url,
    http: reqwest::Client,
    transport: Arc<Transport>,
}

impl fmt::Debug for MetricsApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetricsApi")
            .field("base_url", &self.base.as_str())
            .field("credentials", &self.transport.credentials)
            .finish()
    }
}

impl Client {
    /// The Metrics API at [`DEFAULT_TELEMETRY_URL`], with this client's credentials, HTTP
    /// settings and retry policy.
    pub fn metrics(&self) -> MetricsApi {
        self.metrics_at(DEFAULT_TELEMETRY_URL)
            .expect("the default telemetry URL is valid")
    }

    /// The Metrics API at another base URL (a proxy or a test server); a path stem is kept.
    /// The client's credentials are sent only to URLs under it. Fails with
    /// [`Error::Config`] for a URL that is not http(s), has no host, or carries credentials,
    /// a query or a fragment.
    pub fn metrics_at(&self, base_url: &str) -> Result<MetricsApi> {
        let raw = self.connect().raw().progenitor();
        let mut base = crate::client::parse_base_url(
            "telemetry base URL",
            base_url,
            raw.inner().allow_insecure_http,
            ".credentials()",
        )?;
        // Without a trailing slash, joining would replace the last segment of a path stem.
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(MetricsApi {
            base,
            http: raw.client().clone(),
            transport: raw.inner().clone(),
        })
    }
}

impl MetricsApi {
    /// The base URL queries go to.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// Runs a query (`POST /v2/metrics/cloud/query`). The query is checked first and
    /// nothing is sent when it fails.
    ///
    /// An error status comes back as [`Error::Api`] (a `429` with its
    /// [`RateLimit`](crate::error::RateLimit)); the client's retry policy applies as for other
    /// `POST`s, which are only sent again after a failed connection.
    pub async fn query(&self, query: &MetricsQuery) -> Result<MetricsResponse> {
        query.check()?;
        let url = self
            .base
            .join(QUERY_PATH)
            .map_err(|e| Error::InvalidRequest {
                api: API,
                operation: OPERATION.to_owned(),
                message: format!("could not build the query URL: {e}"),
            })?;
        let mut request = self
            .http
            .post(url.clone())
            .json(&query.body())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .build()
            .map_err(|e| transport(API, OPERATION, e))?;
        // The same three steps as every generated operation (src/transport.rs): scoped
        // credentials and observers, retries, the answer's checks and scrubbing.
        self.transport
            .prepare(API, OPERATION, &self.base, &mut request)
            .map_err(|message| Error::InvalidRequest {
                api: API,
                operation: OPERATION.to_owned(),
                message,
            })?;
        let response = self
            .transport
            .send(&self.http, API, OPERATION, &self.base, request)
            .await
            .map_err(|e| transport(API, OPERATION, e))?;
        if let Some(refused) = crate::error::refusal(API, OPERATION, &response) {
            return Err(refused);
        }
        let status = response.status();
        if !status.is_success() {
            return Err(crate::error::error_answer(API, OPERATION, response).await);
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| transport(API, OPERATION, e))?;
        serde_json::from_slice(&body).map_err(|e| decode(API, OPERATION, Some(status), &body, e))
    }
}
