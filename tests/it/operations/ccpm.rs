//! The wire test of every ccpm/v1 operation, keyed by `CcpmApi::OPERATIONS`.

use ccloud_connect::ccpm::mock::MockServerExt;
use ccloud_connect::ccpm::{
    Cloud, ConnectorClassType, ContentFormat, EnvScopedObjectReference, Plugin, PluginSpec,
    PluginSpecUpdate, PluginUpdate, PluginVersion, PluginVersionPhase, PresignedUrlRequest,
};
use httpmock::Method::{DELETE, GET, PATCH, POST};

use super::*;

wire_tests! {
    "ccpm/v1":
    list_plugins,
    create_plugin,
    get_plugin,
    delete_plugin,
    update_plugin,
    create_presigned_upload_url,
    list_plugin_versions,
    create_plugin_version,
    get_plugin_version,
    delete_plugin_version,
}

const PLUGIN: &str = "ccp-12345";
const VERSION: &str = "ver-12345";

fn environment() -> EnvScopedObjectReference {
    EnvScopedObjectReference {
        id: ENV.into(),
        environment: None,
        related: None,
        resource_name: None,
    }
}

/// A plugin as the server answers it.
fn plugin_answer(display_name: &str) -> Value {
    json!({
        "api_version": "ccpm/v1",
        "kind": "CustomConnectPlugin",
        "id": PLUGIN,
        "metadata": {
            "self": format!("https://api.confluent.cloud/ccpm/v1/plugins/{PLUGIN}"),
            "created_at": "2025-01-02T03:04:05Z"
        },
        "spec": {
            "display_name": display_name,
            "description": "Datagen for tests",
            "cloud": "AZURE",
            "runtime_language": "JAVA",
            "environment": {"id": ENV, "related": "https://api.confluent.cloud/v2/environments/env-a1b2c"}
        }
    })
}

async fn list_plugins(wire: Wire) {
    type Args = (Option<u32>, Option<&'static str>, Option<&'static str>);
    let cases: [(Args, Query); 2] = [
        ((None, None, None), &[("environment", ENV)]),
        (
            (Some(25), Some("next/page=2"), Some("AZURE")),
            &[
                ("environment", ENV),
                ("page_size", "25"),
                ("page_token", "next/page=2"),
                ("spec.cloud", "AZURE"),
            ],
        ),
    ];
    for ((page_size, page_token, cloud), query) in cases {
        let server = MockServer::start_async().await;
        let mock = server.list_plugins(|when, then| {
            expect(when.into_inner(), GET, "/ccpm/v1/plugins", query, None);
            then.into_inner().status(200).json_body(json!({
                "api_version": "ccpm/v1",
                "kind": "CustomConnectPluginList",
                "metadata": {"next": null, "total_size": 1},
                "data": [plugin_answer("datagen")]
            }));
        });
        let result = wire
            .client(&server)
            .ccpm()
            .raw()
            .list_plugins(ENV, page_size.and_then(NonZeroU32::new), page_token, cloud)
            .await;
        mock.assert_async().await;
        let page = result.unwrap();
        let meta = page.metadata.unwrap();
        assert_eq!((meta.next, meta.total_size), (None, Some(1)));
        assert_eq!(page.data.len(), 1);
        assert_eq!(page.data[0].spec.cloud, Cloud::Azure);
        assert_eq!(page.data[0].spec.environment.id, ENV);
    }
}

async fn create_plugin(wire: Wire) {
    let server = MockServer::start_async().await;
    let body = Plugin {
        api_version: None,
        kind: None,
        id: None,
        metadata: None,
        spec: PluginSpec {
            cloud: Cloud::Azure,
            display_name: "datagen".into(),
            description: Some("Datagen for tests".into()),
            runtime_language: None,
            environment: environment(),
        },
    };
    let mock = server.create_plugin(|when, then| {
        expect(
            when.into_inner(),
            POST,
            "/ccpm/v1/plugins",
            &[],
            Some(json!({"spec": {
                "cloud": "AZURE",
                "display_name": "datagen",
                "description": "Datagen for tests",
                "environment": {"id": ENV}
            }})),
        );
        then.into_inner()
            .status(202)
            .json_body(plugin_answer("datagen"));
    });
    let result = wire.client(&server).ccpm().raw().create_plugin(&body).await;
    mock.assert_async().await;
    let plugin = result.unwrap();
    assert_eq!(plugin.id.as_deref(), Some(PLUGIN));
    assert_eq!(plugin.spec.runtime_language.as_deref(), Some("JAVA"));
    assert!(plugin.spec.environment.related.is_some());
}

