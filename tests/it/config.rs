//! Connector configuration builders, client-side validation, masked secrets, managed plugins
//! and custom connector runtimes against httpmock servers.

use std::time::Duration;

use ccloud_connect::Error;
use ccloud_connect::connect::RuntimeReport;
use ccloud_connect::connect::{
    self, ConnectorSpec, KafkaAuthMode, MASKED_VALUE, MaskedSecrets, keys,
};
use ccloud_connect::connect::{ConnectorConfig, ConnectorType, ProductMaturity};
use chrono::{DateTime, Utc};
use httpmock::Method::{GET, POST, PUT};
use httpmock::{Mock, MockServer};
use serde_json::json;

use crate::support::{self, fixtures::fixture};

const ENV: &str = "env-1";
const CLUSTER: &str = "lkc-1";
const BASE: &str = "/connect/v1/environments/env-1/clusters/lkc-1";

/// Answers every request, so that a test can assert that nothing was sent.
fn catch_all(server: &MockServer) -> Mock<'_> {
    server.mock(|_, then| {
        then.status(500);
    })
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn s3_sink() -> ConnectorSpec {
    ConnectorSpec::managed("S3_SINKConnector_0", "S3_SINK")
        .set("topics", "pageviews")
        .set("input.data.format", "AVRO")
        .kafka_api_key("<my-kafka-api-key>")
        .kafka_api_secret("<my-kafka-api-secret>")
        .secret("aws.access.key.id", "<my-aws-access-key>")
        .secret("aws.secret.access.key", "<my-aws-secret>")
        .set("s3.bucket.name", "<my-s3-bucket-name>")
        .set("output.data.format", "AVRO")
        .set("time.interval", "HOURLY")
        .set("flush.size", "1000")
        .tasks_max(1)
}

// ------------------------------------------------------------ creation

#[tokio::test]
async fn managed_create_sends_the_guide_body() {
    let server = MockServer::start_async().await;
    let create = server.mock(|when, then| {
        when.method(POST)
            .path(format!("{BASE}/connectors"))
            .json_body(fixture("create_connector_request_s3_sink.json"));
        then.status(201)
            .json_body(fixture("create_connector_response_s3_sink.json"));
    });
    let connector = support::client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .create(&s3_sink())
        .await
        .unwrap();
    create.assert_calls(1);
    assert_eq!(connector.name, "S3_SINKConnector_0");
    assert_eq!(connector.type_, Some(ConnectorType::Sink));
    assert_eq!(connector.config.unwrap()["kafka.api.secret"], MASKED_VALUE);
}

#[tokio::test]
async fn custom_create_sends_the_guide_body() {
    let server = MockServer::start_async().await;
    let create = server.mock(|when, then| {
        when.method(POST)
            .path(format!("{BASE}/connectors"))
            .json_body(fixture("create_connector_request_custom.json"));
        then.status(201).json_body(json!({
            "name": "custom-datagen_0",
            "type": "source",
            "config": {"name": "custom-datagen_0", "confluent.connector.type": "CUSTOM"},
            "tasks": []
        }));
    });
    let spec = ConnectorSpec::custom("custom-datagen_0", "custom-plugin-123456")
        .kafka_api_key("<my-kafka-api-key>")
        .kafka_api_secret("<my-kafka-api-secret>")
        .set("interval.ms", "10000")
        .set("kafka.topic", "pageviews")
        .set("task.max", "1");
    assert!(spec.is_custom());
    let connector = support::client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .create(&spec)
        .await
        .unwrap();
    create.assert_calls(1);
    assert_eq!(connector.type_, Some(ConnectorType::Source));
}

