//! The code progenitor generates from `openapi/*.yaml` at build time (see `build/`): the
//! one place it is included, and where its clients are tied to the crate's one send path
//! (`crate::http::transport`). Its public items are re-exported by [`crate::connect`],
//! [`crate::ccpm`] and [`crate::cam`].

use progenitor_client::{ClientHooks, ClientInfo as _, OperationInfo};
use reqwest::{Request, Response};

use crate::http::transport::Inner;

/// One generated module; the lints are off because the code is progenitor's, not ours.
macro_rules! generated {
    ($name:ident, $file:literal) => {
        #[allow(
            missing_docs,
            unused_imports,
            unused_qualifications,
            private_interfaces,
            clippy::all,
            clippy::pedantic,
            rustdoc::all
        )]
        pub(crate) mod $name {
            include!(concat!(env!("OUT_DIR"), "/", $file));
        }
    };
}

generated!(connect, "connect_v1.rs");
generated!(ccpm, "ccpm_v1.rs");
generated!(cam, "cam_v1.rs");

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
