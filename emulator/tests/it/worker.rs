//! The self-managed Kafka Connect worker: every endpoint over HTTP, its error shapes, its
//! basic authentication, its seed, the handle's controls, and the binary's `--worker-*`
//! flags.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use ccloud_connect_emulator::{
    ConnectorOffset, Worker, WorkerConnector, WorkerHandle, WorkerSeed, WorkerState,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::binary::Running;
use crate::state_file::TempDir;
use crate::support::basic;

fn config(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn sink_config(topic: &str, tasks: &str) -> BTreeMap<String, String> {
    config(&[
        ("connector.class", "io.confluent.connect.s3.S3SinkConnector"),
        ("topics", topic),
        ("tasks.max", tasks),
    ])
}

/// A request to the worker, with an optional JSON body and Basic pair: the status and the
/// body (`Value::Null` when empty).
async fn call(
    worker: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    auth: Option<(&str, &str)>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().request(method, format!("{worker}{path}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    if let Some((user, password)) = auth {
        request = request.header("authorization", basic(user, password));
    }
    let resp = request.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text:?}"))
    };
    (status, body)
}

async fn get(worker: &WorkerHandle, path: &str) -> (StatusCode, Value) {
    call(worker.base_url(), Method::GET, path, None, None).await
}

async fn put(worker: &WorkerHandle, path: &str) -> (StatusCode, Value) {
    call(worker.base_url(), Method::PUT, path, None, None).await
}

async fn post(worker: &WorkerHandle, path: &str, body: Value) -> (StatusCode, Value) {
    call(worker.base_url(), Method::POST, path, Some(body), None).await
}

