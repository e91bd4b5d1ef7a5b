//! The client layer: retries and rate limits, errors, pagination, credentials.

use std::num::NonZeroU32;
use std::time::Duration;

use base64::Engine as _;
use ccloud_connect::connect::Cloud;
use ccloud_connect::{Client, Error, RetryPolicy};
use futures::StreamExt;
use httpmock::prelude::*;
use serde_json::json;

use crate::support::server::{Answer, Server};
use crate::support::{self, KEY, SECRET};

/// Fast retries so tests do not wait on backoff, only on server hints.
fn fast() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
}

fn secret_forms() -> [String; 2] {
    [
        SECRET.to_owned(),
        base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:{SECRET}")),
    ]
}

fn assert_no_secret(text: &str) {
    for s in secret_forms() {
        assert!(!text.contains(&s), "secret leaked in: {text}");
    }
}

const CONFIG_PATH: &str = "/connect/v1/environments/env-1/clusters/lkc-1/connectors/c1/config";

// ---------- retries and rate limits ----------

// The waits below run on tokio's paused clock: the client sleeps on it, the server stamps
// each request with it, and the test takes no wall-clock time. The HTTP client is
// `support::untimed_http()`, whose loopback requests arm no timer the clock could jump to.

#[tokio::test(start_paused = true)]
async fn retry_after_one_second_is_waited_in_full() {
    let server = Server::sequence(vec![
        Answer::json(429, r#"{"error":{"code":429,"message":"slow down"}}"#)
            .header("retry-after", "1"),
        Answer::json(200, r#"{"name":"c1"}"#),
    ])
    .await;
    let client = support::builder(&server.base_url)
        .http_client(support::untimed_http())
        .retry(fast())
        .build()
        .unwrap();
    let config = client
        .connect()
        .raw()
        .get_connector_config("env-1", "lkc-1", "c1")
        .await
        .unwrap();
    assert_eq!(config.0.get("name").map(String::as_str), Some("c1"));
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let waited = seen[1].at - seen[0].at;
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
    assert!(waited < Duration::from_millis(1500), "waited {waited:?}");
}

#[tokio::test(start_paused = true)]
async fn rate_limit_reset_is_honoured_without_retry_after() {
    let server = Server::sequence(vec![
        Answer::json(429, "{}")
            .header("x-ratelimit-reset", "1")
            .header("x-ratelimit-remaining", "0"),
        Answer::json(200, "{}"),
    ])
    .await;
    let client = support::builder(&server.base_url)
        .http_client(support::untimed_http())
        .retry(fast())
        .build()
        .unwrap();
    client
        .connect()
        .raw()
        .get_connector_config("env-1", "lkc-1", "c1")
        .await
        .unwrap();
    let seen = server.seen();
    let waited = seen[1].at - seen[0].at;
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
}

#[tokio::test]
async fn post_is_sent_once_by_default() {
    let server = Server::sequence(vec![Answer::json(
        503,
        r#"{"error_code":503,"message":"busy"}"#,
    )])
    .await;
    let client = support::builder(&server.base_url)
        .retry(fast())
        .build()
        .unwrap();
    let body = ccloud_connect::connect::CreateConnectorRequest::default();
    let err = client
        .connect()
        .raw()
        .create_connector("env-1", "lkc-1", &body)
        .await
        .unwrap_err();
    assert_eq!(server.seen().len(), 1);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(err.is_retryable());
    assert_eq!(err.api_error().unwrap().message.as_deref(), Some("busy"));
}

#[tokio::test]
async fn post_is_retried_when_opted_in() {
    let server = Server::sequence(vec![
        Answer::json(503, "{}"),
        Answer::json(201, r#"{"name":"x","config":{}}"#),
    ])
    .await;
    let client = support::builder(&server.base_url)
        .retry(fast().retry_non_idempotent(true))
        .build()
        .unwrap();
    let body = ccloud_connect::connect::CreateConnectorRequest::default();
    let created = client
        .connect()
        .raw()
        .create_connector("env-1", "lkc-1", &body)
        .await
        .unwrap();
    assert_eq!(created.name, "x");
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[0].body, seen[1].body,
        "the retried POST carries the same body"
    );
}

#[tokio::test]
async fn stops_at_max_attempts_with_the_last_error() {
    let server = Server::sequence(vec![
        Answer::json(500, r#"{"error":{"code":500,"message":"first"}}"#),
        Answer::json(502, r#"{"error":{"code":502,"message":"second"}}"#),
        Answer::json(503, r#"{"error":{"code":503,"message":"third"}}"#),
    ])
    .await;
    let client = support::builder(&server.base_url)
        .retry(fast().max_attempts(3))
        .build()
        .unwrap();
    let err = client
        .connect()
        .raw()
        .get_connector_config("env-1", "lkc-1", "c1")
        .await
        .unwrap_err();
    assert_eq!(server.seen().len(), 3);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.api_error().unwrap().message.as_deref(), Some("third"));
}

#[tokio::test(start_paused = true)]
async fn stops_when_the_wait_would_exceed_the_time_budget() {
    let server = Server::sequence(vec![Answer::json(429, "{}").header("retry-after", "30")]).await;
    let client = support::builder(&server.base_url)
        .http_client(support::untimed_http())
        .retry(fast().max_elapsed(Duration::from_secs(2)))
        .build()
        .unwrap();
    // On the paused clock a sleep of 30 s would show in full.
    let started = tokio::time::Instant::now();
    let err = client
        .connect()
        .raw()
        .get_connector_config("env-1", "lkc-1", "c1")
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "it slept instead of giving up"
    );
    assert_eq!(server.seen().len(), 1);
    assert!(err.is_rate_limited());
    assert_eq!(
        err.api_error().unwrap().rate_limit.retry_after,
        Some(Duration::from_secs(30))
    );
}

#[tokio::test]
async fn disabled_policy_sends_once() {
    let server = Server::sequence(vec![Answer::json(503, "{}"), Answer::json(200, "{}")]).await;
    let client = support::builder(&server.base_url)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    assert!(
        client
            .connect()
            .raw()
            .get_connector_config("env-1", "lkc-1", "c1")
            .await
            .is_err()
    );
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn delete_and_put_are_retried() {
    let server = Server::sequence(vec![
        Answer::json(502, "<html>bad gateway</html>"),
        Answer::json(200, r#"{"error":null}"#),
    ])
    .await;
    let client = support::builder(&server.base_url)
        .retry(fast())
        .build()
        .unwrap();
    client
        .connect()
        .raw()
        .delete_connector("env-1", "lkc-1", "c1")
        .await
        .unwrap();
    assert_eq!(server.seen().len(), 2);
    assert!(server.seen().iter().all(|s| s.method == "DELETE"));
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    // Bind then drop to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = support::builder(&format!("http://127.0.0.1:{port}"))
        .retry(fast().max_attempts(2))
        .build()
        .unwrap();
    let err = client
        .connect()
        .raw()
        .get_connector_config("env-1", "lkc-1", "c1")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert!(err.to_string().contains("could not connect"), "{err}");
}

// ---------- errors ----------

#[tokio::test]
async fn error_carries_request_id_rate_limits_and_html_text() {
    let server = Server::sequence(vec![Answer {
        status: 502,
        headers: vec![
            ("content-type".into(), "text/html".into()),
            ("x-request-id".into(), "req-42".into()),
            ("x-ratelimit-limit".into(), "60".into()),
            ("x-ratelimit-remaining".into(), "59".into()),
        ],
        body: "<html><head><title>502 Bad Gateway</title></head></html>".into(),
    }])
    .await;
    let client = support::client(&server.base_url);
    let err = client
        .connect()
        .raw()
        .get_connector("env-1", "lkc-1", "c1")
        .await
        .unwrap_err();
    let api = err.api_error().unwrap();
    assert_eq!(api.request_id.as_deref(), Some("req-42"));
    assert_eq!(api.rate_limit.limit, Some(60));
    assert_eq!(api.rate_limit.remaining, Some(59));
    assert_eq!(api.message.as_deref(), Some("502 Bad Gateway"));
    assert!(api.raw_body.as_deref().unwrap().starts_with("<html>"));
    let text = err.to_string();
    assert!(
        text.contains("get_connector") && text.contains("502") && text.contains("req-42"),
        "{text}"
    );
}

#[tokio::test]
async fn not_found_in_each_shape() {
    for body in [
        r#"{"error":{"code":404,"message":"Connector c1 not found"}}"#,
        r#"{"errors":[{"status":"404","code":"not_found","detail":"Connector c1 not found"}]}"#,
    ] {
        let server = Server::sequence(vec![Answer::json(404, body)]).await;
        let client = support::builder(&server.base_url)
            .retry(fast())
            .build()
            .unwrap();
        let err = client
            .connect()
            .raw()
            .get_connector("env-1", "lkc-1", "c1")
            .await
            .unwrap_err();
        assert!(err.is_not_found(), "{err}");
        assert!(!err.is_retryable());
        assert_eq!(
            err.api_error().unwrap().message.as_deref(),
            Some("Connector c1 not found")
        );
        assert_eq!(server.seen().len(), 1, "404 is not retried");
    }
}

#[tokio::test]
async fn success_with_html_body_is_a_decode_error() {
    let server = Server::sequence(vec![Answer::json(200, "<html>captive portal</html>")]).await;
    let client = support::builder(&server.base_url)
        .retry(fast())
        .build()
        .unwrap();
    let err = client
        .connect()
        .raw()
        .get_connector("env-1", "lkc-1", "c1")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("captive portal"), "{err}");
}

// ---------- credentials ----------

#[tokio::test]
async fn wire_headers_are_auth_and_user_agent_only() {
    let server = Server::sequence(vec![Answer::json(200, "{}")]).await;
    let client = support::builder(&server.base_url)
        .user_agent_suffix("tool/2")
        .build()
        .unwrap();
    client
        .connect()
        .raw()
        .get_connector_config("env-1", "lkc-1", "c1")
        .await
        .unwrap();
    let seen = &server.seen()[0];
    assert_eq!(seen.target, CONFIG_PATH);
    let expected = format!("Basic {}", secret_forms()[1]);
    assert_eq!(seen.header("authorization"), Some(expected.as_str()));
    assert_eq!(
        seen.header("user-agent"),
        Some(format!("ccloud-connect/{} tool/2", env!("CARGO_PKG_VERSION")).as_str())
    );
    assert_eq!(seen.header("api-version"), None);
}

#[tokio::test]
async fn no_secret_in_debug_display_or_errors() {
    let builder = Client::builder().credentials(KEY, SECRET);
    let client = builder
        .clone()
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let creds = ccloud_connect::Credentials::new(KEY, SECRET).unwrap();
    let mut texts = vec![
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{creds:?}"),
        format!("{:?}", client.connect()),
    ];
    assert!(texts[2].contains(KEY) && texts[2].contains("[redacted]"));

    // One error of every kind the client can produce, formatted both ways.
    let html = Server::sequence(vec![Answer::json(500, "<html>x</html>")]).await;
    let decode = Server::sequence(vec![Answer::json(200, "not json")]).await;
    let mut errors: Vec<Error> = Vec::new();
    errors.push(
        support::client(&html.base_url)
            .connect()
            .raw()
            .get_connector("e", "c", "n")
            .await
            .unwrap_err(),
    );
    errors.push(
        support::client(&decode.base_url)
            .connect()
            .raw()
            .get_connector("e", "c", "n")
            .await
            .unwrap_err(),
    );
    errors.push(
        client
            .connect()
            .raw()
            .get_connector("e", "c", "n")
            .await
            .unwrap_err(),
    ); // connection refused
    errors.push(
        client
            .connect()
            .raw()
            .get_connector("e", "c", "..")
            .await
            .unwrap_err(),
    ); // validation
    errors.push(Client::builder().credentials(KEY, "").build().unwrap_err());
    errors.push(
        Client::builder()
            .credentials(KEY, "a\nb")
            .build()
            .unwrap_err(),
    );
    errors.push(
        Client::builder()
            .credentials(KEY, SECRET)
            .base_url("ftp://x")
            .build()
            .unwrap_err(),
    );
    errors.push(ccloud_connect::ClientBuilder::from_env_with(|_| None).unwrap_err());
    for e in &errors {
        texts.push(format!("{e}"));
        texts.push(format!("{e:?}"));
    }
    for t in &texts {
        assert_no_secret(t);
    }
}

#[tokio::test]
async fn tracing_output_carries_no_secret() {
    let logs = support::LogBuffer::default();
    let _capturing = logs.capture();

    let server = Server::sequence(vec![Answer::json(503, "{}"), Answer::json(200, "{}")]).await;
    support::builder(&server.base_url)
        .retry(fast())
        .build()
        .unwrap()
        .connect()
        .raw()
        .get_connector_config("env-1", "lkc-1", "c1")
        .await
        .unwrap();
    let logs = logs.text();
    assert!(logs.contains("retrying"), "the retry is logged: {logs}");
    assert_no_secret(&logs);
}

// ---------- pagination ----------

fn plugin(id: &str) -> serde_json::Value {
    json!({"id": id, "display_name": format!("Plugin {id}"), "connector_class": "io.x.Y", "connector_type": "SOURCE"})
}

fn list_page(ids: &[&str], next: Option<String>) -> serde_json::Value {
    json!({
        "api_version": "connect/v1",
        "kind": "CustomConnectorPluginList",
        "metadata": {"next": next, "total_size": 5},
        "data": ids.iter().map(|i| plugin(i)).collect::<Vec<_>>(),
    })
}

fn ccpm_plugin(id: &str) -> serde_json::Value {
    json!({
        "id": id,
        "spec": {"cloud": "GCP", "display_name": id, "environment": {"id": "env-9"}},
    })
}

const PLUGINS: &str = "/connect/v1/custom-connector-plugins";

#[tokio::test]
async fn three_pages_keep_the_filter_and_never_follow_the_link_host() {
    let server = MockServer::start_async().await;
    let elsewhere = MockServer::start_async().await;
    let catch_all = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(list_page(&[], None));
        })
        .await;
    // The links name another host; only their page_token may be used.
    let link = |t: &str| {
        Some(format!(
            "{}{PLUGINS}?cloud=AWS&page_size=100&page_token={t}",
            elsewhere.base_url()
        ))
    };
    let p1 = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PLUGINS)
                .query_param("cloud", "AWS")
                .query_param("page_size", "100")
                .query_param_missing("page_token");
            then.status(200)
                .json_body(list_page(&["p1", "p2"], link("t2")));
        })
        .await;
    let p2 = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PLUGINS)
                .query_param("cloud", "AWS")
                .query_param("page_size", "100")
                .query_param("page_token", "t2");
            then.status(200)
                .json_body(list_page(&["p3", "p4"], link("t3")));
        })
        .await;
    let p3 = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PLUGINS)
                .query_param("cloud", "AWS")
                .query_param("page_size", "100")
                .query_param("page_token", "t3");
            then.status(200).json_body(list_page(&["p5"], None));
        })
        .await;

    let client = support::builder(&server.base_url())
        .retry(fast())
        .build()
        .unwrap();
    let ids: Vec<String> = client
        .connect()
        .custom_plugins(Some(Cloud::Aws))
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id.unwrap())
        .collect();
    assert_eq!(ids, ["p1", "p2", "p3", "p4", "p5"]);
    for m in [&p1, &p2, &p3] {
        assert_eq!(m.calls_async().await, 1);
    }
    assert_eq!(
        catch_all.calls_async().await,
        0,
        "the host named in metadata.next got a request"
    );
}