#[test]
fn typed_setters_write_the_documented_keys() {
    let spec = ConnectorSpec::custom("my custom [eu] | v2", "ccp-123")
        .kafka_auth_mode(KafkaAuthMode::KafkaApiKey)
        .kafka_api_key("K")
        .kafka_api_secret("S")
        .tasks_max(3)
        .plugin_version("1.2.3")
        .connection_endpoints("mydatabase.abc123ecs2.us-west-2.rds.amazonaws.com:1433")
        .schema_registry_auto(true)
        .plugin_runtime("3.9")
        .java_version("17")
        .set("kafka.topic", "pageviews");
    let config = spec.to_config().unwrap().0;
    let expected: Vec<(&str, &str)> = vec![
        (keys::NAME, "my custom [eu] | v2"),
        (keys::CONNECTOR_TYPE, "CUSTOM"),
        (keys::CUSTOM_PLUGIN_ID, "ccp-123"),
        (keys::KAFKA_AUTH_MODE, "KAFKA_API_KEY"),
        (keys::KAFKA_API_KEY, "K"),
        (keys::KAFKA_API_SECRET, "S"),
        (keys::TASKS_MAX, "3"),
        (keys::CUSTOM_PLUGIN_VERSION, "1.2.3"),
        (
            keys::CUSTOM_CONNECTION_ENDPOINTS,
            "mydatabase.abc123ecs2.us-west-2.rds.amazonaws.com:1433",
        ),
        (keys::CUSTOM_SCHEMA_REGISTRY_AUTO, "true"),
        (keys::CUSTOM_CONNECT_PLUGIN_RUNTIME, "3.9"),
        (keys::CUSTOM_CONNECT_JAVA_VERSION, "17"),
        ("kafka.topic", "pageviews"),
    ];
    assert_eq!(config.len(), expected.len(), "{:?}", config.keys());
    for (key, value) in expected {
        assert_eq!(config.get(key).map(String::as_str), Some(value), "{key}");
    }
    assert!(!config.contains_key(keys::CONNECTOR_CLASS));

    let managed = ConnectorSpec::managed("m", "DatagenSource")
        .kafka_auth_mode(KafkaAuthMode::ServiceAccount)
        .set(keys::KAFKA_SERVICE_ACCOUNT_ID, "sa-123")
        .schema_registry_auto(false);
    assert!(!managed.is_custom());
    assert_eq!(managed.get(keys::CONNECTOR_CLASS), Some("DatagenSource"));
    assert_eq!(managed.get(keys::KAFKA_AUTH_MODE), Some("SERVICE_ACCOUNT"));
    assert_eq!(
        managed.get(keys::CUSTOM_SCHEMA_REGISTRY_AUTO),
        Some("false")
    );
    let body = managed.to_create_request().unwrap();
    assert_eq!(body.name.as_deref(), Some("m"));
    assert!(body.offsets.is_empty());
}