#[tokio::test]
async fn worker_serves_kafka_connects_rest_api() {
    let worker = Worker::builder().start().await.unwrap();
    let id = worker.worker_id().to_owned();
    assert_eq!(format!("http://{id}"), worker.base_url());
    assert!(id.starts_with("127.0.0.1:"), "{id}");

    let (status, root) = get(&worker, "/").await;
    assert_eq!(status, 200);
    assert_eq!(
        root,
        json!({"version": "3.9.0", "commit": "emulator", "kafka_cluster_id": "emulated-kafka-cluster"})
    );
    assert_eq!(
        get(&worker, "/connectors").await,
        (StatusCode::OK, json!([]))
    );

    // Created: 201, no tasks yet, `name` added to the configuration, a Location.
    let resp = reqwest::Client::new()
        .post(format!("{}/connectors", worker.base_url()))
        .json(&json!({"name": "orders-to-s3", "config": sink_config("orders", "2")}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["location"], "/connectors/orders-to-s3");
    let mut expected_config = json!(sink_config("orders", "2"));
    expected_config["name"] = json!("orders-to-s3");
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({"name": "orders-to-s3", "config": expected_config, "tasks": [], "type": "sink"})
    );
    let source = json!({"name": "a-source", "config": {"connector.class": "FileStreamSource", "file": "/tmp/in"}});
    let (status, created) = post(&worker, "/connectors", source).await;
    assert_eq!(
        (status, &created["type"]),
        (StatusCode::CREATED, &json!("source"))
    );
    assert_eq!(
        get(&worker, "/connectors").await.1,
        json!(["a-source", "orders-to-s3"])
    );

    let (status, info) = get(&worker, "/connectors/orders-to-s3").await;
    assert_eq!(status, 200);
    assert_eq!(
        info["tasks"],
        json!([{"connector": "orders-to-s3", "task": 0}, {"connector": "orders-to-s3", "task": 1}])
    );
    assert_eq!(info["config"], expected_config);
    assert_eq!(
        get(&worker, "/connectors/orders-to-s3/config").await,
        (StatusCode::OK, expected_config.clone())
    );
    let running = json!({
        "name": "orders-to-s3",
        "connector": {"state": "RUNNING", "worker_id": id},
        "tasks": [
            {"id": 0, "state": "RUNNING", "worker_id": id},
            {"id": 1, "state": "RUNNING", "worker_id": id}
        ],
        "type": "sink"
    });
    assert_eq!(
        get(&worker, "/connectors/orders-to-s3/status").await,
        (StatusCode::OK, running.clone())
    );
    assert_eq!(
        get(&worker, "/connectors/orders-to-s3/offsets").await,
        (StatusCode::OK, json!({"offsets": []}))
    );
    worker
        .set_offsets("orders-to-s3", vec![ConnectorOffset::sink("orders", 1, 42)])
        .unwrap();
    assert_eq!(
        get(&worker, "/connectors/orders-to-s3/offsets").await.1,
        json!({"offsets": [{"partition": {"kafka_topic": "orders", "kafka_partition": 1}, "offset": {"kafka_offset": 42}}]})
    );

    // Pause, stop (twice: idempotent), resume: 202 with no body, shown at once.
    assert_eq!(
        put(&worker, "/connectors/orders-to-s3/pause").await,
        (StatusCode::ACCEPTED, Value::Null)
    );
    let (_, paused) = get(&worker, "/connectors/orders-to-s3/status").await;
    assert_eq!(paused["connector"]["state"], "PAUSED");
    assert_eq!(paused["tasks"][1]["state"], "PAUSED");
    for _ in 0..2 {
        assert_eq!(
            put(&worker, "/connectors/orders-to-s3/stop").await,
            (StatusCode::ACCEPTED, Value::Null)
        );
    }
    let (_, stopped) = get(&worker, "/connectors/orders-to-s3/status").await;
    assert_eq!(stopped["connector"]["state"], "STOPPED");
    assert_eq!(stopped["tasks"], json!([]));
    assert_eq!(
        get(&worker, "/connectors/orders-to-s3").await.1["tasks"],
        json!([])
    );
    assert_eq!(
        worker.connector_state("orders-to-s3"),
        Some(WorkerState::Stopped)
    );
    // Offsets are readable while stopped: what a migration takes to the cloud.
    assert_eq!(
        get(&worker, "/connectors/orders-to-s3/offsets").await.1["offsets"][0]["offset"],
        json!({"kafka_offset": 42})
    );
    assert_eq!(
        put(&worker, "/connectors/orders-to-s3/resume").await,
        (StatusCode::ACCEPTED, Value::Null)
    );
    assert_eq!(
        get(&worker, "/connectors/orders-to-s3/status").await.1,
        running
    );

    // ?expand, as migration tools read every connector at once.
    let (status, expanded) = get(&worker, "/connectors?expand=status&expand=info").await;
    assert_eq!(status, 200);
    assert_eq!(expanded["orders-to-s3"]["status"], running);
    assert_eq!(expanded["a-source"]["info"]["type"], "source");
    let (_, only_status) = get(&worker, "/connectors?expand=status").await;
    assert!(
        only_status["a-source"].get("info").is_none(),
        "{only_status}"
    );

    // PUT config: 200 replacing (state kept), 201 creating.
    let url = format!("{}/connectors/orders-to-s3/config", worker.base_url());
    put(&worker, "/connectors/orders-to-s3/pause").await;
    let resp = reqwest::Client::new()
        .put(&url)
        .json(&sink_config("orders,returns", "1"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let replaced: Value = resp.json().await.unwrap();
    assert_eq!(replaced["config"]["topics"], "orders,returns");
    assert_eq!(
        replaced["tasks"],
        json!([{"connector": "orders-to-s3", "task": 0}])
    );
    assert_eq!(
        worker.connector_state("orders-to-s3"),
        Some(WorkerState::Paused)
    );
    let resp = reqwest::Client::new()
        .put(format!("{}/connectors/new-one/config", worker.base_url()))
        .json(&json!({"connector.class": "C"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);

    // Delete: 204; the offsets stay for a connector created again under the name.
    let deleted = call(
        worker.base_url(),
        Method::DELETE,
        "/connectors/orders-to-s3",
        None,
        None,
    )
    .await;
    assert_eq!(deleted, (StatusCode::NO_CONTENT, Value::Null));
    assert_eq!(get(&worker, "/connectors/orders-to-s3").await.0, 404);
    assert_eq!(worker.connector_state("orders-to-s3"), None);
    let again = json!({"name": "orders-to-s3", "config": sink_config("orders", "1")});
    assert_eq!(post(&worker, "/connectors", again).await.0, 201);
    assert_eq!(
        worker.offsets("orders-to-s3").unwrap(),
        [ConnectorOffset::sink("orders", 1, 42)]
    );
}

#[tokio::test]
async fn errors_have_kafka_connects_shape() {
    let worker = Worker::builder()
        .connector(WorkerConnector::new(
            "taken",
            config(&[("connector.class", "C")]),
        ))
        .start()
        .await
        .unwrap();
    let missing = json!({"error_code": 404, "message": "Connector nope not found"});
    for (method, path) in [
        (Method::GET, "/connectors/nope"),
        (Method::GET, "/connectors/nope/config"),
        (Method::GET, "/connectors/nope/status"),
        (Method::GET, "/connectors/nope/offsets"),
        (Method::PUT, "/connectors/nope/stop"),
        (Method::PUT, "/connectors/nope/pause"),
        (Method::PUT, "/connectors/nope/resume"),
        (Method::DELETE, "/connectors/nope"),
    ] {
        let answer = call(worker.base_url(), method.clone(), path, None, None).await;
        assert_eq!(
            answer,
            (StatusCode::NOT_FOUND, missing.clone()),
            "{method} {path}"
        );
    }
    assert_eq!(
        get(&worker, "/no/such/route").await,
        (
            StatusCode::NOT_FOUND,
            json!({"error_code": 404, "message": "HTTP 404 Not Found"})
        )
    );
    assert_eq!(
        call(
            worker.base_url(),
            Method::POST,
            "/connectors/taken/status",
            None,
            None
        )
        .await,
        (
            StatusCode::METHOD_NOT_ALLOWED,
            json!({"error_code": 405, "message": "HTTP 405 Method Not Allowed"})
        )
    );

    let (status, body) = post(
        &worker,
        "/connectors",
        json!({"name": "taken", "config": {"connector.class": "C"}}),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::CONFLICT,
            json!({"error_code": 409, "message": "Connector taken already exists"})
        )
    );

    for (body, expected) in [
        (
            json!({"config": {"connector.class": "C"}}),
            "Connector name is required",
        ),
        (
            json!({"name": "  ", "config": {"connector.class": "C"}}),
            "Connector name is required",
        ),
        (json!({"name": 7, "config": {}}), "name must be a string"),
        (json!({"name": "x"}), "Connector config is required"),
        (
            json!({"name": "x", "config": ["a"]}),
            "config must be a JSON object",
        ),
        (
            json!({"name": "x", "config": {"connector.class": "C", "tasks.max": 2}}),
            "the value of \"tasks.max\" must be a string",
        ),
        (
            json!({"name": "x", "config": {"topics": "t"}}),
            "connector.class is required",
        ),
        (
            json!({"name": "x", "config": {"connector.class": "C", "tasks.max": "0"}}),
            "tasks.max",
        ),
        (
            json!({"name": "x", "config": {"connector.class": "C", "name": "y"}}),
            "doesn't match",
        ),
        (
            json!({"name": "x", "config": {"connector.class": "C"}, "initial_state": "FAILED"}),
            "initial_state must be one of RUNNING, PAUSED, STOPPED",
        ),
        (json!(["x"]), "must be a JSON object"),
    ] {
        let (status, answer) = post(&worker, "/connectors", body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["error_code"], 400, "{answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(expected), "{body}: {message}");
    }
    let resp = reqwest::Client::new()
        .post(format!("{}/connectors", worker.base_url()))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let answer: Value = resp.json().await.unwrap();
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .starts_with("the request body is not JSON"),
        "{answer}"
    );
    // Nothing refused was kept.
    assert_eq!(get(&worker, "/connectors").await.1, json!(["taken"]));
}

#[tokio::test]
async fn basic_auth_is_required_when_configured() {
    let worker = Worker::builder()
        .basic_auth("connect", "connect-secret")
        .start()
        .await
        .unwrap();
    let base = worker.base_url();
    for path in ["/", "/connectors", "/no/such/route"] {
        for auth in [
            None,
            Some(("connect", "wrong")),
            Some(("other", "connect-secret")),
        ] {
            let resp = reqwest::Client::new().get(format!("{base}{path}"));
            let resp = match auth {
                Some((u, p)) => resp.header("authorization", basic(u, p)),
                None => resp,
            };
            let resp = resp.send().await.unwrap();
            assert_eq!(resp.status(), 401, "{path} {auth:?}");
            assert_eq!(
                resp.headers()["www-authenticate"],
                "Basic realm=\"connect\""
            );
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body["error_code"], 401, "{body}");
            assert!(
                body["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("Authentication"),
                "{body}"
            );
        }
    }
    let ok = Some(("connect", "connect-secret"));
    assert_eq!(call(base, Method::GET, "/", None, ok).await.0, 200);
    let body = json!({"name": "c", "config": {"connector.class": "C"}});
    assert_eq!(
        call(base, Method::POST, "/connectors", Some(body), ok)
            .await
            .0,
        201
    );
    assert_eq!(
        call(base, Method::GET, "/connectors", None, ok).await,
        (StatusCode::OK, json!(["c"]))
    );

    let err = Worker::builder()
        .basic_auth("connect", "")
        .start()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("must not be empty"), "{err}");
}

const SEED: &str = r#"{
  "connectors": [
    {
      "name": "orders-to-s3",
      "config": {"connector.class": "io.confluent.connect.s3.S3SinkConnector", "topics": "orders"},
      "offsets": [
        {"partition": {"kafka_topic": "orders", "kafka_partition": 0}, "offset": {"kafka_offset": 42}},
        {"partition": {"kafka_topic": "orders", "kafka_partition": 1}, "offset": {"kafka_offset": 7}}
      ]
    },
    {
      "config": {"name": "csv-source", "connector.class": "FileStreamSource", "tasks.max": "3"},
      "offsets": [{"partition": {"filename": "/data/orders.csv"}, "offset": {"position": 1024}}],
      "state": "STOPPED"
    }
  ]
}"#;

#[tokio::test]
async fn a_seed_file_preloads_connectors_offsets_and_states() {
    let dir = TempDir::new("worker-seed");
    let file = dir.0.join("worker.json");
    std::fs::write(&file, SEED).unwrap();
    let worker = Worker::builder()
        .seed_file(&file)
        .connector(
            WorkerConnector::new("extra", config(&[("connector.class", "C")]))
                .state(WorkerState::Paused),
        )
        .start()
        .await
        .unwrap();
    assert_eq!(
        get(&worker, "/connectors").await.1,
        json!(["csv-source", "extra", "orders-to-s3"])
    );
    let (_, offsets) = get(&worker, "/connectors/orders-to-s3/offsets").await;
    assert_eq!(offsets["offsets"][1]["offset"]["kafka_offset"], 7);
    assert_eq!(
        get(&worker, "/connectors/csv-source/offsets").await.1,
        json!({"offsets": [{"partition": {"filename": "/data/orders.csv"}, "offset": {"position": 1024}}]})
    );
    let (_, status) = get(&worker, "/connectors/csv-source/status").await;
    assert_eq!(status["connector"]["state"], "STOPPED");
    assert_eq!(status["tasks"], json!([]));
    assert_eq!(put(&worker, "/connectors/csv-source/resume").await.0, 202);
    let (_, status) = get(&worker, "/connectors/csv-source/status").await;
    assert_eq!(status["tasks"].as_array().unwrap().len(), 3);
    assert_eq!(worker.connector_state("extra"), Some(WorkerState::Paused));
    assert_eq!(
        worker.connector_config("csv-source").unwrap()["name"],
        "csv-source"
    );

    // The same seed from text gives the same worker.
    let seed = WorkerSeed::from_json(SEED).unwrap();
    let again = Worker::builder().seed(seed).start().await.unwrap();
    assert_eq!(again.connector_names(), ["csv-source", "orders-to-s3"]);

    // Refused: an unknown key (with its place), a sink offset in the wrong shape, a name
    // given twice, a file that does not exist; each names the file.
    let path = file.display().to_string();
    for (text, expected) in [
        (
            "{\n  \"connectors\": [{\"config\": {}, \"task\": 1}]\n}".to_owned(),
            format!("{path}:2:38: unknown field `task`"),
        ),
        (
            r#"{"connectors": [{"name": "s", "config": {"connector.class": "C", "topics": "t"},
                "offsets": [{"partition": {"topic": "t"}, "offset": {"kafka_offset": 1}}]}]}"#
                .to_owned(),
            format!("{path}: connectors[0]: offsets[0]: a sink connector's partition"),
        ),
        (
            r#"{"connectors": [{"name": "s", "config": {"connector.class": "C"}},
                               {"name": "s", "config": {"connector.class": "C"}}]}"#
                .to_owned(),
            format!("{path}: connectors[1]: Connector s already exists"),
        ),
        (
            r#"{"connectors": [{"config": {"connector.class": "C"}}]}"#.to_owned(),
            format!("{path}: connectors[0]: no name"),
        ),
    ] {
        std::fs::write(&file, &text).unwrap();
        let err = Worker::builder()
            .seed_file(&file)
            .start()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{text}");
        assert!(err.to_string().starts_with(&expected), "{text}: {err}");
    }
    let missing = dir.0.join("missing.json");
    let err = Worker::builder()
        .seed_file(&missing)
        .start()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("cannot read the worker seed"),
        "{err}"
    );
    // A builder connector the seed already has is refused by name.
    std::fs::write(&file, SEED).unwrap();
    let err = Worker::builder()
        .seed_file(&file)
        .connector(WorkerConnector::new(
            "csv-source",
            config(&[("connector.class", "C")]),
        ))
        .start()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("\"csv-source\": Connector csv-source already exists"),
        "{err}"
    );
}

