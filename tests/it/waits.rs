//! Waits that survive the real service, against the emulator's scripted connector states on
//! tokio's paused clock: a connector that flaps right after it is created, one stuck in
//! PROVISIONING, a first-poll delay and a growing interval.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use ccloud_connect::connect::{ConnectorSpec, ConnectorState};
use ccloud_connect::wait::WaitOptions;
use ccloud_connect_emulator::{Emulator, EmulatorHandle, Script, ScriptedState};
use tokio::time::Instant;

use crate::support;

const ENV: &str = "env-wait";
const CLUSTER: &str = "lkc-wait";

fn datagen(name: &str) -> ConnectorSpec {
    ConnectorSpec::managed(name, "DatagenSource")
        .kafka_api_key("K")
        .kafka_api_secret("S")
        .set("kafka.topic", "t")
        .set("output.data.format", "JSON")
        .set("quickstart", "ORDERS")
        .tasks_max(1)
}

/// PROVISIONING for 2 s, FAILED for 1 s, then RUNNING: Terraform provider issue 43.
fn flapping() -> Script {
    Script::new()
        .then(ScriptedState::Provisioning, Duration::from_secs(2))
        .then(
            ScriptedState::failed("org.apache.kafka.common.errors.TimeoutException"),
            Duration::from_secs(1),
        )
        .hold(ScriptedState::Running)
}

async fn emulator() -> EmulatorHandle {
    Emulator::builder()
        .provisioning_delay(Duration::from_millis(100))
        .start()
        .await
        .unwrap()
}

/// A client on the paused clock that counts its status reads.
fn counting_client(emulator: &EmulatorHandle) -> (ccloud_connect::Client, Arc<AtomicU32>) {
    let reads = Arc::new(AtomicU32::new(0));
    let counter = reads.clone();
    let client = support::builder(emulator.base_url())
        .http_client(support::untimed_http())
        .on_request(move |view| {
            if view.operation == "get_connector_status" {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        })
        .build()
        .unwrap();
    (client, reads)
}

#[tokio::test(start_paused = true)]
async fn a_flap_within_the_tolerance_window_is_a_success() {
    let emulator = emulator().await;
    emulator.script_next_connector(ENV, CLUSTER, "flappy", flapping());
    let (client, _) = counting_client(&emulator);
    let waits = WaitOptions::new(Duration::from_millis(250), Duration::from_secs(60))
        .tolerate_failed(Duration::from_secs(2));
    let (created, status) = client
        .connect()
        .cluster(ENV, CLUSTER)
        .create_and_wait(&datagen("flappy"), waits)
        .await
        .unwrap();
    assert_eq!(created.name, "flappy");
    assert_eq!(status.connector.state, ConnectorState::Running);
}

#[tokio::test(start_paused = true)]
async fn a_failure_outlasting_the_window_ends_the_wait_with_the_trace() {
    let emulator = emulator().await;
    emulator.script_next_connector(ENV, CLUSTER, "flappy", flapping());
    let (client, _) = counting_client(&emulator);
    let started = Instant::now();
    let waits = WaitOptions::new(Duration::from_millis(250), Duration::from_secs(60))
        .tolerate_failed(Duration::from_millis(400));
    let err = client
        .connect()
        .cluster(ENV, CLUSTER)
        .create_and_wait(&datagen("flappy"), waits)
        .await
        .unwrap_err();
    assert!(err.is_wait_failed(), "{err:?}");
    assert!(!err.is_timeout(), "{err:?}");
    let text = err.to_string();
    for needle in [
        "FAILED",
        "longer than the tolerated 0.4s",
        "TimeoutException",
    ] {
        assert!(text.contains(needle), "{needle:?} not in {text}");
    }
    // Seen failed at 2 s, given up just past 2.4 s, long before the script's recovery.
    let took = Instant::now() - started;
    assert!(took < Duration::from_millis(2700), "{took:?}");
    // The connector was created and stays: the error is the wait's, not the create's.
    let names = client
        .connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap();
    assert_eq!(names, ["flappy"]);
}

#[tokio::test(start_paused = true)]
async fn without_a_tolerance_the_first_failed_read_ends_the_wait() {
    let emulator = emulator().await;
    emulator.script_next_connector(ENV, CLUSTER, "flappy", flapping());
    let (client, _) = counting_client(&emulator);
    let waits = WaitOptions::new(Duration::from_millis(250), Duration::from_secs(60));
    let err = client
        .connect()
        .cluster(ENV, CLUSTER)
        .create_and_wait(&datagen("flappy"), waits)
        .await
        .unwrap_err();
    assert!(err.is_wait_failed(), "{err:?}");
    assert!(err.to_string().contains("TimeoutException"), "{err}");
    assert!(!err.to_string().contains("tolerated"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_connector_stuck_provisioning_times_out_as_a_timeout() {
    let emulator = emulator().await;
    emulator.script_next_connector(ENV, CLUSTER, "stuck", Script::stuck_provisioning());
    let (client, _) = counting_client(&emulator);
    let waits = WaitOptions::new(Duration::from_secs(1), Duration::from_secs(30))
        .tolerate_failed(Duration::from_secs(5));
    let err = client
        .connect()
        .cluster(ENV, CLUSTER)
        .create_and_wait(&datagen("stuck"), waits)
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(!err.is_wait_failed(), "{err:?}");
    assert!(
        err.to_string().contains("last state seen: PROVISIONING"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_first_read_is_delayed_and_the_interval_grows_to_its_cap() {
    let emulator = emulator().await;
    // Provisioning for 100 s: a create that takes a while, as on the real service.
    emulator.script_next_connector(
        ENV,
        CLUSTER,
        "slow",
        Script::new()
            .then(ScriptedState::Provisioning, Duration::from_secs(100))
            .hold(ScriptedState::Running),
    );
    let (client, reads) = counting_client(&emulator);
    let waits = WaitOptions::new(Duration::from_secs(1), Duration::from_secs(300))
        .first_poll_after(Duration::from_secs(30))
        .max_interval(Duration::from_secs(16));
    client
        .connect()
        .cluster(ENV, CLUSTER)
        .create_and_wait(&datagen("slow"), waits)
        .await
        .unwrap();
    // Reads at 30, 31, 33, 37, 45, 61, 77, 93 and 109 s: nine, where a fixed 1 s interval
    // from the start would have made 101.
    assert_eq!(reads.load(Ordering::Relaxed), 9);
}

#[tokio::test(start_paused = true)]
async fn a_stale_read_after_a_restart_says_why_it_is_not_trusted() {
    let emulator = Emulator::builder()
        .provisioning_delay(Duration::from_millis(100))
        .restart_delay(Duration::from_secs(60))
        .stale_status_window(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let (client, _) = counting_client(&emulator);
    let cluster = client.connect().cluster(ENV, CLUSTER);
    let quick = WaitOptions::new(Duration::from_millis(100), Duration::from_secs(10));
    cluster.create_and_wait(&datagen("r"), quick).await.unwrap();
    // The status shows RUNNING from before the restart for a minute: within the settle
    // time nothing tells that read from one made before the restart.
    let waits = WaitOptions::new(Duration::from_secs(1), Duration::from_secs(5))
        .settle(Duration::from_secs(30));
    let err = cluster
        .connector("r")
        .restart(ccloud_connect::wait::Wait::With(waits))
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("no change seen yet, so not trusted until 30.0s after the restart"),
        "{text}"
    );
}
