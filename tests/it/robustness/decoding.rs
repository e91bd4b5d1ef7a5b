//! Decoding never panics: arbitrary bytes, arbitrary JSON and mutated valid answers, to every
//! response type and through every operation of the client.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::{assert_no_secret, cases, runner, runtime, test_client};
use crate::support::contract::{self, ops};
use crate::support::server::{Answer, Server};

pub(super) type Decode = fn(&[u8]) -> Result<(), String>;

macro_rules! decoders {
    ($($api:ident $id:ident $ty:ty;)*) => {
        vec![$((
            stringify!($api),
            stringify!($id),
            (|b: &[u8]| serde_json::from_slice::<$ty>(b).map(drop).map_err(|e| e.to_string())) as Decode,
        )),*]
    };
}

/// The success type of every operation whose answer has a JSON body.
pub(super) fn decoders() -> Vec<(&'static str, &'static str, Decode)> {
    use ccloud_connect::{cam, ccpm, connect};
    decoders! {
        connect list_connectors connect::ListConnectorsResponse;
        connect create_connector connect::Connector;
        connect get_connector connect::Connector;
        connect delete_connector connect::DeleteConnectorResponse;
        connect get_connector_config connect::ConnectorConfig;
        connect put_connector_config connect::Connector;
        connect get_connector_status connect::ConnectorStatus;
        connect list_connector_tasks Vec<connect::ConnectorTaskInfo>;
        connect list_connector_plugins Vec<connect::ConnectorPlugin>;
        connect validate_connector_plugin_config connect::ConfigValidation;
        connect translate_connector_plugin_config connect::TranslateResult;
        connect get_connector_offsets connect::ConnectorOffsets;
        connect alter_connector_offsets connect::AlterOffsetsRequestInfo;
        connect get_connector_offsets_request_status connect::AlterOffsetsStatus;
        connect list_custom_connector_plugins connect::CustomConnectorPluginList;
        connect create_custom_connector_plugin connect::CustomConnectorPlugin;
        connect get_custom_connector_plugin connect::CustomConnectorPlugin;
        connect update_custom_connector_plugin connect::CustomConnectorPlugin;
        connect create_presigned_upload_url connect::PresignedUrl;
        connect list_custom_connector_runtimes connect::CustomConnectorRuntimeList;
        ccpm list_plugins ccpm::PluginList;
        ccpm create_plugin ccpm::Plugin;
        ccpm get_plugin ccpm::Plugin;
        ccpm update_plugin ccpm::Plugin;
        ccpm create_presigned_upload_url ccpm::PresignedUrl;
        ccpm list_plugin_versions ccpm::PluginVersionList;
        ccpm create_plugin_version ccpm::PluginVersion;
        ccpm get_plugin_version ccpm::PluginVersion;
        cam list_artifacts cam::ConnectArtifactList;
        cam create_artifact cam::ConnectArtifact;
        cam get_artifact cam::ConnectArtifact;
        cam create_presigned_upload_url cam::PresignedUrl;
    }
}

#[test]
fn every_json_answer_has_a_decoder() {
    let have: BTreeSet<(&str, &str)> = decoders().iter().map(|(a, i, _)| (*a, *i)).collect();
    let mut want = BTreeSet::new();
    for spec in contract::specs() {
        for op in &spec.operations {
            if op
                .success_statuses()
                .iter()
                .any(|s| op.responses[&s.to_string()].is_some())
            {
                want.insert((spec.api, op.id.as_str()));
            }
        }
    }
    assert_eq!(have, want);
}

/// Every property name and enum value of every spec: arbitrary JSON built from them reaches
/// past the first unknown key into the nested decoders.
fn vocabulary() -> &'static (Vec<String>, Vec<String>) {
    static WORDS: OnceLock<(Vec<String>, Vec<String>)> = OnceLock::new();
    WORDS.get_or_init(|| {
        fn walk(v: &Value, keys: &mut BTreeSet<String>, values: &mut BTreeSet<String>) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::Object(props)) = m.get("properties") {
                        keys.extend(props.keys().cloned());
                    }
                    if let Some(Value::Array(e)) = m.get("enum") {
                        values.extend(e.iter().filter_map(|x| x.as_str().map(str::to_owned)));
                    }
                    m.values().for_each(|x| walk(x, keys, values));
                }
                Value::Array(a) => a.iter().for_each(|x| walk(x, keys, values)),
                _ => {}
            }
        }
        let (mut keys, mut values) = (BTreeSet::new(), BTreeSet::new());
        for spec in contract::specs() {
            walk(&spec.doc["components"], &mut keys, &mut values);
        }
        values.extend(
            [
                "2026-01-02T03:04:05Z",
                "not-a-date",
                "https://api.confluent.cloud/x?page_token=t",
                "",
            ]
            .map(str::to_owned),
        );
        (keys.into_iter().collect(), values.into_iter().collect())
    })
}

fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vocabulary().1.clone()),
        any::<String>(),
        "[a-z0-9._-]{0,12}",
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN", |f| f.is_finite())
            .prop_map(Value::from),
        arb_string().prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        let key = prop_oneof![prop::sample::select(vocabulary().0.clone()), arb_string()];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// The number of nodes of a JSON tree.
fn nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(nodes).sum(),
        Value::Object(m) => m.values().map(nodes).sum(),
        _ => 0,
    }
}

/// `v` with its `n`-th node (pre-order) replaced by `with`.
fn replace_nth(v: &mut Value, n: &mut usize, with: &Value) -> bool {
    if *n == 0 {
        *v = with.clone();
        return true;
    }
    *n -= 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|x| replace_nth(x, n, with)),
        Value::Object(m) => m.values_mut().any(|x| replace_nth(x, n, with)),
        _ => false,
    }
}

/// A valid answer of an operation with one node replaced by arbitrary JSON.
fn mutated_answer() -> impl Strategy<Value = (usize, Value)> {
    let table = decoders();
    (0..table.len(), any::<prop::sample::Index>(), arb_json()).prop_map(move |(i, at, with)| {
        let (api, id, _) = table[i];
        let (_, body) = contract::sample_response(api, id);
        let mut body = body.unwrap();
        let mut n = at.index(nodes(&body));
        replace_nth(&mut body, &mut n, &with);
        (i, body)
    })
}

#[test]
fn decoding_arbitrary_bytes_never_panics() {
    let table = decoders();
    let ok = std::cell::Cell::new(0usize);
    runner()
        .run(
            &prop_oneof![
                prop::collection::vec(any::<u8>(), 0..512),
                arb_json().prop_map(|v| v.to_string().into_bytes()),
            ],
            |bytes| {
                for (_, _, decode) in &table {
                    ok.set(ok.get() + usize::from(decode(&bytes).is_ok()));
                }
                Ok(())
            },
        )
        .unwrap();
    eprintln!(
        "{} cases x {} types, {} decoded",
        cases(),
        table.len(),
        ok.get()
    );
}

#[test]
fn decoding_mutated_answers_never_panics() {
    let table = decoders();
    runner()
        .run(&mutated_answer(), |(i, body)| {
            let _ = (table[i].2)(body.to_string().as_bytes());
            Ok(())
        })
        .unwrap();
}

#[test]
fn deeply_nested_and_huge_answers_are_refused_without_panicking() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let wide = format!("{{\"data\":[{}]}}", vec!["{}"; 200_000].join(","));
    for (_, id, decode) in decoders() {
        assert!(
            decode(deep.as_bytes()).is_err(),
            "{id} decoded a 100k-deep array"
        );
        let _ = decode(wide.as_bytes());
        let _ = decode(b"\xff\xfe\x00{");
    }
}

/// Arbitrary answers (status, content type, body) through every operation of the client:
/// the result is the decoded value or the crate's error, never a panic, and no error text
/// carries the secret.
#[test]
fn arbitrary_answers_through_every_operation_end_in_ok_or_the_crates_error() {
    let rt = runtime();
    let slot = Arc::new(Mutex::new(Answer::empty(200)));
    let server = rt.block_on(Server::answering(slot.clone()));
    let client = test_client(&server.base_url, Duration::from_secs(5));
    let table = ops::all();
    let statuses = [
        200u16, 201, 202, 204, 301, 400, 401, 404, 409, 429, 500, 502, 503,
    ];
    let body = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        arb_json().prop_map(|v| v.to_string().into_bytes()),
        mutated_answer().prop_map(|(_, v)| v.to_string().into_bytes()),
    ];
    let content_type = prop::sample::select(vec![
        "application/json",
        "text/html",
        "",
        "application/json; charset=utf-16",
    ]);
    let (oks, errs) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    runner()
        .run(
            &(
                0..table.len(),
                prop::sample::select(statuses.to_vec()),
                content_type,
                body,
            ),
            |(i, status, ct, body)| {
                let mut answer = Answer::typed(status, ct, body);
                if status == 301 {
                    answer = answer.header("location", "http://127.0.0.1:9/elsewhere");
                }
                *slot.lock().unwrap() = answer;
                match rt.block_on(table[i].call_plain(&client)) {
                    Ok(()) => oks.set(oks.get() + 1),
                    Err(e) => {
                        errs.set(errs.get() + 1);
                        let text = format!("{e} {e:?}");
                        prop_assert!(!text.is_empty());
                        assert_no_secret("an error", &text);
                        if !(200..300).contains(&status) {
                            prop_assert_eq!(e.status().map(|s| s.as_u16()), Some(status), "{}", e);
                        }
                    }
                }
                Ok(())
            },
        )
        .unwrap();
    eprintln!(
        "{} arbitrary answers: {} decoded, {} errors",
        cases(),
        oks.get(),
        errs.get()
    );
}
