#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod cam;
pub mod ccpm;
mod client;
pub mod code;
pub mod connect;
pub mod error;
mod generated;
mod http;
pub mod metrics;
pub mod migrate;
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
pub use http::{Credentials, Pacing, RetryPolicy};
