//! Where the emulator had to decide what the real API does: masked secrets sent back, keys
//! a config PUT leaves out, a custom connector's `connector.class`, a duplicate name.

use ccloud_connect::connect::{ConnectorConfig, ConnectorType, CreateConnectorRequest};
use ccloud_connect_emulator::Emulator;
use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn a_put_keeps_masked_secrets_and_drops_left_out_keys() {
    let emu = emulator().await;
    let client = client(&emu);
    let api = client.connect();
    let name = "masked";
    api.raw()
        .create_connector(ENV, CLUSTER, &s3_sink_request(name, "1"))
        .await
        .unwrap();

    // What Confluent's CLI does: read the config (masked), change one key, PUT it all back.
    let mut read = api
        .raw()
        .get_connector_config(ENV, CLUSTER, name)
        .await
        .unwrap()
        .0;
    assert_eq!(read["aws.secret.access.key"], MASK);
    read.insert("time.interval".into(), "DAILY".into());
    // A key left out of the PUT is gone, as in Kafka Connect.
    read.remove("aws.access.key.id");
    api.raw()
        .put_connector_config(ENV, CLUSTER, name, &ConnectorConfig(read))
        .await
        .unwrap();
    let stored = emu.connector_config(ENV, CLUSTER, name).unwrap();
    assert_eq!(stored["aws.secret.access.key"], "aws-secret");
    assert_eq!(stored["kafka.api.secret"], "kafka-secret");
    assert_eq!(stored["time.interval"], "DAILY");
    assert!(!stored.contains_key("aws.access.key.id"), "{stored:?}");

    // A new value replaces the stored secret.
    let mut config = stored.clone();
    config.insert("kafka.api.secret".into(), "rotated".into());
    api.raw()
        .put_connector_config(ENV, CLUSTER, name, &ConnectorConfig(config))
        .await
        .unwrap();
    assert_eq!(
        emu.connector_config(ENV, CLUSTER, name).unwrap()["kafka.api.secret"],
        "rotated"
    );

    // The mask for a key with no stored value is kept as sent: there is nothing to keep.
    let mut config = emu.connector_config(ENV, CLUSTER, name).unwrap();
    config.insert("extra.password".into(), MASK.into());
    api.raw()
        .put_connector_config(ENV, CLUSTER, name, &ConnectorConfig(config))
        .await
        .unwrap();
    assert_eq!(
        emu.connector_config(ENV, CLUSTER, name).unwrap()["extra.password"],
        MASK
    );
}

#[tokio::test]
async fn a_custom_connector_answers_its_plugins_class() {
    let emu = emulator().await;
    let client = client(&emu);
    let upload = uploaded(&client, &tiny_zip()).await;
    let plugin = client
        .connect()
        .raw()
        .create_custom_connector_plugin(&plugin_body("datagen", &upload, json!({})))
        .await
        .unwrap();
    let id = plugin.id.unwrap();
    // The usage guide's custom connector request: no connector.class.
    let request: CreateConnectorRequest = serde_json::from_value(json!({
        "name": "custom-datagen_0",
        "config": {
            "name": "custom-datagen_0",
            "confluent.connector.type": "CUSTOM",
            "confluent.custom.plugin.id": id,
            "kafka.api.key": "K",
            "kafka.api.secret": "S",
            "interval.ms": "10000",
            "kafka.topic": "pageviews",
            "task.max:": "1"
        }
    }))
    .unwrap();
    let created = client
        .connect()
        .raw()
        .create_connector(ENV, CLUSTER, &request)
        .await
        .unwrap();
    assert_eq!(created.type_, Some(ConnectorType::Source));
    let config = created.config.unwrap();
    assert_eq!(
        config["connector.class"],
        "io.confluent.kafka.connect.datagen.DatagenConnector"
    );
    assert!(
        !emu.connector_config(ENV, CLUSTER, "custom-datagen_0")
            .unwrap()
            .contains_key("connector.class"),
        "derived when answered, not stored"
    );
}

#[tokio::test]
async fn a_duplicate_connector_name_is_a_409_in_the_connect_shape() {
    let emu = Emulator::builder().start().await.unwrap();
    let http = reqwest::Client::new();
    let url = format!(
        "{}/connect/v1/environments/{ENV}/clusters/{CLUSTER}/connectors",
        emu.base_url()
    );
    let body = serde_json::to_value(s3_sink_request("twice", "1")).unwrap();
    let send = || {
        http.post(&url)
            .header("authorization", basic("K", "S"))
            .json(&body)
            .send()
    };
    assert_eq!(send().await.unwrap().status(), 201);
    let resp = send().await.unwrap();
    assert_eq!(resp.status(), 409);
    let answer: Value = resp.json().await.unwrap();
    assert_eq!(
        answer,
        json!({"error": {"code": 409, "message": "Connector twice already exists"}})
    );
}
