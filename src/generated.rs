//! The code progenitor generates from `openapi/*.yaml` at build time (see `build/`): the
//! one place it is included, and where its clients are tied to the crate's one send path
//! (`crate::http::transport`). Its public items are re-exported by [`crate::connect`],
//! [`crate::ccpm`] and [`crate::cam`].

use progenitor_client::{ClientHooks, ClientInfo as _, OperationInfo};
use reqwest::{Request, Response};

use crate::http::transport::Inner;

#[allow(
    missing_docs,
    unused_imports,
    unused_qualifications,
    private_interfaces,
    clippy::all,
    clippy::pedantic,
    rustdoc::all
)]
pub(crate) mod connect {
    include!(concat!(env!("OUT_DIR"), "/connect_v1.rs"));
}

#[allow(
    missing_docs,
    unused_imports,
    unused_qualifications,
    private_interfaces,
    clippy::all,
    clippy::pedantic,
    rustdoc::all
)]
pub(crate) mod ccpm {
    include!(concat!(env!("OUT_DIR"), "/ccpm_v1.rs"));
}

#[allow(
    missing_docs,
    unused_imports,
    unused_qualifications,
    private_interfaces,
    clippy::all,
    clippy::pedantic,
    rustdoc::all
)]
pub(crate) mod cam {
    include!(concat!(env!("OUT_DIR"), "/cam_v1.rs"));
}

/// Every generated request goes through `prepare` (scoping, user agent, observers,
/// credentials) and `send` (retries, the answer's checks, the span).
macro_rules! hooks {
    ($client:ty, $api:literal) => {
        impl ClientHooks<Inner> for $client {
            async fn pre<E>(
                &self,
                request: &mut Request,
                info: &OperationInfo,
            ) -> Result<(), progenitor_client::Error<E>> {
                let transport = self.inner();
                transport
                    .prepare($api, info.operation_id, &transport.base, request)
                    .map_err(progenitor_client::Error::InvalidRequest)
            }

            async fn exec(
                &self,
                request: Request,
                info: &OperationInfo,
            ) -> reqwest::Result<Response> {
                let transport = self.inner();
                transport
                    .send(
                        self.client(),
                        $api,
                        info.operation_id,
                        &transport.base,
                        request,
                    )
                    .await
            }
        }
    };
}

hooks!(connect::Client, "connect/v1");
hooks!(ccpm::Client, "ccpm/v1");
hooks!(cam::Client, "cam/v1");
