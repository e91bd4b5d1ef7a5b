//! Read-back that round-trips: `spec()` followed by `update`, and `modify`, send back only
//! what a user set. The emulator adds the server's keys to every read and stores whatever a
//! `PUT` sends, so a client that echoes them back shows in the stored configuration.

use std::path::PathBuf;

use ccloud_connect::connect::{ConnectorSpec, MaskedSecrets, SERVER_ADDED_KEYS};
use ccloud_connect_emulator::{Emulator, EmulatorHandle, Seed};

use crate::support;

const ENV: &str = "env-seed";
const CLUSTER: &str = "lkc-seed";

async fn seeded() -> EmulatorHandle {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("emulator/seed.example.json");
    Emulator::builder()
        .seed(Seed::from_file(seed).unwrap())
        .start()
        .await
        .unwrap()
}

/// The keys of a stored configuration that the service, not the user, set.
fn service_keys(config: &std::collections::BTreeMap<String, String>) -> Vec<&str> {
    config
        .keys()
        .map(String::as_str)
        .filter(|k| SERVER_ADDED_KEYS.contains(k) || k.starts_with("config.internal."))
        .collect()
}

#[tokio::test]
async fn the_emulator_adds_the_server_keys_on_read() {
    // The premise of the other tests: a client reading a config sees the server's keys.
    let emulator = seeded().await;
    let client = support::client(emulator.base_url());
    let read = client
        .connect()
        .cluster(ENV, CLUSTER)
        .connector("pageviews-source")
        .config()
        .await
        .unwrap();
    for key in [
        "cloud.environment",
        "cloud.provider",
        "kafka.dedicated",
        "kafka.endpoint",
        "kafka.region",
        "schema.registry.url",
    ] {
        assert!(read.0.contains_key(key), "{key} missing from {read:?}");
    }
}

#[tokio::test]
async fn spec_then_update_sends_back_only_what_the_user_set() {
    let emulator = seeded().await;
    let client = support::client(emulator.base_url());
    let connector = client
        .connect()
        .cluster(ENV, CLUSTER)
        .connector("pageviews-to-s3");
    let before = emulator
        .connector_config(ENV, CLUSTER, "pageviews-to-s3")
        .unwrap();
    let spec = connector.spec().await.unwrap();
    for key in SERVER_ADDED_KEYS {
        assert_eq!(spec.get(key), None, "{key} in the read-back");
    }
    let spec = spec
        .masked_secrets(MaskedSecrets::KeepStored)
        .set("flush.size", "2000");
    connector.update(&spec).await.unwrap();
    let after = emulator
        .connector_config(ENV, CLUSTER, "pageviews-to-s3")
        .unwrap();
    assert_eq!(service_keys(&after), Vec::<&str>::new(), "{after:?}");
    assert_eq!(after["flush.size"], "2000");
    // The secrets stored stay as they were (the masks went back).
    for key in [
        "kafka.api.secret",
        "aws.secret.access.key",
        "aws.access.key.id",
    ] {
        assert_eq!(after[key], before[key], "{key}");
    }
    // Nothing else changed: same keys as before.
    let keys =
        |c: &std::collections::BTreeMap<String, String>| c.keys().cloned().collect::<Vec<String>>();
    assert_eq!(keys(&after), keys(&before));
}

#[tokio::test]
async fn modify_of_a_custom_connector_does_not_pin_the_derived_class() {
    let emulator = seeded().await;
    let client = support::client(emulator.base_url());
    let connector = client
        .connect()
        .cluster(ENV, CLUSTER)
        .connector("custom-datagen_0");
    // The read carries the class the plugin provides.
    let read = connector.config().await.unwrap();
    assert!(read.0.contains_key("connector.class"), "{read:?}");
    connector
        .modify(MaskedSecrets::KeepStored, |spec: ConnectorSpec| {
            spec.set("kafka.topic", "clicks")
        })
        .await
        .unwrap();
    let stored = emulator
        .connector_config(ENV, CLUSTER, "custom-datagen_0")
        .unwrap();
    assert_eq!(service_keys(&stored), Vec::<&str>::new(), "{stored:?}");
    assert!(!stored.contains_key("connector.class"), "{stored:?}");
    assert_eq!(stored["kafka.topic"], "clicks");
    assert_eq!(
        stored["db.conn.string"],
        "jdbc:postgresql://db/seed?password=seed"
    );
}

#[test]
fn from_read_leaves_out_internal_and_server_keys_but_keeps_masks() {
    let read: ccloud_connect::connect::ConnectorConfig =
        serde_json::from_value(serde_json::json!({
            "name": "x", "connector.class": "S3_SINK", "topics": "a",
            "kafka.api.secret": "****************",
            "config.internal.foo": "1", "connector.crn": "crn://...",
            "valid.kafka.api.key": "true", "confluent.resource.connector.tier": "T1",
            "kafka.max.partition.validation.disable": "false",
            "confluent.custom.plugin.type": "X",
        }))
        .unwrap();
    let spec = ConnectorSpec::from_read("x", read);
    let keys: Vec<&str> = spec.keys().collect();
    assert_eq!(
        keys,
        ["connector.class", "kafka.api.secret", "name", "topics"]
    );
    assert_eq!(spec.masked_keys().collect::<Vec<_>>(), ["kafka.api.secret"]);
}
