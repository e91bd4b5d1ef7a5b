//! The checker can fail: requests and answers the specs do not allow are refused, and a
//! client under contract reports them without ever showing credentials.

use httpmock::prelude::*;
use reqwest::Url;

use crate::support::contract::{self, SentRequest, check_request, check_response};

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
    assert_eq!(
        request(
            "PUT",
            "/connect/v1/environments/env-1/clusters/lkc-1/connector-plugins/S3_SINK/config/translate?mask_sensitive=true",
            Some(r#"{"name":"c","topics":"orders"}"#)
        )
        .unwrap(),
        "translate_connector_plugin_config"
    );
    assert_eq!(
        request(
            "GET",
            "/cam/v1/connect-artifacts?environment=env-1&page_size=100&spec.cloud=AWS",
            None
        )
        .unwrap(),
        "list_artifacts"
    );
    assert_eq!(
        request(
            "DELETE",
            "/cam/v1/connect-artifacts/ca-1?environment=env-1&spec.cloud=GCP",
            None
        )
        .unwrap(),
        "delete_artifact"
    );
    assert_eq!(
        request(
            "POST",
            "/cam/v1/presigned-upload-url",
            Some(r#"{"content_format":"JAR","cloud":"AWS","environment":"env-1"}"#)
        )
        .unwrap(),
        "create_presigned_upload_url",
        "each API's presigned URL is found by its own path"
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
        "/cam/v1/connect-artifacts?environment=e",
        None,
        "required query parameter spec.cloud is missing",
    );
    refused(
        "GET",
        "/cam/v1/connect-artifacts/ca-1?spec.cloud=AWS",
        None,
        "required query parameter environment is missing",
    );
    refused(
        "PUT",
        "/connect/v1/environments/env-1/clusters/lkc-1/connector-plugins/S3_SINK/config/translate?mask_sensitive=yes",
        Some(r#"{"name":"c"}"#),
        "is not a boolean",
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
    // cam's environment is a plain string, not ccpm's `{id}`.
    refused(
        "POST",
        "/cam/v1/connect-artifacts?environment=env-1&spec.cloud=AWS",
        Some(r#"{"spec":{"cloud":"AWS","display_name":"a","environment":{"id":"env-1"}}}"#),
        "/spec/environment",
    );
    refused(
        "POST",
        "/cam/v1/presigned-upload-url",
        Some(r#"{"content_format":"JAR","cloud":"AWS"}"#),
        "environment",
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
    let (builder, found) = contract::observe_collecting(contract::builder(&server.base_url()));
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
        let client = contract::observe(contract::builder(&server.base_url()))
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
