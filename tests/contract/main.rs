//! The contract suite: the usage guide's examples and one exchange per operation against the
//! hand-maintained specs, and proof that the checker refuses what the specs do not allow.

#[path = "mod.rs"]
mod contract;

use contract::{Direction, SentRequest, check_request, check_response};
use httpmock::prelude::*;
use reqwest::Url;
use serde_json::{Value, json};

fn fixtures_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A placeholder of the usage guide's generic examples (`<PLUGIN_NAME>`, `YOUR_CLOUD_PROVIDER`):
/// it stands for any allowed value.
fn is_placeholder(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        (s.starts_with('<') && s.ends_with('>') && s.len() > 2)
            || (s.starts_with("YOUR_") && s.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
    })
}

/// Properties the usage guide's request examples send that the spec's request schema does
/// not define. The server ignores them; the client never sends them.
const GUIDE_EXTRAS: &[(&str, &str)] = &[
    // The guide's PATCH template repeats fields that cannot change after creation;
    // `CustomConnectorPluginUpdate` deliberately carries only changeable fields.
    (
        "update_custom_plugin_request_template.json",
        "connector_class",
    ),
    (
        "update_custom_plugin_request_template.json",
        "connector_type",
    ),
];

#[test]
fn every_fixture_validates_against_its_operation() {
    let manifest: Vec<Value> =
        serde_json::from_slice(&std::fs::read(fixtures_dir().join("manifest.json")).unwrap())
            .unwrap();
    let mut checked = 0;
    let mut placeholders_tolerated = 0;
    let mut failures = Vec::new();
    let mut extras = Vec::new();
    for entry in &manifest {
        let file = entry["file"].as_str().unwrap();
        let api = entry["api"].as_str().unwrap();
        if api == "telemetry" {
            // The metrics query goes to api.telemetry.confluent.cloud, which neither
            // hand-maintained spec describes (src/metrics.rs has its own types).
            eprintln!("skipped {file}: the telemetry API has no spec in openapi/");
            continue;
        }
        let id = entry["operation_id"].as_str().unwrap();
        let body: Value =
            serde_json::from_slice(&std::fs::read(fixtures_dir().join(file)).unwrap()).unwrap();
        let spec = contract::spec(api);
        let op = spec.operation(id);
        let (dir, key, schema) = match entry["direction"].as_str().unwrap() {
            "request" => (
                Direction::OpenRequest,
                format!("{id}:request"),
                op.body
                    .as_ref()
                    .expect("operation has a body")
                    .schema
                    .clone(),
            ),
            _ => {
                let status = entry["status"].as_u64().unwrap();
                assert!(
                    op.success_statuses().contains(&(status as u16)),
                    "{file}: status {status} is not a success status of {id}"
                );
                let schema = op.responses[&status.to_string()]
                    .clone()
                    .unwrap_or_else(|| panic!("{file}: status {status} of {id} has no content"));
                (Direction::Response, format!("{id}:{status}"), schema)
            }
        };
        let validator = spec.validator(&key, &schema, dir);
        for error in validator.iter_errors(&body) {
            if file.contains("_template") && is_placeholder(error.instance()) {
                placeholders_tolerated += 1;
                continue;
            }
            failures.push(format!(
                "{file} ({api} {id}): {}: {error}",
                error.instance_path()
            ));
        }
        if dir == Direction::OpenRequest {
            // What the strict request schema refuses beyond the open one: properties the
            // client could not send.
            let strict = spec.validator(&key, &schema, Direction::Request);
            for error in strict.iter_errors(&body) {
                if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } =
                    error.kind()
                {
                    extras.extend(unexpected.iter().map(|p| (file.to_owned(), p.clone())));
                }
            }
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "fixtures the spec refuses:\n{}",
        failures.join("\n")
    );
    assert_eq!(
        checked,
        manifest.len() - 2,
        "every non-telemetry fixture is checked"
    );
    let expected: Vec<(String, String)> = GUIDE_EXTRAS
        .iter()
        .map(|(f, p)| (f.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        extras, expected,
        "request properties of the guide that the spec does not define"
    );
    eprintln!(
        "{checked} fixtures valid; {placeholders_tolerated} template placeholders stood for enum values"
    );
}

#[test]
fn template_placeholders_are_only_tolerated_where_they_stand_for_a_value() {
    // The same placeholder outside a template, or a real wrong value, is still refused.
    let errors = contract::check_body(
        "connect",
        "create_presigned_upload_url",
        Direction::Request,
        None,
        &json!({"content_format": "YOUR_FILE_FORMAT", "cloud": "AWS"}),
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(is_placeholder(&json!("<CLOUD>")) && is_placeholder(&json!("YOUR_CLOUD_PROVIDER")));
    assert!(!is_placeholder(&json!("AWS")) && !is_placeholder(&json!("<")));
}

#[test]
fn the_operation_table_covers_both_specs_in_order() {
    let table = contract::ops::all();
    let expected: Vec<(&str, &str)> = ccloud_connect::connect::ConnectApi::OPERATIONS
        .iter()
        .map(|id| ("connect", *id))
        .chain(
            ccloud_connect::ccpm::CcpmApi::OPERATIONS
                .iter()
                .map(|id| ("ccpm", *id)),
        )
        .collect();
    let got: Vec<(&str, &str)> = table.iter().map(|o| (o.api, o.id)).collect();
    assert_eq!(got, expected);
    for op in &table {
        let spec_op = contract::operation(op.api, op.id);
        // Every string parameter of the spec is driven by the table, in spec order per
        // location, so hostile values reach each of them.
        let mut want: Vec<(&str, contract::ops::Loc)> = spec_op
            .path_params()
            .into_iter()
            .map(|p| (p, contract::ops::Loc::Path))
            .collect();
        want.extend(
            spec_op
                .params
                .iter()
                .filter(|p| {
                    p.location == "query"
                        && contract::deref(&contract::spec(op.api).doc, &p.schema)["type"]
                            == "string"
                })
                .map(|p| (p.name.as_str(), contract::ops::Loc::Query)),
        );
        let mut have: Vec<(&str, contract::ops::Loc)> = op.params.to_vec();
        want.sort_by_key(|(n, l)| (*l == contract::ops::Loc::Query, *n));
        have.sort_by_key(|(n, l)| (*l == contract::ops::Loc::Query, *n));
        assert_eq!(have, want, "{} {}", op.api, op.id);
    }
}

fn json_answer<'a>(
    server: &'a MockServer,
    status: u16,
    body: Option<&Value>,
) -> httpmock::Mock<'a> {
    server.mock(|_when, then| {
        let then = then.status(status);
        if let Some(body) = body {
            then.header("content-type", "application/json")
                .body(body.to_string());
        }
    })
}

