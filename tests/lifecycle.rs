//! Pause, resume, restart, state waiters, offsets and `expand` against httpmock servers.

use std::time::{Duration, Instant};

use ccloud_connect::connect::mock::MockServerExt;
use ccloud_connect::connect::{AlterOffsetsPhase, ConnectorOffset, ConnectorState};
use ccloud_connect::connect::{ConnectorSpec, Expand, OffsetsChange, TargetState};
use ccloud_connect::wait::{Wait, WaitOptions};
use ccloud_connect::{Client, Error, RetryPolicy};
use httpmock::Method::{GET, POST, PUT};
use httpmock::MockServer;
use serde_json::{Value, json};

mod support;

const ENV: &str = "env-1";
const CLUSTER: &str = "lkc-1";
const NAME: &str = "pg-sink";
const BASE: &str = "/connect/v1/environments/env-1/clusters/lkc-1/connectors";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .credentials("KEY", "SECRET")
        .base_url(server.base_url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn fast() -> WaitOptions {
    WaitOptions::new(Duration::from_millis(10), Duration::from_secs(5))
}

fn status(state: &str) -> Value {
    json!({
        "name": NAME,
        "type": "sink",
        "connector": {"state": state, "worker_id": NAME, "trace": ""},
        "tasks": [{"id": 0, "state": state, "worker_id": NAME}]
    })
}

/// Answers `/status` with `state`, at most `times` times when given.
fn status_mock<'a>(
    server: &'a MockServer,
    state: &str,
    times: Option<usize>,
) -> httpmock::Mock<'a> {
    let body = status(state);
    server.mock(|when, then| {
        when.method(GET).path(format!("{BASE}/{NAME}/status"));
        let then = then.status(200).json_body(body);
        if let Some(n) = times {
            then.up_to_n_times(n);
        }
    })
}

fn wait_error(err: Error) -> (String, Option<String>, bool, Option<String>) {
    match err {
        Error::Wait {
            what,
            last_state,
            timed_out,
            detail,
            ..
        } => (what, last_state, timed_out, detail),
        other => panic!("expected Error::Wait, got {other:?}"),
    }
}

#[tokio::test]
async fn wait_sees_provisioning_then_running() {
    let server = MockServer::start_async().await;
    let provisioning = status_mock(&server, "PROVISIONING", Some(2));
    let running = status_mock(&server, "RUNNING", None);

    let status = client(&server)
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .wait_for(TargetState::Running, fast())
        .await
        .unwrap();

    assert_eq!(status.connector.state, ConnectorState::Running);
    assert_eq!(status.tasks[0].state, ConnectorState::Running);
    provisioning.assert_calls(2);
    running.assert_calls(1);
}

#[tokio::test]
async fn create_then_wait_until_running() {
    let server = MockServer::start_async().await;
    let create = server.mock(|when, then| {
        when.method(POST).path(BASE).json_body(json!({
            "name": NAME,
            "config": {"name": NAME, "connector.class": "PostgresSink", "tasks.max": "1"}
        }));
        then.status(201)
            .json_body(json!({"name": NAME, "type": "sink", "config": {}, "tasks": []}));
    });
    let provisioning = status_mock(&server, "PROVISIONING", Some(1));
    let running = status_mock(&server, "RUNNING", None);
    let api = client(&server);
    let spec = ConnectorSpec::managed(NAME, "PostgresSink").tasks_max(1);
    let created = api
        .connect()
        .cluster(ENV, CLUSTER)
        .create(&spec)
        .await
        .unwrap();
    let status = api
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(&created.name)
        .wait_for(TargetState::Running, fast())
        .await
        .unwrap();
    assert_eq!(status.connector.state, ConnectorState::Running);
    create.assert_calls(1);
    provisioning.assert_calls(1);
    running.assert_calls(1);
}

#[tokio::test]
async fn degraded_is_pending() {
    let server = MockServer::start_async().await;
    let degraded = status_mock(&server, "DEGRADED", Some(1));
    let running = status_mock(&server, "RUNNING", None);
    let status = client(&server)
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .wait_for(TargetState::Running, fast())
        .await
        .unwrap();
    assert_eq!(status.connector.state, ConnectorState::Running);
    degraded.assert_calls(1);
    running.assert_calls(1);
}

#[tokio::test]
async fn unknown_state_is_pending() {
    let server = MockServer::start_async().await;
    let restarting = status_mock(&server, "RESTARTING", Some(1));
    let running = status_mock(&server, "RUNNING", None);
    client(&server)
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .wait_for(TargetState::Running, fast())
        .await
        .unwrap();
    restarting.assert_calls(1);
    running.assert_calls(1);
}

