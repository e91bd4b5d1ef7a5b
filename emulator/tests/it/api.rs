//! Connectors through the client: lifecycle, refused and failing configurations, the
//! managed plugin catalogue, and what the emulator keeps (or refuses to keep).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use ccloud_connect::connect::{
    AlterOffsetsPhase, AlterOffsetsRequest, ConnectorConfig, ConnectorState, ConnectorType,
    CreateConnectorRequest, Expand,
};
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::support::*;

#[tokio::test]
async fn connector_lifecycle_end_to_end() {
    let emu = emulator().await;
    let client = client(&emu);
    let api = client.connect();
    let name = "S3_SINKConnector_0";

    let created = api
        .raw()
        .create_connector(ENV, CLUSTER, &s3_sink_request(name, "2"))
        .await
        .unwrap();
    assert_eq!(created.name, name);
    assert_eq!(created.type_, Some(ConnectorType::Sink));
    assert!(created.tasks.is_empty(), "no tasks while provisioning");
    let config = created.config.unwrap();
    for key in [
        "kafka.api.key",
        "kafka.api.secret",
        "aws.access.key.id",
        "aws.secret.access.key",
    ] {
        assert_eq!(config[key], MASK, "{key}");
    }
    assert_eq!(config["s3.bucket.name"], "datagen-to-s3");
    assert_eq!(config["cloud.provider"], "aws");
    assert_eq!(
        config["kafka.endpoint"],
        "SASL_SSL://pkc-xyz789.us-west-2.aws.confluent.cloud:9092"
    );

    let first = api
        .raw()
        .get_connector_status(ENV, CLUSTER, name)
        .await
        .unwrap();
    assert_eq!(first.connector.state, ConnectorState::Provisioning);
    let running = wait_for(&client, ENV, name, ConnectorState::Running).await;
    assert_eq!(running.tasks.len(), 2);
    assert!(
        running
            .tasks
            .iter()
            .all(|t| t.state == ConnectorState::Running)
    );
    assert_eq!(running.type_, Some(ConnectorType::Sink));

    let dup = api
        .raw()
        .create_connector(ENV, CLUSTER, &s3_sink_request(name, "1"))
        .await
        .unwrap_err();
    assert!(dup.is_conflict(), "{dup}");
    assert_eq!(
        api_error(&dup).message.as_deref(),
        Some("Connector S3_SINKConnector_0 already exists")
    );

    assert_eq!(
        api.cluster(ENV, CLUSTER).connector_names().await.unwrap(),
        [name]
    );
    assert!(
        api.cluster(ENV, "lkc-other")
            .connector_names()
            .await
            .unwrap()
            .is_empty()
    );
    let expanded = api
        .cluster(ENV, CLUSTER)
        .connectors(Expand::ALL)
        .await
        .unwrap();
    let entry = &expanded[name];
    assert!(
        entry
            .id
            .as_ref()
            .unwrap()
            .id
            .as_ref()
            .unwrap()
            .starts_with("lcc-")
    );
    assert_eq!(
        entry.status.as_ref().unwrap().connector.state,
        ConnectorState::Running
    );
    let info = entry.info.as_ref().unwrap();
    assert_eq!(info.config.as_ref().unwrap()["kafka.api.secret"], MASK);
    assert_eq!(info.tasks.len(), 2);
    let only_status = api
        .cluster(ENV, CLUSTER)
        .connectors(Expand::STATUS)
        .await
        .unwrap();
    assert!(only_status[name].info.is_none() && only_status[name].status.is_some());

    let got = api.raw().get_connector(ENV, CLUSTER, name).await.unwrap();
    assert_eq!(got.tasks.len(), 2);
    assert_eq!(got.tasks[1].task, 1);
    let read = api
        .raw()
        .get_connector_config(ENV, CLUSTER, name)
        .await
        .unwrap();
    assert_eq!(read["aws.secret.access.key"], MASK);
    assert_eq!(read["kafka.region"], "us-west-2");
    assert_eq!(read["time.interval"], "HOURLY");

    // Replacing the config with what was read back keeps the stored secrets.
    let mut update: BTreeMap<String, String> = read.0.clone();
    update.insert("time.interval".into(), "DAILY".into());
    let updated = api
        .raw()
        .put_connector_config(ENV, CLUSTER, name, &ConnectorConfig(update))
        .await
        .unwrap();
    assert_eq!(updated.config.as_ref().unwrap()["time.interval"], "DAILY");
    // A new configuration provisions again, then runs (it used to keep running at once).
    assert_eq!(
        api.raw()
            .get_connector_status(ENV, CLUSTER, name)
            .await
            .unwrap()
            .connector
            .state,
        ConnectorState::Provisioning
    );
    wait_for(&client, ENV, name, ConnectorState::Running).await;
    let tasks = api
        .raw()
        .list_connector_tasks(ENV, CLUSTER, name)
        .await
        .unwrap();
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[0].config.as_ref().unwrap()["time.interval"], "DAILY");

    api.raw().pause_connector(ENV, CLUSTER, name).await.unwrap();
    let paused = wait_for(&client, ENV, name, ConnectorState::Paused).await;
    assert!(
        paused
            .tasks
            .iter()
            .all(|t| t.state == ConnectorState::Paused)
    );
    api.raw()
        .resume_connector(ENV, CLUSTER, name)
        .await
        .unwrap();
    wait_for(&client, ENV, name, ConnectorState::Running).await;
    api.raw()
        .restart_connector(ENV, CLUSTER, name)
        .await
        .unwrap();
    let restarting = api
        .raw()
        .get_connector_status(ENV, CLUSTER, name)
        .await
        .unwrap();
    assert_eq!(restarting.connector.state, ConnectorState::Provisioning);
    wait_for(&client, ENV, name, ConnectorState::Running).await;

    let offsets = api
        .raw()
        .get_connector_offsets(ENV, CLUSTER, name)
        .await
        .unwrap();
    assert_eq!(offsets.name.as_deref(), Some(name));
    assert_eq!(offsets.offsets.len(), 1);
    assert_eq!(offsets.offsets[0].partition["kafka_topic"], "pageviews");
    assert_eq!(offsets.offsets[0].offset["kafka_offset"], 0);
    let not_yet = api
        .raw()
        .get_connector_offsets_request_status(ENV, CLUSTER, name)
        .await
        .unwrap_err();
    assert!(not_yet.is_not_found(), "{not_yet}");

    let patch: AlterOffsetsRequest = serde_json::from_value(json!({
        "type": "PATCH",
        "offsets": [{"partition": {"kafka_partition": 0, "kafka_topic": "pageviews"}, "offset": {"kafka_offset": 42}}]
    }))
    .unwrap();
    let info = api
        .raw()
        .alter_connector_offsets(ENV, CLUSTER, name, &patch)
        .await
        .unwrap();
    assert_eq!(info.name, name);
    assert!(info.id.starts_with("lcc-"));
    let busy = api
        .raw()
        .alter_connector_offsets(ENV, CLUSTER, name, &patch)
        .await
        .unwrap_err();
    assert_eq!(busy.status().map(|s| s.as_u16()), Some(400), "{busy}");
    let pending = api
        .raw()
        .get_connector_offsets_request_status(ENV, CLUSTER, name)
        .await
        .unwrap();
    assert_eq!(pending.status.phase, AlterOffsetsPhase::Pending);
    assert!(pending.applied_at.is_none());
    let deadline = Instant::now() + Duration::from_secs(10);
    let applied = loop {
        let s = api
            .raw()
            .get_connector_offsets_request_status(ENV, CLUSTER, name)
            .await
            .unwrap();
        if s.status.phase == AlterOffsetsPhase::Applied {
            break s;
        }
        assert!(Instant::now() < deadline, "offsets never applied: {s:?}");
        tokio::time::sleep(ms(10)).await;
    };
    assert!(applied.applied_at.is_some());
    assert_eq!(applied.previous_offsets[0].offset["kafka_offset"], 0);
    let now = api
        .raw()
        .get_connector_offsets(ENV, CLUSTER, name)
        .await
        .unwrap();
    assert_eq!(now.offsets[0].offset["kafka_offset"], 42);

    let deleted = api
        .raw()
        .delete_connector(ENV, CLUSTER, name)
        .await
        .unwrap();
    assert!(deleted.error.is_none());
    let gone = api
        .raw()
        .get_connector(ENV, CLUSTER, name)
        .await
        .unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    let e = api_error(&gone);
    assert_eq!(e.code.as_deref(), Some("404"));
    assert_eq!(
        e.message.as_deref(),
        Some("Connector S3_SINKConnector_0 not found")
    );
    assert!(e.request_id.is_some(), "answers carry X-Request-Id");
    assert!(
        api.raw()
            .pause_connector(ENV, CLUSTER, name)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test]
