//! Scripted connector states: a status that follows a script through its steps, a
//! connector stuck in PROVISIONING, scripts waiting for a connector to be created, over
//! the handle and over HTTP. Paused time: each step ends exactly when the test sleeps
//! past it.

use std::time::Duration;

use ccloud_connect::Client;
use ccloud_connect::connect::{ConnectorState, ConnectorStatus, Expand};
use ccloud_connect_emulator::{Delays, Emulator, EmulatorHandle, Failure, Script, ScriptedState};
use serde_json::{Value, json};

use crate::support::*;

async fn instant_emulator() -> EmulatorHandle {
    Emulator::builder()
        .provisioning_delay(Duration::ZERO)
        .start()
        .await
        .unwrap()
}

async fn create(client: &Client, name: &str, tasks: &str) {
    client
        .connect()
        .raw()
        .create_connector(ENV, CLUSTER, &s3_sink_request(name, tasks))
        .await
        .unwrap();
}

async fn status(client: &Client, name: &str) -> ConnectorStatus {
    client
        .connect()
        .raw()
        .get_connector_status(ENV, CLUSTER, name)
        .await
        .unwrap()
}

/// The connector's state and trace, then each task's state and message.
fn summary(
    s: &ConnectorStatus,
) -> (
    ConnectorState,
    String,
    Vec<(ConnectorState, Option<String>)>,
) {
    (
        s.connector.state.clone(),
        s.connector.trace.clone().unwrap_or_default(),
        s.tasks
            .iter()
            .map(|t| (t.state.clone(), t.msg.clone()))
            .collect(),
    )
}

async fn sleep_secs(n: f64) {
    tokio::time::sleep(Duration::from_secs_f64(n)).await;
}

#[tokio::test(start_paused = true)]
async fn the_status_follows_the_script_step_by_step() {
    use ConnectorState as S;
    let emu = instant_emulator().await;
    let client = client(&emu);
    create(&client, "scripted", "2").await;
    let script = Script::new()
        .then(ScriptedState::Provisioning, Duration::from_secs(2))
        .then(ScriptedState::Running, Duration::from_secs(1))
        .then(
            ScriptedState::failed("java.lang.OutOfMemoryError"),
            Duration::from_secs(1),
        )
        .hold(ScriptedState::Running);
    assert!(!emu.script_connector(ENV, CLUSTER, "nope", script.clone()));
    assert!(emu.script_connector(ENV, CLUSTER, "scripted", script));

    let running = || vec![(S::Running, None), (S::Running, None)];
    let oom = || Some("java.lang.OutOfMemoryError".to_owned());
    let expected = [
        (0.5, (S::Provisioning, String::new(), vec![])),
        (2.0, (S::Running, String::new(), running())),
        (
            1.0,
            (
                S::Failed,
                oom().unwrap(),
                vec![(S::Failed, oom()), (S::Failed, oom())],
            ),
        ),
        (1.0, (S::Running, String::new(), running())),
        (3600.0, (S::Running, String::new(), running())),
    ];
    for (wait, want) in expected {
        sleep_secs(wait).await;
        let s = status(&client, "scripted").await;
        assert_eq!(summary(&s), want);
        // The list with expand=status and the connector's tasks tell the same story.
        let listed = client
            .connect()
            .cluster(ENV, CLUSTER)
            .connectors(Expand::STATUS)
            .await
            .unwrap();
        let from_list = listed["scripted"].status.as_ref().unwrap();
        assert_eq!(summary(from_list), want);
        let conn = client
            .connect()
            .raw()
            .get_connector(ENV, CLUSTER, "scripted")
            .await
            .unwrap();
        assert_eq!(conn.tasks.len(), want.2.len());
    }
}

