//! Presigned URLs that are never used: the emulator keeps at most the cap of them, forgets
//! the oldest first, and a late upload to one it forgot (or one that expired) gets the
//! storage service's own expiry error, in every cloud and across a restart.

use std::time::Duration;

use ccloud_connect::connect::{Cloud, PresignedUrl};
use ccloud_connect_emulator::{Emulator, EmulatorHandle};
use serde_json::json;

use crate::state_file::TempDir;
use crate::support::*;

/// PUTs `zip` to an Azure or GCS presigned URL, with the headers each wants.
async fn put(p: &PresignedUrl, cloud: Cloud, zip: &[u8]) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .put(p.upload_url.clone().unwrap())
        .header("content-type", "application/zip")
        .body(zip.to_vec());
    if cloud == Cloud::Azure {
        req = req.header("x-ms-blob-type", "BlockBlob");
    }
    req.send().await.unwrap()
}

/// The same URL with its signature changed: issued by no one.
fn forged(url: &str, param: &str) -> String {
    let (head, tail) = url.split_once(&format!("{param}=")).unwrap();
    let rest = tail.split_once('&').map(|(_, r)| r).unwrap_or("");
    format!("{head}{param}=AAAA&{rest}")
}

#[tokio::test]
async fn unused_presigned_urls_stay_at_the_cap_and_the_evicted_ones_read_as_expired() {
    let emu = Emulator::builder()
        .max_pending_uploads(10)
        .start()
        .await
        .unwrap();
    let client = client(&emu);
    let zip = tiny_zip();
    let first = presign(&client, Cloud::Aws).await;
    let first_azure = presign(&client, Cloud::Azure).await;
    let first_gcs = presign(&client, Cloud::Gcp).await;
    let mut last = None;
    for i in 0..60 {
        let cloud = [Cloud::Aws, Cloud::Azure, Cloud::Gcp][i % 3].clone();
        last = Some(presign(&client, cloud).await);
        let seen = emu.inspect();
        assert_eq!(seen.pending_uploads, seen.uploads);
        assert!(seen.pending_uploads <= 10, "{seen:?}");
    }
    assert_eq!(emu.inspect().pending_uploads, 10);

    // The first ones were forgotten: a late upload reads as an expired URL, per cloud.
    let resp = s3_post(
        first.upload_url.as_deref().unwrap(),
        &form_fields(&first),
        &zip,
    )
    .await;
    assert_eq!(resp.status(), 403);
    let text = resp.text().await.unwrap();
    assert_eq!(xml_code(&text), "AccessDenied");
    assert!(text.contains("Policy expired."), "{text}");
    let resp = put(&first_azure, Cloud::Azure, &zip).await;
    assert_eq!(resp.status(), 403);
    assert_eq!(resp.headers()["x-ms-error-code"], "AuthenticationFailed");
    let text = resp.text().await.unwrap();
    assert!(text.contains("Signed expiry time has passed."), "{text}");
    let resp = put(&first_gcs, Cloud::Gcp, &zip).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(xml_code(&resp.text().await.unwrap()), "ExpiredToken");
    let err = client
        .connect()
        .raw()
        .create_custom_connector_plugin(&plugin_body(
            "late",
            first.upload_id.as_deref().unwrap(),
            json!({}),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422), "{err}");

    // A signature the emulator did not make is not mistaken for a forgotten URL.
    let mut fields = form_fields(&first);
    for (name, value) in fields.iter_mut() {
        if *name == "x-amz-signature" {
            *value = "0000";
        }
    }
    let resp = s3_post(first.upload_url.as_deref().unwrap(), &fields, &zip).await;
    let text = resp.text().await.unwrap();
    assert!(!text.contains("expired"), "{text}");
    let mut azure = first_azure.clone();
    azure.upload_url = Some(forged(azure.upload_url.as_deref().unwrap(), "sig"));
    let text = put(&azure, Cloud::Azure, &zip).await.text().await.unwrap();
    assert!(text.contains("No SAS was issued"), "{text}");
    let mut gcs = first_gcs.clone();
    gcs.upload_url = Some(forged(
        gcs.upload_url.as_deref().unwrap(),
        "X-Goog-Signature",
    ));
    let text = put(&gcs, Cloud::Gcp, &zip).await.text().await.unwrap();
    assert_eq!(xml_code(&text), "SignatureDoesNotMatch");

    // The newest one is still there, and an upload takes it out of the count.
    let last = last.unwrap();
    let resp = put(&last, Cloud::Gcp, &zip).await;
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    let seen = emu.inspect();
    assert_eq!((seen.pending_uploads, seen.uploads), (9, 10));
    for _ in 0..20 {
        presign(&client, Cloud::Aws).await;
    }
    let seen = emu.inspect();
    assert_eq!(
        (seen.pending_uploads, seen.uploads),
        (10, 11),
        "uploaded ones are kept"
    );
    assert_eq!(
        emu.uploaded_size(last.upload_id.as_deref().unwrap()),
        Some(zip.len() as u64)
    );
}

