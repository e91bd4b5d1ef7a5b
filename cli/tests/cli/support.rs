//! The binary run against an emulator in this process: a seeded emulator on 127.0.0.1, a
//! temporary directory per test, and runs whose output is checked for secrets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ccloud_connect_emulator::{Emulator, EmulatorHandle, Seed};

pub const ENV: &str = "env-seed";
pub const CLUSTER: &str = "lkc-seed";
const API_KEY: &str = "cli-test-key";
const API_SECRET: &str = "cli-test-api-secret";

/// The seed's connectors, sorted by name.
pub const SEEDED: [&str; 4] = [
    "custom-datagen_0",
    "orders-from-postgres",
    "pageviews-source",
    "pageviews-to-s3",
];

/// The secret values of emulator/seed.example.json, the API secret, and the mask: none
/// may appear in a file export writes or in anything the binary prints.
pub const SEED_SECRETS: [&str; 8] = [
    "SEEDKEY",
    "seed-kafka-secret",
    "AKIASEED",
    "seed-aws-secret",
    "password=seed",
    "seed-db-password",
    API_SECRET,
    "****",
];

/// An emulator seeded with emulator/seed.example.json, accepting only the test's API key.
pub async fn emulator() -> EmulatorHandle {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../emulator/seed.example.json");
    let seed = Seed::from_file(path).expect("the example seed");
    Emulator::builder()
        .credentials(API_KEY, API_SECRET)
        .provisioning_delay(Duration::from_millis(50))
        .seed(seed)
        .start()
        .await
        .expect("the emulator starts")
}

/// A directory under the system's temporary directory, unique to one test, removed when
/// dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(test: &str) -> TempDir {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path = std::env::temp_dir().join(format!(
            "ccloud-connect-cli-{test}-{}-{}-{nanos}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("creating the temporary directory");
        TempDir(path)
    }

    /// A path inside the directory.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a run of the binary ended with.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "exit code; the run: {self:#?}");
        self
    }

    /// Asserts exit 1 with one line on stderr, `error: ...`, holding every one of `parts`,
    /// and returns that line.
    #[track_caller]
    pub fn expect_error(&self, parts: &[&str]) -> &str {
        self.expect_code(1);
        let line = self.stderr.trim_end();
        assert!(
            line.starts_with("error: ") && !line.contains('\n'),
            "one `error: ` line on stderr: {self:#?}"
        );
        for part in parts {
            assert!(line.contains(part), "{part:?} not in the error {line:?}");
        }
        line
    }
}

/// The binary with the emulator's endpoint and credentials and nothing else from this
/// process's environment (no proxy, no real endpoint).
pub struct Cli {
    endpoint: String,
    vars: BTreeMap<String, String>,
    secrets: Vec<String>,
}

impl Cli {
    pub fn new(emulator: &EmulatorHandle) -> Cli {
        Cli {
            endpoint: emulator.base_url().to_owned(),
            vars: BTreeMap::new(),
            secrets: SEED_SECRETS.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Sets a variable for the next runs; its value is a secret no output may show.
    pub fn secret_var(&mut self, name: &str, value: &str) {
        self.vars.insert(name.to_owned(), value.to_owned());
        self.secrets.push(value.to_owned());
    }

    /// Runs `ccloud-connect ARGS` with `CONFLUENT_CLOUD_ENDPOINT` set to the emulator, and
    /// asserts that no secret value appears in its stdout or stderr.
    pub async fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, API_SECRET).await
    }

    /// [`Cli::run`] with another API secret.
    pub async fn run_with(&self, args: &[&str], api_secret: &str) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ccloud-connect"));
        command
            .args(args)
            .env_clear()
            .env("CONFLUENT_CLOUD_API_KEY", API_KEY)
            .env("CONFLUENT_CLOUD_API_SECRET", api_secret)
            .env("CONFLUENT_CLOUD_ENDPOINT", &self.endpoint)
            .envs(&self.vars);
        // The emulator runs on this runtime: wait for the child off its workers.
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .expect("the run's thread")
            .expect("running ccloud-connect");
        let run = Run {
            code: output.status.code().expect("an exit code, not a signal"),
            stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
        };
        for secret in &self.secrets {
            assert!(
                !run.stdout.contains(secret.as_str()) && !run.stderr.contains(secret.as_str()),
                "a secret value ({secret:?}) in the output of {args:?}: {run:#?}"
            );
        }
        run
    }

    /// `connectors export --dir DIR` of the seeded cluster, asserted to succeed.
    pub async fn export(&self, dir: &Path) -> Run {
        let run = self.run(&connectors("export", &["--dir", path(dir)])).await;
        run.expect_code(0);
        run
    }
}

/// `connectors COMMAND --environment env-seed --cluster lkc-seed EXTRA...`.
pub fn connectors<'a>(command: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "connectors",
        command,
        "--environment",
        ENV,
        "--cluster",
        CLUSTER,
    ];
    args.extend_from_slice(extra);
    args
}

/// A path as the `&str` an argument list takes.
pub fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temporary path")
}

/// The names of the cluster's connectors, as the emulator holds them.
pub fn stored_names(emulator: &EmulatorHandle) -> Vec<&'static str> {
    SEEDED
        .into_iter()
        .chain(["pageviews-copy", "created-from-file"])
        .filter(|name| emulator.connector_config(ENV, CLUSTER, name).is_some())
        .collect()
}

/// Every stored (unmasked) configuration of the seeded connectors, to compare before and
/// after a run that must send nothing.
pub fn stored_configs(emulator: &EmulatorHandle) -> Vec<Option<BTreeMap<String, String>>> {
    SEEDED
        .iter()
        .map(|name| emulator.connector_config(ENV, CLUSTER, name))
        .collect()
}

/// The API requests the emulator has answered so far.
pub fn requests(emulator: &EmulatorHandle) -> u64 {
    emulator.rate_totals().requests
}

/// Replaces the one occurrence of `from` in a file with `to`.
#[track_caller]
pub fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).expect("reading a connector file");
    assert_eq!(text.matches(from).count(), 1, "{from:?} once in {text}");
    std::fs::write(file, text.replace(from, to)).expect("writing a connector file");
}