async fn invalid_configurations_are_refused_or_fail_with_a_trace() {
    let emu = emulator().await;
    let client = client(&emu);
    let api = client.connect();
    let raw = reqwest::Client::new();
    let url = format!(
        "{}/connect/v1/environments/{ENV}/clusters/{CLUSTER}/connectors",
        emu.base_url()
    );

    let mut no_class = s3_sink_request("no-class", "1");
    no_class
        .config
        .as_mut()
        .unwrap()
        .0
        .remove("connector.class");
    let err = api
        .raw()
        .create_connector(ENV, CLUSTER, &no_class)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(
        api_error(&err)
            .message
            .as_deref()
            .unwrap()
            .contains("\"connector.class\""),
        "{err}"
    );
    // create_connector's 400 is the flat shape.
    let resp = raw
        .post(&url)
        .header("authorization", basic("k", "s"))
        .json(&no_class)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], 400, "{body}");
    assert!(body["message"].is_string());

    let mut unknown = s3_sink_request("unknown", "1");
    unknown
        .config
        .as_mut()
        .unwrap()
        .0
        .insert("connector.class".into(), "NoSuchSink".into());
    let err = api
        .raw()
        .create_connector(ENV, CLUSTER, &unknown)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Failed to find any class that implements Connector"),
        "{err}"
    );

    let mut mismatch = s3_sink_request("a", "1");
    mismatch.name = Some("b".into());
    assert_eq!(
        api.raw()
            .create_connector(ENV, CLUSTER, &mismatch)
            .await
            .unwrap_err()
            .status()
            .map(|s| s.as_u16()),
        Some(400)
    );
    let too_long = s3_sink_request(&"x".repeat(65), "1");
    assert_eq!(
        api.raw()
            .create_connector(ENV, CLUSTER, &too_long)
            .await
            .unwrap_err()
            .status()
            .map(|s| s.as_u16()),
        Some(400)
    );
    let resp = raw
        .post(&url)
        .header("authorization", basic("k", "s"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);

    // Accepted, then FAILED with the validation errors in the trace.
    let mut bad = s3_sink_request("bad-values", "1");
    let config = &mut bad.config.as_mut().unwrap().0;
    config.remove("s3.bucket.name");
    config.insert("flush.size".into(), "10".into());
    api.raw()
        .create_connector(ENV, CLUSTER, &bad)
        .await
        .unwrap();
    let failed = wait_for(&client, ENV, "bad-values", ConnectorState::Failed).await;
    let trace = failed.connector.trace.unwrap();
    assert!(trace.contains("2 error(s)"), "{trace}");
    assert!(trace.contains("\"s3.bucket.name\" is required"), "{trace}");
    assert!(
        trace.contains("\"flush.size\" should be greater than or equal to 1000"),
        "{trace}"
    );
    assert!(failed.tasks.is_empty());

    // Fixing the configuration lets the connector run.
    let mut fixed = bad.config.clone().unwrap();
    fixed.0.insert("s3.bucket.name".into(), "bucket".into());
    fixed.0.insert("flush.size".into(), "1000".into());
    api.raw()
        .put_connector_config(ENV, CLUSTER, "bad-values", &fixed)
        .await
        .unwrap();
    wait_for(&client, ENV, "bad-values", ConnectorState::Running).await;

    // put_connector_config's 400 is the nested shape.
    let resp = raw
        .put(format!("{url}/bad-values/config"))
        .header("authorization", basic("k", "s"))
        .json(&json!({"name": "other", "connector.class": "S3_SINK"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], 400, "{body}");

    // Custom connectors need an existing plugin.
    let custom = |plugin: Option<&str>| {
        let mut config = json!({
            "name": "custom", "confluent.connector.type": "CUSTOM",
            "kafka.api.key": "k", "kafka.api.secret": "s"
        });
        if let Some(p) = plugin {
            config["confluent.custom.plugin.id"] = json!(p);
        }
        serde_json::from_value::<CreateConnectorRequest>(
            json!({"name": "custom", "config": config}),
        )
        .unwrap()
    };
    let err = api
        .raw()
        .create_connector(ENV, CLUSTER, &custom(None))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("confluent.custom.plugin.id"),
        "{err}"
    );
    let err = api
        .raw()
        .create_connector(ENV, CLUSTER, &custom(Some("ccp-nope")))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("ccp-nope not found"), "{err}");
}

