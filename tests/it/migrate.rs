//! Migrating a connector from a self-managed Kafka Connect worker (the emulator crate's
//! `Worker`) to the emulated Confluent Cloud: the whole move, the dry run, a second run,
//! and each step's failure naming the step and what was already done.

use std::collections::BTreeMap;
use std::time::Duration;

use ccloud_connect::Client;
use ccloud_connect::connect::Cluster;
use ccloud_connect::error::MigrationStep;
use ccloud_connect::migrate::{Migration, MigrationOutcome, Worker};
use ccloud_connect::wait::WaitOptions;
use ccloud_connect_emulator::{
    ConnectorOffset, Emulator, EmulatorHandle, Failure, Fault, Script, ScriptedState,
    WorkerConnector, WorkerHandle, WorkerState,
};

use crate::support;

const ENV: &str = "env-mig1";
const LKC: &str = "lkc-mig1";
const NAME: &str = "orders-to-s3";

fn s3_sink_config() -> BTreeMap<String, String> {
    [
        ("connector.class", "io.confluent.connect.s3.S3SinkConnector"),
        ("name", NAME),
        ("topics", "orders"),
        ("tasks.max", "2"),
        ("s3.bucket.name", "orders-archive"),
        ("s3.region", "us-west-2"),
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
        ("storage.class", "io.confluent.connect.s3.storage.S3Storage"),
        ("flush.size", "1000"),
        (
            "partitioner.class",
            "io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
        ),
        ("partition.duration.ms", "3600000"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

async fn setup(config: BTreeMap<String, String>) -> (EmulatorHandle, WorkerHandle, Client) {
    let emulator = Emulator::builder()
        .provisioning_delay(Duration::from_millis(50))
        .start()
        .await
        .unwrap();
    let worker = ccloud_connect_emulator::Worker::builder()
        .connector(WorkerConnector::new(NAME, config).offsets(vec![
            ConnectorOffset::sink("orders", 0, 42),
            ConnectorOffset::sink("orders", 1, 7),
        ]))
        .start()
        .await
        .unwrap();
    let client = support::client(emulator.base_url());
    (emulator, worker, client)
}

fn migration(worker: &WorkerHandle) -> Migration {
    Migration::new(Worker::new(worker.base_url()).unwrap(), NAME)
        .secret("kafka.api.key", "KAFKA-KEY")
        .secret("kafka.api.secret", "kafka-s3cr3t")
        .wait(WaitOptions::new(
            Duration::from_millis(20),
            Duration::from_secs(10),
        ))
        .stop_worker_connector(true)
}

fn cluster(client: &Client) -> Cluster {
    client.connect().cluster(ENV, LKC)
}

#[tokio::test]
async fn an_s3_sink_moves_with_its_offsets_and_a_second_run_has_nothing_to_do() {
    let (emulator, worker, client) = setup(s3_sink_config()).await;
    let cluster = cluster(&client);
    let report = migration(&worker).run(&cluster).await.unwrap();
    assert_eq!(report.outcome, MigrationOutcome::Migrated);
    assert_eq!(report.offsets, 2);
    assert!(report.worker_stopped);
    assert!(report.warnings.iter().any(|w| w.field == "s3.region"));

    let status = cluster.connector(NAME).status().await.unwrap();
    assert_eq!(status.connector.state.as_str(), "RUNNING");
    let stored = emulator.connector_config(ENV, LKC, NAME).unwrap();
    assert_eq!(stored["connector.class"], "S3_SINK");
    assert_eq!(stored["output.data.format"], "JSON");
    assert_eq!(stored["input.data.format"], "AVRO");
    assert_eq!(stored["time.interval"], "HOURLY");
    assert_eq!(stored["aws.secret.access.key"], "aws-s3cr3t");
    assert_eq!(stored["kafka.api.secret"], "kafka-s3cr3t");
    let offsets = client
        .connect()
        .raw()
        .get_connector_offsets(ENV, LKC, NAME)
        .await
        .unwrap();
    let mut seen: Vec<(i64, i64)> = offsets
        .offsets
        .iter()
        .map(|o| {
            (
                o.partition["kafka_partition"].as_i64().unwrap(),
                o.offset["kafka_offset"].as_i64().unwrap(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(seen, [(0, 42), (1, 7)]);
    assert_eq!(worker.connector_state(NAME), Some(WorkerState::Stopped));

    let again = migration(&worker).run(&cluster).await.unwrap();
    assert_eq!(again.outcome, MigrationOutcome::NothingToMigrate);
    assert!(
        migration(&worker)
            .plan(&cluster)
            .await
            .unwrap()
            .already_migrated
    );
}

#[tokio::test]
async fn the_dry_run_masks_secrets_and_changes_nothing() {
    let (emulator, worker, _) = setup(s3_sink_config()).await;
    let bodies = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = bodies.clone();
    let client = support::builder(emulator.base_url())
        .on_request(move |r| {
            if let Some(b) = r.body {
                seen.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(b).into_owned());
            }
        })
        .build()
        .unwrap();
    let plan = migration(&worker).plan(&cluster(&client)).await.unwrap();
    // Not even the translation request carries a secret.
    let sent = bodies.lock().unwrap().join("\n");
    assert!(sent.contains("orders-archive"), "{sent}");
    assert!(!sent.contains("aws-s3cr3t"), "{sent}");
    assert_eq!(plan.plugin, "S3_SINK");
    assert_eq!(plan.worker_state, "RUNNING");
    assert!(!plan.already_migrated);
    assert_eq!(plan.offsets.len(), 2);
    assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    let text = plan.to_string();
    for secret in ["aws-s3cr3t", "kafka-s3cr3t", "KAFKA-KEY"] {
        assert!(!text.contains(secret), "{text}");
        assert!(!format!("{plan:?}").contains(secret));
    }
    assert!(
        text.contains("aws.secret.access.key = ****************"),
        "{text}"
    );
    assert!(text.contains("offsets: 2 partition(s)"), "{text}");
    assert!(
        plan.spec.to_create_request().is_err(),
        "a masked plan cannot be sent"
    );
    assert!(emulator.connector_config(ENV, LKC, NAME).is_none());
    assert_eq!(worker.connector_state(NAME), Some(WorkerState::Running));
}

#[tokio::test]
async fn translation_errors_stop_before_anything_changes() {
    let mut config = s3_sink_config();
    config.insert(
        "aws.secret.access.key".into(),
        "${file:/etc/kafka/secrets.properties:aws}".into(),
    );
    let (emulator, worker, client) = setup(config).await;
    let err = migration(&worker).run(&cluster(&client)).await.unwrap_err();
    assert_eq!(
        err.migration_step(),
        Some(MigrationStep::Translate),
        "{err}"
    );
    let text = err.to_string();
    assert!(text.contains("nothing was changed"), "{text}");
    assert!(text.contains("config provider"), "{text}");
    assert!(emulator.connector_config(ENV, LKC, NAME).is_none());
    assert_eq!(worker.connector_state(NAME), Some(WorkerState::Running));
}

#[tokio::test]
async fn a_refused_create_leaves_the_worker_running() {
    let (emulator, worker, client) = setup(s3_sink_config()).await;
    emulator.inject(Fault::status(409).operation("create_connector"));
    let err = migration(&worker).run(&cluster(&client)).await.unwrap_err();
    assert_eq!(err.migration_step(), Some(MigrationStep::Create), "{err}");
    assert!(err.is_conflict(), "{err}");
    assert!(err.to_string().contains("nothing was created"), "{err}");
    assert_eq!(worker.connector_state(NAME), Some(WorkerState::Running));
}

#[tokio::test]
async fn a_failed_wait_reports_the_created_connector_and_a_rerun_finishes_the_move() {
    let (emulator, worker, client) = setup(s3_sink_config()).await;
    emulator.script_next_connector(
        ENV,
        LKC,
        NAME,
        Script::new().hold(ScriptedState::failed(
            "org.apache.kafka.connect.errors.ConnectException: bucket",
        )),
    );
    let cluster = cluster(&client);
    let err = migration(&worker).run(&cluster).await.unwrap_err();
    assert_eq!(err.migration_step(), Some(MigrationStep::Wait), "{err}");
    assert!(err.is_wait_failed(), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("was created with 2 partition(s) of offsets"),
        "{text}"
    );
    assert!(text.contains("ConnectException: bucket"), "{text}");
    // Nothing lost: the managed connector exists, the worker's still runs.
    assert!(emulator.connector_config(ENV, LKC, NAME).is_some());
    assert_eq!(worker.connector_state(NAME), Some(WorkerState::Running));

    assert!(emulator.clear_connector_script(ENV, LKC, NAME));
    let report = migration(&worker).run(&cluster).await.unwrap();
    assert_eq!(report.outcome, MigrationOutcome::Resumed);
    assert_eq!(worker.connector_state(NAME), Some(WorkerState::Stopped));
}

#[tokio::test]
async fn a_task_down_or_another_connector_of_the_name_keeps_the_worker_running() {
    // The managed connector runs, but a task of it does not: the worker must not stop.
    let (emulator, worker, client) = setup(s3_sink_config()).await;
    let cluster_handle = cluster(&client);
    let moving = migration(&worker);
    let migrating = moving.run(&cluster_handle);
    // Fail task 0 for good as soon as the connector exists, while it provisions.
    let failing = async {
        loop {
            let failure = Failure::task(0, "AccessDenied on the bucket").persistent(true);
            if emulator.fail_connector(ENV, LKC, NAME, failure) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    };
    let (result, ()) = tokio::join!(migrating, failing);
    let err = result.unwrap_err();
    assert_eq!(err.migration_step(), Some(MigrationStep::Wait), "{err}");
    assert!(err.to_string().contains("task 0 FAILED"), "{err}");
    assert_eq!(worker.connector_state(NAME), Some(WorkerState::Running));
    // A second run waits for it again rather than calling it migrated.
    let err = migration(&worker)
        .stop_worker_connector(false)
        .run(&cluster(&client))
        .await
        .unwrap_err();
    assert_eq!(err.migration_step(), Some(MigrationStep::Wait), "{err}");

    // A managed connector of the same name but another plugin is not this one.
    let (_emulator, worker, client) = setup(s3_sink_config()).await;
    let other = ccloud_connect::connect::ConnectorSpec::managed(NAME, "DatagenSource")
        .kafka_api_key("K")
        .kafka_api_secret("S")
        .set("kafka.topic", "t")
        .set("output.data.format", "JSON")
        .set("quickstart", "ORDERS");
    cluster(&client).create(&other).await.unwrap();
    for result in [
        migration(&worker).run(&cluster(&client)).await.map(drop),
        migration(&worker).plan(&cluster(&client)).await.map(drop),
    ] {
        let err = result.unwrap_err();
        assert_eq!(
            err.migration_step(),
            Some(MigrationStep::CheckManaged),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("running DatagenSource, not S3_SINK"),
            "{err}"
        );
    }
    assert_eq!(worker.connector_state(NAME), Some(WorkerState::Running));
}

#[tokio::test]
async fn an_unreachable_worker_or_an_unknown_connector_changes_nothing() {
    let (emulator, worker, client) = setup(s3_sink_config()).await;
    // A port nothing listens on: bind one, then free it.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let gone = Migration::new(
        Worker::new(&format!("http://127.0.0.1:{port}")).unwrap(),
        NAME,
    );
    let err = gone.run(&cluster(&client)).await.unwrap_err();
    assert_eq!(
        err.migration_step(),
        Some(MigrationStep::ReadWorker),
        "{err}"
    );
    assert!(err.to_string().contains("nothing was changed"), "{err}");

    let unknown = Migration::new(Worker::new(worker.base_url()).unwrap(), "no-such-connector");
    let err = unknown.plan(&cluster(&client)).await.unwrap_err();
    assert_eq!(
        err.migration_step(),
        Some(MigrationStep::ReadWorker),
        "{err}"
    );
    assert!(err.is_not_found(), "{err}");
    assert!(emulator.connector_config(ENV, LKC, NAME).is_none());
}

#[tokio::test]
async fn the_worker_gets_its_own_credentials_and_confluent_gets_none_of_its_requests() {
    let emulator = Emulator::builder()
        .provisioning_delay(Duration::from_millis(20))
        .start()
        .await
        .unwrap();
    let worker = ccloud_connect_emulator::Worker::builder()
        .basic_auth("connect", "worker-pw")
        .connector(WorkerConnector::new(NAME, s3_sink_config()))
        .start()
        .await
        .unwrap();
    let worker_port = worker.addr().port();
    let hosts = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = hosts.clone();
    let client = support::builder(emulator.base_url())
        .on_request(move |r| seen.lock().unwrap().push(r.url.port()))
        .build()
        .unwrap();
    // Without the worker's credentials: a 401 from the worker, nothing created.
    let err = Migration::new(Worker::new(worker.base_url()).unwrap(), NAME)
        .run(&cluster(&client))
        .await
        .unwrap_err();
    assert_eq!(
        err.migration_step(),
        Some(MigrationStep::ReadWorker),
        "{err}"
    );
    assert!(err.is_unauthorized(), "{err}");
    let with_auth = Migration::new(
        Worker::new(worker.base_url())
            .unwrap()
            .basic_auth("connect", "worker-pw")
            .unwrap(),
        NAME,
    )
    .secret("kafka.api.key", "KAFKA-KEY")
    .secret("kafka.api.secret", "kafka-s3cr3t")
    .wait(WaitOptions::new(
        Duration::from_millis(20),
        Duration::from_secs(10),
    ))
    .stop_worker_connector(true);
    let report = with_auth.run(&cluster(&client)).await.unwrap();
    assert_eq!(report.outcome, MigrationOutcome::Migrated);
    assert_eq!(worker.connector_state(NAME), Some(WorkerState::Stopped));
    // Every request of the Confluent client went to the emulator, none to the worker.
    let ports = hosts.lock().unwrap().clone();
    assert!(!ports.is_empty());
    assert!(ports.iter().all(|p| *p != Some(worker_port)), "{ports:?}");
}

#[tokio::test]
async fn credentials_in_a_worker_url_or_in_clear_text_are_refused() {
    let err = Worker::new("http://admin:hunter2@connect:8083").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("must not carry credentials"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    // Refused at the first call, before anything is sent, whatever the builder's order.
    let clear = Worker::new("http://connect.internal:8083")
        .unwrap()
        .basic_auth("admin", "hunter2")
        .unwrap();
    let err = clear.config(NAME).await.unwrap_err();
    assert!(err.to_string().contains("clear text"), "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    let err = Worker::new("http://admin:p#ss@connect:8083").unwrap_err();
    assert!(!err.to_string().contains("p#ss"), "{err}");
    let worker = Worker::new("https://connect.internal:8083")
        .unwrap()
        .basic_auth("admin", "hunter2")
        .unwrap();
    assert!(!format!("{worker:?}").contains("hunter2"));
    let loopback = Worker::new("http://127.0.0.1:8083")
        .unwrap()
        .basic_auth("admin", "hunter2");
    assert!(loopback.is_ok());
    assert!(Worker::new("ftp://connect:21").is_err());
    let migration = Migration::new(worker, NAME).secret("kafka.api.secret", "kafka-s3cr3t");
    assert!(!format!("{migration:?}").contains("kafka-s3cr3t"));
}
