//! Plugin archive upload and one-call publishing, against httpmock on 127.0.0.1.
//!
//! The API and the "storage" share one mock server on purpose: the storage URL is then under
//! the client's base URL, so a missing `Authorization` header on the storage request shows
//! the upload really uses a client of its own, not that the URL merely failed an origin check.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use ccloud_connect::ccpm::{self, ConnectorClassType, PluginVersionPhase};
use ccloud_connect::ccpm::{NewPluginVersion, PluginRef};
use ccloud_connect::connect::NewCustomPlugin;
use ccloud_connect::connect::{self, CustomConnectorPluginType};
use ccloud_connect::upload::{
    Archive, ArchiveFormat, PresignedUpload, Progress, UploadOptions, UploadProtocol,
};
use ccloud_connect::wait::WaitOptions;
use ccloud_connect::{Client, Error, RetryPolicy};
use httpmock::prelude::*;
use serde_json::json;

const KEY: &str = "UPLOADKEY";
const SECRET: &str = "s3cr3t-never-on-storage";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .credentials(KEY, SECRET)
        .base_url(server.base_url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

/// A scratch directory of its own per test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ccloud-connect-upload-{}-{name}-{:x}",
        std::process::id(),
        fastrand_u64()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn fastrand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

/// `len` bytes that include CR, LF, dashes and every byte value, so a body that mangles
/// or reframes binary content shows up in the comparison.
fn archive_bytes(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..len)
        .map(|i| {
            if i % 997 < 4 {
                return b"\r\n--"[i % 997];
            }
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

fn write_archive(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

/// What a storage mock saw of the one request it served.
#[derive(Clone, Debug, Default)]
struct Seen {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    query: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// No header carries the Confluent credential in any form.
    fn assert_no_confluent_credential(&self) {
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:{SECRET}"));
        assert!(
            self.header("authorization").is_none(),
            "storage got an Authorization header: {:?}",
            self.headers
        );
        for (k, v) in &self.headers {
            assert!(
                !v.contains(SECRET) && !v.contains(&basic) && !v.contains(KEY),
                "header {k} carries a Confluent credential: {v}"
            );
        }
    }
}

type Recorder = Arc<Mutex<Option<Seen>>>;

/// A matcher that records the request it is shown and always matches.
fn recorder() -> (
    Recorder,
    impl Fn(&HttpMockRequest) -> bool + Send + Sync + 'static,
) {
    let slot: Recorder = Arc::default();
    let writer = slot.clone();
    let matcher = move |req: &HttpMockRequest| {
        *writer.lock().unwrap() = Some(Seen {
            headers: req.headers_vec().clone(),
            body: req.body_vec(),
            query: req.query_params(),
        });
        true
    };
    (slot, matcher)
}

struct Part {
    headers: String,
    content: Vec<u8>,
}

impl Part {
    fn name(&self) -> String {
        let start = self.headers.find("name=\"").unwrap() + 6;
        let end = start + self.headers[start..].find('"').unwrap();
        self.headers[start..end].to_owned()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Splits a `multipart/form-data` body strictly: every part opens with `--B\r\n`, the body
/// closes with `--B--\r\n` and nothing follows it.
fn parse_multipart(content_type: &str, body: &[u8]) -> Vec<Part> {
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .expect("multipart content type");
    let open = format!("--{boundary}\r\n");
    let close = format!("\r\n--{boundary}--\r\n");
    assert!(
        body.ends_with(close.as_bytes()),
        "body must end with the closing boundary"
    );
    let mut rest = &body[..body.len() - close.len()];
    let delimiter = format!("\r\n--{boundary}\r\n");
    assert!(rest.starts_with(open.as_bytes()));
    rest = &rest[open.len()..];
    let mut parts = Vec::new();
    loop {
        let (part, next) = match find(rest, delimiter.as_bytes()) {
            Some(i) => (&rest[..i], Some(&rest[i + delimiter.len()..])),
            None => (rest, None),
        };
        let split = find(part, b"\r\n\r\n").expect("part headers end");
        parts.push(Part {
            headers: String::from_utf8(part[..split].to_vec()).unwrap(),
            content: part[split + 4..].to_vec(),
        });
        match next {
            Some(n) => rest = n,
            None => break,
        }
    }
    parts
}

/// Form fields deliberately out of alphabetical order, as a server may send them.
const FIELDS: [(&str, &str); 7] = [
    ("key", "staging/ccp/v1/org/custom-plugins/u-1/plugin.zip"),
    ("x-amz-signature", "0f1e2d3c4b5a"),
    ("bucket", "confluent-custom-connectors-test"),
    (
        "policy",
        "eyJleHBpcmF0aW9uIjoiMjAzMC0wMS0wMVQwMDowMDowMFoifQ==",
    ),
    ("x-amz-algorithm", "AWS4-HMAC-SHA256"),
    (
        "x-amz-credential",
        "ASIAEXAMPLE/20300101/us-west-2/s3/aws4_request",
    ),
    ("x-amz-date", "20300101T000000Z"),
];

fn presigned_s3_body(upload_url: &str, format: &str) -> String {
    // Built by hand: serde_json's Map would sort the keys.
    let fields: Vec<String> = FIELDS
        .iter()
        .map(|(k, v)| format!("{}:{}", json!(k), json!(v)))
        .collect();
    format!(
        r#"{{"api_version":"connect/v1","kind":"PresignedUrl","content_format":"{format}","cloud":"AWS","upload_form_data":{{{}}},"upload_id":"u-1","upload_url":"{upload_url}"}}"#,
        fields.join(",")
    )
}

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

    let api = client(&server);
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

    let presigned = client(&server)
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

    let presigned = client(&server)
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

// ----- validation: each failure is reported and nothing is sent --------------------------

/// A server that answers anything, so a request that should not have been sent is counted.
async fn catch_all(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await
}

#[tokio::test]
async fn archive_checks_refuse_bad_files_before_any_request() {
    let server = MockServer::start_async().await;
    let anything = catch_all(&server).await;
    let dir = scratch("validate");
    let api = client(&server);
    let plugin = NewCustomPlugin::new("p", "com.example.C", CustomConnectorPluginType::Source);
    std::fs::create_dir_all(dir.join("folder.zip")).unwrap();
    write_archive(&dir, "empty.zip", b"");
    write_archive(&dir, "plugin.jar", b"PK\x03\x04");
    write_archive(&dir, "plugin", b"PK\x03\x04");
    write_archive(&dir, "big.zip", &[7u8; 2048]);

    let cases: [(&str, ArchiveFormat, Option<u64>, &str); 6] = [
        ("missing.zip", ArchiveFormat::Zip, None, "does not exist"),
        ("folder.zip", ArchiveFormat::Zip, None, "not a regular file"),
        ("empty.zip", ArchiveFormat::Zip, None, "is empty"),
        ("plugin.jar", ArchiveFormat::Zip, None, "extension .zip"),
        ("plugin", ArchiveFormat::Jar, None, "has none"),
        (
            "big.zip",
            ArchiveFormat::Zip,
            Some(1024),
            "more than the limit of 1024",
        ),
    ];
    for (name, format, cap, reason) in cases {
        let path = dir.join(name);
        let attempt = async {
            let archive = match cap {
                Some(cap) => Archive::open_with_max_size(&path, format, cap)?,
                None => Archive::open(&path, format)?,
            };
            api.connect()
                .publish_custom_plugin(&plugin, &archive, &UploadOptions::new())
                .await
        };
        let err = attempt.await.unwrap_err();
        assert!(err.is_validation(), "{name}: {err:?}");
        assert!(
            matches!(&err, Error::Validation { field, .. } if field == "archive"),
            "{err:?}"
        );
        assert!(err.to_string().contains(reason), "{name}: {err}");
    }
    // Exactly at the cap is allowed.
    Archive::open_with_max_size(dir.join("big.zip"), ArchiveFormat::Zip, 2048).unwrap();
    anything.assert_calls_async(0).await;
}

#[tokio::test]
async fn presigned_and_request_checks_refuse_before_any_request() {
    let server = MockServer::start_async().await;
    let anything = catch_all(&server).await;
    let dir = scratch("validate2");
    let api = client(&server);
    let zip_path = write_archive(&dir, "p.zip", &archive_bytes(1000));
    let zip = Archive::open(&zip_path, ArchiveFormat::Zip).unwrap();
    let options = UploadOptions::new();
    let url = server.url("/storage/");

    let presigned =
        |json: serde_json::Value| PresignedUpload::from_json(json.to_string().as_bytes()).unwrap();
    let refused = [
        // Issued for JAR, given a ZIP.
        presigned(
            json!({"upload_id": "u", "upload_url": url, "cloud": "GCP", "content_format": "JAR"}),
        ),
        // S3 without its policy fields.
        presigned(json!({"upload_id": "u", "upload_url": url, "cloud": "AWS"})),
        // A text field that S3 would store instead of the archive.
        presigned(
            json!({"upload_id": "u", "upload_url": url, "upload_form_data": {"key": "k", "file": "x"}}),
        ),
        // A cloud this crate cannot upload to.
        presigned(json!({"upload_id": "u", "upload_url": url, "cloud": "ORACLE"})),
        // Nothing says which protocol.
        presigned(json!({"upload_id": "u", "upload_url": url})),
        // Not an http(s) URL.
        presigned(json!({"upload_id": "u", "upload_url": "ftp://127.0.0.1/x", "cloud": "GCP"})),
    ];
    for p in &refused {
        let err = p.upload(&zip, &options).await.unwrap_err();
        assert!(err.is_validation(), "{p:?}: {err:?}");
    }

    // The file changed after it was checked: refused before the first API request.
    std::fs::write(&zip_path, archive_bytes(999)).unwrap();
    let plugin = NewCustomPlugin::new("p", "com.example.C", CustomConnectorPluginType::Source);
    let err = api
        .connect()
        .publish_custom_plugin(&plugin, &zip, &options)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("changed since it was checked"),
        "{err}"
    );
    std::fs::write(&zip_path, archive_bytes(1000)).unwrap();

    // Request arguments.
    let nameless = NewCustomPlugin::new(" ", "com.example.C", CustomConnectorPluginType::Source);
    let err = api
        .connect()
        .publish_custom_plugin(&nameless, &zip, &options)
        .await
        .unwrap_err();
    assert!(
        err.is_validation() && err.to_string().contains("display_name"),
        "{err}"
    );
    let classless = NewPluginVersion::new(PluginRef::id("ccp-1"), "1.0.0");
    let err = api
        .ccpm()
        .environment("env-1")
        .publish_version(&classless, &zip, &options)
        .await
        .unwrap_err();
    assert!(
        err.is_validation() && err.to_string().contains("connector class"),
        "{err}"
    );
    let dotted = NewPluginVersion::new(PluginRef::id(".."), "1.0.0")
        .connector_class("com.example.C", ConnectorClassType::Sink);
    let err = api
        .ccpm()
        .environment("env-1")
        .publish_version(&dotted, &zip, &options)
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err}");
    let flooding = NewPluginVersion::new(PluginRef::id("ccp-1"), "1.0.0")
        .connector_class("com.example.C", ConnectorClassType::Sink)
        .wait_until_ready(WaitOptions::new(Duration::ZERO, Duration::from_secs(1)));
    let err = api
        .ccpm()
        .environment("env-1")
        .publish_version(&flooding, &zip, &options)
        .await
        .unwrap_err();
    assert!(
        err.is_validation() && err.to_string().contains("wait interval"),
        "{err}"
    );

    anything.assert_calls_async(0).await;
}

// ----- one-call publishing ------------------------------------------------------------------

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
    let published = client(&server)
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
    let api = client(&server);
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
    let err = client(&server)
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
    let err = client(&server)
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
    let published = client(&server)
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
    let api = client(&server);
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
