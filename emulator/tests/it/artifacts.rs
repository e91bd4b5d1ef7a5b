//! `cam/v1` Connect Artifacts on the emulator: the phases, the scope every call names
//! (`environment` and `spec.cloud`), uploads that belong to another API, duplicates, a
//! failed processing (an archive that is not a ZIP, or injected), the seed and the state
//! file.

use ccloud_connect::cam::{self, ArtifactPhase, Cloud, ConnectArtifact, PresignedUrlRequest};
use ccloud_connect::upload::{Archive, ArchiveFormat, UploadOptions};
use ccloud_connect::wait::WaitOptions;
use ccloud_connect_emulator::{Emulator, Seed};
use serde_json::{Value, json};

use crate::state_file::TempDir;
use crate::support::*;

const ARTIFACTS: &str = "/cam/v1/connect-artifacts";

/// Uploads `bytes` through a cam/v1 presigned URL (AWS form) and returns the upload id.
async fn upload(client: &ccloud_connect::Client, env: &str, bytes: &[u8]) -> String {
    let p = client
        .cam()
        .raw()
        .create_presigned_upload_url(&PresignedUrlRequest {
            cloud: Cloud::Aws,
            content_format: cam::ContentFormat::Zip,
            environment: env.to_owned(),
        })
        .await
        .unwrap();
    assert_eq!(p.api_version.as_deref(), Some("cam/v1"));
    assert_eq!(p.environment.as_deref(), Some(env));
    let form: Vec<(String, String)> = p.upload_form_data.clone().unwrap().fields().to_vec();
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let stored = s3_post(p.upload_url.as_deref().unwrap(), &fields, bytes).await;
    assert!(stored.status().is_success(), "{}", stored.status());
    p.upload_id.unwrap()
}

fn body(env: &str, cloud: &str, name: &str, upload_id: &str) -> Value {
    json!({"spec": {"environment": env, "cloud": cloud, "display_name": name,
        "upload_source": {"location": "PRESIGNED_URL_LOCATION", "upload_id": upload_id}}})
}

