//! The `ccloud-connect-emulator` binary, run as a subprocess: it announces its address,
//! answers a request like the API, and stops when killed.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::seed::{SEED_CLUSTER, SEED_ENV, example_path};
use crate::state_file::TempDir;
use crate::support::{CLUSTER, ENV, basic, s3_sink_request};

/// Kills the emulator even when an assertion fails first.
pub(crate) struct Running(pub(crate) Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary with `args` and waits for its address.
pub(crate) fn start(args: &[&str]) -> (Running, String) {
    let (running, base, _line) = start_with_line(args);
    (running, base)
}

/// Starts the binary with `args`: its base URL and the whole line that announced it.
fn start_with_line(args: &[&str]) -> (Running, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ccloud-connect-emulator"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the emulator binary starts");
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);

    // Read the announcement on a thread so a silent binary fails the test instead of hanging it.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the emulator prints its address");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    (running, base, line.trim().to_owned())
}

#[tokio::test]
async fn binary_serves_until_killed() {
    let (mut running, base) = start(&[
        "--port",
        "0",
        "--api-key",
        "BINKEY",
        "--api-secret",
        "BINSECRET",
    ]);

    // The usage guide's first curl command, with the emulator as host.
    let url = format!("{base}/connect/v1/environments/env-12345/clusters/lkc-12345/connectors");
    let http = reqwest::Client::new();
    let resp = http
        .get(&url)
        .header("authorization", basic("BINKEY", "BINSECRET"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().contains_key("x-request-id"));
    assert_eq!(resp.text().await.unwrap(), "[]");
    let resp = http
        .get(&url)
        .header("authorization", basic("BINKEY", "other"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    running.0.kill().unwrap();
    running.0.wait().unwrap();
    assert!(
        http.get(&url).send().await.is_err(),
        "nothing listens after the kill"
    );
}

#[test]
fn bad_arguments_are_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_ccloud-connect-emulator"))
        .args(["--port", "not-a-port"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--port must be 0 to 65535"), "{err}");
}

#[tokio::test]
async fn binary_guards_its_control_endpoints() {
    let (_running, base) = start(&["--api-key", "BINKEY", "--api-secret", "BINSECRET"]);
    let http = reqwest::Client::new();
    let faults = format!("{base}/_emulator/faults");
    let resp = http.get(&faults).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let resp = http
        .get(&faults)
        .header("authorization", basic("BINKEY", "BINSECRET"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = http
        .get(format!("{base}/_emulator/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    let help = Command::new(env!("CARGO_BIN_EXE_ccloud-connect-emulator"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("/_emulator/health"), "{help}");
}

/// One slow request must not hold up every other: the binary runs a worker per core.
#[cfg(target_os = "linux")]
#[test]
fn binary_runs_on_more_than_one_thread() {
    let (running, _base) = start(&[]);
    let status = std::fs::read_to_string(format!("/proc/{}/status", running.0.id())).unwrap();
    let threads: usize = status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no thread count in {status}"));
    assert!(threads >= 2, "{threads} thread(s)");
}

/// What the binary acknowledged survives `kill -9`: it wrote the state file before
/// answering.
#[tokio::test]
async fn binary_state_survives_kill_9() {
    let dir = TempDir::new("kill9");
    let file = dir.0.join("state.json");
    let file = file.to_str().unwrap();
    let seed = example_path();
    let (mut running, base) = start(&["--seed", &seed, "--state-file", file]);
    let http = reqwest::Client::new();
    let url = |env: &str, cluster: &str| {
        format!("{base}/connect/v1/environments/{env}/clusters/{cluster}/connectors")
    };
    let resp = http
        .post(url(ENV, CLUSTER))
        .header("authorization", basic("K", "S"))
        .json(&s3_sink_request("created", "1"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    running.0.kill().unwrap(); // SIGKILL: no destructor, no shutdown runs
    running.0.wait().unwrap();

    let (_running, base) = start(&["--state-file", file]);
    let url = |env: &str, cluster: &str| {
        format!("{base}/connect/v1/environments/{env}/clusters/{cluster}/connectors")
    };
    let list = |url: String| {
        let http = http.clone();
        async move {
            let resp = http
                .get(url)
                .header("authorization", basic("K", "S"))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
            resp.json::<Vec<String>>().await.unwrap()
        }
    };
    assert_eq!(list(url(ENV, CLUSTER)).await, ["created"]);
    assert_eq!(list(url(SEED_ENV, SEED_CLUSTER)).await.len(), 4);
}

/// Runs the binary to its exit (it must exit on its own) and returns its exit code and
/// standard error.
fn run_to_exit(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ccloud-connect-emulator"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A malformed `--seed` or `--state-file` is one line naming the file, line and column
/// and what was expected, with no usage text, and a non-zero exit.
#[test]
fn malformed_files_are_one_line_naming_the_place() {
    let dir = TempDir::new("malformed");
    let write = |name: &str, text: &str| {
        let path = dir.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let syntax = write(
        "syntax.json",
        "{\n  \"connectors\": [\n    {\"environment\" \"e\"}\n  ]\n}\n",
    );
    let typed = write(
        "typed.json",
        "{\"connectors\": [\n  {\"environment\": \"e\", \"cluster\": \"c\",\n   \"config\": {\"tasks.max\": 1}}]}",
    );
    let unknown = write("unknown.json", "{\n  \"connector\": []\n}");
    let state = write("state.json", "{\"format\": 1,\n \"next_seq\": \"x\"}");
    let missing = dir.0.join("missing.json");
    let missing = missing.to_str().unwrap();
    for (args, expected) in [
        (
            ["--seed", &syntax],
            format!("error: {syntax}:3:20: expected `:`"),
        ),
        (
            ["--seed", &typed],
            format!("error: {typed}:3:28: invalid type: integer `1`, expected a string"),
        ),
        (
            ["--seed", &unknown],
            format!(
                "error: {unknown}:2:13: unknown field `connector`, expected one of \
                 `custom_plugins`, `ccpm_plugins`, `connectors`, `artifacts`"
            ),
        ),
        (
            ["--state-file", &state],
            format!(
                "error: {state}:2:16: invalid type: string \"x\", expected u64 \
                 (not a saved state file)"
            ),
        ),
    ] {
        let (code, err) = run_to_exit(&args);
        assert_eq!(code, Some(1), "{args:?}: {err}");
        assert_eq!(err.trim_end(), expected, "{args:?}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    let (code, err) = run_to_exit(&["--seed", missing]);
    assert_eq!(code, Some(1));
    assert!(
        err.starts_with(&format!("error: {missing}: cannot read the seed: ")),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    // Usage errors point at --help instead of printing it.
    let (code, err) = run_to_exit(&["--bogus"]);
    assert_eq!(code, Some(2));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--help") && !err.contains("Options:"), "{err}");
}

/// `--host` chooses the address listened on: 127.0.0.1 by default, every interface with
/// `0.0.0.0` (seen through 127.0.0.2, another loopback address on Linux), while the base
/// URL and the announcement keep naming 127.0.0.1.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn host_flag_chooses_the_listening_address() {
    let http = reqwest::Client::new();
    let health = |base: &str, ip: &str| {
        let port = base.rsplit(':').next().unwrap().to_owned();
        http.get(format!("http://{ip}:{port}/_emulator/health"))
            .send()
    };
    let (_default, base) = start(&[]);
    assert_eq!(health(&base, "127.0.0.1").await.unwrap().status(), 200);
    assert!(health(&base, "127.0.0.2").await.is_err(), "loopback only");

    let (_all, base, line) = start_with_line(&["--host", "0.0.0.0"]);
    let port = base.rsplit(':').next().unwrap();
    assert_eq!(
        line,
        format!("listening on {base} (bound to 0.0.0.0:{port})")
    );
    assert_eq!(health(&base, "127.0.0.2").await.unwrap().status(), 200);
    // Links name the advertised address, not 0.0.0.0.
    let resp = http
        .post(format!("{base}/connect/v1/presigned-upload-url"))
        .header("authorization", basic("K", "S"))
        .json(&serde_json::json!({"content_format": "ZIP", "cloud": "AWS"}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    let url = body["upload_url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{base}/_storage/")), "{url}");

    let (code, err) = run_to_exit(&["--host", "localhost"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--host takes an IP address"), "{err}");
}

/// `--healthcheck URL` exits 0 when the URL answers 200, 1 with one line otherwise.
#[test]
fn healthcheck_flag_probes_a_running_emulator() {
    let (running, base) = start(&["--api-key", "K", "--api-secret", "S"]);
    let health = format!("{base}/_emulator/health");
    let (code, err) = run_to_exit(&["--healthcheck", &health]);
    assert_eq!((code, err.as_str()), (Some(0), ""));
    // Guarded by the credentials: 401.
    let faults = format!("{base}/_emulator/faults");
    let (code, err) = run_to_exit(&["--healthcheck", &faults]);
    assert_eq!(code, Some(1));
    assert!(err.contains("401"), "{err}");
    drop(running);
    let (code, err) = run_to_exit(&["--healthcheck", &health]);
    assert_eq!(code, Some(1), "nothing listens: {err}");
    assert!(err.starts_with(&format!("error: {health}: ")), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// `--print-seed-schema` prints the checked-in schema.
#[test]
fn the_binary_prints_the_seed_schema() {
    let out = Command::new(env!("CARGO_BIN_EXE_ccloud-connect-emulator"))
        .arg("--print-seed-schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    let schema = format!("{}/seed.schema.json", env!("CARGO_MANIFEST_DIR"));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        std::fs::read_to_string(schema).unwrap()
    );
}
