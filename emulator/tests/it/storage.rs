//! The storage endpoints presigned URLs point at: the S3 form, the Azure and GCS PUTs,
//! and what they refuse, including hostile or careless uploads.

use std::time::Duration;

use ccloud_connect::ccpm;
use ccloud_connect::connect::Cloud;
use ccloud_connect_emulator::Emulator;
use futures::StreamExt;
use serde_json::json;
use tokio::time::Instant;

use crate::support::*;

#[tokio::test]
async fn s3_upload_endpoint_checks_the_form() {
    let emu = Emulator::builder()
        .max_upload_size(4096)
        .start()
        .await
        .unwrap();
    let client = client(&emu);
    let zip = tiny_zip();
    let p = presign(&client, Cloud::Aws).await;
    let url = p.upload_url.clone().unwrap();
    let upload_id = p.upload_id.clone().unwrap();
    let fields = form_fields(&p);
    let http = reqwest::Client::new();

    // Never uploaded: creating a plugin from it fails.
    let err = client
        .connect()
        .raw()
        .create_custom_connector_plugin(&plugin_body("p", &upload_id, json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422), "{err}");
    assert_eq!(
        api_error(&err).details[0].pointer.as_deref(),
        Some("/upload_source/upload_id")
    );
    assert!(err.to_string().contains("no archive was uploaded"), "{err}");
    let err = client
        .connect()
        .raw()
        .create_custom_connector_plugin(&plugin_body("p", "no-such-upload", json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422), "{err}");

    // The file before the fields.
    let mut parts = vec![Part::File(&zip)];
    parts.extend(fields.iter().map(|&(k, v)| Part::Field(k, v)));
    let (ct, body) = multipart(&parts);
    let resp = http
        .post(&url)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(xml_code(&resp.text().await.unwrap()), "InvalidArgument");

    // A field left out.
    let missing: Vec<_> = fields
        .iter()
        .copied()
        .filter(|(k, _)| *k != "x-amz-date")
        .collect();
    let resp = s3_post(&url, &missing, &zip).await;
    assert_eq!(resp.status(), 403);
    let text = resp.text().await.unwrap();
    assert_eq!(xml_code(&text), "AccessDenied");
    assert!(text.contains("$x-amz-date"), "{text}");

    // A changed signature, an extra field.
    let forged: Vec<_> = fields
        .iter()
        .map(|(k, v)| (*k, if *k == "x-amz-signature" { "00" } else { *v }))
        .collect();
    let resp = s3_post(&url, &forged, &zip).await;
    assert_eq!(resp.status(), 403);
    assert_eq!(
        xml_code(&resp.text().await.unwrap()),
        "SignatureDoesNotMatch"
    );
    let mut extra = fields.clone();
    extra.push(("acl", "public-read"));
    let resp = s3_post(&url, &extra, &zip).await;
    assert_eq!(resp.status(), 403);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Extra input fields: acl")
    );

    // No Content-Length (a chunked body).
    let mut parts: Vec<Part<'_>> = fields.iter().map(|&(k, v)| Part::Field(k, v)).collect();
    parts.push(Part::File(&zip));
    let (ct, body) = multipart(&parts);
    let stream = futures::stream::iter([Ok::<_, std::io::Error>(body)]);
    let resp = http
        .post(&url)
        .header("content-type", ct)
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 411);
    assert_eq!(
        xml_code(&resp.text().await.unwrap()),
        "MissingContentLength"
    );

    // Over the size limit, or empty.
    let mut big = zip.clone();
    big.resize(5000, 0);
    let resp = s3_post(&url, &fields, &big).await;
    assert_eq!(resp.status(), 400);
    let text = resp.text().await.unwrap();
    assert_eq!(xml_code(&text), "EntityTooLarge");
    assert!(
        text.contains("<MaxSizeAllowed>4096</MaxSizeAllowed>"),
        "{text}"
    );
    let resp = s3_post(&url, &fields, b"").await;
    assert_eq!(xml_code(&resp.text().await.unwrap()), "EntityTooSmall");

    // Not a form at all.
    let resp = http.post(&url).body("plain").send().await.unwrap();
    assert_eq!(resp.status(), 412);
    assert_eq!(emu.uploaded_size(&upload_id), None);

    // A form in order works; an archive that is not a ZIP is refused by the API.
    let resp = s3_post(&url, &fields, b"not a zip archive").await;
    assert_eq!(resp.status(), 204);
    let err = client
        .connect()
        .raw()
        .create_custom_connector_plugin(&plugin_body("p", &upload_id, json!({})))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a valid ZIP"), "{err}");
    let resp = s3_post(&url, &fields, &zip).await;
    assert_eq!(resp.status(), 204);
    client
        .connect()
        .raw()
        .create_custom_connector_plugin(&plugin_body("p", &upload_id, json!({})))
        .await
        .unwrap();
}

