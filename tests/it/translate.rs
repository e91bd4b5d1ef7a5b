//! Translating a self-managed Kafka Connect configuration through `Cluster::translate`,
//! against the emulator: the managed spec with warnings and errors, secrets masked or in
//! clear, an unknown plugin, and a configuration without a name refused before sending.

use std::collections::BTreeMap;

use ccloud_connect::connect::TranslatedSecrets;
use ccloud_connect_emulator::Emulator;

use crate::support;

fn self_managed(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn s3_sink() -> BTreeMap<String, String> {
    self_managed(&[
        ("name", "orders-to-s3"),
        ("connector.class", "io.confluent.connect.s3.S3SinkConnector"),
        ("topics", "orders"),
        ("tasks.max", "2"),
        ("s3.bucket.name", "orders-bucket"),
        ("aws.access.key.id", "AKIAEXAMPLE"),
        ("aws.secret.access.key", "aws-s3cr3t"),
        (
            "format.class",
            "io.confluent.connect.s3.format.json.JsonFormat",
        ),
        ("value.converter", "io.confluent.connect.avro.AvroConverter"),
        (
            "value.converter.schema.registry.url",
            "http://schema-registry:8081",
        ),
        ("flush.size", "1000"),
        ("s3.region", "us-west-2"),
    ])
}

#[tokio::test]
async fn an_s3_sink_translates_with_its_warnings_and_secrets_as_asked() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = support::client(emulator.base_url());
    let cluster = client.connect().cluster("env-1", "lkc-1");

    let masked = cluster
        .translate("S3_SINK", &s3_sink(), TranslatedSecrets::Masked)
        .await
        .unwrap();
    assert!(!masked.has_errors(), "{:?}", masked.errors);
    let spec = &masked.spec;
    assert_eq!(spec.name(), "orders-to-s3");
    assert_eq!(spec.get("connector.class"), Some("S3_SINK"));
    assert_eq!(spec.get("output.data.format"), Some("JSON"));
    assert_eq!(spec.get("input.data.format"), Some("AVRO"));
    assert_eq!(spec.get("tasks.max"), Some("2"));
    assert_eq!(spec.get("aws.secret.access.key"), Some("****************"));
    assert!(spec.get("s3.region").is_none());
    let warned: Vec<&str> = masked.warnings.iter().map(|w| w.field.as_str()).collect();
    assert!(warned.contains(&"s3.region"), "{warned:?}");
    assert!(warned.contains(&"value.converter.schema.registry.url"));
    // A masked translation cannot be sent by mistake.
    let err = spec.to_create_request().unwrap_err();
    assert!(err.to_string().contains("aws.secret.access.key"), "{err}");
    assert!(!format!("{masked:?}").contains("aws-s3cr3t"));

    let clear = cluster
        .translate("S3_SINK", &s3_sink(), TranslatedSecrets::InClear)
        .await
        .unwrap();
    assert_eq!(clear.spec.get("aws.secret.access.key"), Some("aws-s3cr3t"));
    // Debug still hides it: the key looks like a secret.
    assert!(!format!("{clear:?}").contains("aws-s3cr3t"));
}

#[tokio::test]
async fn what_cannot_be_carried_over_comes_back_as_errors() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = support::client(emulator.base_url());
    let cluster = client.connect().cluster("env-1", "lkc-1");
    let mut config = s3_sink();
    config.insert(
        "aws.secret.access.key".into(),
        "${file:/etc/kafka/secrets.properties:aws}".into(),
    );
    config.insert(
        "partitioner.class".into(),
        "com.example.RegionPartitioner".into(),
    );
    let t = cluster
        .translate("S3_SINK", &config, TranslatedSecrets::Masked)
        .await
        .unwrap();
    let fields: Vec<&str> = t.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["aws.secret.access.key", "partitioner.class"]);
    assert!(
        t.errors[0].to_string().contains("config provider"),
        "{}",
        t.errors[0]
    );

    let err = cluster
        .translate("NO_SUCH_PLUGIN", &s3_sink(), TranslatedSecrets::Masked)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn a_configuration_without_a_name_is_refused_before_sending() {
    let emulator = Emulator::builder().start().await.unwrap();
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = sent.clone();
    let client = support::builder(emulator.base_url())
        .on_request(move |_| {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        })
        .build()
        .unwrap();
    let mut config = s3_sink();
    config.remove("name");
    let err = client
        .connect()
        .cluster("env-1", "lkc-1")
        .translate("S3_SINK", &config, TranslatedSecrets::Masked)
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err}");
    assert!(err.to_string().contains("name"), "{err}");
    assert_eq!(sent.load(std::sync::atomic::Ordering::SeqCst), 0);
}
