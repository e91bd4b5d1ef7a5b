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

/// Any error status with any body on one operation, by `operationId`: the documented
/// shapes by default (create's flat `400` and `error_code` `500`), a chosen message, JSON,
/// raw text or nothing, with extra headers, `times` or until cleared.
#[tokio::test]
async fn any_status_and_body_on_one_operation() {
    let emu = emulator().await;
    let http = reqwest::Client::new();
    let base = emu.base_url();
    let connectors = format!("{base}/connect/v1/environments/{ENV}/clusters/{CLUSTER}/connectors");
    let auth = basic("K", "S");
    let create = |name: &str| {
        http.post(&connectors)
            .header("authorization", &auth)
            .json(&s3_sink_request(name, "1"))
            .send()
    };
    let list = || http.get(&connectors).header("authorization", &auth).send();

    let billing = json!({"error": {"code": 402, "message": "add a payment method"}});
    emu.inject(
        Fault::status(402)
            .operation("create_connector")
            .json_body(billing.clone())
            .header("x-billing", "required")
            .header("x-ratelimit-remaining", "7")
            .times(2),
    );
    assert_eq!(list().await.unwrap().status(), 200, "another operation");
    for _ in 0..2 {
        let resp = create("paid").await.unwrap();
        assert_eq!(resp.status(), 402);
        assert_eq!(resp.headers()["x-billing"], "required");
        assert_eq!(
            resp.headers()["x-ratelimit-remaining"],
            "7",
            "the fault's header wins"
        );
        assert!(resp.headers().contains_key("x-request-id"));
        assert_eq!(resp.json::<Value>().await.unwrap(), billing);
    }
    assert_eq!(create("paid").await.unwrap().status(), 201);

    // The API's own shape for the status on that operation, with a chosen message.
    emu.inject(
        Fault::status(400)
            .operation("create_connector")
            .message("plan too small"),
    );
    let resp = create("flat").await.unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({"code": 400, "message": "plan too small"})
    );
    emu.inject(Fault::status(500).operation("create_connector"));
    let body: Value = create("flat").await.unwrap().json().await.unwrap();
    assert_eq!(body["error_code"], 500, "{body}");
    emu.inject(Fault::status(402).operation("get_connector"));
    let resp = http
        .get(format!("{connectors}/paid"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 402);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], 402, "{body}");

    // Through the client: the status and the message it parsed.
    let client = client(&emu);
    emu.inject(
        Fault::status(402)
            .operation("create_connector")
            .message("add a card"),
    );
    let err = client
        .connect()
        .raw()
        .create_connector(ENV, CLUSTER, &s3_sink_request("via-client", "1"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(402));
    assert_eq!(api_error(&err).message.as_deref(), Some("add a card"));

    // A proxy's HTML page on every status read, until cleared.
    emu.inject(
        Fault::status(503)
            .operation("get_connector_status")
            .raw_body("text/html", "<html><body>upstream down</body></html>")
            .until_cleared(),
    );
    for _ in 0..3 {
        let resp = http
            .get(format!("{connectors}/paid/status"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 503);
        assert_eq!(resp.headers()["content-type"], "text/html");
        assert_eq!(
            resp.text().await.unwrap(),
            "<html><body>upstream down</body></html>"
        );
    }
    assert_eq!(emu.pending_faults()[0].remaining(), u32::MAX);
    emu.clear_faults();
    let resp = http
        .get(format!("{connectors}/paid/status"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    // A path template, and an empty body.
    emu.inject(
        Fault::status(502)
            .path_template("/connect/v1/environments/{e}/clusters/{c}/connectors/{name}")
            .empty_body(),
    );
    assert_eq!(list().await.unwrap().status(), 200);
    let resp = http
        .delete(format!("{connectors}/paid"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 502);
    assert!(resp.bytes().await.unwrap().is_empty());
}

/// The same faults over HTTP: `operation`, a body, headers, `until_cleared`.
#[tokio::test]
async fn status_faults_with_bodies_over_http() {
    let emu = emulator().await;
    let http = reqwest::Client::new();
    let base = emu.base_url();
    let control = format!("{base}/_emulator/faults");
    let plugins = format!("{base}/ccpm/v1/plugins?environment={ENV}");
    let fault = json!({
        "kind": "status", "status": 402, "operation": "list_plugins", "until_cleared": true,
        "body": {"errors": [{"status": "402", "detail": "billing"}]},
        "headers": {"x-billing": "required"}
    });
    let resp = http.post(&control).json(&fault).send().await.unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.json::<Value>().await.unwrap(), fault);
    for _ in 0..2 {
        let resp = http
            .get(&plugins)
            .header("authorization", basic("K", "S"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 402);
        assert_eq!(resp.headers()["x-billing"], "required");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body, fault["body"]);
    }
    let listed: Value = http
        .get(&control)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["faults"], json!([fault]));
    assert_eq!(http.delete(&control).send().await.unwrap().status(), 204);

    let resp = http
        .post(&control)
        .json(&json!({"kind": "status", "status": 409, "operation": "create_plugin", "message": "taken"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let resp = http
        .post(format!("{base}/ccpm/v1/plugins"))
        .header("authorization", basic("K", "S"))
        .json(&json!({"display_name": "p", "environment": {"id": ENV}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 409);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["detail"], "taken", "{body}");
    assert_eq!(
        body["errors"][0]["code"], "resource_already_exists",
        "{body}"
    );

    for bad in [
        json!({"kind": "status", "operation": "make_coffee"}),
        json!({"kind": "status", "times": 2, "until_cleared": true}),
        json!({"kind": "status", "message": "a", "body": {}}),
        json!({"kind": "delay", "empty_body": true}),
    ] {
        let resp = http.post(&control).json(&bad).send().await.unwrap();
        assert_eq!(resp.status(), 400, "{bad}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], 400, "{bad}: {body}");
    }
    assert!(emu.pending_faults().is_empty());
}
