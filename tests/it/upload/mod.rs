//! Plugin archive upload and one-call publishing, against httpmock on 127.0.0.1.
//!
//! The API and the "storage" share one mock server on purpose: the storage URL is then under
//! the client's base URL, so a missing `Authorization` header on the storage request shows
//! the upload really uses a client of its own, not that the URL merely failed an origin check.

mod checks;
mod publish;
mod storage;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use httpmock::prelude::*;
use serde_json::json;

use crate::support::{KEY, SECRET};

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
            // A ZIP signature first (the client looks at it), then a multipart boundary
            // look-alike every 997 bytes.
            if i < 4 {
                return b"PK\x03\x04"[i];
            }
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
