//! Every operation of every API, through the public client, against a local httpmock server:
//! what goes on the wire (method, exact path, query, body, headers) and what the answer
//! decodes to.
//!
//! The wire tests are tables keyed by operationId (`connect::TESTED` and `translate::TESTED`
//! for connect/v1, `ccpm::TESTED`, `cam::TESTED`), each entry an `async fn` of that name run
//! as a test of its own; `every_operation_has_a_wire_test` walks `OPERATIONS` and fails with
//! the names that have no entry. Each run also checks that the test sent its own operation
//! and no other.

mod cam;
mod ccpm;
mod connect;
mod list_connectors;
mod path_params;
mod translate;

use std::collections::BTreeMap;
use std::future::Future;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use ccloud_connect::cam::CamApi;
use ccloud_connect::ccpm::CcpmApi;
use ccloud_connect::connect::ConnectApi;
use ccloud_connect::{Client, ClientBuilder, Error};
use httpmock::{Method, MockServer, When};
use serde_json::{Value, json};

use crate::support::{self, fixtures};

const API_KEY: &str = "CCLOUDKEY1234567";
/// Chosen so that its Base64 form holds `+`, `/` and padding: URL-safe or unpadded Base64
/// would not match [`AUTHORIZATION`].
const API_SECRET: &str = "s3cr3t~?>??";
/// `Basic base64("CCLOUDKEY1234567:s3cr3t~?>??")`, computed independently of the crate.
const AUTHORIZATION: &str = "Basic Q0NMT1VES0VZMTIzNDU2NzpzM2NyM3R+Pz4/Pw==";

const ENV: &str = "env-a1b2c";
const CLUSTER: &str = "lkc-x9y8z";
const CONNECTOR: &str = "pg-sink";

/// A complete query string as (name, decoded value) pairs.
type Query = &'static [(&'static str, &'static str)];

/// A client builder for `server` with the credentials [`AUTHORIZATION`] is computed from.
fn builder(server: &MockServer) -> ClientBuilder {
    support::builder(&server.base_url()).credentials(API_KEY, API_SECRET)
}

/// What a wire test is handed: its clients, which record every operation they send.
#[derive(Clone, Default)]
struct Wire(Arc<Mutex<Vec<(String, String)>>>);

impl Wire {
    fn client(&self, server: &MockServer) -> Client {
        let sent = self.0.clone();
        builder(server)
            .on_request(move |r| {
                sent.lock()
                    .unwrap()
                    .push((r.api.to_owned(), r.operation.to_owned()))
            })
            .build()
            .expect("a valid client configuration")
    }
}

/// Runs the wire test of `operation` of `api` (`connect/v1`, `ccpm/v1`, `cam/v1`), then checks that
/// it sent that operation, and only that one: a test filed under the wrong name fails.
async fn run<F: Future<Output = ()>>(api: &str, operation: &str, test: impl FnOnce(Wire) -> F) {
    let wire = Wire::default();
    test(wire.clone()).await;
    let sent = wire.0.lock().unwrap().clone();
    assert!(
        !sent.is_empty(),
        "the wire test of {api} {operation} sent nothing"
    );
    for (a, o) in &sent {
        assert!(
            a == api && o == operation,
            "the wire test of {api} {operation} sent {a} {o}"
        );
    }
}

/// Declares the wire tests of one API: `TESTED`, the operationIds they cover, and a
/// `#[tokio::test]` per entry that runs the `async fn` of that name through [`run`]. An entry
/// without its function does not compile, and a function without its entry is dead code,
/// which the lint gate refuses.
macro_rules! wire_tests {
    ($api:literal: $($op:ident),+ $(,)?) => {
        /// The operations with a wire test in this module.
        pub(super) const TESTED: &[&str] = &[$(stringify!($op)),+];

        mod wire {
            $(
                #[tokio::test]
                async fn $op() {
                    super::super::run($api, stringify!($op), super::$op).await;
                }
            )+
        }
    };
}
use wire_tests;

/// `/connect/v1/environments/{ENV}/clusters/{CLUSTER}` followed by `rest`.
fn cluster_path(rest: &str) -> String {
    format!("/connect/v1/environments/{ENV}/clusters/{CLUSTER}{rest}")
}

/// The path of the test connector, followed by `rest`.
fn connector_path(rest: &str) -> String {
    cluster_path(&format!("/connectors/{CONNECTOR}{rest}"))
}