#[tokio::test]
async fn one_exchange_per_operation_passes_the_contract() {
    let server = MockServer::start_async().await;
    let counted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (requests, answers) = (counted.clone(), counted.clone());
    let client = contract::observe_strict(ccloud_connect::Client::builder())
        .credentials(contract::KEY, contract::SECRET)
        .base_url(server.base_url())
        .on_request(move |_| {
            requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        })
        .on_response(move |_| {
            answers.fetch_add(1000, std::sync::atomic::Ordering::Relaxed);
        })
        .build()
        .unwrap();
    for op in contract::ops::all() {
        let (status, body) = contract::sample_response(op.api, op.id);
        assert!(
            contract::check_body(
                op.api,
                op.id,
                Direction::Response,
                Some(status),
                body.as_ref().unwrap_or(&Value::Null)
            )
            .is_empty()
                || body.is_none(),
            "the sample answer of {} is itself invalid",
            op.id
        );
        let mut mock = json_answer(&server, status, body.as_ref());
        op.call_plain(&client)
            .await
            .unwrap_or_else(|e| panic!("{} {}: {e}", op.api, op.id));
        mock.assert_calls(1);
        mock.delete();
    }
    // 33 requests and 33 answers went past the observers (answers count 1000 each).
    assert_eq!(
        counted.load(std::sync::atomic::Ordering::Relaxed),
        33 * 1001
    );
}