#[tokio::test]
async fn the_handle_adds_connectors_and_sets_offsets() {
    let worker = Worker::builder().start().await.unwrap();
    let sink = WorkerConnector::new("s", sink_config("t", "1"));
    worker.add_connector(sink.clone()).unwrap();
    assert!(
        worker
            .add_connector(sink)
            .unwrap_err()
            .to_string()
            .contains("already exists")
    );
    let bad = WorkerConnector::new("b", config(&[("topics", "t")]));
    assert!(
        worker
            .add_connector(bad)
            .unwrap_err()
            .to_string()
            .contains("connector.class")
    );
    let source_offset: ConnectorOffset = serde_json::from_value(
        json!({"partition": {"table": "orders"}, "offset": {"ts": 1700000000}}),
    )
    .unwrap();
    let err = worker
        .set_offsets("s", vec![source_offset.clone()])
        .unwrap_err();
    assert!(err.to_string().contains("kafka_topic"), "{err}");
    assert!(worker.set_offsets("nope", vec![]).is_err());
    let source = WorkerConnector::new("src", config(&[("connector.class", "C")]))
        .offsets(vec![source_offset.clone()]);
    worker.add_connector(source).unwrap();
    assert_eq!(worker.offsets("src").unwrap(), [source_offset]);
    assert_eq!(worker.offsets("nope"), None);
    assert_eq!(get(&worker, "/connectors").await.1, json!(["s", "src"]));

    let base = worker.base_url().to_owned();
    worker.stop().await;
    assert!(
        reqwest::get(format!("{base}/")).await.is_err(),
        "nothing listens after stop"
    );
}

