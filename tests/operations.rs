//! Every operation of both APIs, through the public client, against a local httpmock server:
//! what goes on the wire (method, exact path, query, body, headers) and what the answer
//! decodes to.
//!
//! Each operation has a test named `op_<api>_<operationId>`;
//! `every_operation_has_a_wire_test` reads this file and fails when one is missing.

mod common;

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use ccloud_connect::ccpm::CcpmApi;
use ccloud_connect::connect::ConnectApi;
use ccloud_connect::{Client, Error};
use httpmock::{Method, MockServer, When};
use serde_json::{Value, json};

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

fn client(server: &MockServer) -> Client {
    Client::builder()
        .credentials(API_KEY, API_SECRET)
        .base_url(server.base_url())
        .build()
        .expect("a valid client configuration")
}

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

// ---------------------------------------------------------------------------------------------
// connect/v1
// ---------------------------------------------------------------------------------------------

mod connect_api {
    use ccloud_connect::connect::mock::MockServerExt;
    use ccloud_connect::connect::{
        AlterOffsetsPhase, AlterOffsetsRequest, AlterOffsetsRequestType, Cloud, ConfigType,
        ConnectorConfig, ConnectorState, ConnectorType, ContentFormat, CreateConnectorRequest,
        CustomConnectorPlugin, CustomConnectorPluginType, CustomConnectorPluginUpdate,
        ListConnectorsResponse, PresignedUrlRequest, ProductMaturity,
    };
    use httpmock::Method::{DELETE, GET, PATCH, POST, PUT};

    use super::*;

    #[tokio::test]
    async fn op_connect_list_connectors() {
        let server = MockServer::start_async().await;
        let (status, answer) = common::response_fixture("connector_list_response.json");
        let mock = server.list_connectors(|when, then| {
            expect(
                when.into_inner(),
                GET,
                &cluster_path("/connectors"),
                &[],
                None,
            );
            then.into_inner().status(status).json_body(answer);
        });
        let result = client(&server)
            .connect()
            .raw()
            .list_connectors(ENV, CLUSTER, None)
            .await;
        mock.assert_async().await;
        let ListConnectorsResponse::NameList(names) = result.unwrap() else {
            panic!("a JSON array must decode as a name list");
        };
        assert_eq!(
            names.0,
            [
                "DatagenSourceConnector_0",
                "S3_SINKConnector_0",
                "custom-datagen_0"
            ]
        );
    }

    #[tokio::test]
    async fn op_connect_create_connector() {
        let server = MockServer::start_async().await;
        let request = common::fixture("create_connector_request_s3_sink.json");
        let (status, answer) = common::response_fixture("create_connector_response_s3_sink.json");
        let body: CreateConnectorRequest = serde_json::from_value(request.clone()).unwrap();
        let mock = server.create_connector(|when, then| {
            expect(
                when.into_inner(),
                POST,
                &cluster_path("/connectors"),
                &[],
                Some(request),
            );
            then.into_inner().status(status).json_body(answer);
        });
        let result = client(&server)
            .connect()
            .raw()
            .create_connector(ENV, CLUSTER, &body)
            .await;
        mock.assert_async().await;
        let connector = result.unwrap();
        assert_eq!(connector.name, "S3_SINKConnector_0");
        assert_eq!(connector.type_, Some(ConnectorType::Sink));
        let config = connector.config.expect("config");
        assert_eq!(config.0["kafka.api.key"], "****************");
        assert_eq!(config.0["topics"], "pageviews");
        assert!(connector.tasks.is_empty());
    }

    #[tokio::test]
    async fn op_connect_get_connector() {
        let server = MockServer::start_async().await;
        let mock = server.get_connector(|when, then| {
            expect(when.into_inner(), GET, &connector_path(""), &[], None);
            then.into_inner().status(200).json_body(json!({
                "name": CONNECTOR,
                "type": "source",
                "config": {"connector.class": "PostgresCdcSource", "tasks.max": "2"},
                "tasks": [{"connector": CONNECTOR, "task": 0}, {"connector": CONNECTOR, "task": 1}]
            }));
        });
        let result = client(&server)
            .connect()
            .raw()
            .get_connector(ENV, CLUSTER, CONNECTOR)
            .await;
        mock.assert_async().await;
        let connector = result.unwrap();
        assert_eq!(connector.name, CONNECTOR);
        assert_eq!(connector.type_, Some(ConnectorType::Source));
        assert_eq!(connector.config.unwrap().0["tasks.max"], "2");
        let tasks: Vec<_> = connector
            .tasks
            .iter()
            .map(|t| (t.connector.as_str(), t.task))
            .collect();
        assert_eq!(tasks, [(CONNECTOR, 0), (CONNECTOR, 1)]);
    }

    #[tokio::test]
    async fn op_connect_delete_connector() {
        let server = MockServer::start_async().await;
        let (status, answer) = common::response_fixture("delete_connector_response.json");
        let mock = server.delete_connector(|when, then| {
            expect(when.into_inner(), DELETE, &connector_path(""), &[], None);
            then.into_inner().status(status).json_body(answer);
        });
        let result = client(&server)
            .connect()
            .raw()
            .delete_connector(ENV, CLUSTER, CONNECTOR)
            .await;
        mock.assert_async().await;
        assert!(result.unwrap().error.is_none(), "`error: null` on success");
    }

    #[tokio::test]
    async fn op_connect_get_connector_config() {
        let server = MockServer::start_async().await;
        let (status, answer) = common::response_fixture("get_connector_config_response.json");
        let expected: BTreeMap<String, String> = serde_json::from_value(answer.clone()).unwrap();
        let mock = server.get_connector_config(|when, then| {
            expect(
                when.into_inner(),
                GET,
                &connector_path("/config"),
                &[],
                None,
            );
            then.into_inner().status(status).json_body(answer);
        });
        let result = client(&server)
            .connect()
            .raw()
            .get_connector_config(ENV, CLUSTER, CONNECTOR)
            .await;
        mock.assert_async().await;
        let config = result.unwrap();
        assert_eq!(config.0, expected);
        assert_eq!(config.0["connector.class"], "S3_SINK");
        assert_eq!(config.0.len(), 19);
    }

    #[tokio::test]
    async fn op_connect_put_connector_config() {
        let server = MockServer::start_async().await;
        let request = common::fixture("put_connector_config_request.json");
        let (status, answer) = common::response_fixture("put_connector_config_response.json");
        let body: ConnectorConfig = serde_json::from_value(request.clone()).unwrap();
        let mock = server.put_connector_config(|when, then| {
            expect(
                when.into_inner(),
                PUT,
                &connector_path("/config"),
                &[],
                Some(request),
            );
            then.into_inner().status(status).json_body(answer);
        });
        let result = client(&server)
            .connect()
            .raw()
            .put_connector_config(ENV, CLUSTER, CONNECTOR, &body)
            .await;
        mock.assert_async().await;
        let connector = result.unwrap();
        // The guide's example names the connector differently at the top and in `config`.
        assert_eq!(connector.name, "S3_SINKConnector_5");
        let config = connector.config.unwrap();
        assert_eq!(config.0["name"], "S3_SINKConnector_1");
        assert_eq!(config.0["time.interval"], "DAILY");
    }