async fn get_plugin(wire: Wire) {
    let server = MockServer::start_async().await;
    let mock = server.get_plugin(|when, then| {
        expect(
            when.into_inner(),
            GET,
            &format!("/ccpm/v1/plugins/{PLUGIN}"),
            &[("environment", ENV)],
            None,
        );
        then.into_inner()
            .status(200)
            .json_body(plugin_answer("datagen"));
    });
    let result = wire
        .client(&server)
        .ccpm()
        .raw()
        .get_plugin(PLUGIN, ENV)
        .await;
    mock.assert_async().await;
    let plugin = result.unwrap();
    assert_eq!(plugin.spec.display_name, "datagen");
    assert_eq!(
        plugin.spec.description.as_deref(),
        Some("Datagen for tests")
    );
    assert_eq!(
        plugin.metadata.unwrap().created_at.unwrap().to_rfc3339(),
        "2025-01-02T03:04:05+00:00"
    );
}

async fn delete_plugin(wire: Wire) {
    let server = MockServer::start_async().await;
    let mock = server.delete_plugin(|when, then| {
        expect(
            when.into_inner(),
            DELETE,
            &format!("/ccpm/v1/plugins/{PLUGIN}"),
            &[("environment", ENV)],
            None,
        );
        then.into_inner().status(204);
    });
    let result = wire
        .client(&server)
        .ccpm()
        .raw()
        .delete_plugin(PLUGIN, ENV)
        .await;
    mock.assert_async().await;
    result.unwrap();
}

async fn update_plugin(wire: Wire) {
    let server = MockServer::start_async().await;
    let body = PluginUpdate {
        api_version: None,
        kind: None,
        id: None,
        metadata: None,
        spec: PluginSpecUpdate {
            display_name: Some("datagen v2".into()),
            description: None,
            runtime_language: None,
            environment: environment(),
        },
    };
    let mock = server.update_plugin(|when, then| {
        // The environment travels in the body; the query stays empty.
        expect(
            when.into_inner(),
            PATCH,
            &format!("/ccpm/v1/plugins/{PLUGIN}"),
            &[],
            Some(json!({"spec": {"display_name": "datagen v2", "environment": {"id": ENV}}})),
        );
        then.into_inner()
            .status(200)
            .json_body(plugin_answer("datagen v2"));
    });
    let result = wire
        .client(&server)
        .ccpm()
        .raw()
        .update_plugin(PLUGIN, &body)
        .await;
    mock.assert_async().await;
    assert_eq!(result.unwrap().spec.display_name, "datagen v2");
}

async fn create_presigned_upload_url(wire: Wire) {
    let server = MockServer::start_async().await;
    let body = PresignedUrlRequest {
        content_format: ContentFormat::Jar,
        cloud: Cloud::Gcp,
        environment: environment(),
    };
    let mock = server.create_presigned_upload_url(|when, then| {
        expect(
            when.into_inner(),
            POST,
            "/ccpm/v1/presigned-upload-url",
            &[],
            Some(json!({"content_format": "JAR", "cloud": "GCP", "environment": {"id": ENV}})),
        );
        then.into_inner().status(201).json_body(json!({
            "api_version": "ccpm/v1",
            "kind": "PresignedUrl",
            "content_format": "JAR",
            "cloud": "GCP",
            "upload_id": "e53bb2e8-8de3-49fa-9fb1-4e3fd9a16b66",
            "upload_url": "https://storage.googleapis.com/bucket/object?X-Goog-Signature=abc",
            "environment": {"id": ENV}
        }));
    });
    let result = wire
        .client(&server)
        .ccpm()
        .raw()
        .create_presigned_upload_url(&body)
        .await;
    mock.assert_async().await;
    let url = result.unwrap();
    assert_eq!(url.cloud, Some(Cloud::Gcp));
    assert_eq!(url.content_format, Some(ContentFormat::Jar));
    assert_eq!(
        url.upload_id.as_deref(),
        Some("e53bb2e8-8de3-49fa-9fb1-4e3fd9a16b66")
    );
    assert!(
        url.upload_form_data.as_ref().is_none_or(|f| f.is_empty()),
        "GCP uploads carry no form"
    );
    assert_eq!(url.environment.unwrap().id, ENV);
}

