//! Hostile transport: resets, short bodies, HTML, proxies, silence and slow drips end in the
//! crate's error, with a useful message, within the configured timeout.
//!
//! These run on the real clock: what they measure is the client's timeouts against sockets
//! that go silent or drip bytes, and paused time would jump over exactly those waits.

use std::time::{Duration, Instant};

use ccloud_connect::{Error, RetryPolicy};
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use super::{DEADLINE, TIMEOUT, assert_no_secret, test_client};
use crate::support::contract;
use crate::support::server::{Answer, Server};

/// A fault a server can inflict, and what the client must report.
struct Fault {
    name: &'static str,
    expect: fn(&Error) -> bool,
    /// Words the message must contain besides the operation.
    words: &'static [&'static str],
}

async fn drip(sock: &mut TcpStream, bytes: &[u8], every: Duration) {
    for b in bytes {
        if sock.write_all(&[*b]).await.is_err() {
            return;
        }
        tokio::time::sleep(every).await;
    }
}

async fn hold(sock: TcpStream) {
    tokio::time::sleep(Duration::from_secs(30)).await;
    drop(sock);
}

async fn fault_server(name: &str) -> Option<Server> {
    let json_head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n";
    Some(match name {
        "reset mid-body" => Server::start(move |mut s, _| async move {
            let _ = s.write_all(format!("{json_head}content-length: 400\r\n\r\n{{\"name\":\"c1\",\"config\":{{").as_bytes()).await;
            let _ = s.flush().await;
            tokio::time::sleep(Duration::from_millis(30)).await;
            let _ = s.set_zero_linger();
            drop(s);
        }).await,
        "body shorter than content-length" => Server::start(move |mut s, _| async move {
            let _ = s.write_all(format!("{json_head}content-length: 400\r\n\r\n{{\"name\":\"c1\"").as_bytes()).await;
            let _ = s.shutdown().await;
        }).await,
        "truncated chunked body" => Server::start(move |mut s, _| async move {
            let _ = s.write_all(format!("{json_head}transfer-encoding: chunked\r\n\r\n40\r\n{{\"name\":").as_bytes()).await;
            let _ = s.shutdown().await;
        }).await,
        "200 with an HTML body" => Server::sequence(vec![Answer::typed(
            200,
            "text/html",
            "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please log in</body></html>",
        )]).await,
        "200 with an empty body" => Server::sequence(vec![Answer::typed(200, "application/json", "")]).await,
        "200 with JSON of another shape" => Server::sequence(vec![Answer::json(200, &json!([1, 2, 3]))]).await,
        "502 HTML from a proxy" => Server::sequence(vec![Answer::typed(
            502,
            "text/html",
            "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>",
        )]).await,
        "503 with an empty body" => Server::sequence(vec![Answer::empty(503)]).await,
        "huge error body" => Server::sequence(vec![Answer::typed(500, "text/plain", vec![b'x'; 8 << 20])]).await,
        "429 asking to wait an hour" => Server::sequence(vec![Answer::json(429, &json!({"error": {"code": 429, "message": "slow down"}})).header("retry-after", "3600")]).await,
        "never answers" => Server::start(|s, _| hold(s)).await,
        "slow-drip headers" => Server::start(move |mut s, _| async move {
            drip(&mut s, format!("{json_head}content-length: 13\r\n\r\n{{\"name\":\"c\"}}").as_bytes(), Duration::from_millis(100)).await;
        }).await,
        "slow-drip body" => Server::start(move |mut s, _| async move {
            let _ = s.write_all(format!("{json_head}content-length: 40\r\n\r\n").as_bytes()).await;
            drip(&mut s, br#"{"name":"c","config":{"a":"bbbbbbbbbbb"}}"#, Duration::from_millis(100)).await;
        }).await,
        "closes without answering" => Server::start(|s, _| async move { drop(s) }).await,
        "answers something other than HTTP" => Server::start(|mut s, _| async move {
            let _ = s.write_all(b"SSH-2.0-OpenSSH_9.6\r\n\r\n").await;
            let _ = s.shutdown().await;
        }).await,
        "oversized header" => Server::start(move |mut s, _| async move {
            let big = "a".repeat(512 * 1024);
            let _ = s.write_all(format!("HTTP/1.1 200 OK\r\nx-big: {big}\r\ncontent-length: 2\r\n\r\n{{}}").as_bytes()).await;
            let _ = s.shutdown().await;
        }).await,
        _ => return None,
    })
}

fn faults() -> Vec<Fault> {
    fn transport(e: &Error) -> bool {
        matches!(e, Error::Transport { .. })
    }
    fn broke_off(e: &Error) -> bool {
        transport(e) && e.to_string().contains("broke off")
    }
    fn timeout(e: &Error) -> bool {
        e.is_timeout() && e.to_string().contains("timed out")
    }
    fn decode(e: &Error) -> bool {
        matches!(e, Error::Decode { .. })
    }
    vec![
        Fault {
            name: "reset mid-body",
            expect: broke_off,
            words: &["broke off"],
        },
        Fault {
            name: "body shorter than content-length",
            expect: broke_off,
            words: &["broke off"],
        },
        Fault {
            name: "truncated chunked body",
            expect: broke_off,
            words: &["broke off"],
        },
        Fault {
            name: "200 with an HTML body",
            expect: decode,
            words: &["could not decode", "<!DOCTYPE html>"],
        },
        Fault {
            name: "200 with an empty body",
            expect: decode,
            words: &["could not decode", "EOF"],
        },
        Fault {
            name: "200 with JSON of another shape",
            expect: decode,
            words: &["could not decode", "[1,2,3]"],
        },
        Fault {
            name: "502 HTML from a proxy",
            expect: |e| e.status().map(|s| s.as_u16()) == Some(502),
            words: &["502 Bad Gateway"],
        },
        Fault {
            name: "503 with an empty body",
            expect: |e| e.is_retryable(),
            words: &["503", "empty body"],
        },
        Fault {
            name: "huge error body",
            expect: |e| e.status().map(|s| s.as_u16()) == Some(500),
            words: &["500", "xxxx"],
        },
        Fault {
            name: "429 asking to wait an hour",
            expect: |e| e.is_rate_limited(),
            words: &["slow down", "retry after 3600s"],
        },
        Fault {
            name: "never answers",
            expect: timeout,
            words: &["timed out"],
        },
        Fault {
            name: "slow-drip headers",
            expect: timeout,
            words: &["timed out"],
        },
        Fault {
            name: "slow-drip body",
            expect: timeout,
            words: &["timed out"],
        },
        Fault {
            name: "closes without answering",
            expect: transport,
            words: &["failed"],
        },
        Fault {
            name: "answers something other than HTTP",
            expect: transport,
            words: &["failed"],
        },
        Fault {
            name: "oversized header",
            expect: transport,
            words: &["failed"],
        },
    ]
}

#[tokio::test]
async fn every_transport_fault_ends_in_the_crates_error_within_the_timeout() {
    let mut report = Vec::new();
    for fault in faults() {
        let server = fault_server(fault.name).await.expect("a server per fault");
        // Retries on: the policy must not stretch a fault past the configured limits.
        let client = contract::builder(&server.base_url)
            .request_timeout(TIMEOUT)
            .retry(
                RetryPolicy::default()
                    .max_attempts(2)
                    .initial_backoff(Duration::from_millis(20))
                    .max_elapsed(Duration::from_millis(800)),
            )
            .build()
            .unwrap();
        let started = Instant::now();
        let result = client
            .connect()
            .raw()
            .get_connector("env-1", "lkc-1", "c1")
            .await;
        let elapsed = started.elapsed();
        let err = result.expect_err(fault.name);
        let text = err.to_string();
        assert!(
            (fault.expect)(&err),
            "{}: unexpected error {err:?}",
            fault.name
        );
        assert!(
            text.contains("connect/v1 get_connector"),
            "{}: {text}",
            fault.name
        );
        for word in fault.words {
            assert!(
                text.contains(word),
                "{}: {word:?} missing from {text:?}",
                fault.name
            );
        }
        assert!(elapsed < DEADLINE, "{}: took {elapsed:?}", fault.name);
        assert_no_secret(fault.name, &format!("{err} {err:?}"));
        report.push(format!(
            "{:<36} {elapsed:>8.0?}  {}",
            fault.name,
            truncated(&text, 110)
        ));
    }
    eprintln!("{}", report.join("\n"));
}

fn truncated(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = test_client(&format!("http://{addr}"), TIMEOUT);
    let started = Instant::now();
    let err = client
        .ccpm()
        .raw()
        .get_plugin("ccp-1", "env-1")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport { source, .. } if source.is_connect()),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("ccpm/v1 get_plugin: could not connect"),
        "{err}"
    );
    assert!(started.elapsed() < DEADLINE);
}

#[tokio::test]
async fn a_timeout_is_bounded_with_retries_too() {
    let server = fault_server("never answers").await.unwrap();
    let client = contract::builder(&server.base_url)
        .request_timeout(TIMEOUT)
        .retry(
            RetryPolicy::default()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .connect()
        .raw()
        .get_connector_status("e", "c", "n")
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(err.is_timeout(), "{err}");
    assert_eq!(server.seen().len(), 3, "a GET that timed out is retried");
    assert!(
        elapsed >= TIMEOUT * 3 && elapsed < TIMEOUT * 3 + Duration::from_secs(1),
        "{elapsed:?}"
    );
    // A POST is not repeated after a timeout: the server may have acted on it.
    let before = server.seen().len();
    let err = client
        .connect()
        .raw()
        .restart_connector("e", "c", "n")
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert_eq!(server.seen().len() - before, 1);
}