    #[tokio::test]
    async fn op_connect_pause_connector() {
        let server = MockServer::start_async().await;
        let mock = server.pause_connector(|when, then| {
            expect(when.into_inner(), PUT, &connector_path("/pause"), &[], None);
            then.into_inner().status(202);
        });
        let result = client(&server)
            .connect()
            .raw()
            .pause_connector(ENV, CLUSTER, CONNECTOR)
            .await;
        mock.assert_async().await;
        result.unwrap();
    }

    #[tokio::test]
    async fn op_connect_resume_connector() {
        let server = MockServer::start_async().await;
        let mock = server.resume_connector(|when, then| {
            expect(
                when.into_inner(),
                PUT,
                &connector_path("/resume"),
                &[],
                None,
            );
            then.into_inner().status(202);
        });
        let result = client(&server)
            .connect()
            .raw()
            .resume_connector(ENV, CLUSTER, CONNECTOR)
            .await;
        mock.assert_async().await;
        result.unwrap();
    }

    #[tokio::test]
    async fn op_connect_restart_connector() {
        let server = MockServer::start_async().await;
        let mock = server.restart_connector(|when, then| {
            expect(
                when.into_inner(),
                POST,
                &connector_path("/restart"),
                &[],
                None,
            );
            then.into_inner().status(202);
        });
        let result = client(&server)
            .connect()
            .raw()
            .restart_connector(ENV, CLUSTER, CONNECTOR)
            .await;
        mock.assert_async().await;
        result.unwrap();
    }

    #[tokio::test]
    async fn op_connect_get_connector_status() {
        let server = MockServer::start_async().await;
        let mock = server.get_connector_status(|when, then| {
            expect(
                when.into_inner(),
                GET,
                &connector_path("/status"),
                &[],
                None,
            );
            then.into_inner().status(200).json_body(json!({
                "name": CONNECTOR,
                "type": "sink",
                "connector": {"state": "DEGRADED", "worker_id": "w-0", "trace": ""},
                "tasks": [
                    {"id": 0, "state": "RUNNING", "worker_id": "w-0"},
                    {"id": 1, "state": "FAILED", "worker_id": "w-1", "msg": "no route to host"}
                ]
            }));
        });
        let result = client(&server)
            .connect()
            .raw()
            .get_connector_status(ENV, CLUSTER, CONNECTOR)
            .await;
        mock.assert_async().await;
        let status = result.unwrap();
        assert_eq!(status.name, CONNECTOR);
        assert_eq!(status.connector.state, ConnectorState::Degraded);
        assert_eq!(status.connector.trace.as_deref(), Some(""));
        let tasks: Vec<_> = status
            .tasks
            .iter()
            .map(|t| (t.id, t.state.clone(), t.msg.as_deref()))
            .collect();
        assert_eq!(
            tasks,
            [
                (0, ConnectorState::Running, None),
                (1, ConnectorState::Failed, Some("no route to host")),
            ]
        );
    }

    #[tokio::test]
    async fn op_connect_list_connector_tasks() {
        let server = MockServer::start_async().await;
        let mock = server.list_connector_tasks(|when, then| {
            expect(when.into_inner(), GET, &connector_path("/tasks"), &[], None);
            then.into_inner().status(200).json_body(json!([
                {"id": {"connector": CONNECTOR, "task": 0}, "config": {"task.class": "x.Task"}}
            ]));
        });
        let result = client(&server)
            .connect()
            .raw()
            .list_connector_tasks(ENV, CLUSTER, CONNECTOR)
            .await;
        mock.assert_async().await;
        let tasks = result.unwrap();
        assert_eq!(tasks.len(), 1);
        let id = tasks[0].id.as_ref().expect("task id");
        assert_eq!((id.connector.as_str(), id.task), (CONNECTOR, 0));
        assert_eq!(tasks[0].config.as_ref().unwrap().0["task.class"], "x.Task");
    }

    #[tokio::test]
    async fn op_connect_list_connector_plugins() {
        let server = MockServer::start_async().await;
        let (status, answer) = common::response_fixture("connector_plugin_list_response.json");
        let mock = server.list_connector_plugins(|when, then| {
            expect(
                when.into_inner(),
                GET,
                &cluster_path("/connector-plugins"),
                &[],
                None,
            );
            then.into_inner().status(status).json_body(answer);
        });
        let result = client(&server)
            .connect()
            .raw()
            .list_connector_plugins(ENV, CLUSTER)
            .await;
        mock.assert_async().await;
        let plugins: Vec<_> = result
            .unwrap()
            .into_iter()
            .map(|p| (p.class, p.type_, p.version))
            .collect();
        assert_eq!(plugins.len(), 4);
        assert_eq!(
            plugins[1],
            (
                "MySqlCdcSource".to_owned(),
                Some(ConnectorType::Source),
                Some("0.1.0".to_owned())
            )
        );
        assert_eq!(plugins[2].2.as_deref(), Some("1"));
    }

    #[tokio::test]
    async fn op_connect_validate_connector_plugin_config() {
        let server = MockServer::start_async().await;
        let request = common::fixture("validate_connector_plugin_request.json");
        let (status, answer) = common::response_fixture("validate_connector_plugin_response.json");
        let body: ConnectorConfig = serde_json::from_value(request.clone()).unwrap();
        let mock = server.validate_connector_plugin_config(|when, then| {
            expect(
                when.into_inner(),
                PUT,
                &cluster_path("/connector-plugins/DatagenSource/config/validate"),
                &[],
                Some(request),
            );
            then.into_inner().status(status).json_body(answer);
        });
        let result = client(&server)
            .connect()
            .raw()
            .validate_connector_plugin_config(ENV, CLUSTER, "DatagenSource", &body)
            .await;
        mock.assert_async().await;
        let validation = result.unwrap();
        assert_eq!(validation.error_count, Some(4));
        assert_eq!(validation.groups.len(), 9);
        assert_eq!(validation.configs.len(), 3);
        let name = &validation.configs[1];
        let definition = name.definition.as_ref().unwrap();
        assert_eq!(definition.type_, Some(ConfigType::String));
        assert_eq!(definition.required, Some(true));
        assert_eq!(definition.order, Some(2));
        let value = name.value.as_ref().unwrap();
        assert_eq!(value.value.as_deref(), Some("{{.logicalClusterId}}"));
        assert_eq!(value.errors, ["\"name\" is required"]);
    }

    #[tokio::test]
    async fn op_connect_get_connector_offsets() {
        let server = MockServer::start_async().await;
        let mock = server.get_connector_offsets(|when, then| {
            expect(
                when.into_inner(),
                GET,
                &connector_path("/offsets"),
                &[],
                None,
            );
            then.into_inner().status(200).json_body(json!({
                "name": CONNECTOR,
                "id": "lcc-k2q7v",
                "offsets": [{
                    "partition": {"kafka_partition": 2, "kafka_topic": "orders"},
                    "offset": {"kafka_offset": 1000}
                }],
                "metadata": {"observed_at": "2024-03-28T17:57:48.139635200Z"}
            }));
        });
        let result = client(&server)
            .connect()
            .raw()
            .get_connector_offsets(ENV, CLUSTER, CONNECTOR)
            .await;
        mock.assert_async().await;
        let offsets = result.unwrap();
        assert_eq!(offsets.id.as_deref(), Some("lcc-k2q7v"));
        assert_eq!(offsets.offsets[0].partition["kafka_topic"], "orders");
        assert_eq!(offsets.offsets[0].offset["kafka_offset"], 1000);
        let observed = offsets.metadata.unwrap().observed_at.unwrap();
        assert_eq!(
            observed.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
            "2024-03-28T17:57:48.139635200Z"
        );
    }