/// The default cap: 1000 URLs outstanding, however many are issued.
#[tokio::test]
async fn the_default_cap_is_a_thousand() {
    let emu = Emulator::builder().start().await.unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}/connect/v1/presigned-upload-url", emu.base_url());
    for _ in 0..1100 {
        let resp = http
            .post(&url)
            .header("authorization", basic("K", "S"))
            .json(&json!({"content_format": "ZIP", "cloud": "AWS"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    assert_eq!(emu.inspect().pending_uploads, 1000);
    assert_eq!(emu.inspect().uploads, 1000);
}

async fn with_ttl(ttl: Duration) -> EmulatorHandle {
    Emulator::builder()
        .upload_url_ttl(ttl)
        .start()
        .await
        .unwrap()
}

// Paused time: the lifetime ends exactly when the test sleeps past it.
#[tokio::test(start_paused = true)]
async fn presigned_urls_live_for_their_lifetime() {
    let emu = with_ttl(Duration::from_secs(60)).await;
    let client = client(&emu);
    let zip = tiny_zip();
    let used = presign(&client, Cloud::Aws).await;
    let late = presign(&client, Cloud::Aws).await;
    tokio::time::sleep(Duration::from_secs(59)).await;
    let resp = s3_post(
        used.upload_url.as_deref().unwrap(),
        &form_fields(&used),
        &zip,
    )
    .await;
    assert_eq!(
        resp.status(),
        204,
        "in time: {}",
        resp.text().await.unwrap()
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let resp = s3_post(
        late.upload_url.as_deref().unwrap(),
        &form_fields(&late),
        &zip,
    )
    .await;
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("Policy expired."));

    // A new URL sweeps the expired one; a retry still gets the expiry error.
    presign(&client, Cloud::Aws).await;
    let seen = emu.inspect();
    assert_eq!((seen.pending_uploads, seen.uploads), (1, 2), "{seen:?}");
    let resp = s3_post(
        late.upload_url.as_deref().unwrap(),
        &form_fields(&late),
        &zip,
    )
    .await;
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("Policy expired."));
}

/// The signing key is part of the saved state: a URL forgotten before a restart still
/// reads as expired after it.
#[tokio::test]
async fn forgotten_urls_read_as_expired_after_a_restart() {
    let dir = TempDir::new("presigned");
    let file = dir.0.join("state.json");
    let start = || {
        Emulator::builder()
            .max_pending_uploads(1)
            .state_file(&file)
            .start()
    };
    let emu = start().await.unwrap();
    let client = client(&emu);
    let evicted = presign(&client, Cloud::Aws).await;
    presign(&client, Cloud::Aws).await;
    assert_eq!(emu.inspect().pending_uploads, 1);
    drop(emu);

    let emu = start().await.unwrap();
    assert_eq!(emu.inspect().pending_uploads, 1);
    let path = evicted.upload_url.as_deref().unwrap();
    let path = &path[path.find("/_storage/").unwrap()..];
    let url = format!("{}{path}", emu.base_url());
    let resp = s3_post(&url, &form_fields(&evicted), &tiny_zip()).await;
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("Policy expired."));
}
