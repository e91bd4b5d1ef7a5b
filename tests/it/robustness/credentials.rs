//! Credentials: every public entry point sends the `Authorization` header to the base URL
//! host only, and no error, `Debug` output or log line carries the secret.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use ccloud_connect::{Client, Error};
use futures::future::BoxFuture;
use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

use super::{KEY, SECRET, TIMEOUT, assert_no_secret, runtime, sample_answer, test_client};
use crate::support::LogBuffer;
use crate::support::contract::{
    self,
    ops::{self, Op},
};
use crate::support::server::{Answer, Seen, Server};

/// One public entry point, called once against the test server.
struct Entry {
    name: String,
    /// Answers the server gives, in order (pages of a paginator), for a success.
    answers: fn(attacker: &str) -> Vec<Answer>,
    call: Box<dyn Fn(Client) -> BoxFuture<'static, ccloud_connect::Result<()>> + Send + Sync>,
}

fn page(next: Option<String>) -> Value {
    json!({"api_version": "v1", "kind": "List", "data": [], "metadata": {"next": next}})
}

fn first_of_two_pages(attacker: &str) -> Vec<Answer> {
    // The next link names another host; only its page_token may be used.
    vec![
        Answer::json(200, &page(Some(format!("{attacker}/steal?page_token=p2")))),
        Answer::json(200, &page(None)),
    ]
}

macro_rules! entry {
    ($name:expr, $answers:expr, |$c:ident| $call:expr) => {
        Entry {
            name: $name.to_string(),
            answers: $answers,
            call: Box::new(
                |$c: Client| -> BoxFuture<'static, ccloud_connect::Result<()>> {
                    Box::pin(async move { $call.map(drop) })
                },
            ),
        }
    };
}

/// Every public entry point that sends requests: each operation of every facade, the
/// paginators, the helpers of `src/connectors.rs`, and the raw clients.
fn entries() -> Vec<Entry> {
    let mut out: Vec<Entry> = ops::all()
        .into_iter()
        .map(|op: Op| {
            let op = Arc::new(op);
            let name = format!("{} {}", op.api, op.id);
            let run = op.clone();
            Entry {
                name,
                answers: |_| Vec::new(),
                call: Box::new(move |c| run.call_plain(&c)),
            }
        })
        .collect();
    out.extend([
        entry!(
            "paginator custom_connector_plugins",
            first_of_two_pages,
            |c| c.connect().custom_plugins(None).all().await
        ),
        entry!(
            "paginator custom_connector_runtimes",
            first_of_two_pages,
            |c| c.connect().runtimes().all().await
        ),
        entry!("paginator plugins", first_of_two_pages, |c| c
            .ccpm()
            .environment("env-1")
            .plugins(None)
            .all()
            .await),
        entry!("paginator plugin_versions", first_of_two_pages, |c| c
            .ccpm()
            .environment("env-1")
            .plugin("ccp-1")
            .versions()
            .page_size(NonZeroU32::new(5).unwrap())
            .by_page()
            .try_collect::<Vec<_>>()
            .await),
        entry!("paginator artifacts", first_of_two_pages, |c| c
            .cam()
            .environment("env-1", ccloud_connect::cam::Cloud::Aws)
            .artifacts()
            .all()
            .await),
        entry!(
            "list_connector_names",
            |_| vec![Answer::json(200, &json!(["a", "b"]))],
            |c| c
                .connect()
                .cluster("env-1", "lkc-1")
                .connector_names()
                .await
        ),
        entry!(
            "list_connectors_expanded",
            |_| vec![Answer::json(
                200,
                &json!({"a": {"status": {"name": "a", "connector": {"state": "RUNNING"}}}})
            )],
            |c| c
                .connect()
                .cluster("env-1", "lkc-1")
                .connectors(ccloud_connect::connect::Expand::STATUS)
                .await
        ),
        entry!(
            "raw connect client",
            |_| vec![Answer::json(200, &json!({"name": "c"}))],
            |c| c
                .connect()
                .raw()
                .progenitor()
                .get_connector("env-1", "lkc-1", "c")
                .await
                .map_err(|e| Error::Config(e.to_string()))
        ),
        entry!("raw ccpm client", |_| vec![Answer::empty(204)], |c| c
            .ccpm()
            .raw()
            .progenitor()
            .delete_plugin("ccp-1", "env-1")
            .await
            .map_err(|e| Error::Config(e.to_string()))),
        entry!("raw cam client", |_| vec![Answer::empty(204)], |c| c
            .cam()
            .raw()
            .progenitor()
            .delete_artifact("ca-1", "env-1", "AWS")
            .await
            .map_err(|e| Error::Config(e.to_string()))),
    ]);
    out
}