    #[tokio::test]
    async fn op_connect_alter_connector_offsets() {
        let server = MockServer::start_async().await;
        let offsets = json!([{
            "partition": {"kafka_partition": 2, "kafka_topic": "orders"},
            "offset": {"kafka_offset": 5}
        }]);
        let body = AlterOffsetsRequest {
            type_: AlterOffsetsRequestType::Patch,
            offsets: serde_json::from_value(offsets.clone()).unwrap(),
        };
        let mock = server.alter_connector_offsets(|when, then| {
            expect(
                when.into_inner(),
                POST,
                &connector_path("/offsets/request"),
                &[],
                Some(json!({"type": "PATCH", "offsets": offsets})),
            );
            then.into_inner().status(202).json_body(json!({
                "id": "lcc-k2q7v",
                "name": CONNECTOR,
                "offsets": offsets,
                "requested_at": "2024-03-28T17:58:45.606796307Z",
                "type": "PATCH"
            }));
        });
        let result = client(&server)
            .connect()
            .raw()
            .alter_connector_offsets(ENV, CLUSTER, CONNECTOR, &body)
            .await;
        mock.assert_async().await;
        let info = result.unwrap();
        assert_eq!(
            (info.id.as_str(), info.name.as_str()),
            ("lcc-k2q7v", CONNECTOR)
        );
        assert_eq!(info.type_, Some(AlterOffsetsRequestType::Patch));
        assert_eq!(info.offsets[0].offset["kafka_offset"], 5);
        assert!(info.requested_at.is_some());
    }

    #[tokio::test]
    async fn op_connect_get_connector_offsets_request_status() {
        let server = MockServer::start_async().await;
        let mock = server.get_connector_offsets_request_status(|when, then| {
            expect(
                when.into_inner(),
                GET,
                &connector_path("/offsets/request/status"),
                &[],
                None,
            );
            then.into_inner().status(200).json_body(json!({
                "request": {"id": "lcc-k2q7v", "name": CONNECTOR, "type": "DELETE"},
                "status": {"phase": "APPLIED", "message": "offsets were reset"},
                "previous_offsets": [{"partition": {"p": 0}, "offset": {"o": 7}}],
                "applied_at": "2024-03-28T17:58:48Z"
            }));
        });
        let result = client(&server)
            .connect()
            .raw()
            .get_connector_offsets_request_status(ENV, CLUSTER, CONNECTOR)
            .await;
        mock.assert_async().await;
        let status = result.unwrap();
        assert_eq!(status.status.phase, AlterOffsetsPhase::Applied);
        assert_eq!(status.status.message.as_deref(), Some("offsets were reset"));
        assert_eq!(
            status.request.unwrap().type_,
            Some(AlterOffsetsRequestType::Delete)
        );
        assert_eq!(status.previous_offsets[0].offset["o"], 7);
        assert_eq!(
            status.applied_at.unwrap().to_rfc3339(),
            "2024-03-28T17:58:48+00:00"
        );
    }

    #[tokio::test]
    async fn op_connect_list_custom_connector_plugins() {
        type Args = (Option<&'static str>, Option<u32>, Option<&'static str>);
        let cases: [(Args, Query); 2] = [
            ((None, None, None), &[]),
            (
                // The token is opaque: characters that mean something in a query must
                // survive the trip.
                (Some("GCP"), Some(100), Some("a+b/c=d&e f")),
                &[
                    ("cloud", "GCP"),
                    ("page_size", "100"),
                    ("page_token", "a+b/c=d&e f"),
                ],
            ),
        ];
        let (status, answer) = common::response_fixture("custom_plugin_list_response.json");
        for ((cloud, page_size, page_token), query) in cases {
            let server = MockServer::start_async().await;
            let mock = server.list_custom_connector_plugins(|when, then| {
                expect(
                    when.into_inner(),
                    GET,
                    "/connect/v1/custom-connector-plugins",
                    query,
                    None,
                );
                then.into_inner().status(status).json_body(answer.clone());
            });
            let result = client(&server)
                .connect()
                .raw()
                .list_custom_connector_plugins(
                    cloud,
                    page_size.and_then(NonZeroU32::new),
                    page_token,
                )
                .await;
            mock.assert_async().await;
            let page = result.unwrap();
            assert_eq!(page.kind.as_deref(), Some("CustomConnectorPluginList"));
            let meta = page.metadata.unwrap();
            assert_eq!(meta.total_size, Some(123));
            assert!(
                meta.next
                    .unwrap()
                    .ends_with("?page_token=UvmDWOB1iwfAIBPj6EYb")
            );
            assert_eq!(page.data.len(), 1);
            assert_eq!(page.data[0].cloud, Some(Cloud::Aws));
            assert_eq!(
                page.data[0].sensitive_config_properties,
                ["passwords", "keys", "tokens"]
            );
        }
    }

    #[tokio::test]
    async fn op_connect_create_custom_connector_plugin() {
        let server = MockServer::start_async().await;
        let request = common::fixture("create_custom_plugin_request.json");
        let (status, answer) = common::response_fixture("create_custom_plugin_response.json");
        let body: CustomConnectorPlugin = serde_json::from_value(request.clone()).unwrap();
        let mock = server.create_custom_connector_plugin(|when, then| {
            expect(
                when.into_inner(),
                POST,
                "/connect/v1/custom-connector-plugins",
                &[],
                Some(request),
            );
            then.into_inner().status(status).json_body(answer);
        });
        let result = client(&server)
            .connect()
            .raw()
            .create_custom_connector_plugin(&body)
            .await;
        mock.assert_async().await;
        let plugin = result.unwrap();
        assert_eq!(plugin.id.as_deref(), Some("ccp-12345"));
        assert_eq!(plugin.display_name, "custom-datagen-2");
        assert_eq!(plugin.connector_type, CustomConnectorPluginType::Source);
        assert_eq!(plugin.content_format, Some(ContentFormat::Zip));
        let created = plugin.metadata.unwrap().created_at.unwrap();
        // `2006-01-02T15:04:05-07:00` in the answer.
        assert_eq!(created.to_rfc3339(), "2006-01-02T22:04:05+00:00");
    }

