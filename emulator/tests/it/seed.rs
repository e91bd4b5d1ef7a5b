//! Seeds: the shipped example starts an emulator with running connectors and ready
//! plugins; a seed the API would have refused stops the start with a clear message.

use ccloud_connect::ccpm::PluginVersionPhase;
use ccloud_connect::connect::{ConnectorState, ConnectorType};
use ccloud_connect_emulator::{Emulator, Seed};

use crate::support::*;

pub(crate) const SEED_ENV: &str = "env-seed";
pub(crate) const SEED_CLUSTER: &str = "lkc-seed";

pub(crate) fn example_path() -> String {
    format!("{}/seed.example.json", env!("CARGO_MANIFEST_DIR"))
}

#[tokio::test]
async fn the_example_seed_starts_running() {
    let seed = Seed::from_file(example_path()).unwrap();
    let emu = Emulator::builder().seed(seed).start().await.unwrap();
    let client = client(&emu);
    let api = client.connect();
    let names = api
        .cluster(SEED_ENV, SEED_CLUSTER)
        .connector_names()
        .await
        .unwrap();
    assert_eq!(
        names,
        [
            "custom-datagen_0",
            "orders-from-postgres",
            "pageviews-source",
            "pageviews-to-s3"
        ]
    );
    for name in &names {
        let s = api
            .raw()
            .get_connector_status(SEED_ENV, SEED_CLUSTER, name)
            .await
            .unwrap();
        assert_eq!(s.connector.state, ConnectorState::Running, "{name}: {s:?}");
        assert!(!s.tasks.is_empty(), "{name}");
    }
    let s3 = api
        .raw()
        .get_connector(SEED_ENV, SEED_CLUSTER, "pageviews-to-s3")
        .await
        .unwrap();
    assert_eq!(s3.tasks.len(), 2);
    assert_eq!(s3.config.unwrap()["aws.secret.access.key"], MASK);
    assert_eq!(
        emu.connector_config(SEED_ENV, SEED_CLUSTER, "pageviews-to-s3")
            .unwrap()["aws.secret.access.key"],
        "seed-aws-secret"
    );

    // The connect/v1 custom plugin, and the connector on it.
    let plugin = api
        .raw()
        .get_custom_connector_plugin("ccp-datagen")
        .await
        .unwrap();
    assert_eq!(plugin.display_name, "custom-datagen");
    let custom = api
        .raw()
        .get_connector(SEED_ENV, SEED_CLUSTER, "custom-datagen_0")
        .await
        .unwrap();
    assert_eq!(custom.type_, Some(ConnectorType::Source));
    let config = custom.config.unwrap();
    assert_eq!(config["db.conn.string"], MASK);
    assert_eq!(
        config["connector.class"],
        "io.confluent.kafka.connect.datagen.DatagenConnector"
    );

    // The ccpm plugin, its READY version, and the connector that runs it.
    let version = client
        .ccpm()
        .raw()
        .get_plugin_version("ccp-pgsource", "ver-pg100", SEED_ENV)
        .await
        .unwrap();
    assert_eq!(version.spec.version, "1.0.0");
    assert_eq!(version.status.unwrap().phase, PluginVersionPhase::Ready);
    assert_eq!(
        emu.connector_plugin_version(SEED_ENV, SEED_CLUSTER, "orders-from-postgres")
            .as_deref(),
        Some("1.0.0")
    );
    let orders = api
        .raw()
        .get_connector_config(SEED_ENV, SEED_CLUSTER, "orders-from-postgres")
        .await
        .unwrap();
    assert_eq!(orders["connection.password"], MASK);
    assert_eq!(
        orders["connector.class"],
        "io.confluent.connect.jdbc.JdbcSourceConnector"
    );
}

#[tokio::test]
async fn bad_seeds_are_refused() {
    for (text, expected) in [
        ("{", "invalid seed"),
        (r#"{"connector": []}"#, "unknown field"),
        (r#"{"connectors": [{"environment": "e"}]}"#, "missing field"),
    ] {
        let err = Seed::from_json(text).unwrap_err();
        assert!(err.to_string().contains(expected), "{text}: {err}");
    }
    let connector = |config: &str| {
        format!(r#"{{"connectors": [{{"environment": "e", "cluster": "c", "config": {config}}}]}}"#)
    };
    let two = r#"{"connectors": [
        {"environment": "e", "cluster": "c", "config": {"name": "a", "connector.class": "DatagenSource"}},
        {"environment": "e", "cluster": "c", "config": {"name": "a", "connector.class": "DatagenSource"}}
    ]}"#;
    for (text, expected) in [
        (connector(r#"{"connector.class": "DatagenSource"}"#), "no name"),
        (
            connector(r#"{"name": "x", "connector.class": "NoSuchConnector"}"#),
            "NoSuchConnector",
        ),
        (
            connector(
                r#"{"name": "x", "confluent.connector.type": "CUSTOM", "confluent.custom.plugin.id": "ccp-none"}"#,
            ),
            "ccp-none",
        ),
        (connector(r#"{"name": "a/b", "connector.class": "DatagenSource"}"#), "contains"),
        (two.to_owned(), "seeded twice"),
        (
            r#"{"custom_plugins": [{"id": "p", "display_name": "a", "connector_class": "C", "connector_type": "SOURCE"},
                                   {"id": "p", "display_name": "b", "connector_class": "C", "connector_type": "SINK"}]}"#
                .to_owned(),
            "used twice",
        ),
        (
            r#"{"custom_plugins": [{"display_name": "a", "connector_class": "C", "connector_type": "BOTH"}]}"#
                .to_owned(),
            "SOURCE, SINK",
        ),
        (
            r#"{"ccpm_plugins": [{"environment": "e", "display_name": "a", "versions": [{"version": "1", "connector_classes": []}]}]}"#
                .to_owned(),
            "1 to 10",
        ),
    ] {
        let seed = Seed::from_json(&text).unwrap();
        let err = Emulator::builder().seed(seed).start().await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{text}");
        assert!(err.to_string().contains(expected), "{text}: {err}");
    }
}
