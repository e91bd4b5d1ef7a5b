//! The state file: what an emulator acknowledged is there when it starts again, the seed
//! applies only to a fresh file, and a file that is not a saved state stops the start.

use std::path::PathBuf;

use ccloud_connect::connect::ConnectorState;
use ccloud_connect_emulator::{Emulator, Failure, Seed};

use crate::seed::{SEED_CLUSTER, SEED_ENV, example_path};
use crate::support::*;

/// A fresh directory under the system's temporary directory, removed on drop.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "ccloud-emulator-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn a_restarted_emulator_has_what_it_acknowledged() {
    let dir = TempDir::new("state");
    let file = dir.0.join("state.json");
    let start = || async {
        Emulator::builder()
            .provisioning_delay(ms(0))
            .seed(Seed::from_file(example_path()).unwrap())
            .state_file(&file)
            .start()
            .await
            .unwrap()
    };
    let emu = start().await;
    assert!(file.exists(), "the seeded state is written at start");
    let first = client(&emu);
    first
        .connect()
        .raw()
        .create_connector(ENV, CLUSTER, &s3_sink_request("created", "2"))
        .await
        .unwrap();
    first
        .connect()
        .raw()
        .delete_connector(SEED_ENV, SEED_CLUSTER, "pageviews-source")
        .await
        .unwrap();
    let persistent = Failure::task(1, "task died").persistent(true);
    assert!(emu.fail_connector(ENV, CLUSTER, "created", persistent));
    let upload = uploaded(&first, &tiny_zip()).await;
    let id = first
        .connect()
        .raw()
        .get_connector(ENV, CLUSTER, "created")
        .await
        .unwrap()
        .name;
    // A killed process never runs its destructors; dropping the handle without `stop` is
    // the closest in-process equivalent, and the binary test kills for real.
    drop(emu);

    let emu = start().await;
    let again = client(&emu);
    let api = again.connect();
    assert_eq!(
        api.cluster(ENV, CLUSTER).connector_names().await.unwrap(),
        [id.as_str()]
    );
    let seeded = api
        .cluster(SEED_ENV, SEED_CLUSTER)
        .connector_names()
        .await
        .unwrap();
    assert_eq!(seeded.len(), 3, "the seed is not applied again: {seeded:?}");
    assert!(!seeded.contains(&"pageviews-source".to_owned()));
    let s = api
        .raw()
        .get_connector_status(ENV, CLUSTER, "created")
        .await
        .unwrap();
    assert_eq!(s.connector.state, ConnectorState::Running);
    assert_eq!(s.tasks[1].state, ConnectorState::Failed);
    assert_eq!(
        emu.connector_config(ENV, CLUSTER, "created").unwrap()["aws.secret.access.key"],
        "aws-secret"
    );
    assert!(emu.uploaded_size(&upload).is_some(), "uploads survive too");
    api.raw()
        .get_custom_connector_plugin("ccp-datagen")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_broken_state_file_stops_the_start() {
    let dir = TempDir::new("broken");
    let file = dir.0.join("state.json");
    std::fs::write(&file, "not a state").unwrap();
    let err = Emulator::builder()
        .state_file(&file)
        .start()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert!(err.to_string().contains("state.json"), "{err}");
    let err = Emulator::builder()
        .state_file(dir.0.join("missing-dir").join("state.json"))
        .start()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound, "{err}");
}