#[tokio::test]
async fn failed_ends_at_once_with_the_trace() {
    let server = MockServer::start_async().await;
    let failed = server.mock(|when, then| {
        when.method(GET).path(format!("{BASE}/{NAME}/status"));
        then.status(200).json_body(json!({
            "name": NAME,
            "connector": {"state": "FAILED", "trace": "org.postgresql.util.PSQLException: password authentication failed"},
            "tasks": [
                {"id": 0, "state": "FAILED", "msg": "Task threw an uncaught exception"},
                {"id": 1, "state": "RUNNING"}
            ]
        }));
    });
    let started = Instant::now();
    let options = WaitOptions::new(Duration::from_millis(10), Duration::from_secs(30));
    let err = client(&server)
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .wait_for(TargetState::Running, options)
        .await
        .unwrap_err();

    assert!(started.elapsed() < Duration::from_secs(5));
    failed.assert_calls(1);
    let text = err.to_string();
    let (what, last_state, timed_out, detail) = wait_error(err);
    assert!(what.contains(NAME) && what.contains("RUNNING"), "{what}");
    assert_eq!(last_state.as_deref(), Some("FAILED"));
    assert!(!timed_out);
    let detail = detail.unwrap();
    assert!(
        detail.contains("password authentication failed"),
        "{detail}"
    );
    assert!(
        detail.contains("task 0 FAILED: Task threw an uncaught exception"),
        "{detail}"
    );
    assert!(!detail.contains("task 1"), "{detail}");
    assert!(
        text.contains("it is FAILED") && text.contains("PSQLException"),
        "{text}"
    );
}

#[tokio::test]
async fn timeout_reports_the_last_state() {
    let server = MockServer::start_async().await;
    let provisioning = status_mock(&server, "PROVISIONING", None);
    let options = WaitOptions::new(Duration::from_millis(20), Duration::from_millis(150));
    let started = Instant::now();
    let err = client(&server)
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .wait_for(TargetState::Running, options)
        .await
        .unwrap_err();

    assert!(started.elapsed() >= Duration::from_millis(150));
    assert!(provisioning.calls() >= 3, "{} reads", provisioning.calls());
    let text = err.to_string();
    let (_, last_state, timed_out, _) = wait_error(err);
    assert!(timed_out);
    assert_eq!(last_state.as_deref(), Some("PROVISIONING"));
    assert!(
        text.contains("timed out") && text.contains("last state seen: PROVISIONING"),
        "{text}"
    );
}

#[tokio::test]
async fn zero_timeout_reads_once() {
    let server = MockServer::start_async().await;
    let provisioning = status_mock(&server, "PROVISIONING", None);
    let options = WaitOptions::new(Duration::from_millis(10), Duration::ZERO);
    let err = client(&server)
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .wait_for(TargetState::Running, options)
        .await
        .unwrap_err();
    assert!(wait_error(err).2);
    provisioning.assert_calls(1);
}

/// A timeout too large for the clock waits without a deadline instead of panicking.
#[tokio::test]
async fn an_unbounded_timeout_waits_until_the_state_is_reached() {
    let server = MockServer::start_async().await;
    let running = status_mock(&server, "RUNNING", None);
    let options = WaitOptions::new(Duration::from_millis(10), Duration::MAX);
    let status = client(&server)
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .wait_for(TargetState::Running, options)
        .await
        .unwrap();
    assert_eq!(status.connector.state.as_str(), "RUNNING");
    running.assert_calls(1);
}

#[tokio::test]
async fn dropping_the_wait_stops_polling() {
    let server = MockServer::start_async().await;
    let provisioning = status_mock(&server, "PROVISIONING", None);
    let api = client(&server);
    let options = WaitOptions::new(Duration::from_millis(10), Duration::from_secs(60));
    let outcome = tokio::time::timeout(
        Duration::from_millis(100),
        api.connect()
            .cluster(ENV, CLUSTER)
            .connector(NAME)
            .wait_for(TargetState::Running, options),
    )
    .await;
    assert!(outcome.is_err(), "the wait should still be pending");
    let reads = provisioning.calls();
    assert!(reads >= 2, "{reads}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        provisioning.calls(),
        reads,
        "polling went on after the drop"
    );
}