#[test]
fn debug_redacts_secret_values() {
    let spec = s3_sink()
        .secret("custom.opaque", "opaque-value")
        .set("connection.password", "hunter2");
    let text = format!("{spec:?}");
    for secret in [
        "<my-kafka-api-key>",
        "<my-kafka-api-secret>",
        "<my-aws-access-key>",
        "<my-aws-secret>",
        "opaque-value",
        "hunter2",
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    for shown in [
        "S3_SINKConnector_0",
        "kafka.api.secret",
        "custom.opaque",
        "pageviews",
        "HOURLY",
    ] {
        assert!(text.contains(shown), "{shown} missing: {text}");
    }
}

// ------------------------------------------------------------ validation

#[tokio::test]
async fn every_validation_failure_sends_nothing() {
    let server = MockServer::start_async().await;
    let any = catch_all(&server);
    let api = support::client(&server.base_url());
    let long = "n".repeat(65);
    let cases: Vec<(ConnectorSpec, &str, &str)> = vec![
        // (spec, field named, value named)
        (
            ConnectorSpec::managed(long.as_str(), "S3_SINK"),
            "connector name",
            long.as_str(),
        ),
        (
            ConnectorSpec::managed("a/b", "S3_SINK"),
            "connector name",
            "a/b",
        ),
        (
            ConnectorSpec::managed("emoji 🙂", "S3_SINK"),
            "connector name",
            "emoji 🙂",
        ),
        (
            ConnectorSpec::managed("", "S3_SINK"),
            "connector name",
            "\"\"",
        ),
        (s3_sink().tasks_max(0), "tasks.max", "\"0\""),
        (s3_sink().set("tasks.max", "-1"), "tasks.max", "\"-1\""),
        (s3_sink().set("tasks.max", "two"), "tasks.max", "\"two\""),
        (s3_sink().set("tasks.max", "+1"), "tasks.max", "\"+1\""),
        (s3_sink().set("tasks.max", "1.5"), "tasks.max", "\"1.5\""),
        (
            ConnectorSpec::custom("c", ""),
            "confluent.custom.plugin.id",
            "\"\"",
        ),
        (
            ConnectorSpec::custom("c", "ccp-1").remove(keys::CUSTOM_PLUGIN_ID),
            "confluent.custom.plugin.id",
            "\"\"",
        ),
        (ConnectorSpec::managed("m", " "), "connector.class", "\" \""),
        // Masks are named by key (all of them, in the value), not quoted.
        (
            s3_sink().kafka_api_secret(MASKED_VALUE),
            "config",
            "kafka.api.secret",
        ),
        (s3_sink().set("name", "other"), "config name", "\"other\""),
        (s3_sink().set("", "x"), "config key", "\"\""),
    ];
    for (spec, field, value) in &cases {
        for err in [
            api.connect()
                .cluster(ENV, CLUSTER)
                .create(spec)
                .await
                .unwrap_err(),
            api.connect()
                .cluster(ENV, CLUSTER)
                .connector(spec.name())
                .update(spec)
                .await
                .unwrap_err(),
        ] {
            match &err {
                Error::Validation { field: f, .. } => assert_eq!(f, field, "{err}"),
                other => panic!("{spec:?}: expected a validation error, got {other}"),
            }
            let text = err.to_string();
            assert!(text.contains(value), "{text} should name {value}");
        }
    }
    any.assert_calls(0);
}

#[test]
fn guide_names_are_accepted_and_placeholders_are_not() {
    for name in [
        "DatagenSourceConnector_0",
        "S3_SINKConnector_0",
        "custom-datagen_0",
        "Kundendaten Ä.Ö.Ü, Inc. & Co",
    ] {
        connect::validate_connector_name(name).unwrap();
    }
    let err = connect::validate_connector_name("<my-connector-name>").unwrap_err();
    assert!(err.to_string().contains("'<'"), "{err}");
}

// ------------------------------------------------------------ read-modify-write

fn mock_read<'a>(server: &'a MockServer, name: &str) -> Mock<'a> {
    server.mock(|when, then| {
        when.method(GET)
            .path(format!("{BASE}/connectors/{name}/config"));
        then.status(200)
            .json_body(fixture("get_connector_config_response.json"));
    })
}

