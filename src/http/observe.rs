//! What observers are shown of each request and answer.

use std::fmt;
use std::sync::Arc;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode, Url};

/// A request as the client is about to send it, shown to the observers installed with
/// [`ClientBuilder::on_request`](crate::ClientBuilder::on_request).
///
/// The `Authorization` header, and any other header marked sensitive, is left out: an
/// observer never sees credentials.
#[derive(Debug)]
#[non_exhaustive]
pub struct RequestView<'a> {
    /// `connect/v1`, `ccpm/v1`, `cam/v1` or `telemetry/v2`.
    pub api: &'static str,
    /// The operationId, e.g. `create_connector`.
    pub operation: &'a str,
    /// The HTTP method.
    pub method: &'a Method,
    /// The full URL, query included.
    pub url: &'a Url,
    /// The base URL the request is scoped to (the part of [`url`](Self::url) the operation's
    /// path follows): the client's, or the telemetry base URL for metrics queries.
    pub base_url: &'a Url,
    /// The headers that will be sent, without credentials.
    pub headers: &'a HeaderMap,
    /// The body, when the request has one held in memory (every JSON body).
    pub body: Option<&'a [u8]>,
}

/// An answer as the client received it, shown to the observers installed with
/// [`ClientBuilder::on_response`](crate::ClientBuilder::on_response) before it is decoded.
#[derive(Debug)]
#[non_exhaustive]
pub struct ResponseView<'a> {
    /// `connect/v1`, `ccpm/v1`, `cam/v1` or `telemetry/v2`.
    pub api: &'static str,
    /// The operationId of the request.
    pub operation: &'a str,
    /// The method of the request.
    pub method: &'a Method,
    /// The URL of the request.
    pub url: &'a Url,
    /// The status of the answer.
    pub status: StatusCode,
    /// The headers of the answer; quotations of the client's own credentials are already
    /// `[redacted]`.
    pub headers: &'a HeaderMap,
    /// The body: complete for a success status, its first 64 KiB otherwise. Quotations of the
    /// client's own credentials are already replaced by `[redacted]`.
    pub body: &'a [u8],
}

type RequestObserver = dyn Fn(&RequestView<'_>) + Send + Sync;
type ResponseObserver = dyn Fn(&ResponseView<'_>) + Send + Sync;

/// The observers of a client, in installation order.
#[derive(Clone, Default)]
pub(crate) struct Observers {
    pub(crate) requests: Vec<Arc<RequestObserver>>,
    pub(crate) responses: Vec<Arc<ResponseObserver>>,
}

impl fmt::Debug for Observers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Observers")
            .field("requests", &self.requests.len())
            .field("responses", &self.responses.len())
            .finish()
    }
}