    #[tokio::test]
    async fn op_connect_get_custom_connector_plugin() {
        let server = MockServer::start_async().await;
        let (status, answer) = common::response_fixture("get_custom_plugin_response.json");
        let mock = server.get_custom_connector_plugin(|when, then| {
            expect(
                when.into_inner(),
                GET,
                "/connect/v1/custom-connector-plugins/ccp-abcdef",
                &[],
                None,
            );
            then.into_inner().status(status).json_body(answer);
        });
        let result = client(&server)
            .connect()
            .raw()
            .get_custom_connector_plugin("ccp-abcdef")
            .await;
        mock.assert_async().await;
        let plugin = result.unwrap();
        assert_eq!(plugin.id.as_deref(), Some("ccp-abcdef"));
        assert_eq!(plugin.display_name, "custom datagen 2");
        assert!(plugin.sensitive_config_properties.is_empty());
        assert!(plugin.upload_source.is_none());
        let meta = plugin.metadata.unwrap();
        assert_eq!(
            meta.updated_at.unwrap().to_rfc3339(),
            "2023-09-12T17:38:05.812088+00:00"
        );
    }

    #[tokio::test]
    async fn op_connect_delete_custom_connector_plugin() {
        let server = MockServer::start_async().await;
        let mock = server.delete_custom_connector_plugin(|when, then| {
            expect(
                when.into_inner(),
                DELETE,
                "/connect/v1/custom-connector-plugins/ccp-abcdef",
                &[],
                None,
            );
            then.into_inner().status(204);
        });
        let result = client(&server)
            .connect()
            .raw()
            .delete_custom_connector_plugin("ccp-abcdef")
            .await;
        mock.assert_async().await;
        result.unwrap();
    }

    #[tokio::test]
    async fn op_connect_update_custom_connector_plugin() {
        let server = MockServer::start_async().await;
        let (status, answer) = common::response_fixture("update_custom_plugin_response.json");
        let body = CustomConnectorPluginUpdate {
            display_name: Some("custom-datagen-1".into()),
            ..Default::default()
        };
        let mock = server.update_custom_connector_plugin(|when, then| {
            expect(
                when.into_inner(),
                PATCH,
                "/connect/v1/custom-connector-plugins/ccp-abcdef",
                &[],
                // Only the field that changes: everything else must stay as it is.
                Some(common::fixture("update_custom_plugin_request.json")),
            );
            then.into_inner().status(status).json_body(answer);
        });
        let result = client(&server)
            .connect()
            .raw()
            .update_custom_connector_plugin("ccp-abcdef", &body)
            .await;
        mock.assert_async().await;
        let plugin = result.unwrap();
        assert_eq!(plugin.display_name, "custom-datagen-1");
        assert_eq!(
            plugin.connector_class,
            "io.confluent.kafka.connect.datagen.DatagenConnector"
        );
    }

    #[tokio::test]
    async fn op_connect_create_presigned_upload_url() {
        let server = MockServer::start_async().await;
        let (status, answer) = common::response_fixture("presigned_upload_url_response.json");
        let body = PresignedUrlRequest {
            content_format: ContentFormat::Zip,
            cloud: Some(Cloud::Aws),
        };
        let mock = server.create_presigned_upload_url(|when, then| {
            expect(
                when.into_inner(),
                POST,
                "/connect/v1/presigned-upload-url",
                &[],
                Some(common::fixture("presigned_upload_url_request.json")),
            );
            then.into_inner().status(status).json_body(answer);
        });
        let result = client(&server)
            .connect()
            .raw()
            .create_presigned_upload_url(&body)
            .await;
        mock.assert_async().await;
        let url = result.unwrap();
        assert_eq!(url.content_format, Some(ContentFormat::Zip));
        assert_eq!(url.cloud, None);
        assert_eq!(
            url.upload_url.as_deref(),
            Some(
                "https://confluent-custom-connectors-prod-us-west-2.s3.dualstack.us-west-2.amazonaws.com/"
            )
        );
        let form = url
            .upload_form_data
            .as_ref()
            .expect("an S3 answer has a form");
        assert_eq!(form.len(), 7);
        assert_eq!(form.get("x-amz-algorithm"), Some("AWS4-HMAC-SHA256"));
    }

