//! Plans against the seeded emulator: export then plan is empty, a changed key is named, a
//! rename is a create (and with pruning a delete), secrets are never shown nor compared.

use std::collections::BTreeSet;

use ccloud_connect::code::{Action, DesiredState, PlanOptions, ResendSecrets};

use super::{SEED_SECRETS, TempDir, cluster, export_into, seeded};

fn no_vars(_: &str) -> Option<String> {
    None
}

/// Panics when a text holds a secret value of the seed or a mask.
pub fn assert_no_secrets(text: &str) {
    for secret in SEED_SECRETS {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert!(!text.contains("**"), "a mask in {text}");
}

#[tokio::test]
async fn export_then_plan_has_nothing_to_do() {
    let emulator = seeded().await;
    let cluster = cluster(&emulator);
    let dir = TempDir::new("export");
    export_into(&cluster, &dir.0).await;
    let mut names: Vec<String> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "custom-datagen_0.json",
            "orders-from-postgres.json",
            "pageviews-source.json",
            "pageviews-to-s3.json"
        ]
    );
    for name in &names {
        let text = std::fs::read_to_string(dir.0.join(name)).unwrap();
        assert_no_secrets(&text);
        for key in ["kafka.endpoint", "cloud.provider", "schema.registry.url"] {
            assert!(!text.contains(key), "{key} exported in {text}");
        }
    }
    let s3 = std::fs::read_to_string(dir.0.join("pageviews-to-s3.json")).unwrap();
    assert!(
        s3.contains("\"${PAGEVIEWS_TO_S3_AWS_SECRET_ACCESS_KEY}\""),
        "{s3}"
    );
    let custom = std::fs::read_to_string(dir.0.join("custom-datagen_0.json")).unwrap();
    assert!(
        custom.contains("${CUSTOM_DATAGEN_0_DB_CONN_STRING}"),
        "{custom}"
    );
    assert!(!custom.contains("connector.class"), "{custom}");

    let desired = DesiredState::from_dir_with(&dir.0, no_vars).unwrap();
    let plan = cluster
        .plan_with(&desired, &PlanOptions::new().prune(true))
        .await
        .unwrap();
    assert!(!plan.has_changes(), "{plan}");
    assert_eq!(plan.count("unchanged"), 4, "{plan}");
    assert!(plan.to_string().contains("No changes"), "{plan}");
}

#[tokio::test]
async fn a_changed_key_is_an_update_that_names_the_connector_and_key() {
    let emulator = seeded().await;
    let cluster = cluster(&emulator);
    let dir = TempDir::new("change");
    export_into(&cluster, &dir.0).await;
    let path = dir.0.join("pageviews-to-s3.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .replace("\"flush.size\": \"1000\"", "\"flush.size\": \"2000\"")
        .replace("\"time.interval\": \"HOURLY\",", "");
    std::fs::write(&path, text).unwrap();
    let desired = DesiredState::from_dir_with(&dir.0, no_vars).unwrap();
    let plan = cluster.plan(&desired).await.unwrap();
    assert!(plan.has_changes());
    let planned = plan.connector("pageviews-to-s3").unwrap();
    let Action::Update {
        added,
        changed,
        removed,
        secrets_sent,
        secrets_kept,
    } = &planned.action
    else {
        panic!("{plan}");
    };
    assert!(added.is_empty());
    assert_eq!(changed.len(), 1);
    assert_eq!(
        (
            changed[0].key.as_str(),
            changed[0].from.as_str(),
            changed[0].to.as_str()
        ),
        ("flush.size", "1000", "2000")
    );
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].key, "time.interval");
    assert!(secrets_sent.is_empty());
    let kept: BTreeSet<&str> = secrets_kept.iter().map(|k| k.key.as_str()).collect();
    assert_eq!(
        kept,
        BTreeSet::from([
            "aws.access.key.id",
            "aws.secret.access.key",
            "kafka.api.key",
            "kafka.api.secret"
        ])
    );
    assert_eq!(planned.unset_variables.len(), 4);
    assert_eq!(plan.count("update"), 1);
    assert_eq!(plan.count("unchanged"), 3);
    let shown = plan.to_string();
    assert!(shown.contains("~ update \"pageviews-to-s3\""), "{shown}");
    assert!(
        shown.contains("~ flush.size: \"1000\" -> \"2000\""),
        "{shown}"
    );
    assert!(
        shown.contains("- time.interval (was \"HOURLY\")"),
        "{shown}"
    );
    assert_no_secrets(&shown);
    let json = serde_json::to_string(&plan).unwrap();
    assert_no_secrets(&json);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let s3 = value["connectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "pageviews-to-s3")
        .unwrap();
    assert_eq!(s3["action"], "update");
    assert_eq!(s3["changed"][0]["key"], "flush.size");
    assert_no_secrets(&format!("{plan:?}"));
}