#[tokio::test]
async fn an_update_from_a_read_refuses_masked_secrets() {
    let server = MockServer::start_async().await;
    let read = mock_read(&server, "S3_SINKConnector_0");
    let put = server.mock(|when, then| {
        when.method(PUT);
        then.status(200);
    });
    let err = support::client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .connector("S3_SINKConnector_0")
        .modify(MaskedSecrets::Refuse, |spec| {
            spec.set("time.interval", "DAILY")
        })
        .await
        .unwrap_err();
    read.assert_calls(1);
    put.assert_calls(0);
    // Every masked key is named, in order, so one error says all that must be given again.
    match &err {
        Error::Validation { field, value, .. } => {
            assert_eq!(field, "config");
            assert_eq!(
                value,
                "aws.access.key.id, aws.secret.access.key, kafka.api.key, kafka.api.secret"
            );
        }
        other => panic!("expected a validation error, got {other}"),
    }
    assert!(err.to_string().contains(".secret(key, value)"), "{err}");

    // Giving back only some secrets is still refused.
    let err = support::client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .connector("S3_SINKConnector_0")
        .modify(MaskedSecrets::Refuse, |spec| {
            spec.kafka_api_key("K").kafka_api_secret("S")
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("aws.access.key.id"), "{err}");
    put.assert_calls(0);
}

#[tokio::test]
async fn an_update_from_a_read_sends_the_secrets_given_again() {
    let server = MockServer::start_async().await;
    mock_read(&server, "S3_SINKConnector_0");
    // What the read answered, without the keys the server adds (never sent back).
    let mut expected = read_back_fixture();
    expected["time.interval"] = json!("DAILY");
    expected["kafka.api.key"] = json!("K");
    expected["kafka.api.secret"] = json!("S");
    expected["aws.access.key.id"] = json!("AKIA");
    expected["aws.secret.access.key"] = json!("aws-secret");
    let mut answer = fixture("put_connector_config_response.json");
    answer["name"] = json!("S3_SINKConnector_0");
    let put = server.mock(|when, then| {
        when.method(PUT)
            .path(format!("{BASE}/connectors/S3_SINKConnector_0/config"))
            .json_body(expected);
        then.status(200).json_body(answer);
    });
    let connector = support::client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .connector("S3_SINKConnector_0")
        .modify(MaskedSecrets::Refuse, |spec| {
            spec.set("time.interval", "DAILY")
                .kafka_api_key("K")
                .kafka_api_secret("S")
                .secret("aws.access.key.id", "AKIA")
                .secret("aws.secret.access.key", "aws-secret")
        })
        .await
        .unwrap();
    put.assert_calls(1);
    assert_eq!(connector.config.unwrap()["time.interval"], "DAILY");
}

#[tokio::test]
async fn an_update_from_a_read_can_send_the_masks_back_to_keep_the_stored_secrets() {
    // A Kafka key rotation that holds none of the connector's other secrets, as Confluent's
    // CLI does it: the new key and secret, every other secret as the mask it was read as.
    let server = MockServer::start_async().await;
    mock_read(&server, "S3_SINKConnector_0");
    // What the read answered, without the keys the server adds (never sent back).
    let mut expected = read_back_fixture();
    expected["kafka.api.key"] = json!("NEW-KEY");
    expected["kafka.api.secret"] = json!("new-secret");
    let mut answer = fixture("put_connector_config_response.json");
    answer["name"] = json!("S3_SINKConnector_0");
    let put = server.mock(|when, then| {
        when.method(PUT)
            .path(format!("{BASE}/connectors/S3_SINKConnector_0/config"))
            .json_body(expected);
        then.status(200).json_body(answer);
    });
    support::client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .connector("S3_SINKConnector_0")
        .modify(MaskedSecrets::KeepStored, |spec| {
            spec.kafka_api_key("NEW-KEY").kafka_api_secret("new-secret")
        })
        .await
        .unwrap();
    put.assert_calls(1);
}

#[tokio::test]
async fn drop_masked_leaves_the_masked_keys_out() {
    let server = MockServer::start_async().await;
    mock_read(&server, "S3_SINKConnector_0");
    // What the read answered, without the keys the server adds (never sent back).
    let mut expected = read_back_fixture();
    let map = expected.as_object_mut().unwrap();
    for key in [
        "aws.access.key.id",
        "aws.secret.access.key",
        "kafka.api.key",
        "kafka.api.secret",
    ] {
        map.remove(key);
    }
    map.insert("flush.size".into(), json!("5000"));
    let put = server.mock(|when, then| {
        when.method(PUT)
            .path(format!("{BASE}/connectors/S3_SINKConnector_0/config"))
            .json_body(expected);
        then.status(200)
            .json_body(json!({"name": "S3_SINKConnector_0", "config": {}}));
    });
    support::client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .connector("S3_SINKConnector_0")
        .modify(MaskedSecrets::Refuse, |spec| {
            spec.set("flush.size", "5000").drop_masked()
        })
        .await
        .unwrap();
    put.assert_calls(1);
}

#[tokio::test]
async fn a_read_spec_keeps_masks_and_the_url_name() {
    let server = MockServer::start_async().await;
    mock_read(&server, "renamed");
    let spec = support::client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .connector("renamed")
        .spec()
        .await
        .unwrap();
    // The config read says S3_SINKConnector_0; a PUT to `renamed` must say `renamed`.
    assert_eq!(spec.name(), "renamed");
    assert_eq!(spec.get("name"), Some("renamed"));
    let masked: Vec<&str> = spec.masked_keys().collect();
    assert_eq!(
        masked,
        [
            "aws.access.key.id",
            "aws.secret.access.key",
            "kafka.api.key",
            "kafka.api.secret"
        ]
    );
    // The keys the server adds (kafka.endpoint, whose `pkc-****.` is not a mask, and the
    // others) are left out of the read-back, so an update does not pin them.
    for key in ccloud_connect::connect::SERVER_ADDED_KEYS {
        assert_eq!(spec.get(key), None, "{key}");
    }
    let err = spec.to_config().unwrap_err();
    assert!(err.is_validation());

    let err = support::client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .connector("renamed")
        .modify(MaskedSecrets::Refuse, |spec| {
            let config: ConnectorConfig = ConnectorConfig(Default::default());
            ConnectorSpec::from_read("other", config)
                .connector_class(spec.get("connector.class").unwrap())
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cannot rename"), "{err}");
}

#[tokio::test]
async fn the_guide_update_body_is_refused_for_its_placeholder_name() {
    let server = MockServer::start_async().await;
    let any = catch_all(&server);
    let body: ConnectorConfig =
        serde_json::from_value(fixture("put_connector_config_request.json")).unwrap();
    let spec = ConnectorSpec::from_read("<my-connector-name>", body);
    let err = support::client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(spec.name())
        .update(&spec)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("<my-connector-name>"), "{err}");
    any.assert_calls(0);

    // With a real name the same body goes out as read.
    let spec = ConnectorSpec::from_read(
        "S3_SINKConnector_5",
        serde_json::from_value(fixture("put_connector_config_request.json")).unwrap(),
    );
    let config = spec.to_config().unwrap();
    assert_eq!(config["name"], "S3_SINKConnector_5");
    assert_eq!(config["time.interval"], "DAILY");
}

// ------------------------------------------------------------ managed plugins

#[tokio::test]
async fn managed_plugins_are_listed() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET).path(format!("{BASE}/connector-plugins"));
        then.status(200)
            .json_body(fixture("connector_plugin_list_response.json"));
    });
    let plugins = support::client(&server.base_url())
        .connect()
        .raw()
        .list_connector_plugins(ENV, CLUSTER)
        .await
        .unwrap();
    let summary: Vec<(&str, Option<&ConnectorType>, Option<&str>)> = plugins
        .iter()
        .map(|p| (p.class.as_str(), p.type_.as_ref(), p.version.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "MicrosoftSqlServerSink",
                Some(&ConnectorType::Sink),
                Some("0.1.0")
            ),
            (
                "MySqlCdcSource",
                Some(&ConnectorType::Source),
                Some("0.1.0")
            ),
            (
                "DataScienceBigQuerySink",
                Some(&ConnectorType::Sink),
                Some("1")
            ),
            ("PubSubSource", Some(&ConnectorType::Source), Some("0.1.0")),
        ]
    );
}

