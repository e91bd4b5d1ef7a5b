//! The self-healing example, run from its own source against the emulator with injected
//! failures, a restart delay and a window in which the status still shows the state from
//! before the restart: healable connectors must be healed, the others reported.

// Examples cannot be imported, so the test compiles the example's file as a module; its
// `main` belongs to the example binary and is unused here.
#[path = "../../examples/self_heal.rs"]
#[allow(dead_code)]
mod example;

use std::time::Duration;

use ccloud_connect::connect::{ConnectorSpec, ConnectorState, RestartOutcome, TargetState};
use ccloud_connect::wait::WaitOptions;
use ccloud_connect_emulator::{Emulator, Failure};

use crate::support;

const ENV: &str = "env-heal";
const CLUSTER: &str = "lkc-heal";

#[tokio::test]
async fn failing_connectors_are_restarted_until_they_run_and_the_rest_reported() {
    let emulator = Emulator::builder()
        .provisioning_delay(Duration::from_millis(50))
        .restart_delay(Duration::from_millis(200))
        .stale_status_window(Duration::from_millis(150))
        .start()
        .await
        .unwrap();
    let client = support::client(emulator.base_url());
    let cluster = client.connect().cluster(ENV, CLUSTER);
    let waits = WaitOptions::new(Duration::from_millis(20), Duration::from_secs(10))
        .settle(Duration::from_secs(5));
    for name in ["fine", "crashed", "task-crashed", "broken"] {
        let spec = ConnectorSpec::managed(name, "DatagenSource")
            .kafka_api_key("K")
            .kafka_api_secret("S")
            .set("kafka.topic", "t")
            .set("output.data.format", "JSON")
            .set("quickstart", "ORDERS")
            .tasks_max(1);
        cluster.create(&spec).await.unwrap();
        cluster
            .connector(name)
            .wait_for(TargetState::Running, waits)
            .await
            .unwrap();
    }
    assert!(emulator.fail_connector(ENV, CLUSTER, "crashed", Failure::connector("OOM")));
    assert!(emulator.fail_connector(ENV, CLUSTER, "task-crashed", Failure::task(0, "disk full")));
    assert!(emulator.fail_connector(
        ENV,
        CLUSTER,
        "broken",
        Failure::connector("bad credentials").persistent(true)
    ));

    let mut out = Vec::new();
    let fleet = client.connect().fleet([(ENV, CLUSTER)]);
    let report = example::heal(&fleet, waits, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    let named = |pick: fn(&RestartOutcome) -> bool| -> Vec<&str> {
        let mut names: Vec<&str> = report
            .connectors
            .iter()
            .filter(|c| pick(&c.outcome))
            .map(|c| c.name.as_str())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        named(|o| matches!(o, RestartOutcome::Healthy)),
        ["fine"],
        "{text}"
    );
    assert_eq!(
        named(|o| matches!(o, RestartOutcome::Healed(_))),
        ["crashed", "task-crashed"],
        "{text}"
    );
    assert_eq!(
        named(|o| matches!(o, RestartOutcome::NotHealed(_))),
        ["broken"],
        "{text}"
    );
    assert!(
        text.contains("broken: NOT healed: ") && text.contains("bad credentials"),
        "{text}"
    );
    assert_eq!(report.to_string(), "1 healthy, 2 healed, 1 not healed");
    assert!(!report.all_running());
    for name in ["crashed", "task-crashed"] {
        let status = cluster.connector(name).status().await.unwrap();
        assert_eq!(status.connector.state, ConnectorState::Running, "{name}");
        assert!(
            status
                .tasks
                .iter()
                .all(|t| t.state == ConnectorState::Running),
            "{name}"
        );
    }
}
