//! The connector metrics query against an httpmock telemetry server.

use ccloud_connect::Error;
use ccloud_connect::metrics::{self, DEFAULT_TELEMETRY_URL, Granularity, MetricsQuery};
use chrono::{DateTime, Utc};
use httpmock::Method::POST;
use httpmock::{Mock, MockServer};
use serde_json::json;

use crate::support::{self, fixtures::fixture};

const QUERY_PATH: &str = "/v2/metrics/cloud/query";
/// `Basic base64("TESTKEY:s3cr3t-Value/with+chars")`, the credentials of
/// `support::client`, computed independently of the crate.
const BASIC: &str = "Basic VEVTVEtFWTpzM2NyM3QtVmFsdWUvd2l0aCtjaGFycw==";

fn catch_all(server: &MockServer) -> Mock<'_> {
    server.mock(|_, then| {
        then.status(500);
    })
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[tokio::test]
async fn the_guide_query_returns_typed_points() {
    let connect = MockServer::start_async().await;
    let telemetry = MockServer::start_async().await;
    let connect_any = catch_all(&connect);
    let query_mock = telemetry.mock(|when, then| {
        when.method(POST)
            .path(QUERY_PATH)
            .header("authorization", BASIC)
            .header("content-type", "application/json")
            .json_body(fixture("metrics_query_request.json"));
        then.status(200)
            .json_body(fixture("metrics_query_response.json"));
    });

    let query = MetricsQuery::connector("lcc-k2q7v", metrics::RECEIVED_RECORDS)
        .granularity(Granularity::PT1H)
        .interval("2021-03-02T00:00:00/2021-03-02T23:00:00");
    let answer = support::client(&connect.base_url())
        .metrics_at(&telemetry.base_url())
        .unwrap()
        .query(&query)
        .await
        .unwrap();

    query_mock.assert_calls(1);
    connect_any.assert_calls(0);
    let points: Vec<(DateTime<Utc>, f64)> =
        answer.data.iter().map(|p| (p.timestamp, p.value)).collect();
    assert_eq!(
        points,
        [
            (at("2021-03-02T18:00:00Z"), 44027.0),
            (at("2021-03-02T19:00:00Z"), 7227.0),
            (at("2021-03-02T20:00:00Z"), 7222.0),
            (at("2021-03-02T21:00:00Z"), 7253.0),
            (at("2021-03-02T22:00:00Z"), 7258.0),
        ]
    );
    assert!(answer.data.iter().all(|p| p.labels.is_empty()));
}

#[tokio::test]
async fn ranges_limit_and_labels() {
    let connect = MockServer::start_async().await;
    let telemetry = MockServer::start_async().await;
    let query_mock = telemetry.mock(|when, then| {
        when.method(POST).path(QUERY_PATH).json_body(json!({
            "aggregations": [{"metric": "io.confluent.kafka.connect/sent_records"}],
            "filter": {"field": "resource.connector.id", "op": "EQ", "value": "lcc-1"},
            "granularity": "PT1M",
            "intervals": ["2024-05-01T10:00:00Z/2024-05-01T11:00:00Z", "2024-05-02T00:00:00Z/PT1H"],
            "limit": 10
        }));
        then.status(200).json_body(json!({
            "data": [
                {"timestamp": "2024-05-01T10:00:00Z", "value": 1.5, "metric.topic": "orders"}
            ],
            "meta": {"pagination": {"page_size": 10}}
        }));
    });
    let query = MetricsQuery::connector("lcc-1", metrics::SENT_RECORDS)
        .granularity(Granularity::PT1M)
        .between(at("2024-05-01T10:00:00Z"), at("2024-05-01T11:00:00Z"))
        .interval("2024-05-02T00:00:00Z/PT1H")
        .limit(10);
    let answer = support::client(&connect.base_url())
        .metrics_at(&telemetry.base_url())
        .unwrap()
        .query(&query)
        .await
        .unwrap();
    query_mock.assert_calls(1);
    assert_eq!(answer.data.len(), 1);
    assert_eq!(answer.data[0].value, 1.5);
    assert_eq!(answer.data[0].labels["metric.topic"], json!("orders"));
}

#[tokio::test]
async fn a_path_stem_is_kept() {
    let connect = MockServer::start_async().await;
    let telemetry = MockServer::start_async().await;
    let query_mock = telemetry.mock(|when, then| {
        when.method(POST)
            .path(format!("/proxy/telemetry{QUERY_PATH}"));
        then.status(200).json_body(json!({"data": []}));
    });
    let api = support::client(&connect.base_url())
        .metrics_at(&telemetry.url("/proxy/telemetry"))
        .unwrap();
    let answer = api
        .query(
            &MetricsQuery::connector("lcc-1", metrics::RECEIVED_BYTES)
                .interval("2024-05-02T00:00:00Z/PT1H"),
        )
        .await
        .unwrap();
    assert!(answer.data.is_empty());
    query_mock.assert_calls(1);
}