#[tokio::test]
async fn a_missing_connector_ends_the_wait() {
    let server = MockServer::start_async().await;
    let missing = server.mock(|when, then| {
        when.method(GET).path(format!("{BASE}/{NAME}/status"));
        then.status(404)
            .json_body(json!({"error": {"code": 404, "message": "Connector pg-sink not found"}}));
    });
    let err = client(&server)
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .wait_for(TargetState::Paused, fast())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    missing.assert_calls(1);
}

#[tokio::test]
async fn pause_waits_until_paused() {
    let server = MockServer::start_async().await;
    let pause = server.pause_connector(|when, then| {
        when.environment_id(ENV)
            .kafka_cluster_id(CLUSTER)
            .connector_name(NAME);
        then.accepted();
    });
    // The pause has not taken effect on the first read.
    let running = status_mock(&server, "RUNNING", Some(1));
    let paused = status_mock(&server, "PAUSED", None);

    let status = client(&server)
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .pause(Wait::With(fast()))
        .await
        .unwrap()
        .expect("a status after waiting");
    assert_eq!(status.connector.state, ConnectorState::Paused);
    pause.assert_calls(1);
    running.assert_calls(1);
    paused.assert_calls(1);
}

#[tokio::test]
async fn resume_waits_until_running() {
    let server = MockServer::start_async().await;
    let resume = server.mock(|when, then| {
        when.method(PUT).path(format!("{BASE}/{NAME}/resume"));
        then.status(202);
    });
    let paused = status_mock(&server, "PAUSED", Some(1));
    let provisioning = status_mock(&server, "PROVISIONING", Some(1));
    let running = status_mock(&server, "RUNNING", None);
    let status = client(&server)
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .resume(Wait::With(fast()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.connector.state, ConnectorState::Running);
    resume.assert_calls(1);
    paused.assert_calls(1);
    provisioning.assert_calls(1);
    running.assert_calls(1);
}

#[tokio::test]
async fn lifecycle_without_wait_reads_no_status() {
    let server = MockServer::start_async().await;
    let pause = server.mock(|when, then| {
        when.method(PUT).path(format!("{BASE}/{NAME}/pause"));
        then.status(202);
    });
    let resume = server.mock(|when, then| {
        when.method(PUT).path(format!("{BASE}/{NAME}/resume"));
        then.status(202);
    });
    let restart = server.mock(|when, then| {
        when.method(POST).path(format!("{BASE}/{NAME}/restart"));
        then.status(202);
    });
    let status = status_mock(&server, "RUNNING", None);
    let api = client(&server);
    assert!(
        api.connect()
            .cluster(ENV, CLUSTER)
            .connector(NAME)
            .pause(Wait::No)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        api.connect()
            .cluster(ENV, CLUSTER)
            .connector(NAME)
            .resume(Wait::No)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        api.connect()
            .cluster(ENV, CLUSTER)
            .connector(NAME)
            .restart(Wait::default())
            .await
            .unwrap()
            .is_none()
    );
    pause.assert_calls(1);
    resume.assert_calls(1);
    restart.assert_calls(1);
    status.assert_calls(0);
}

#[tokio::test]
async fn restart_posts_without_body_and_waits() {
    let server = MockServer::start_async().await;
    let restart = server.mock(|when, then| {
        when.method(POST)
            .path(format!("{BASE}/{NAME}/restart"))
            .body("");
        then.status(202);
    });
    let provisioning = status_mock(&server, "PROVISIONING", Some(1));
    let running = status_mock(&server, "RUNNING", None);
    let status = client(&server)
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .restart(Wait::With(fast()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.connector.state, ConnectorState::Running);
    restart.assert_calls(1);
    provisioning.assert_calls(1);
    running.assert_calls(1);
}

#[tokio::test]
async fn restart_failure_reports_the_trace() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(POST).path(format!("{BASE}/{NAME}/restart"));
        then.status(202);
    });
    server.mock(|when, then| {
        when.method(GET).path(format!("{BASE}/{NAME}/status"));
        then.status(200).json_body(json!({
            "name": NAME,
            "connector": {"state": "FAILED", "trace": "Invalid plugin runtime 3.1"}
        }));
    });
    // Still FAILED, and unchanged, once the settle time has passed: the restart did not
    // help, and the wait says so with the trace.
    let err = client(&server)
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .restart(Wait::With(fast().settle(Duration::from_millis(50))))
        .await
        .unwrap_err();
    let (_, state, timed_out, detail) = wait_error(err);
    assert_eq!((state.as_deref(), timed_out), (Some("FAILED"), false));
    assert_eq!(detail.as_deref(), Some("trace: Invalid plugin runtime 3.1"));
}