    #[tokio::test]
    async fn op_connect_list_custom_connector_runtimes() {
        type Args = (Option<u32>, Option<&'static str>);
        let cases: [(Args, Query); 2] = [
            ((None, None), &[]),
            (
                (Some(2), Some("tok-2")),
                &[("page_size", "2"), ("page_token", "tok-2")],
            ),
        ];
        let (status, answer) =
            common::response_fixture("custom_connector_runtime_list_response.json");
        for ((page_size, page_token), query) in cases {
            let server = MockServer::start_async().await;
            let mock = server.list_custom_connector_runtimes(|when, then| {
                expect(
                    when.into_inner(),
                    GET,
                    "/connect/v1/custom-connector-runtimes",
                    query,
                    None,
                );
                then.into_inner().status(status).json_body(answer.clone());
            });
            let result = client(&server)
                .connect()
                .raw()
                .list_custom_connector_runtimes(page_size.and_then(NonZeroU32::new), page_token)
                .await;
            mock.assert_async().await;
            let page = result.unwrap();
            let runtimes: Vec<_> = page
                .data
                .iter()
                .map(|r| {
                    (
                        r.id.as_str(),
                        r.custom_connect_plugin_runtime_name.as_deref(),
                        r.end_of_life_at.map(|t| t.to_rfc3339()),
                    )
                })
                .collect();
            assert_eq!(
                runtimes,
                [
                    ("ccrv-stgc1loxl", Some("3.9"), None),
                    (
                        "ccrv-stgc1ep54",
                        Some("3.6"),
                        Some("2026-04-01T00:00:00+00:00".to_owned())
                    ),
                ]
            );
            assert_eq!(page.data[0].product_maturity, Some(ProductMaturity::Ga));
            assert_eq!(page.data[0].supported_java_versions, ["17"]);
            assert!(page.metadata.unwrap().next.is_none());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ccpm/v1
// ---------------------------------------------------------------------------------------------

mod ccpm_api {
    use ccloud_connect::ccpm::mock::MockServerExt;
    use ccloud_connect::ccpm::{
        Cloud, ConnectorClassType, ContentFormat, EnvScopedObjectReference, Plugin, PluginSpec,
        PluginSpecUpdate, PluginUpdate, PluginVersion, PluginVersionPhase, PresignedUrlRequest,
    };
    use httpmock::Method::{DELETE, GET, PATCH, POST};

    use super::*;

    const PLUGIN: &str = "ccp-12345";
    const VERSION: &str = "ver-12345";

    fn environment() -> EnvScopedObjectReference {
        EnvScopedObjectReference {
            id: ENV.into(),
            environment: None,
            related: None,
            resource_name: None,
        }
    }

    /// A plugin as the server answers it.
    fn plugin_answer(display_name: &str) -> Value {
        json!({
            "api_version": "ccpm/v1",
            "kind": "CustomConnectPlugin",
            "id": PLUGIN,
            "metadata": {
                "self": format!("https://api.confluent.cloud/ccpm/v1/plugins/{PLUGIN}"),
                "created_at": "2025-01-02T03:04:05Z"
            },
            "spec": {
                "display_name": display_name,
                "description": "Datagen for tests",
                "cloud": "AZURE",
                "runtime_language": "JAVA",
                "environment": {"id": ENV, "related": "https://api.confluent.cloud/v2/environments/env-a1b2c"}
            }
        })
    }

    #[tokio::test]
    async fn op_ccpm_list_plugins() {
        type Args = (Option<u32>, Option<&'static str>, Option<&'static str>);
        let cases: [(Args, Query); 2] = [
            ((None, None, None), &[("environment", ENV)]),
            (
                (Some(25), Some("next/page=2"), Some("AZURE")),
                &[
                    ("environment", ENV),
                    ("page_size", "25"),
                    ("page_token", "next/page=2"),
                    ("spec.cloud", "AZURE"),
                ],
            ),
        ];
        for ((page_size, page_token, cloud), query) in cases {
            let server = MockServer::start_async().await;
            let mock = server.list_plugins(|when, then| {
                expect(when.into_inner(), GET, "/ccpm/v1/plugins", query, None);
                then.into_inner().status(200).json_body(json!({
                    "api_version": "ccpm/v1",
                    "kind": "CustomConnectPluginList",
                    "metadata": {"next": null, "total_size": 1},
                    "data": [plugin_answer("datagen")]
                }));
            });
            let result = client(&server)
                .ccpm()
                .raw()
                .list_plugins(ENV, page_size.and_then(NonZeroU32::new), page_token, cloud)
                .await;
            mock.assert_async().await;
            let page = result.unwrap();
            let meta = page.metadata.unwrap();
            assert_eq!((meta.next, meta.total_size), (None, Some(1)));
            assert_eq!(page.data.len(), 1);
            assert_eq!(page.data[0].spec.cloud, Cloud::Azure);
            assert_eq!(page.data[0].spec.environment.id, ENV);
        }
    }

    #[tokio::test]
    async fn op_ccpm_create_plugin() {
        let server = MockServer::start_async().await;
        let body = Plugin {
            api_version: None,
            kind: None,
            id: None,
            metadata: None,
            spec: PluginSpec {
                cloud: Cloud::Azure,
                display_name: "datagen".into(),
                description: Some("Datagen for tests".into()),
                runtime_language: None,
                environment: environment(),
            },
        };
        let mock = server.create_plugin(|when, then| {
            expect(
                when.into_inner(),
                POST,
                "/ccpm/v1/plugins",
                &[],
                Some(json!({"spec": {
                    "cloud": "AZURE",
                    "display_name": "datagen",
                    "description": "Datagen for tests",
                    "environment": {"id": ENV}
                }})),
            );
            then.into_inner()
                .status(202)
                .json_body(plugin_answer("datagen"));
        });
        let result = client(&server).ccpm().raw().create_plugin(&body).await;
        mock.assert_async().await;
        let plugin = result.unwrap();
        assert_eq!(plugin.id.as_deref(), Some(PLUGIN));
        assert_eq!(plugin.spec.runtime_language.as_deref(), Some("JAVA"));
        assert!(plugin.spec.environment.related.is_some());
    }

    #[tokio::test]
    async fn op_ccpm_get_plugin() {
        let server = MockServer::start_async().await;
        let mock = server.get_plugin(|when, then| {
            expect(
                when.into_inner(),
                GET,
                &format!("/ccpm/v1/plugins/{PLUGIN}"),
                &[("environment", ENV)],
                None,
            );
            then.into_inner()
                .status(200)
                .json_body(plugin_answer("datagen"));
        });
        let result = client(&server).ccpm().raw().get_plugin(PLUGIN, ENV).await;
        mock.assert_async().await;
        let plugin = result.unwrap();
        assert_eq!(plugin.spec.display_name, "datagen");
        assert_eq!(
            plugin.spec.description.as_deref(),
            Some("Datagen for tests")
        );
        assert_eq!(
            plugin.metadata.unwrap().created_at.unwrap().to_rfc3339(),
            "2025-01-02T03:04:05+00:00"
        );
    }

    #[tokio::test]
    async fn op_ccpm_delete_plugin() {
        let server = MockServer::start_async().await;
        let mock = server.delete_plugin(|when, then| {
            expect(
                when.into_inner(),
                DELETE,
                &format!("/ccpm/v1/plugins/{PLUGIN}"),
                &[("environment", ENV)],
                None,
            );
            then.into_inner().status(204);
        });
        let result = client(&server)
            .ccpm()
            .raw()
            .delete_plugin(PLUGIN, ENV)
            .await;
        mock.assert_async().await;
        result.unwrap();
    }

    #[tokio::test]
    async fn op_ccpm_update_plugin() {
        let server = MockServer::start_async().await;
        let body = PluginUpdate {
            api_version: None,
            kind: None,
            id: None,
            metadata: None,
            spec: PluginSpecUpdate {
                display_name: Some("datagen v2".into()),
                description: None,
                runtime_language: None,
                environment: environment(),
            },
        };
        let mock = server.update_plugin(|when, then| {
            // The environment travels in the body; the query stays empty.
            expect(
                when.into_inner(),
                PATCH,
                &format!("/ccpm/v1/plugins/{PLUGIN}"),
                &[],
                Some(json!({"spec": {"display_name": "datagen v2", "environment": {"id": ENV}}})),
            );
            then.into_inner()
                .status(200)
                .json_body(plugin_answer("datagen v2"));
        });
        let result = client(&server)
            .ccpm()
            .raw()
            .update_plugin(PLUGIN, &body)
            .await;
        mock.assert_async().await;
        assert_eq!(result.unwrap().spec.display_name, "datagen v2");
    }

    #[tokio::test]
    async fn op_ccpm_create_presigned_upload_url() {
        let server = MockServer::start_async().await;
        let body = PresignedUrlRequest {
            content_format: ContentFormat::Jar,
            cloud: Cloud::Gcp,
            environment: environment(),
        };
        let mock = server.create_presigned_upload_url(|when, then| {
            expect(
                when.into_inner(),
                POST,
                "/ccpm/v1/presigned-upload-url",
                &[],
                Some(json!({"content_format": "JAR", "cloud": "GCP", "environment": {"id": ENV}})),
            );
            then.into_inner().status(201).json_body(json!({
                "api_version": "ccpm/v1",
                "kind": "PresignedUrl",
                "content_format": "JAR",
                "cloud": "GCP",
                "upload_id": "e53bb2e8-8de3-49fa-9fb1-4e3fd9a16b66",
                "upload_url": "https://storage.googleapis.com/bucket/object?X-Goog-Signature=abc",
                "environment": {"id": ENV}
            }));
        });
        let result = client(&server)
            .ccpm()
            .raw()
            .create_presigned_upload_url(&body)
            .await;
        mock.assert_async().await;
        let url = result.unwrap();
        assert_eq!(url.cloud, Some(Cloud::Gcp));
        assert_eq!(url.content_format, Some(ContentFormat::Jar));
        assert_eq!(
            url.upload_id.as_deref(),
            Some("e53bb2e8-8de3-49fa-9fb1-4e3fd9a16b66")
        );
        assert!(
            url.upload_form_data.as_ref().is_none_or(|f| f.is_empty()),
            "GCP uploads carry no form"
        );
        assert_eq!(url.environment.unwrap().id, ENV);
    }

    #[tokio::test]
    async fn op_ccpm_list_plugin_versions() {
        type Args = (Option<u32>, Option<&'static str>);
        let cases: [(Args, Query); 2] = [
            ((None, None), &[("environment", ENV)]),
            (
                (Some(1), Some("UvmDWOB1iwfAIBPj6EYb")),
                &[
                    ("environment", ENV),
                    ("page_size", "1"),
                    ("page_token", "UvmDWOB1iwfAIBPj6EYb"),
                ],
            ),
        ];
        let (status, answer) = common::response_fixture("ccpm_plugin_version_list_response.json");
        for ((page_size, page_token), query) in cases {
            let server = MockServer::start_async().await;
            let mock = server.list_plugin_versions(|when, then| {
                expect(
                    when.into_inner(),
                    GET,
                    &format!("/ccpm/v1/plugins/{PLUGIN}/versions"),
                    query,
                    None,
                );
                then.into_inner().status(status).json_body(answer.clone());
            });
            let result = client(&server)
                .ccpm()
                .raw()
                .list_plugin_versions(PLUGIN, ENV, page_size.and_then(NonZeroU32::new), page_token)
                .await;
            mock.assert_async().await;
            let page = result.unwrap();
            assert_eq!(page.metadata.unwrap().total_size, Some(123));
            let version = &page.data[0];
            assert_eq!(version.id.as_deref(), Some("dlz-f3a90de"));
            assert_eq!(
                version.spec.connector_classes[0].type_,
                ConnectorClassType::Source
            );
            assert_eq!(
                version.status.as_ref().unwrap().phase,
                PluginVersionPhase::Processing
            );
        }
    }

    #[tokio::test]
    async fn op_ccpm_create_plugin_version() {
        let server = MockServer::start_async().await;
        let request = common::fixture("ccpm_create_plugin_version_request.json");
        let (status, answer) = common::response_fixture("ccpm_create_plugin_version_response.json");
        let body: PluginVersion = serde_json::from_value(request.clone()).unwrap();
        let mock = server.create_plugin_version(|when, then| {
            expect(
                when.into_inner(),
                POST,
                &format!("/ccpm/v1/plugins/{PLUGIN}/versions"),
                &[],
                Some(request),
            );
            then.into_inner().status(status).json_body(answer);
        });
        let result = client(&server)
            .ccpm()
            .raw()
            .create_plugin_version(PLUGIN, &body)
            .await;
        mock.assert_async().await;
        let version = result.unwrap();
        let progress = version.status.unwrap();
        assert_eq!(progress.phase, PluginVersionPhase::Processing);
        assert_eq!(
            progress.error_message.as_deref(),
            Some("Version creation failed due to invalid plugin archive.")
        );
        assert_eq!(
            version.spec.sensitive_config_properties,
            ["passwords", "keys", "tokens"]
        );
        assert_eq!(version.spec.content_format, Some(ContentFormat::Zip));
    }

    #[tokio::test]
    async fn op_ccpm_get_plugin_version() {
        let server = MockServer::start_async().await;
        let (status, answer) = common::response_fixture("ccpm_get_plugin_version_response.json");
        let mock = server.get_plugin_version(|when, then| {
            expect(
                when.into_inner(),
                GET,
                &format!("/ccpm/v1/plugins/{PLUGIN}/versions/{VERSION}"),
                &[("environment", ENV)],
                None,
            );
            then.into_inner().status(status).json_body(answer);
        });
        let result = client(&server)
            .ccpm()
            .raw()
            .get_plugin_version(PLUGIN, VERSION, ENV)
            .await;
        mock.assert_async().await;
        let version = result.unwrap();
        assert_eq!(version.spec.version, "string");
        assert_eq!(
            version.spec.upload_source.upload_id,
            "e53bb2e8-8de3-49fa-9fb1-4e3fd9a16b66"
        );
        assert_eq!(
            version.spec.connector_classes[0].class_name,
            "io.confluent.kafka.connect.datagen.DatagenConnector"
        );
        let meta = version.metadata.unwrap();
        assert_eq!(
            meta.deleted_at.unwrap().to_rfc3339(),
            "2006-01-02T22:04:05+00:00"
        );
    }

    #[tokio::test]
    async fn op_ccpm_delete_plugin_version() {
        let server = MockServer::start_async().await;
        let mock = server.delete_plugin_version(|when, then| {
            expect(
                when.into_inner(),
                DELETE,
                &format!("/ccpm/v1/plugins/{PLUGIN}/versions/{VERSION}"),
                &[("environment", ENV)],
                None,
            );
            then.into_inner().status(204);
        });
        let result = client(&server)
            .ccpm()
            .raw()
            .delete_plugin_version(PLUGIN, VERSION, ENV)
            .await;
        mock.assert_async().await;
        result.unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// list_connectors and its two answers
// ---------------------------------------------------------------------------------------------

mod list_connectors {
    use ccloud_connect::connect::Expand;
    use ccloud_connect::connect::mock::MockServerExt;
    use ccloud_connect::connect::{ConnectorState, ConnectorType};
    use httpmock::Method::GET;

    use super::*;

    /// The query string as sent. reqwest writes the comma as `%2C`; both spellings mean the
    /// same to the server, so the check accepts either and nothing else.
    fn raw_query(req: &httpmock::HttpMockRequest) -> String {
        req.uri().query().unwrap_or("").replace("%2C", ",")
    }

    #[tokio::test]
    async fn expand_goes_as_one_comma_joined_parameter() {
        let cases = [
            (Expand::ALL, "info,status,id"),
            (Expand::INFO | Expand::STATUS | Expand::ID, "info,status,id"),
            (Expand::ID | Expand::STATUS, "status,id"),
            (Expand::INFO, "info"),
            (Expand::ID, "id"),
        ];
        for (expand, value) in cases {
            let server = MockServer::start_async().await;
            let mock = server.list_connectors(|when, then| {
                expect(
                    when.into_inner(),
                    GET,
                    &cluster_path("/connectors"),
                    &[("expand", value)],
                    None,
                )
                // Exactly one `expand=` pair, not one per value and not a repeated key.
                .is_true(move |req| raw_query(req) == format!("expand={value}"));
                then.into_inner().status(200).json_body(json!({}));
            });
            let result = client(&server)
                .connect()
                .cluster(ENV, CLUSTER)
                .connectors(expand)
                .await;
            mock.assert_async().await;
            assert!(result.unwrap().is_empty(), "{expand}");
        }
    }

    #[tokio::test]
    async fn expanded_sections_decode_and_null_ones_are_none() {
        let server = MockServer::start_async().await;
        let mock = server.list_connectors(|when, then| {
            expect(
                when.into_inner(),
                GET,
                &cluster_path("/connectors"),
                &[("expand", "info,status,id")],
                None,
            );
            then.into_inner().status(200).json_body(json!({
                "MyGcsLogsBucketConnector": {
                    "id": {"id": "lcc-xxxxx", "id_type": "ID"},
                    "info": {
                        "name": "MyGcsLogsBucketConnector",
                        "config": {"connector.class": "GcsSink", "tasks.max": "1"},
                        "tasks": [{"connector": "MyGcsLogsBucketConnector", "task": 0}],
                        "type": "sink"
                    },
                    "status": {
                        "name": "MyGcsLogsBucketConnector",
                        "connector": {"state": "PROVISIONING", "worker_id": "w", "trace": ""},
                        "tasks": [],
                        "type": "sink"
                    }
                },
                "half-known": {"id": {"id": "lcc-yyyyy", "id_type": "ID"}, "info": null, "status": null},
                "nothing-known": {}
            }));
        });
        let result = client(&server)
            .connect()
            .cluster(ENV, CLUSTER)
            .connectors(Expand::ALL)
            .await;
        mock.assert_async().await;
        let connectors = result.unwrap();
        assert_eq!(
            connectors.keys().map(String::as_str).collect::<Vec<_>>(),
            ["MyGcsLogsBucketConnector", "half-known", "nothing-known"]
        );

        let gcs = &connectors["MyGcsLogsBucketConnector"];
        assert_eq!(gcs.id.as_ref().unwrap().id.as_deref(), Some("lcc-xxxxx"));
        let info = gcs.info.as_ref().unwrap();
        assert_eq!(info.type_, Some(ConnectorType::Sink));
        assert_eq!(
            info.config.as_ref().unwrap().0["connector.class"],
            "GcsSink"
        );
        assert_eq!(info.tasks[0].task, 0);
        let status = gcs.status.as_ref().unwrap();
        assert_eq!(status.connector.state, ConnectorState::Provisioning);

        let half = &connectors["half-known"];
        assert_eq!(half.id.as_ref().unwrap().id.as_deref(), Some("lcc-yyyyy"));
        assert!(half.info.is_none() && half.status.is_none());
        let nothing = &connectors["nothing-known"];
        assert!(nothing.id.is_none() && nothing.info.is_none() && nothing.status.is_none());
    }

    #[tokio::test]
    async fn empty_expand_is_refused_before_sending() {
        let server = MockServer::start_async().await;
        let anything = server.mock(|_, then| {
            then.status(418);
        });
        let err = client(&server)
            .connect()
            .cluster(ENV, CLUSTER)
            .connectors(Expand::default())
            .await
            .unwrap_err();
        assert!(err.is_validation(), "{err:?}");
        assert_eq!(anything.calls_async().await, 0);
    }

    #[tokio::test]
    async fn names_decode_from_the_plain_answer() {
        let cases = [
            (
                common::fixture("connector_list_response.json"),
                vec![
                    "DatagenSourceConnector_0",
                    "S3_SINKConnector_0",
                    "custom-datagen_0",
                ],
            ),
            (json!([]), vec![]),
            // Some servers answer an empty cluster with an object.
            (json!({}), vec![]),
        ];
        for (answer, names) in cases {
            let server = MockServer::start_async().await;
            let mock = server.list_connectors(|when, then| {
                expect(
                    when.into_inner(),
                    GET,
                    &cluster_path("/connectors"),
                    &[],
                    None,
                );
                then.into_inner().status(200).json_body(answer.clone());
            });
            let result = client(&server)
                .connect()
                .cluster(ENV, CLUSTER)
                .connector_names()
                .await;
            mock.assert_async().await;
            assert_eq!(result.unwrap(), names, "answer {answer}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Path parameters: one percent-encoded segment each, or refused before sending
// ---------------------------------------------------------------------------------------------

/// httpmock's `path` matcher compares the request target as it arrived, before any
/// percent-decoding, so an expected path with `%2F` in it only matches a `%2F` on the wire.
mod path_params {
    use ccloud_connect::connect::ConnectorConfig;

    use super::*;

    /// Every kind of path parameter the two APIs have, each reached through one operation.
    #[derive(Clone, Copy, Debug)]
    enum Param {
        Environment,
        Cluster,
        Connector,
        PluginName,
        CustomPluginId,
        CcpmPluginId,
        CcpmVersionId,
    }

    impl Param {
        const ALL: [Param; 7] = [
            Param::Environment,
            Param::Cluster,
            Param::Connector,
            Param::PluginName,
            Param::CustomPluginId,
            Param::CcpmPluginId,
            Param::CcpmVersionId,
        ];

        /// The name a validation error gives the parameter.
        fn field(self) -> &'static str {
            match self {
                Param::Environment => "environment_id",
                Param::Cluster => "kafka_cluster_id",
                Param::Connector => "connector_name",
                Param::PluginName => "plugin_name",
                Param::CustomPluginId | Param::CcpmVersionId => "id",
                Param::CcpmPluginId => "plugin_id",
            }
        }

        /// The path the server must see when the parameter travels as `segment`.
        fn path(self, segment: &str) -> String {
            match self {
                Param::Environment => {
                    format!(
                        "/connect/v1/environments/{segment}/clusters/{CLUSTER}/connectors/{CONNECTOR}/status"
                    )
                }
                Param::Cluster => {
                    format!(
                        "/connect/v1/environments/{ENV}/clusters/{segment}/connectors/{CONNECTOR}/status"
                    )
                }
                Param::Connector => cluster_path(&format!("/connectors/{segment}/status")),
                Param::PluginName => {
                    cluster_path(&format!("/connector-plugins/{segment}/config/validate"))
                }
                Param::CustomPluginId => format!("/connect/v1/custom-connector-plugins/{segment}"),
                Param::CcpmPluginId => format!("/ccpm/v1/plugins/{segment}/versions/ver-1"),
                Param::CcpmVersionId => format!("/ccpm/v1/plugins/ccp-1/versions/{segment}"),
            }
        }

        /// Calls the operation with `value` in this parameter's place.
        async fn call(self, client: &Client, value: &str) -> Result<(), Error> {
            let connect = client.connect();
            let ccpm = client.ccpm();
            match self {
                Param::Environment => connect
                    .raw()
                    .get_connector_status(value, CLUSTER, CONNECTOR)
                    .await
                    .map(drop),
                Param::Cluster => connect
                    .raw()
                    .get_connector_status(ENV, value, CONNECTOR)
                    .await
                    .map(drop),
                Param::Connector => connect
                    .raw()
                    .get_connector_status(ENV, CLUSTER, value)
                    .await
                    .map(drop),
                Param::PluginName => connect
                    .raw()
                    .validate_connector_plugin_config(
                        ENV,
                        CLUSTER,
                        value,
                        &ConnectorConfig(BTreeMap::new()),
                    )
                    .await
                    .map(drop),
                Param::CustomPluginId => connect
                    .raw()
                    .get_custom_connector_plugin(value)
                    .await
                    .map(drop),
                Param::CcpmPluginId => ccpm
                    .raw()
                    .get_plugin_version(value, "ver-1", ENV)
                    .await
                    .map(drop),
                Param::CcpmVersionId => ccpm
                    .raw()
                    .get_plugin_version("ccp-1", value, ENV)
                    .await
                    .map(drop),
            }
        }

        /// A minimal success answer of the operation.
        fn answer(self) -> Value {
            match self {
                Param::Environment | Param::Cluster | Param::Connector => {
                    json!({"name": "n", "connector": {"state": "RUNNING"}})
                }
                Param::PluginName => json!({"error_count": 0}),
                Param::CustomPluginId => json!({
                    "display_name": "d", "connector_class": "c", "connector_type": "SINK"
                }),
                Param::CcpmPluginId | Param::CcpmVersionId => json!({"spec": {
                    "version": "1.0.0",
                    "connector_classes": [{"class_name": "c", "type": "SINK"}],
                    "upload_source": {"location": "PRESIGNED_URL_LOCATION", "upload_id": ""},
                    "environment": {"id": ENV}
                }}),
            }
        }

        fn method(self) -> Method {
            match self {
                Param::PluginName => Method::PUT,
                _ => Method::GET,
            }
        }

        /// The query `call` sends: ccpm names the environment in every read.
        fn query(self) -> Query {
            match self {
                Param::CcpmPluginId | Param::CcpmVersionId => &[("environment", ENV)],
                _ => &[],
            }
        }

        /// The request body `call` sends.
        fn body(self) -> Option<Value> {
            matches!(self, Param::PluginName).then(|| json!({}))
        }
    }

    /// Values that must arrive as exactly one path segment, and that segment as sent.
    /// The expected encodings are written out by hand (UTF-8 bytes, upper-case hex).
    fn segments() -> Vec<(String, String)> {
        let mut cases: Vec<(String, String)> = [
            ("a/b?c#d%e f..g", "a%2Fb%3Fc%23d%25e%20f..g"),
            ("çé日本", "%C3%A7%C3%A9%E6%97%A5%E6%9C%AC"),
            (
                "a/b?c#d%e f..g çé日本",
                "a%2Fb%3Fc%23d%25e%20f..g%20%C3%A7%C3%A9%E6%97%A5%E6%9C%AC",
            ),
            ("../x", "..%2Fx"),
            ("x/..", "x%2F.."),
            ("...", "..."),
            (" ", "%20"),
            // Already-encoded text is data, not an escape: `%2e%2e` must not become `..`.
            ("%2e%2e", "%252e%252e"),
            ("%2F", "%252F"),
            ("a+b=c&d;e", "a+b=c&d;e"),
            ("<{\"`}>", "%3C%7B%22%60%7D%3E"),
        ]
        .into_iter()
        .map(|(value, segment)| (value.to_owned(), segment.to_owned()))
        .collect();
        // The longest value accepted.
        cases.push(("x".repeat(1024), "x".repeat(1024)));
        cases
    }

    #[tokio::test]
    async fn every_path_parameter_travels_as_one_encoded_segment() {
        let server = MockServer::start_async().await;
        let client = client(&server);
        let mut failures = Vec::new();
        for param in Param::ALL {
            for (value, segment) in segments() {
                let path = param.path(&segment);
                let mock = server
                    .mock_async(|when, then| {
                        expect(when, param.method(), &path, param.query(), param.body());
                        then.status(200).json_body(param.answer());
                    })
                    .await;
                let result = param.call(&client, &value).await;
                if mock.calls_async().await != 1 || result.is_err() {
                    failures.push(format!(
                        "{param:?} {value:?}: expected path {path}, result {result:?}"
                    ));
                }
                mock.delete_async().await;
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }

    /// Values that would change the request path, or cannot be an id at all.
    fn refused() -> Vec<String> {
        let mut values: Vec<String> = [
            "",
            ".",
            "..",
            "a\nb",
            "\r",
            "tab\there",
            "nul\0",
            "del\u{7f}",
            "c1\u{85}",
            // WHATWG URL parsing reads a backslash as `/` in http(s) URLs.
            "a\\b",
            "..\\..",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        values.push("x".repeat(1025));
        values
    }

    #[tokio::test]
    async fn unsafe_values_are_refused_before_sending() {
        let server = MockServer::start_async().await;
        let anything = server
            .mock_async(|_, then| {
                then.status(418);
            })
            .await;
        let client = client(&server);
        for param in Param::ALL {
            for value in refused() {
                let err = param
                    .call(&client, &value)
                    .await
                    .expect_err(&format!("{param:?} {value:?} must be refused"));
                assert!(err.is_validation(), "{param:?} {value:?}: {err:?}");
                match &err {
                    Error::Validation { field, .. } => {
                        assert_eq!(field, param.field(), "{param:?} {value:?}")
                    }
                    other => panic!("{param:?} {value:?}: not a validation error: {other:?}"),
                }
            }
        }
        assert_eq!(
            anything.calls_async().await,
            0,
            "a refused request reached the server"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Forward compatibility of answers
// ---------------------------------------------------------------------------------------------

/// A PATCH can clear the sensitive keys of a plugin: `Some(vec![])` goes on the wire as
/// `[]`, while `None` leaves the field out and keeps the list.
#[tokio::test]
async fn plugin_update_can_clear_sensitive_properties() {
    use ccloud_connect::connect::CustomConnectorPluginUpdate;
    let server = MockServer::start_async().await;
    let (_, answer) = common::response_fixture("update_custom_plugin_response.json");
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
    let api = client(&server);
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
    let result = client(&server)
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

// ---------------------------------------------------------------------------------------------
// Coverage of the operation lists
// ---------------------------------------------------------------------------------------------

/// Every operationId of `OPERATIONS` has an `op_<api>_<operationId>` test in this file that
/// calls it, and every such test names a real operation.
#[test]
fn every_operation_has_a_wire_test() {
    assert_eq!(ConnectApi::OPERATIONS.len(), 23, "connect/v1 operations");
    assert_eq!(CcpmApi::OPERATIONS.len(), 10, "ccpm/v1 operations");
    let source = include_str!("operations.rs");
    let tests = op_tests(source);
    let mut missing = Vec::new();
    for (api, operations) in [
        ("connect", ConnectApi::OPERATIONS),
        ("ccpm", CcpmApi::OPERATIONS),
    ] {
        for op in operations {
            let name = format!("op_{api}_{op}");
            match tests.get(name.as_str()) {
                None => missing.push(name),
                Some(body) => assert!(
                    body.contains(&format!(".{api}()")) && body.contains(&format!(".{op}(")),
                    "{name} does not call client.{api}().{op}(..)"
                ),
            }
        }
    }
    assert!(
        missing.is_empty(),
        "operations without a wire test: {missing:?}"
    );
    let known: Vec<String> = ConnectApi::OPERATIONS
        .iter()
        .map(|op| format!("op_connect_{op}"))
        .chain(CcpmApi::OPERATIONS.iter().map(|op| format!("op_ccpm_{op}")))
        .collect();
    for name in tests.keys() {
        assert!(known.iter().any(|k| k == name), "{name} names no operation");
    }
}

/// The `op_*` test functions of `source`: name -> text of the function after its name.
fn op_tests(source: &str) -> BTreeMap<&str, &str> {
    // Split in two so that this line is not itself a match.
    let signature = concat!("async fn ", "op_");
    let mut tests = BTreeMap::new();
    for (start, _) in source.match_indices(signature) {
        let text = &source[start + "async fn ".len()..];
        let name_end = text.find('(').expect("a function signature");
        let name = &text[..name_end];
        assert!(
            source[..start].trim_end().ends_with("#[tokio::test]"),
            "{name} is not a #[tokio::test]"
        );
        let body = &text[name_end..];
        let body = &body[..body.find("fn ").unwrap_or(body.len())];
        assert!(
            tests.insert(name, body).is_none(),
            "{name} is defined twice"
        );
    }
    tests
}