#[tokio::test]
async fn azure_and_gcp_uploads() {
    let emu = emulator().await;
    let client = client(&emu);
    let api = client.connect();
    let zip = tiny_zip();
    let http = reqwest::Client::new();

    let p = presign(&client, Cloud::Azure).await;
    let url = p.upload_url.clone().unwrap();
    assert!(
        url.contains("/_storage/azure/") && url.contains("sig="),
        "{url}"
    );
    assert!(p.upload_form_data.as_ref().is_none_or(|f| f.is_empty()));
    let put = |url: String| http.put(url).header("content-type", "application/zip");

    let resp = put(url.clone()).body(zip.clone()).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(resp.headers()["x-ms-error-code"], "MissingRequiredHeader");
    let forged = format!("{}&sig=forged", url.split("&sig=").next().unwrap());
    let resp = put(forged)
        .header("x-ms-blob-type", "BlockBlob")
        .body(zip.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(resp.headers()["x-ms-error-code"], "AuthenticationFailed");
    let chunked = reqwest::Body::wrap_stream(futures::stream::iter([Ok::<_, std::io::Error>(
        zip.clone(),
    )]));
    let resp = put(url.clone())
        .header("x-ms-blob-type", "BlockBlob")
        .body(chunked)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 411);
    assert_eq!(
        resp.headers()["x-ms-error-code"],
        "MissingContentLengthHeader"
    );
    let resp = put(url.clone())
        .header("x-ms-blob-type", "BlockBlob")
        .body(zip.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let azure_upload = p.upload_id.unwrap();

    // The upload belongs to AZURE: an AWS plugin cannot use it.
    let err = api
        .raw()
        .create_custom_connector_plugin(&plugin_body("on-aws", &azure_upload, json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422), "{err}");
    let plugin = api
        .raw()
        .create_custom_connector_plugin(&plugin_body(
            "on-azure",
            &azure_upload,
            json!({"cloud": "AZURE"}),
        ))
        .await
        .unwrap();
    assert_eq!(plugin.cloud, Some(Cloud::Azure));
    let azure = api.custom_plugins(Some(Cloud::Azure)).all().await.unwrap();
    assert_eq!(azure.len(), 1);
    assert!(api.custom_plugins(None).all().await.unwrap().is_empty());

    // GCP (through ccpm): PUT with the archive's content type.
    let g = client
        .ccpm()
        .raw()
        .create_presigned_upload_url(&ccpm::PresignedUrlRequest {
            content_format: ccpm::ContentFormat::Zip,
            cloud: ccpm::Cloud::Gcp,
            environment: serde_json::from_value(json!({"id": ENV})).unwrap(),
        })
        .await
        .unwrap();
    let gurl = g.upload_url.unwrap();
    assert!(
        gurl.contains("/_storage/gcs/") && gurl.contains("X-Goog-Signature="),
        "{gurl}"
    );
    assert_eq!(g.environment.unwrap().id, ENV);
    let resp = http
        .put(&gurl)
        .header("content-type", "application/octet-stream")
        .body(zip.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("SignatureDoesNotMatch"));
    let resp = http
        .put(&gurl)
        .header("content-type", "application/zip")
        .body(zip.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        emu.uploaded_size(g.upload_id.as_deref().unwrap()),
        Some(zip.len() as u64)
    );
}

#[tokio::test]
async fn an_upload_naming_no_issued_key_is_refused_before_its_file_is_read() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    let emu = emulator().await;
    let boundary = "emulatortest-hostile";
    let (head, tail) = form_around_file(
        boundary,
        &[
            ("key", "staging/nobody/plugin.zip"),
            ("policy", "e30="),
            ("x-amz-signature", "00"),
        ],
    );
    // Announce a 190 MiB file but send only its first MiB, then nothing: an emulator that
    // reads the whole body before the form's fields never answers.
    const FILE: u64 = 190 * 1024 * 1024;
    const SENT: usize = 1024 * 1024;
    let length = head.len() as u64 + FILE + tail.len() as u64;
    let pulled = Arc::new(AtomicU64::new(0));
    let counter = pulled.clone();
    let chunks = std::iter::once(head).chain((0..SENT / 65536).map(|_| vec![0u8; 65536]));
    let stream = futures::stream::iter(chunks)
        .map(move |chunk| {
            counter.fetch_add(chunk.len() as u64, Ordering::SeqCst);
            Ok::<_, std::io::Error>(chunk)
        })
        .chain(futures::stream::pending());
    let send = reqwest::Client::new()
        .post(format!(
            "{}/_storage/s3/confluent-custom-connectors-emulator/",
            emu.base_url()
        ))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("content-length", length)
        .body(reqwest::Body::wrap_stream(stream))
        .send();
    let resp = tokio::time::timeout(Duration::from_secs(30), send)
        .await
        .expect("the emulator answers before the file arrives")
        .unwrap();
    assert_eq!(resp.status(), 403);
    let text = resp.text().await.unwrap();
    assert_eq!(xml_code(&text), "AccessDenied", "{text}");
    assert!(pulled.load(Ordering::SeqCst) <= (SENT + 4096) as u64);
    assert_eq!(emu.inspect().uploads_in_progress, 0);
}

