//! `cam/v1` Connect Artifacts through the handles, against the emulator: publishing (upload,
//! create, wait), a processing failure that ends the wait naming the artifact, and bad
//! input refused before anything is sent.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ccloud_connect::cam::{ArtifactPhase, Cloud, NewArtifact};
use ccloud_connect::upload::{Archive, ArchiveFormat, UploadOptions};
use ccloud_connect::wait::WaitOptions;
use ccloud_connect::{Client, Error};
use ccloud_connect_emulator::{Emulator, EmulatorHandle};
use futures::StreamExt as _;

use crate::support;

const ENV: &str = "env-smt1";

fn waits() -> WaitOptions {
    WaitOptions::new(Duration::from_millis(20), Duration::from_secs(10))
}

/// A client of `emulator` that counts the API requests it sends.
fn counted(emulator: &EmulatorHandle) -> (Client, Arc<AtomicUsize>) {
    let sent = Arc::new(AtomicUsize::new(0));
    let seen = sent.clone();
    let client = support::builder(emulator.base_url())
        .on_request(move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
        })
        .build()
        .unwrap();
    (client, sent)
}

/// A small valid archive in a fresh directory (removed with the returned guard's path).
fn archive(tag: &str, bytes: &[u8]) -> (std::path::PathBuf, Archive) {
    let dir = std::env::temp_dir().join(format!("ccloud-artifacts-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("smts.jar");
    std::fs::write(&path, bytes).unwrap();
    let archive = Archive::open(&path, ArchiveFormat::Jar).unwrap();
    (dir, archive)
}

fn jar() -> Vec<u8> {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend_from_slice(&[0u8; 60]);
    bytes
}

#[tokio::test]
async fn publish_uploads_creates_and_waits_until_ready() {
    let emulator = Emulator::builder()
        .artifact_processing_delay(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let (client, _) = counted(&emulator);
    let (dir, archive) = archive("ready", &jar());
    let env = client.cam().environment(ENV, Cloud::Aws);
    let published = env
        .publish_artifact(
            &NewArtifact::new("masking-smts")
                .description("masks card numbers")
                .wait_until_ready(waits()),
            &archive,
            &UploadOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(published.upload.bytes, 64);
    let artifact = published.artifact;
    assert_eq!(artifact.status.unwrap().phase, ArtifactPhase::Ready);
    assert_eq!(artifact.spec.display_name, "masking-smts");
    assert_eq!(artifact.spec.environment, ENV);

    // Without a wait, the create's answer comes back as it is.
    let second = env
        .publish_artifact(&NewArtifact::new("second"), &archive, &UploadOptions::new())
        .await
        .unwrap();
    assert_eq!(
        second.artifact.status.unwrap().phase,
        ArtifactPhase::WaitingForProcessing
    );
    let names: Vec<String> = env
        .artifacts()
        .by_item()
        .map(|a| a.unwrap().spec.display_name)
        .collect()
        .await;
    assert_eq!(names, ["masking-smts", "second"]);
    // Another cloud of the same environment is another scope.
    let azure = client.cam().environment(ENV, Cloud::Azure);
    assert!(azure.artifacts().all().await.unwrap().is_empty());
    let id = artifact.id.unwrap();
    assert!(azure.artifact(&id).get().await.unwrap_err().is_not_found());
    env.artifact(&id).delete().await.unwrap();
    assert!(env.artifact(&id).get().await.unwrap_err().is_not_found());
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_failed_processing_ends_the_wait_naming_the_artifact() {
    let emulator = Emulator::builder()
        .artifact_processing_delay(Duration::from_millis(400))
        .start()
        .await
        .unwrap();
    let (client, _) = counted(&emulator);
    let (dir, archive) = archive("failed", &jar());
    let env = client.cam().environment(ENV, Cloud::Gcp);
    let publish = {
        let env = env.clone();
        let archive = archive.clone();
        tokio::spawn(async move {
            env.publish_artifact(
                &NewArtifact::new("broken").wait_until_ready(waits()),
                &archive,
                &UploadOptions::new(),
            )
            .await
        })
    };
    // Fail it as soon as it exists, while the publish waits.
    let id = loop {
        let listed = env.artifacts().all().await.unwrap();
        if let Some(a) = listed.into_iter().next() {
            break a.id.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert!(emulator.fail_artifact(&id, "class com.example.Mask not found"));
    let err = publish.await.unwrap().unwrap_err();
    assert!(err.is_wait_failed(), "{err}");
    let text = err.to_string();
    assert!(text.contains("FAILED"), "{text}");
    assert!(text.contains(&id), "{text}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let emulator = Emulator::builder().start().await.unwrap();
    let (client, sent) = counted(&emulator);
    let (dir, archive) = archive("refused", &jar());
    let options = UploadOptions::new();

    // A cloud cam/v1 does not know.
    let mars = client
        .cam()
        .environment(ENV, Cloud::Unknown("MARS".to_owned()));
    let err = mars
        .publish_artifact(&NewArtifact::new("x"), &archive, &options)
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err}");
    assert!(err.to_string().contains("MARS"), "{err}");
    assert!(mars.artifacts().all().await.unwrap_err().is_validation());
    assert!(
        mars.artifact("cfa-1")
            .get()
            .await
            .unwrap_err()
            .is_validation()
    );

    let env = client.cam().environment(ENV, Cloud::Aws);
    // A name over the API's 60 characters, an empty one.
    for name in ["n".repeat(61), String::new()] {
        let err = env
            .publish_artifact(&NewArtifact::new(name), &archive, &options)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Validation { .. }), "{err}");
    }
    // A cluster id where the environment goes.
    let err = client
        .cam()
        .environment("lkc-123", Cloud::Aws)
        .publish_artifact(&NewArtifact::new("x"), &archive, &options)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("swapped"), "{err}");

    // Not a ZIP/JAR, and over 1 GiB: refused when the archive is opened.
    let text = dir.join("notes.jar");
    std::fs::write(&text, b"hello, these are not classes").unwrap();
    let err = Archive::open(&text, ArchiveFormat::Jar).unwrap_err();
    assert!(err.to_string().contains("is not a JAR archive"), "{err}");
    let big = dir.join("big.jar");
    let file = std::fs::File::create(&big).unwrap();
    std::io::Write::write_all(&mut &file, b"PK\x03\x04").unwrap();
    file.set_len(ccloud_connect::upload::DEFAULT_MAX_ARCHIVE_SIZE + 1)
        .unwrap();
    let err = Archive::open(&big, ArchiveFormat::Jar).unwrap_err();
    assert!(err.to_string().contains("more than the limit"), "{err}");

    assert_eq!(sent.load(Ordering::SeqCst), 0, "requests were sent");
    std::fs::remove_dir_all(dir).unwrap();
}
