//! The enforced rate limit: headers on every API answer, a 429 with Retry-After in the
//! API's error shape over the limit, control endpoints not counted, set over HTTP too.

use std::time::Duration;

use ccloud_connect_emulator::Emulator;
use serde_json::{Value, json};

use crate::support::*;

fn header(resp: &reqwest::Response, name: &str) -> u64 {
    resp.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name}"))
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

// Paused time: the window resets exactly when the test sleeps past it.
#[tokio::test(start_paused = true)]
async fn requests_over_the_limit_get_429_until_the_window_resets() {
    let emu = Emulator::builder()
        .rate_limit(3, Duration::from_secs(10))
        .start()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let base = emu.base_url();
    let connectors = format!("{base}/connect/v1/environments/{ENV}/clusters/{CLUSTER}/connectors");
    let plugins = format!("{base}/ccpm/v1/plugins?environment={ENV}");
    let get = |url: String| {
        http.get(url)
            .header("authorization", basic("K", "S"))
            .send()
    };

    for remaining in [2, 1] {
        let resp = get(connectors.clone()).await.unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(header(&resp, "x-ratelimit-limit"), 3);
        assert_eq!(header(&resp, "x-ratelimit-remaining"), remaining);
        let reset = header(&resp, "x-ratelimit-reset");
        assert!(
            (1..=10).contains(&reset),
            "relative seconds, not a time: {reset}"
        );
        // Control endpoints are not counted.
        let control = http
            .get(format!("{base}/_emulator/delays"))
            .send()
            .await
            .unwrap();
        assert_eq!(control.status(), 200);
        assert!(control.headers().get("x-ratelimit-remaining").is_none());
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    let resp = get(plugins.clone()).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "x-ratelimit-remaining"), 0);
    assert_eq!(header(&resp, "x-ratelimit-reset"), 6);

    let resp = get(connectors.clone()).await.unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(header(&resp, "retry-after"), 6);
    assert_eq!(header(&resp, "x-ratelimit-remaining"), 0);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], 429, "{body}");
    let resp = get(plugins.clone()).await.unwrap();
    assert_eq!(resp.status(), 429);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["status"], "429", "{body}");

    tokio::time::sleep(Duration::from_secs(6)).await;
    let resp = get(connectors.clone()).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "x-ratelimit-remaining"), 2);
}

#[tokio::test]
async fn the_rate_limit_is_set_over_http() {
    let emu = emulator().await;
    let http = reqwest::Client::new();
    let base = emu.base_url();
    let control = format!("{base}/_emulator/rate-limit");
    let connectors = format!("{base}/connect/v1/environments/{ENV}/clusters/{CLUSTER}/connectors");
    let get = || {
        http.get(&connectors)
            .header("authorization", basic("K", "S"))
            .send()
    };
    // Without a limit, one is announced and nothing is refused.
    let got: Value = http
        .get(&control)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got, Value::Null);
    let resp = get().await.unwrap();
    assert_eq!(header(&resp, "x-ratelimit-limit"), 1000);

    let resp = http
        .put(&control)
        .json(&json!({"requests": 1, "window_secs": 60}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let got: Value = http
        .get(&control)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got, json!({"requests": 1, "window_secs": 60.0}));
    assert_eq!(get().await.unwrap().status(), 200);
    let refused = get().await.unwrap();
    assert_eq!(refused.status(), 429);
    assert!((1..=60).contains(&header(&refused, "retry-after")));

    let resp = http.delete(&control).send().await.unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(get().await.unwrap().status(), 200);

    emu.set_rate_limit(1, Duration::from_secs(60));
    assert_eq!(get().await.unwrap().status(), 200);
    assert_eq!(get().await.unwrap().status(), 429);
    emu.clear_rate_limit();
    assert_eq!(get().await.unwrap().status(), 200);

    for bad in [
        r#"{"requests": 0, "window_secs": 1}"#,
        r#"{"requests": 1, "window_secs": 0}"#,
        r#"{"requests": 1}"#,
        r#"{"requests": "1", "window_secs": 1}"#,
        "nope",
    ] {
        let resp = http.put(&control).body(bad).send().await.unwrap();
        assert_eq!(resp.status(), 400, "{bad}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], 400, "{bad}: {body}");
    }
}

// Paused time: the two keys' windows open 4 s apart and end exactly 4 s apart.
#[tokio::test(start_paused = true)]
async fn each_api_key_has_its_own_window() {
    let emu = Emulator::builder()
        .rate_limit(2, Duration::from_secs(10))
        .start()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let connectors = format!(
        "{}/connect/v1/environments/{ENV}/clusters/{CLUSTER}/connectors",
        emu.base_url()
    );
    let get = |key: &str| {
        http.get(&connectors)
            .header("authorization", basic(key, "S"))
            .send()
    };

    assert_eq!(header(&get("A").await.unwrap(), "x-ratelimit-remaining"), 1);
    assert_eq!(header(&get("A").await.unwrap(), "x-ratelimit-remaining"), 0);
    let refused = get("A").await.unwrap();
    assert_eq!(refused.status(), 429);
    assert_eq!(header(&refused, "retry-after"), 10);

    tokio::time::sleep(Duration::from_secs(4)).await;
    // Key B is not held back by key A, and its headers are its own: a window that opened
    // with its first request.
    let b = get("B").await.unwrap();
    assert_eq!(b.status(), 200);
    assert_eq!(header(&b, "x-ratelimit-limit"), 2);
    assert_eq!(header(&b, "x-ratelimit-remaining"), 1);
    assert_eq!(header(&b, "x-ratelimit-reset"), 10);
    let a = get("A").await.unwrap();
    assert_eq!(a.status(), 429);
    assert_eq!(header(&a, "x-ratelimit-reset"), 6);
    assert_eq!(header(&a, "retry-after"), 6);
    // The secret plays no part: the key is the user name.
    let same_key = http
        .get(&connectors)
        .header("authorization", basic("B", "another-secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&same_key, "x-ratelimit-remaining"), 0);
    assert_eq!(get("B").await.unwrap().status(), 429);

    // A's window ends at 10 s, B's at 14 s.
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(get("A").await.unwrap().status(), 200);
    let b = get("B").await.unwrap();
    assert_eq!(b.status(), 429);
    assert_eq!(header(&b, "retry-after"), 4);
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(get("B").await.unwrap().status(), 200);

    // Setting the limit again starts every key afresh.
    emu.set_rate_limit(1, Duration::from_secs(60));
    assert_eq!(get("A").await.unwrap().status(), 200);
    assert_eq!(get("B").await.unwrap().status(), 200);
    assert_eq!(get("A").await.unwrap().status(), 429);
}

#[tokio::test(start_paused = true)]
async fn a_wrong_secret_does_not_spend_the_keys_budget() {
    let emu = Emulator::builder()
        .credentials("REAL", "right-secret")
        .rate_limit(2, Duration::from_secs(10))
        .start()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let connectors = format!(
        "{}/connect/v1/environments/{ENV}/clusters/{CLUSTER}/connectors",
        emu.base_url()
    );
    let get = |secret: &str| {
        http.get(&connectors)
            .header("authorization", basic("REAL", secret))
            .send()
    };
    for _ in 0..5 {
        assert_eq!(get("guessed").await.unwrap().status(), 401);
    }
    // The real client's window is untouched by the refused attempts under its key name.
    let ok = get("right-secret").await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(header(&ok, "x-ratelimit-remaining"), 1);
}
