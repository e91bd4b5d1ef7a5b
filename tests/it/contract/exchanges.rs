//! Exchanges through clients under contract: one per operation against samples of the
//! specs, the helpers and paginators, and a workflow through the emulator.

use httpmock::prelude::*;
use serde_json::{Value, json};

use crate::support::contract::{self, Direction};

fn json_answer<'a>(
    server: &'a MockServer,
    status: u16,
    body: Option<&Value>,
) -> httpmock::Mock<'a> {
    server.mock(|_when, then| {
        let then = then.status(status);
        if let Some(body) = body {
            then.header("content-type", "application/json")
                .body(body.to_string());
        }
    })
}

#[tokio::test]
async fn one_exchange_per_operation_passes_the_contract() {
    let server = MockServer::start_async().await;
    let counted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (requests, answers) = (counted.clone(), counted.clone());
    let client = contract::observe_strict(contract::builder(&server.base_url()))
        .on_request(move |_| {
            requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        })
        .on_response(move |_| {
            answers.fetch_add(1000, std::sync::atomic::Ordering::Relaxed);
        })
        .build()
        .unwrap();
    for op in contract::ops::all() {
        let (status, body) = contract::sample_response(op.api, op.id);
        assert!(
            contract::check_body(
                op.api,
                op.id,
                Direction::Response,
                Some(status),
                body.as_ref().unwrap_or(&Value::Null)
            )
            .is_empty()
                || body.is_none(),
            "the sample answer of {} is itself invalid",
            op.id
        );
        let mut mock = json_answer(&server, status, body.as_ref());
        op.call_plain(&client)
            .await
            .unwrap_or_else(|e| panic!("{} {}: {e}", op.api, op.id));
        mock.assert_calls(1);
        mock.delete();
    }
    // 39 requests and 39 answers went past the observers (answers count 1000 each).
    assert_eq!(
        counted.load(std::sync::atomic::Ordering::Relaxed),
        39 * 1001
    );
}

#[tokio::test]
async fn the_helpers_and_paginators_pass_the_contract() {
    let server = MockServer::start_async().await;
    let client = contract::strict_client(&server.base_url());
    let empty_page = json!({"data": [], "metadata": {"next": null}});
    let mut mock = json_answer(&server, 200, Some(&empty_page));
    assert!(
        client
            .connect()
            .custom_plugins(None)
            .all()
            .await
            .unwrap()
            .is_empty()
    );
    assert!(client.connect().runtimes().all().await.unwrap().is_empty());
    assert!(
        client
            .ccpm()
            .environment("env-1")
            .plugins(Some(ccloud_connect::ccpm::Cloud::Gcp))
            .all()
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        client
            .ccpm()
            .environment("env-1")
            .plugin("ccp-1")
            .versions()
            .all()
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        client
            .cam()
            .environment("env-1", ccloud_connect::cam::Cloud::Gcp)
            .artifacts()
            .all()
            .await
            .unwrap()
            .is_empty()
    );
    mock.assert_calls(5);
    mock.delete();
    let mock = json_answer(
        &server,
        200,
        Some(&json!({"pg-sink": {"id": {"id": "lcc-1", "id_type": "ID"}}})),
    );
    let names = client
        .connect()
        .cluster("env-1", "lkc-1")
        .connector_names()
        .await
        .unwrap();
    assert_eq!(names, ["pg-sink"]);
    let expanded = client
        .connect()
        .cluster("env-1", "lkc-1")
        .connectors(ccloud_connect::connect::Expand::ALL)
        .await
        .unwrap();
    assert_eq!(expanded.len(), 1);
    mock.assert_calls(2);
}

