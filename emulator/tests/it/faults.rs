//! Injected faults driving the client's retry policy, through the handle and through
//! the HTTP control endpoint.

use std::time::Duration;

use ccloud_connect::RetryPolicy;
use ccloud_connect_emulator::Fault;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::support::*;

// Paused time: the waits the test measures (Retry-After, an injected delay) pass at once
// and exactly, instead of in wall-clock windows. The emulator and the client share this
// runtime, whose clock only jumps when every task waits on a timer.
#[tokio::test(start_paused = true)]
async fn faults_drive_the_retry_policy() {
    let emu = emulator().await;
    let quick = RetryPolicy::default()
        .max_attempts(3)
        .initial_backoff(ms(10))
        .max_backoff(ms(50));
    let retrying = client_with(&emu, quick);
    let once = client(&emu);

    // 429 with Retry-After: the policy waits as asked, then succeeds.
    emu.inject(Fault::rate_limited(Duration::from_secs(1)).path_contains("/connectors"));
    let started = Instant::now();
    retrying
        .connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap();
    assert!(started.elapsed() >= ms(1000), "{:?}", started.elapsed());
    assert!(emu.pending_faults().is_empty());

    // Two 503s, then success on the third attempt.
    emu.inject(Fault::status(503).times(2));
    retrying
        .connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap();
    assert!(emu.pending_faults().is_empty());

    // More failures than attempts: the last answer comes back.
    emu.inject(Fault::status(503).times(5));
    let err = retrying
        .connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(err.is_retryable());
    assert_eq!(emu.pending_faults()[0].remaining(), 2);
    emu.clear_faults();

    // Without retries the rate limit is visible.
    emu.inject(Fault::rate_limited(Duration::from_secs(2)));
    let err = once
        .connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap_err();
    assert!(err.is_rate_limited(), "{err}");
    let rate = &api_error(&err).rate_limit;
    assert_eq!(rate.retry_after, Some(Duration::from_secs(2)));
    assert_eq!(rate.remaining, Some(0));
    // With the API's error body, as the enforced rate limit answers.
    assert_eq!(api_error(&err).code.as_deref(), Some("429"), "{err}");
    assert!(
        api_error(&err)
            .message
            .as_deref()
            .unwrap()
            .contains("retry in 2 s"),
        "{err}"
    );

    // Filters: path and method.
    emu.inject(Fault::status(500).path_contains("/ccpm/"));
    once.connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap();
    let err = once
        .ccpm()
        .raw()
        .list_plugins(ENV, None, None, None)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(
        api_error(&err)
            .message
            .as_deref()
            .unwrap()
            .contains("fault injected"),
        "{err}"
    );
    emu.inject(Fault::status(500).method("POST"));
    once.connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap();
    let err = once
        .connect()
        .raw()
        .create_connector(ENV, CLUSTER, &s3_sink_request("x", "1"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(
        api_error(&err).code.as_deref(),
        Some("500"),
        "connect/v1 shape"
    );

    // Delays.
    emu.inject(Fault::delay(ms(300)));
    let started = Instant::now();
    once.connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap();
    assert!(started.elapsed() >= ms(300));

    // The HTTP control endpoint, for programs using the binary.
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{}/_emulator/faults", emu.base_url()))
        .json(&json!({"kind": "rate_limit", "retry_after_secs": 3, "times": 1, "path": "/connectors", "method": "GET"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let listed: Value = http
        .get(format!("{}/_emulator/faults", emu.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["faults"][0]["kind"], "rate_limit");
    let err = once
        .connect()
        .cluster(ENV, CLUSTER)
        .connector_names()
        .await
        .unwrap_err();
    assert_eq!(
        api_error(&err).rate_limit.retry_after,
        Some(Duration::from_secs(3))
    );
    http.post(format!("{}/_emulator/faults", emu.base_url()))
        .json(&json!({"kind": "status", "status": 502, "times": 3}))
        .send()
        .await
        .unwrap();
    let resp = http
        .delete(format!("{}/_emulator/faults", emu.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert!(emu.pending_faults().is_empty());
    let resp = http
        .post(format!("{}/_emulator/faults", emu.base_url()))
        .json(&json!({"kind": "explode"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

/// A `429` from a fault carries the error body of the API the path belongs to, the shape
/// the enforced rate limit's `429` has: nested for connectors, a list for plugins.
#[tokio::test]
async fn injected_429s_carry_the_apis_error_body() {
    let emu = emulator().await;
    let http = reqwest::Client::new();
    let base = emu.base_url();
    emu.inject(Fault::rate_limited(Duration::from_millis(1500)).times(2));
    let resp = http
        .get(format!(
            "{base}/connect/v1/environments/{ENV}/clusters/{CLUSTER}/connectors"
        ))
        .header("authorization", basic("K", "S"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "2");
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], 429, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Too Many Requests"),
        "{body}"
    );
    let resp = http
        .get(format!("{base}/ccpm/v1/plugins?environment={ENV}"))
        .header("authorization", basic("K", "S"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["status"], "429", "{body}");
    assert_eq!(body["errors"][0]["code"], "too_many_requests", "{body}");
}
