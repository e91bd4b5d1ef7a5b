//! The S3 presigned POST against a real S3 implementation that checks POST policies:
//! `s3s-fs` (SigV4 signature, expiry, `content-length-range`, every field covered by the
//! policy), started on 127.0.0.1 by each test.
//!
//! Needs the `s3s-fs` binary in `S3S_FS_BIN`; without it every test prints why and returns.
//! `scripts/s3s-test.sh` installs the binary (`s3s-fs@0.14.1`) when missing and runs this
//! module (`cargo test --all-features --test it -- upload_s3s::`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use ccloud_connect::Error;
use ccloud_connect::upload::{
    Archive, ArchiveFormat, PresignedUpload, UploadOptions, UploadProtocol,
};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const ACCESS_KEY: &str = "AKIDCCLOUDCONNECTTEST";
const SECRET_KEY: &str = "s3s-fs/secret+key/for+tests";
const BUCKET: &str = "custom-plugins";
const REGION: &str = "us-west-2";

struct S3s {
    child: Child,
    root: PathBuf,
    endpoint: String,
}

impl Drop for S3s {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn unique(name: &str) -> String {
    use std::hash::{BuildHasher, RandomState};
    let salt = RandomState::new().hash_one(std::time::SystemTime::now());
    format!("ccloud-connect-s3s-{}-{name}-{salt:x}", std::process::id())
}

/// Starts s3s-fs on a free port of 127.0.0.1 with one bucket, or `None` (with a message)
/// when `S3S_FS_BIN` is not set.
fn start(name: &str) -> Option<S3s> {
    let Some(bin) = std::env::var_os("S3S_FS_BIN") else {
        eprintln!("skipped: S3S_FS_BIN is not set (run scripts/s3s-test.sh)");
        return None;
    };
    let root = std::env::temp_dir().join(unique(name));
    // s3s-fs stores a bucket as a directory under its root.
    std::fs::create_dir_all(root.join(BUCKET)).unwrap();
    let mut child = Command::new(&bin)
        .args(["--host", "127.0.0.1", "--port", "0"])
        .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
        .arg(&root)
        // The listening address is only logged at info level.
        .env("RUST_LOG", "s3s_fs=info")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("S3S_FS_BIN={bin:?} could not be started: {e}"));
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    // Keeps draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if !sent && let Some(at) = line.find("server is running at http://") {
                let addr: String = line[at + "server is running at ".len()..]
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .collect();
                let _ = tx.send(addr);
                sent = true;
            }
        }
    });
    let endpoint = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("s3s-fs did not report its address within 20 s");
    Some(S3s {
        child,
        root,
        endpoint,
    })
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A presigned-upload-url answer as Confluent's API shapes it, signed for s3s-fs's
/// credentials with AWS SigV4 POST policy signing. `max_size` is the policy's
/// `content-length-range` maximum; `expires_in` may be negative.
fn presigned_answer(
    endpoint: &str,
    key: &str,
    max_size: u64,
    expires_in: chrono::Duration,
) -> String {
    let now = chrono::Utc::now();
    let amz_date = now.format("%Y%m%dT%H%M%SZ").to_string();
    let day = now.format("%Y%m%d").to_string();
    let credential = format!("{ACCESS_KEY}/{day}/{REGION}/s3/aws4_request");
    let expiration = (now + expires_in)
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let policy = serde_json::json!({
        "expiration": expiration,
        "conditions": [
            {"bucket": BUCKET},
            ["starts-with", "$key", "staging/ccp/"],
            {"x-amz-algorithm": "AWS4-HMAC-SHA256"},
            {"x-amz-credential": credential},
            {"x-amz-date": amz_date},
            ["content-length-range", 1, max_size]
        ]
    });
    let policy_b64 = base64::engine::general_purpose::STANDARD.encode(policy.to_string());
    let signing_key = ["s3", "aws4_request"].iter().fold(
        hmac(
            &hmac(format!("AWS4{SECRET_KEY}").as_bytes(), day.as_bytes()),
            REGION.as_bytes(),
        ),
        |k, part| hmac(&k, part.as_bytes()),
    );
    let signature = hex(&hmac(&signing_key, policy_b64.as_bytes()));
    // The order Confluent's example answer uses (not alphabetical: `bucket` would be first
    // either way, but `x-amz-signature` comes before `key` here).
    format!(
        r#"{{"api_version":"connect/v1","kind":"PresignedUrl","content_format":"ZIP","cloud":"AWS",
            "upload_form_data":{{"x-amz-signature":"{signature}","bucket":"{BUCKET}","key":"{key}",
            "policy":"{policy_b64}","x-amz-algorithm":"AWS4-HMAC-SHA256",
            "x-amz-credential":"{credential}","x-amz-date":"{amz_date}"}},
            "upload_id":"e53bb2e8-8de3-49fa-9fb1-4e3fd9a16b66","upload_url":"{endpoint}/{BUCKET}"}}"#
    )
}

