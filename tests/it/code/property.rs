//! The property of a plan/apply cycle: after a successful apply, a second plan is empty,
//! whatever the desired state was (creates, updates, removed keys, renames, prunes,
//! secrets sent again), against the emulator that adds the server's keys on every read.
//!
//! Each case starts its own emulator. The number of cases is its own (default 24,
//! `CCLOUD_CONNECT_CODE_CASES` to change it), not `PROPTEST_CASES`: CI raises that for
//! the decoders' properties, and a case here is a whole apply.

use std::collections::BTreeMap;

use ccloud_connect::code::{DesiredState, PlanOptions, ResendSecrets};
use ccloud_connect::connect::ConnectorSpec;
use proptest::prelude::*;

use super::{cluster, quick, seeded};

/// Names from the seed (some existing) and new ones.
const NAMES: &[&str] = &["pageviews-source", "pageviews-to-s3", "gen-a", "gen-b"];

#[derive(Clone, Debug)]
struct Wanted {
    topic: String,
    tasks: u32,
    extra: BTreeMap<String, String>,
    secret: String,
}

fn wanted() -> impl Strategy<Value = Wanted> {
    (
        prop::sample::select(vec!["pageviews", "clicks", "orders"]),
        1u32..=3,
        prop::collection::btree_map(
            prop::sample::select(vec!["x.alpha", "x.beta", "x.gamma"]),
            "[a-z0-9 ]{0,6}",
            0..=3,
        ),
        "[a-zA-Z0-9]{4,12}",
    )
        .prop_map(|(topic, tasks, extra, secret)| Wanted {
            topic: topic.to_owned(),
            tasks,
            extra: extra.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            secret,
        })
}

fn spec(name: &str, w: &Wanted) -> ConnectorSpec {
    let mut spec = ConnectorSpec::managed(name, "DatagenSource")
        .kafka_api_key("KEY")
        .kafka_api_secret(w.secret.clone())
        .set("kafka.topic", w.topic.clone())
        .set("output.data.format", "JSON")
        .set("quickstart", "PAGEVIEWS")
        .tasks_max(w.tasks);
    for (k, v) in &w.extra {
        spec = spec.set(k.clone(), v.clone());
    }
    spec
}

fn cases() -> u32 {
    std::env::var("CCLOUD_CONNECT_CODE_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24)
}

/// Runs with its own case count: `TestRunner::new` takes the config as given, where the
/// `proptest!` macro would let `PROPTEST_CASES` override it.
#[test]
fn a_second_plan_after_a_successful_apply_is_empty() {
    let config = ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let strategy = (
        prop::collection::vec(prop::option::of(wanted()), NAMES.len()),
        any::<bool>(),
        any::<bool>(),
    );
    let result = runner.run(&strategy, |(wanted, prune, resend)| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let emulator = seeded().await;
            let cluster = cluster(&emulator);
            let specs: Vec<ConnectorSpec> = NAMES
                .iter()
                .zip(&wanted)
                .filter_map(|(name, w)| w.as_ref().map(|w| spec(name, w)))
                .collect();
            let desired = DesiredState::from_specs(specs).unwrap();
            let resend = if resend {
                ResendSecrets::All
            } else {
                ResendSecrets::None
            };
            // An empty desired state with pruning is a deliberate "delete everything" here.
            let options = PlanOptions::new()
                .prune(prune)
                .allow_empty_prune(true)
                .resend_secrets(resend);
            let plan = cluster.plan_with(&desired, &options).await.unwrap();
            let report = plan.apply(&quick()).await.unwrap();
            prop_assert!(report.succeeded(), "{}", report);
            let again = cluster
                .plan_with(
                    &desired,
                    &PlanOptions::new().prune(prune).allow_empty_prune(true),
                )
                .await
                .unwrap();
            prop_assert!(!again.has_changes(), "first:\n{}\nthen:\n{}", plan, again);
            // What was applied is what is stored, secrets included.
            for (name, w) in NAMES.iter().zip(&wanted) {
                let stored = emulator.connector_config(super::ENV, super::CLUSTER, name);
                match (w, stored) {
                    (Some(w), Some(stored)) => {
                        prop_assert_eq!(&stored["kafka.topic"], &w.topic);
                        for (k, v) in &w.extra {
                            prop_assert_eq!(&stored[k], v);
                        }
                    }
                    (Some(_), None) => prop_assert!(false, "{} missing", name),
                    (None, stored) => {
                        prop_assert_eq!(stored.is_some(), !prune && name.starts_with("pageviews"))
                    }
                }
            }
            Ok(())
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