#[tokio::test]
async fn managed_plugins_list_and_validate() {
    let emu = emulator().await;
    let client = client(&emu);
    let api = client.connect();
    let plugins = api
        .raw()
        .list_connector_plugins(ENV, CLUSTER)
        .await
        .unwrap();
    let find = |c: &str| plugins.iter().find(|p| p.class == c).unwrap();
    assert_eq!(find("DatagenSource").type_, Some(ConnectorType::Source));
    assert_eq!(find("S3_SINK").type_, Some(ConnectorType::Sink));
    assert!(find("PostgresSource").version.is_some());

    // The usage guide's example: four errors.
    let guide: ConnectorConfig = serde_json::from_value(json!({
        "connector.class": "io.confluent.kafka.connect.datagen.DatagenConnector",
        "kafka.topic": "pageviews",
        "quickstart": "pageviews",
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
        "max.interval": "100",
        "iterations": "10000000",
        "tasks.max": "1"
    }))
    .unwrap();
    let v = api
        .raw()
        .validate_connector_plugin_config(ENV, CLUSTER, "DatagenSource", &guide)
        .await
        .unwrap();
    assert_eq!(v.error_count, Some(4));
    assert_eq!(
        v.name.as_deref(),
        Some("io.confluent.kafka.connect.datagen.DatagenConnector")
    );
    assert!(v.groups.iter().any(|g| g == "Kafka Cluster credentials"));
    let entry = |key: &str| {
        v.configs
            .iter()
            .find(|c| c.definition.as_ref().unwrap().name.as_deref() == Some(key))
            .unwrap()
            .value
            .clone()
            .unwrap()
    };
    assert_eq!(entry("name").errors, ["\"name\" is required"]);
    assert_eq!(
        entry("connector.class").value.as_deref(),
        Some("DatagenSource")
    );
    assert!(entry("connector.class").errors.is_empty());
    assert_eq!(
        entry("kafka.api.key").errors,
        ["\"kafka.api.key\" is required"]
    );
    let with_errors: BTreeSet<String> = v
        .configs
        .iter()
        .filter_map(|c| c.value.as_ref())
        .filter(|v| !v.errors.is_empty())
        .filter_map(|v| v.name.clone())
        .collect();
    assert_eq!(
        with_errors,
        BTreeSet::from(
            [
                "name",
                "kafka.api.key",
                "kafka.api.secret",
                "output.data.format"
            ]
            .map(String::from)
        )
    );

    let mut valid = guide.0.clone();
    for (k, v) in [
        ("name", "datagen"),
        ("kafka.api.key", "K"),
        ("kafka.api.secret", "S"),
        ("output.data.format", "JSON"),
    ] {
        valid.insert(k.into(), v.into());
    }
    let ok = api
        .raw()
        .validate_connector_plugin_config(ENV, CLUSTER, "DatagenSource", &ConnectorConfig(valid))
        .await
        .unwrap();
    assert_eq!(ok.error_count, Some(0));
    let secret = ok
        .configs
        .iter()
        .find(|c| c.value.as_ref().unwrap().name.as_deref() == Some("kafka.api.secret"))
        .unwrap();
    assert_eq!(secret.value.as_ref().unwrap().value.as_deref(), Some(MASK));

    let err = api
        .raw()
        .validate_connector_plugin_config(ENV, CLUSTER, "NoSuchPlugin", &guide)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn reading_unknown_environments_and_clusters_stores_nothing() {
    let emu = emulator().await;
    let client = client(&emu);
    let api = client.connect();
    let before = emu.inspect();
    for i in 0..200 {
        let (env, cluster) = (format!("env-never{i}"), format!("lkc-never{i}"));
        assert!(
            api.cluster(&env, &cluster)
                .connector_names()
                .await
                .unwrap()
                .is_empty()
        );
        let err = api
            .raw()
            .get_connector_status(&env, &cluster, "nope")
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err}");
        let err = api
            .raw()
            .delete_connector(&env, &cluster, "nope")
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err}");
    }
    assert_eq!(emu.inspect(), before);

    // A cluster is remembered while it holds a connector, and forgotten with its last one.
    api.raw()
        .create_connector(ENV, CLUSTER, &s3_sink_request("kept", "1"))
        .await
        .unwrap();
    assert_eq!(emu.inspect().clusters, before.clusters + 1);
    api.raw()
        .delete_connector(ENV, CLUSTER, "kept")
        .await
        .unwrap();
    assert_eq!(emu.inspect(), before);
}

#[tokio::test]
async fn oversized_json_bodies_get_the_api_error_shape() {
    let emu = emulator().await;
    let http = reqwest::Client::new();
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let post = |path: String| {
        http.post(format!("{}{path}", emu.base_url()))
            .header("authorization", basic("k", "s"))
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
    };

    let resp = post(format!(
        "/connect/v1/environments/{ENV}/clusters/{CLUSTER}/connectors"
    ))
    .await
    .unwrap();
    assert_eq!(resp.status(), 413);
    assert!(resp.headers().contains_key("x-request-id"));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], 413, "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");

    for path in [
        "/connect/v1/custom-connector-plugins".to_owned(),
        "/ccpm/v1/plugins".to_owned(),
    ] {
        let resp = post(path.clone()).await.unwrap();
        assert_eq!(resp.status(), 413, "{path}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["errors"][0]["status"], "413", "{path}: {body}");
        assert!(body["errors"][0]["detail"].is_string(), "{path}: {body}");
    }
}
