//! One-call publishing: presigned URL, upload, create, and the wait until ready.

use std::time::Duration;

use ccloud_connect::Error;
use ccloud_connect::ccpm::{self, ConnectorClassType, PluginVersionPhase};
use ccloud_connect::ccpm::{NewPluginVersion, PluginRef};
use ccloud_connect::connect::NewCustomPlugin;
use ccloud_connect::connect::{self, CustomConnectorPluginType};
use ccloud_connect::upload::{Archive, ArchiveFormat, UploadOptions};
use ccloud_connect::wait::WaitOptions;
use httpmock::prelude::*;
use serde_json::json;

use super::{archive_bytes, parse_multipart, presigned_s3_body, recorder, scratch, write_archive};
use crate::support::{self};

#[tokio::test]
async fn publish_custom_plugin_end_to_end() {
    let server = MockServer::start_async().await;
    let dir = scratch("publish-connect");
    let content = archive_bytes(200_000);
    let archive = Archive::open(
        write_archive(&dir, "datagen.zip", &content),
        ArchiveFormat::Zip,
    )
    .unwrap();

    let presign = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/connect/v1/presigned-upload-url")
                .header_exists("authorization")
                .json_body(json!({"content_format": "ZIP", "cloud": "AWS"}));
            then.status(200)
                .body(presigned_s3_body(&server.url("/bucket/"), "ZIP"));
        })
        .await;
    let (seen, record) = recorder();
    let storage = server
        .mock_async(|when, then| {
            when.method(POST).path("/bucket/").is_true(record);
            then.status(204);
        })
        .await;
    let created_answer: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("tests/fixtures/create_custom_plugin_response.json").unwrap(),
    )
    .unwrap();
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/connect/v1/custom-connector-plugins")
                .header_exists("authorization")
                .json_body(json!({
                    "display_name": "custom-datagen-2",
                    "description": "A test connector providing mock source data.",
                    "documentation_link": "https://github.com/confluentinc/kafka-connect-datagen",
                    "connector_class": "io.confluent.kafka.connect.datagen.DatagenConnector",
                    "connector_type": "SOURCE",
                    "cloud": "AWS",
                    "sensitive_config_properties": ["passwords", "keys", "tokens"],
                    "upload_source": {"location": "PRESIGNED_URL_LOCATION", "upload_id": "u-1"}
                }));
            then.status(200).json_body(created_answer);
        })
        .await;

    let plugin = NewCustomPlugin::new(
        "custom-datagen-2",
        "io.confluent.kafka.connect.datagen.DatagenConnector",
        CustomConnectorPluginType::Source,
    )
    .description("A test connector providing mock source data.")
    .documentation_link("https://github.com/confluentinc/kafka-connect-datagen")
    .sensitive_config_properties(["passwords", "keys", "tokens"]);
    let published = support::client(&server.base_url())
        .connect()
        .publish_custom_plugin(&plugin, &archive, &UploadOptions::new())
        .await
        .unwrap();

    presign.assert_calls_async(1).await;
    storage.assert_calls_async(1).await;
    create.assert_calls_async(1).await;
    assert_eq!(published.plugin.id.as_deref(), Some("ccp-12345"));
    assert_eq!(published.upload.upload_id, "u-1");
    assert_eq!(published.upload.bytes, 200_000);
    let seen = seen.lock().unwrap().clone().unwrap();
    seen.assert_no_confluent_credential();
    let parts = parse_multipart(seen.header("content-type").unwrap(), &seen.body);
    assert_eq!(parts.last().unwrap().name(), "file");
    assert!(parts.last().unwrap().content == content);
}

fn plugin_json(id: &str, name: &str, cloud: &str) -> serde_json::Value {
    json!({
        "api_version": "ccpm/v1", "kind": "CustomConnectPlugin", "id": id,
        "spec": {"display_name": name, "cloud": cloud, "environment": {"id": "env-1"}}
    })
}

