//! Custom connector plugins (connect/v1) and ccpm plugins and versions, and paging
//! through their lists.

use ccloud_connect::ccpm;
use std::num::NonZeroU32;

use ccloud_connect::connect::{
    Cloud, ConnectorState, ConnectorType, ContentFormat, CreateConnectorRequest,
};
use futures::TryStreamExt;
use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn custom_plugin_from_a_presigned_s3_upload() {
    let emu = emulator().await;
    let client = client(&emu);
    let api = client.connect();
    let zip = tiny_zip();

    let p = presign(&client, Cloud::Aws).await;
    let url = p.upload_url.clone().unwrap();
    assert!(
        url.starts_with(&format!("{}/_storage/s3/", emu.base_url())),
        "{url}"
    );
    for field in [
        "key",
        "policy",
        "x-amz-algorithm",
        "x-amz-credential",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-signature",
    ] {
        assert!(
            p.upload_form_data
                .as_ref()
                .is_some_and(|form| form.get(field).is_some()),
            "{field}"
        );
    }
    let upload_id = p.upload_id.clone().unwrap();
    assert_eq!(emu.uploaded_size(&upload_id), None);
    // Storage takes no Confluent credentials: plain reqwest, no Authorization header.
    let resp = s3_post(&url, &form_fields(&p), &zip).await;
    assert_eq!(resp.status(), 204, "{}", resp.text().await.unwrap());
    assert_eq!(emu.uploaded_size(&upload_id), Some(zip.len() as u64));

    let body = plugin_body(
        "custom-datagen",
        &upload_id,
        json!({"sensitive_config_properties": ["db.conn.string"]}),
    );
    let plugin = api
        .raw()
        .create_custom_connector_plugin(&body)
        .await
        .unwrap();
    let id = plugin.id.clone().unwrap();
    assert!(id.starts_with("ccp-"), "{id}");
    assert_eq!(plugin.content_format, Some(ContentFormat::Zip));
    assert_eq!(plugin.cloud, Some(Cloud::Aws));
    assert_eq!(plugin.upload_source.as_ref().unwrap().upload_id, "");
    assert!(
        plugin
            .metadata
            .as_ref()
            .unwrap()
            .self_
            .as_ref()
            .unwrap()
            .ends_with(&id)
    );

    let dup = api
        .raw()
        .create_custom_connector_plugin(&plugin_body("custom-datagen", &upload_id, json!({})))
        .await
        .unwrap_err();
    assert!(dup.is_conflict(), "{dup}");
    assert_eq!(
        api_error(&dup).details[0].code.as_deref(),
        Some("resource_already_exists")
    );

    let update = serde_json::from_value(json!({"display_name": "custom-datagen-1"})).unwrap();
    let updated = api
        .raw()
        .update_custom_connector_plugin(&id, &update)
        .await
        .unwrap();
    assert_eq!(updated.display_name, "custom-datagen-1");
    assert_eq!(updated.sensitive_config_properties, ["db.conn.string"]);
    assert_eq!(
        api.raw()
            .get_custom_connector_plugin(&id)
            .await
            .unwrap()
            .display_name,
        "custom-datagen-1"
    );

    let connector: CreateConnectorRequest = serde_json::from_value(json!({
        "name": "custom-datagen_0",
        "config": {
            "name": "custom-datagen_0",
            "confluent.connector.type": "CUSTOM",
            "confluent.custom.plugin.id": id,
            "kafka.api.key": "K",
            "kafka.api.secret": "S",
            "db.conn.string": "jdbc:postgresql://db/x?password=p",
            "kafka.topic": "pageviews",
            "tasks.max": "1"
        }
    }))
    .unwrap();
    let created = api
        .raw()
        .create_connector(ENV, CLUSTER, &connector)
        .await
        .unwrap();
    assert_eq!(created.type_, Some(ConnectorType::Source));
    assert_eq!(created.config.as_ref().unwrap()["db.conn.string"], MASK);
    wait_for(&client, ENV, "custom-datagen_0", ConnectorState::Running).await;
    api.raw()
        .delete_connector(ENV, CLUSTER, "custom-datagen_0")
        .await
        .unwrap();

    api.raw().delete_custom_connector_plugin(&id).await.unwrap();
    let gone = api
        .raw()
        .get_custom_connector_plugin(&id)
        .await
        .unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    assert_eq!(
        api_error(&gone).details[0].code.as_deref(),
        Some("not_found")
    );
    assert!(
        api.raw()
            .delete_custom_connector_plugin(&id)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test]
async fn ccpm_plugins_and_versions() {
    let emu = emulator().await;
    let client = client(&emu);
    let api = client.ccpm();

    let plugin = api
        .raw()
        .create_plugin(&ccpm_plugin("datagen", ENV))
        .await
        .unwrap();
    let id = plugin.id.clone().unwrap();
    assert!(id.starts_with("ccp-"));
    assert_eq!(plugin.spec.environment.id, ENV);
    assert_eq!(plugin.spec.runtime_language.as_deref(), Some("JAVA"));
    let dup = api
        .raw()
        .create_plugin(&ccpm_plugin("datagen", ENV))
        .await
        .unwrap_err();
    assert!(dup.is_conflict(), "{dup}");
    api.raw()
        .create_plugin(&ccpm_plugin("datagen", "env-other"))
        .await
        .expect("names are per environment");
    assert!(
        api.raw()
            .get_plugin(&id, "env-other")
            .await
            .unwrap_err()
            .is_not_found()
    );
    let update = serde_json::from_value(
        json!({"spec": {"description": "changed", "environment": {"id": ENV}}}),
    )
    .unwrap();
    let updated = api.raw().update_plugin(&id, &update).await.unwrap();
    assert_eq!(updated.spec.description.as_deref(), Some("changed"));
    assert_eq!(updated.spec.display_name, "datagen");

    let good = ccpm_upload(&client, ENV, &tiny_zip()).await;
    let v1 = api
        .raw()
        .create_plugin_version(&id, &ccpm_version("1.0.0", ENV, &good))
        .await
        .unwrap();
    let v1_id = v1.id.clone().unwrap();
    assert_eq!(
        v1.status.as_ref().unwrap().phase,
        ccpm::PluginVersionPhase::Processing
    );
    assert_eq!(v1.spec.upload_source.upload_id, "");
    assert_eq!(v1.spec.content_format, Some(ccpm::ContentFormat::Zip));
    let ready = wait_for_phase(&client, &id, &v1_id, ccpm::PluginVersionPhase::Ready).await;
    assert!(ready.status.unwrap().error_message.is_none());
    let dup = api
        .raw()
        .create_plugin_version(&id, &ccpm_version("1.0.0", ENV, &good))
        .await
        .unwrap_err();
    assert!(dup.is_conflict(), "{dup}");

    let junk = ccpm_upload(&client, ENV, b"this is not an archive").await;
    let v2 = api
        .raw()
        .create_plugin_version(&id, &ccpm_version("2.0.0", ENV, &junk))
        .await
        .unwrap();
    let v2_id = v2.id.unwrap();
    let failed = wait_for_phase(&client, &id, &v2_id, ccpm::PluginVersionPhase::Failed).await;
    assert_eq!(
        failed.status.unwrap().error_message.as_deref(),
        Some("Version creation failed due to invalid plugin archive.")
    );

    // Uploads are scoped: a connect/v1 upload or another environment's is refused.
    let connect_upload = uploaded(&client, &tiny_zip()).await;
    let err = api
        .raw()
        .create_plugin_version(&id, &ccpm_version("3.0.0", ENV, &connect_upload))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422), "{err}");
    let other_env = ccpm_upload(&client, "env-other", &tiny_zip()).await;
    let err = api
        .raw()
        .create_plugin_version(&id, &ccpm_version("3.0.0", ENV, &other_env))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422), "{err}");

    let versions = api
        .environment(ENV)
        .plugin(&id)
        .versions()
        .all()
        .await
        .unwrap();
    let names: Vec<&str> = versions.iter().map(|v| v.spec.version.as_str()).collect();
    assert_eq!(names, ["1.0.0", "2.0.0"]);

    // Connectors pick a version of a ccpm plugin.
    let connector = |name: &str, version: Option<&str>| {
        let mut config = json!({
            "name": name, "confluent.connector.type": "CUSTOM",
            "confluent.custom.plugin.id": id, "kafka.api.key": "K", "kafka.api.secret": "S",
            "db.secret.dsn": "dsn", "confluent.custom.connect.plugin.runtime": "3.9"
        });
        if let Some(v) = version {
            config["confluent.custom.plugin.version"] = json!(v);
        }
        serde_json::from_value::<CreateConnectorRequest>(json!({"name": name, "config": config}))
            .unwrap()
    };
    let connect = client.connect();
    let created = connect
        .raw()
        .create_connector(ENV, CLUSTER, &connector("on-v1", Some("1.0.0")))
        .await
        .unwrap();
    assert_eq!(created.config.unwrap()["db.secret.dsn"], MASK);
    wait_for(&client, ENV, "on-v1", ConnectorState::Running).await;
    connect
        .raw()
        .create_connector(ENV, CLUSTER, &connector("on-v2", Some("2.0.0")))
        .await
        .unwrap();
    let s = wait_for(&client, ENV, "on-v2", ConnectorState::Failed).await;
    assert!(
        s.connector
            .trace
            .unwrap()
            .contains("invalid plugin archive")
    );
    connect
        .raw()
        .create_connector(ENV, CLUSTER, &connector("on-v9", Some("9.9.9")))
        .await
        .unwrap();
    let s = wait_for(&client, ENV, "on-v9", ConnectorState::Failed).await;
    assert!(s.connector.trace.unwrap().contains("has no version 9.9.9"));
    let err = connect
        .raw()
        .create_connector("env-other", CLUSTER, &connector("elsewhere", None))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err}");

    api.raw()
        .delete_plugin_version(&id, &v2_id, ENV)
        .await
        .unwrap();
    assert!(
        api.raw()
            .get_plugin_version(&id, &v2_id, ENV)
            .await
            .unwrap_err()
            .is_not_found()
    );
    api.raw().delete_plugin(&id, ENV).await.unwrap();
    let gone = api.raw().get_plugin(&id, ENV).await.unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    assert_eq!(api_error(&gone).api, "ccpm/v1");
    assert!(!api_error(&gone).details.is_empty(), "errors-list shape");
}