/// The status reads a scripted server answers in turn: the read before the action, the
/// action itself, then the reads of the wait.
async fn scripted(answers: &[(u16, Value)]) -> support::Scripted {
    support::Scripted::start(
        answers
            .iter()
            .map(|(status, body)| support::Answer::json(*status, &body.to_string()))
            .collect(),
    )
    .await
}

fn status_body(state: &str, trace: Option<&str>) -> Value {
    json!({"name": NAME, "connector": {"state": state, "trace": trace}, "tasks": []})
}

#[tokio::test]
async fn a_wait_after_restart_does_not_trust_the_failure_from_before_it() {
    // The API restarts asynchronously: the first reads after the 202 still show the old
    // FAILED. A self-healing loop must not give up on them.
    let failed = status_body("FAILED", Some("OOM"));
    let server = scripted(&[
        (200, failed.clone()),
        (202, json!(null)),
        (200, failed.clone()),
        (200, failed),
        (200, status_body("RUNNING", None)),
    ])
    .await;
    let client = Client::builder()
        .credentials("KEY", "SECRET")
        .base_url(&server.base_url)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let status = client
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .restart(Wait::With(fast()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.connector.state, ConnectorState::Running);
    let seen: Vec<String> = server
        .seen()
        .iter()
        .map(|r| format!("{} {}", r.method, r.target.rsplit('/').next().unwrap_or("")))
        .collect();
    assert_eq!(
        seen,
        [
            "GET status",
            "POST restart",
            "GET status",
            "GET status",
            "GET status"
        ]
    );
}

#[tokio::test]
async fn a_changed_failure_after_an_action_is_final_at_once() {
    // A new trace is the restart's own outcome: no settle time is waited for.
    let server = scripted(&[
        (200, status_body("FAILED", Some("OOM"))),
        (202, json!(null)),
        (200, status_body("FAILED", Some("bad config after restart"))),
    ])
    .await;
    let client = Client::builder()
        .credentials("KEY", "SECRET")
        .base_url(&server.base_url)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .restart(Wait::With(fast().settle(Duration::from_secs(60))))
        .await
        .unwrap_err();
    let (_, state, timed_out, detail) = wait_error(err);
    assert_eq!((state.as_deref(), timed_out), (Some("FAILED"), false));
    assert_eq!(detail.as_deref(), Some("trace: bad config after restart"));
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test]
async fn lifecycle_api_errors_surface_without_waiting() {
    let server = MockServer::start_async().await;
    let pause = server.mock(|when, then| {
        when.method(PUT).path(format!("{BASE}/{NAME}/pause"));
        then.status(404)
            .json_body(json!({"error": {"code": 404, "message": "Connector pg-sink not found"}}));
    });
    let status = status_mock(&server, "RUNNING", None);
    let err = client(&server)
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .pause(Wait::With(fast()))
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert!(
        err.to_string().contains("Connector pg-sink not found"),
        "{err}"
    );
    pause.assert_calls(1);
    // The one read before the action (what the wait compares against); none after it.
    status.assert_calls(1);
}

#[tokio::test]
async fn zero_interval_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server.mock(|_, then| {
        then.status(202);
    });
    let zero = WaitOptions::new(Duration::ZERO, Duration::from_secs(1));
    let api = client(&server);
    for err in [
        api.connect()
            .cluster(ENV, CLUSTER)
            .connector(NAME)
            .pause(Wait::With(zero))
            .await
            .unwrap_err(),
        api.connect()
            .cluster(ENV, CLUSTER)
            .connector(NAME)
            .resume(Wait::With(zero))
            .await
            .unwrap_err(),
        api.connect()
            .cluster(ENV, CLUSTER)
            .connector(NAME)
            .restart(Wait::With(zero))
            .await
            .unwrap_err(),
        api.connect()
            .cluster(ENV, CLUSTER)
            .connector(NAME)
            .offsets()
            .alter_and_wait(OffsetsChange::Reset, zero)
            .await
            .unwrap_err(),
    ] {
        assert!(err.is_validation(), "{err}");
        assert!(err.to_string().contains("wait interval"), "{err}");
    }
    any.assert_calls(0);
}

// ---------------------------------------------------------------- offsets