#[tokio::test]
async fn secret_values_are_never_shown_nor_a_change_by_themselves() {
    let emulator = seeded().await;
    let cluster = cluster(&emulator);
    let dir = TempDir::new("secrets");
    export_into(&cluster, &dir.0).await;
    // Every variable set, to values a leak would show.
    let desired =
        DesiredState::from_dir_with(&dir.0, |v| Some(format!("leaked-{v}-value"))).unwrap();
    let plan = cluster.plan(&desired).await.unwrap();
    assert!(!plan.has_changes(), "{plan}");
    // Rotation is explicit: all connectors whose variables are set become updates.
    let plan = cluster
        .plan_with(
            &desired,
            &PlanOptions::new().resend_secrets(ResendSecrets::All),
        )
        .await
        .unwrap();
    assert_eq!(plan.count("update"), 4, "{plan}");
    let Action::Update { secrets_sent, .. } = &plan.connector("pageviews-source").unwrap().action
    else {
        panic!("{plan}");
    };
    assert_eq!(secrets_sent.len(), 2);
    for text in [
        plan.to_string(),
        serde_json::to_string(&plan).unwrap(),
        format!("{plan:?}"),
        format!("{desired:?}"),
    ] {
        assert!(!text.contains("leaked-"), "{text}");
        assert_no_secrets(&text);
    }
    assert!(
        plan.to_string()
            .contains("secrets sent: kafka.api.key (${PAGEVIEWS_SOURCE_KAFKA_API_KEY})"),
        "{plan}"
    );
    // One connector only; an unknown name is refused.
    let only = ResendSecrets::Only(BTreeSet::from(["pageviews-source".to_owned()]));
    let plan = cluster
        .plan_with(&desired, &PlanOptions::new().resend_secrets(only))
        .await
        .unwrap();
    assert_eq!(plan.count("update"), 1, "{plan}");
    let unknown = ResendSecrets::Only(BTreeSet::from(["nope".to_owned()]));
    let e = cluster
        .plan_with(&desired, &PlanOptions::new().resend_secrets(unknown))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
    // Without their variables, resending has nothing to send: unchanged.
    let unset = DesiredState::from_dir_with(&dir.0, no_vars).unwrap();
    let plan = cluster
        .plan_with(
            &unset,
            &PlanOptions::new().resend_secrets(ResendSecrets::All),
        )
        .await
        .unwrap();
    assert!(!plan.has_changes(), "{plan}");
}

#[tokio::test]
async fn a_rename_is_a_create_and_with_prune_a_delete() {
    let emulator = seeded().await;
    let cluster = cluster(&emulator);
    let dir = TempDir::new("rename");
    export_into(&cluster, &dir.0).await;
    let path = dir.0.join("pageviews-source.json");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "\"name\": \"pageviews-source\"",
        "\"name\": \"pageviews-renamed\"",
    );
    std::fs::write(&path, text).unwrap();
    let desired = DesiredState::from_dir_with(&dir.0, no_vars).unwrap();

    let plan = cluster.plan(&desired).await.unwrap();
    let created = plan.connector("pageviews-renamed").unwrap();
    assert!(matches!(created.action, Action::Create { .. }), "{plan}");
    assert_eq!(created.renamed_from.as_deref(), Some("pageviews-source"));
    let old = plan.connector("pageviews-source").unwrap();
    assert_eq!(old.action, Action::NotManaged);
    assert_eq!(old.renamed_to.as_deref(), Some("pageviews-renamed"));
    let shown = plan.to_string();
    assert!(
        shown.contains("looks like a rename of \"pageviews-source\""),
        "{shown}"
    );
    assert!(
        shown.contains("unset secret variables: PAGEVIEWS_SOURCE_KAFKA_API_KEY, PAGEVIEWS_SOURCE_KAFKA_API_SECRET"),
        "{shown}"
    );

    let plan = cluster
        .plan_with(&desired, &PlanOptions::new().prune(true))
        .await
        .unwrap();
    assert_eq!(
        plan.connector("pageviews-source").unwrap().action,
        Action::Delete
    );
    assert_eq!(plan.count("delete"), 1);
    assert_eq!(plan.count("create"), 1);
    assert!(
        plan.to_string().contains("- delete \"pageviews-source\""),
        "{plan}"
    );
}

#[tokio::test]
async fn the_keys_the_server_adds_are_never_a_change() {
    // A desired state built in code, plain values only, against a connector read back with
    // every server key: unchanged.
    let emulator = seeded().await;
    let cluster = cluster(&emulator);
    let spec = ccloud_connect::connect::ConnectorSpec::managed("pageviews-source", "DatagenSource")
        .kafka_api_key("SEEDKEY")
        .kafka_api_secret("seed-kafka-secret")
        .set("kafka.topic", "pageviews")
        .set("output.data.format", "JSON")
        .set("quickstart", "PAGEVIEWS")
        .tasks_max(1);
    let desired = DesiredState::from_specs([spec]).unwrap();
    let plan = cluster.plan(&desired).await.unwrap();
    assert_eq!(
        plan.connector("pageviews-source").unwrap().action,
        Action::Unchanged,
        "{plan}"
    );
    assert_eq!(plan.count("not_managed"), 3);
    assert!(!plan.has_changes());
    assert_no_secrets(&plan.to_string());
}

