//! The crate's client against the in-process emulator: connector lifecycle, managed and
//! custom plugins, uploads, ccpm versions, pagination, authentication, faults, and the
//! usage guide's curl commands replayed as they are.

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use base64::Engine as _;
use ccloud_connect::ccpm;
use ccloud_connect::connect::Expand;
use ccloud_connect::connect::{
    AlterOffsetsPhase, AlterOffsetsRequest, Cloud, ConnectorConfig, ConnectorState,
    ConnectorStatus, ConnectorType, ContentFormat, CreateConnectorRequest, CustomConnectorPlugin,
    PresignedUrl, PresignedUrlRequest,
};
use ccloud_connect::{Client, Error, RetryPolicy};
use ccloud_connect_emulator::{Emulator, EmulatorHandle, Fault};
use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

const ENV: &str = "env-abc123";
const CLUSTER: &str = "lkc-xyz789";
const MASK: &str = "****************";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

async fn emulator() -> EmulatorHandle {
    Emulator::builder()
        .provisioning_delay(ms(300))
        .version_processing_delay(ms(300))
        .start()
        .await
        .expect("emulator starts")
}

fn client_with(emu: &EmulatorHandle, retry: RetryPolicy) -> Client {
    Client::builder()
        .credentials("TESTKEY", "TESTSECRET")
        .base_url(emu.base_url())
        .retry(retry)
        .build()
        .unwrap()
}

fn client(emu: &EmulatorHandle) -> Client {
    client_with(emu, RetryPolicy::none())
}

fn basic(key: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"))
    )
}

fn api_error(err: &Error) -> &ccloud_connect::error::ApiError {
    err.api_error()
        .unwrap_or_else(|| panic!("not an API error: {err}"))
}

async fn wait_for(client: &Client, env: &str, name: &str, want: ConnectorState) -> ConnectorStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = client
            .connect()
            .raw()
            .get_connector_status(env, CLUSTER, name)
            .await
            .unwrap();
        if status.connector.state == want {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "{name} never reached {want}: {status:?}"
        );
        tokio::time::sleep(ms(10)).await;
    }
}

fn s3_sink_request(name: &str, tasks: &str) -> CreateConnectorRequest {
    serde_json::from_value(json!({
        "name": name,
        "config": {
            "topics": "pageviews",
            "input.data.format": "AVRO",
            "connector.class": "S3_SINK",
            "name": name,
            "kafka.api.key": "KAFKAKEY",
            "kafka.api.secret": "kafka-secret",
            "aws.access.key.id": "AKIAEXAMPLE",
            "aws.secret.access.key": "aws-secret",
            "s3.bucket.name": "datagen-to-s3",
            "output.data.format": "AVRO",
            "time.interval": "HOURLY",
            "flush.size": "1000",
            "tasks.max": tasks
        }
    }))
    .unwrap()
}

/// A one-file ZIP archive, stored uncompressed.
fn tiny_zip() -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let name = b"manifest.json";
    let data = br#"{"name":"emulator-test-plugin"}"#;
    let (crc, len, name_len) = (crc32(data), data.len() as u32, name.len() as u16);
    let mut z = Vec::new();
    let common = |z: &mut Vec<u8>| {
        for v in [0u16, 0, 0, 0x21] {
            z.extend(v.to_le_bytes()); // flags, method (stored), time, date
        }
        z.extend(crc.to_le_bytes());
        z.extend(len.to_le_bytes());
        z.extend(len.to_le_bytes());
        z.extend(name_len.to_le_bytes());
        z.extend(0u16.to_le_bytes());
    };
    z.extend(0x0403_4b50u32.to_le_bytes());
    z.extend(20u16.to_le_bytes());
    common(&mut z);
    z.extend(name);
    z.extend(data);
    let directory = z.len() as u32;
    z.extend(0x0201_4b50u32.to_le_bytes());
    z.extend(20u16.to_le_bytes());
    z.extend(20u16.to_le_bytes());
    common(&mut z);
    for v in [0u16, 0, 0] {
        z.extend(v.to_le_bytes()); // comment length, disk, internal attributes
    }
    z.extend(0u32.to_le_bytes()); // external attributes
    z.extend(0u32.to_le_bytes()); // offset of the local header
    z.extend(name);
    let directory_size = z.len() as u32 - directory;
    z.extend(0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, 1, 1] {
        z.extend(v.to_le_bytes());
    }
    z.extend(directory_size.to_le_bytes());
    z.extend(directory.to_le_bytes());
    z.extend(0u16.to_le_bytes());
    z
}

enum Part<'a> {
    Field(&'a str, &'a str),
    File(&'a [u8]),
}

/// A `multipart/form-data` body with the parts in the given order.
fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    multipart_with("------------------------emulatortest7c1f", parts)
}