#[tokio::test]
async fn the_helpers_and_paginators_pass_the_contract() {
    let server = MockServer::start_async().await;
    let client = contract::strict_client(&server.base_url());
    let empty_page = json!({"data": [], "metadata": {"next": null}});
    let mut mock = json_answer(&server, 200, Some(&empty_page));
    assert!(
        client
            .connect()
            .custom_plugins(None)
            .all()
            .await
            .unwrap()
            .is_empty()
    );
    assert!(client.connect().runtimes().all().await.unwrap().is_empty());
    assert!(
        client
            .ccpm()
            .environment("env-1")
            .plugins(Some(ccloud_connect::ccpm::Cloud::Gcp))
            .all()
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        client
            .ccpm()
            .environment("env-1")
            .plugin("ccp-1")
            .versions()
            .all()
            .await
            .unwrap()
            .is_empty()
    );
    mock.assert_calls(4);
    mock.delete();
    let mock = json_answer(
        &server,
        200,
        Some(&json!({"pg-sink": {"id": {"id": "lcc-1", "id_type": "ID"}}})),
    );
    let names = client
        .connect()
        .cluster("env-1", "lkc-1")
        .connector_names()
        .await
        .unwrap();
    assert_eq!(names, ["pg-sink"]);
    let expanded = client
        .connect()
        .cluster("env-1", "lkc-1")
        .connectors(ccloud_connect::connect::Expand::ALL)
        .await
        .unwrap();
    assert_eq!(expanded.len(), 1);
    mock.assert_calls(2);
}

// ------------------------------------------------------------ the checker can fail

fn base() -> Url {
    Url::parse("http://127.0.0.1:9/").unwrap()
}

fn request(method: &str, target: &str, body: Option<&str>) -> Result<String, Vec<String>> {
    let base = base();
    let url = base.join(target.trim_start_matches('/')).unwrap();
    check_request(&SentRequest {
        method,
        url: &url,
        base: &base,
        content_type: body.map(|_| "application/json"),
        body: body.map(str::as_bytes),
    })
    .map(|op| op.id.clone())
}

fn refused(method: &str, target: &str, body: Option<&str>, expected: &str) {
    let errors = request(method, target, body).expect_err(target);
    assert!(
        errors.iter().any(|e| e.contains(expected)),
        "{method} {target}: expected {expected:?} among {errors:#?}"
    );
}

const CONNECTORS: &str = "/connect/v1/environments/env-1/clusters/lkc-1/connectors";