#[tokio::test(start_paused = true)]
async fn a_script_waits_for_its_connector_and_stuck_provisioning_lasts_until_cleared() {
    let emu = instant_emulator().await;
    let client = client(&emu);
    emu.script_next_connector(ENV, CLUSTER, "stuck", Script::stuck_provisioning());
    // Only that name, only in that cluster.
    create(&client, "other", "1").await;
    assert_eq!(
        status(&client, "other").await.connector.state,
        ConnectorState::Running
    );

    create(&client, "stuck", "1").await;
    for _ in 0..3 {
        let s = status(&client, "stuck").await;
        assert_eq!(s.connector.state, ConnectorState::Provisioning);
        assert!(s.tasks.is_empty());
        sleep_secs(24.0 * 3600.0).await;
    }
    assert!(emu.clear_connector_script(ENV, CLUSTER, "stuck"));
    assert_eq!(
        status(&client, "stuck").await.connector.state,
        ConnectorState::Running
    );

    // A script waits for one creation only: deleted and created again, it is gone.
    client
        .connect()
        .raw()
        .delete_connector(ENV, CLUSTER, "stuck")
        .await
        .unwrap();
    create(&client, "stuck", "1").await;
    assert_eq!(
        status(&client, "stuck").await.connector.state,
        ConnectorState::Running
    );

    // It starts at the creation, not when it was registered.
    let flapping = Script::new()
        .then(ScriptedState::Provisioning, Duration::from_secs(2))
        .hold(ScriptedState::degraded("task 0 died"));
    emu.script_next_connector(ENV, CLUSTER, "late", flapping);
    sleep_secs(10.0).await;
    create(&client, "late", "2").await;
    assert_eq!(
        status(&client, "late").await.connector.state,
        ConnectorState::Provisioning
    );
    sleep_secs(2.0).await;
    let s = status(&client, "late").await;
    assert_eq!(
        summary(&s),
        (
            ConnectorState::Degraded,
            String::new(),
            vec![
                (ConnectorState::Failed, Some("task 0 died".to_owned())),
                (ConnectorState::Running, None)
            ]
        )
    );

    assert!(!emu.clear_next_connector_script(ENV, CLUSTER, "late"));
    emu.script_next_connector(ENV, CLUSTER, "never", Script::stuck_provisioning());
    assert!(emu.clear_next_connector_script(ENV, CLUSTER, "never"));
    create(&client, "never", "1").await;
    assert_eq!(
        status(&client, "never").await.connector.state,
        ConnectorState::Running
    );
}

/// The script is what the status shows; what happens underneath (a failure, a pause, a
/// stale-status window) shows once it is cleared.
#[tokio::test(start_paused = true)]
async fn a_script_wins_until_cleared() {
    let emu = instant_emulator().await;
    emu.set_delays(Delays::instant().with_stale_status(Duration::from_secs(5)));
    let client = client(&emu);
    create(&client, "steady", "1").await;
    assert!(emu.script_connector(
        ENV,
        CLUSTER,
        "steady",
        Script::new().hold(ScriptedState::Running)
    ));
    assert!(emu.fail_connector(ENV, CLUSTER, "steady", Failure::connector("underneath")));
    client
        .connect()
        .raw()
        .pause_connector(ENV, CLUSTER, "steady")
        .await
        .unwrap();
    assert_eq!(
        status(&client, "steady").await.connector.state,
        ConnectorState::Running
    );
    assert!(emu.clear_connector_script(ENV, CLUSTER, "steady"));
    let s = status(&client, "steady").await;
    assert_eq!(s.connector.state, ConnectorState::Failed);
    assert_eq!(s.connector.trace.as_deref(), Some("underneath"));
    // An empty script clears too.
    assert!(emu.script_connector(
        ENV,
        CLUSTER,
        "steady",
        Script::new().hold(ScriptedState::Paused)
    ));
    assert_eq!(
        status(&client, "steady").await.connector.state,
        ConnectorState::Paused
    );
    assert!(emu.script_connector(ENV, CLUSTER, "steady", Script::new()));
    assert_eq!(
        status(&client, "steady").await.connector.state,
        ConnectorState::Failed
    );
}

