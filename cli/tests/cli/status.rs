//! `connectors status`: every connector's state; exit 1 when a connector or a task is
//! FAILED.

use ccloud_connect_emulator::Failure;
use serde_json::Value;

use crate::support::{CLUSTER, Cli, ENV, SEEDED, connectors, emulator};

/// The connector lines of the text output (between the header and the summary).
fn rows(stdout: &str) -> Vec<Vec<&str>> {
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("NAME "), "{stdout}");
    lines[1..]
        .iter()
        .take_while(|l| !l.contains(" connectors in "))
        .map(|l| l.split_whitespace().collect())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn status_lists_every_connector_running_and_exits_0() {
    let emulator = emulator().await;
    let cli = Cli::new(&emulator);

    let run = cli.run(&connectors("status", &[])).await;
    run.expect_code(0);
    assert_eq!(run.stderr, "");
    assert_eq!(
        rows(&run.stdout),
        [
            vec!["custom-datagen_0", "RUNNING", "1/1"],
            vec!["orders-from-postgres", "RUNNING", "1/1"],
            vec!["pageviews-source", "RUNNING", "1/1"],
            vec!["pageviews-to-s3", "RUNNING", "2/2"],
        ]
    );
    assert!(
        run.stdout.ends_with("4 connectors in env-seed/lkc-seed.\n"),
        "{}",
        run.stdout
    );

    let run = cli.run(&connectors("status", &["--output", "json"])).await;
    run.expect_code(0);
    let status: Value = serde_json::from_str(&run.stdout).expect("status --output json");
    let all = status["connectors"].as_array().expect("connectors");
    let names: Vec<&str> = all
        .iter()
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, SEEDED);
    assert!(all.iter().all(|c| c["state"] == "RUNNING"), "{status}");
    assert_eq!(all[3]["tasks"].as_array().map(Vec::len), Some(2));
    assert_eq!(status["failed"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn status_exits_1_when_a_connector_failed() {
    let emulator = emulator().await;
    let cli = Cli::new(&emulator);
    assert!(emulator.fail_connector(
        ENV,
        CLUSTER,
        "pageviews-to-s3",
        Failure::connector("org.apache.kafka.connect.errors.ConnectException: bucket gone\n\tat x")
    ));

    let run = cli.run(&connectors("status", &[])).await;
    run.expect_code(1);
    assert_eq!(run.stderr, "");
    let rows = rows(&run.stdout);
    assert_eq!(rows[3][..3], ["pageviews-to-s3", "FAILED", "0/2"]);
    assert_eq!(
        rows[3][3..].join(" "),
        "org.apache.kafka.connect.errors.ConnectException: bucket gone",
        "the first line of the trace"
    );
    assert_eq!(rows[2][..3], ["pageviews-source", "RUNNING", "1/1"]);
    assert!(
        run.stdout
            .contains("1 FAILED (a connector or a task): exit 1."),
        "{}",
        run.stdout
    );

    let run = cli.run(&connectors("status", &["--output", "json"])).await;
    run.expect_code(1);
    let status: Value = serde_json::from_str(&run.stdout).expect("status --output json");
    assert_eq!(status["failed"], 1);
    let s3 = &status["connectors"][3];
    assert_eq!(s3["name"], "pageviews-to-s3");
    assert_eq!(s3["state"], "FAILED");

    // Recovered: 0 again.
    assert!(emulator.recover_connector(ENV, CLUSTER, "pageviews-to-s3"));
    cli.run(&connectors("status", &[])).await.expect_code(0);
}

#[tokio::test(flavor = "multi_thread")]
async fn status_exits_1_when_only_a_task_failed() {
    let emulator = emulator().await;
    let cli = Cli::new(&emulator);
    assert!(emulator.fail_connector(
        ENV,
        CLUSTER,
        "pageviews-to-s3",
        Failure::task(1, "task one lost its connection")
    ));

    let run = cli.run(&connectors("status", &[])).await;
    run.expect_code(1);
    let rows = rows(&run.stdout);
    assert_eq!(rows[3][..3], ["pageviews-to-s3", "RUNNING", "1/2"]);
    assert_eq!(
        rows[3][3..].join(" "),
        "task 1: task one lost its connection"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn status_of_an_unreachable_endpoint_exits_1_with_one_error_line() {
    // The emulator's port once it stopped: nothing listens there (127.0.0.1).
    let emulator = emulator().await;
    let cli = Cli::new(&emulator);
    emulator.stop().await;
    let run = cli.run(&connectors("status", &[])).await;
    run.expect_error(&[]);
    assert_eq!(run.stdout, "");
}
