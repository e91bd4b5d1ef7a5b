//! The quickstart example, run from its own source against the emulator: the story must
//! reach every milestone, print its steps without leaking a secret, and leave nothing
//! behind; the read-only part must only read.

// Examples cannot be imported, so the test compiles the example's file as a module; its
// `main` and emulator mode belong to the example binary and are unused here.
#[path = "../../examples/quickstart.rs"]
#[allow(dead_code)]
mod example;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ccloud_connect::ccpm::PluginVersionPhase;
use ccloud_connect::connect::ConnectorSpec;
use ccloud_connect::connect::ConnectorState;
use ccloud_connect::{ClientBuilder, RetryPolicy};
use ccloud_connect_emulator::{Emulator, EmulatorHandle};
use example::{ENV_ENVIRONMENT_ID, ENV_KAFKA_CLUSTER_ID, Mode, choose_mode};

use crate::support;

async fn emulator() -> EmulatorHandle {
    Emulator::builder()
        .provisioning_delay(Duration::from_millis(300))
        .version_processing_delay(Duration::from_millis(300))
        .start()
        .await
        .expect("emulator starts")
}

fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| vars.get(name).cloned()
}

#[tokio::test]
async fn the_story_reaches_every_milestone_and_cleans_up() {
    let emu = emulator().await;
    // Retries as the example's users have them.
    let client = support::builder(emu.base_url())
        .retry(RetryPolicy::default())
        .build()
        .unwrap();
    let mut out = Vec::new();
    let result = example::run_story(&client, &mut out).await;
    let text = String::from_utf8(out).unwrap();
    let summary = result.unwrap_or_else(|e| panic!("{e}\noutput so far:\n{text}"));

    assert_eq!(summary.managed_state, ConnectorState::Running, "{text}");
    assert_eq!(summary.custom_state, ConnectorState::Running, "{text}");
    assert_eq!(summary.version_phase, Some(PluginVersionPhase::Ready));
    assert_eq!((summary.plugins_listed, summary.plugin_pages), (5, 3));
    // Two uploads of 4 MiB in 64 KiB chunks: a call per chunk, plus one at the start.
    assert!(summary.progress_updates >= 2 * 65, "{summary:?}");
    assert_eq!(summary.left_behind, [0, 0, 0], "{text}");
    assert!(
        !summary.archive_dir.exists(),
        "{} is still there",
        summary.archive_dir.display()
    );

    let mut rest = text.as_str();
    for step in 1..=12 {
        let heading = format!("\n{step}. ");
        let at = rest
            .find(&heading)
            .unwrap_or_else(|| panic!("no step {step} after the previous one:\n{text}"));
        rest = &rest[at..];
    }
    for line in [
        "1. Connectors in env-quickstart/lkc-quickstart",
        "   without a bucket: s3.bucket.name: \"s3.bucket.name\" is required",
        "   with a bucket: valid = true",
        "   kafka.api.key = ****************",
        "   aws.secret.access.key = ****************",
        "   time.interval = DAILY",
        "   task 1: RUNNING",
        "   paused:    PAUSED",
        "   resumed:   RUNNING",
        "   restarted: RUNNING",
        "   newest GA: 3.9",
        "   db.conn.string = **************** (sensitive per the plugin)",
        "   page 3: extra-4",
        "   5 plugins on 3 pages",
        "   deleted connector custom-datagen_0",
        "   deleted 5 ccpm plugins",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    assert!(text.ends_with("   0 connectors\n"), "{text}");
    for secret in ["kafka-api-secret", "aws-secret-quickstart", "postgres://"] {
        assert!(!text.contains(secret), "{secret:?} printed:\n{text}");
    }
}

#[tokio::test]
async fn the_read_only_part_sends_only_gets() {
    let emu = emulator().await;
    let seed = support::client(emu.base_url());
    let datagen = ConnectorSpec::managed("pageviews-source", "DatagenSource")
        .kafka_api_key("K")
        .kafka_api_secret("S")
        .set("kafka.topic", "pageviews")
        .set("output.data.format", "JSON");
    seed.connect()
        .cluster("env-1", "lkc-1")
        .create(&datagen)
        .await
        .unwrap();

    let var = lookup(&[
        (ClientBuilder::ENV_API_KEY, "KEY"),
        (ClientBuilder::ENV_API_SECRET, "SECRET"),
        (ClientBuilder::ENV_ENDPOINT, emu.base_url()),
        (ENV_ENVIRONMENT_ID, "env-1"),
        (ENV_KAFKA_CLUSTER_ID, "lkc-1"),
    ]);
    let Ok(Mode::ReadOnly {
        environment,
        cluster,
    }) = choose_mode(&var)
    else {
        panic!("credentials and ids choose the read-only mode");
    };
    let sent = Arc::new(Mutex::new(Vec::new()));
    let log = sent.clone();
    let client = ClientBuilder::from_env_with(&var)
        .unwrap()
        .on_request(move |r| {
            log.lock()
                .unwrap()
                .push(format!("{} {}", r.method, r.operation))
        })
        .build()
        .unwrap();
    let mut out = Vec::new();
    example::run_read_only(&client, &environment, &cluster, &mut out)
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();

    let first = text.lines().next().unwrap();
    assert_eq!(
        first,
        format!("running read-only against {}/", emu.base_url())
    );
    assert!(text.contains("   pageviews-source (lcc-"), "{text}");
    assert!(
        text.contains("   7 managed plugins: DatagenSource"),
        "{text}"
    );
    let sent = sent.lock().unwrap();
    assert!(sent.len() >= 5, "{sent:?}");
    assert!(sent.iter().all(|r| r.starts_with("GET ")), "{sent:?}");
}

#[test]
fn credentials_without_ids_are_refused_naming_the_variables() {
    assert_eq!(choose_mode(lookup(&[])), Ok(Mode::Emulator));
    assert_eq!(
        choose_mode(lookup(&[(ENV_ENVIRONMENT_ID, "env-1")])),
        Ok(Mode::Emulator),
        "ids alone do not switch to the real API"
    );

    let credentials = [
        (ClientBuilder::ENV_API_KEY, "KEY"),
        (ClientBuilder::ENV_API_SECRET, "SECRET"),
    ];
    let both_missing = choose_mode(lookup(&credentials)).unwrap_err();
    assert!(
        both_missing.contains("; CONFLUENT_ENVIRONMENT_ID and CONFLUENT_KAFKA_CLUSTER_ID not set"),
        "{both_missing}"
    );
    let mut with_env = credentials.to_vec();
    with_env.push((ENV_ENVIRONMENT_ID, "env-1"));
    let one_missing = choose_mode(lookup(&with_env)).unwrap_err();
    assert!(
        one_missing.contains("; CONFLUENT_KAFKA_CLUSTER_ID not set"),
        "{one_missing}"
    );

    // A key alone still means the real API: building the client then names the secret.
    let key_only = lookup(&[
        (ClientBuilder::ENV_API_KEY, "KEY"),
        (ENV_ENVIRONMENT_ID, "env-1"),
        (ENV_KAFKA_CLUSTER_ID, "lkc-1"),
    ]);
    assert_eq!(
        choose_mode(&key_only),
        Ok(Mode::ReadOnly {
            environment: "env-1".into(),
            cluster: "lkc-1".into()
        })
    );
    let err = ClientBuilder::from_env_with(&key_only).unwrap_err();
    assert!(
        err.to_string().contains(ClientBuilder::ENV_API_SECRET),
        "{err}"
    );
}
