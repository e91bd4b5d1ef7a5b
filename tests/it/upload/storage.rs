//! The upload to each cloud's storage: what goes on the wire, and how storage errors read.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ccloud_connect::Error;
use ccloud_connect::ccpm::{self};
use ccloud_connect::connect::{self};
use ccloud_connect::upload::{
    Archive, ArchiveFormat, PresignedUpload, Progress, UploadOptions, UploadProtocol,
};
use httpmock::prelude::*;
use serde_json::json;

use super::{
    FIELDS, archive_bytes, parse_multipart, presigned_s3_body, recorder, scratch, write_archive,
};
use crate::support::{self};

#[tokio::test]
async fn s3_post_streams_fields_in_server_order_then_the_file() {
    let server = MockServer::start_async().await;
    let dir = scratch("s3");
    // More than a few chunks, and not a multiple of the chunk size.
    let content = archive_bytes(700_001);
    let path = write_archive(&dir, "plugin.zip", &content);

    let presign = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/connect/v1/presigned-upload-url")
                .header_exists("authorization")
                .json_body(json!({"content_format": "ZIP", "cloud": "AWS"}));
            then.status(200)
                .header("content-type", "application/json")
                .body(presigned_s3_body(&server.url("/s3-bucket/"), "ZIP"));
        })
        .await;
    let (seen, record) = recorder();
    let storage = server
        .mock_async(|when, then| {
            when.method(POST).path("/s3-bucket/").is_true(record);
            then.status(204)
                .header("etag", "\"abc\"")
                .header("x-amz-request-id", "REQ1");
        })
        .await;

    let api = support::client(&server.base_url());
    let presigned = api
        .connect()
        .presigned_upload(ArchiveFormat::Zip, connect::Cloud::Aws)
        .await
        .unwrap();
    let names: Vec<&str> = presigned
        .form_fields()
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(names, FIELDS.map(|(k, _)| k));

    let progress: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let log = progress.clone();
    let options = UploadOptions::new()
        .chunk_size(64 * 1024)
        .progress(move |p| log.lock().unwrap().push(p));
    let archive = Archive::open(&path, ArchiveFormat::Zip).unwrap();
    let receipt = presigned.upload(&archive, &options).await.unwrap();

    presign.assert_calls_async(1).await;
    storage.assert_calls_async(1).await;
    assert_eq!(receipt.status.as_u16(), 204);
    assert_eq!(receipt.protocol, UploadProtocol::S3PostForm);
    assert_eq!(receipt.upload_id, "u-1");
    assert_eq!(receipt.bytes, content.len() as u64);
    assert_eq!(receipt.etag.as_deref(), Some("\"abc\""));
    assert_eq!(receipt.request_id.as_deref(), Some("REQ1"));

    let seen = seen.lock().unwrap().clone().unwrap();
    seen.assert_no_confluent_credential();
    assert_eq!(
        seen.header("content-length"),
        Some(seen.body.len().to_string().as_str()),
        "Content-Length must be sent and exact"
    );
    assert!(
        seen.header("transfer-encoding").is_none(),
        "{:?}",
        seen.headers
    );

    let parts = parse_multipart(seen.header("content-type").unwrap(), &seen.body);
    let got: Vec<(String, Vec<u8>)> = parts
        .iter()
        .map(|p| (p.name(), p.content.clone()))
        .collect();
    let mut expected: Vec<(String, Vec<u8>)> = FIELDS
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
        .collect();
    expected.push(("file".to_owned(), content.clone()));
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g.0, e.0, "part order");
        assert!(g.1 == e.1, "content of part {} differs", g.0);
    }
    let file_part = parts.last().unwrap();
    assert!(
        file_part
            .headers
            .contains("Content-Disposition: form-data; name=\"file\"; filename=\"plugin.zip\""),
        "{}",
        file_part.headers
    );
    assert!(file_part.headers.contains("Content-Type: application/zip"));

    let progress = progress.lock().unwrap();
    assert_eq!(progress.first().map(|p| p.sent), Some(0));
    assert_eq!(
        progress.last().map(|p| (p.sent, p.total)),
        Some((700_001, 700_001))
    );
    assert!(progress.windows(2).all(|w| w[0].sent <= w[1].sent));
    assert!(
        progress.len() >= 700_001 / (64 * 1024),
        "one call per chunk"
    );
}

