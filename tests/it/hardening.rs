//! Hostile answers, careless input and a hostile network: each test here failed before the
//! client guarded against what it sends.

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use ccloud_connect::Error;
use ccloud_connect::upload::{Archive, ArchiveFormat, PresignedUpload, UploadOptions};

use crate::support::server::{Answer, Server};
use crate::support::{KEY, SECRET, builder};

fn token() -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:{SECRET}"))
}

fn assert_refused(err: &Error, needles: &[&str]) {
    assert!(matches!(err, Error::ResponseRefused { .. }), "{err:?}");
    let text = err.to_string();
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} not in {text}");
    }
}

// ---- 1. success bodies are bounded ----

#[tokio::test]
async fn an_announced_body_over_the_limit_is_refused_before_it_is_read() {
    let (server, written) = Server::endless(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2147483648",
        false,
    )
    .await;
    let client = builder(&server.base_url)
        .max_response_body(1024 * 1024)
        .build()
        .unwrap();
    let err = client
        .connect()
        .raw()
        .get_connector("env-1", "lkc-1", "c1")
        .await
        .unwrap_err();
    assert_refused(
        &err,
        &[
            "get_connector",
            "2147483648",
            "1048576",
            "max_response_body",
        ],
    );
    // Refused on the header: the client stopped long before the announced 2 GiB. What the
    // server managed to write is bounded by the socket buffers, not by the body.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let written = written.load(std::sync::atomic::Ordering::Relaxed);
    assert!(written < 64 * 1024 * 1024, "{written}");
}

#[tokio::test]
async fn an_endless_body_stops_at_the_limit_on_a_get_and_on_a_page() {
    let (server, written) =
        Server::endless("HTTP/1.1 200 OK\r\ncontent-type: application/json", true).await;
    let client = builder(&server.base_url)
        .max_response_body(512 * 1024)
        .build()
        .unwrap();
    let err = client
        .connect()
        .raw()
        .get_connector("env-1", "lkc-1", "c1")
        .await
        .unwrap_err();
    assert_refused(&err, &["get_connector", "524288", "max_response_body"]);

    use futures::TryStreamExt as _;
    let err = client
        .connect()
        .custom_plugins(None)
        .by_page()
        .try_next()
        .await
        .unwrap_err();
    assert_refused(&err, &["list_custom_connector_plugins", "524288"]);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let written = written.load(std::sync::atomic::Ordering::Relaxed);
    assert!(written < 64 * 1024 * 1024, "{written}");
}

#[tokio::test]
async fn answers_within_the_limit_still_decode() {
    let body = r#"{"name":"c1","config":{"connector.class":"S3_SINK"},"tasks":[]}"#;
    let server = Server::sequence(vec![Answer::json(200, body)]).await;
    let client = builder(&server.base_url)
        .max_response_body(body.len() as u64)
        .build()
        .unwrap();
    let connector = client
        .connect()
        .raw()
        .get_connector("env-1", "lkc-1", "c1")
        .await
        .unwrap();
    assert_eq!(connector.name, "c1");
    assert!(
        builder(&server.base_url)
            .max_response_body(0)
            .build()
            .is_err()
    );
}

// ---- 2. headers that quote the credentials ----