async fn list_plugin_versions(wire: Wire) {
    type Args = (Option<u32>, Option<&'static str>);
    let cases: [(Args, Query); 2] = [
        ((None, None), &[("environment", ENV)]),
        (
            (Some(1), Some("UvmDWOB1iwfAIBPj6EYb")),
            &[
                ("environment", ENV),
                ("page_size", "1"),
                ("page_token", "UvmDWOB1iwfAIBPj6EYb"),
            ],
        ),
    ];
    let (status, answer) = fixtures::response_fixture("ccpm_plugin_version_list_response.json");
    for ((page_size, page_token), query) in cases {
        let server = MockServer::start_async().await;
        let mock = server.list_plugin_versions(|when, then| {
            expect(
                when.into_inner(),
                GET,
                &format!("/ccpm/v1/plugins/{PLUGIN}/versions"),
                query,
                None,
            );
            then.into_inner().status(status).json_body(answer.clone());
        });
        let result = wire
            .client(&server)
            .ccpm()
            .raw()
            .list_plugin_versions(PLUGIN, ENV, page_size.and_then(NonZeroU32::new), page_token)
            .await;
        mock.assert_async().await;
        let page = result.unwrap();
        assert_eq!(page.metadata.unwrap().total_size, Some(123));
        let version = &page.data[0];
        assert_eq!(version.id.as_deref(), Some("dlz-f3a90de"));
        assert_eq!(
            version.spec.connector_classes[0].type_,
            ConnectorClassType::Source
        );
        assert_eq!(
            version.status.as_ref().unwrap().phase,
            PluginVersionPhase::Processing
        );
    }
}

async fn create_plugin_version(wire: Wire) {
    let server = MockServer::start_async().await;
    let request = fixtures::fixture("ccpm_create_plugin_version_request.json");
    let (status, answer) = fixtures::response_fixture("ccpm_create_plugin_version_response.json");
    let body: PluginVersion = serde_json::from_value(request.clone()).unwrap();
    let mock = server.create_plugin_version(|when, then| {
        expect(
            when.into_inner(),
            POST,
            &format!("/ccpm/v1/plugins/{PLUGIN}/versions"),
            &[],
            Some(request),
        );
        then.into_inner().status(status).json_body(answer);
    });
    let result = wire
        .client(&server)
        .ccpm()
        .raw()
        .create_plugin_version(PLUGIN, &body)
        .await;
    mock.assert_async().await;
    let version = result.unwrap();
    let progress = version.status.unwrap();
    assert_eq!(progress.phase, PluginVersionPhase::Processing);
    assert_eq!(
        progress.error_message.as_deref(),
        Some("Version creation failed due to invalid plugin archive.")
    );
    assert_eq!(
        version.spec.sensitive_config_properties,
        ["passwords", "keys", "tokens"]
    );
    assert_eq!(version.spec.content_format, Some(ContentFormat::Zip));
}

async fn get_plugin_version(wire: Wire) {
    let server = MockServer::start_async().await;
    let (status, answer) = fixtures::response_fixture("ccpm_get_plugin_version_response.json");
    let mock = server.get_plugin_version(|when, then| {
        expect(
            when.into_inner(),
            GET,
            &format!("/ccpm/v1/plugins/{PLUGIN}/versions/{VERSION}"),
            &[("environment", ENV)],
            None,
        );
        then.into_inner().status(status).json_body(answer);
    });
    let result = wire
        .client(&server)
        .ccpm()
        .raw()
        .get_plugin_version(PLUGIN, VERSION, ENV)
        .await;
    mock.assert_async().await;
    let version = result.unwrap();
    assert_eq!(version.spec.version, "string");
    assert_eq!(
        version.spec.upload_source.upload_id,
        "e53bb2e8-8de3-49fa-9fb1-4e3fd9a16b66"
    );
    assert_eq!(
        version.spec.connector_classes[0].class_name,
        "io.confluent.kafka.connect.datagen.DatagenConnector"
    );
    let meta = version.metadata.unwrap();
    assert_eq!(
        meta.deleted_at.unwrap().to_rfc3339(),
        "2006-01-02T22:04:05+00:00"
    );
}

async fn delete_plugin_version(wire: Wire) {
    let server = MockServer::start_async().await;
    let mock = server.delete_plugin_version(|when, then| {
        expect(
            when.into_inner(),
            DELETE,
            &format!("/ccpm/v1/plugins/{PLUGIN}/versions/{VERSION}"),
            &[("environment", ENV)],
            None,
        );
        then.into_inner().status(204);
    });
    let result = wire
        .client(&server)
        .ccpm()
        .raw()
        .delete_plugin_version(PLUGIN, VERSION, ENV)
        .await;
    mock.assert_async().await;
    result.unwrap();
}
