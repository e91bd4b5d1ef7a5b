//! The client's pacing under the API's rate limit, and errors that explain a give-up: on
//! tokio's paused clock, against servers that send the `X-RateLimit-*` headers.

use std::num::NonZeroU32;
use std::time::Duration;

use ccloud_connect::{Error, Pacing, RetryPolicy};

use crate::support::server::{Answer, Server};
use crate::support::{self};

fn ok_with_budget(limit: u32, remaining: u32, reset: u32) -> Answer {
    Answer::json(200, r#"{"name":"c1"}"#)
        .header("x-ratelimit-limit", &limit.to_string())
        .header("x-ratelimit-remaining", &remaining.to_string())
        .header("x-ratelimit-reset", &reset.to_string())
}

fn paced(server: &Server, pacing: Pacing) -> ccloud_connect::Client {
    support::builder(&server.base_url)
        .http_client(support::untimed_http())
        .pacing(pacing)
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_clone_and_its_handles_share_the_budget_the_headers_announce() {
    // The first answer says the window's budget is spent and resets in 10 s.
    let server = Server::sequence(vec![ok_with_budget(2, 0, 10), ok_with_budget(2, 1, 10)]).await;
    let client = paced(&server, Pacing::Adaptive);
    let clone = client.clone();
    client
        .connect()
        .raw()
        .get_connector_config("env-1", "lkc-1", "c1")
        .await
        .unwrap();
    // Another clone, through a handle: held until the reset instead of sent into a 429.
    clone
        .connect()
        .cluster("env-1", "lkc-1")
        .connector("c1")
        .config()
        .await
        .unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let held = seen[1].at - seen[0].at;
    assert!(held >= Duration::from_secs(10), "held only {held:?}");
    assert!(held < Duration::from_secs(11), "held {held:?}");
}

#[tokio::test(start_paused = true)]
async fn with_pacing_off_the_same_requests_go_at_once() {
    let server = Server::sequence(vec![ok_with_budget(2, 0, 10), ok_with_budget(2, 1, 10)]).await;
    let client = paced(&server, Pacing::Off);
    for _ in 0..2 {
        client
            .connect()
            .raw()
            .get_connector_config("env-1", "lkc-1", "c1")
            .await
            .unwrap();
    }
    let seen = server.seen();
    assert_eq!(seen[1].at - seen[0].at, Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn a_fixed_budget_is_kept_without_any_header() {
    let server = Server::sequence(vec![Answer::json(200, r#"{"name":"c1"}"#)]).await;
    let client = support::builder(&server.base_url)
        .http_client(support::untimed_http())
        .pacing(Pacing::fixed(
            NonZeroU32::new(3).unwrap(),
            Duration::from_secs(60),
        ))
        // The seventh request waits two windows: within this budget.
        .retry(RetryPolicy::none().max_elapsed(Duration::from_secs(300)))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let calls = (0..7).map(|_| {
        let client = client.clone();
        async move {
            client
                .connect()
                .raw()
                .get_connector_config("env-1", "lkc-1", "c1")
                .await
        }
    });
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    let offsets: Vec<u64> = server
        .seen()
        .iter()
        .map(|s| (s.at - started).as_secs())
        .collect();
    assert_eq!(offsets, [0, 0, 0, 60, 60, 60, 120]);
}

#[tokio::test(start_paused = true)]
async fn a_wait_for_budget_past_the_retry_budget_is_its_own_error_and_sends_nothing() {
    let server = Server::sequence(vec![ok_with_budget(100, 0, 120)]).await;
    let client = support::builder(&server.base_url)
        .http_client(support::untimed_http())
        .retry(RetryPolicy::default().max_elapsed(Duration::from_secs(30)))
        .build()
        .unwrap();
    let raw = client.connect().raw();
    raw.get_connector_config("env-1", "lkc-1", "c1")
        .await
        .unwrap();
    let started = tokio::time::Instant::now();
    let err = raw
        .get_connector_config("env-1", "lkc-1", "c1")
        .await
        .unwrap_err();
    assert_eq!(
        tokio::time::Instant::now(),
        started,
        "it waited for nothing"
    );
    assert!(
        matches!(err, Error::RateBudget { attempts: 0, .. }),
        "{err:?}"
    );
    assert!(err.is_rate_limited() && err.is_retryable(), "{err:?}");
    assert!(
        !err.is_timeout(),
        "waiting for budget is not a timeout: {err:?}"
    );
    let text = err.to_string();
    for needle in [
        "get_connector_config",
        "not sent",
        "120.0s more",
        "retry budget of 30.0s",
        "RetryPolicy::max_elapsed",
    ] {
        assert!(text.contains(needle), "{needle:?} not in {text}");
    }
    assert_eq!(server.seen_len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_402_is_reported_at_once_as_the_server_sent_it() {
    let server = Server::sequence(vec![
        Answer::json(
            402,
            r#"{"errors":[{"status":"402","code":"payment_required","detail":"Your organization has no payment method"}]}"#,
        ),
        Answer::json(200, r#"{"name":"c1"}"#),
    ])
    .await;
    let client = support::builder(&server.base_url)
        .http_client(support::untimed_http())
        .retry(RetryPolicy::default().max_attempts(5))
        .build()
        .unwrap();
    let err = client
        .connect()
        .raw()
        .get_connector_config("env-1", "lkc-1", "c1")
        .await
        .unwrap_err();
    assert_eq!(server.seen_len(), 1, "a 402 was retried");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(402));
    assert!(!err.is_retryable());
    let api = err.api_error().unwrap();
    assert_eq!(api.attempts, 1);
    let text = err.to_string();
    assert!(text.contains("HTTP 402"), "{text}");
    assert!(text.contains("[payment_required]"), "{text}");
    assert!(text.contains("no payment method"), "{text}");
    assert!(!text.contains("attempts"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn a_give_up_says_attempts_time_status_body_headers_and_request_id_in_one_line() {
    let busy = || {
        Answer::json(
            429,
            r#"{"errors":[{"status":"429","detail":"Too Many Requests"}]}"#,
        )
        .header("retry-after", "2")
        .header("x-ratelimit-limit", "100")
        .header("x-ratelimit-remaining", "0")
        .header("x-ratelimit-reset", "2")
        .header("x-request-id", "req-77")
    };
    let server = Server::sequence(vec![busy(), busy(), busy(), busy()]).await;
    let client = support::builder(&server.base_url)
        .http_client(support::untimed_http())
        .retry(
            RetryPolicy::default()
                .max_attempts(4)
                .initial_backoff(Duration::from_millis(100)),
        )
        .build()
        .unwrap();
    let err = client
        .connect()
        .raw()
        .get_connector_config("env-1", "lkc-1", "c1")
        .await
        .unwrap_err();
    assert_eq!(server.seen_len(), 4);
    let api = err.api_error().expect("the last answer");
    assert_eq!(api.attempts, 4);
    // Three waits of the server's 2 s.
    assert!(
        api.elapsed >= Duration::from_secs(6) && api.elapsed < Duration::from_secs(7),
        "{:?}",
        api.elapsed
    );
    assert_eq!(api.rate_limit.limit, Some(100));
    assert_eq!(api.rate_limit.remaining, Some(0));
    assert_eq!(api.request_id.as_deref(), Some("req-77"));
    let text = err.to_string();
    assert!(!text.contains('\n'), "{text}");
    for needle in [
        "get_connector_config",
        "HTTP 429",
        "Too Many Requests",
        "gave up after 4 attempts in 6.",
        "retry after 2s",
        "rate limit: 0 of 100 left, resets in 2s",
        "request id req-77",
    ] {
        assert!(text.contains(needle), "{needle:?} not in {text}");
    }
}