#[tokio::test]
async fn azure_put_sends_block_blob_headers_and_raw_bytes() {
    let server = MockServer::start_async().await;
    let dir = scratch("azure");
    let content = archive_bytes(300_000);
    let path = write_archive(&dir, "connector.jar", &content);
    let sas =
        "/plugins/connector.jar?sv=2022-11-02&se=2030-01-01T00%3A00%3A00Z&sr=b&sp=cw&sig=c2ln";
    let answer = json!({
        "api_version": "ccpm/v1", "kind": "PresignedUrl", "cloud": "AZURE",
        "content_format": "JAR", "upload_id": "u-az", "upload_url": server.url(sas),
        "environment": {"id": "env-1"}
    });
    let presign = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/ccpm/v1/presigned-upload-url")
                .json_body(json!({"cloud": "AZURE", "content_format": "JAR", "environment": {"id": "env-1"}}));
            then.status(201).json_body(answer);
        })
        .await;
    let (seen, record) = recorder();
    let storage = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/plugins/connector.jar")
                .is_true(record);
            then.status(201)
                .header("etag", "\"0x8D\"")
                .header("x-ms-request-id", "az-1");
        })
        .await;

    let presigned = support::client(&server.base_url())
        .ccpm()
        .environment("env-1")
        .presigned_upload(ArchiveFormat::Jar, ccpm::Cloud::Azure)
        .await
        .unwrap();
    let archive = Archive::open(&path, ArchiveFormat::Jar).unwrap();
    let receipt = presigned
        .upload(&archive, &UploadOptions::new())
        .await
        .unwrap();

    presign.assert_calls_async(1).await;
    storage.assert_calls_async(1).await;
    assert_eq!(receipt.protocol, UploadProtocol::AzureBlobPut);
    assert_eq!(receipt.status.as_u16(), 201);
    assert_eq!(receipt.request_id.as_deref(), Some("az-1"));
    let seen = seen.lock().unwrap().clone().unwrap();
    seen.assert_no_confluent_credential();
    assert_eq!(seen.header("x-ms-blob-type"), Some("BlockBlob"));
    assert_eq!(
        seen.header("content-type"),
        Some("application/java-archive")
    );
    assert_eq!(seen.header("content-length"), Some("300000"));
    assert!(seen.header("transfer-encoding").is_none());
    assert!(seen.body == content, "the body is the archive's raw bytes");
    // The SAS query travels untouched.
    assert!(seen.query.contains(&("sig".to_owned(), "c2ln".to_owned())));
    assert!(seen.query.contains(&("sp".to_owned(), "cw".to_owned())));
}

#[tokio::test]
async fn gcp_put_uses_the_requested_cloud_when_the_answer_names_none() {
    let server = MockServer::start_async().await;
    let dir = scratch("gcp");
    let content = archive_bytes(90_000);
    let path = write_archive(&dir, "plugin.zip", &content);
    let presign = server
        .mock_async(|when, then| {
            when.method(POST).path("/connect/v1/presigned-upload-url");
            // No `cloud`, no form fields: only the requested cloud can decide.
            then.status(200).json_body(json!({
                "upload_id": "u-gcp",
                "upload_url": server.url("/gcs/obj?X-Goog-Signature=abc")
            }));
        })
        .await;
    let (seen, record) = recorder();
    let storage = server
        .mock_async(|when, then| {
            when.method(PUT).path("/gcs/obj").is_true(record);
            then.status(200);
        })
        .await;

    let presigned = support::client(&server.base_url())
        .connect()
        .presigned_upload(ArchiveFormat::Zip, connect::Cloud::Gcp)
        .await
        .unwrap();
    assert_eq!(presigned.protocol().unwrap(), UploadProtocol::GcsPut);
    let archive = Archive::open(&path, ArchiveFormat::Zip).unwrap();
    let receipt = presigned
        .upload(&archive, &UploadOptions::new())
        .await
        .unwrap();

    presign.assert_calls_async(1).await;
    storage.assert_calls_async(1).await;
    assert_eq!(receipt.protocol, UploadProtocol::GcsPut);
    let seen = seen.lock().unwrap().clone().unwrap();
    seen.assert_no_confluent_credential();
    assert_eq!(seen.header("content-type"), Some("application/zip"));
    assert_eq!(seen.header("content-length"), Some("90000"));
    assert!(seen.header("x-ms-blob-type").is_none());
    assert!(seen.body == content);
}

fn s3_presigned(server: &MockServer, path: &str) -> PresignedUpload {
    PresignedUpload::from_json(presigned_s3_body(&server.url(path), "ZIP").as_bytes()).unwrap()
}

