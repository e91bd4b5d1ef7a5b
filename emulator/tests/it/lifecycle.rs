//! States a team must be able to test: injected connector and task failures and their
//! recovery, lifecycle delays with a stale status, a configuration PUT that provisions
//! again (and can fail), and the stored configuration read back unmasked.

use std::time::Duration;

use ccloud_connect::Client;
use ccloud_connect::ccpm;
use ccloud_connect::connect::{
    ConnectorConfig, ConnectorState, ConnectorStatus, CreateConnectorRequest, Expand,
};
use ccloud_connect_emulator::{Delays, Emulator, EmulatorHandle, Failure};
use serde_json::{Value, json};

use crate::support::*;

async fn instant_emulator() -> EmulatorHandle {
    Emulator::builder()
        .provisioning_delay(Duration::ZERO)
        .version_processing_delay(Duration::ZERO)
        .start()
        .await
        .unwrap()
}

async fn status(client: &Client, name: &str) -> ConnectorStatus {
    client
        .connect()
        .raw()
        .get_connector_status(ENV, CLUSTER, name)
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

fn states(s: &ConnectorStatus) -> Vec<(ConnectorState, Option<&str>)> {
    s.tasks
        .iter()
        .map(|t| (t.state.clone(), t.msg.as_deref()))
        .collect()
}

async fn restart(client: &Client, name: &str) {
    client
        .connect()
        .raw()
        .restart_connector(ENV, CLUSTER, name)
        .await
        .unwrap();
}

#[tokio::test]
async fn injected_failures_show_and_a_restart_heals_them() {
    let emu = instant_emulator().await;
    let client = client(&emu);
    let name = "failing";
    create(&client, name, "2").await;
    assert!(!emu.fail_connector(ENV, CLUSTER, "nope", Failure::connector("x")));
    assert!(!emu.recover_connector(ENV, CLUSTER, "nope"));

    // The whole connector: FAILED with the trace, and every task with it.
    assert!(emu.fail_connector(ENV, CLUSTER, name, Failure::connector("OOM")));
    let s = status(&client, name).await;
    assert_eq!(s.connector.state, ConnectorState::Failed);
    assert_eq!(s.connector.trace.as_deref(), Some("OOM"));
    assert_eq!(
        states(&s),
        [
            (ConnectorState::Failed, Some("OOM")),
            (ConnectorState::Failed, Some("OOM"))
        ]
    );
    restart(&client, name).await;
    let s = status(&client, name).await;
    assert_eq!(s.connector.state, ConnectorState::Running);
    assert_eq!(s.connector.trace.as_deref(), Some(""));
    assert_eq!(
        states(&s),
        [
            (ConnectorState::Running, None),
            (ConnectorState::Running, None)
        ]
    );

    // One task: the connector keeps RUNNING, as Kafka Connect shows it. The task is named
    // by the id the client's status gives it (an `i64`), with no conversion.
    let task = s.tasks[1].id;
    assert!(emu.fail_connector(ENV, CLUSTER, name, Failure::task(task, "task died")));
    let s = status(&client, name).await;
    assert_eq!(s.connector.state, ConnectorState::Running);
    assert_eq!(
        states(&s),
        [
            (ConnectorState::Running, None),
            (ConnectorState::Failed, Some("task died"))
        ]
    );
    restart(&client, name).await;
    let s = status(&client, name).await;
    assert_eq!(states(&s)[1], (ConnectorState::Running, None));

    // A persistent failure comes back after a restart, with the same trace, until
    // recovered.
    let stuck = Failure::connector("bad credentials").persistent(true);
    assert!(emu.fail_connector(ENV, CLUSTER, name, stuck));
    restart(&client, name).await;
    let s = status(&client, name).await;
    assert_eq!(s.connector.state, ConnectorState::Failed);
    assert_eq!(s.connector.trace.as_deref(), Some("bad credentials"));
    assert!(emu.recover_connector(ENV, CLUSTER, name));
    let s = status(&client, name).await;
    assert_eq!(s.connector.state, ConnectorState::Running);
    assert_eq!(states(&s).len(), 2);
}

#[tokio::test]
async fn failures_over_http() {
    let emu = instant_emulator().await;
    let client = client(&emu);
    let name = "http-failing";
    create(&client, name, "2").await;
    let http = reqwest::Client::new();
    let control = format!(
        "{}/_emulator/connectors/{ENV}/{CLUSTER}/{name}",
        emu.base_url()
    );

    let resp = http
        .post(format!("{control}/fail"))
        .json(&json!({"trace": "task 0 died", "task": 0, "persistent": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let s = status(&client, name).await;
    assert_eq!(s.connector.state, ConnectorState::Running);
    assert_eq!(states(&s)[0], (ConnectorState::Failed, Some("task 0 died")));
    restart(&client, name).await;
    let s = status(&client, name).await;
    assert_eq!(
        states(&s)[0],
        (ConnectorState::Failed, Some("task 0 died")),
        "persistent"
    );
    let resp = http
        .post(format!("{control}/recover"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(
        states(&status(&client, name).await)[0],
        (ConnectorState::Running, None)
    );

    // Only the trace is required; a restart heals by default.
    let resp = http
        .post(format!("{control}/fail"))
        .body(r#"{"trace": "boom"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(
        status(&client, name).await.connector.state,
        ConnectorState::Failed
    );
    restart(&client, name).await;
    assert_eq!(
        status(&client, name).await.connector.state,
        ConnectorState::Running
    );

    // Unknown connectors and bad bodies answer in the connect/v1 error shape.
    let unknown = format!(
        "{}/_emulator/connectors/{ENV}/{CLUSTER}/nope/fail",
        emu.base_url()
    );
    let resp = http
        .post(&unknown)
        .json(&json!({"trace": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], 404, "{body}");
    let resp = http
        .post(unknown.replace("/fail", "/recover"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    for bad in [
        "",
        "{",
        r#"{"task": 1}"#,
        r#"{"trace": "x", "task": -1}"#,
        r#"{"trace": "x", "task": "one"}"#,
        r#"{"trace": "x", "persist": true}"#,
    ] {
        let resp = http
            .post(format!("{control}/fail"))
            .body(bad)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{bad}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], 400, "{bad}: {body}");
    }
}

#[tokio::test]
async fn control_endpoints_need_the_configured_credentials() {
    let emu = Emulator::builder()
        .credentials("KEY", "SECRET")
        .start()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    for (method, path) in [
        ("POST", format!("connectors/{ENV}/{CLUSTER}/c/fail")),
        ("POST", format!("connectors/{ENV}/{CLUSTER}/c/recover")),
        ("GET", format!("connectors/{ENV}/{CLUSTER}/c")),
        ("GET", "delays".to_owned()),
        ("PUT", "delays".to_owned()),
        ("PUT", "rate-limit".to_owned()),
        ("DELETE", "rate-limit".to_owned()),
    ] {
        let url = format!("{}/_emulator/{path}", emu.base_url());
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let resp = http.request(method, &url).send().await.unwrap();
        assert_eq!(resp.status(), 401, "{url}");
    }
}

// Paused time: the delays pass exactly when the test sleeps, whatever the machine's load.
#[tokio::test(start_paused = true)]
async fn lifecycle_delays_and_the_stale_status_window() {
    let emu = Emulator::builder()
        .provisioning_delay(Duration::ZERO)
        .restart_delay(Duration::from_secs(3))
        .pause_delay(Duration::from_secs(2))
        .resume_delay(Duration::from_secs(2))
        .stale_status_window(Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    let client = client(&emu);
    let name = "slow";
    create(&client, name, "1").await;
    let api = client.connect();
    let state = |s: ConnectorStatus| s.connector.state;
    let listed = || async {
        let all = api
            .cluster(ENV, CLUSTER)
            .connectors(Expand::STATUS)
            .await
            .unwrap();
        all[name].status.as_ref().unwrap().connector.state.clone()
    };
    assert_eq!(state(status(&client, name).await), ConnectorState::Running);

    // Pause: stale RUNNING, then still RUNNING for the pause delay, then PAUSED.
    api.raw().pause_connector(ENV, CLUSTER, name).await.unwrap();
    tokio::time::sleep(ms(500)).await;
    assert_eq!(state(status(&client, name).await), ConnectorState::Running);
    assert_eq!(listed().await, ConnectorState::Running);
    tokio::time::sleep(ms(1000)).await;
    assert_eq!(state(status(&client, name).await), ConnectorState::Running);
    tokio::time::sleep(ms(2000)).await;
    assert_eq!(state(status(&client, name).await), ConnectorState::Paused);
    assert_eq!(listed().await, ConnectorState::Paused);

    // Resume: stale PAUSED, then still PAUSED for the resume delay, then RUNNING.
    api.raw()
        .resume_connector(ENV, CLUSTER, name)
        .await
        .unwrap();
    tokio::time::sleep(ms(500)).await;
    assert_eq!(state(status(&client, name).await), ConnectorState::Paused);
    tokio::time::sleep(ms(1000)).await;
    assert_eq!(state(status(&client, name).await), ConnectorState::Paused);
    tokio::time::sleep(ms(2000)).await;
    assert_eq!(state(status(&client, name).await), ConnectorState::Running);

    // Restart: stale RUNNING, then PROVISIONING for the restart delay, then RUNNING.
    restart(&client, name).await;
    tokio::time::sleep(ms(500)).await;
    assert_eq!(state(status(&client, name).await), ConnectorState::Running);
    assert_eq!(listed().await, ConnectorState::Running);
    tokio::time::sleep(ms(1000)).await;
    let s = status(&client, name).await;
    assert_eq!(s.connector.state, ConnectorState::Provisioning);
    assert!(s.tasks.is_empty());
    tokio::time::sleep(ms(3000)).await;
    assert_eq!(state(status(&client, name).await), ConnectorState::Running);

    // The delays change at run time; zero delays are instant again.
    emu.set_delays(Delays::instant());
    assert_eq!(emu.delays(), Delays::instant());
    api.raw().pause_connector(ENV, CLUSTER, name).await.unwrap();
    assert_eq!(state(status(&client, name).await), ConnectorState::Paused);
    restart(&client, name).await;
    assert_eq!(state(status(&client, name).await), ConnectorState::Paused);
    api.raw()
        .resume_connector(ENV, CLUSTER, name)
        .await
        .unwrap();
    assert_eq!(state(status(&client, name).await), ConnectorState::Running);
}

#[tokio::test]
async fn delays_over_http() {
    let emu = emulator().await;
    let http = reqwest::Client::new();
    let url = format!("{}/_emulator/delays", emu.base_url());
    let got: Value = http.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        got,
        json!({"provisioning_ms": 300, "restart_ms": 300, "pause_ms": 0, "resume_ms": 0, "stale_status_ms": 0})
    );
    let resp = http
        .put(&url)
        .json(&json!({"pause_ms": 1500, "stale_status_ms": 250}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let got: Value = http.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["pause_ms"], 1500);
    assert_eq!(got["stale_status_ms"], 250);
    assert_eq!(got["provisioning_ms"], 300, "missing keys are unchanged");
    let d = emu.delays();
    assert_eq!(
        (d.pause, d.stale_status, d.restart),
        (ms(1500), ms(250), ms(300))
    );
    for bad in [
        r#"{"pause_ms": "x"}"#,
        r#"{"pause_ms": -1}"#,
        r#"{"pause": 1}"#,
        "[]",
    ] {
        let resp = http.put(&url).body(bad).send().await.unwrap();
        assert_eq!(resp.status(), 400, "{bad}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], 400, "{bad}: {body}");
    }
    // Absurd delays mean "never", not a panic.
    let resp = http
        .put(&url)
        .json(&json!({"pause_ms": u64::MAX, "stale_status_ms": u64::MAX, "provisioning_ms": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let client = client(&emu);
    create(&client, "never-paused", "1").await;
    client
        .connect()
        .raw()
        .pause_connector(ENV, CLUSTER, "never-paused")
        .await
        .unwrap();
    assert_eq!(
        status(&client, "never-paused").await.connector.state,
        ConnectorState::Running
    );
}

/// A custom connector on a ccpm plugin whose version 1.0.0 is READY and 2.0.0 FAILED.
async fn ccpm_plugin_with_versions(client: &Client) -> String {
    let api = client.ccpm();
    let id = api
        .raw()
        .create_plugin(&ccpm_plugin("reprovision", ENV))
        .await
        .unwrap()
        .id
        .unwrap();
    let good = ccpm_upload(client, ENV, &tiny_zip()).await;
    let junk = ccpm_upload(client, ENV, b"not an archive").await;
    for (version, upload) in [("1.0.0", &good), ("2.0.0", &junk)] {
        api.raw()
            .create_plugin_version(&id, &ccpm_version(version, ENV, upload))
            .await
            .unwrap();
    }
    let versions = api
        .environment(ENV)
        .plugin(&id)
        .versions()
        .all()
        .await
        .unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| v.status.as_ref().unwrap().phase.clone())
            .collect::<Vec<_>>(),
        [
            ccpm::PluginVersionPhase::Ready,
            ccpm::PluginVersionPhase::Failed
        ]
    );
    id
}

#[tokio::test(start_paused = true)]
async fn a_config_put_provisions_again_and_can_fail() {
    let emu = Emulator::builder()
        .provisioning_delay(Duration::from_secs(1))
        .version_processing_delay(Duration::ZERO)
        .start()
        .await
        .unwrap();
    let client = client(&emu);
    let api = client.connect();
    let name = "reconfigured";
    create(&client, name, "1").await;
    tokio::time::sleep(ms(1100)).await;
    assert_eq!(
        status(&client, name).await.connector.state,
        ConnectorState::Running
    );
    // An injected failure that is not persistent goes with the old configuration.
    emu.fail_connector(ENV, CLUSTER, name, Failure::connector("old"));

    let put = |config: ConnectorConfig| {
        let api = api.clone();
        async move {
            api.raw()
                .put_connector_config(ENV, CLUSTER, name, &config)
                .await
                .unwrap()
        }
    };
    let mut config = s3_sink_request(name, "1").config.unwrap();
    config.0.insert("time.interval".into(), "DAILY".into());
    put(config.clone()).await;
    assert_eq!(
        status(&client, name).await.connector.state,
        ConnectorState::Provisioning
    );
    tokio::time::sleep(ms(1100)).await;
    let s = status(&client, name).await;
    assert_eq!(s.connector.state, ConnectorState::Running);
    assert_eq!(s.connector.trace.as_deref(), Some(""));

    // An invalid value, checked as on create: accepted, then FAILED with a trace.
    config.0.insert("flush.size".into(), "10".into());
    put(config).await;
    assert_eq!(
        status(&client, name).await.connector.state,
        ConnectorState::Provisioning
    );
    tokio::time::sleep(ms(1100)).await;
    let s = status(&client, name).await;
    assert_eq!(s.connector.state, ConnectorState::Failed);
    assert!(s.connector.trace.unwrap().contains("flush.size"));

    // A ccpm plugin version that does not exist or FAILED.
    let plugin = ccpm_plugin_with_versions(&client).await;
    let custom = "custom-reconfigured";
    let custom_config = |version: Option<&str>| {
        let mut config = json!({
            "name": custom, "confluent.connector.type": "CUSTOM",
            "confluent.custom.plugin.id": plugin, "kafka.api.key": "K", "kafka.api.secret": "S",
            "db.secret.dsn": "dsn"
        });
        if let Some(v) = version {
            config["confluent.custom.plugin.version"] = json!(v);
        }
        serde_json::from_value::<ConnectorConfig>(config).unwrap()
    };
    let request: CreateConnectorRequest =
        serde_json::from_value(json!({"name": custom, "config": custom_config(Some("1.0.0"))}))
            .unwrap();
    api.raw()
        .create_connector(ENV, CLUSTER, &request)
        .await
        .unwrap();
    tokio::time::sleep(ms(1100)).await;
    assert_eq!(
        status(&client, custom).await.connector.state,
        ConnectorState::Running
    );
    assert_eq!(
        emu.connector_plugin_version(ENV, CLUSTER, custom)
            .as_deref(),
        Some("1.0.0")
    );
    for (version, expected) in [
        ("9.9.9", "has no version 9.9.9"),
        ("2.0.0", "invalid plugin archive"),
    ] {
        api.raw()
            .put_connector_config(ENV, CLUSTER, custom, &custom_config(Some(version)))
            .await
            .unwrap();
        assert_eq!(
            status(&client, custom).await.connector.state,
            ConnectorState::Provisioning
        );
        tokio::time::sleep(ms(1100)).await;
        let s = status(&client, custom).await;
        assert_eq!(s.connector.state, ConnectorState::Failed, "{version}");
        assert!(
            s.connector.trace.as_deref().unwrap().contains(expected),
            "{version}: {s:?}"
        );
    }
    // No version named: the latest READY one (2.0.0 FAILED).
    api.raw()
        .put_connector_config(ENV, CLUSTER, custom, &custom_config(None))
        .await
        .unwrap();
    tokio::time::sleep(ms(1100)).await;
    assert_eq!(
        status(&client, custom).await.connector.state,
        ConnectorState::Running
    );
    assert_eq!(
        emu.connector_plugin_version(ENV, CLUSTER, custom)
            .as_deref(),
        Some("1.0.0")
    );
}

#[tokio::test]
async fn stored_configs_read_back_unmasked() {
    let emu = instant_emulator().await;
    let client = client(&emu);
    let name = "inspected";
    create(&client, name, "1").await;
    assert!(emu.connector_config(ENV, CLUSTER, "nope").is_none());
    assert!(emu.connector_plugin_version(ENV, CLUSTER, "nope").is_none());
    let config = emu.connector_config(ENV, CLUSTER, name).unwrap();
    assert_eq!(config["aws.secret.access.key"], "aws-secret");
    assert_eq!(config["kafka.api.secret"], "kafka-secret");
    assert!(
        !config.contains_key("kafka.endpoint"),
        "only what was stored, not the keys the API adds"
    );
    assert_eq!(emu.connector_plugin_version(ENV, CLUSTER, name), None);

    let http = reqwest::Client::new();
    let url = format!(
        "{}/_emulator/connectors/{ENV}/{CLUSTER}/{name}",
        emu.base_url()
    );
    let got: Value = http.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        got["config"]["aws.secret.access.key"], "aws-secret",
        "{got}"
    );
    assert_eq!(got["plugin_version"], Value::Null);
    assert_eq!(got["state"], "RUNNING");
    let resp = http.get(url.replace(name, "nope")).send().await.unwrap();
    assert_eq!(resp.status(), 404);

    // A custom connector on a ccpm plugin reports the version it runs.
    let plugin = ccpm_plugin_with_versions(&client).await;
    let request: CreateConnectorRequest =
        serde_json::from_value(json!({"name": "on-ccpm", "config": {
            "name": "on-ccpm", "confluent.connector.type": "CUSTOM",
            "confluent.custom.plugin.id": plugin, "kafka.api.key": "K", "kafka.api.secret": "S"
        }}))
        .unwrap();
    client
        .connect()
        .raw()
        .create_connector(ENV, CLUSTER, &request)
        .await
        .unwrap();
    let got: Value = http
        .get(url.replace(name, "on-ccpm"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["plugin_version"], "1.0.0", "{got}");
}

/// A task failure must name a task the connector runs: otherwise it is a `404` that names
/// the tasks there are, and nothing changes.
#[tokio::test]
async fn failing_a_task_that_does_not_exist_is_404_naming_the_tasks() {
    let emu = instant_emulator().await;
    let client = client(&emu);
    create(&client, "two-tasks", "2").await;
    create(&client, "one-task", "1").await;
    let http = reqwest::Client::new();
    let fail = |name: &str, task: i64| {
        http.post(format!(
            "{}/_emulator/connectors/{ENV}/{CLUSTER}/{name}/fail",
            emu.base_url()
        ))
        .json(&json!({"trace": "gone", "task": task}))
        .send()
    };

    let resp = fail("two-tasks", 2).await.unwrap();
    assert_eq!(resp.status(), 404);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], 404, "{body}");
    assert_eq!(
        body["error"]["message"], "Connector two-tasks has no task 2: its tasks are 0, 1",
        "{body}"
    );
    let resp = fail("one-task", 7).await.unwrap();
    assert_eq!(resp.status(), 404);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["error"]["message"], "Connector one-task has no task 7: its only task is 0",
        "{body}"
    );
    let s = status(&client, "two-tasks").await;
    assert_eq!(
        states(&s),
        [
            (ConnectorState::Running, None),
            (ConnectorState::Running, None)
        ],
        "a refused failure changes nothing"
    );
    assert!(!emu.fail_connector(ENV, CLUSTER, "two-tasks", Failure::task(2, "x")));

    // The last task exists.
    assert_eq!(fail("two-tasks", 1).await.unwrap().status(), 204);
    let s = status(&client, "two-tasks").await;
    assert_eq!(states(&s)[1], (ConnectorState::Failed, Some("gone")));
}
