//! Connectors as code (`ccloud_connect::code`): files, plans, exports and applies against
//! the emulator seeded with `emulator/seed.example.json`.

mod apply;
mod files;
mod plan;
mod property;

use std::path::{Path, PathBuf};
use std::time::Duration;

use ccloud_connect::Client;
use ccloud_connect::code::{ApplyOptions, FileFormat};
use ccloud_connect::connect::Cluster;
use ccloud_connect::wait::WaitOptions;
use ccloud_connect_emulator::{Emulator, EmulatorHandle, Seed};

use crate::support;

pub const ENV: &str = "env-seed";
pub const CLUSTER: &str = "lkc-seed";

/// The secret values of the example seed: none may show in a file, plan or report.
pub const SEED_SECRETS: &[&str] = &[
    "seed-kafka-secret",
    "SEEDKEY",
    "AKIASEED",
    "seed-aws-secret",
    "jdbc:postgresql://db/seed?password=seed",
    "seed-db-password",
];

/// The emulator with the example seed and a short provisioning delay.
pub async fn seeded() -> EmulatorHandle {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("emulator/seed.example.json");
    Emulator::builder()
        .seed(Seed::from_file(seed).unwrap())
        .provisioning_delay(Duration::from_millis(50))
        .start()
        .await
        .unwrap()
}

pub fn cluster(emulator: &EmulatorHandle) -> Cluster {
    let client: Client = support::client(emulator.base_url());
    client.connect().cluster(ENV, CLUSTER)
}

/// Apply options for the emulator: quick polls, a short settle time.
pub fn quick() -> ApplyOptions {
    ApplyOptions::new().waits(
        WaitOptions::new(Duration::from_millis(20), Duration::from_secs(10))
            .settle(Duration::from_millis(100))
            .tolerate_failed(Duration::from_secs(2)),
    )
}

/// Writes the cluster's export into `dir` as JSON files.
pub async fn export_into(cluster: &Cluster, dir: &Path) {
    for c in cluster.export().await.unwrap() {
        let path = dir.join(c.file_name(FileFormat::Json));
        std::fs::write(path, c.render(FileFormat::Json).unwrap()).unwrap();
    }
}

/// A fresh temporary directory, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "ccloud-code-{tag}-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