#[tokio::test]
async fn a_variable_under_a_key_the_api_shows_in_clear_is_compared_and_never_sent_as_a_mask() {
    let emulator = seeded().await;
    let cluster = cluster(&emulator);
    let dir = TempDir::new("clear-variable");
    export_into(&cluster, &dir.0).await;
    // The topic comes from a variable: the API shows the topic in clear, so there is no
    // stored secret to keep.
    let path = dir.0.join("pageviews-source.json");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"kafka.topic\": \"pageviews\""), "{text}");
    std::fs::write(
        &path,
        text.replace(
            "\"kafka.topic\": \"pageviews\"",
            "\"kafka.topic\": \"${TOPIC}\"",
        ),
    )
    .unwrap();

    // Set to the live value: nothing to do.
    let same = DesiredState::from_dir_with(&dir.0, |v| (v == "TOPIC").then(|| "pageviews".into()))
        .unwrap();
    let plan = cluster.plan(&same).await.unwrap();
    assert!(!plan.has_changes(), "{plan}");

    // Set to another value: a change, with both values hidden.
    let other =
        DesiredState::from_dir_with(&dir.0, |v| (v == "TOPIC").then(|| "clicks".into())).unwrap();
    let plan = cluster.plan(&other).await.unwrap();
    let Action::Update { changed, .. } = &plan.connector("pageviews-source").unwrap().action else {
        panic!("{plan}");
    };
    assert_eq!(changed.len(), 1, "{plan}");
    assert_eq!(changed[0].key, "kafka.topic");
    assert_eq!(
        (changed[0].from.as_str(), changed[0].to.as_str()),
        (ccloud_connect::code::HIDDEN, ccloud_connect::code::HIDDEN)
    );
    assert!(!plan.to_string().contains("clicks"), "{plan}");

    // Unset: the update is refused before anything is sent, rather than storing the mask
    // as the topic.
    let unset = DesiredState::from_dir_with(&dir.0, no_vars).unwrap();
    let plan = cluster.plan(&unset).await.unwrap();
    assert!(plan.has_changes(), "{plan}");
    let before = emulator.rate_totals().requests;
    let err = plan
        .apply(&ccloud_connect::code::ApplyOptions::default())
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert!(err.to_string().contains("TOPIC"), "{err}");
    assert_eq!(
        emulator.rate_totals().requests,
        before,
        "sent although refused"
    );
    let stored = emulator
        .connector_config("env-seed", "lkc-seed", "pageviews-source")
        .unwrap();
    assert_eq!(stored["kafka.topic"], "pageviews");
}

#[tokio::test]
async fn guards_pruning_to_nothing_masks_as_values_and_colliding_export_files() {
    let emulator = seeded().await;
    let cluster = cluster(&emulator);
    let before = emulator.rate_totals().requests;
    // An empty desired state with pruning would delete everything: refused, nothing read.
    let err = cluster
        .plan_with(&DesiredState::new(), &PlanOptions::new().prune(true))
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert!(err.to_string().contains("delete every connector"), "{err}");
    assert_eq!(emulator.rate_totals().requests, before);
    // Said on purpose, it is a plan to delete them all.
    let all = cluster
        .plan_with(
            &DesiredState::new(),
            &PlanOptions::new().prune(true).allow_empty_prune(true),
        )
        .await
        .unwrap();
    assert_eq!(all.changes().count(), 4, "{all}");

    // A spec read back keeps its masks under KeepStored; as a desired state it is refused.
    let read = cluster.connector("pageviews-source").spec().await.unwrap();
    let keep = read.masked_secrets(ccloud_connect::connect::MaskedSecrets::KeepStored);
    let err = DesiredState::from_specs([keep]).unwrap_err();
    assert!(
        err.to_string().contains("is the mask the API answers"),
        "{err}"
    );

    // Two names with one file stem: the export refuses instead of writing one over the other.
    for name in ["a b", "a_b"] {
        let spec = ccloud_connect::connect::ConnectorSpec::managed(name, "DatagenSource")
            .kafka_api_key("K")
            .kafka_api_secret("S")
            .set("kafka.topic", "t")
            .set("output.data.format", "JSON")
            .set("quickstart", "ORDERS")
            .tasks_max(1);
        cluster.create(&spec).await.unwrap();
    }
    let err = cluster.export().await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("same file") && text.contains("a_b"), "{text}");
}