fn version_json(phase: &str, error: Option<&str>) -> serde_json::Value {
    let mut status = json!({"phase": phase});
    if let Some(e) = error {
        status["error_message"] = json!(e);
    }
    json!({
        "api_version": "ccpm/v1", "kind": "CustomConnectPluginVersion", "id": "ver-1",
        "spec": {
            "version": "1.2.3",
            "connector_classes": [{"class_name": "com.example.MySource", "type": "SOURCE"}],
            "upload_source": {"location": "PRESIGNED_URL_LOCATION", "upload_id": ""},
            "environment": {"id": "env-1"}
        },
        "status": status
    })
}

#[tokio::test]
async fn publish_plugin_version_creates_the_plugin_and_waits_for_ready() {
    let server = MockServer::start_async().await;
    let dir = scratch("publish-ccpm");
    let content = archive_bytes(150_000);
    let archive = Archive::open(
        write_archive(&dir, "my-source.jar", &content),
        ArchiveFormat::Jar,
    )
    .unwrap();

    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ccpm/v1/plugins")
                .query_param("environment", "env-1")
                .query_param("spec.cloud", "AWS");
            // Same name in another cloud: not a match.
            then.status(200)
                .json_body(json!({"data": [plugin_json("ccp-other", "my-source", "GCP")]}));
        })
        .await;
    let create_plugin = server
        .mock_async(|when, then| {
            when.method(POST).path("/ccpm/v1/plugins").json_body(json!({
                "spec": {"display_name": "my-source", "description": "made by the test",
                         "cloud": "AWS", "environment": {"id": "env-1"}}
            }));
            then.status(202)
                .json_body(plugin_json("ccp-new", "my-source", "AWS"));
        })
        .await;
    let presign = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/ccpm/v1/presigned-upload-url")
                .json_body(json!({"cloud": "AWS", "content_format": "JAR", "environment": {"id": "env-1"}}));
            then.status(201).body(presigned_s3_body(&server.url("/bucket/"), "JAR"));
        })
        .await;
    let (seen, record) = recorder();
    let storage = server
        .mock_async(|when, then| {
            when.method(POST).path("/bucket/").is_true(record);
            then.status(204);
        })
        .await;
    let create_version = server
        .mock_async(|when, then| {
            when.method(POST).path("/ccpm/v1/plugins/ccp-new/versions").json_body(json!({
                "spec": {
                    "version": "1.2.3",
                    "connector_classes": [{"class_name": "com.example.MySource", "type": "SOURCE"}],
                    "sensitive_config_properties": ["password"],
                    "upload_source": {"location": "PRESIGNED_URL_LOCATION", "upload_id": "u-1"},
                    "environment": {"id": "env-1"}
                }
            }));
            then.status(202).json_body(version_json("PROCESSING", None));
        })
        .await;
    let version_path = "/ccpm/v1/plugins/ccp-new/versions/ver-1";
    let processing = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(version_path)
                .query_param("environment", "env-1");
            then.status(200)
                .json_body(version_json("PROCESSING", None))
                .up_to_n_times(1);
        })
        .await;
    let ready = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(version_path)
                .query_param("environment", "env-1");
            then.status(200).json_body(version_json("READY", None));
        })
        .await;

    let version = NewPluginVersion::new(
        PluginRef::named("my-source", ccpm::Cloud::Aws).with_description("made by the test"),
        "1.2.3",
    )
    .connector_class("com.example.MySource", ConnectorClassType::Source)
    .sensitive_config_properties(["password"])
    .wait_until_ready(WaitOptions::new(
        Duration::from_millis(20),
        Duration::from_secs(10),
    ));
    let api = support::client(&server.base_url());
    // Spawned: the publish future must be Send.
    let published = tokio::spawn(async move {
        api.ccpm()
            .environment("env-1")
            .publish_version(&version, &archive, &UploadOptions::new())
            .await
    })
    .await
    .unwrap()
    .unwrap();

    list.assert_calls_async(1).await;
    create_plugin.assert_calls_async(1).await;
    presign.assert_calls_async(1).await;
    storage.assert_calls_async(1).await;
    create_version.assert_calls_async(1).await;
    processing.assert_calls_async(1).await;
    ready.assert_calls_async(1).await;
    assert!(published.plugin_created);
    assert_eq!(published.plugin.id.as_deref(), Some("ccp-new"));
    assert_eq!(
        published.version.status.as_ref().map(|s| s.phase.clone()),
        Some(PluginVersionPhase::Ready)
    );
    let seen = seen.lock().unwrap().clone().unwrap();
    seen.assert_no_confluent_credential();
    let parts = parse_multipart(seen.header("content-type").unwrap(), &seen.body);
    let file = parts.last().unwrap();
    assert!(file.headers.contains("filename=\"my-source.jar\""));
    assert!(
        file.headers
            .contains("Content-Type: application/java-archive")
    );
    assert!(file.content == content);
}

