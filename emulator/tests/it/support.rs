//! What every test of the emulator shares: one emulator and client factory, one raw HTTP
//! helper, one fixture loader, and the request bodies and uploads the tests build on.

use std::time::Duration;

use base64::Engine as _;
use ccloud_connect::ccpm;
use ccloud_connect::connect::{
    Cloud, ConnectorState, ConnectorStatus, ContentFormat, CreateConnectorRequest,
    CustomConnectorPlugin, PresignedUrl, PresignedUrlRequest,
};
use ccloud_connect::{Client, Error, RetryPolicy};
use ccloud_connect_emulator::{Emulator, EmulatorHandle};
use serde_json::{Value, json};
// tokio's clock, so the waits below follow paused time in the tests that pause it and
// the wall clock everywhere else.
use tokio::time::Instant;

pub(crate) const ENV: &str = "env-abc123";

pub(crate) const CLUSTER: &str = "lkc-xyz789";

pub(crate) const MASK: &str = "****************";

pub(crate) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

pub(crate) async fn emulator() -> EmulatorHandle {
    Emulator::builder()
        .provisioning_delay(ms(300))
        .version_processing_delay(ms(300))
        .start()
        .await
        .expect("emulator starts")
}

pub(crate) fn client_with(emu: &EmulatorHandle, retry: RetryPolicy) -> Client {
    Client::builder()
        .credentials("TESTKEY", "TESTSECRET")
        .base_url(emu.base_url())
        .retry(retry)
        .build()
        .unwrap()
}

pub(crate) fn client(emu: &EmulatorHandle) -> Client {
    client_with(emu, RetryPolicy::none())
}

pub(crate) fn basic(key: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"))
    )
}

pub(crate) fn api_error(err: &Error) -> &ccloud_connect::error::ApiError {
    err.api_error()
        .unwrap_or_else(|| panic!("not an API error: {err}"))
}

pub(crate) async fn wait_for(
    client: &Client,
    env: &str,
    name: &str,
    want: ConnectorState,
) -> ConnectorStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = client
            .connect()
            .raw()
            .get_connector_status(env, CLUSTER, name)
            .await
            .unwrap();
        if status.connector.state == want {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "{name} never reached {want}: {status:?}"
        );
        tokio::time::sleep(ms(10)).await;
    }
}

pub(crate) async fn wait_for_phase(
    client: &Client,
    plugin: &str,
    version: &str,
    want: ccpm::PluginVersionPhase,
) -> ccpm::PluginVersion {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = client
            .ccpm()
            .raw()
            .get_plugin_version(plugin, version, ENV)
            .await
            .unwrap();
        if v.status.as_ref().map(|s| &s.phase) == Some(&want) {
            return v;
        }
        assert!(Instant::now() < deadline, "never {want}: {v:?}");
        tokio::time::sleep(ms(10)).await;
    }
}

pub(crate) fn s3_sink_request(name: &str, tasks: &str) -> CreateConnectorRequest {
    serde_json::from_value(json!({
        "name": name,
        "config": {
            "topics": "pageviews",
            "input.data.format": "AVRO",
            "connector.class": "S3_SINK",
            "name": name,
            "kafka.api.key": "KAFKAKEY",
            "kafka.api.secret": "kafka-secret",
            "aws.access.key.id": "AKIAEXAMPLE",
            "aws.secret.access.key": "aws-secret",
            "s3.bucket.name": "datagen-to-s3",
            "output.data.format": "AVRO",
            "time.interval": "HOURLY",
            "flush.size": "1000",
            "tasks.max": tasks
        }
    }))
    .unwrap()
}

/// A one-file ZIP archive, stored uncompressed.
pub(crate) fn tiny_zip() -> Vec<u8> {
    use std::io::Write as _;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("manifest.json", stored).unwrap();
    zip.write_all(br#"{"name":"emulator-test-plugin"}"#)
        .unwrap();
    zip.finish().unwrap().into_inner()
}

pub(crate) enum Part<'a> {
    Field(&'a str, &'a str),
    File(&'a [u8]),
}

/// A `multipart/form-data` body with the parts in the given order.
pub(crate) fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    multipart_with("------------------------emulatortest7c1f", parts)
}

