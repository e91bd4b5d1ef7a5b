//! The wire test of every connect/v1 operation, keyed by `ConnectApi::OPERATIONS`.

use ccloud_connect::connect::mock::MockServerExt;
use ccloud_connect::connect::{
    AlterOffsetsPhase, AlterOffsetsRequest, AlterOffsetsRequestType, Cloud, ConfigType,
    ConnectorConfig, ConnectorState, ConnectorType, ContentFormat, CreateConnectorRequest,
    CustomConnectorPlugin, CustomConnectorPluginType, CustomConnectorPluginUpdate,
    ListConnectorsResponse, PresignedUrlRequest, ProductMaturity,
};
use httpmock::Method::{DELETE, GET, PATCH, POST, PUT};

use super::*;

wire_tests! {
    "connect/v1":
    list_connectors,
    create_connector,
    get_connector,
    delete_connector,
    get_connector_config,
    put_connector_config,
    pause_connector,
    resume_connector,
    restart_connector,
    get_connector_status,
    list_connector_tasks,
    list_connector_plugins,
    validate_connector_plugin_config,
    get_connector_offsets,
    alter_connector_offsets,
    get_connector_offsets_request_status,
    list_custom_connector_plugins,
    create_custom_connector_plugin,
    get_custom_connector_plugin,
    delete_custom_connector_plugin,
    update_custom_connector_plugin,
    create_presigned_upload_url,
    list_custom_connector_runtimes,
}