fn sink_offset(partition: u64, offset: u64) -> ConnectorOffset {
    serde_json::from_value(json!({
        "partition": {"kafka_partition": partition, "kafka_topic": "orders"},
        "offset": {"kafka_offset": offset}
    }))
    .unwrap()
}

fn offsets_status(phase: &str, requested_at: &str, message: Option<&str>) -> Value {
    let mut status = json!({
        "request": {
            "id": "lcc-1",
            "name": NAME,
            "type": "PATCH",
            "requested_at": requested_at,
            "offsets": [{"partition": {"kafka_partition": 0, "kafka_topic": "orders"}, "offset": {"kafka_offset": 42}}]
        },
        "status": {"phase": phase},
        "previous_offsets": [{"partition": {"kafka_partition": 0, "kafka_topic": "orders"}, "offset": {"kafka_offset": 7}}],
        "applied_at": null
    });
    if let Some(m) = message {
        status["status"]["message"] = json!(m);
    }
    status
}

#[tokio::test]
async fn read_offsets() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET).path(format!("{BASE}/{NAME}/offsets"));
        then.status(200).json_body(json!({
            "id": "lcc-1",
            "name": NAME,
            "offsets": [{"partition": {"kafka_partition": 0, "kafka_topic": "orders"}, "offset": {"kafka_offset": 7}}],
            "metadata": {"observed_at": "2024-03-28T17:57:48.139635200Z"}
        }));
    });
    let offsets = client(&server)
        .connect()
        .raw()
        .get_connector_offsets(ENV, CLUSTER, NAME)
        .await
        .unwrap();
    assert_eq!(offsets.id.as_deref(), Some("lcc-1"));
    assert_eq!(offsets.offsets[0].offset["kafka_offset"], json!(7));
    assert_eq!(offsets.offsets[0].partition["kafka_topic"], json!("orders"));
    assert!(offsets.metadata.unwrap().observed_at.is_some());
}

#[tokio::test]
async fn alter_offsets_waits_past_an_earlier_request_until_applied() {
    let server = MockServer::start_async().await;
    let ours = "2024-03-28T18:00:00Z";
    let post = server.mock(|when, then| {
        when.method(POST)
            .path(format!("{BASE}/{NAME}/offsets/request"))
            .json_body(json!({
                "type": "PATCH",
                "offsets": [{"partition": {"kafka_partition": 0, "kafka_topic": "orders"}, "offset": {"kafka_offset": 42}}]
            }));
        then.status(202).json_body(json!({
            "id": "lcc-1", "name": NAME, "type": "PATCH", "requested_at": ours,
            "offsets": [{"partition": {"kafka_partition": 0, "kafka_topic": "orders"}, "offset": {"kafka_offset": 42}}]
        }));
    });
    let path = format!("{BASE}/{NAME}/offsets/request/status");
    // The status still describes the previous alteration, which was applied.
    let earlier = server.mock(|when, then| {
        when.method(GET).path(path.clone());
        then.status(200)
            .json_body(offsets_status("APPLIED", "2024-03-28T17:00:00Z", None))
            .up_to_n_times(1);
    });
    let validating = server.mock(|when, then| {
        when.method(GET).path(path.clone());
        then.status(200)
            .json_body(offsets_status("PENDING_VALIDATION", ours, None))
            .up_to_n_times(1);
    });
    let pending = server.mock(|when, then| {
        when.method(GET).path(path.clone());
        then.status(200)
            .json_body(offsets_status("PENDING", ours, None))
            .up_to_n_times(1);
    });
    let applied = server.mock(|when, then| {
        when.method(GET).path(path.clone());
        let mut body = offsets_status("APPLIED", ours, None);
        body["applied_at"] = json!("2024-03-28T18:00:05Z");
        then.status(200).json_body(body);
    });

    let status = client(&server)
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .offsets()
        .alter_and_wait(OffsetsChange::Patch(vec![sink_offset(0, 42)]), fast())
        .await
        .unwrap();

    assert_eq!(status.status.phase, AlterOffsetsPhase::Applied);
    assert!(status.applied_at.is_some());
    assert_eq!(status.previous_offsets[0].offset["kafka_offset"], json!(7));
    post.assert_calls(1);
    earlier.assert_calls(1);
    validating.assert_calls(1);
    pending.assert_calls(1);
    applied.assert_calls(1);
}