#[tokio::test]
async fn a_header_echoing_the_credentials_never_reaches_errors_or_observers() {
    let echoed = format!("Basic {}", token());
    let server = Server::sequence(vec![
        Answer::json(404, r#"{"error":{"code":404,"message":"not found"}}"#)
            .header("x-request-id", &echoed)
            .header("x-debug-secret", SECRET),
        Answer::json(200, r#"{"name":"c1","config":{},"tasks":[]}"#)
            .header("x-request-id", &echoed),
    ])
    .await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let client = builder(&server.base_url)
        .on_response(move |r| {
            log.lock().unwrap().push(format!("{:?}", r.headers));
        })
        .build()
        .unwrap();
    let err = client
        .connect()
        .raw()
        .get_connector("env-1", "lkc-1", "c1")
        .await
        .unwrap_err();
    assert_eq!(err.request_id(), Some("Basic [redacted]"));
    client
        .connect()
        .raw()
        .get_connector("env-1", "lkc-1", "c1")
        .await
        .unwrap();
    let shown = format!("{err} {err:?} {:?}", seen.lock().unwrap());
    assert!(!shown.contains(&token()), "{shown}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
}

// ---- 3 and 5. plain http and quoted URLs, for the telemetry base URL too ----

#[tokio::test]
async fn the_telemetry_url_follows_the_tls_rule_and_is_quoted_without_password() {
    let client = builder("http://127.0.0.1:9").build().unwrap();
    let err = client
        .metrics_at("http://api.telemetry.example.com")
        .unwrap_err();
    assert!(err.to_string().contains("plain http"), "{err}");
    assert!(client.metrics_at("http://127.0.0.1:10/").is_ok());
    assert!(
        builder("http://127.0.0.1:9")
            .allow_insecure_http(true)
            .build()
            .unwrap()
            .metrics_at("http://api.telemetry.example.com")
            .is_ok()
    );
    let err = client
        .metrics_at("https://user:telemetry-password@example.com")
        .unwrap_err();
    assert!(
        !format!("{err} {err:?}").contains("telemetry-password"),
        "{err:?}"
    );
}

// ---- 10. a caller's reqwest client that follows redirects ----

#[tokio::test]
async fn an_answer_from_outside_the_base_url_is_refused() {
    let server = Server::sequence(vec![
        Answer::json(302, "").header("location", "/elsewhere/connectors/c1"),
        Answer::json(200, r#"{"name":"stolen","config":{},"tasks":[]}"#),
    ])
    .await;
    // Default redirect policy: what the builder's docs warn against.
    let http = reqwest::Client::new();
    let client = builder(&format!("{}/cc", server.base_url))
        .http_client(http)
        .build()
        .unwrap();
    let err = client
        .connect()
        .raw()
        .get_connector("env-1", "lkc-1", "c1")
        .await
        .unwrap_err();
    assert_refused(&err, &["get_connector", "/elsewhere/", "redirect"]);
    let seen = server.seen();
    assert_eq!(
        seen.len(),
        2,
        "the redirect was followed by the caller's client"
    );
}

// ---- 11. page_size is checked by the raw list methods ----

#[tokio::test]
async fn raw_list_methods_refuse_a_page_size_over_100_before_sending() {
    let server = Server::sequence(vec![Answer::json(200, r#"{"data":[]}"#)]).await;
    let client = builder(&server.base_url).build().unwrap();
    let err = client
        .connect()
        .raw()
        .list_custom_connector_plugins(None, NonZeroU32::new(1000), None)
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err}");
    assert!(err.to_string().contains("page_size"), "{err}");
    let err = client
        .ccpm()
        .raw()
        .list_plugins("env-1", NonZeroU32::new(101), None, None)
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err}");
    assert!(server.seen().is_empty(), "a request was sent");
    client
        .connect()
        .raw()
        .list_custom_connector_plugins(None, NonZeroU32::new(100), None)
        .await
        .unwrap();
    assert_eq!(server.seen().len(), 1);
}

// ---- 12. the typed presigned-URL operation decodes what the upload helper decodes ----

#[tokio::test]
async fn the_typed_presigned_operation_keeps_scalar_form_values_as_text_in_order() {
    let body = r#"{"upload_id":"u-1","upload_url":"https://b.s3.amazonaws.com/","cloud":"AWS",
        "upload_form_data":{"key":"k/p.zip","x-amz-expires":3600,"success_action_status":true,"bucket":"b"}}"#;
    let server = Server::sequence(vec![Answer::json(200, body)]).await;
    let client = builder(&server.base_url).build().unwrap();
    let request = ccloud_connect::connect::PresignedUrlRequest {
        cloud: Some(ccloud_connect::connect::Cloud::Aws),
        content_format: ccloud_connect::connect::ContentFormat::Zip,
    };
    let answer = client
        .connect()
        .raw()
        .create_presigned_upload_url(&request)
        .await
        .unwrap();
    let form = answer.upload_form_data.unwrap();
    let fields: Vec<(&str, &str)> = form
        .fields()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("key", "k/p.zip"),
            ("x-amz-expires", "3600"),
            ("success_action_status", "true"),
            ("bucket", "b")
        ]
    );
    let helper = PresignedUpload::from_json(body.as_bytes()).unwrap();
    assert_eq!(helper.form_fields(), form.fields());
    assert!(!format!("{form:?}").contains("k/p.zip"));
}

// ---- 4. an archive that grows during the upload ----

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ccloud-connect-hardening-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_zip(dir: &Path, len: usize) -> PathBuf {
    let path = dir.join("plugin.zip");
    let mut content = b"PK\x03\x04".to_vec();
    content.resize(len, b'z');
    std::fs::write(&path, content).unwrap();
    path
}

/// Appends to `path` once the upload has sent its first chunk.
fn grow_after_first_chunk(path: PathBuf) -> UploadOptions {
    let grown = Arc::new(Mutex::new(false));
    UploadOptions::new()
        .chunk_size(64 * 1024)
        .progress(move |p| {
            let mut done = grown.lock().unwrap();
            if p.sent > 0 && !*done {
                *done = true;
                use std::io::Write as _;
                let mut f = std::fs::OpenOptions::new()
                    .append(true)
                    .open(&path)
                    .unwrap();
                f.write_all(&[b'+'; 100]).unwrap();
            }
        })
}

#[tokio::test]
async fn an_archive_that_grows_during_an_s3_or_azure_upload_fails_it() {
    for (cloud, status) in [("AWS", 204), ("AZURE", 201), ("GCP", 200)] {
        let storage = Server::sequence(vec![Answer::json(status, "")]).await;
        let form = if cloud == "AWS" {
            r#","upload_form_data":{"key":"k/p.zip","policy":"p"}"#
        } else {
            ""
        };
        let presigned = PresignedUpload::from_json(
            format!(
                r#"{{"upload_id":"u","upload_url":"{}/bucket","cloud":"{cloud}"{form}}}"#,
                storage.base_url
            )
            .as_bytes(),
        )
        .unwrap();
        let dir = scratch(cloud);
        let path = write_zip(&dir, 1024 * 1024);
        let archive = Archive::open(&path, ArchiveFormat::Zip).unwrap();
        let err = presigned
            .upload(&archive, &grow_after_first_chunk(path.clone()))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("grew") || err.to_string().contains("changed"),
            "{cloud}: {err}"
        );
        // Nothing grows: the same upload succeeds.
        let path = write_zip(&dir, 1024 * 1024);
        let archive = Archive::open(&path, ArchiveFormat::Zip).unwrap();
        presigned
            .upload(&archive, &UploadOptions::new().chunk_size(64 * 1024))
            .await
            .unwrap_or_else(|e| panic!("{cloud}: {e}"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

// ---- 8. an archive replaced by a FIFO ----

#[cfg(unix)]
#[tokio::test]
async fn an_archive_replaced_by_a_fifo_fails_instead_of_blocking() {
    let storage = Server::sequence(vec![Answer::json(201, "")]).await;
    let presigned = PresignedUpload::from_json(
        format!(
            r#"{{"upload_id":"u","upload_url":"{}/blob","cloud":"AZURE"}}"#,
            storage.base_url
        )
        .as_bytes(),
    )
    .unwrap();
    let dir = scratch("fifo");
    let path = write_zip(&dir, 4096);
    let archive = Archive::open(&path, ArchiveFormat::Zip).unwrap();
    std::fs::remove_file(&path).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(made.success());
    let options = UploadOptions::new().timeout(Duration::from_secs(5));
    let outcome = tokio::time::timeout(
        Duration::from_secs(20),
        presigned.upload(&archive, &options),
    )
    .await
    .expect("the upload blocked on the FIFO");
    let err = outcome.unwrap_err();
    assert!(err.to_string().contains("regular file"), "{err}");
    assert!(storage.seen().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- an upload's span ----

#[tokio::test]
async fn an_upload_runs_in_a_span_that_holds_no_url_or_signature() {
    let logs = crate::support::LogBuffer::default();
    let _capturing = logs.capture();
    let storage = Server::sequence(vec![Answer::empty(201)]).await;
    let presigned = PresignedUpload::from_json(
        format!(
            r#"{{"upload_id":"u-span","upload_url":"{}/blob?sv=1&sig=sigsecret0123","cloud":"AZURE"}}"#,
            storage.base_url
        )
        .as_bytes(),
    )
    .unwrap();
    let dir = scratch("span");
    let path = write_zip(&dir, 64 * 1024);
    let archive = Archive::open(&path, ArchiveFormat::Zip).unwrap();
    presigned
        .upload(&archive, &UploadOptions::new())
        .await
        .unwrap();
    let text = logs.text();
    assert!(
        text.contains("ccloud_connect::upload") && text.contains("u-span"),
        "{text}"
    );
    assert!(text.contains("AzureBlobPut"), "{text}");
    assert!(
        !text.contains("sigsecret0123") && !text.contains("/blob"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