/// A `multipart/form-data` body delimited by `boundary`.
fn multipart_with(boundary: &str, parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for part in parts {
        body.extend(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Field(name, value) => body.extend(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            ),
            Part::File(data) => {
                body.extend(
                    b"Content-Disposition: form-data; name=\"file\"; filename=\"plugin.zip\"\r\nContent-Type: application/zip\r\n\r\n",
                );
                body.extend(*data);
                body.extend(b"\r\n");
            }
        }
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// POSTs the form fields in the order given, then the file.
async fn s3_post(url: &str, fields: &[(&str, &str)], file: &[u8]) -> reqwest::Response {
    let mut parts: Vec<Part<'_>> = fields.iter().map(|&(k, v)| Part::Field(k, v)).collect();
    parts.push(Part::File(file));
    let (content_type, body) = multipart(&parts);
    reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

fn form_fields(p: &PresignedUrl) -> Vec<(&str, &str)> {
    p.upload_form_data
        .iter()
        .flat_map(|form| form.fields())
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

async fn presign(client: &Client, cloud: Cloud) -> PresignedUrl {
    client
        .connect()
        .raw()
        .create_presigned_upload_url(&PresignedUrlRequest {
            content_format: ContentFormat::Zip,
            cloud: Some(cloud),
        })
        .await
        .unwrap()
}

/// A connect/v1 upload of `data` through the S3 form; returns the upload id.
async fn uploaded(client: &Client, data: &[u8]) -> String {
    let p = presign(client, Cloud::Aws).await;
    let resp = s3_post(p.upload_url.as_deref().unwrap(), &form_fields(&p), data).await;
    assert_eq!(resp.status(), 204, "{}", resp.text().await.unwrap());
    p.upload_id.unwrap()
}

fn plugin_body(name: &str, upload_id: &str, extra: Value) -> CustomConnectorPlugin {
    let mut body = json!({
        "display_name": name,
        "description": "A source connector for dev testing.",
        "documentation_link": "https://github.com/confluentinc/kafka-connect-datagen",
        "connector_class": "io.confluent.kafka.connect.datagen.DatagenConnector",
        "connector_type": "SOURCE",
        "upload_source": {"location": "PRESIGNED_URL_LOCATION", "upload_id": upload_id}
    });
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    serde_json::from_value(body).unwrap()
}

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
    assert_eq!(
        api.raw()
            .get_connector_status(ENV, CLUSTER, name)
            .await
            .unwrap()
            .connector
            .state,
        ConnectorState::Running
    );
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
async fn custom_plugin_from_a_presigned_s3_upload() {
    let emu = emulator().await;
    let client = client(&emu);
    let api = client.connect();
    let zip = tiny_zip();

    let p = presign(&client, Cloud::Aws).await;
    let url = p.upload_url.clone().unwrap();
    assert!(
        url.starts_with(&format!("{}/_storage/s3/", emu.base_url())),
        "{url}"
    );
    for field in [
        "key",
        "policy",
        "x-amz-algorithm",
        "x-amz-credential",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-signature",
    ] {
        assert!(
            p.upload_form_data
                .as_ref()
                .is_some_and(|form| form.get(field).is_some()),
            "{field}"
        );
    }
    let upload_id = p.upload_id.clone().unwrap();
    assert_eq!(emu.uploaded_size(&upload_id), None);
    // Storage takes no Confluent credentials: plain reqwest, no Authorization header.
    let resp = s3_post(&url, &form_fields(&p), &zip).await;
    assert_eq!(resp.status(), 204, "{}", resp.text().await.unwrap());
    assert_eq!(emu.uploaded_size(&upload_id), Some(zip.len() as u64));

    let body = plugin_body(
        "custom-datagen",
        &upload_id,
        json!({"sensitive_config_properties": ["db.conn.string"]}),
    );
    let plugin = api
        .raw()
        .create_custom_connector_plugin(&body)
        .await
        .unwrap();
    let id = plugin.id.clone().unwrap();
    assert!(id.starts_with("ccp-"), "{id}");
    assert_eq!(plugin.content_format, Some(ContentFormat::Zip));
    assert_eq!(plugin.cloud, Some(Cloud::Aws));
    assert_eq!(plugin.upload_source.as_ref().unwrap().upload_id, "");
    assert!(
        plugin
            .metadata
            .as_ref()
            .unwrap()
            .self_
            .as_ref()
            .unwrap()
            .ends_with(&id)
    );

    let dup = api
        .raw()
        .create_custom_connector_plugin(&plugin_body("custom-datagen", &upload_id, json!({})))
        .await
        .unwrap_err();
    assert!(dup.is_conflict(), "{dup}");
    assert_eq!(
        api_error(&dup).details[0].code.as_deref(),
        Some("resource_already_exists")
    );

    let update = serde_json::from_value(json!({"display_name": "custom-datagen-1"})).unwrap();
    let updated = api
        .raw()
        .update_custom_connector_plugin(&id, &update)
        .await
        .unwrap();
    assert_eq!(updated.display_name, "custom-datagen-1");
    assert_eq!(updated.sensitive_config_properties, ["db.conn.string"]);
    assert_eq!(
        api.raw()
            .get_custom_connector_plugin(&id)
            .await
            .unwrap()
            .display_name,
        "custom-datagen-1"
    );

    let connector: CreateConnectorRequest = serde_json::from_value(json!({
        "name": "custom-datagen_0",
        "config": {
            "name": "custom-datagen_0",
            "confluent.connector.type": "CUSTOM",
            "confluent.custom.plugin.id": id,
            "kafka.api.key": "K",
            "kafka.api.secret": "S",
            "db.conn.string": "jdbc:postgresql://db/x?password=p",
            "kafka.topic": "pageviews",
            "tasks.max": "1"
        }
    }))
    .unwrap();
    let created = api
        .raw()
        .create_connector(ENV, CLUSTER, &connector)
        .await
        .unwrap();
    assert_eq!(created.type_, Some(ConnectorType::Source));
    assert_eq!(created.config.as_ref().unwrap()["db.conn.string"], MASK);
    wait_for(&client, ENV, "custom-datagen_0", ConnectorState::Running).await;
    api.raw()
        .delete_connector(ENV, CLUSTER, "custom-datagen_0")
        .await
        .unwrap();

    api.raw().delete_custom_connector_plugin(&id).await.unwrap();
    let gone = api
        .raw()
        .get_custom_connector_plugin(&id)
        .await
        .unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    assert_eq!(
        api_error(&gone).details[0].code.as_deref(),
        Some("not_found")
    );
    assert!(
        api.raw()
            .delete_custom_connector_plugin(&id)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test]
async fn s3_upload_endpoint_checks_the_form() {
    let emu = Emulator::builder()
        .max_upload_size(4096)
        .start()
        .await
        .unwrap();
    let client = client(&emu);
    let zip = tiny_zip();
    let p = presign(&client, Cloud::Aws).await;
    let url = p.upload_url.clone().unwrap();
    let upload_id = p.upload_id.clone().unwrap();
    let fields = form_fields(&p);
    let http = reqwest::Client::new();
    let xml_code = |body: &str| {
        body.split("<Code>")
            .nth(1)
            .and_then(|r| r.split("</Code>").next())
            .unwrap_or("")
            .to_owned()
    };

    // Never uploaded: creating a plugin from it fails.
    let err = client
        .connect()
        .raw()
        .create_custom_connector_plugin(&plugin_body("p", &upload_id, json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422), "{err}");
    assert_eq!(
        api_error(&err).details[0].pointer.as_deref(),
        Some("/upload_source/upload_id")
    );
    assert!(err.to_string().contains("no archive was uploaded"), "{err}");
    let err = client
        .connect()
        .raw()
        .create_custom_connector_plugin(&plugin_body("p", "no-such-upload", json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422), "{err}");

    // The file before the fields.
    let mut parts = vec![Part::File(&zip)];
    parts.extend(fields.iter().map(|&(k, v)| Part::Field(k, v)));
    let (ct, body) = multipart(&parts);
    let resp = http
        .post(&url)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(xml_code(&resp.text().await.unwrap()), "InvalidArgument");

    // A field left out.
    let missing: Vec<_> = fields
        .iter()
        .copied()
        .filter(|(k, _)| *k != "x-amz-date")
        .collect();
    let resp = s3_post(&url, &missing, &zip).await;
    assert_eq!(resp.status(), 403);
    let text = resp.text().await.unwrap();
    assert_eq!(xml_code(&text), "AccessDenied");
    assert!(text.contains("$x-amz-date"), "{text}");

    // A changed signature, an extra field.
    let forged: Vec<_> = fields
        .iter()
        .map(|(k, v)| (*k, if *k == "x-amz-signature" { "00" } else { *v }))
        .collect();
    let resp = s3_post(&url, &forged, &zip).await;
    assert_eq!(resp.status(), 403);
    assert_eq!(
        xml_code(&resp.text().await.unwrap()),
        "SignatureDoesNotMatch"
    );
    let mut extra = fields.clone();
    extra.push(("acl", "public-read"));
    let resp = s3_post(&url, &extra, &zip).await;
    assert_eq!(resp.status(), 403);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Extra input fields: acl")
    );

    // No Content-Length (a chunked body).
    let mut parts: Vec<Part<'_>> = fields.iter().map(|&(k, v)| Part::Field(k, v)).collect();
    parts.push(Part::File(&zip));
    let (ct, body) = multipart(&parts);
    let stream = futures::stream::iter([Ok::<_, std::io::Error>(body)]);
    let resp = http
        .post(&url)
        .header("content-type", ct)
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 411);
    assert_eq!(
        xml_code(&resp.text().await.unwrap()),
        "MissingContentLength"
    );

    // Over the size limit, or empty.
    let mut big = zip.clone();
    big.resize(5000, 0);
    let resp = s3_post(&url, &fields, &big).await;
    assert_eq!(resp.status(), 400);
    let text = resp.text().await.unwrap();
    assert_eq!(xml_code(&text), "EntityTooLarge");
    assert!(
        text.contains("<MaxSizeAllowed>4096</MaxSizeAllowed>"),
        "{text}"
    );
    let resp = s3_post(&url, &fields, b"").await;
    assert_eq!(xml_code(&resp.text().await.unwrap()), "EntityTooSmall");

    // Not a form at all.
    let resp = http.post(&url).body("plain").send().await.unwrap();
    assert_eq!(resp.status(), 412);
    assert_eq!(emu.uploaded_size(&upload_id), None);

    // A form in order works; an archive that is not a ZIP is refused by the API.
    let resp = s3_post(&url, &fields, b"not a zip archive").await;
    assert_eq!(resp.status(), 204);
    let err = client
        .connect()
        .raw()
        .create_custom_connector_plugin(&plugin_body("p", &upload_id, json!({})))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a valid ZIP"), "{err}");
    let resp = s3_post(&url, &fields, &zip).await;
    assert_eq!(resp.status(), 204);
    client
        .connect()
        .raw()
        .create_custom_connector_plugin(&plugin_body("p", &upload_id, json!({})))
        .await
        .unwrap();
}

#[tokio::test]
async fn azure_and_gcp_uploads() {
    let emu = emulator().await;
    let client = client(&emu);
    let api = client.connect();
    let zip = tiny_zip();
    let http = reqwest::Client::new();

    let p = presign(&client, Cloud::Azure).await;
    let url = p.upload_url.clone().unwrap();
    assert!(
        url.contains("/_storage/azure/") && url.contains("sig="),
        "{url}"
    );
    assert!(p.upload_form_data.as_ref().is_none_or(|f| f.is_empty()));
    let put = |url: String| http.put(url).header("content-type", "application/zip");

    let resp = put(url.clone()).body(zip.clone()).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(resp.headers()["x-ms-error-code"], "MissingRequiredHeader");
    let forged = format!("{}&sig=forged", url.split("&sig=").next().unwrap());
    let resp = put(forged)
        .header("x-ms-blob-type", "BlockBlob")
        .body(zip.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(resp.headers()["x-ms-error-code"], "AuthenticationFailed");
    let chunked = reqwest::Body::wrap_stream(futures::stream::iter([Ok::<_, std::io::Error>(
        zip.clone(),
    )]));
    let resp = put(url.clone())
        .header("x-ms-blob-type", "BlockBlob")
        .body(chunked)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 411);
    assert_eq!(
        resp.headers()["x-ms-error-code"],
        "MissingContentLengthHeader"
    );
    let resp = put(url.clone())
        .header("x-ms-blob-type", "BlockBlob")
        .body(zip.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let azure_upload = p.upload_id.unwrap();

    // The upload belongs to AZURE: an AWS plugin cannot use it.
    let err = api
        .raw()
        .create_custom_connector_plugin(&plugin_body("on-aws", &azure_upload, json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422), "{err}");
    let plugin = api
        .raw()
        .create_custom_connector_plugin(&plugin_body(
            "on-azure",
            &azure_upload,
            json!({"cloud": "AZURE"}),
        ))
        .await
        .unwrap();
    assert_eq!(plugin.cloud, Some(Cloud::Azure));
    let azure = api.custom_plugins(Some(Cloud::Azure)).all().await.unwrap();
    assert_eq!(azure.len(), 1);
    assert!(api.custom_plugins(None).all().await.unwrap().is_empty());

    // GCP (through ccpm): PUT with the archive's content type.
    let g = client
        .ccpm()
        .raw()
        .create_presigned_upload_url(&ccpm::PresignedUrlRequest {
            content_format: ccpm::ContentFormat::Zip,
            cloud: ccpm::Cloud::Gcp,
            environment: serde_json::from_value(json!({"id": ENV})).unwrap(),
        })
        .await
        .unwrap();
    let gurl = g.upload_url.unwrap();
    assert!(
        gurl.contains("/_storage/gcs/") && gurl.contains("X-Goog-Signature="),
        "{gurl}"
    );
    assert_eq!(g.environment.unwrap().id, ENV);
    let resp = http
        .put(&gurl)
        .header("content-type", "application/octet-stream")
        .body(zip.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("SignatureDoesNotMatch"));
    let resp = http
        .put(&gurl)
        .header("content-type", "application/zip")
        .body(zip.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        emu.uploaded_size(g.upload_id.as_deref().unwrap()),
        Some(zip.len() as u64)
    );
}

async fn ccpm_upload(client: &Client, env: &str, data: &[u8]) -> String {
    let p = client
        .ccpm()
        .raw()
        .create_presigned_upload_url(&ccpm::PresignedUrlRequest {
            content_format: ccpm::ContentFormat::Zip,
            cloud: ccpm::Cloud::Aws,
            environment: serde_json::from_value(json!({"id": env})).unwrap(),
        })
        .await
        .unwrap();
    let fields: Vec<(&str, &str)> = p
        .upload_form_data
        .iter()
        .flat_map(|form| form.fields())
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let resp = s3_post(p.upload_url.as_deref().unwrap(), &fields, data).await;
    assert_eq!(resp.status(), 204);
    p.upload_id.unwrap()
}

fn ccpm_plugin(name: &str, env: &str) -> ccpm::Plugin {
    serde_json::from_value(json!({
        "spec": {"display_name": name, "description": "test plugin", "cloud": "AWS", "environment": {"id": env}}
    }))
    .unwrap()
}

fn ccpm_version(version: &str, env: &str, upload_id: &str) -> ccpm::PluginVersion {
    serde_json::from_value(json!({"spec": {
        "version": version,
        "sensitive_config_properties": ["db.secret.dsn"],
        "documentation_link": "https://github.com/confluentinc/kafka-connect-datagen",
        "connector_classes": [{"class_name": "io.confluent.kafka.connect.datagen.DatagenConnector", "type": "SOURCE"}],
        "upload_source": {"location": "PRESIGNED_URL_LOCATION", "upload_id": upload_id},
        "environment": {"id": env}
    }}))
    .unwrap()
}

async fn wait_for_phase(
    client: &Client,
    plugin: &str,
    version: &str,
    want: ccpm::PluginVersionPhase,
) -> ccpm::PluginVersion {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = client
            .ccpm()
            .raw()
            .get_plugin_version(plugin, version, ENV)
            .await
            .unwrap();
        if v.status.as_ref().map(|s| &s.phase) == Some(&want) {
            return v;
        }
        assert!(Instant::now() < deadline, "never {want}: {v:?}");
        tokio::time::sleep(ms(10)).await;
    }
}

#[tokio::test]
async fn ccpm_plugins_and_versions() {
    let emu = emulator().await;
    let client = client(&emu);
    let api = client.ccpm();

    let plugin = api
        .raw()
        .create_plugin(&ccpm_plugin("datagen", ENV))
        .await
        .unwrap();
    let id = plugin.id.clone().unwrap();
    assert!(id.starts_with("ccp-"));
    assert_eq!(plugin.spec.environment.id, ENV);
    assert_eq!(plugin.spec.runtime_language.as_deref(), Some("JAVA"));
    let dup = api
        .raw()
        .create_plugin(&ccpm_plugin("datagen", ENV))
        .await
        .unwrap_err();
    assert!(dup.is_conflict(), "{dup}");
    api.raw()
        .create_plugin(&ccpm_plugin("datagen", "env-other"))
        .await
        .expect("names are per environment");
    assert!(
        api.raw()
            .get_plugin(&id, "env-other")
            .await
            .unwrap_err()
            .is_not_found()
    );
    let update = serde_json::from_value(
        json!({"spec": {"description": "changed", "environment": {"id": ENV}}}),
    )
    .unwrap();
    let updated = api.raw().update_plugin(&id, &update).await.unwrap();
    assert_eq!(updated.spec.description.as_deref(), Some("changed"));
    assert_eq!(updated.spec.display_name, "datagen");

    let good = ccpm_upload(&client, ENV, &tiny_zip()).await;
    let v1 = api
        .raw()
        .create_plugin_version(&id, &ccpm_version("1.0.0", ENV, &good))
        .await
        .unwrap();
    let v1_id = v1.id.clone().unwrap();
    assert_eq!(
        v1.status.as_ref().unwrap().phase,
        ccpm::PluginVersionPhase::Processing
    );
    assert_eq!(v1.spec.upload_source.upload_id, "");
    assert_eq!(v1.spec.content_format, Some(ccpm::ContentFormat::Zip));
    let ready = wait_for_phase(&client, &id, &v1_id, ccpm::PluginVersionPhase::Ready).await;
    assert!(ready.status.unwrap().error_message.is_none());
    let dup = api
        .raw()
        .create_plugin_version(&id, &ccpm_version("1.0.0", ENV, &good))
        .await
        .unwrap_err();
    assert!(dup.is_conflict(), "{dup}");

    let junk = ccpm_upload(&client, ENV, b"this is not an archive").await;
    let v2 = api
        .raw()
        .create_plugin_version(&id, &ccpm_version("2.0.0", ENV, &junk))
        .await
        .unwrap();
    let v2_id = v2.id.unwrap();
    let failed = wait_for_phase(&client, &id, &v2_id, ccpm::PluginVersionPhase::Failed).await;
    assert_eq!(
        failed.status.unwrap().error_message.as_deref(),
        Some("Version creation failed due to invalid plugin archive.")
    );

    // Uploads are scoped: a connect/v1 upload or another environment's is refused.
    let connect_upload = uploaded(&client, &tiny_zip()).await;
    let err = api
        .raw()
        .create_plugin_version(&id, &ccpm_version("3.0.0", ENV, &connect_upload))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422), "{err}");
    let other_env = ccpm_upload(&client, "env-other", &tiny_zip()).await;
    let err = api
        .raw()
        .create_plugin_version(&id, &ccpm_version("3.0.0", ENV, &other_env))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422), "{err}");

    let versions = api
        .environment(ENV)
        .plugin(&id)
        .versions()
        .all()
        .await
        .unwrap();
    let names: Vec<&str> = versions.iter().map(|v| v.spec.version.as_str()).collect();
    assert_eq!(names, ["1.0.0", "2.0.0"]);

    // Connectors pick a version of a ccpm plugin.
    let connector = |name: &str, version: Option<&str>| {
        let mut config = json!({
            "name": name, "confluent.connector.type": "CUSTOM",
            "confluent.custom.plugin.id": id, "kafka.api.key": "K", "kafka.api.secret": "S",
            "db.secret.dsn": "dsn", "confluent.custom.connect.plugin.runtime": "3.9"
        });
        if let Some(v) = version {
            config["confluent.custom.plugin.version"] = json!(v);
        }
        serde_json::from_value::<CreateConnectorRequest>(json!({"name": name, "config": config}))
            .unwrap()
    };
    let connect = client.connect();
    let created = connect
        .raw()
        .create_connector(ENV, CLUSTER, &connector("on-v1", Some("1.0.0")))
        .await
        .unwrap();
    assert_eq!(created.config.unwrap()["db.secret.dsn"], MASK);
    wait_for(&client, ENV, "on-v1", ConnectorState::Running).await;
    connect
        .raw()
        .create_connector(ENV, CLUSTER, &connector("on-v2", Some("2.0.0")))
        .await
        .unwrap();
    let s = wait_for(&client, ENV, "on-v2", ConnectorState::Failed).await;
    assert!(
        s.connector
            .trace
            .unwrap()
            .contains("invalid plugin archive")
    );
    connect
        .raw()
        .create_connector(ENV, CLUSTER, &connector("on-v9", Some("9.9.9")))
        .await
        .unwrap();
    let s = wait_for(&client, ENV, "on-v9", ConnectorState::Failed).await;
    assert!(s.connector.trace.unwrap().contains("has no version 9.9.9"));
    let err = connect
        .raw()
        .create_connector("env-other", CLUSTER, &connector("elsewhere", None))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err}");

    api.raw()
        .delete_plugin_version(&id, &v2_id, ENV)
        .await
        .unwrap();
    assert!(
        api.raw()
            .get_plugin_version(&id, &v2_id, ENV)
            .await
            .unwrap_err()
            .is_not_found()
    );
    api.raw().delete_plugin(&id, ENV).await.unwrap();
    let gone = api.raw().get_plugin(&id, ENV).await.unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    assert_eq!(api_error(&gone).api, "ccpm/v1");
    assert!(!api_error(&gone).details.is_empty(), "errors-list shape");
}