/// What every request of the client must look like on the wire.
///
/// `query` is the complete list: any other parameter, or a repeated one, fails the match.
/// `body: None` means no body at all.
fn expect(
    when: When,
    method: Method,
    path: &str,
    query: &[(&str, &str)],
    body: Option<Value>,
) -> When {
    let mut when = when
        .method(method)
        .path(path)
        .header("authorization", AUTHORIZATION)
        .header_matches("(?i)^user-agent$", "^ccloud-connect/")
        .header_missing("api-version")
        .query_param_count(".*", ".*", query.len());
    for (name, value) in query {
        when = when.query_param(*name, *value);
    }
    match body {
        Some(body) => when
            .header("content-type", "application/json")
            .json_body(body),
        // httpmock refuses a body matcher on GET, so look at the body directly.
        None => when.is_true(|req| req.body_ref().is_empty()),
    }
}

#[test]
fn every_operation_has_a_wire_test() {
    assert_eq!(ConnectApi::OPERATIONS.len(), 24, "connect/v1 operations");
    assert_eq!(CcpmApi::OPERATIONS.len(), 10, "ccpm/v1 operations");
    assert_eq!(CamApi::OPERATIONS.len(), 5, "cam/v1 operations");
    for (api, operations, tested) in [
        (
            "connect/v1",
            ConnectApi::OPERATIONS,
            [connect::TESTED, translate::TESTED].concat(),
        ),
        ("ccpm/v1", CcpmApi::OPERATIONS, ccpm::TESTED.to_vec()),
        ("cam/v1", CamApi::OPERATIONS, cam::TESTED.to_vec()),
    ] {
        let mut distinct = tested.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(
            distinct.len(),
            tested.len(),
            "{api}: an operation has two wire tests"
        );
        let missing: Vec<&str> = operations
            .iter()
            .filter(|op| !tested.contains(op))
            .copied()
            .collect();
        assert!(
            missing.is_empty(),
            "{api} operations without a wire test: {missing:?}"
        );
        let unknown: Vec<&str> = tested
            .iter()
            .filter(|t| !operations.contains(t))
            .copied()
            .collect();
        assert!(
            unknown.is_empty(),
            "{api} wire tests naming no operation: {unknown:?}"
        );
    }
}

// Forward compatibility of answers.

/// A PATCH can clear the sensitive keys of a plugin: `Some(vec![])` goes on the wire as
/// `[]`, while `None` leaves the field out and keeps the list.
#[tokio::test]
async fn plugin_update_can_clear_sensitive_properties() {
    use ccloud_connect::connect::CustomConnectorPluginUpdate;
    let server = MockServer::start_async().await;
    let (_, answer) = fixtures::response_fixture("update_custom_plugin_response.json");
    let clear = server
        .mock_async(|when, then| {
            when.method(Method::PATCH)
                .json_body(json!({"sensitive_config_properties": []}));
            then.status(200).json_body(answer.clone());
        })
        .await;
    let keep = server
        .mock_async(|when, then| {
            when.method(Method::PATCH)
                .json_body(json!({"display_name": "x"}));
            then.status(200).json_body(answer.clone());
        })
        .await;
    let api = builder(&server).build().unwrap();
    let cleared = CustomConnectorPluginUpdate {
        sensitive_config_properties: Some(Vec::new()),
        ..Default::default()
    };
    api.connect()
        .raw()
        .update_custom_connector_plugin("ccp-1", &cleared)
        .await
        .unwrap();
    let kept = CustomConnectorPluginUpdate {
        display_name: Some("x".into()),
        ..Default::default()
    };
    api.connect()
        .raw()
        .update_custom_connector_plugin("ccp-1", &kept)
        .await
        .unwrap();
    assert_eq!(
        (clear.calls_async().await, keep.calls_async().await),
        (1, 1)
    );
}

#[tokio::test]
async fn unknown_enum_values_and_extra_fields_decode() {
    use ccloud_connect::connect::mock::MockServerExt;
    use ccloud_connect::connect::{ConnectorState, ConnectorType};

    let server = MockServer::start_async().await;
    let mock = server.get_connector_status(|when, then| {
        expect(
            when.into_inner(),
            Method::GET,
            &connector_path("/status"),
            &[],
            None,
        );
        then.into_inner().status(200).json_body(json!({
            "name": CONNECTOR,
            "type": "bidirectional",
            "connector": {"state": "RESTARTING", "worker_id": "w-0", "restarts": 3},
            "tasks": [{"id": 0, "state": "RESTARTING", "since": "2026-01-01T00:00:00Z"}],
            "lifecycle": {"added": "later"}
        }));
    });
    let result = builder(&server)
        .build()
        .unwrap()
        .connect()
        .raw()
        .get_connector_status(ENV, CLUSTER, CONNECTOR)
        .await;
    mock.assert_async().await;
    let status = result.unwrap();
    assert_eq!(
        status.connector.state,
        ConnectorState::Unknown("RESTARTING".into())
    );
    assert_eq!(status.tasks[0].state.as_str(), "RESTARTING");
    assert_eq!(
        status.type_,
        Some(ConnectorType::Unknown("bidirectional".into()))
    );
    assert_eq!(status.connector.worker_id.as_deref(), Some("w-0"));
}