#[tokio::test]
async fn managed_validation_returns_field_errors() {
    let server = MockServer::start_async().await;
    let spec = ConnectorSpec::managed("datagen-1", "DatagenSource")
        .set("kafka.topic", "pageviews")
        .set("quickstart", "pageviews")
        .tasks_max(1);
    let validate = server.mock(|when, then| {
        when.method(PUT)
            .path(format!(
                "{BASE}/connector-plugins/DatagenSource/config/validate"
            ))
            .json_body(json!({
                "connector.class": "DatagenSource",
                "name": "datagen-1",
                "kafka.topic": "pageviews",
                "quickstart": "pageviews",
                "tasks.max": "1"
            }));
        then.status(200)
            .json_body(fixture("validate_connector_plugin_response.json"));
    });
    let result = support::client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .validate(&spec)
        .await
        .unwrap();
    validate.assert_calls(1);
    assert_eq!(result.error_count, Some(4));
    assert!(!result.is_valid());
    let errors = result.field_errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors["name"], ["\"name\" is required".to_owned()]);
    assert_eq!(result.configs.len(), 3);
    assert_eq!(result.groups.len(), 9);
}

#[tokio::test]
async fn a_clean_validation_is_valid() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(PUT)
            .path(format!("{BASE}/connector-plugins/S3_SINK/config/validate"));
        then.status(200).json_body(json!({
            "name": "S3_SINK", "error_count": 0,
            "configs": [{"value": {"name": "topics", "value": "pageviews", "errors": []}}]
        }));
    });
    let result = support::client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .validate(&s3_sink())
        .await
        .unwrap();
    assert!(result.is_valid());
    assert!(result.field_errors().is_empty());
}