/// A `multipart/form-data` body delimited by `boundary`.
pub(crate) fn multipart_with(boundary: &str, parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for part in parts {
        body.extend(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Field(name, value) => body.extend(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            ),
            Part::File(data) => {
                body.extend(
                    b"Content-Disposition: form-data; name=\"file\"; filename=\"plugin.zip\"\r\nContent-Type: application/zip\r\n\r\n",
                );
                body.extend(*data);
                body.extend(b"\r\n");
            }
        }
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// POSTs the form fields in the order given, then the file.
pub(crate) async fn s3_post(url: &str, fields: &[(&str, &str)], file: &[u8]) -> reqwest::Response {
    let mut parts: Vec<Part<'_>> = fields.iter().map(|&(k, v)| Part::Field(k, v)).collect();
    parts.push(Part::File(file));
    let (content_type, body) = multipart(&parts);
    reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

pub(crate) async fn s3_post_with(
    boundary: &str,
    url: &str,
    fields: &[(&str, &str)],
    file: &[u8],
) -> reqwest::Response {
    let mut parts: Vec<Part<'_>> = fields.iter().map(|&(k, v)| Part::Field(k, v)).collect();
    parts.push(Part::File(file));
    let (content_type, body) = multipart_with(boundary, &parts);
    reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

pub(crate) fn form_fields(p: &PresignedUrl) -> Vec<(&str, &str)> {
    p.upload_form_data
        .iter()
        .flat_map(|form| form.fields())
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

pub(crate) async fn presign(client: &Client, cloud: Cloud) -> PresignedUrl {
    client
        .connect()
        .raw()
        .create_presigned_upload_url(&PresignedUrlRequest {
            content_format: ContentFormat::Zip,
            cloud: Some(cloud),
        })
        .await
        .unwrap()
}

/// A connect/v1 upload of `data` through the S3 form; returns the upload id.
pub(crate) async fn uploaded(client: &Client, data: &[u8]) -> String {
    let p = presign(client, Cloud::Aws).await;
    let resp = s3_post(p.upload_url.as_deref().unwrap(), &form_fields(&p), data).await;
    assert_eq!(resp.status(), 204, "{}", resp.text().await.unwrap());
    p.upload_id.unwrap()
}

pub(crate) fn plugin_body(name: &str, upload_id: &str, extra: Value) -> CustomConnectorPlugin {
    let mut body = json!({
        "display_name": name,
        "description": "A source connector for dev testing.",
        "documentation_link": "https://github.com/confluentinc/kafka-connect-datagen",
        "connector_class": "io.confluent.kafka.connect.datagen.DatagenConnector",
        "connector_type": "SOURCE",
        "upload_source": {"location": "PRESIGNED_URL_LOCATION", "upload_id": upload_id}
    });
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    serde_json::from_value(body).unwrap()
}

pub(crate) async fn ccpm_upload(client: &Client, env: &str, data: &[u8]) -> String {
    let p = client
        .ccpm()
        .raw()
        .create_presigned_upload_url(&ccpm::PresignedUrlRequest {
            content_format: ccpm::ContentFormat::Zip,
            cloud: ccpm::Cloud::Aws,
            environment: serde_json::from_value(json!({"id": env})).unwrap(),
        })
        .await
        .unwrap();
    let fields: Vec<(&str, &str)> = p
        .upload_form_data
        .iter()
        .flat_map(|form| form.fields())
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let resp = s3_post(p.upload_url.as_deref().unwrap(), &fields, data).await;
    assert_eq!(resp.status(), 204);
    p.upload_id.unwrap()
}

pub(crate) fn ccpm_plugin(name: &str, env: &str) -> ccpm::Plugin {
    serde_json::from_value(json!({
        "spec": {"display_name": name, "description": "test plugin", "cloud": "AWS", "environment": {"id": env}}
    }))
    .unwrap()
}

pub(crate) fn ccpm_version(version: &str, env: &str, upload_id: &str) -> ccpm::PluginVersion {
    serde_json::from_value(json!({"spec": {
        "version": version,
        "sensitive_config_properties": ["db.secret.dsn"],
        "documentation_link": "https://github.com/confluentinc/kafka-connect-datagen",
        "connector_classes": [{"class_name": "io.confluent.kafka.connect.datagen.DatagenConnector", "type": "SOURCE"}],
        "upload_source": {"location": "PRESIGNED_URL_LOCATION", "upload_id": upload_id},
        "environment": {"id": env}
    }}))
    .unwrap()
}

pub(crate) fn xml_code(body: &str) -> String {
    body.split("<Code>")
        .nth(1)
        .and_then(|r| r.split("</Code>").next())
        .unwrap_or("")
        .to_owned()
}

/// The bytes of a form up to the start of the file's data, and what closes it.
pub(crate) fn form_around_file(boundary: &str, fields: &[(&str, &str)]) -> (Vec<u8>, Vec<u8>) {
    let mut head = Vec::new();
    for (name, value) in fields {
        head.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    head.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"plugin.zip\"\r\nContent-Type: application/zip\r\n\r\n")
            .as_bytes(),
    );
    (head, format!("\r\n--{boundary}--\r\n").into_bytes())
}

/// One request over a fresh TCP connection, the request target sent byte for byte: for
/// what reqwest would rewrite (a shell-escaped `\?`). Answers the status and the body.
pub(crate) async fn raw_request(
    addr: std::net::SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut request = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("Connection: close\r\n\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8(answer).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_owned())
}

/// A JSON fixture of `tests/it/`.
pub(crate) fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/it/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}