#[tokio::test]
async fn concurrent_uploads_are_bounded() {
    let emu = Emulator::builder()
        .max_concurrent_uploads(1)
        .start()
        .await
        .unwrap();
    let client = client(&emu);
    let zip = tiny_zip();
    let first = presign(&client, Cloud::Aws).await;
    let second = presign(&client, Cloud::Aws).await;

    // The first upload sends its fields and half its file, then waits for a go.
    let boundary = "emulatortest-slow";
    let (mut head, tail) = form_around_file(boundary, &form_fields(&first));
    let half = zip.len() / 2;
    head.extend(&zip[..half]);
    let mut rest = zip[half..].to_vec();
    rest.extend(&tail);
    let length = (head.len() + rest.len()) as u64;
    let (go, gate) = tokio::sync::oneshot::channel::<()>();
    let stream = futures::stream::iter([Ok::<_, std::io::Error>(head)]).chain(
        futures::stream::once(async move {
            let _ = gate.await;
            Ok(rest)
        }),
    );
    let slow = tokio::spawn(
        reqwest::Client::new()
            .post(first.upload_url.clone().unwrap())
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("content-length", length)
            .body(reqwest::Body::wrap_stream(stream))
            .send(),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while emu.inspect().uploads_in_progress < 1 {
        assert!(Instant::now() < deadline, "the first upload never started");
        tokio::time::sleep(ms(5)).await;
    }

    let url = second.upload_url.clone().unwrap();
    let resp = s3_post(&url, &form_fields(&second), &zip).await;
    assert_eq!(resp.status(), 503);
    assert_eq!(xml_code(&resp.text().await.unwrap()), "SlowDown");

    go.send(()).unwrap();
    let resp = slow.await.unwrap().unwrap();
    assert_eq!(resp.status(), 204, "{}", resp.text().await.unwrap());
    assert_eq!(
        emu.uploaded_size(first.upload_id.as_deref().unwrap()),
        Some(zip.len() as u64)
    );
    let resp = s3_post(&url, &form_fields(&second), &zip).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(emu.inspect().uploads_in_progress, 0);
}

#[tokio::test]
async fn multipart_boundaries_over_70_characters_are_refused() {
    let emu = emulator().await;
    let client = client(&emu);
    let zip = tiny_zip();
    let p = presign(&client, Cloud::Aws).await;
    let url = p.upload_url.clone().unwrap();
    let http = reqwest::Client::new();

    // A 300 KB boundary around a 1 MiB file.
    let boundary = "b".repeat(300 * 1024);
    let file = vec![b'x'; 1024 * 1024];
    let mut parts: Vec<Part<'_>> = form_fields(&p)
        .into_iter()
        .map(|(k, v)| Part::Field(k, v))
        .collect();
    parts.push(Part::File(&file));
    let (ct, body) = multipart_with(&boundary, &parts);
    let started = Instant::now();
    let resp = http
        .post(&url)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(resp.status(), 400);
    let text = resp.text().await.unwrap();
    assert_eq!(xml_code(&text), "MalformedPOSTRequest", "{text}");
    assert!(text.contains("at most 70"), "{text}");
    eprintln!("300 KB boundary refused in {elapsed:?}");

    let resp = s3_post_with(&"c".repeat(71), &url, &form_fields(&p), &zip).await;
    assert_eq!(resp.status(), 400);

    // 70 characters is fine, even around a file full of near-misses of the delimiter.
    let boundary = format!("{}z", "c".repeat(69));
    let near_miss = format!("\r\n--{}y", &boundary[..69]);
    let mut file = zip.clone();
    while file.len() < 2 * 1024 * 1024 {
        file.extend(near_miss.as_bytes());
    }
    let started = Instant::now();
    let resp = s3_post_with(&boundary, &url, &form_fields(&p), &file).await;
    eprintln!(
        "2 MiB of delimiter near-misses uploaded in {:?}",
        started.elapsed()
    );
    assert_eq!(resp.status(), 204, "{}", resp.text().await.unwrap());
    assert_eq!(
        emu.uploaded_size(p.upload_id.as_deref().unwrap()),
        Some(file.len() as u64)
    );
}

#[tokio::test]
async fn expired_unused_uploads_are_refused_and_forgotten() {
    // A zero time to live: every presigned URL has expired by the time it is used.
    let emu = Emulator::builder()
        .upload_url_ttl(Duration::ZERO)
        .start()
        .await
        .unwrap();
    let client = client(&emu);
    let zip = tiny_zip();
    for _ in 0..5 {
        presign(&client, Cloud::Aws).await;
    }
    // Each new URL sweeps the expired ones before it.
    assert_eq!(emu.inspect().uploads, 1);
    let p = presign(&client, Cloud::Aws).await;
    assert_eq!(emu.inspect().uploads, 1);
    let resp = s3_post(p.upload_url.as_deref().unwrap(), &form_fields(&p), &zip).await;
    assert_eq!(resp.status(), 403);
    let text = resp.text().await.unwrap();
    assert!(text.contains("Policy expired"), "{text}");
    assert_eq!(emu.inspect().uploads, 0);
    let err = client
        .connect()
        .raw()
        .create_custom_connector_plugin(&plugin_body(
            "late",
            p.upload_id.as_deref().unwrap(),
            json!({}),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422), "{err}");
    assert!(err.to_string().contains("unknown"), "{err}");

    // The same for the PUT endpoints.
    let http = reqwest::Client::new();
    let p = presign(&client, Cloud::Azure).await;
    let resp = http
        .put(p.upload_url.clone().unwrap())
        .header("x-ms-blob-type", "BlockBlob")
        .header("content-type", "application/zip")
        .body(zip.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(emu.inspect().uploads, 0);
    let p = presign(&client, Cloud::Gcp).await;
    let resp = http
        .put(p.upload_url.clone().unwrap())
        .header("content-type", "application/zip")
        .body(zip.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(xml_code(&resp.text().await.unwrap()), "ExpiredToken");
    assert_eq!(emu.inspect().uploads, 0);
}
