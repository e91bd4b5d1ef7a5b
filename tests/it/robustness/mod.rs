//! Robustness: hostile answers, hostile transports, hostile input, and credentials.
//!
//! * Decoding never panics: property tests feed arbitrary bytes, arbitrary JSON and
//!   mutated valid answers to every response type (serde) and through every operation of
//!   the client (the crate's own conversion of answers and errors).
//! * Forward compatibility: answers with unknown fields, unknown enum values, missing
//!   optional fields and `null` optional objects decode, for every operation.
//! * Hostile transport: resets, short bodies, HTML, proxies, silence and slow drips end in
//!   the crate's error, with a useful message, within the configured timeout.
//! * Hostile input: path and query parameter values never change the request path; values
//!   that would are refused before anything is sent.
//! * Credentials: every public entry point sends the `Authorization` header to the base URL
//!   host only, and no error, `Debug` output or log line carries the secret.

mod credentials;
mod decoding;
mod forward;
mod input;
mod transport;

use std::time::Duration;

use base64::Engine as _;
use ccloud_connect::Client;
use proptest::test_runner::{Config, TestRunner};

use crate::support::contract;
use crate::support::server::Answer;

const KEY: &str = contract::KEY;
const SECRET: &str = contract::SECRET;

/// Every form in which the secret could leak.
fn secret_forms() -> Vec<String> {
    vec![
        SECRET.to_owned(),
        base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:{SECRET}")),
        "contract-secret%2F0123456789%2Babcdef".to_owned(),
    ]
}

fn assert_no_secret(what: &str, text: &str) {
    for form in secret_forms() {
        assert!(!text.contains(&form), "{what} leaks the secret: {text}");
    }
}

/// The clients' timeouts: ample for loopback, short enough that a hang shows at once.
const TIMEOUT: Duration = Duration::from_millis(300);
/// Every fault must end within this, with `TIMEOUT` configured.
const DEADLINE: Duration = Duration::from_secs(2);

/// A client under the contract's credentials, whose every secret form the tests look for,
/// with both timeouts at `timeout` and no retries.
fn test_client(base_url: &str, timeout: Duration) -> Client {
    contract::builder(base_url)
        .request_timeout(timeout)
        .connect_timeout(timeout)
        .build()
        .unwrap()
}

/// The sample success answer of operation `id` (from the spec).
fn sample_answer(api: &str, id: &str) -> Answer {
    match contract::sample_response(api, id) {
        (status, Some(body)) => Answer::json(status, &body),
        (status, None) => Answer::empty(status),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Cases per property: `PROPTEST_CASES` when set (CI may run longer), else 256.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    })
}