async fn raw(
    emu: &ccloud_connect_emulator::EmulatorHandle,
    method: reqwest::Method,
    path_and_query: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .request(method, format!("{}{path_and_query}", emu.base_url()))
        .header("authorization", basic("TESTKEY", "TESTSECRET"));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let answer = req.send().await.unwrap();
    let status = answer.status().as_u16();
    let text = answer.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_artifact_waits_processes_and_is_ready_and_stays_in_its_scope() {
    let emu = Emulator::builder()
        .artifact_processing_delay(ms(300))
        .start()
        .await
        .unwrap();
    let client = client(&emu);
    let upload_id = upload(&client, ENV, &tiny_zip()).await;
    let q = format!("?environment={ENV}&spec.cloud=AWS");
    let (status, created) = raw(
        &emu,
        reqwest::Method::POST,
        &format!("{ARTIFACTS}{q}"),
        Some(body(ENV, "AWS", "masking-smts", &upload_id)),
    )
    .await;
    assert_eq!(status, 202, "{created}");
    assert_eq!(created["status"]["phase"], "WAITING_FOR_PROCESSING");
    assert_eq!(created["spec"]["content_format"], "ZIP");
    assert_eq!(created["spec"]["upload_source"]["upload_id"], "");
    let id = created["id"].as_str().unwrap().to_owned();

    let env = client.cam().environment(ENV, Cloud::Aws);
    let ready = env
        .artifact(&id)
        .wait_until_ready(WaitOptions::new(ms(20), ms(5000)))
        .await
        .unwrap();
    assert_eq!(ready.status.unwrap().phase, ArtifactPhase::Ready);
    let listed: Vec<ConnectArtifact> = env.artifacts().all().await.unwrap();
    assert_eq!(listed.len(), 1);

    // Another cloud or environment does not see it.
    for other in [
        format!("?environment={ENV}&spec.cloud=GCP"),
        "?environment=env-other&spec.cloud=AWS".to_owned(),
    ] {
        let (status, _) = raw(
            &emu,
            reqwest::Method::GET,
            &format!("{ARTIFACTS}/{id}{other}"),
            None,
        )
        .await;
        assert_eq!(status, 404, "{other}");
        let (_, list) = raw(
            &emu,
            reqwest::Method::GET,
            &format!("{ARTIFACTS}{other}"),
            None,
        )
        .await;
        assert_eq!(list["data"], json!([]), "{other}");
    }
    // Both query parameters are required on every call, and the cloud must be one.
    for (query, missing) in [
        ("?spec.cloud=AWS".to_owned(), "environment"),
        (format!("?environment={ENV}"), "spec.cloud"),
        (format!("?environment={ENV}&spec.cloud=MARS"), "spec.cloud"),
    ] {
        let (status, err) = raw(
            &emu,
            reqwest::Method::GET,
            &format!("{ARTIFACTS}/{id}{query}"),
            None,
        )
        .await;
        assert_eq!(status, 400, "{query}");
        assert!(
            err["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .contains(missing),
            "{err}"
        );
    }
    // Duplicates per environment and cloud, a body out of the request's scope.
    let again = upload(&client, ENV, &tiny_zip()).await;
    let (status, err) = raw(
        &emu,
        reqwest::Method::POST,
        &format!("{ARTIFACTS}{q}"),
        Some(body(ENV, "AWS", "masking-smts", &again)),
    )
    .await;
    assert_eq!(status, 409, "{err}");
    let (status, err) = raw(
        &emu,
        reqwest::Method::POST,
        &format!("{ARTIFACTS}{q}"),
        Some(body("env-other", "AWS", "other", &again)),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["errors"][0]["source"]["pointer"], "/spec/environment");
    let (status, err) = raw(
        &emu,
        reqwest::Method::POST,
        &format!("{ARTIFACTS}{q}"),
        Some(body(ENV, "AZURE", "other", &again)),
    )
    .await;
    assert_eq!(status, 422, "{err}");

    let (status, _) = raw(
        &emu,
        reqwest::Method::DELETE,
        &format!("{ARTIFACTS}/{id}{q}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = raw(
        &emu,
        reqwest::Method::GET,
        &format!("{ARTIFACTS}/{id}{q}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn an_upload_from_another_api_is_refused_and_a_bad_archive_fails_processing() {
    let emu = Emulator::builder()
        .artifact_processing_delay(ms(40))
        .start()
        .await
        .unwrap();
    let client = client(&emu);
    // A ccpm/v1 upload cannot back an artifact.
    let ccpm_upload = client
        .ccpm()
        .environment(ENV)
        .presigned_upload(ArchiveFormat::Zip, ccloud_connect::ccpm::Cloud::Aws)
        .await
        .unwrap();
    let dir = TempDir::new("artifacts-archive");
    let path = dir.0.join("smts.zip");
    std::fs::write(&path, tiny_zip()).unwrap();
    let archive = Archive::open(&path, ArchiveFormat::Zip).unwrap();
    let receipt = ccpm_upload
        .upload(&archive, &UploadOptions::new())
        .await
        .unwrap();
    let q = format!("?environment={ENV}&spec.cloud=AWS");
    let (status, err) = raw(
        &emu,
        reqwest::Method::POST,
        &format!("{ARTIFACTS}{q}"),
        Some(body(ENV, "AWS", "smts", &receipt.upload_id)),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    assert!(err.to_string().contains("issued by ccpm/v1"), "{err}");

    // Not a ZIP: accepted, then FAILED.
    let upload_id = upload(&client, ENV, b"not a zip at all").await;
    let (status, created) = raw(
        &emu,
        reqwest::Method::POST,
        &format!("{ARTIFACTS}{q}"),
        Some(body(ENV, "AWS", "smts", &upload_id)),
    )
    .await;
    assert_eq!(status, 202, "{created}");
    let id = created["id"].as_str().unwrap();
    let err = client
        .cam()
        .environment(ENV, Cloud::Aws)
        .artifact(id)
        .wait_until_ready(WaitOptions::new(ms(10), ms(5000)))
        .await
        .unwrap_err();
    assert!(err.is_wait_failed(), "{err}");
    assert!(err.to_string().contains("FAILED"), "{err}");

    // An injected failure, over HTTP.
    let good = upload(&client, ENV, &tiny_zip()).await;
    let (_, created) = raw(
        &emu,
        reqwest::Method::POST,
        &format!("{ARTIFACTS}{q}"),
        Some(body(ENV, "AWS", "good", &good)),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let (status, _) = raw(
        &emu,
        reqwest::Method::POST,
        &format!("/_emulator/artifacts/{id}/fail"),
        Some(json!({"reason": "class not found"})),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = raw(
        &emu,
        reqwest::Method::POST,
        "/_emulator/artifacts/cfa-none/fail",
        None,
    )
    .await;
    assert_eq!(status, 404);
    tokio::time::sleep(ms(60)).await;
    let (_, read) = raw(
        &emu,
        reqwest::Method::GET,
        &format!("{ARTIFACTS}/{id}{q}"),
        None,
    )
    .await;
    assert_eq!(read["status"]["phase"], "FAILED");
}

#[tokio::test]
async fn seeded_artifacts_are_ready_and_survive_a_restart_through_the_state_file() {
    let dir = TempDir::new("artifacts-state");
    let state = dir.0.join("state.json");
    let seed = Seed::from_json(
        r#"{"artifacts": [{"id": "cfa-seed01", "environment": "env-abc123", "cloud": "aws",
            "display_name": "seeded-smts", "description": "from the seed"}]}"#,
    )
    .unwrap();
    let emu = Emulator::builder()
        .seed(seed)
        .state_file(&state)
        .start()
        .await
        .unwrap();
    let client = client(&emu);
    let env = client.cam().environment(ENV, Cloud::Aws);
    let seeded = env.artifact("cfa-seed01").get().await.unwrap();
    assert_eq!(seeded.status.unwrap().phase, ArtifactPhase::Ready);
    assert_eq!(seeded.spec.content_format, Some(cam::ContentFormat::Jar));
    let upload_id = upload(&client, ENV, &tiny_zip()).await;
    let created = env
        .create_artifact(&cam::NewArtifact::new("second"), &upload_id)
        .await
        .unwrap();
    let id = created.id.unwrap();
    drop(emu);

    let emu = Emulator::builder()
        .state_file(&state)
        .start()
        .await
        .unwrap();
    let client = self::client(&emu);
    let env = client.cam().environment(ENV, Cloud::Aws);
    let names: Vec<String> = env
        .artifacts()
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.spec.display_name)
        .collect();
    assert_eq!(names, ["seeded-smts", "second"]);
    env.artifact(&id)
        .wait_until_ready(WaitOptions::new(ms(20), ms(5000)))
        .await
        .unwrap();

    // A seed the API would refuse names the entry.
    let err = Emulator::builder()
        .seed(
            Seed::from_json(
                r#"{"artifacts": [{"environment": "env-1", "display_name": "a", "cloud": "MARS"}]}"#,
            )
            .unwrap(),
        )
        .start()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("artifacts[0]"), "{err}");
}