#[test]
fn credentials_reach_only_the_base_url_and_never_print() {
    let logs = LogBuffer::default();
    let _capturing = logs.capture();
    let rt = runtime();
    let expected_auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:{SECRET}"))
    );
    let mut rows = 0;
    for entry in entries() {
        rt.block_on(async {
            let attacker = Server::sequence(vec![Answer::json(200, &json!({}))]).await;
            let mut answers = (entry.answers)(&attacker.base_url);
            if answers.is_empty() {
                let id = entry.name.split(' ').nth(1).unwrap();
                let api = entry.name.split(' ').next().unwrap();
                answers.push(sample_answer(api, id));
            }
            // 1. A success: every request reaches the base URL with the credentials.
            let home = Server::sequence(answers).await;
            let client = contract::observe(contract::builder(&home.base_url))
                .build()
                .unwrap();
            (entry.call)(client.clone())
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", entry.name));
            let seen = home.seen();
            assert!(!seen.is_empty(), "{}: nothing sent", entry.name);
            for s in &seen {
                assert_eq!(s.header("authorization"), Some(expected_auth.as_str()), "{}", entry.name);
                assert_eq!(s.header("host"), Some(home.addr.to_string().as_str()), "{}", entry.name);
            }
            if entry.name.starts_with("paginator") {
                assert_eq!(seen.len(), 2, "{}: the second page is fetched from the base URL", entry.name);
                assert!(seen[1].target.contains("page_token=p2") && !seen[1].target.contains("steal"), "{}", entry.name);
            }

            // 2. A redirect to another host is not followed.
            let redirect = Server::sequence(vec![Answer::empty(307).header("location", &format!("{}/steal", attacker.base_url))]).await;
            let client = test_client(&redirect.base_url, Duration::from_secs(5));
            let err = (entry.call)(client).await.expect_err(&entry.name);
            assert!(
                err.status().map(|s| s.as_u16()) == Some(307)
                    || (entry.name.starts_with("raw") && err.to_string().contains("307")),
                "{}: {err}",
                entry.name
            );

            // 3. Answers quoting the credentials back (an echoing proxy, a misdirected base
            //    URL) leave no trace of them in errors.
            for status in [401u16, 200] {
                let echo = Server::start(move |mut s, seen: Seen| async move {
                    let auth = seen.header("authorization").unwrap_or_default().to_owned();
                    let body = format!(
                        "{{\"error\":{{\"code\":{status},\"message\":\"bad credentials: {auth} ({SECRET})\"}},\"headers\":{{\"authorization\":\"{auth}\"}}}}"
                    );
                    Answer::typed(status, "application/json", body).write(&mut s).await;
                })
                .await;
                let client = test_client(&echo.base_url, Duration::from_secs(5));
                if let Err(err) = (entry.call)(client.clone()).await {
                    let text = format!("{err}\n{err:?}\n{:?}", err.api_error());
                    assert_no_secret(&entry.name, &text);
                    if status == 401 && !entry.name.starts_with("raw") {
                        assert!(text.contains("bad credentials: Basic [redacted] ([redacted])"), "{}: {text}", entry.name);
                    }
                }
                assert_no_secret("Client Debug", &format!("{client:?}"));
            }
            assert!(attacker.seen().is_empty(), "{}: a request reached another host", entry.name);
        });
        rows += 1;
    }
    let builder = Client::builder().credentials(KEY, SECRET);
    assert_no_secret("ClientBuilder Debug", &format!("{builder:?}"));
    assert_no_secret(
        "Credentials Debug",
        &format!(
            "{:?}",
            ccloud_connect::Credentials::new(KEY, SECRET).unwrap()
        ),
    );
    let log = logs.text();
    assert!(log.contains("[redacted]"), "the scrubbing is logged: {log}");
    assert_no_secret("the log", &log);
    eprintln!("{rows} entry points checked");
}

#[test]
fn validation_errors_of_credentials_do_not_echo_the_secret() {
    for bad in ["", "   ", "sec\nret-with-a-newline-0123456789"] {
        let err = Client::builder().credentials(KEY, bad).build().unwrap_err();
        assert!(
            !format!("{err} {err:?}").contains("ret-with-a-newline"),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn paginators_stop_on_a_hostile_next_link() {
    // A next link without a page token, or the same token forever, ends the stream with an
    // error instead of following the link or looping.
    for (next, expect) in [
        (
            "https://evil.example/connect/v1/custom-connector-plugins",
            "no page_token",
        ),
        ("/x?page_token=same", "a second time"),
    ] {
        let server = Server::sequence(vec![Answer::json(200, &page(Some(next.into())))]).await;
        let client = test_client(&server.base_url, TIMEOUT);
        let items: Vec<_> = client
            .connect()
            .custom_plugins(None)
            .by_page()
            .collect()
            .await;
        let err = items.into_iter().find_map(Result::err).expect(next);
        assert!(err.to_string().contains(expect), "{err}");
        assert!(server.seen().len() <= 2);
    }
}
