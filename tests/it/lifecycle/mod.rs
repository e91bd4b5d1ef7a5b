//! Pause, resume, restart, state waiters, offsets and `expand` against httpmock servers.
//!
//! Every test runs on tokio's paused clock, so the waits take no wall-clock time and their
//! durations are read on tokio's clock; the clients are `support::paused_client`, whose
//! requests arm no timer the clock could jump to while the mock server answers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ccloud_connect::Error;
use ccloud_connect::connect::ConnectorState;
use ccloud_connect::connect::mock::MockServerExt;
use ccloud_connect::connect::{ConnectorSpec, OffsetsChange, TargetState};
use ccloud_connect::wait::{Wait, WaitOptions};
use httpmock::Method::{GET, POST, PUT};
use httpmock::MockServer;
use serde_json::{Value, json};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::support;
use crate::support::server::{Answer, Server};

mod offsets;

const ENV: &str = "env-1";
const CLUSTER: &str = "lkc-1";
const NAME: &str = "pg-sink";
const BASE: &str = "/connect/v1/environments/env-1/clusters/lkc-1/connectors";

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

#[tokio::test(start_paused = true)]
async fn wait_sees_provisioning_then_running() {
    let server = MockServer::start_async().await;
    let provisioning = status_mock(&server, "PROVISIONING", Some(2));
    let running = status_mock(&server, "RUNNING", None);

    let status = support::paused_client(&server.base_url())
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

#[tokio::test(start_paused = true)]
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
    let api = support::paused_client(&server.base_url());
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

#[tokio::test(start_paused = true)]
async fn degraded_is_pending() {
    let server = MockServer::start_async().await;
    let degraded = status_mock(&server, "DEGRADED", Some(1));
    let running = status_mock(&server, "RUNNING", None);
    let status = support::paused_client(&server.base_url())
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

#[tokio::test(start_paused = true)]
async fn unknown_state_is_pending() {
    let server = MockServer::start_async().await;
    let restarting = status_mock(&server, "RESTARTING", Some(1));
    let running = status_mock(&server, "RUNNING", None);
    support::paused_client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .wait_for(TargetState::Running, fast())
        .await
        .unwrap();
    restarting.assert_calls(1);
    running.assert_calls(1);
}

#[tokio::test(start_paused = true)]
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
    // On the paused clock, waiting out the 30 s would show in full.
    let options = WaitOptions::new(Duration::from_millis(10), Duration::from_secs(30));
    let err = support::paused_client(&server.base_url())
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

#[tokio::test(start_paused = true)]
async fn timeout_reports_the_last_state() {
    let server = MockServer::start_async().await;
    let provisioning = status_mock(&server, "PROVISIONING", None);
    let options = WaitOptions::new(Duration::from_millis(20), Duration::from_millis(150));
    let started = Instant::now();
    let err = support::paused_client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .wait_for(TargetState::Running, options)
        .await
        .unwrap_err();

    // The last read is at the deadline: the clock shows the timeout, not a further interval.
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(150) && waited < Duration::from_millis(170),
        "{waited:?}"
    );
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

#[tokio::test(start_paused = true)]
async fn zero_timeout_reads_once() {
    let server = MockServer::start_async().await;
    let provisioning = status_mock(&server, "PROVISIONING", None);
    let options = WaitOptions::new(Duration::from_millis(10), Duration::ZERO);
    let err = support::paused_client(&server.base_url())
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
#[tokio::test(start_paused = true)]
async fn an_unbounded_timeout_waits_until_the_state_is_reached() {
    let server = MockServer::start_async().await;
    let running = status_mock(&server, "RUNNING", None);
    let options = WaitOptions::new(Duration::from_millis(10), Duration::MAX);
    let status = support::paused_client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .wait_for(TargetState::Running, options)
        .await
        .unwrap();
    assert_eq!(status.connector.state.as_str(), "RUNNING");
    running.assert_calls(1);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_wait_stops_polling() {
    let server = MockServer::start_async().await;
    let provisioning = status_mock(&server, "PROVISIONING", None);
    let sent = Arc::new(AtomicUsize::new(0));
    let answered = Arc::new((AtomicUsize::new(0), Notify::new()));
    let api = support::builder(&server.base_url())
        .http_client(support::untimed_http())
        .on_request({
            let sent = sent.clone();
            move |_| {
                sent.fetch_add(1, Ordering::SeqCst);
            }
        })
        .on_response({
            let answered = answered.clone();
            move |_| {
                answered.0.fetch_add(1, Ordering::SeqCst);
                answered.1.notify_one();
            }
        })
        .build()
        .unwrap();
    let options = WaitOptions::new(Duration::from_millis(10), Duration::from_secs(60));
    let two_reads = async {
        while answered.0.load(Ordering::SeqCst) < 2 {
            answered.1.notified().await;
        }
    };
    let connector = api.connect().cluster(ENV, CLUSTER).connector(NAME);
    // The wait is dropped between its second and third read.
    tokio::select! {
        _ = connector.wait_for(TargetState::Running, options) => {
            panic!("the wait should still be pending")
        }
        () = two_reads => {}
    }
    let (requests, reads) = (sent.load(Ordering::SeqCst), provisioning.calls());
    assert_eq!((requests, reads), (2, 2));
    // A poller left running would send its next read 10 ms on, and the paused clock passes
    // that at once: the observer sees the request even before it reaches the server.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        (sent.load(Ordering::SeqCst), provisioning.calls()),
        (requests, reads),
        "polling went on after the drop"
    );
}

#[tokio::test(start_paused = true)]
async fn a_missing_connector_ends_the_wait() {
    let server = MockServer::start_async().await;
    let missing = server.mock(|when, then| {
        when.method(GET).path(format!("{BASE}/{NAME}/status"));
        then.status(404)
            .json_body(json!({"error": {"code": 404, "message": "Connector pg-sink not found"}}));
    });
    let err = support::paused_client(&server.base_url())
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .wait_for(TargetState::Paused, fast())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    missing.assert_calls(1);
}

#[tokio::test(start_paused = true)]
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

    let status = support::paused_client(&server.base_url())
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

#[tokio::test(start_paused = true)]
async fn resume_waits_until_running() {
    let server = MockServer::start_async().await;
    let resume = server.mock(|when, then| {
        when.method(PUT).path(format!("{BASE}/{NAME}/resume"));
        then.status(202);
    });
    let paused = status_mock(&server, "PAUSED", Some(1));
    let provisioning = status_mock(&server, "PROVISIONING", Some(1));
    let running = status_mock(&server, "RUNNING", None);
    let status = support::paused_client(&server.base_url())
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

#[tokio::test(start_paused = true)]
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
    let api = support::paused_client(&server.base_url());
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

#[tokio::test(start_paused = true)]
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
    let status = support::paused_client(&server.base_url())
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

#[tokio::test(start_paused = true)]
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
    let err = support::paused_client(&server.base_url())
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
async fn scripted(answers: &[(u16, Value)]) -> Server {
    Server::sequence(
        answers
            .iter()
            .map(|(status, body)| Answer::json(*status, body))
            .collect(),
    )
    .await
}

fn status_body(state: &str, trace: Option<&str>) -> Value {
    json!({"name": NAME, "connector": {"state": state, "trace": trace}, "tasks": []})
}

#[tokio::test(start_paused = true)]
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
    let client = support::paused_client(&server.base_url);
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

#[tokio::test(start_paused = true)]
async fn a_restart_seen_to_take_effect_ends_when_running_again() {
    // RUNNING before, PROVISIONING during, RUNNING after: the last read looks like the
    // first, but the restart was seen, so no settle time is waited for.
    let running = status_body("RUNNING", None);
    let server = scripted(&[
        (200, running.clone()),
        (202, json!(null)),
        (200, status_body("PROVISIONING", None)),
        (200, running),
    ])
    .await;
    let started = Instant::now();
    let status = support::paused_client(&server.base_url)
        .connect()
        .cluster(ENV, CLUSTER)
        .connector(NAME)
        .restart(Wait::With(fast().settle(Duration::from_secs(60))))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.connector.state, ConnectorState::Running);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.seen_len(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_changed_failure_after_an_action_is_final_at_once() {
    // A new trace is the restart's own outcome: no settle time is waited for.
    let server = scripted(&[
        (200, status_body("FAILED", Some("OOM"))),
        (202, json!(null)),
        (200, status_body("FAILED", Some("bad config after restart"))),
    ])
    .await;
    let client = support::paused_client(&server.base_url);
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

#[tokio::test(start_paused = true)]
async fn lifecycle_api_errors_surface_without_waiting() {
    let server = MockServer::start_async().await;
    let pause = server.mock(|when, then| {
        when.method(PUT).path(format!("{BASE}/{NAME}/pause"));
        then.status(404)
            .json_body(json!({"error": {"code": 404, "message": "Connector pg-sink not found"}}));
    });
    let status = status_mock(&server, "RUNNING", None);
    let err = support::paused_client(&server.base_url())
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

#[tokio::test(start_paused = true)]
async fn zero_interval_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server.mock(|_, then| {
        then.status(202);
    });
    let zero = WaitOptions::new(Duration::ZERO, Duration::from_secs(1));
    let api = support::paused_client(&server.base_url());
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
