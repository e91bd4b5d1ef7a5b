//! Contract checks: every request a test sends, and every answer it is given, against the
//! hand-maintained specs `openapi/connect-v1.yaml`, `openapi/ccpm-v1.yaml` and
//! `openapi/cam-v1.yaml`.
//!
//! Put a client under contract with one line (`use crate::support::contract;`):
//!
//! * `contract::observe(builder)`: each request is checked (path and method known, required
//!   parameters present and typed, no unknown query parameter, body valid against its schema,
//!   no property the schema does not define). Safe in every test, including tests whose
//!   server answers badly on purpose.
//! * `contract::observe_strict(builder)`: the requests, and also each answer (a declared
//!   success status, a body valid against that status's schema, JSON error bodies valid
//!   against the API's error schema), judged as the crate reads answers: enum values may
//!   be new, optional sections may be `null`. For servers that should answer like the API:
//!   the emulator, mocks answering documented bodies.
//! * `contract::client(base_url)` / `contract::strict_client(base_url)`: a ready client with
//!   the test credentials [`KEY`]/[`SECRET`] and no retries.
//!
//! A violation panics in the task that sent the request, with the operation, the request
//! line and every schema error, so the test that sent it fails.
//!
//! The OpenAPI 3.0 schemas are converted to JSON Schema 2020-12 (component refs become
//! `$defs`, `nullable` becomes a `null` type, `readOnly` properties stop being required in
//! requests) and validated by the `jsonschema` crate; nothing here validates by hand.

pub mod ops;

mod check;
mod sample;
mod schema;
mod spec;

use std::sync::{Arc, Mutex};

use ccloud_connect::observe::{RequestView, ResponseView};
use ccloud_connect::{Client, ClientBuilder};

pub use check::{SentRequest, check_body, check_request, check_response};
pub use sample::{sample, sample_request, sample_response};
pub use spec::{Direction, deref, load_yaml, operation, spec, specs};

/// The API key of [`client`] and [`strict_client`].
pub const KEY: &str = "CONTRACTKEY";
/// The API secret of [`client`] and [`strict_client`] (long enough to be scrubbed from answers).
pub const SECRET: &str = "contract-secret/0123456789+abcdef";

fn request_violation(view: &RequestView<'_>) -> Option<String> {
    let sent = SentRequest {
        method: view.method.as_str(),
        url: view.url,
        base: view.base_url,
        content_type: view
            .headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        body: view.body,
    };
    match check_request(&sent) {
        Ok(op) if op.id != view.operation => Some(format!(
            "{} {} was sent by operation {} but is the path of {}",
            view.method,
            view.url.path(),
            view.operation,
            op.id
        )),
        Ok(_) => None,
        Err(errors) => Some(format!(
            "contract violation: {} {} sent {} {}:\n  - {}",
            view.api,
            view.operation,
            view.method,
            view.url,
            errors.join("\n  - ")
        )),
    }
}

fn response_violation(view: &ResponseView<'_>) -> Option<String> {
    let content_type = view
        .headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let errors = check_response(
        view.api,
        view.operation,
        view.status.as_u16(),
        content_type,
        view.body,
    );
    (!errors.is_empty()).then(|| {
        format!(
            "contract violation: {} {} ({} {}) was answered {}:\n  - {}\n  body: {}",
            view.api,
            view.operation,
            view.method,
            view.url,
            view.status,
            errors.join("\n  - "),
            String::from_utf8_lossy(&view.body[..view.body.len().min(2000)])
        )
    })
}

/// `builder` with every request checked against the specs; a violation panics.
pub fn observe(builder: ClientBuilder) -> ClientBuilder {
    builder.on_request(|view| {
        if let Some(message) = request_violation(view) {
            panic!("{message}");
        }
    })
}

/// `builder` with every request and every answer checked against the specs.
pub fn observe_strict(builder: ClientBuilder) -> ClientBuilder {
    observe(builder).on_response(|view| {
        if let Some(message) = response_violation(view) {
            panic!("{message}");
        }
    })
}

/// `builder` with every request and answer checked, violations collected in the returned
/// list instead of panicking (for tests that check the checker).
pub fn observe_collecting(builder: ClientBuilder) -> (ClientBuilder, Arc<Mutex<Vec<String>>>) {
    let found = Arc::new(Mutex::new(Vec::new()));
    let (requests, responses) = (found.clone(), found.clone());
    let builder = builder
        .on_request(move |view| {
            if let Some(m) = request_violation(view) {
                requests.lock().unwrap().push(m);
            }
        })
        .on_response(move |view| {
            if let Some(m) = response_violation(view) {
                responses.lock().unwrap().push(m);
            }
        });
    (builder, found)
}

/// [`support::builder`](crate::support::builder) with the contract's own credentials, which
/// the tests of the checker look for in what the observers see; not yet observed.
pub fn builder(base_url: &str) -> ClientBuilder {
    crate::support::builder(base_url).credentials(KEY, SECRET)
}

/// A client for `base_url` whose requests are checked.
pub fn client(base_url: &str) -> Client {
    observe(builder(base_url)).build().expect("test client")
}

/// A client for `base_url` whose requests and answers are checked.
pub fn strict_client(base_url: &str) -> Client {
    observe_strict(builder(base_url))
        .build()
        .expect("test client")
}
