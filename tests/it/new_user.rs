//! The details a new user trips on: ids given in the wrong place, files that are not
//! archives, version strings the API refuses, a connector pinned to a version that does not
//! exist, and a read-modify-write that should also wait.

use std::time::Duration;

use ccloud_connect::Error;
use ccloud_connect::ccpm::{ConnectorClassType, NewPluginVersion, PluginRef};
use ccloud_connect::connect::{ConnectorSpec, MaskedSecrets, TargetState};
use ccloud_connect::upload::{Archive, ArchiveFormat, DEFAULT_MAX_ARCHIVE_SIZE, UploadOptions};
use ccloud_connect::wait::WaitOptions;
use ccloud_connect_emulator::{Emulator, Seed};
use serde_json::json;

use crate::support::server::{Answer, Server};
use crate::support::{self};

/// A server that answers `404` to anything and counts what it was sent.
async fn counting() -> Server {
    Server::sequence(vec![Answer::json(
        404,
        &json!({"error": {"code": 404, "message": "not found"}}),
    )])
    .await
}

fn assert_swapped(err: &Error, field: &str, wanted: &str, given: &str) {
    assert!(
        matches!(err, Error::Validation { field: f, .. } if f == field),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains(wanted), "{wanted:?} not in {text}");
    assert!(text.contains(given), "{given:?} not in {text}");
}

// ---- 1. swapped ids ----

#[tokio::test]
async fn swapped_ids_are_refused_before_sending_naming_both_kinds() {
    let server = counting().await;
    let client = support::client(&server.base_url);

    // Cluster and environment swapped: `Ok([])` from the API before this check.
    let swapped = client.connect().cluster("lkc-1", "env-1");
    let err = swapped.connector_names().await.unwrap_err();
    assert_swapped(
        &err,
        "environment_id",
        "an environment id (env-...)",
        "a Kafka cluster id (lkc-...)",
    );
    let err = swapped.connector("c1").status().await.unwrap_err();
    assert!(err.is_validation(), "{err:?}");

    // A plugin id where the environment goes, and the environment as the plugin.
    let ccpm = client.ccpm().environment("ccp-abc123");
    let err = ccpm.plugins(None).all().await.unwrap_err();
    assert_swapped(
        &err,
        "environment",
        "an environment id (env-...)",
        "a custom connector plugin id (ccp-...)",
    );
    let err = client
        .ccpm()
        .environment("env-1")
        .plugin("env-1")
        .get()
        .await
        .unwrap_err();
    assert_swapped(
        &err,
        "id",
        "a custom connector plugin id (ccp-...)",
        "an environment id (env-...)",
    );
    // A version id where the plugin id goes, and the plugin id as the version.
    let err = client
        .ccpm()
        .environment("env-1")
        .plugin("ver-123")
        .version("ccp-123")
        .get()
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    let err = client
        .ccpm()
        .environment("env-1")
        .plugin("ccp-123")
        .version("ccp-123")
        .get()
        .await
        .unwrap_err();
    assert_swapped(
        &err,
        "id",
        "a plugin version id (ver-...)",
        "a custom connector plugin id (ccp-...)",
    );
    // The environment of a ccpm create travels in the body: checked there too.
    let err = client
        .ccpm()
        .environment("lkc-9")
        .create_plugin(&ccloud_connect::ccpm::NewPlugin::new(
            "p",
            ccloud_connect::ccpm::Cloud::Aws,
        ))
        .await
        .unwrap_err();
    assert_swapped(
        &err,
        "environment",
        "an environment id",
        "a Kafka cluster id",
    );
    let err = client
        .connect()
        .custom_plugin("lcc-abc12")
        .get()
        .await
        .unwrap_err();
    assert_swapped(&err, "id", "custom connector plugin id", "a connector id");
    assert_eq!(server.seen_len(), 0, "a refused call was sent");

    // Ids without a prefix, or with one Confluent may add later, are sent as they are.
    let _ = client
        .connect()
        .cluster("staging", "newkind-1")
        .connector_names()
        .await;
    let _ = client
        .ccpm()
        .environment("env-1")
        .plugin("plugin-7")
        .version("7")
        .get()
        .await;
    assert_eq!(server.seen_len(), 2);
}

// ---- 2. archives are looked at ----