#[tokio::test]
async fn lists_page_with_next_links() {
    let emu = emulator().await;
    let client = client(&emu);
    let api = client.connect();
    let upload_id = uploaded(&client, &tiny_zip()).await;
    for n in 0..25 {
        api.raw()
            .create_custom_connector_plugin(&plugin_body(
                &format!("p-{n:02}"),
                &upload_id,
                json!({}),
            ))
            .await
            .unwrap();
    }
    let ten = NonZeroU32::new(10).unwrap();
    let first = api
        .raw()
        .list_custom_connector_plugins(Some("AWS"), Some(ten), None)
        .await
        .unwrap();
    let meta = first.metadata.unwrap();
    assert_eq!(meta.total_size, Some(25));
    let next = meta.next.unwrap();
    assert!(
        next.starts_with(&format!(
            "{}/connect/v1/custom-connector-plugins?cloud=AWS&page_size=10&page_token=",
            emu.base_url()
        )),
        "{next}"
    );
    let pages: Vec<_> = api
        .custom_plugins(Some(Cloud::Aws))
        .page_size(ten)
        .by_page()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<usize> = pages.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, [10, 10, 5]);
    assert!(pages[2].next_page_token.is_none());
    let names: Vec<String> = pages
        .into_iter()
        .flat_map(|p| p.items)
        .map(|p| p.display_name)
        .collect();
    let expected: Vec<String> = (0..25).map(|n| format!("p-{n:02}")).collect();
    assert_eq!(names, expected);

    let ccpm = client.ccpm();
    for n in 0..12 {
        ccpm.raw()
            .create_plugin(&ccpm_plugin(&format!("c-{n}"), ENV))
            .await
            .unwrap();
    }
    ccpm.raw()
        .create_plugin(&ccpm_plugin("elsewhere", "env-other"))
        .await
        .unwrap();
    let five = NonZeroU32::new(5).unwrap();
    let raw = ccpm
        .raw()
        .list_plugins(ENV, Some(five), None, None)
        .await
        .unwrap();
    let next = raw.metadata.unwrap().next.unwrap();
    assert!(next.contains(&format!("environment={ENV}")), "{next}");
    let pages: Vec<_> = ccpm
        .environment(ENV)
        .plugins(None)
        .page_size(five)
        .by_page()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<usize> = pages.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, [5, 5, 2]);
    assert_eq!(pages[0].total_size, Some(12));

    let runtimes = api.runtimes().all().await.unwrap();
    let names: Vec<_> = runtimes
        .iter()
        .map(|r| r.custom_connect_plugin_runtime_name.as_deref().unwrap())
        .collect();
    assert_eq!(names, ["3.9", "3.6"]);
    assert!(runtimes[1].end_of_life_at.is_some());

    let resp = reqwest::Client::new()
        .get(format!(
            "{}/connect/v1/custom-connector-plugins?page_size=0",
            emu.base_url()
        ))
        .header("authorization", basic("k", "s"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["source"]["parameter"], "page_size",
        "{body}"
    );
}
