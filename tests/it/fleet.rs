//! Fleet operations against the emulator: every connector of several clusters with its
//! status, restarts of the failed ones, and one cluster's error that does not stop the rest.

use std::collections::BTreeSet;
use std::num::NonZeroUsize;
use std::time::Duration;

use ccloud_connect::connect::{ConnectorSpec, ConnectorState, RestartOutcome};
use ccloud_connect::wait::WaitOptions;
use ccloud_connect_emulator::{Emulator, EmulatorHandle, Failure, Fault};
use futures::StreamExt as _;

use crate::support;

fn datagen(name: &str) -> ConnectorSpec {
    ConnectorSpec::managed(name, "DatagenSource")
        .kafka_api_key("K")
        .kafka_api_secret("S")
        .set("kafka.topic", "t")
        .set("output.data.format", "JSON")
        .set("quickstart", "ORDERS")
        .tasks_max(2)
}

const CLUSTERS: [(&str, &str); 3] = [("env-a", "lkc-1"), ("env-a", "lkc-2"), ("env-b", "lkc-3")];

/// Three clusters of three connectors each, all running.
async fn fleet_emulator() -> (EmulatorHandle, ccloud_connect::Client) {
    let emulator = Emulator::builder()
        .provisioning_delay(Duration::from_millis(20))
        .restart_delay(Duration::from_millis(100))
        .stale_status_window(Duration::from_millis(50))
        .start()
        .await
        .unwrap();
    let client = support::client(emulator.base_url());
    let waits = WaitOptions::new(Duration::from_millis(20), Duration::from_secs(10));
    for (env, lkc) in CLUSTERS {
        let cluster = client.connect().cluster(env, lkc);
        for n in 0..3 {
            cluster
                .create_and_wait(&datagen(&format!("{lkc}-c{n}")), waits)
                .await
                .unwrap();
        }
    }
    (emulator, client)
}

#[tokio::test]
async fn the_stream_lists_every_connector_and_goes_on_past_a_clusters_error() {
    let (emulator, client) = fleet_emulator().await;
    // The second cluster's list answers 403, as for a key without a role there.
    emulator.inject(
        Fault::status(403)
            .operation("list_connectors")
            .path_contains("/clusters/lkc-2/")
            .message("Forbidden Access")
            .until_cleared(),
    );
    let fleet = client
        .connect()
        .fleet(CLUSTERS)
        .concurrency(NonZeroUsize::new(2).unwrap());
    let items: Vec<_> = fleet.connectors().collect().await;
    let mut names = BTreeSet::new();
    let mut errors = Vec::new();
    for item in items {
        match item {
            Ok(c) => {
                let status = c.status.as_ref().expect("expand=status gives a status");
                assert_eq!(status.connector.state, ConnectorState::Running);
                names.insert(format!(
                    "{}/{}/{}",
                    c.environment_id(),
                    c.kafka_cluster_id(),
                    c.name
                ));
            }
            Err(e) => errors.push(e),
        }
    }
    assert_eq!(names.len(), 6, "{names:?}");
    assert!(names.contains("env-b/lkc-3/lkc-3-c2"), "{names:?}");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kafka_cluster_id, "lkc-2");
    assert_eq!(errors[0].error.status().map(|s| s.as_u16()), Some(403));
    assert!(
        errors[0].to_string().starts_with("cluster env-a/lkc-2: "),
        "{}",
        errors[0]
    );
}

#[tokio::test]
async fn restart_failed_heals_connectors_and_tasks_and_reports_the_rest() {
    let (emulator, client) = fleet_emulator().await;
    assert!(emulator.fail_connector("env-a", "lkc-1", "lkc-1-c0", Failure::connector("OOM")));
    assert!(emulator.fail_connector("env-b", "lkc-3", "lkc-3-c1", Failure::task(1, "disk full")));
    assert!(emulator.fail_connector(
        "env-a",
        "lkc-2",
        "lkc-2-c2",
        Failure::connector("bad credentials").persistent(true)
    ));
    let fleet = client.connect().fleet(CLUSTERS);
    let waits = WaitOptions::new(Duration::from_millis(20), Duration::from_secs(5))
        .settle(Duration::from_secs(2));
    let report = fleet.restart_failed(waits).await.unwrap();
    assert_eq!(report.to_string(), "6 healthy, 2 healed, 1 not healed");
    assert!(!report.all_running());
    assert!(report.cluster_errors.is_empty());
    assert_eq!(report.connectors.len(), 9);
    for line in &report.connectors {
        match line.name.as_str() {
            "lkc-1-c0" | "lkc-3-c1" => {
                let RestartOutcome::Healed(status) = &line.outcome else {
                    panic!("{}: {:?}", line.name, line.outcome);
                };
                assert_eq!(status.connector.state, ConnectorState::Running);
                assert!(line.before.is_some());
            }
            "lkc-2-c2" => {
                let RestartOutcome::NotHealed(err) = &line.outcome else {
                    panic!("{:?}", line.outcome);
                };
                assert!(err.is_wait_failed(), "{err:?}");
                assert!(err.to_string().contains("bad credentials"), "{err}");
            }
            other => assert!(
                matches!(line.outcome, RestartOutcome::Healthy),
                "{other}: {:?}",
                line.outcome
            ),
        }
    }
    // In cluster, then name order.
    let order: Vec<&str> = report.connectors.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(order[0], "lkc-1-c0");
    assert_eq!(order[8], "lkc-3-c2");
    for (env, lkc, name) in [
        ("env-a", "lkc-1", "lkc-1-c0"),
        ("env-b", "lkc-3", "lkc-3-c1"),
    ] {
        let status = client
            .connect()
            .cluster(env, lkc)
            .connector(name)
            .status()
            .await
            .unwrap();
        assert!(
            status
                .tasks
                .iter()
                .all(|t| t.state == ConnectorState::Running),
            "{name}: {status:?}"
        );
    }
}

#[tokio::test]
async fn bad_wait_options_send_nothing() {
    let server =
        crate::support::server::Server::sequence(vec![crate::support::server::Answer::json(
            200, "[]",
        )])
        .await;
    let client = support::client(&server.base_url);
    let err = client
        .connect()
        .fleet(CLUSTERS)
        .restart_failed(WaitOptions::new(Duration::ZERO, Duration::from_secs(1)))
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert_eq!(server.seen_len(), 0);
}