#[tokio::test]
async fn invalid_queries_send_nothing() {
    let connect = MockServer::start_async().await;
    let telemetry = MockServer::start_async().await;
    let any = catch_all(&telemetry);
    let api = support::client(&connect.base_url())
        .metrics_at(&telemetry.base_url())
        .unwrap();
    let good = || MetricsQuery::connector("lcc-1", metrics::RECEIVED_RECORDS);
    let cases = [
        (
            MetricsQuery::connector("", metrics::RECEIVED_RECORDS).interval("a/b"),
            "connector id",
        ),
        (
            MetricsQuery::connector("lcc-1", " ").interval("a/b"),
            "metric",
        ),
        (good(), "intervals"),
        (
            good().interval("2024-05-01T10:00:00Z"),
            "2024-05-01T10:00:00Z",
        ),
        (
            good().between(at("2024-05-01T11:00:00Z"), at("2024-05-01T10:00:00Z")),
            "2024-05-01T11:00:00Z/2024-05-01T10:00:00Z",
        ),
        (good().interval("a/b").limit(0), "limit"),
        (
            good().interval("a/b").granularity(Granularity::other("")),
            "granularity",
        ),
    ];
    for (query, named) in cases {
        let err = api.query(&query).await.unwrap_err();
        assert!(err.is_validation(), "{err}");
        assert!(err.to_string().contains(named), "{err} should name {named}");
    }
    any.assert_calls(0);
}

#[tokio::test]
async fn error_answers_keep_status_and_rate_limit() {
    let connect = MockServer::start_async().await;
    let telemetry = MockServer::start_async().await;
    let limited = telemetry.mock(|when, then| {
        when.method(POST).path(QUERY_PATH);
        then.status(429)
            .header("retry-after", "7")
            .header("x-request-id", "req-9")
            .json_body(json!({"errors": [{"status": "429", "detail": "Too many requests"}]}));
    });
    let query = MetricsQuery::connector("lcc-1", metrics::RECEIVED_RECORDS).interval("a/b");
    let err = support::client(&connect.base_url())
        .metrics_at(&telemetry.base_url())
        .unwrap()
        .query(&query)
        .await
        .unwrap_err();
    limited.assert_calls(1);
    assert!(err.is_rate_limited(), "{err}");
    assert_eq!(err.request_id(), Some("req-9"));
    let api_error = err.api_error().unwrap();
    assert_eq!(api_error.api, "telemetry/v2");
    assert_eq!(api_error.message.as_deref(), Some("Too many requests"));
    assert_eq!(
        api_error.rate_limit.retry_after,
        Some(std::time::Duration::from_secs(7))
    );
    assert!(!err.to_string().contains(support::SECRET));
}

#[tokio::test]
async fn a_body_that_is_not_the_answer_is_a_decode_error() {
    let connect = MockServer::start_async().await;
    let telemetry = MockServer::start_async().await;
    telemetry.mock(|when, then| {
        when.method(POST).path(QUERY_PATH);
        then.status(200).body("<html>maintenance</html>");
    });
    let query = MetricsQuery::connector("lcc-1", metrics::RECEIVED_RECORDS).interval("a/b");
    let err = support::client(&connect.base_url())
        .metrics_at(&telemetry.base_url())
        .unwrap()
        .query(&query)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err}");
    assert!(err.to_string().contains("maintenance"), "{err}");
}

#[tokio::test]
async fn telemetry_base_urls_are_checked() {
    let connect = MockServer::start_async().await;
    let c = support::client(&connect.base_url());
    assert_eq!(
        c.metrics().base_url().as_str(),
        format!("{DEFAULT_TELEMETRY_URL}/")
    );
    for bad in [
        "ftp://telemetry",
        "not a url",
        "https://user:pass@telemetry.example",
        "https://telemetry.example/?q=1",
        "https://telemetry.example/#f",
    ] {
        let err = c.metrics_at(bad).unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{bad}: {err}");
    }
    let debug = format!("{:?}", c.metrics());
    assert!(debug.contains("api.telemetry.confluent.cloud") && !debug.contains(support::SECRET));
}

/// A proxy that echoes the request (the header, the secret) into its answer: neither the
/// error nor the decode failure may quote it.
#[tokio::test]
async fn answers_quoting_the_credentials_are_scrubbed() {
    const LONG_SECRET: &str = "metrics-secret/0123456789+abcdef";
    let header = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("KEY:{LONG_SECRET}")
        )
    );
    let echo = format!("you sent {header} ({LONG_SECRET})");
    let connect = MockServer::start_async().await;
    for status in [502, 200] {
        let telemetry = MockServer::start_async().await;
        telemetry.mock(|when, then| {
            when.method(POST).path(QUERY_PATH);
            then.status(status).body(echo.clone());
        });
        let client = support::builder(&connect.base_url())
            .credentials("KEY", LONG_SECRET)
            .build()
            .unwrap();
        let query = MetricsQuery::connector("lcc-1", metrics::RECEIVED_RECORDS).interval("a/b");
        let err = client
            .metrics_at(&telemetry.base_url())
            .unwrap()
            .query(&query)
            .await
            .unwrap_err();
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(text.contains("you sent"), "the answer is quoted: {text}");
            assert!(
                !text.contains(LONG_SECRET) && !text.contains(&header[6..]),
                "{text}"
            );
        }
    }
}