#[tokio::test]
async fn pages_are_fetched_lazily() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(list_page(&["p1"], None));
        })
        .await;
    let client = support::builder(&server.base_url())
        .retry(fast())
        .build()
        .unwrap();
    let paginator = client.connect().custom_plugins(None);
    let stream = paginator.by_item();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        any.calls_async().await,
        0,
        "a request went out before the first poll"
    );
    drop(stream);
    let pages: Vec<_> = client
        .connect()
        .custom_plugins(None)
        .page_size(NonZeroU32::new(7).unwrap())
        .by_page()
        .collect()
        .await;
    assert_eq!(pages.len(), 1);
    assert_eq!(any.calls_async().await, 1);
}

#[tokio::test]
async fn repeated_token_is_an_error_not_a_loop() {
    let server = MockServer::start_async().await;
    let link = Some(format!("{}{PLUGINS}?page_token=same", server.base_url()));
    server
        .mock_async(|when, then| {
            when.path(PLUGINS).query_param_missing("page_token");
            then.status(200).json_body(list_page(&["p1"], link.clone()));
        })
        .await;
    let again = server
        .mock_async(|when, then| {
            when.path(PLUGINS).query_param("page_token", "same");
            then.status(200).json_body(list_page(&["p2"], link.clone()));
        })
        .await;
    let client = support::builder(&server.base_url())
        .retry(fast())
        .build()
        .unwrap();
    let results: Vec<_> = client
        .connect()
        .custom_plugins(None)
        .by_item()
        .collect()
        .await;
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(results[0].as_ref().unwrap().id.as_deref(), Some("p1"));
    assert_eq!(results[1].as_ref().unwrap().id.as_deref(), Some("p2"));
    let err = results[2].as_ref().unwrap_err();
    assert!(
        matches!(err, Error::Pagination { .. }) && err.to_string().contains("same"),
        "{err}"
    );
    assert_eq!(again.calls_async().await, 1);
}