#[tokio::test]
async fn lists_page_with_next_links() {
    let emu = emulator().await;
    let client = client(&emu);
    let api = client.connect();
    let upload_id = uploaded(&client, &tiny_zip()).await;
    for n in 0..25 {
        api.raw()
            .create_custom_connector_plugin(&plugin_body(
                &format!("p-{n:02}"),
                &upload_id,
                json!({}),
            ))
            .await
            .unwrap();
    }
    let ten = NonZeroU32::new(10).unwrap();
    let first = api
        .raw()
        .list_custom_connector_plugins(Some("AWS"), Some(ten), None)
        .await
        .unwrap();
    let meta = first.metadata.unwrap();
    assert_eq!(meta.total_size, Some(25));
    let next = meta.next.unwrap();
    assert!(
        next.starts_with(&format!(
            "{}/connect/v1/custom-connector-plugins?cloud=AWS&page_size=10&page_token=",
            emu.base_url()
        )),
        "{next}"
    );
    let pages: Vec<_> = api
        .custom_plugins(Some(Cloud::Aws))
        .page_size(ten)
        .by_page()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<usize> = pages.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, [10, 10, 5]);
    assert!(pages[2].next_page_token.is_none());
    let names: Vec<String> = pages
        .into_iter()
        .flat_map(|p| p.items)
        .map(|p| p.display_name)
        .collect();
    let expected: Vec<String> = (0..25).map(|n| format!("p-{n:02}")).collect();
    assert_eq!(names, expected);

    let ccpm = client.ccpm();
    for n in 0..12 {
        ccpm.raw()
            .create_plugin(&ccpm_plugin(&format!("c-{n}"), ENV))
            .await
            .unwrap();
    }
    ccpm.raw()
        .create_plugin(&ccpm_plugin("elsewhere", "env-other"))
        .await
        .unwrap();
    let five = NonZeroU32::new(5).unwrap();
    let raw = ccpm
        .raw()
        .list_plugins(ENV, Some(five), None, None)
        .await
        .unwrap();
    let next = raw.metadata.unwrap().next.unwrap();
    assert!(next.contains(&format!("environment={ENV}")), "{next}");
    let pages: Vec<_> = ccpm
        .environment(ENV)
        .plugins(None)
        .page_size(five)
        .by_page()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<usize> = pages.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, [5, 5, 2]);
    assert_eq!(pages[0].total_size, Some(12));

    let runtimes = api.runtimes().all().await.unwrap();
    let names: Vec<_> = runtimes
        .iter()
        .map(|r| r.custom_connect_plugin_runtime_name.as_deref().unwrap())
        .collect();
    assert_eq!(names, ["3.9", "3.6"]);
    assert!(runtimes[1].end_of_life_at.is_some());

    let resp = reqwest::Client::new()
        .get(format!(
            "{}/connect/v1/custom-connector-plugins?page_size=0",
            emu.base_url()
        ))
        .header("authorization", basic("k", "s"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["source"]["parameter"], "page_size",
        "{body}"
    );
}