#[tokio::test]
async fn reset_offsets_failure_reports_the_message() {
    let server = MockServer::start_async().await;
    let post = server.mock(|when, then| {
        when.method(POST)
            .path(format!("{BASE}/{NAME}/offsets/request"))
            .json_body(json!({"type": "DELETE"}));
        then.status(202).json_body(json!({
            "id": "lcc-1", "name": NAME, "type": "DELETE", "requested_at": "2024-03-28T18:00:00Z"
        }));
    });
    let status = server.mock(|when, then| {
        when.method(GET)
            .path(format!("{BASE}/{NAME}/offsets/request/status"));
        then.status(200).json_body(offsets_status(
            "FAILED",
            "2024-03-28T18:00:00Z",
            Some("The connector must be in the PAUSED state"),
        ));
    });
    let err = client(&server)
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .offsets()
        .alter_and_wait(OffsetsChange::Reset, fast())
        .await
        .unwrap_err();
    let (what, state, timed_out, detail) = wait_error(err);
    assert!(
        what.contains("offsets") && what.contains("APPLIED"),
        "{what}"
    );
    assert_eq!((state.as_deref(), timed_out), (Some("FAILED"), false));
    assert_eq!(
        detail.as_deref(),
        Some("The connector must be in the PAUSED state")
    );
    post.assert_calls(1);
    status.assert_calls(1);
}

#[tokio::test]
async fn offsets_wait_times_out_on_an_unknown_phase() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET)
            .path(format!("{BASE}/{NAME}/offsets/request/status"));
        then.status(200)
            .json_body(offsets_status("QUEUED", "2024-03-28T18:00:00Z", None));
    });
    let options = WaitOptions::new(Duration::from_millis(10), Duration::from_millis(60));
    let err = client(&server)
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .offsets()
        .wait_until_applied(options)
        .await
        .unwrap_err();
    let (_, state, timed_out, _) = wait_error(err);
    assert!(timed_out);
    assert_eq!(state.as_deref(), Some("QUEUED"));
}

#[tokio::test]
async fn alter_offsets_without_wait_returns_the_request() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(POST)
            .path(format!("{BASE}/{NAME}/offsets/request"))
            .json_body(json!({"type": "DELETE"}));
        then.status(202).json_body(json!({
            "id": "lcc-1", "name": NAME, "type": "DELETE", "requested_at": "2024-03-28T18:00:00Z"
        }));
    });
    let status = status_mock(&server, "RUNNING", None);
    let request = client(&server)
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .offsets()
        .alter(OffsetsChange::Reset)
        .await
        .unwrap();
    assert_eq!(request.id, "lcc-1");
    assert!(request.requested_at.is_some());
    status.assert_calls(0);
}

#[tokio::test]
async fn an_empty_patch_sends_nothing() {
    let server = MockServer::start_async().await;
    let any = server.mock(|_, then| {
        then.status(202);
    });
    let api = client(&server);
    let err = api
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .offsets()
        .alter(OffsetsChange::Patch(vec![]))
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err}");
    assert!(err.to_string().contains("offsets"), "{err}");
    let err = api
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .offsets()
        .alter_and_wait(OffsetsChange::Patch(vec![]), fast())
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err}");
    any.assert_calls(0);
}

// ---------------------------------------------------------------- expand

#[tokio::test]
async fn expanded_list_reads_every_section_and_nulls() {
    let server = MockServer::start_async().await;
    let list = server.mock(|when, then| {
        when.method(GET).path(BASE).query_param("expand", "info,status,id");
        then.status(200).json_body(json!({
            "pg-sink": {
                "id": {"id": "lcc-1", "id_type": "ID"},
                "info": {"name": "pg-sink", "type": "sink", "config": {"connector.class": "PostgresSink", "name": "pg-sink"}},
                "status": status("RUNNING")
            },
            "half": {"id": {"id": "lcc-2", "id_type": "ID"}, "info": null, "status": null}
        }));
    });
    let map = client(&server)
        .connect()
        .cluster(ENV, CLUSTER)
        .connectors(Expand::ALL)
        .await
        .unwrap();
    list.assert_calls(1);
    let full = &map["pg-sink"];
    assert_eq!(full.id.as_ref().unwrap().id.as_deref(), Some("lcc-1"));
    assert_eq!(
        full.info.as_ref().unwrap().config.as_ref().unwrap()["connector.class"],
        "PostgresSink"
    );
    assert_eq!(
        full.status.as_ref().unwrap().connector.state,
        ConnectorState::Running
    );
    let half = &map["half"];
    assert!(half.info.is_none() && half.status.is_none());
    assert_eq!(half.id.as_ref().unwrap().id.as_deref(), Some("lcc-2"));
}
