//! The wire test of connect/v1 `translate_connector_plugin_config` (in a file of its own to
//! keep `connect.rs` short; `every_operation_has_a_wire_test` reads both tables), and what
//! `Cluster::translate` puts on the wire and makes of the answer (`tests/it/translate.rs`
//! runs it against the emulator).

use ccloud_connect::connect::mock::MockServerExt;
use ccloud_connect::connect::{ConnectorConfig, MASKED_VALUE, TranslatedSecrets};
use httpmock::Method::PUT;

use super::*;

wire_tests! {
    "connect/v1":
    translate_connector_plugin_config,
}

/// The managed plugin the fixtures translate to.
const PLUGIN: &str = "S3_SINK";

fn translate_path() -> String {
    cluster_path(&format!("/connector-plugins/{PLUGIN}/config/translate"))
}

/// The self-managed configuration of the request fixture, as a map.
fn self_managed() -> BTreeMap<String, String> {
    serde_json::from_value(fixtures::fixture("translate_connector_plugin_request.json")).unwrap()
}

async fn translate_connector_plugin_config(wire: Wire) {
    let request = fixtures::fixture("translate_connector_plugin_request.json");
    let (status, answer) = fixtures::response_fixture("translate_connector_plugin_response.json");
    let body: ConnectorConfig = serde_json::from_value(request.clone()).unwrap();
    // `mask_sensitive` is sent as given, and not at all when absent.
    let cases: [(Option<bool>, Query); 3] = [
        (None, &[]),
        (Some(true), &[("mask_sensitive", "true")]),
        (Some(false), &[("mask_sensitive", "false")]),
    ];
    for (mask, query) in cases {
        let server = MockServer::start_async().await;
        let mock = server.translate_connector_plugin_config(|when, then| {
            expect(
                when.into_inner(),
                PUT,
                &translate_path(),
                query,
                Some(request.clone()),
            );
            then.into_inner().status(status).json_body(answer.clone());
        });
        let result = wire
            .client(&server)
            .connect()
            .raw()
            .translate_connector_plugin_config(ENV, CLUSTER, PLUGIN, mask, &body)
            .await;
        mock.assert_async().await;
        let translated = result.unwrap();
        let config = translated.config.unwrap();
        assert_eq!(
            config.0.get("connector.class").map(String::as_str),
            Some("S3_SINK")
        );
        assert_eq!(
            config.0.get("aws.secret.access.key").map(String::as_str),
            Some(MASKED_VALUE)
        );
        assert_eq!(config.0.len(), 14);
        assert_eq!(translated.warnings.len(), 3);
        assert_eq!(translated.warnings[0].field.as_deref(), Some("s3.region"));
        assert_eq!(translated.errors.len(), 1);
        assert_eq!(
            translated.errors[0].message.as_deref(),
            Some("\"kafka.api.key\" is required")
        );
    }
}

#[tokio::test]
async fn translate_asks_for_masked_or_clear_secrets_and_keeps_the_findings() {
    let request = fixtures::fixture("translate_connector_plugin_request.json");
    let (status, answer) = fixtures::response_fixture("translate_connector_plugin_response.json");
    for (secrets, mask) in [
        (TranslatedSecrets::Masked, "true"),
        (TranslatedSecrets::InClear, "false"),
    ] {
        let server = MockServer::start_async().await;
        let mock = server.translate_connector_plugin_config(|when, then| {
            expect(
                when.into_inner(),
                PUT,
                &translate_path(),
                &[("mask_sensitive", mask)],
                Some(request.clone()),
            );
            then.into_inner().status(status).json_body(answer.clone());
        });
        let translation = builder(&server)
            .build()
            .unwrap()
            .connect()
            .cluster(ENV, CLUSTER)
            .translate(PLUGIN, &self_managed(), secrets)
            .await;
        mock.assert_async().await;
        let translation = translation.unwrap();
        assert_eq!(translation.spec.name(), "orders-to-s3");
        assert_eq!(translation.spec.get("connector.class"), Some("S3_SINK"));
        let mut masked: Vec<&str> = translation.spec.masked_keys().collect();
        masked.sort_unstable();
        assert_eq!(masked, ["aws.access.key.id", "aws.secret.access.key"]);
        assert!(translation.has_errors());
        assert_eq!(
            translation.errors[0].to_string(),
            "kafka.api.key: \"kafka.api.key\" is required"
        );
        let warned: Vec<&str> = translation
            .warnings
            .iter()
            .map(|w| w.field.as_str())
            .collect();
        assert_eq!(
            warned,
            ["s3.region", "partition.duration.ms", "value.converter"]
        );
    }
}

#[tokio::test]
async fn a_translation_answer_without_config_is_an_error() {
    let server = MockServer::start_async().await;
    let mock = server.translate_connector_plugin_config(|when, then| {
        when.into_inner().path(translate_path());
        then.into_inner()
            .status(200)
            .json_body(json!({"warnings": [], "errors": [{"field": "", "message": "no"}]}));
    });
    let err = builder(&server)
        .build()
        .unwrap()
        .connect()
        .cluster(ENV, CLUSTER)
        .translate(PLUGIN, &self_managed(), TranslatedSecrets::Masked)
        .await
        .unwrap_err();
    mock.assert_async().await;
    assert!(!err.is_validation(), "{err:?}");
    assert!(err.to_string().contains("config"), "{err}");
}