#[tokio::test]
async fn publish_plugin_version_fails_with_the_servers_error_message() {
    let server = MockServer::start_async().await;
    let dir = scratch("publish-failed");
    let archive = Archive::open(
        write_archive(&dir, "bad.zip", &archive_bytes(5000)),
        ArchiveFormat::Zip,
    )
    .unwrap();

    let get_plugin = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ccpm/v1/plugins/ccp-1")
                .query_param("environment", "env-1");
            then.status(200)
                .json_body(plugin_json("ccp-1", "existing", "AZURE"));
        })
        .await;
    // The plugin's cloud decides where the archive goes.
    let presign = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/ccpm/v1/presigned-upload-url")
                .json_body(json!({"cloud": "AZURE", "content_format": "ZIP", "environment": {"id": "env-1"}}));
            then.status(201).json_body(json!({
                "cloud": "AZURE", "content_format": "ZIP", "upload_id": "u-az",
                "upload_url": server.url("/container/bad.zip?sig=s")
            }));
        })
        .await;
    let storage = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/container/bad.zip")
                .header("x-ms-blob-type", "BlockBlob")
                .header_missing("authorization");
            then.status(201);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/ccpm/v1/plugins/ccp-1/versions");
            then.status(202).json_body(version_json("PROCESSING", None));
        })
        .await;
    let message = "Version creation failed due to invalid plugin archive.";
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ccpm/v1/plugins/ccp-1/versions/ver-1");
            then.status(200)
                .json_body(version_json("FAILED", Some(message)));
        })
        .await;

    let version = NewPluginVersion::new(PluginRef::id("ccp-1"), "1.2.3")
        .connector_class("com.example.MySource", ConnectorClassType::Source)
        .wait_until_ready(WaitOptions::new(
            Duration::from_millis(20),
            Duration::from_secs(10),
        ));
    let err = support::client(&server.base_url())
        .ccpm()
        .environment("env-1")
        .publish_version(&version, &archive, &UploadOptions::new())
        .await
        .unwrap_err();

    get_plugin.assert_calls_async(1).await;
    presign.assert_calls_async(1).await;
    storage.assert_calls_async(1).await;
    match &err {
        Error::Wait {
            last_state,
            timed_out,
            detail,
            ..
        } => {
            assert_eq!(last_state.as_deref(), Some("FAILED"));
            assert!(!timed_out);
            assert_eq!(detail.as_deref(), Some(message));
        }
        other => panic!("expected Error::Wait, got {other:?}"),
    }
    assert!(err.to_string().contains(message), "{err}");
}