#[tokio::test]
async fn a_file_named_zip_that_is_not_one_is_refused_before_sending() {
    let server = counting().await;
    let client = support::client(&server.base_url);
    let dir = std::env::temp_dir().join(format!("ccloud-new-user-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bogus = dir.join("bogus.zip");
    std::fs::write(&bogus, "just some text, not an archive\n").unwrap();

    let err = Archive::open(&bogus, ArchiveFormat::Zip).unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "archive"),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("is not a ZIP archive"), "{text}");
    assert!(text.contains("looks like text"), "{text}");

    // A JAR is a ZIP file: the same signature, so a real one opens as either.
    let jar = dir.join("connector.jar");
    let mut zip = b"PK\x03\x04".to_vec();
    zip.extend_from_slice(&[0u8; 60]);
    std::fs::write(&jar, &zip).unwrap();
    let archive = Archive::open(&jar, ArchiveFormat::Jar).unwrap();
    assert_eq!(archive.len(), 64);

    // Over the 1 GiB of Confluent's CLI by one byte (sparse: no disk blocks), refused unless
    // the caller sets a larger cap.
    let big = dir.join("big.zip");
    let file = std::fs::File::create(&big).unwrap();
    std::io::Write::write_all(&mut &file, b"PK\x03\x04").unwrap();
    file.set_len(DEFAULT_MAX_ARCHIVE_SIZE + 1).unwrap();
    let err = Archive::open(&big, ArchiveFormat::Zip).unwrap_err();
    assert!(
        err.to_string()
            .contains("1073741825 bytes, more than the limit of 1073741824"),
        "{err}"
    );
    let archive =
        Archive::open_with_max_size(&big, ArchiveFormat::Zip, 2 * DEFAULT_MAX_ARCHIVE_SIZE)
            .unwrap();
    assert_eq!(archive.len(), DEFAULT_MAX_ARCHIVE_SIZE + 1);
    std::fs::remove_dir_all(&dir).unwrap();
    drop(client);
    assert_eq!(server.seen_len(), 0);
}

// ---- 3. versions and pins ----