#[test]
fn requests_the_specs_allow_pass() {
    assert_eq!(request("GET", CONNECTORS, None).unwrap(), "list_connectors");
    assert_eq!(
        request("GET", &format!("{CONNECTORS}?expand=info,status"), None).unwrap(),
        "list_connectors"
    );
    assert_eq!(
        request("GET", &format!("{CONNECTORS}/a%2Fb%3Fc/config"), None).unwrap(),
        "get_connector_config",
        "an encoded slash stays inside one segment"
    );
    assert_eq!(
        request(
            "GET",
            "/ccpm/v1/plugins?environment=env-1&page_size=100&spec.cloud=AWS",
            None
        )
        .unwrap(),
        "list_plugins"
    );
    assert_eq!(
        request(
            "POST",
            "/connect/v1/presigned-upload-url",
            Some(r#"{"content_format":"ZIP","cloud":"GCP"}"#)
        )
        .unwrap(),
        "create_presigned_upload_url"
    );
    // A path stem on the base URL is not part of the operation path.
    let base = Url::parse("http://127.0.0.1:9/proxy/cc/").unwrap();
    let url = base
        .join("ccpm/v1/plugins/ccp-1?environment=env-1")
        .unwrap();
    let op = check_request(&SentRequest {
        method: "GET",
        url: &url,
        base: &base,
        content_type: None,
        body: None,
    })
    .unwrap();
    assert_eq!(op.id, "get_plugin");
}

#[test]
fn requests_the_specs_do_not_allow_are_refused() {
    refused(
        "GET",
        "/connect/v1/nothing-here",
        None,
        "no operation has the path",
    );
    refused(
        "DELETE",
        "/connect/v1/presigned-upload-url",
        None,
        "DELETE is not an operation",
    );
    refused(
        "GET",
        &format!("{CONNECTORS}/a/b/config"),
        None,
        "no operation has the path",
    );
    refused(
        "GET",
        "/ccpm/v1/plugins",
        None,
        "required query parameter environment is missing",
    );
    refused(
        "GET",
        "/ccpm/v1/plugins?environment=e&colour=red",
        None,
        "query parameter \"colour\" is not declared",
    );
    refused(
        "GET",
        &format!("{CONNECTORS}?expand=info&expand=status"),
        None,
        "sent 2 times",
    );
    refused(
        "GET",
        "/ccpm/v1/plugins?environment=e&page_size=0",
        None,
        "page_size",
    );
    refused(
        "GET",
        "/ccpm/v1/plugins?environment=e&page_size=101",
        None,
        "page_size",
    );
    refused(
        "GET",
        "/ccpm/v1/plugins?environment=e&page_size=ten",
        None,
        "is not an integer",
    );
    refused("POST", CONNECTORS, None, "required request body is missing");
    refused("POST", CONNECTORS, Some(r#"{"name": 5}"#), "/name");
    refused(
        "POST",
        CONNECTORS,
        Some(r#"{"name": "c", "colour": "red"}"#),
        "colour",
    );
    refused(
        "POST",
        CONNECTORS,
        Some(r#"{"name": "c", "config": {"tasks.max": 1}}"#),
        "/config/tasks.max",
    );
    refused("POST", CONNECTORS, Some("name=c"), "not JSON");
    refused(
        "POST",
        "/connect/v1/presigned-upload-url",
        Some(r#"{"content_format":"ZIP","cloud":"MARS"}"#),
        "/cloud",
    );
    refused(
        "POST",
        "/connect/v1/presigned-upload-url",
        Some(r#"{"cloud":"AWS"}"#),
        "content_format",
    );
    refused(
        "POST",
        &format!("{CONNECTORS}/c1/restart"),
        Some("{}"),
        "takes no body",
    );
    refused(
        "POST",
        "/ccpm/v1/plugins/ccp-1/versions",
        Some(
            r#"{"spec":{"version":"1.0.0","connector_classes":[],"upload_source":{"location":"PRESIGNED_URL_LOCATION","upload_id":"u"},"environment":{"id":"env-1"}}}"#,
        ),
        "/spec/connector_classes",
    );
    // readOnly fields are not required of requests, but are still typed.
    refused(
        "POST",
        "/ccpm/v1/plugins",
        Some(r#"{"spec":{"cloud":"AWS","display_name":"p","environment":{"id":"e"}},"id":7}"#),
        "/id",
    );
    // A content type other than JSON for a JSON body.
    let base = base();
    let url = base.join("connect/v1/presigned-upload-url").unwrap();
    let errors = check_request(&SentRequest {
        method: "POST",
        url: &url,
        base: &base,
        content_type: Some("text/plain"),
        body: Some(br#"{"content_format":"ZIP"}"#),
    })
    .unwrap_err();
    assert!(errors[0].contains("content-type"), "{errors:?}");
}

#[test]
fn answers_the_specs_do_not_allow_are_refused() {
    let json = Some("application/json");
    let ok = |api, id, status, ct, body: &str| check_response(api, id, status, ct, body.as_bytes());
    assert!(
        ok(
            "connect",
            "create_connector",
            201,
            json,
            r#"{"name":"c","type":"sink","later_field":1}"#
        )
        .is_empty()
    );
    assert!(ok("connect", "pause_connector", 202, None, "").is_empty());
    assert!(
        ok(
            "connect",
            "get_connector",
            404,
            json,
            r#"{"error":{"code":404,"message":"gone"}}"#
        )
        .is_empty()
    );
    assert!(
        ok("ccpm", "get_plugin", 429, None, "").is_empty(),
        "429 is handled, never declared"
    );
    // Answers are judged as the crate reads them: open enums, null optional sections, and
    // no content type (mock servers) are fine.
    assert!(
        ok(
            "connect",
            "get_connector_status",
            200,
            None,
            r#"{"name":"c","connector":{"state":"RESTARTING"}}"#
        )
        .is_empty()
    );
    assert!(
        ok(
            "connect",
            "list_connectors",
            200,
            json,
            r#"{"c":{"id":null,"info":null,"status":{"name":"c","connector":{"state":"RUNNING"}}}}"#
        )
        .is_empty()
    );

    let expect = |errors: Vec<String>, what: &str| {
        assert!(
            errors.iter().any(|e| e.contains(what)),
            "expected {what:?} in {errors:#?}"
        );
    };
    expect(
        ok("connect", "create_connector", 200, json, r#"{"name":"c"}"#),
        "status 200 is not declared",
    );
    expect(
        ok("connect", "get_connector", 200, json, r#"{"type":"sink"}"#),
        "\"name\" is a required property",
    );
    expect(
        ok(
            "connect",
            "get_connector",
            200,
            json,
            r#"{"name":"c","tasks":{}}"#,
        ),
        "/tasks",
    );
    expect(
        ok(
            "connect",
            "get_connector",
            200,
            Some("text/html"),
            r#"{"name":"c"}"#,
        ),
        "content-type",
    );
    expect(
        ok("connect", "get_connector", 200, json, "<html>oops</html>"),
        "not JSON",
    );
    expect(
        ok("connect", "pause_connector", 202, json, r#"{"ok":true}"#),
        "has no content",
    );
    expect(
        ok(
            "connect",
            "get_connector",
            502,
            Some("text/html"),
            "<h1>Bad Gateway</h1>",
        ),
        "not JSON",
    );
    expect(
        ok("ccpm", "get_plugin", 409, json, r#"{"errors":"many"}"#),
        "/errors",
    );
    expect(
        ok(
            "connect",
            "get_connector_status",
            200,
            json,
            r#"{"name":"c","connector":null}"#,
        ),
        "/connector",
    );
    expect(
        ok(
            "connect",
            "get_connector_status",
            200,
            json,
            r#"{"name":"c","connector":{"state":7}}"#,
        ),
        "/connector/state",
    );
    expect(
        ok(
            "connect",
            "get_connector_offsets_request_status",
            200,
            json,
            r#"{"status":{"phase":"APPLIED"},"applied_at":"yesterday"}"#,
        ),
        "/applied_at",
    );
}

#[tokio::test]
async fn a_client_under_contract_reports_what_it_sends_and_receives() {
    let server = MockServer::start_async().await;
    // A get_connector answer without the required name.
    server.mock(|when, then| {
        when.path_includes("/connectors/");
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"type":"sink"}"#);
    });
    let (builder, found) = contract::observe_collecting(
        ccloud_connect::Client::builder()
            .credentials(contract::KEY, contract::SECRET)
            .base_url(server.base_url())
            .retry(ccloud_connect::RetryPolicy::none()),
    );
    server.mock(|when, then| {
        when.path("/connect/v1/custom-connector-plugins");
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"data":[]}"#);
    });
    let client = builder.build().unwrap();
    let err = client
        .connect()
        .raw()
        .get_connector("env-1", "lkc-1", "c1")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("could not decode"), "{err}");
    // No connector class, where the spec asks for 1 to 10. (A page_size above 100 served
    // here before the client itself refused it before sending.)
    let _ = client
        .ccpm()
        .raw()
        .create_plugin_version("ccp-1", &version_without_connector_class())
        .await;
    let found = found.lock().unwrap().clone();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].contains("get_connector") && found[0].contains("\"name\" is a required property"),
        "{}",
        found[0]
    );
    assert!(
        found[1].contains("create_plugin_version") && found[1].contains("connector_classes"),
        "{}",
        found[1]
    );
}

/// A ccpm version the typed client accepts but the spec refuses (`minItems: 1`).
fn version_without_connector_class() -> ccloud_connect::ccpm::PluginVersion {
    serde_json::from_value(serde_json::json!({"spec": {
        "connector_classes": [],
        "environment": {"id": "env-1"},
        "upload_source": {"location": "PRESIGNED_URL_LOCATION", "upload_id": "u-1"},
        "version": "1.0.0"
    }}))
    .unwrap()
}

#[tokio::test]
async fn a_violation_fails_the_test_that_sent_it() {
    let server = MockServer::start_async().await;
    server.mock(|_when, then| {
        then.status(200)
            .header("content-type", "application/json")
            .body("{}");
    });
    let client = contract::client(&server.base_url());
    let sent = tokio::spawn(async move {
        client
            .ccpm()
            .raw()
            .create_plugin_version("ccp-1", &version_without_connector_class())
            .await
    })
    .await;
    let panic = sent.expect_err("the observer panics").into_panic();
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("contract violation: ccpm/v1 create_plugin_version")
            && message.contains("connector_classes"),
        "{message}"
    );
    assert!(!message.contains(contract::SECRET), "{message}");
}

#[test]
fn observers_never_see_credentials() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let log = seen.clone();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let server = MockServer::start_async().await;
        let mock = server.mock(|when, then| {
            when.header_exists("authorization");
            then.status(202);
        });
        let client = contract::observe(ccloud_connect::Client::builder())
            .credentials(contract::KEY, contract::SECRET)
            .base_url(server.base_url())
            .on_request(move |r| log.lock().unwrap().push_str(&format!("{r:?}")))
            .build()
            .unwrap();
        client
            .connect()
            .raw()
            .pause_connector("e", "c", "n")
            .await
            .unwrap();
        mock.assert_calls(1);
    });
    let seen = seen.lock().unwrap();
    assert!(
        seen.contains("pause_connector") && seen.contains("user-agent"),
        "{seen}"
    );
    assert!(
        !seen.to_ascii_lowercase().contains("authorization"),
        "{seen}"
    );
}

/// The emulator answers every operation of both specs as the specs say: a workflow that
/// reaches all of them through a client checking each request and each answer.
#[tokio::test]
async fn the_emulator_answers_every_operation_within_the_contract() {
    use std::collections::BTreeSet;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use ccloud_connect::{ccpm, connect};
    use futures::TryStreamExt;

    fn typed<T: serde::de::DeserializeOwned>(v: Value) -> T {
        serde_json::from_value(v).unwrap()
    }

    let emulator = ccloud_connect_emulator::Emulator::builder()
        .provisioning_delay(Duration::from_millis(10))
        .version_processing_delay(Duration::from_millis(10))
        .start()
        .await
        .unwrap();
    let reached = Arc::new(Mutex::new(BTreeSet::new()));
    let log = reached.clone();
    let client = contract::observe_strict(ccloud_connect::Client::builder())
        .credentials(contract::KEY, contract::SECRET)
        .base_url(emulator.base_url())
        .on_response(move |r| {
            assert!(
                r.status.is_success(),
                "{} answered {}",
                r.operation,
                r.status
            );
            log.lock()
                .unwrap()
                .insert(format!("{} {}", r.api, r.operation));
        })
        .build()
        .unwrap();
    let storage = reqwest::Client::new();
    let empty_zip: Vec<u8> = [&b"PK\x05\x06"[..], &[0u8; 18]].concat();
    let (env, lkc) = ("env-c1", "lkc-c1");
    let c = client.connect();

    // Connectors and their lifecycle.
    let config = json!({
        "connector.class": "DatagenSource", "name": "dg", "kafka.api.key": "k",
        "kafka.api.secret": "s", "kafka.topic": "orders", "output.data.format": "JSON",
        "quickstart": "ORDERS", "tasks.max": "1"
    });
    assert!(
        c.cluster(env, lkc)
            .connector_names()
            .await
            .unwrap()
            .is_empty()
    );
    c.raw()
        .create_connector(env, lkc, &typed(json!({"name": "dg", "config": config})))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    c.raw().get_connector(env, lkc, "dg").await.unwrap();
    c.raw().get_connector_config(env, lkc, "dg").await.unwrap();
    c.raw()
        .put_connector_config(env, lkc, "dg", &typed(config.clone()))
        .await
        .unwrap();
    c.cluster(env, lkc)
        .connectors(ccloud_connect::connect::Expand::ALL)
        .await
        .unwrap();
    c.raw().get_connector_status(env, lkc, "dg").await.unwrap();
    c.raw().list_connector_tasks(env, lkc, "dg").await.unwrap();
    c.raw().pause_connector(env, lkc, "dg").await.unwrap();
    c.raw().resume_connector(env, lkc, "dg").await.unwrap();
    c.raw().restart_connector(env, lkc, "dg").await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    c.raw().list_connector_plugins(env, lkc).await.unwrap();
    c.raw()
        .validate_connector_plugin_config(env, lkc, "DatagenSource", &typed(config.clone()))
        .await
        .unwrap();
    c.raw().get_connector_offsets(env, lkc, "dg").await.unwrap();
    c.raw()
        .alter_connector_offsets(env, lkc, "dg", &typed(json!({"type": "DELETE"})))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    c.raw()
        .get_connector_offsets_request_status(env, lkc, "dg")
        .await
        .unwrap();
    c.raw().delete_connector(env, lkc, "dg").await.unwrap();

    // Custom connector plugins, uploaded the GCS way (a PUT of the bytes).
    let url: connect::PresignedUrl = c
        .raw()
        .create_presigned_upload_url(&typed(json!({"content_format": "ZIP", "cloud": "GCP"})))
        .await
        .unwrap();
    let put = storage
        .put(url.upload_url.clone().unwrap())
        .header("content-type", "application/zip")
        .body(empty_zip.clone())
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{put:?}");
    let plugin = c
        .raw()
        .create_custom_connector_plugin(&typed(json!({
            "display_name": "contract-plugin", "connector_class": "io.example.Source",
            "connector_type": "SOURCE", "cloud": "GCP",
            "upload_source": {"location": "PRESIGNED_URL_LOCATION", "upload_id": url.upload_id}
        })))
        .await
        .unwrap();
    let id = plugin.id.clone().unwrap();
    c.raw().get_custom_connector_plugin(&id).await.unwrap();
    c.raw()
        .update_custom_connector_plugin(&id, &typed(json!({"display_name": "contract-plugin-2"})))
        .await
        .unwrap();
    assert_eq!(
        c.custom_plugins(Some(connect::Cloud::Gcp))
            .all()
            .await
            .unwrap()
            .len(),
        1
    );
    c.raw().delete_custom_connector_plugin(&id).await.unwrap();
    c.runtimes()
        .by_page()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();

    // ccpm plugins and their versions.
    let p = client.ccpm();
    let url: ccpm::PresignedUrl = p
        .raw()
        .create_presigned_upload_url(&typed(json!({
            "content_format": "ZIP", "cloud": "GCP", "environment": {"id": env}
        })))
        .await
        .unwrap();
    let put = storage
        .put(url.upload_url.clone().unwrap())
        .header("content-type", "application/zip")
        .body(empty_zip)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{put:?}");
    let plugin = p
        .raw()
        .create_plugin(&typed(json!({
            "spec": {"display_name": "contract-ccpm", "cloud": "GCP", "environment": {"id": env}}
        })))
        .await
        .unwrap();
    let id = plugin.id.clone().unwrap();
    p.raw().get_plugin(&id, env).await.unwrap();
    p.raw()
        .update_plugin(
            &id,
            &typed(
                json!({"spec": {"display_name": "contract-ccpm-2", "environment": {"id": env}}}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        p.environment(env).plugins(None).all().await.unwrap().len(),
        1
    );
    let version = p
        .raw()
        .create_plugin_version(
            &id,
            &typed(json!({"spec": {
                "version": "1.0.0",
                "connector_classes": [{"class_name": "io.example.Source", "type": "SOURCE"}],
                "upload_source": {"location": "PRESIGNED_URL_LOCATION", "upload_id": url.upload_id},
                "environment": {"id": env}
            }})),
        )
        .await
        .unwrap();
    let vid = version.id.clone().unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    p.raw().get_plugin_version(&id, &vid, env).await.unwrap();
    assert_eq!(
        p.environment(env)
            .plugin(&id)
            .versions()
            .all()
            .await
            .unwrap()
            .len(),
        1
    );
    p.raw().delete_plugin_version(&id, &vid, env).await.unwrap();
    p.raw().delete_plugin(&id, env).await.unwrap();

    let reached = reached.lock().unwrap().clone();
    let every: BTreeSet<String> = ccloud_connect::connect::ConnectApi::OPERATIONS
        .iter()
        .map(|o| format!("connect/v1 {o}"))
        .chain(
            ccloud_connect::ccpm::CcpmApi::OPERATIONS
                .iter()
                .map(|o| format!("ccpm/v1 {o}")),
        )
        .collect();
    assert_eq!(reached, every, "operations the workflow did not reach");
}