// Real clock: the upload's own HTTP client arms a timeout for the storage request, and
// paused time would jump to it while that request is on the wire.
#[tokio::test]
async fn publish_plugin_version_reuses_the_named_plugin_and_times_out_with_the_last_phase() {
    let server = MockServer::start_async().await;
    let dir = scratch("publish-timeout");
    let archive = Archive::open(
        write_archive(&dir, "slow.zip", &archive_bytes(5000)),
        ArchiveFormat::Zip,
    )
    .unwrap();

    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ccpm/v1/plugins")
                .query_param("environment", "env-1");
            then.status(200)
                .json_body(json!({"data": [plugin_json("ccp-7", "slow-plugin", "GCP")]}));
        })
        .await;
    let create_plugin = server
        .mock_async(|when, then| {
            when.method(POST).path("/ccpm/v1/plugins");
            then.status(202)
                .json_body(plugin_json("ccp-dup", "slow-plugin", "GCP"));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/ccpm/v1/presigned-upload-url");
            then.status(201).json_body(json!({
                "upload_id": "u-g", "upload_url": server.url("/gcs/slow.zip?X-Goog-Signature=1")
            }));
        })
        .await;
    let storage = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/gcs/slow.zip")
                .header("content-type", "application/zip");
            then.status(200);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/ccpm/v1/plugins/ccp-7/versions");
            then.status(202).json_body(version_json("PROCESSING", None));
        })
        .await;
    let polls = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ccpm/v1/plugins/ccp-7/versions/ver-1");
            then.status(200).json_body(version_json("PROCESSING", None));
        })
        .await;

    let version = NewPluginVersion::new(PluginRef::named("slow-plugin", ccpm::Cloud::Gcp), "1.2.3")
        .connector_class("com.example.MySource", ConnectorClassType::Source)
        .wait_until_ready(WaitOptions::new(
            Duration::from_millis(50),
            Duration::from_millis(300),
        ));
    let started = std::time::Instant::now();
    let err = support::client(&server.base_url())
        .ccpm()
        .environment("env-1")
        .publish_version(&version, &archive, &UploadOptions::new())
        .await
        .unwrap_err();

    create_plugin.assert_calls_async(0).await;
    storage.assert_calls_async(1).await;
    assert!(polls.calls_async().await >= 2);
    assert!(started.elapsed() < Duration::from_secs(5));
    match &err {
        Error::Wait {
            last_state,
            timed_out,
            waited,
            ..
        } => {
            assert!(timed_out);
            assert_eq!(last_state.as_deref(), Some("PROCESSING"));
            assert!(*waited >= Duration::from_millis(300));
        }
        other => panic!("expected Error::Wait, got {other:?}"),
    }
}

#[tokio::test]
async fn publish_without_waiting_returns_the_processing_version() {
    let server = MockServer::start_async().await;
    let dir = scratch("publish-nowait");
    let archive = Archive::open(
        write_archive(&dir, "x.zip", &archive_bytes(100)),
        ArchiveFormat::Zip,
    )
    .unwrap();
    server
        .mock_async(|when, then| {
            when.method(GET).path("/ccpm/v1/plugins/ccp-1");
            then.status(200).json_body(plugin_json("ccp-1", "x", "AWS"));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/ccpm/v1/presigned-upload-url");
            then.status(201)
                .body(presigned_s3_body(&server.url("/bucket/"), "ZIP"));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/bucket/");
            then.status(204);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/ccpm/v1/plugins/ccp-1/versions");
            then.status(202).json_body(version_json("PROCESSING", None));
        })
        .await;
    let polls = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ccpm/v1/plugins/ccp-1/versions/ver-1");
            then.status(200).json_body(version_json("READY", None));
        })
        .await;
    let version = NewPluginVersion::new(PluginRef::id("ccp-1"), "1.2.3")
        .connector_class("com.example.MySource", ConnectorClassType::Source);
    let published = support::client(&server.base_url())
        .ccpm()
        .environment("env-1")
        .publish_version(&version, &archive, &UploadOptions::new())
        .await
        .unwrap();
    assert!(!published.plugin_created);
    assert_eq!(
        published.version.status.map(|s| s.phase),
        Some(PluginVersionPhase::Processing)
    );
    polls.assert_calls_async(0).await;
}

#[tokio::test]
async fn presigned_url_errors_are_api_errors() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/ccpm/v1/presigned-upload-url");
            then.status(403)
                .header("x-request-id", "r-403")
                .json_body(json!({"errors": [{"status": "403", "code": "forbidden", "detail": "Forbidden Access"}]}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/connect/v1/presigned-upload-url");
            then.status(200).body(r#"{"upload_url": "https://x/"}"#);
        })
        .await;
    let api = support::client(&server.base_url());
    let err = api
        .ccpm()
        .environment("env-1")
        .presigned_upload(ArchiveFormat::Zip, ccpm::Cloud::Aws)
        .await
        .unwrap_err();
    let Error::Api(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.status.as_u16(), 403);
    assert_eq!(e.operation, "create_presigned_upload_url");
    assert_eq!(e.message.as_deref(), Some("Forbidden Access"));
    assert_eq!(e.request_id.as_deref(), Some("r-403"));

    let err = api
        .connect()
        .presigned_upload(ArchiveFormat::Zip, connect::Cloud::Aws)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("upload_id"), "{err}");
}
