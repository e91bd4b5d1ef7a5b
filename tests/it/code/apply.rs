//! Applies against the seeded emulator: the stored secrets survive an update, a second plan
//! is empty, creates need their secrets, pruning deletes exactly what left, flapping
//! connectors are tolerated, and the error policy is followed.

use std::num::NonZeroUsize;
use std::time::Duration;

use ccloud_connect::code::{ApplyOutcome, DesiredState, OnError, PlanOptions, ResendSecrets};
use ccloud_connect_emulator::{Script, ScriptedState};

use super::plan::assert_no_secrets;
use super::{CLUSTER, ENV, TempDir, cluster, export_into, quick, seeded};

fn no_vars(_: &str) -> Option<String> {
    None
}

const NEW_CONNECTOR: &str = r#"{"name": "clicks", "config": {"connector.class": "DatagenSource",
    "kafka.api.key": "${CLICKS_KEY}", "kafka.api.secret": "${CLICKS_SECRET}",
    "kafka.topic": "clicks", "output.data.format": "JSON", "quickstart": "PAGEVIEWS",
    "tasks.max": "1"}}"#;

#[tokio::test]
async fn apply_keeps_the_stored_secrets_and_a_second_plan_is_empty() {
    let emulator = seeded().await;
    let cluster = cluster(&emulator);
    let before = emulator
        .connector_config(ENV, CLUSTER, "pageviews-to-s3")
        .unwrap();
    let dir = TempDir::new("apply");
    export_into(&cluster, &dir.0).await;
    let path = dir.0.join("pageviews-to-s3.json");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"flush.size\": \"1000\"", "\"flush.size\": \"2000\"");
    std::fs::write(&path, text).unwrap();
    let desired = DesiredState::from_dir_with(&dir.0, no_vars).unwrap();
    let plan = cluster.plan(&desired).await.unwrap();
    let report = plan.apply(&quick()).await.unwrap();
    assert!(report.succeeded(), "{report}");
    assert_eq!(report.connectors.len(), 1);
    assert!(
        matches!(&report.connectors[0].outcome, ApplyOutcome::Done { state: Some(s) } if s == "RUNNING"),
        "{report}"
    );
    let shown = report.to_string();
    assert!(
        shown.contains("ok      update \"pageviews-to-s3\": RUNNING"),
        "{shown}"
    );
    assert_no_secrets(&shown);
    assert_no_secrets(&serde_json::to_string(&report).unwrap());

    let after = emulator
        .connector_config(ENV, CLUSTER, "pageviews-to-s3")
        .unwrap();
    assert_eq!(after["flush.size"], "2000");
    let mut expected = before.clone();
    expected.insert("flush.size".into(), "2000".into());
    assert_eq!(
        after, expected,
        "only flush.size changed; secrets as stored"
    );

    let again = cluster.plan(&desired).await.unwrap();
    assert!(!again.has_changes(), "{again}");
}

#[tokio::test]
async fn a_create_needs_every_secret_and_sends_nothing_without() {
    let emulator = seeded().await;
    let cluster = cluster(&emulator);
    let dir = TempDir::new("create");
    dir.write("clicks.json", NEW_CONNECTOR);
    let desired =
        DesiredState::from_dir_with(&dir.0, |v| (v == "CLICKS_KEY").then(|| "K".to_owned()))
            .unwrap();
    let plan = cluster.plan(&desired).await.unwrap();
    let planned = plan.connector("clicks").unwrap();
    assert_eq!(planned.unset_variables, ["CLICKS_SECRET"]);
    assert!(
        plan.to_string()
            .contains("unset secret variables: CLICKS_SECRET"),
        "{plan}"
    );
    let e = plan.apply(&quick()).await.unwrap_err();
    assert!(e.is_validation(), "{e:?}");
    assert!(e.to_string().contains("CLICKS_SECRET"), "{e}");
    assert!(e.to_string().contains("nothing was sent"), "{e}");
    assert_eq!(emulator.connector_config(ENV, CLUSTER, "clicks"), None);

    let desired = DesiredState::from_dir_with(&dir.0, |v| Some(format!("{v}-value"))).unwrap();
    let plan = cluster.plan(&desired).await.unwrap();
    let report = plan.apply(&quick()).await.unwrap();
    assert!(report.succeeded(), "{report}");
    let stored = emulator.connector_config(ENV, CLUSTER, "clicks").unwrap();
    assert_eq!(stored["kafka.api.secret"], "CLICKS_SECRET-value");
    assert!(!cluster.plan(&desired).await.unwrap().has_changes());
}

#[tokio::test]
async fn require_secrets_refuses_an_update_that_would_keep_one() {
    let emulator = seeded().await;
    let cluster = cluster(&emulator);
    let dir = TempDir::new("require");
    export_into(&cluster, &dir.0).await;
    let path = dir.0.join("pageviews-source.json");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"tasks.max\": \"1\"", "\"tasks.max\": \"2\"");
    std::fs::write(&path, text).unwrap();
    let desired = DesiredState::from_dir_with(&dir.0, no_vars).unwrap();
    let plan = cluster.plan(&desired).await.unwrap();
    let e = plan
        .apply(&quick().require_secrets(true))
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("PAGEVIEWS_SOURCE_KAFKA_API_SECRET"),
        "{e}"
    );
    assert_eq!(
        emulator
            .connector_config(ENV, CLUSTER, "pageviews-source")
            .unwrap()["tasks.max"],
        "1"
    );
}