#[tokio::test]
async fn a_version_the_api_would_refuse_is_refused_before_the_upload() {
    let server = counting().await;
    let client = support::client(&server.base_url);
    let dir = std::env::temp_dir().join(format!("ccloud-new-user-v-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("p.zip");
    std::fs::write(&path, b"PK\x03\x04 an archive").unwrap();
    let archive = Archive::open(&path, ArchiveFormat::Zip).unwrap();
    for (bad, reason) in [
        ("v1.2.3", "is not a number"),
        ("1.0", "has 2 dot-separated numbers"),
        ("1.2.3-", "empty identifier"),
        (
            &*format!("1.0.0-{}", "x".repeat(60)),
            "more than the API's 60",
        ),
    ] {
        let version = NewPluginVersion::new(PluginRef::id("ccp-1"), bad)
            .connector_class("com.example.Source", ConnectorClassType::Source);
        let err = client
            .ccpm()
            .environment("env-1")
            .publish_version(&version, &archive, &UploadOptions::new())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Validation { field, .. } if field == "version"),
            "{bad}: {err:?}"
        );
        assert!(err.to_string().contains(reason), "{bad}: {err}");
        assert!(err.to_string().contains("SemVer"), "{bad}: {err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(server.seen_len(), 0);
}

const SEED: &str = r#"{
  "ccpm_plugins": [{
    "id": "ccp-pgsource", "environment": "env-pin", "display_name": "postgres-source",
    "cloud": "AWS",
    "versions": [
      {"id": "ver-pg100", "version": "1.0.0",
       "connector_classes": [{"class_name": "io.confluent.connect.jdbc.JdbcSourceConnector", "type": "SOURCE"}]},
      {"id": "ver-pg110", "version": "1.1.0",
       "connector_classes": [{"class_name": "io.confluent.connect.jdbc.JdbcSourceConnector", "type": "SOURCE"}]}
    ]
  }]
}"#;

fn pinned(name: &str, version: &str) -> ConnectorSpec {
    ConnectorSpec::custom(name, "ccp-pgsource")
        .connector_class("io.confluent.connect.jdbc.JdbcSourceConnector")
        .plugin_version(version)
        .kafka_api_key("K")
        .kafka_api_secret("S")
        .tasks_max(1)
}

#[tokio::test]
async fn a_pin_to_a_missing_version_is_caught_by_the_opt_in_check() {
    let emulator = Emulator::builder()
        .provisioning_delay(Duration::from_millis(10))
        .seed(Seed::from_json(SEED).unwrap())
        .start()
        .await
        .unwrap();
    let client = support::client(emulator.base_url());
    let checked = client
        .connect()
        .cluster("env-pin", "lkc-pin")
        .check_pinned_versions(true);

    let err = checked.create(&pinned("pg", "9.9.9")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "confluent.custom.plugin.version"),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("ccp-pgsource has no version \"9.9.9\""),
        "{text}"
    );
    assert!(text.contains("it has 1.0.0, 1.1.0"), "{text}");
    assert!(checked.connector_names().await.unwrap().is_empty());

    // An existing version passes the check and the connector is created.
    checked.create(&pinned("pg", "1.1.0")).await.unwrap();
    assert_eq!(checked.connector_names().await.unwrap(), ["pg"]);
    // The update of a connector of the checked handle is checked too.
    let err = checked
        .connector("pg")
        .update(&pinned("pg", "2.0.0"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no version \"2.0.0\""), "{err}");

    // A plugin that is not a ccpm plugin of the environment has no versions to pin.
    let err = checked
        .create(
            &ConnectorSpec::custom("other", "ccp-nothere")
                .connector_class("com.example.C")
                .plugin_version("1.0.0")
                .kafka_api_key("K")
                .kafka_api_secret("S"),
        )
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert!(
        err.to_string()
            .contains("not a ccpm plugin of environment env-pin"),
        "{err}"
    );

    // Off by default: the same spec is sent, and the API takes it.
    let unchecked = client.connect().cluster("env-pin", "lkc-pin");
    unchecked
        .create(&pinned("pg-unchecked", "9.9.9"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_pin_to_a_version_that_failed_processing_is_refused() {
    let versions = json!({
        "api_version": "ccpm/v1", "kind": "CustomConnectPluginVersionList",
        "metadata": {},
        "data": [{
            "api_version": "ccpm/v1", "kind": "CustomConnectPluginVersion", "id": "ver-1",
            "spec": {
                "version": "1.2.3",
                "connector_classes": [{"class_name": "com.example.MySource", "type": "SOURCE"}],
                "upload_source": {"location": "PRESIGNED_URL_LOCATION", "upload_id": ""},
                "environment": {"id": "env-1"}
            },
            "status": {"phase": "FAILED", "error_message": "no connector class in the archive"}
        }]
    });
    let server = Server::sequence(vec![Answer::json(200, &versions)]).await;
    let client = support::client(&server.base_url);
    let spec = ConnectorSpec::custom("c", "ccp-1")
        .connector_class("com.example.MySource")
        .plugin_version("1.2.3")
        .kafka_api_key("K")
        .kafka_api_secret("S");
    let err = client
        .connect()
        .cluster("env-1", "lkc-1")
        .check_pinned_versions(true)
        .create(&spec)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("FAILED processing"), "{err}");
    // One read of the versions, and no create.
    assert_eq!(server.seen_len(), 1);
    let seen = server.seen_at(0);
    assert_eq!(seen.method, "GET");
    assert!(
        seen.target.starts_with("/ccpm/v1/plugins/ccp-1/versions?"),
        "{}",
        seen.target
    );
    assert!(seen.target.contains("environment=env-1"), "{}", seen.target);
}

// ---- 4. modify_and_wait ----

#[tokio::test]
async fn modify_and_wait_changes_one_key_and_waits_until_running_again() {
    let emulator = Emulator::builder()
        .provisioning_delay(Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    let client = support::client(emulator.base_url());
    let cluster = client.connect().cluster("env-m", "lkc-m");
    let waits = WaitOptions::new(Duration::from_millis(20), Duration::from_secs(10))
        .settle(Duration::from_secs(2));
    let spec = ConnectorSpec::managed("gen", "DatagenSource")
        .kafka_api_key("K")
        .kafka_api_secret("kafka-secret")
        .set("kafka.topic", "t")
        .set("output.data.format", "JSON")
        .set("quickstart", "ORDERS")
        .tasks_max(1);
    cluster.create(&spec).await.unwrap();
    let connector = cluster.connector("gen");
    connector
        .wait_for(TargetState::Running, waits)
        .await
        .unwrap();

    // Bad wait options: refused before the read, so nothing changes.
    let bad = WaitOptions::new(Duration::ZERO, Duration::from_secs(1));
    let err = connector
        .modify_and_wait(
            MaskedSecrets::KeepStored,
            |s| s.set("kafka.topic", "never"),
            bad,
        )
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");

    let (_, status) = connector
        .modify_and_wait(
            MaskedSecrets::KeepStored,
            |s| s.set("kafka.topic", "t2"),
            waits,
        )
        .await
        .unwrap();
    assert_eq!(
        status.connector.state,
        ccloud_connect::connect::ConnectorState::Running
    );
    let stored = emulator
        .connector_config("env-m", "lkc-m", "gen")
        .expect("the connector is stored");
    assert_eq!(stored["kafka.topic"], "t2");
    // The masked secret went back as a mask, and the emulator kept the stored one.
    assert_eq!(stored["kafka.api.secret"], "kafka-secret");

    // Refuse: the masked secret left in the spec stops the change before it is sent.
    let err = connector
        .modify_and_wait(MaskedSecrets::Refuse, |s| s.set("kafka.topic", "t3"), waits)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("kafka.api.secret"), "{err}");
    let stored = emulator.connector_config("env-m", "lkc-m", "gen").unwrap();
    assert_eq!(stored["kafka.topic"], "t2");
}