#[tokio::test]
async fn s3_xml_errors_carry_status_code_message_and_the_expiry_hint() {
    let server = MockServer::start_async().await;
    let dir = scratch("s3err");
    let archive = Archive::open(
        write_archive(&dir, "p.zip", b"PK\x03\x04zip"),
        ArchiveFormat::Zip,
    )
    .unwrap();
    server
        .mock_async(|when, then| {
            when.method(POST).path("/sig/");
            then.status(403)
                .header("content-type", "application/xml")
                .header("x-amz-request-id", "4442587FB7D0A2F9")
                .body(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code>\
                     <Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message>\
                     <RequestId>4442587FB7D0A2F9</RequestId></Error>",
                );
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/expired/");
            then.status(403).body(
                "<Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message></Error>",
            );
        })
        .await;

    let err = s3_presigned(&server, "/sig/")
        .upload(&archive, &UploadOptions::new())
        .await
        .unwrap_err();
    let Error::Storage(e) = &err else {
        panic!("expected a storage error, got {err:?}")
    };
    assert_eq!(e.status.as_u16(), 403);
    assert_eq!(e.api, "storage");
    assert_eq!(e.code.as_deref(), Some("SignatureDoesNotMatch"));
    assert!(
        e.message
            .as_deref()
            .unwrap()
            .starts_with("The request signature we calculated")
    );
    assert_eq!(e.request_id.as_deref(), Some("4442587FB7D0A2F9"));
    assert_eq!(e.hint, None);
    assert!(err.to_string().contains("[SignatureDoesNotMatch]"), "{err}");

    let err = s3_presigned(&server, "/expired/")
        .upload(&archive, &UploadOptions::new())
        .await
        .unwrap_err();
    let e = err.api_error().unwrap();
    assert_eq!(e.code.as_deref(), Some("AccessDenied"));
    assert!(e.hint.is_some());
    assert!(
        err.to_string().contains("request a new presigned URL"),
        "{err}"
    );
}

#[tokio::test]
async fn azure_errors_read_the_error_code_header_and_detail() {
    let server = MockServer::start_async().await;
    let dir = scratch("azerr");
    let archive = Archive::open(
        write_archive(&dir, "p.jar", b"PK\x03\x04jar"),
        ArchiveFormat::Jar,
    )
    .unwrap();
    server
        .mock_async(|when, then| {
            when.method(PUT).path("/c/p.jar");
            then.status(403)
                .header("x-ms-error-code", "AuthenticationFailed")
                .header("x-ms-request-id", "az-req-9")
                .body(
                    "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthenticationFailed</Code>\
                     <Message>Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.\n\
                     RequestId:az-req-9\nTime:2030-01-01T00:00:00.0000000Z</Message>\
                     <AuthenticationErrorDetail>Signed expiry time [Mon, 01 Jan 2029 00:00:00 GMT] must be after signed start time [Tue, 01 Jan 2030 00:00:00 GMT]</AuthenticationErrorDetail></Error>",
                );
        })
        .await;
    let presigned = PresignedUpload::from_json(
        json!({"upload_id": "u", "upload_url": server.url("/c/p.jar?sig=x"), "cloud": "AZURE"})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    let err = presigned
        .upload(&archive, &UploadOptions::new())
        .await
        .unwrap_err();
    let Error::Storage(e) = &err else {
        panic!("expected a storage error, got {err:?}")
    };
    assert_eq!(e.status.as_u16(), 403);
    assert_eq!(e.code.as_deref(), Some("AuthenticationFailed"));
    let message = e.message.as_deref().unwrap();
    assert!(
        message.starts_with("Server failed to authenticate the request."),
        "{message}"
    );
    assert!(!message.contains("RequestId:"), "{message}");
    assert!(message.contains("Signed expiry time"), "{message}");
    assert_eq!(e.request_id.as_deref(), Some("az-req-9"));
    assert!(
        err.to_string().contains("request a new presigned URL"),
        "{err}"
    );
}

// Real clock: the timeout under test fires while the storage request is on the wire, where
// paused time would jump to it before the server could answer either way.
#[tokio::test]
async fn upload_timeout_is_its_own_setting() {
    let server = MockServer::start_async().await;
    let dir = scratch("timeout");
    let archive = Archive::open(
        write_archive(&dir, "p.zip", b"PK\x03\x04"),
        ArchiveFormat::Zip,
    )
    .unwrap();
    server
        .mock_async(|when, then| {
            when.method(POST).path("/slow/");
            then.status(204).delay(Duration::from_secs(5));
        })
        .await;
    let started = std::time::Instant::now();
    let err = s3_presigned(&server, "/slow/")
        .upload(
            &archive,
            &UploadOptions::new().timeout(Duration::from_millis(300)),
        )
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(4));
    assert!(err.to_string().contains("UploadOptions::timeout"), "{err}");
}