#[tokio::test]
async fn validation_of_custom_or_invalid_specs_sends_nothing() {
    let server = MockServer::start_async().await;
    let any = catch_all(&server);
    let api = support::client(&server.base_url());
    let err = api
        .connect()
        .cluster(ENV, CLUSTER)
        .validate(&ConnectorSpec::custom("c", "ccp-1"))
        .await
        .unwrap_err();
    assert!(
        err.is_validation() && err.to_string().contains("CUSTOM"),
        "{err}"
    );
    let err = api
        .connect()
        .cluster(ENV, CLUSTER)
        .validate(&s3_sink().tasks_max(0))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("tasks.max"), "{err}");
    any.assert_calls(0);
}

// ------------------------------------------------------------ runtimes

#[tokio::test]
async fn runtimes_report_newest_ga_and_near_eol() {
    let server = MockServer::start_async().await;
    let list = server.mock(|when, then| {
        when.method(GET)
            .path("/connect/v1/custom-connector-runtimes");
        then.status(200)
            .json_body(fixture("custom_connector_runtime_list_response.json"));
    });
    let api = support::client(&server.base_url());
    let live = api.connect().runtime_report().await.unwrap();
    list.assert_calls(1);
    assert_eq!(live.runtimes().len(), 2);
    assert_eq!(
        api.connect()
            .runtime_report()
            .await
            .unwrap()
            .newest_ga()
            .cloned()
            .unwrap()
            .custom_connect_plugin_runtime_name
            .as_deref(),
        Some("3.9")
    );

    let days = |n: u64| Duration::from_secs(n * 86_400);
    let report = RuntimeReport::new(live.runtimes().to_vec(), at("2026-03-01T00:00:00Z"));
    let newest = report.newest_ga().unwrap();
    assert_eq!(newest.id, "ccrv-stgc1loxl");
    let near: Vec<&str> = report
        .eol_within(days(60))
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(near, ["ccrv-stgc1ep54"]);
    assert!(report.eol_within(days(10)).is_empty());
    assert_eq!(report.find("3.6").unwrap().id, "ccrv-stgc1ep54");

    // The runtime picked goes into a custom connector's config as its name.
    let spec = ConnectorSpec::custom("c", "ccp-1").plugin_runtime(
        newest
            .custom_connect_plugin_runtime_name
            .as_deref()
            .unwrap(),
    );
    assert_eq!(spec.get(keys::CUSTOM_CONNECT_PLUGIN_RUNTIME), Some("3.9"));

    // Past its end of life, a runtime is still reported but never picked.
    let later = RuntimeReport::new(live.runtimes().to_vec(), at("2026-05-01T00:00:00Z"));
    assert_eq!(later.eol_within(Duration::ZERO).len(), 1);
    let mut only_old = live.runtimes().to_vec();
    only_old[0].product_maturity = Some(ProductMaturity::Preview);
    assert_eq!(
        RuntimeReport::new(only_old.clone(), at("2026-03-01T00:00:00Z"))
            .newest_ga()
            .unwrap()
            .id,
        "ccrv-stgc1ep54"
    );
    assert!(
        RuntimeReport::new(only_old, at("2026-05-01T00:00:00Z"))
            .newest_ga()
            .is_none()
    );
}

#[test]
fn newest_ga_compares_versions_as_numbers() {
    let runtimes = serde_json::from_value(json!([
        {"id": "a", "custom_connect_plugin_runtime_name": "3.9", "runtime_ak_version": "3.9.0", "product_maturity": "GA"},
        {"id": "b", "custom_connect_plugin_runtime_name": "3.10", "runtime_ak_version": "3.10.1", "product_maturity": "GA"},
        {"id": "c", "custom_connect_plugin_runtime_name": "4.0", "product_maturity": "EA"},
        {"id": "d", "custom_connect_plugin_runtime_name": "3.10", "product_maturity": "GA"}
    ]))
    .unwrap();
    let report = RuntimeReport::new(runtimes, at("2026-01-01T00:00:00Z"));
    assert_eq!(report.newest_ga().unwrap().id, "b");
    assert!(report.eol_within(Duration::from_secs(u64::MAX)).is_empty());
}

/// The config read's fixture as a read-back sends it: without the keys the server adds.
fn read_back_fixture() -> serde_json::Value {
    let mut config = fixture("get_connector_config_response.json");
    let map = config.as_object_mut().unwrap();
    for key in ccloud_connect::connect::SERVER_ADDED_KEYS {
        map.remove(*key);
    }
    config
}