async fn list_connectors(wire: Wire) {
    let server = MockServer::start_async().await;
    let (status, answer) = fixtures::response_fixture("connector_list_response.json");
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
    let result = wire
        .client(&server)
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

async fn create_connector(wire: Wire) {
    let server = MockServer::start_async().await;
    let request = fixtures::fixture("create_connector_request_s3_sink.json");
    let (status, answer) = fixtures::response_fixture("create_connector_response_s3_sink.json");
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
    let result = wire
        .client(&server)
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

async fn get_connector(wire: Wire) {
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
    let result = wire
        .client(&server)
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

async fn delete_connector(wire: Wire) {
    let server = MockServer::start_async().await;
    let (status, answer) = fixtures::response_fixture("delete_connector_response.json");
    let mock = server.delete_connector(|when, then| {
        expect(when.into_inner(), DELETE, &connector_path(""), &[], None);
        then.into_inner().status(status).json_body(answer);
    });
    let result = wire
        .client(&server)
        .connect()
        .raw()
        .delete_connector(ENV, CLUSTER, CONNECTOR)
        .await;
    mock.assert_async().await;
    assert!(result.unwrap().error.is_none(), "`error: null` on success");
}

async fn get_connector_config(wire: Wire) {
    let server = MockServer::start_async().await;
    let (status, answer) = fixtures::response_fixture("get_connector_config_response.json");
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
    let result = wire
        .client(&server)
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

async fn put_connector_config(wire: Wire) {
    let server = MockServer::start_async().await;
    let request = fixtures::fixture("put_connector_config_request.json");
    let (status, answer) = fixtures::response_fixture("put_connector_config_response.json");
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
    let result = wire
        .client(&server)
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

async fn pause_connector(wire: Wire) {
    let server = MockServer::start_async().await;
    let mock = server.pause_connector(|when, then| {
        expect(when.into_inner(), PUT, &connector_path("/pause"), &[], None);
        then.into_inner().status(202);
    });
    let result = wire
        .client(&server)
        .connect()
        .raw()
        .pause_connector(ENV, CLUSTER, CONNECTOR)
        .await;
    mock.assert_async().await;
    result.unwrap();
}

async fn resume_connector(wire: Wire) {
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
    let result = wire
        .client(&server)
        .connect()
        .raw()
        .resume_connector(ENV, CLUSTER, CONNECTOR)
        .await;
    mock.assert_async().await;
    result.unwrap();
}

async fn restart_connector(wire: Wire) {
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
    let result = wire
        .client(&server)
        .connect()
        .raw()
        .restart_connector(ENV, CLUSTER, CONNECTOR)
        .await;
    mock.assert_async().await;
    result.unwrap();
}

async fn get_connector_status(wire: Wire) {
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
    let result = wire
        .client(&server)
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

async fn list_connector_tasks(wire: Wire) {
    let server = MockServer::start_async().await;
    let mock = server.list_connector_tasks(|when, then| {
        expect(when.into_inner(), GET, &connector_path("/tasks"), &[], None);
        then.into_inner().status(200).json_body(json!([
            {"id": {"connector": CONNECTOR, "task": 0}, "config": {"task.class": "x.Task"}}
        ]));
    });
    let result = wire
        .client(&server)
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

async fn list_connector_plugins(wire: Wire) {
    let server = MockServer::start_async().await;
    let (status, answer) = fixtures::response_fixture("connector_plugin_list_response.json");
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
    let result = wire
        .client(&server)
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

async fn validate_connector_plugin_config(wire: Wire) {
    let server = MockServer::start_async().await;
    let request = fixtures::fixture("validate_connector_plugin_request.json");
    let (status, answer) = fixtures::response_fixture("validate_connector_plugin_response.json");
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
    let result = wire
        .client(&server)
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

async fn get_connector_offsets(wire: Wire) {
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
    let result = wire
        .client(&server)
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

async fn alter_connector_offsets(wire: Wire) {
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
    let result = wire
        .client(&server)
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

async fn get_connector_offsets_request_status(wire: Wire) {
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
    let result = wire
        .client(&server)
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

async fn list_custom_connector_plugins(wire: Wire) {
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
    let (status, answer) = fixtures::response_fixture("custom_plugin_list_response.json");
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
        let result = wire
            .client(&server)
            .connect()
            .raw()
            .list_custom_connector_plugins(cloud, page_size.and_then(NonZeroU32::new), page_token)
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

async fn create_custom_connector_plugin(wire: Wire) {
    let server = MockServer::start_async().await;
    let request = fixtures::fixture("create_custom_plugin_request.json");
    let (status, answer) = fixtures::response_fixture("create_custom_plugin_response.json");
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
    let result = wire
        .client(&server)
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

async fn get_custom_connector_plugin(wire: Wire) {
    let server = MockServer::start_async().await;
    let (status, answer) = fixtures::response_fixture("get_custom_plugin_response.json");
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
    let result = wire
        .client(&server)
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

async fn delete_custom_connector_plugin(wire: Wire) {
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
    let result = wire
        .client(&server)
        .connect()
        .raw()
        .delete_custom_connector_plugin("ccp-abcdef")
        .await;
    mock.assert_async().await;
    result.unwrap();
}

async fn update_custom_connector_plugin(wire: Wire) {
    let server = MockServer::start_async().await;
    let (status, answer) = fixtures::response_fixture("update_custom_plugin_response.json");
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
            Some(fixtures::fixture("update_custom_plugin_request.json")),
        );
        then.into_inner().status(status).json_body(answer);
    });
    let result = wire
        .client(&server)
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

async fn create_presigned_upload_url(wire: Wire) {
    let server = MockServer::start_async().await;
    let (status, answer) = fixtures::response_fixture("presigned_upload_url_response.json");
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
            Some(fixtures::fixture("presigned_upload_url_request.json")),
        );
        then.into_inner().status(status).json_body(answer);
    });
    let result = wire
        .client(&server)
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

async fn list_custom_connector_runtimes(wire: Wire) {
    type Args = (Option<u32>, Option<&'static str>);
    let cases: [(Args, Query); 2] = [
        ((None, None), &[]),
        (
            (Some(2), Some("tok-2")),
            &[("page_size", "2"), ("page_token", "tok-2")],
        ),
    ];
    let (status, answer) =
        fixtures::response_fixture("custom_connector_runtime_list_response.json");
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
        let result = wire
            .client(&server)
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