/// The binary with `--worker-port` announces the worker on a second line and serves it
/// with the seed and the password from the environment.
#[tokio::test]
async fn the_binary_serves_a_worker_beside_the_emulator() {
    let dir = TempDir::new("worker-binary");
    let seed = dir.0.join("worker.json");
    std::fs::write(&seed, SEED).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ccloud-connect-emulator"))
        .args([
            "--worker-port",
            "0",
            "--worker-user",
            "connect",
            "--worker-password-env",
        ])
        .arg("WORKER_TEST_PASSWORD")
        .arg("--worker-seed")
        .arg(&seed)
        .env("WORKER_TEST_PASSWORD", "from-the-env")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the emulator binary starts");
    let stdout = child.stdout.take().unwrap();
    let _running = Running(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        for _ in 0..2 {
            let _ = tx.send(lines.next().and_then(Result::ok).unwrap_or_default());
        }
    });
    let next_line = || rx.recv_timeout(Duration::from_secs(30)).expect("a line");
    let first = next_line();
    let emulator = first
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("{first:?}"));
    let second = next_line();
    let worker = second
        .strip_prefix("worker listening on ")
        .unwrap_or_else(|| panic!("{second:?}"))
        .to_owned();
    assert!(
        worker.starts_with("http://127.0.0.1:") && worker != emulator,
        "{worker}"
    );

    let auth = Some(("connect", "from-the-env"));
    assert_eq!(
        call(&worker, Method::GET, "/connectors", None, auth).await,
        (StatusCode::OK, json!(["csv-source", "orders-to-s3"]))
    );
    assert_eq!(
        call(&worker, Method::GET, "/connectors", None, None)
            .await
            .0,
        401
    );
    assert_eq!(
        call(
            &worker,
            Method::PUT,
            "/connectors/orders-to-s3/stop",
            None,
            auth
        )
        .await
        .0,
        202
    );
    let (_, status) = call(
        &worker,
        Method::GET,
        "/connectors/orders-to-s3/status",
        None,
        auth,
    )
    .await;
    assert_eq!(status["connector"]["state"], "STOPPED");
    // The emulator still answers beside it.
    let health = reqwest::get(format!("{emulator}/_emulator/health"))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    // Worker flags without --worker-port are a usage error.
    let out = Command::new(env!("CARGO_BIN_EXE_ccloud-connect-emulator"))
        .args(["--worker-user", "connect"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("need --worker-port"), "{err}");
}