#[tokio::test]
async fn authentication() {
    let emu = Emulator::builder()
        .credentials("KEY", "SECRET")
        .start()
        .await
        .unwrap();
    let good = Client::builder()
        .credentials("KEY", "SECRET")
        .base_url(emu.base_url())
        .build()
        .unwrap();
    good.connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap();
    let bad = Client::builder()
        .credentials("KEY", "WRONG")
        .base_url(emu.base_url())
        .build()
        .unwrap();
    let err = bad
        .connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert_eq!(api_error(&err).message.as_deref(), Some("Unauthorized"));
    let err = bad
        .ccpm()
        .raw()
        .list_plugins(ENV, None, None, None)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err}");

    let http = reqwest::Client::new();
    for path in [
        format!("/connect/v1/environments/{ENV}/clusters/{CLUSTER}/connectors"),
        format!("/ccpm/v1/plugins?environment={ENV}"),
        "/connect/v1/custom-connector-runtimes".to_owned(),
    ] {
        let resp = http
            .get(format!("{}{path}", emu.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401, "{path}");
        assert!(resp.headers().contains_key("www-authenticate"));
        let body: Value = resp.json().await.unwrap();
        assert_eq!(
            body,
            json!({"error": {"code": 401, "message": "Unauthorized"}})
        );
    }

    // Without required credentials, any non-empty pair passes, an empty one does not.
    let open = emulator().await;
    let url = format!(
        "{}/connect/v1/environments/{ENV}/clusters/{CLUSTER}/connectors",
        open.base_url()
    );
    let resp = http
        .get(&url)
        .header("Authorization", basic("anything", "goes"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = http
        .get(&url)
        .header("Authorization", basic("", "secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn faults_drive_the_retry_policy() {
    let emu = emulator().await;
    let quick = RetryPolicy::default()
        .max_attempts(3)
        .initial_backoff(ms(10))
        .max_backoff(ms(50));
    let retrying = client_with(&emu, quick);
    let once = client(&emu);

    // 429 with Retry-After: the policy waits as asked, then succeeds.
    emu.inject(Fault::rate_limited(Duration::from_secs(1)).path_contains("/connectors"));
    let started = Instant::now();
    retrying
        .connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap();
    assert!(started.elapsed() >= ms(1000), "{:?}", started.elapsed());
    assert!(emu.pending_faults().is_empty());

    // Two 503s, then success on the third attempt.
    emu.inject(Fault::status(503).times(2));
    retrying
        .connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap();
    assert!(emu.pending_faults().is_empty());

    // More failures than attempts: the last answer comes back.
    emu.inject(Fault::status(503).times(5));
    let err = retrying
        .connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(err.is_retryable());
    assert_eq!(emu.pending_faults()[0].remaining(), 2);
    emu.clear_faults();

    // Without retries the rate limit is visible.
    emu.inject(Fault::rate_limited(Duration::from_secs(2)));
    let err = once
        .connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap_err();
    assert!(err.is_rate_limited(), "{err}");
    let rate = &api_error(&err).rate_limit;
    assert_eq!(rate.retry_after, Some(Duration::from_secs(2)));
    assert_eq!(rate.remaining, Some(0));

    // Filters: path and method.
    emu.inject(Fault::status(500).path_contains("/ccpm/"));
    once.connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap();
    let err = once
        .ccpm()
        .raw()
        .list_plugins(ENV, None, None, None)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(
        api_error(&err)
            .message
            .as_deref()
            .unwrap()
            .contains("fault injected"),
        "{err}"
    );
    emu.inject(Fault::status(500).method("POST"));
    once.connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap();
    let err = once
        .connect()
        .raw()
        .create_connector(ENV, CLUSTER, &s3_sink_request("x", "1"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(
        api_error(&err).code.as_deref(),
        Some("500"),
        "connect/v1 shape"
    );

    // Delays.
    emu.inject(Fault::delay(ms(300)));
    let started = Instant::now();
    once.connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap();
    assert!(started.elapsed() >= ms(300));

    // The HTTP control endpoint, for programs using the binary.
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{}/_emulator/faults", emu.base_url()))
        .json(&json!({"kind": "rate_limit", "retry_after_secs": 3, "times": 1, "path": "/connectors", "method": "GET"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let listed: Value = http
        .get(format!("{}/_emulator/faults", emu.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["faults"][0]["kind"], "rate_limit");
    let err = once
        .connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap_err();
    assert_eq!(
        api_error(&err).rate_limit.retry_after,
        Some(Duration::from_secs(3))
    );
    http.post(format!("{}/_emulator/faults", emu.base_url()))
        .json(&json!({"kind": "status", "status": 502, "times": 3}))
        .send()
        .await
        .unwrap();
    let resp = http
        .delete(format!("{}/_emulator/faults", emu.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert!(emu.pending_faults().is_empty());
    let resp = http
        .post(format!("{}/_emulator/faults", emu.base_url()))
        .json(&json!({"kind": "explode"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

/// The usage guide's curl commands, sent with the same method, path, headers and body
/// (placeholders filled in, host replaced).
#[tokio::test]
async fn usage_guide_curl_commands() {
    let emu = emulator().await;
    let base = emu.base_url().to_owned();
    let auth = basic(
        "ABCDEFGPZROVP",
        "z6yyH3LEEWdrAAamfue9mIeTAyocCMjO/oSKzg0UMoXA0x3CXjVglPJHYC/",
    );
    let http = reqwest::Client::new();
    let env = "env-a12b34";
    let cluster = "lkc-abc123";
    let connectors = format!("{base}/connect/v1/environments/{env}/clusters/{cluster}/connectors");

    // Get a list of connectors.
    let resp = http
        .get(&connectors)
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap(), json!([]));

    // Create a connector (raw JSON payload).
    let resp = http
        .post(&connectors)
        .header("authorization", &auth)
        .header("Content-Type", "application/json")
        .body(
            r#"{
  "name": "S3_SINKConnector_0",
  "config": {
    "topics": "pageviews",
    "input.data.format": "AVRO",
    "connector.class": "S3_SINK",
    "name": "S3_SINKConnector_0",
    "kafka.api.key": "<my-kafka-api-key>",
    "kafka.api.secret" : "<my-kafka-api-secret>",
    "aws.access.key.id" : "<my-aws-access-key>",
    "aws.secret.access.key": "<my-aws-secret>",
    "s3.bucket.name": "<my-s3-bucket-name>",
    "output.data.format": "AVRO",
    "time.interval": "HOURLY",
    "flush.size": "1000",
    "tasks.max": "1"
  }
}"#,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.unwrap();
    assert_eq!(created["type"], "sink");
    assert_eq!(created["tasks"], json!([]));
    let guide_keys: BTreeSet<&str> = [
        "aws.access.key.id",
        "aws.secret.access.key",
        "cloud.environment",
        "cloud.provider",
        "connector.class",
        "flush.size",
        "input.data.format",
        "kafka.api.key",
        "kafka.api.secret",
        "kafka.dedicated",
        "kafka.endpoint",
        "kafka.region",
        "name",
        "output.data.format",
        "s3.bucket.name",
        "schema.registry.url",
        "tasks.max",
        "time.interval",
        "topics",
    ]
    .into();
    let keys: BTreeSet<&str> = created["config"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, guide_keys);
    assert_eq!(created["config"]["aws.secret.access.key"], MASK);

    // Create a connector from a JSON file (`--data "@s3-connector-config.json"`), here also
    // without a Content-Type, as `curl --data` alone sends form encoding.
    let file = json!({"name": "S3_SINKConnector_1", "config": created["config"].clone()})
        .to_string()
        .replace("S3_SINKConnector_0", "S3_SINKConnector_1");
    let resp = http
        .post(&connectors)
        .header("authorization", &auth)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);

    // Update a connector's configuration.
    let resp = http
        .put(format!("{connectors}/S3_SINKConnector_0/config"))
        .header("authorization", &auth)
        .header("Content-Type", "application/json")
        .body(
            r#"{
    "topics": "pageviews",
    "input.data.format": "AVRO",
    "connector.class": "S3_SINK",
    "name": "S3_SINKConnector_0",
    "kafka.api.key": "<my-kafka-api-key>",
    "kafka.api.secret" : "<my-kafka-api-secret>",
    "aws.access.key.id" : "<my-aws-access-key>",
    "aws.secret.access.key": "<my-aws-secret>",
    "s3.bucket.name": "<my-s3-bucket-name>",
    "output.data.format": "AVRO",
    "time.interval": "DAILY",
    "flush.size": "1000",
    "tasks.max": "1"
}"#,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let updated: Value = resp.json().await.unwrap();
    assert_eq!(updated["config"]["time.interval"], "DAILY");

    // Read a connector configuration.
    let resp = http
        .get(format!("{connectors}/S3_SINKConnector_0/config"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    let config: Value = resp.json().await.unwrap();
    let keys: BTreeSet<&str> = config
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, guide_keys);
    assert_eq!(config["kafka.api.key"], MASK);

    // List the managed plugins; validate one.
    let plugins: Value = http
        .get(format!(
            "{base}/connect/v1/environments/{env}/clusters/{cluster}/connector-plugins"
        ))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        plugins
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["class"].is_string() && p["type"].is_string() && p["version"].is_string())
    );
    let resp = http
        .put(format!("{base}/connect/v1/environments/{env}/clusters/{cluster}/connector-plugins/DatagenSource/config/validate"))
        .header("authorization", &auth)
        .header("Content-Type", "application/json")
        .body(r#"{
     "connector.class": "io.confluent.kafka.connect.datagen.DatagenConnector",
     "kafka.topic": "pageviews",
     "quickstart": "pageviews",
     "key.converter": "org.apache.kafka.connect.storage.StringConverter",
     "value.converter": "org.apache.kafka.connect.json.JsonConverter",
     "value.converter.schemas.enable": "false",
     "max.interval": "100",
     "iterations": "10000000",
     "tasks.max": "1"
     }"#)
        .send()
        .await
        .unwrap();
    let validation: Value = resp.json().await.unwrap();
    assert_eq!(validation["error_count"], 4);
    assert_eq!(
        validation["configs"][0]["definition"]["name"],
        "connector.class"
    );
    assert_eq!(validation["configs"][0]["value"]["errors"], json!([]));
    assert_eq!(validation["configs"][0]["metadata"], json!({}));

    // Request a presigned URL, upload with the form fields in the guide's order.
    let resp = http
        .post(format!("{base}/connect/v1/presigned-upload-url"))
        .header("authorization", &auth)
        .header("content-type", "application/json")
        .body(r#"{"content_format":"ZIP","cloud":"AWS"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let presigned: Value = resp.json().await.unwrap();
    assert_eq!(presigned["kind"], "PresignedUrl");
    assert_eq!(presigned["api_version"], "connect/v1");
    let form = presigned["upload_form_data"].as_object().unwrap();
    let order = [
        "bucket",
        "key",
        "policy",
        "x-amz-algorithm",
        "x-amz-credential",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-signature",
    ];
    let fields: Vec<(&str, &str)> = order
        .iter()
        .map(|k| (*k, form[*k].as_str().unwrap()))
        .collect();
    let resp = s3_post(
        presigned["upload_url"].as_str().unwrap(),
        &fields,
        &tiny_zip(),
    )
    .await;
    assert_eq!(resp.status(), 204);
    let upload_id = presigned["upload_id"].as_str().unwrap();

    // Create, read, update, list a custom plugin.
    let resp = http
        .post(format!("{base}/connect/v1/custom-connector-plugins"))
        .header("Authorization", &auth)
        .header("content-type", "application/json")
        .body(
            r#"{
    "display_name":"custom-datagen-2",
    "description":"A test connector providing mock source data.",
    "documentation_link":"https://github.com/confluentinc/kafka-connect-datagen",
    "connector_class":"io.confluent.kafka.connect.datagen.DatagenConnector",
    "connector_type":"SOURCE",
    "upload_source":{"location":"PRESIGNED_URL_LOCATION","upload_id":"<UPLOAD_ID>"}
   }"#
            .replace("<UPLOAD_ID>", upload_id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let plugin: Value = resp.json().await.unwrap();
    assert_eq!(plugin["kind"], "CustomConnectorPlugin");
    assert_eq!(plugin["cloud"], "AWS");
    assert_eq!(plugin["sensitive_config_properties"], json!([]));
    let id = plugin["id"].as_str().unwrap().to_owned();
    let resp = http
        .get(format!("{base}/connect/v1/custom-connector-plugins/{id}"))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.json::<Value>().await.unwrap()["display_name"],
        "custom-datagen-2"
    );
    let resp = http
        .patch(format!("{base}/connect/v1/custom-connector-plugins/{id}"))
        .header("Authorization", &auth)
        .header("content-type", "application/json")
        .body(r#"{"display_name":"custom-datagen-1"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.json::<Value>().await.unwrap()["display_name"],
        "custom-datagen-1"
    );
    let list: Value = http
        .get(format!(
            "{base}/connect/v1/custom-connector-plugins?cloud=AWS"
        ))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["kind"], "CustomConnectorPluginList");
    assert_eq!(list["data"][0]["id"], id.as_str());

    // `curl '.../custom-connector-plugins\?page_size\=20'` sends the backslashes as they are;
    // reqwest would rewrite them, so this one goes over a plain TCP connection.
    let (status, body) = raw_get(
        emu.addr(),
        "/connect/v1/custom-connector-plugins\\?page_size\\=20",
        &auth,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let page: Value = serde_json::from_str(&body).unwrap();
    assert!(
        page["metadata"]["first"]
            .as_str()
            .unwrap()
            .contains("page_size=20"),
        "{page}"
    );

    // Create a custom connector (the guide's payload, `task.max:` key included).
    let resp = http
        .post(&connectors)
        .header("authorization", &auth)
        .header("Content-Type", "application/json")
        .body(
            r#"{
  "name": "custom-datagen_0",
  "config": {
    "name": "custom-datagen_0",
    "confluent.connector.type": "CUSTOM",
    "confluent.custom.plugin.id": "custom-plugin-123456",
    "kafka.api.key": "<my-kafka-api-key>",
    "kafka.api.secret": "<my-kafka-api-secret>",
    "interval.ms": "10000",
    "kafka.topic": "pageviews",
    "task.max:": "1"
  }
}"#
            .replace("custom-plugin-123456", &id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let names: Value = http
        .get(&connectors)
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        names,
        json!([
            "S3_SINKConnector_0",
            "S3_SINKConnector_1",
            "custom-datagen_0"
        ])
    );

    // List runtimes.
    let runtimes: Value = http
        .get(format!("{base}/connect/v1/custom-connector-runtimes"))
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(runtimes["kind"], "CustomConnectorRuntimeList");
    assert_eq!(
        runtimes["data"][0]["custom_connect_plugin_runtime_name"],
        "3.9"
    );
    assert_eq!(
        runtimes["data"][1]["end_of_life_at"],
        "2026-04-01T00:00:00Z"
    );

    // Delete a connector and the plugin.
    let resp = http
        .delete(format!("{connectors}/S3_SINKConnector_1"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.json::<Value>().await.unwrap(), json!({"error": null}));
    let resp = http
        .delete(format!("{base}/connect/v1/custom-connector-plugins/{id}"))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);

    // ccpm plugin versions (the plugin and upload made with the client first).
    let client = client(&emu);
    let ccpm_env = "env-00000";
    let plugin = client
        .ccpm()
        .raw()
        .create_plugin(&ccpm_plugin("guide", ccpm_env))
        .await
        .unwrap();
    let plugin_id = plugin.id.unwrap();
    let upload = ccpm_upload(&client, ccpm_env, &tiny_zip()).await;
    let resp = http
        .post(format!("{base}/ccpm/v1/plugins/{plugin_id}/versions"))
        .header("Authorization", &auth)
        .header("content-type", "application/json")
        .body(r#"{"spec":{"version":"string","sensitive_config_properties":["passwords","keys","tokens"],"documentation_link":"https://github.com/confluentinc/kafka-connect-datagen","connector_classes":[{"class_name":"io.confluent.kafka.connect.datagen.DatagenConnector","type":"SOURCE"}],"upload_source":{"location":"PRESIGNED_URL_LOCATION","upload_id":"e53bb2e8-8de3-49fa-9fb1-4e3fd9a16b66"},"environment":{"id":"env-00000","environment":"string"}}}"#.replace("e53bb2e8-8de3-49fa-9fb1-4e3fd9a16b66", &upload))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    let version: Value = resp.json().await.unwrap();
    assert_eq!(version["kind"], "CustomConnectPluginVersion");
    assert_eq!(version["status"]["phase"], "PROCESSING");
    assert_eq!(version["spec"]["upload_source"]["upload_id"], "");
    let version_id = version["id"].as_str().unwrap();
    let list: Value = http
        .get(format!(
            "{base}/ccpm/v1/plugins/{plugin_id}/versions?environment=env-00000"
        ))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["kind"], "CustomConnectPluginVersionList");
    assert_eq!(list["data"][0]["id"], version_id);
    let resp = http
        .get(format!(
            "{base}/ccpm/v1/plugins/{plugin_id}/versions/{version_id}?environment=env-00000"
        ))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = http
        .delete(format!(
            "{base}/ccpm/v1/plugins/{plugin_id}/versions/{version_id}?environment=env-00000"
        ))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
}

/// One GET over a fresh TCP connection, the request target sent byte for byte.
async fn raw_get(addr: std::net::SocketAddr, target: &str, auth: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nauthorization: {auth}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8(answer).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_owned())
}

// Hardening against careless input and a hostile network.

fn xml_code(body: &str) -> String {
    body.split("<Code>")
        .nth(1)
        .and_then(|r| r.split("</Code>").next())
        .unwrap_or("")
        .to_owned()
}

/// The bytes of a form up to the start of the file's data, and what closes it.
fn form_around_file(boundary: &str, fields: &[(&str, &str)]) -> (Vec<u8>, Vec<u8>) {
    let mut head = Vec::new();
    for (name, value) in fields {
        head.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    head.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"plugin.zip\"\r\nContent-Type: application/zip\r\n\r\n")
            .as_bytes(),
    );
    (head, format!("\r\n--{boundary}--\r\n").into_bytes())
}

#[tokio::test]
async fn an_upload_naming_no_issued_key_is_refused_before_its_file_is_read() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    let emu = emulator().await;
    let boundary = "emulatortest-hostile";
    let (head, tail) = form_around_file(
        boundary,
        &[
            ("key", "staging/nobody/plugin.zip"),
            ("policy", "e30="),
            ("x-amz-signature", "00"),
        ],
    );
    // Announce a 190 MiB file but send only its first MiB, then nothing: an emulator that
    // reads the whole body before the form's fields never answers.
    const FILE: u64 = 190 * 1024 * 1024;
    const SENT: usize = 1024 * 1024;
    let length = head.len() as u64 + FILE + tail.len() as u64;
    let pulled = Arc::new(AtomicU64::new(0));
    let counter = pulled.clone();
    let chunks = std::iter::once(head).chain((0..SENT / 65536).map(|_| vec![0u8; 65536]));
    let stream = futures::stream::iter(chunks)
        .map(move |chunk| {
            counter.fetch_add(chunk.len() as u64, Ordering::SeqCst);
            Ok::<_, std::io::Error>(chunk)
        })
        .chain(futures::stream::pending());
    let send = reqwest::Client::new()
        .post(format!(
            "{}/_storage/s3/confluent-custom-connectors-emulator/",
            emu.base_url()
        ))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("content-length", length)
        .body(reqwest::Body::wrap_stream(stream))
        .send();
    let resp = tokio::time::timeout(Duration::from_secs(30), send)
        .await
        .expect("the emulator answers before the file arrives")
        .unwrap();
    assert_eq!(resp.status(), 403);
    let text = resp.text().await.unwrap();
    assert_eq!(xml_code(&text), "AccessDenied", "{text}");
    assert!(pulled.load(Ordering::SeqCst) <= (SENT + 4096) as u64);
    assert_eq!(emu.inspect().uploads_in_progress, 0);
}

#[tokio::test]
async fn concurrent_uploads_are_bounded() {
    let emu = Emulator::builder()
        .max_concurrent_uploads(1)
        .start()
        .await
        .unwrap();
    let client = client(&emu);
    let zip = tiny_zip();
    let first = presign(&client, Cloud::Aws).await;
    let second = presign(&client, Cloud::Aws).await;

    // The first upload sends its fields and half its file, then waits for a go.
    let boundary = "emulatortest-slow";
    let (mut head, tail) = form_around_file(boundary, &form_fields(&first));
    let half = zip.len() / 2;
    head.extend(&zip[..half]);
    let mut rest = zip[half..].to_vec();
    rest.extend(&tail);
    let length = (head.len() + rest.len()) as u64;
    let (go, gate) = tokio::sync::oneshot::channel::<()>();
    let stream = futures::stream::iter([Ok::<_, std::io::Error>(head)]).chain(
        futures::stream::once(async move {
            let _ = gate.await;
            Ok(rest)
        }),
    );
    let slow = tokio::spawn(
        reqwest::Client::new()
            .post(first.upload_url.clone().unwrap())
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("content-length", length)
            .body(reqwest::Body::wrap_stream(stream))
            .send(),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while emu.inspect().uploads_in_progress < 1 {
        assert!(Instant::now() < deadline, "the first upload never started");
        tokio::time::sleep(ms(5)).await;
    }

    let url = second.upload_url.clone().unwrap();
    let resp = s3_post(&url, &form_fields(&second), &zip).await;
    assert_eq!(resp.status(), 503);
    assert_eq!(xml_code(&resp.text().await.unwrap()), "SlowDown");

    go.send(()).unwrap();
    let resp = slow.await.unwrap().unwrap();
    assert_eq!(resp.status(), 204, "{}", resp.text().await.unwrap());
    assert_eq!(
        emu.uploaded_size(first.upload_id.as_deref().unwrap()),
        Some(zip.len() as u64)
    );
    let resp = s3_post(&url, &form_fields(&second), &zip).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(emu.inspect().uploads_in_progress, 0);
}

#[tokio::test]
async fn multipart_boundaries_over_70_characters_are_refused() {
    let emu = emulator().await;
    let client = client(&emu);
    let zip = tiny_zip();
    let p = presign(&client, Cloud::Aws).await;
    let url = p.upload_url.clone().unwrap();
    let http = reqwest::Client::new();

    // A 300 KB boundary around a 1 MiB file.
    let boundary = "b".repeat(300 * 1024);
    let file = vec![b'x'; 1024 * 1024];
    let mut parts: Vec<Part<'_>> = form_fields(&p)
        .into_iter()
        .map(|(k, v)| Part::Field(k, v))
        .collect();
    parts.push(Part::File(&file));
    let (ct, body) = multipart_with(&boundary, &parts);
    let started = Instant::now();
    let resp = http
        .post(&url)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(resp.status(), 400);
    let text = resp.text().await.unwrap();
    assert_eq!(xml_code(&text), "MalformedPOSTRequest", "{text}");
    assert!(text.contains("at most 70"), "{text}");
    eprintln!("300 KB boundary refused in {elapsed:?}");

    let resp = s3_post_with(&"c".repeat(71), &url, &form_fields(&p), &zip).await;
    assert_eq!(resp.status(), 400);

    // 70 characters is fine, even around a file full of near-misses of the delimiter.
    let boundary = format!("{}z", "c".repeat(69));
    let near_miss = format!("\r\n--{}y", &boundary[..69]);
    let mut file = zip.clone();
    while file.len() < 2 * 1024 * 1024 {
        file.extend(near_miss.as_bytes());
    }
    let started = Instant::now();
    let resp = s3_post_with(&boundary, &url, &form_fields(&p), &file).await;
    eprintln!(
        "2 MiB of delimiter near-misses uploaded in {:?}",
        started.elapsed()
    );
    assert_eq!(resp.status(), 204, "{}", resp.text().await.unwrap());
    assert_eq!(
        emu.uploaded_size(p.upload_id.as_deref().unwrap()),
        Some(file.len() as u64)
    );
}

async fn s3_post_with(
    boundary: &str,
    url: &str,
    fields: &[(&str, &str)],
    file: &[u8],
) -> reqwest::Response {
    let mut parts: Vec<Part<'_>> = fields.iter().map(|&(k, v)| Part::Field(k, v)).collect();
    parts.push(Part::File(file));
    let (content_type, body) = multipart_with(boundary, &parts);
    reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
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
async fn expired_unused_uploads_are_refused_and_forgotten() {
    // A zero time to live: every presigned URL has expired by the time it is used.
    let emu = Emulator::builder()
        .upload_url_ttl(Duration::ZERO)
        .start()
        .await
        .unwrap();
    let client = client(&emu);
    let zip = tiny_zip();
    for _ in 0..5 {
        presign(&client, Cloud::Aws).await;
    }
    // Each new URL sweeps the expired ones before it.
    assert_eq!(emu.inspect().uploads, 1);
    let p = presign(&client, Cloud::Aws).await;
    assert_eq!(emu.inspect().uploads, 1);
    let resp = s3_post(p.upload_url.as_deref().unwrap(), &form_fields(&p), &zip).await;
    assert_eq!(resp.status(), 403);
    let text = resp.text().await.unwrap();
    assert!(text.contains("Policy expired"), "{text}");
    assert_eq!(emu.inspect().uploads, 0);
    let err = client
        .connect()
        .raw()
        .create_custom_connector_plugin(&plugin_body(
            "late",
            p.upload_id.as_deref().unwrap(),
            json!({}),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422), "{err}");
    assert!(err.to_string().contains("unknown"), "{err}");

    // The same for the PUT endpoints.
    let http = reqwest::Client::new();
    let p = presign(&client, Cloud::Azure).await;
    let resp = http
        .put(p.upload_url.clone().unwrap())
        .header("x-ms-blob-type", "BlockBlob")
        .header("content-type", "application/zip")
        .body(zip.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(emu.inspect().uploads, 0);
    let p = presign(&client, Cloud::Gcp).await;
    let resp = http
        .put(p.upload_url.clone().unwrap())
        .header("content-type", "application/zip")
        .body(zip.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(xml_code(&resp.text().await.unwrap()), "ExpiredToken");
    assert_eq!(emu.inspect().uploads, 0);
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

#[tokio::test]
async fn control_endpoints_need_the_configured_credentials() {
    let emu = Emulator::builder()
        .credentials("KEY", "SECRET")
        .start()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let faults = format!("{}/_emulator/faults", emu.base_url());
    let fault = json!({"kind": "status", "status": 503});

    for auth in [None, Some(basic("KEY", "WRONG"))] {
        let mut get = http.get(&faults);
        let mut post = http.post(&faults).json(&fault);
        let mut delete = http.delete(&faults);
        if let Some(a) = &auth {
            get = get.header("authorization", a);
            post = post.header("authorization", a);
            delete = delete.header("authorization", a);
        }
        for request in [get, post, delete] {
            let resp = request.send().await.unwrap();
            assert_eq!(resp.status(), 401, "{auth:?}");
            assert!(resp.headers().contains_key("www-authenticate"));
            let body: Value = resp.json().await.unwrap();
            assert_eq!(
                body,
                json!({"error": {"code": 401, "message": "Unauthorized"}})
            );
        }
    }
    assert!(emu.pending_faults().is_empty());

    let resp = http
        .post(&faults)
        .header("authorization", basic("KEY", "SECRET"))
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(emu.pending_faults().len(), 1);

    // Readiness probes carry no credentials.
    let resp = http
        .get(format!("{}/_emulator/health", emu.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}
