//! A typed client for the Confluent Cloud Connect API.
//!
//! * [`Client`] holds the credentials and reaches both APIs: [`Client::connect`] for
//!   `connect/v1` (connectors, managed plugins, custom connector plugins, presigned upload
//!   URLs, runtimes) and [`Client::ccpm`] for `ccpm/v1` (Custom Connect Plugin Management).
//! * Every operation returns [`Result`] with the crate's one [`Error`] type.
//! * Requests are authenticated only for the configured base URL, retried per
//!   [`RetryPolicy`], and paginated lists stream through [`Paginator`](paginate::Paginator).
//!
//! The operations and types are generated at build time from the OpenAPI documents in
//! `openapi/`; the modules [`connect`] and [`ccpm`] re-export them.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod ccpm;
mod client;
pub mod connect;
pub mod error;
mod generated;
mod http;
pub mod metrics;
pub mod paginate;
pub mod upload;
pub mod wait;

pub mod observe {
    //! What observers installed with [`ClientBuilder::on_request`](crate::ClientBuilder::on_request)
    //! and [`ClientBuilder::on_response`](crate::ClientBuilder::on_response) are shown.
    pub use crate::http::{RequestView, ResponseView};
}

pub use client::{Client, ClientBuilder};
pub use error::{Error, Result};
pub use http::{Credentials, RetryPolicy};

/// The README's code blocks compile as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