#[tokio::test]
async fn rotation_sends_the_new_secret_to_every_connector_that_uses_it() {
    let emulator = seeded().await;
    let cluster = cluster(&emulator);
    let dir = TempDir::new("rotate");
    export_into(&cluster, &dir.0).await;
    // The documented recipe: every file names the shared variables, then resend.
    for entry in std::fs::read_dir(&dir.0).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        value["config"]["kafka.api.key"] = "${KAFKA_API_KEY}".into();
        value["config"]["kafka.api.secret"] = "${KAFKA_API_SECRET}".into();
        std::fs::write(&path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    }
    let lookup = |v: &str| match v {
        "KAFKA_API_KEY" => Some("NEWKEY".to_owned()),
        "KAFKA_API_SECRET" => Some("new-kafka-secret".to_owned()),
        _ => None,
    };
    let desired = DesiredState::from_dir_with(&dir.0, lookup).unwrap();
    assert!(!cluster.plan(&desired).await.unwrap().has_changes());
    let plan = cluster
        .plan_with(
            &desired,
            &PlanOptions::new().resend_secrets(ResendSecrets::All),
        )
        .await
        .unwrap();
    assert_eq!(plan.count("update"), 4, "{plan}");
    let report = plan.apply(&quick()).await.unwrap();
    assert!(report.succeeded(), "{report}");
    for name in [
        "pageviews-source",
        "pageviews-to-s3",
        "custom-datagen_0",
        "orders-from-postgres",
    ] {
        let stored = emulator.connector_config(ENV, CLUSTER, name).unwrap();
        assert_eq!(stored["kafka.api.key"], "NEWKEY", "{name}");
        assert_eq!(stored["kafka.api.secret"], "new-kafka-secret", "{name}");
    }
    // The other secrets, whose variables are unset, are kept.
    let s3 = emulator
        .connector_config(ENV, CLUSTER, "pageviews-to-s3")
        .unwrap();
    assert_eq!(s3["aws.secret.access.key"], "seed-aws-secret");
}

#[tokio::test]
async fn prune_deletes_exactly_the_connector_whose_file_went() {
    let emulator = seeded().await;
    let cluster = cluster(&emulator);
    let dir = TempDir::new("prune");
    export_into(&cluster, &dir.0).await;
    std::fs::remove_file(dir.0.join("custom-datagen_0.json")).unwrap();
    let desired = DesiredState::from_dir_with(&dir.0, no_vars).unwrap();
    let plan = cluster
        .plan_with(&desired, &PlanOptions::new().prune(true))
        .await
        .unwrap();
    let report = plan.apply(&quick()).await.unwrap();
    assert!(report.succeeded(), "{report}");
    assert_eq!(report.connectors.len(), 1);
    assert_eq!(report.connectors[0].action, "delete");
    let mut names = cluster.connector_names().await.unwrap();
    names.sort();
    assert_eq!(
        names,
        [
            "orders-from-postgres",
            "pageviews-source",
            "pageviews-to-s3"
        ]
    );
}

fn with_new(dir: &TempDir, names: &[&str]) -> DesiredState {
    for name in names {
        dir.write(
            &format!("{name}.json"),
            &NEW_CONNECTOR.replace("\"clicks\"", &format!("\"{name}\"")),
        );
    }
    DesiredState::from_dir_with(&dir.0, |v| Some(format!("{v}-value"))).unwrap()
}

#[tokio::test]
async fn a_connector_that_flaps_after_create_is_not_a_failure() {
    let emulator = seeded().await;
    let cluster = cluster(&emulator);
    emulator.script_next_connector(
        ENV,
        CLUSTER,
        "flappy",
        Script::new()
            .then(ScriptedState::Provisioning, Duration::from_millis(100))
            .then(ScriptedState::failed("boom"), Duration::from_millis(300))
            .hold(ScriptedState::Running),
    );
    let dir = TempDir::new("flap");
    let desired = with_new(&dir, &["flappy"]);
    let report = cluster
        .plan(&desired)
        .await
        .unwrap()
        .apply(&quick())
        .await
        .unwrap();
    assert!(report.succeeded(), "{report}");
}

#[tokio::test]
async fn the_error_policy_stops_or_goes_on() {
    for (policy, second) in [(OnError::Stop, "skipped"), (OnError::Continue, "ok")] {
        let emulator = seeded().await;
        let cluster = cluster(&emulator);
        emulator.script_next_connector(
            ENV,
            CLUSTER,
            "a-broken",
            Script::new().hold(ScriptedState::failed("java.lang.OutOfMemoryError")),
        );
        let dir = TempDir::new("policy");
        let desired = with_new(&dir, &["a-broken", "b-fine"]);
        let options = quick()
            .on_error(policy)
            .concurrency(NonZeroUsize::new(1).unwrap())
            .waits(
                ccloud_connect::wait::WaitOptions::new(
                    Duration::from_millis(20),
                    Duration::from_secs(5),
                )
                .tolerate_failed(Duration::from_millis(200)),
            );
        let report = cluster
            .plan(&desired)
            .await
            .unwrap()
            .apply(&options)
            .await
            .unwrap();
        assert!(!report.succeeded());
        let shown = report.to_string();
        assert!(shown.contains("FAILED  create \"a-broken\""), "{shown}");
        assert!(shown.contains("OutOfMemoryError"), "{shown}");
        assert!(
            shown.contains(&format!("{second:<7} create \"b-fine\"")),
            "{shown}"
        );
        let json: serde_json::Value = serde_json::to_value(&report).unwrap();
        assert_eq!(json["connectors"][0]["outcome"], "failed");
    }
}
