//! `connectors plan` and `apply` after an export: exit codes 0/2/1, what the plan names,
//! stored secrets kept, `--prune`, a create with a secret from the environment.

use serde_json::Value;

use crate::support::{
    CLUSTER, Cli, ENV, SEEDED, TempDir, connectors, edit, emulator, path, stored_configs,
    stored_names,
};

const S3: &str = "pageviews-to-s3";

/// The plan's entries whose action is not `unchanged`, as (name, action).
fn changes(plan: &Value) -> Vec<(String, String)> {
    plan["connectors"]
        .as_array()
        .expect("connectors")
        .iter()
        .filter(|c| c["action"] != "unchanged")
        .map(|c| {
            (
                c["name"].as_str().expect("name").to_owned(),
                c["action"].as_str().expect("action").to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_is_0_after_export_and_2_naming_connector_and_key_after_a_change() {
    let emulator = emulator().await;
    let cli = Cli::new(&emulator);
    let tmp = TempDir::new("plan");
    let dir = tmp.join("connectors");
    cli.export(&dir).await;
    let stored = stored_configs(&emulator);

    let run = cli
        .run(&connectors("plan", &["--dir", path(&dir), "--prune"]))
        .await;
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("0 to create, 0 to update, 0 to delete, 4 unchanged"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("No changes"), "{}", run.stdout);

    edit(
        &dir.join(format!("{S3}.json")),
        r#""flush.size": "1000""#,
        r#""flush.size": "2000""#,
    );
    let run = cli.run(&connectors("plan", &["--dir", path(&dir)])).await;
    run.expect_code(2);
    assert!(
        run.stdout.contains(&format!("~ update \"{S3}\"")),
        "the connector: {}",
        run.stdout
    );
    assert!(
        run.stdout.contains(r#"~ flush.size: "1000" -> "2000""#),
        "the key: {}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("0 to create, 1 to update, 0 to delete, 3 unchanged"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr, "");

    let run = cli
        .run(&connectors(
            "plan",
            &["--dir", path(&dir), "--output", "json"],
        ))
        .await;
    run.expect_code(2);
    let plan: Value = serde_json::from_str(&run.stdout).expect("plan --output json is JSON");
    assert_eq!(plan["environment_id"], ENV);
    assert_eq!(plan["kafka_cluster_id"], CLUSTER);
    assert_eq!(changes(&plan), [(S3.to_owned(), "update".to_owned())]);
    let update = plan["connectors"]
        .as_array()
        .expect("connectors")
        .iter()
        .find(|c| c["name"] == S3)
        .expect("the update");
    assert_eq!(
        update["changed"],
        serde_json::json!([{"key": "flush.size", "from": "1000", "to": "2000"}])
    );

    // A plan sends nothing.
    assert_eq!(stored_configs(&emulator), stored);
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_exits_1_on_error() {
    let emulator = emulator().await;
    let cli = Cli::new(&emulator);
    let tmp = TempDir::new("plan-error");
    let dir = tmp.join("connectors");
    cli.export(&dir).await;

    // The emulator refuses another API secret: an error, not "changes".
    let run = cli
        .run_with(
            &connectors("plan", &["--dir", path(&dir)]),
            "not-the-api-secret",
        )
        .await;
    run.expect_error(&[]);
    assert_eq!(run.stdout, "");

    // A bad argument is 1 too, never clap's 2 ("changes" for plan).
    let run = cli.run(&connectors("plan", &[])).await;
    run.expect_code(1);
    assert!(run.stderr.contains("--dir"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_then_plan_is_0_and_the_stored_secrets_are_unchanged() {
    let emulator = emulator().await;
    let cli = Cli::new(&emulator);
    let tmp = TempDir::new("apply");
    let dir = tmp.join("connectors");
    cli.export(&dir).await;
    let before = emulator
        .connector_config(ENV, CLUSTER, S3)
        .expect("the seeded connector");
    assert_eq!(before["aws.secret.access.key"], "seed-aws-secret");
    let others: Vec<_> = [
        "custom-datagen_0",
        "orders-from-postgres",
        "pageviews-source",
    ]
    .map(|n| emulator.connector_config(ENV, CLUSTER, n))
    .into();

    edit(
        &dir.join(format!("{S3}.json")),
        r#""flush.size": "1000""#,
        r#""flush.size": "2000""#,
    );
    let run = cli
        .run(&connectors(
            "apply",
            &["--dir", path(&dir), "--poll-interval", "1"],
        ))
        .await;
    run.expect_code(0);
    assert!(
        run.stdout
            .contains(&format!("ok      update \"{S3}\": RUNNING")),
        "the report: {}",
        run.stdout
    );
    assert!(
        run.stdout.contains("1 done, 0 failed, 0 skipped"),
        "{}",
        run.stdout
    );

    cli.run(&connectors("plan", &["--dir", path(&dir), "--prune"]))
        .await
        .expect_code(0);

    let after = emulator
        .connector_config(ENV, CLUSTER, S3)
        .expect("still there");
    assert_eq!(after["flush.size"], "2000");
    let mut expected = before.clone();
    expected.insert("flush.size".to_owned(), "2000".to_owned());
    assert_eq!(after, expected, "only flush.size changed; secrets kept");
    let others_after: Vec<_> = [
        "custom-datagen_0",
        "orders-from-postgres",
        "pageviews-source",
    ]
    .map(|n| emulator.connector_config(ENV, CLUSTER, n))
    .into();
    assert_eq!(others_after, others, "the other connectors untouched");

    // A second apply has nothing to do.
    let run = cli
        .run(&connectors(
            "apply",
            &["--dir", path(&dir), "--output", "json"],
        ))
        .await;
    run.expect_code(0);
    let answer: Value = serde_json::from_str(&run.stdout).expect("apply --output json");
    assert_eq!(answer["report"], Value::Null);
    assert!(changes(&answer["plan"]).is_empty(), "{answer}");
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_prune_deletes_exactly_the_connector_whose_file_was_removed() {
    let emulator = emulator().await;
    let cli = Cli::new(&emulator);
    let tmp = TempDir::new("prune");
    let dir = tmp.join("connectors");
    cli.export(&dir).await;
    let kept = stored_configs(&emulator);
    std::fs::remove_file(dir.join("custom-datagen_0.json")).expect("removing a file");

    // Without --prune the missing file is nothing to do.
    cli.run(&connectors("plan", &["--dir", path(&dir)]))
        .await
        .expect_code(0);
    let run = cli
        .run(&connectors("plan", &["--dir", path(&dir), "--prune"]))
        .await;
    run.expect_code(2);
    assert!(
        run.stdout.contains("- delete \"custom-datagen_0\""),
        "{}",
        run.stdout
    );

    let run = cli
        .run(&connectors(
            "apply",
            &["--dir", path(&dir), "--prune", "--poll-interval", "1"],
        ))
        .await;
    run.expect_code(0);
    assert!(
        run.stdout.contains("ok      delete \"custom-datagen_0\""),
        "{}",
        run.stdout
    );
    assert_eq!(
        stored_names(&emulator),
        [
            "orders-from-postgres",
            "pageviews-source",
            "pageviews-to-s3"
        ]
    );
    // The others are as they were.
    let after = stored_configs(&emulator);
    for (i, name) in SEEDED.iter().enumerate() {
        if *name != "custom-datagen_0" {
            assert_eq!(after[i], kept[i], "{name}");
        }
    }
    cli.run(&connectors("plan", &["--dir", path(&dir), "--prune"]))
        .await
        .expect_code(0);
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_creates_a_connector_with_its_secret_from_the_environment() {
    let emulator = emulator().await;
    let mut cli = Cli::new(&emulator);
    let tmp = TempDir::new("create");
    let dir = tmp.join("connectors");
    cli.export(&dir).await;
    std::fs::write(
        dir.join("created-from-file.json"),
        r#"{
  "name": "created-from-file",
  "config": {
    "connector.class": "DatagenSource",
    "kafka.api.key": "${CLI_TEST_KAFKA_KEY}",
    "kafka.api.secret": "${CLI_TEST_KAFKA_SECRET}",
    "kafka.topic": "created",
    "output.data.format": "JSON",
    "quickstart": "ORDERS",
    "tasks.max": 1
  }
}
"#,
    )
    .expect("writing a connector file");
    cli.secret_var("CLI_TEST_KAFKA_KEY", "CLITESTKEY");
    cli.secret_var("CLI_TEST_KAFKA_SECRET", "cli-test-kafka-secret-value");

    let run = cli.run(&connectors("plan", &["--dir", path(&dir)])).await;
    run.expect_code(2);
    assert!(
        run.stdout.contains("+ create \"created-from-file\""),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("+ tasks.max = \"1\""), "{}", run.stdout);

    let run = cli
        .run(&connectors(
            "apply",
            &[
                "--dir",
                path(&dir),
                "--poll-interval",
                "1",
                "--output",
                "json",
            ],
        ))
        .await;
    run.expect_code(0);
    let answer: Value = serde_json::from_str(&run.stdout).expect("apply --output json");
    assert_eq!(
        changes(&answer["plan"]),
        [("created-from-file".to_owned(), "create".to_owned())]
    );
    let stored = emulator
        .connector_config(ENV, CLUSTER, "created-from-file")
        .expect("created");
    assert_eq!(stored["kafka.api.key"], "CLITESTKEY");
    assert_eq!(stored["kafka.api.secret"], "cli-test-kafka-secret-value");
    assert_eq!(stored["tasks.max"], "1");
    cli.run(&connectors("plan", &["--dir", path(&dir), "--prune"]))
        .await
        .expect_code(0);
}