/// The emulator answers every operation of both specs as the specs say: a workflow that
/// reaches all of them through a client checking each request and each answer.
#[tokio::test]
async fn the_emulator_answers_every_operation_within_the_contract() {
    use std::collections::BTreeSet;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use ccloud_connect::{ccpm, connect};
    use futures::TryStreamExt;

    fn typed<T: serde::de::DeserializeOwned>(v: Value) -> T {
        serde_json::from_value(v).unwrap()
    }

    let emulator = ccloud_connect_emulator::Emulator::builder()
        .provisioning_delay(Duration::from_millis(10))
        .version_processing_delay(Duration::from_millis(10))
        .start()
        .await
        .unwrap();
    let reached = Arc::new(Mutex::new(BTreeSet::new()));
    let log = reached.clone();
    // Retries as a user's client has them: the workflow's waits meet the emulator's delays.
    let client = contract::observe_strict(contract::builder(emulator.base_url()))
        .retry(ccloud_connect::RetryPolicy::default())
        .on_response(move |r| {
            assert!(
                r.status.is_success(),
                "{} answered {}",
                r.operation,
                r.status
            );
            log.lock()
                .unwrap()
                .insert(format!("{} {}", r.api, r.operation));
        })
        .build()
        .unwrap();
    let storage = reqwest::Client::new();
    let empty_zip: Vec<u8> = [&b"PK\x05\x06"[..], &[0u8; 18]].concat();
    let (env, lkc) = ("env-c1", "lkc-c1");
    let c = client.connect();

    // Connectors and their lifecycle.
    let config = json!({
        "connector.class": "DatagenSource", "name": "dg", "kafka.api.key": "k",
        "kafka.api.secret": "s", "kafka.topic": "orders", "output.data.format": "JSON",
        "quickstart": "ORDERS", "tasks.max": "1"
    });
    assert!(
        c.cluster(env, lkc)
            .connector_names()
            .await
            .unwrap()
            .is_empty()
    );
    c.raw()
        .create_connector(env, lkc, &typed(json!({"name": "dg", "config": config})))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    c.raw().get_connector(env, lkc, "dg").await.unwrap();
    c.raw().get_connector_config(env, lkc, "dg").await.unwrap();
    c.raw()
        .put_connector_config(env, lkc, "dg", &typed(config.clone()))
        .await
        .unwrap();
    c.cluster(env, lkc)
        .connectors(ccloud_connect::connect::Expand::ALL)
        .await
        .unwrap();
    c.raw().get_connector_status(env, lkc, "dg").await.unwrap();
    c.raw().list_connector_tasks(env, lkc, "dg").await.unwrap();
    c.raw().pause_connector(env, lkc, "dg").await.unwrap();
    c.raw().resume_connector(env, lkc, "dg").await.unwrap();
    c.raw().restart_connector(env, lkc, "dg").await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    c.raw().list_connector_plugins(env, lkc).await.unwrap();
    c.raw()
        .validate_connector_plugin_config(env, lkc, "DatagenSource", &typed(config.clone()))
        .await
        .unwrap();
    c.raw()
        .translate_connector_plugin_config(
            env,
            lkc,
            "DatagenSource",
            Some(true),
            &typed(config.clone()),
        )
        .await
        .unwrap();
    c.raw().get_connector_offsets(env, lkc, "dg").await.unwrap();
    c.raw()
        .alter_connector_offsets(env, lkc, "dg", &typed(json!({"type": "DELETE"})))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    c.raw()
        .get_connector_offsets_request_status(env, lkc, "dg")
        .await
        .unwrap();
    c.raw().delete_connector(env, lkc, "dg").await.unwrap();

    // Custom connector plugins, uploaded the GCS way (a PUT of the bytes).
    let url: connect::PresignedUrl = c
        .raw()
        .create_presigned_upload_url(&typed(json!({"content_format": "ZIP", "cloud": "GCP"})))
        .await
        .unwrap();
    let put = storage
        .put(url.upload_url.clone().unwrap())
        .header("content-type", "application/zip")
        .body(empty_zip.clone())
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{put:?}");
    let plugin = c
        .raw()
        .create_custom_connector_plugin(&typed(json!({
            "display_name": "contract-plugin", "connector_class": "io.example.Source",
            "connector_type": "SOURCE", "cloud": "GCP",
            "upload_source": {"location": "PRESIGNED_URL_LOCATION", "upload_id": url.upload_id}
        })))
        .await
        .unwrap();
    let id = plugin.id.clone().unwrap();
    c.raw().get_custom_connector_plugin(&id).await.unwrap();
    c.raw()
        .update_custom_connector_plugin(&id, &typed(json!({"display_name": "contract-plugin-2"})))
        .await
        .unwrap();
    assert_eq!(
        c.custom_plugins(Some(connect::Cloud::Gcp))
            .all()
            .await
            .unwrap()
            .len(),
        1
    );
    c.raw().delete_custom_connector_plugin(&id).await.unwrap();
    c.runtimes()
        .by_page()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();

    // ccpm plugins and their versions.
    let p = client.ccpm();
    let url: ccpm::PresignedUrl = p
        .raw()
        .create_presigned_upload_url(&typed(json!({
            "content_format": "ZIP", "cloud": "GCP", "environment": {"id": env}
        })))
        .await
        .unwrap();
    let put = storage
        .put(url.upload_url.clone().unwrap())
        .header("content-type", "application/zip")
        .body(empty_zip.clone())
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{put:?}");
    let plugin = p
        .raw()
        .create_plugin(&typed(json!({
            "spec": {"display_name": "contract-ccpm", "cloud": "GCP", "environment": {"id": env}}
        })))
        .await
        .unwrap();
    let id = plugin.id.clone().unwrap();
    p.raw().get_plugin(&id, env).await.unwrap();
    p.raw()
        .update_plugin(
            &id,
            &typed(
                json!({"spec": {"display_name": "contract-ccpm-2", "environment": {"id": env}}}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        p.environment(env).plugins(None).all().await.unwrap().len(),
        1
    );
    let version = p
        .raw()
        .create_plugin_version(
            &id,
            &typed(json!({"spec": {
                "version": "1.0.0",
                "connector_classes": [{"class_name": "io.example.Source", "type": "SOURCE"}],
                "upload_source": {"location": "PRESIGNED_URL_LOCATION", "upload_id": url.upload_id},
                "environment": {"id": env}
            }})),
        )
        .await
        .unwrap();
    let vid = version.id.clone().unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    p.raw().get_plugin_version(&id, &vid, env).await.unwrap();
    assert_eq!(
        p.environment(env)
            .plugin(&id)
            .versions()
            .all()
            .await
            .unwrap()
            .len(),
        1
    );
    p.raw().delete_plugin_version(&id, &vid, env).await.unwrap();
    p.raw().delete_plugin(&id, env).await.unwrap();

    // cam/v1 Connect Artifacts.
    let cam = client.cam();
    let url: ccloud_connect::cam::PresignedUrl = cam
        .raw()
        .create_presigned_upload_url(&typed(
            json!({"content_format": "ZIP", "cloud": "GCP", "environment": env}),
        ))
        .await
        .unwrap();
    let put = storage
        .put(url.upload_url.clone().unwrap())
        .header("content-type", "application/zip")
        .body(empty_zip)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{put:?}");
    let artifact = cam
        .raw()
        .create_artifact(
            env,
            "GCP",
            &typed(json!({"spec": {
                "cloud": "GCP", "environment": env, "display_name": "contract-artifact",
                "upload_source": {"location": "PRESIGNED_URL_LOCATION", "upload_id": url.upload_id}
            }})),
        )
        .await
        .unwrap();
    let aid = artifact.id.clone().unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    cam.raw().get_artifact(&aid, env, "GCP").await.unwrap();
    assert_eq!(
        cam.environment(env, ccloud_connect::cam::Cloud::Gcp)
            .artifacts()
            .all()
            .await
            .unwrap()
            .len(),
        1
    );
    cam.raw().delete_artifact(&aid, env, "GCP").await.unwrap();

    let reached = reached.lock().unwrap().clone();
    let every: BTreeSet<String> = ccloud_connect::connect::ConnectApi::OPERATIONS
        .iter()
        .map(|o| format!("connect/v1 {o}"))
        .chain(
            ccloud_connect::ccpm::CcpmApi::OPERATIONS
                .iter()
                .map(|o| format!("ccpm/v1 {o}")),
        )
        .chain(
            ccloud_connect::cam::CamApi::OPERATIONS
                .iter()
                .map(|o| format!("cam/v1 {o}")),
        )
        .collect();
    assert_eq!(reached, every, "operations the workflow did not reach");
}