#[tokio::test]
async fn an_error_on_page_two_ends_the_stream() {
    let server = MockServer::start_async().await;
    let link = Some(format!("{}{PLUGINS}?page_token=t2", server.base_url()));
    server
        .mock_async(|when, then| {
            when.path(PLUGINS).query_param_missing("page_token");
            then.status(200).json_body(list_page(&["p1", "p2"], link));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path(PLUGINS).query_param("page_token", "t2");
            then.status(500)
                .json_body(json!({"errors": [{"status": "500", "detail": "boom"}]}));
        })
        .await;
    let client = support::client(&server.base_url());
    let results: Vec<_> = client
        .connect()
        .custom_plugins(None)
        .by_item()
        .collect()
        .await;
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok() && results[1].is_ok());
    let err = results[2].as_ref().unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(err.api_error().unwrap().message.as_deref(), Some("boom"));
}

#[tokio::test]
async fn ccpm_plugins_keep_environment_and_cloud_on_every_page() {
    let server = MockServer::start_async().await;
    let path = "/ccpm/v1/plugins";
    let next = Some(format!(
        "https://api.confluent.cloud{path}?environment=env-9&spec.cloud=GCP&page_token=n2"
    ));
    let first = server
        .mock_async(|when, then| {
            when.path(path)
                .query_param("environment", "env-9")
                .query_param("spec.cloud", "GCP")
                .query_param_missing("page_token");
            then.status(200)
                .json_body(json!({"data": [ccpm_plugin("ccp-1")], "metadata": {"next": next}}));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.path(path)
                .query_param("environment", "env-9")
                .query_param("spec.cloud", "GCP")
                .query_param("page_token", "n2");
            then.status(200)
                .json_body(json!({"data": [ccpm_plugin("ccp-2")], "metadata": {}}));
        })
        .await;
    let client = support::builder(&server.base_url())
        .retry(fast())
        .build()
        .unwrap();
    let plugins = client
        .ccpm()
        .environment("env-9")
        .plugins(Some(ccloud_connect::ccpm::Cloud::Gcp))
        .all()
        .await
        .unwrap();
    assert_eq!(
        plugins
            .iter()
            .map(|p| p.id.clone().unwrap())
            .collect::<Vec<_>>(),
        ["ccp-1", "ccp-2"]
    );
    assert_eq!(
        (first.calls_async().await, second.calls_async().await),
        (1, 1)
    );
}

// ---------- connection pool ----------

#[tokio::test]
async fn clones_share_one_connection_pool() {
    let server = Server::keep_alive(Answer::json(200, r#"{"name":"c1"}"#)).await;
    let client = support::client(&server.base_url);
    let clone = client.clone();
    for c in [&client, &clone, &client, &clone] {
        c.connect()
            .raw()
            .get_connector_config("env-1", "lkc-1", "c1")
            .await
            .unwrap();
    }
    assert_eq!(
        server.connections(),
        1,
        "sequential requests from a client and its clone reuse one kept-alive connection"
    );
    // A separately built client has its own pool.
    support::client(&server.base_url)
        .connect()
        .raw()
        .get_connector_config("env-1", "lkc-1", "c1")
        .await
        .unwrap();
    assert_eq!(server.connections(), 2);
}