fn archive(dir: &Path, len: usize) -> (Archive, Vec<u8>) {
    // The ZIP signature first: the client refuses a file that does not start with it.
    let content: Vec<u8> = b"PK\x03\x04"
        .iter()
        .copied()
        .chain((4..len).map(|i| (i * 31 % 251) as u8))
        .collect();
    let path = dir.join("plugin.zip");
    std::fs::write(&path, &content).unwrap();
    (Archive::open(&path, ArchiveFormat::Zip).unwrap(), content)
}

fn storage_code(err: &Error) -> Option<&str> {
    match err {
        Error::Storage(e) => e.code.as_deref(),
        _ => None,
    }
}

#[tokio::test]
async fn valid_presigned_post_stores_the_archive() {
    let Some(s3) = start("valid") else { return };
    let key = "staging/ccp/v1/org-1/custom-plugins/e53bb2e8/plugin.zip";
    let answer = presigned_answer(&s3.endpoint, key, 64 << 20, chrono::Duration::hours(1));
    let presigned = PresignedUpload::from_json(answer.as_bytes()).unwrap();
    let (archive, content) = archive(&s3.root, 3 * 1024 * 1024 + 17);

    let receipt = presigned
        .upload(&archive, &UploadOptions::new())
        .await
        .unwrap_or_else(|e| panic!("upload failed: {e}"));

    assert_eq!(receipt.protocol, UploadProtocol::S3PostForm);
    assert!(receipt.status.is_success(), "{}", receipt.status);
    let stored = std::fs::read(s3.root.join(BUCKET).join(key)).expect("object stored by s3s-fs");
    assert_eq!(stored.len(), content.len());
    assert!(stored == content, "stored bytes differ from the archive");
}

#[tokio::test]
async fn tampered_signature_is_refused_with_the_storage_code() {
    let Some(s3) = start("tampered") else { return };
    let answer = presigned_answer(
        &s3.endpoint,
        "staging/ccp/t.zip",
        64 << 20,
        chrono::Duration::hours(1),
    );
    // Flip the signature's first hex digit.
    let at = answer.find("\"x-amz-signature\":\"").unwrap() + "\"x-amz-signature\":\"".len();
    let mut tampered = answer.clone();
    let flipped = if &answer[at..at + 1] == "0" { "1" } else { "0" };
    tampered.replace_range(at..at + 1, flipped);
    let presigned = PresignedUpload::from_json(tampered.as_bytes()).unwrap();
    let (archive, _) = archive(&s3.root, 4096);

    let err = presigned
        .upload(&archive, &UploadOptions::new())
        .await
        .unwrap_err();

    assert_eq!(storage_code(&err), Some("SignatureDoesNotMatch"), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403), "{err}");
    assert!(!s3.root.join(BUCKET).join("staging/ccp/t.zip").exists());
}

#[tokio::test]
async fn archive_over_the_policy_size_is_refused_with_the_storage_code() {
    let Some(s3) = start("too-large") else { return };
    let answer = presigned_answer(
        &s3.endpoint,
        "staging/ccp/big.zip",
        1024,
        chrono::Duration::hours(1),
    );
    let presigned = PresignedUpload::from_json(answer.as_bytes()).unwrap();
    let (archive, _) = archive(&s3.root, 4096);

    let err = presigned
        .upload(&archive, &UploadOptions::new())
        .await
        .unwrap_err();

    assert_eq!(storage_code(&err), Some("EntityTooLarge"), "{err:?}");
    assert!(err.status().is_some_and(|s| s.is_client_error()), "{err}");
    assert!(!s3.root.join(BUCKET).join("staging/ccp/big.zip").exists());
}

#[tokio::test]
async fn expired_policy_says_to_request_a_new_url() {
    let Some(s3) = start("expired") else { return };
    let answer = presigned_answer(
        &s3.endpoint,
        "staging/ccp/old.zip",
        64 << 20,
        chrono::Duration::minutes(-5),
    );
    let presigned = PresignedUpload::from_json(answer.as_bytes()).unwrap();
    let (archive, _) = archive(&s3.root, 1000);

    let err = presigned
        .upload(&archive, &UploadOptions::new())
        .await
        .unwrap_err();

    assert_eq!(storage_code(&err), Some("AccessDenied"), "{err:?}");
    assert!(
        err.to_string().contains("request a new presigned URL"),
        "{err}"
    );
}