#[tokio::test(start_paused = true)]
async fn scripts_over_http() {
    let emu = instant_emulator().await;
    let client = client(&emu);
    let http = reqwest::Client::new();
    let control = |name: &str, what: &str| {
        format!(
            "{}/_emulator/connectors/{ENV}/{CLUSTER}/{name}/{what}",
            emu.base_url()
        )
    };

    let resp = http
        .put(control("http-made", "next-script"))
        .json(&json!({"steps": [
            {"state": "PROVISIONING", "for_ms": 1500},
            {"state": "FAILED", "trace": "bad credentials", "for_ms": 1000},
            {"state": "RUNNING"}
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    create(&client, "http-made", "1").await;
    assert_eq!(
        status(&client, "http-made").await.connector.state,
        ConnectorState::Provisioning
    );
    sleep_secs(1.5).await;
    let s = status(&client, "http-made").await;
    assert_eq!(s.connector.state, ConnectorState::Failed);
    assert_eq!(s.connector.trace.as_deref(), Some("bad credentials"));
    assert_eq!(s.tasks[0].msg.as_deref(), Some("bad credentials"));
    let inspected: Value = http
        .get(format!(
            "{}/_emulator/connectors/{ENV}/{CLUSTER}/http-made",
            emu.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(inspected["state"], "FAILED");
    sleep_secs(1.0).await;
    assert_eq!(
        status(&client, "http-made").await.connector.state,
        ConnectorState::Running
    );

    // On an existing connector: stuck in PROVISIONING, then cleared.
    let stuck = json!({"steps": [{"state": "PROVISIONING"}]});
    let resp = http
        .put(control("http-made", "script"))
        .json(&stuck)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    sleep_secs(3600.0).await;
    assert_eq!(
        status(&client, "http-made").await.connector.state,
        ConnectorState::Provisioning
    );
    let resp = http
        .delete(control("http-made", "script"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(
        status(&client, "http-made").await.connector.state,
        ConnectorState::Running
    );

    // Unknown connectors, nothing waiting, bad bodies.
    let resp = http
        .put(control("nope", "script"))
        .json(&stuck)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], 404, "{body}");
    assert_eq!(
        http.delete(control("nope", "script"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        http.delete(control("nope", "next-script"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    for bad in [
        json!({"steps": []}),
        json!({"steps": [{"state": "FAILED"}]}),
        json!({"steps": [{"state": "RUNNING"}, {"state": "PAUSED"}]}),
        json!({"steps": [{"state": "STOPPED"}]}),
    ] {
        let resp = http
            .put(control("http-made", "script"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{bad}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], 400, "{bad}: {body}");
    }
}

/// Scripts are timers, not acknowledged state: a restart from the state file shows the
/// connector's own lifecycle.
#[tokio::test]
async fn scripts_are_not_saved_in_the_state_file() {
    let dir = std::env::temp_dir().join(format!("emu-scripts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    let _ = std::fs::remove_file(&file);
    let start = || {
        Emulator::builder()
            .provisioning_delay(Duration::ZERO)
            .state_file(&file)
            .start()
    };
    let emu = start().await.unwrap();
    let client = client(&emu);
    create(&client, "kept", "1").await;
    assert!(emu.script_connector(ENV, CLUSTER, "kept", Script::stuck_provisioning()));
    emu.script_next_connector(ENV, CLUSTER, "later", Script::stuck_provisioning());
    // A change the state file acknowledges, after the scripts were set.
    create(&client, "written", "1").await;
    assert_eq!(
        status(&client, "kept").await.connector.state,
        ConnectorState::Provisioning
    );
    emu.stop().await;

    let emu = start().await.unwrap();
    let client = crate::support::client(&emu);
    assert_eq!(
        status(&client, "kept").await.connector.state,
        ConnectorState::Running
    );
    create(&client, "later", "1").await;
    assert_eq!(
        status(&client, "later").await.connector.state,
        ConnectorState::Running
    );
    emu.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
