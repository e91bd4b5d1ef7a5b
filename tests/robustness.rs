//! Robustness: hostile answers, hostile transports, hostile input, and credentials.
//!
//! * Decoding never panics: property tests feed arbitrary bytes, arbitrary JSON and
//!   mutated valid answers to every response type (serde) and through every operation of
//!   the client (the crate's own conversion of answers and errors).
//! * Forward compatibility: answers with unknown fields, unknown enum values, missing
//!   optional fields and `null` optional objects decode, for every operation.
//! * Hostile transport: resets, short bodies, HTML, proxies, silence and slow drips end in
//!   the crate's error, with a useful message, within the configured timeout.
//! * Hostile input: path and query parameter values never change the request path; values
//!   that would are refused before anything is sent.
//! * Credentials: every public entry point sends the `Authorization` header to the base URL
//!   host only, and no error, `Debug` output or log line carries the secret.

mod contract;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::future::Future;
use std::io;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use ccloud_connect::{Client, Error, RetryPolicy};
use contract::Direction;
use contract::ops::{self, Loc, Op};
use futures::future::BoxFuture;
use futures::{StreamExt, TryStreamExt};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const KEY: &str = contract::KEY;
const SECRET: &str = contract::SECRET;

/// Every form in which the secret could leak.
fn secret_forms() -> Vec<String> {
    vec![
        SECRET.to_owned(),
        base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:{SECRET}")),
        "contract-secret%2F0123456789%2Babcdef".to_owned(),
    ]
}

fn assert_no_secret(what: &str, text: &str) {
    for form in secret_forms() {
        assert!(!text.contains(&form), "{what} leaks the secret: {text}");
    }
}

// ====================================================================== a test server

/// What a test server saw of one request.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Handler = Arc<dyn Fn(TcpStream, Seen) -> BoxFuture<'static, ()> + Send + Sync>;

/// A raw HTTP/1.1 server on 127.0.0.1: it reads each request, records it, and hands the
/// socket to a handler that answers however the test wants (or never).
struct Server {
    base_url: String,
    addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    async fn start<F, Fut>(handler: F) -> Server
    where
        F: Fn(TcpStream, Seen) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |s, seen| Box::pin(handler(s, seen)));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let handler = handler.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    if let Some(request) = read_request(&mut sock).await {
                        log.lock().unwrap().push(request.clone());
                        handler(sock, request).await;
                    }
                });
            }
        });
        Server {
            base_url: format!("http://{addr}"),
            addr,
            seen,
            task,
        }
    }

    /// Answers every request with the answer in `slot` at the time it arrives.
    async fn answering(slot: Arc<Mutex<Answer>>) -> Server {
        Server::start(move |mut sock, _| {
            let answer = slot.lock().unwrap().clone();
            async move { answer.write(&mut sock).await }
        })
        .await
    }

    /// Answers with `answers` in order; the last one repeats.
    async fn sequence(answers: Vec<Answer>) -> Server {
        let next = Arc::new(Mutex::new(0usize));
        Server::start(move |mut sock, _| {
            let answer = {
                let mut n = next.lock().unwrap();
                let a = answers[(*n).min(answers.len() - 1)].clone();
                *n += 1;
                a
            };
            async move { answer.write(&mut sock).await }
        })
        .await
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn seen_len(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    fn seen_at(&self, i: usize) -> Seen {
        self.seen.lock().unwrap()[i].clone()
    }
}

async fn read_request(sock: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf.len() - head_end;
    while body < len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body += n;
    }
    Some(Seen {
        method,
        target,
        headers,
    })
}

/// One complete HTTP answer.
#[derive(Clone, Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn json(status: u16, body: &Value) -> Answer {
        Answer::typed(status, "application/json", body.to_string().into_bytes())
    }

    fn typed(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Answer {
        Answer {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
        }
    }

    fn empty(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    fn header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The sample success answer of operation `id` (from the spec).
    fn sample(api: &str, id: &str) -> Answer {
        match contract::sample_response(api, id) {
            (status, Some(body)) => Answer::json(status, &body),
            (status, None) => Answer::empty(status),
        }
    }

    fn head(&self) -> String {
        let mut head = format!(
            "HTTP/1.1 {} X\r\nconnection: close\r\ncontent-length: {}\r\n",
            self.status,
            self.body.len()
        );
        for (k, v) in &self.headers {
            let _ = write!(head, "{k}: {v}\r\n");
        }
        head + "\r\n"
    }

    async fn write(&self, sock: &mut TcpStream) {
        let _ = sock.write_all(self.head().as_bytes()).await;
        let _ = sock.write_all(&self.body).await;
        let _ = sock.shutdown().await;
    }
}

fn test_client(base_url: &str, timeout: Duration) -> Client {
    Client::builder()
        .credentials(KEY, SECRET)
        .base_url(base_url)
        .request_timeout(timeout)
        .connect_timeout(timeout)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Cases per property: `PROPTEST_CASES` when set (CI may run longer), else 256.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    })
}

// ====================================================================== decoding

type Decode = fn(&[u8]) -> Result<(), String>;

macro_rules! decoders {
    ($($api:ident $id:ident $ty:ty;)*) => {
        vec![$((
            stringify!($api),
            stringify!($id),
            (|b: &[u8]| serde_json::from_slice::<$ty>(b).map(drop).map_err(|e| e.to_string())) as Decode,
        )),*]
    };
}

/// The success type of every operation whose answer has a JSON body.
fn decoders() -> Vec<(&'static str, &'static str, Decode)> {
    use ccloud_connect::{ccpm, connect};
    decoders! {
        connect list_connectors connect::ListConnectorsResponse;
        connect create_connector connect::Connector;
        connect get_connector connect::Connector;
        connect delete_connector connect::DeleteConnectorResponse;
        connect get_connector_config connect::ConnectorConfig;
        connect put_connector_config connect::Connector;
        connect get_connector_status connect::ConnectorStatus;
        connect list_connector_tasks Vec<connect::ConnectorTaskInfo>;
        connect list_connector_plugins Vec<connect::ConnectorPlugin>;
        connect validate_connector_plugin_config connect::ConfigValidation;
        connect get_connector_offsets connect::ConnectorOffsets;
        connect alter_connector_offsets connect::AlterOffsetsRequestInfo;
        connect get_connector_offsets_request_status connect::AlterOffsetsStatus;
        connect list_custom_connector_plugins connect::CustomConnectorPluginList;
        connect create_custom_connector_plugin connect::CustomConnectorPlugin;
        connect get_custom_connector_plugin connect::CustomConnectorPlugin;
        connect update_custom_connector_plugin connect::CustomConnectorPlugin;
        connect create_presigned_upload_url connect::PresignedUrl;
        connect list_custom_connector_runtimes connect::CustomConnectorRuntimeList;
        ccpm list_plugins ccpm::PluginList;
        ccpm create_plugin ccpm::Plugin;
        ccpm get_plugin ccpm::Plugin;
        ccpm update_plugin ccpm::Plugin;
        ccpm create_presigned_upload_url ccpm::PresignedUrl;
        ccpm list_plugin_versions ccpm::PluginVersionList;
        ccpm create_plugin_version ccpm::PluginVersion;
        ccpm get_plugin_version ccpm::PluginVersion;
    }
}

#[test]
fn every_json_answer_has_a_decoder() {
    let have: BTreeSet<(&str, &str)> = decoders().iter().map(|(a, i, _)| (*a, *i)).collect();
    let mut want = BTreeSet::new();
    for spec in contract::specs() {
        for op in &spec.operations {
            if op
                .success_statuses()
                .iter()
                .any(|s| op.responses[&s.to_string()].is_some())
            {
                want.insert((spec.api, op.id.as_str()));
            }
        }
    }
    assert_eq!(have, want);
}

/// Every property name and enum value of both specs: arbitrary JSON built from them reaches
/// past the first unknown key into the nested decoders.
fn vocabulary() -> &'static (Vec<String>, Vec<String>) {
    static WORDS: OnceLock<(Vec<String>, Vec<String>)> = OnceLock::new();
    WORDS.get_or_init(|| {
        fn walk(v: &Value, keys: &mut BTreeSet<String>, values: &mut BTreeSet<String>) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::Object(props)) = m.get("properties") {
                        keys.extend(props.keys().cloned());
                    }
                    if let Some(Value::Array(e)) = m.get("enum") {
                        values.extend(e.iter().filter_map(|x| x.as_str().map(str::to_owned)));
                    }
                    m.values().for_each(|x| walk(x, keys, values));
                }
                Value::Array(a) => a.iter().for_each(|x| walk(x, keys, values)),
                _ => {}
            }
        }
        let (mut keys, mut values) = (BTreeSet::new(), BTreeSet::new());
        for spec in contract::specs() {
            walk(&spec.doc["components"], &mut keys, &mut values);
        }
        values.extend(
            [
                "2026-01-02T03:04:05Z",
                "not-a-date",
                "https://api.confluent.cloud/x?page_token=t",
                "",
            ]
            .map(str::to_owned),
        );
        (keys.into_iter().collect(), values.into_iter().collect())
    })
}

fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vocabulary().1.clone()),
        any::<String>(),
        "[a-z0-9._-]{0,12}",
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN", |f| f.is_finite())
            .prop_map(Value::from),
        arb_string().prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        let key = prop_oneof![prop::sample::select(vocabulary().0.clone()), arb_string()];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// The number of nodes of a JSON tree.
fn nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(nodes).sum(),
        Value::Object(m) => m.values().map(nodes).sum(),
        _ => 0,
    }
}

/// `v` with its `n`-th node (pre-order) replaced by `with`.
fn replace_nth(v: &mut Value, n: &mut usize, with: &Value) -> bool {
    if *n == 0 {
        *v = with.clone();
        return true;
    }
    *n -= 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|x| replace_nth(x, n, with)),
        Value::Object(m) => m.values_mut().any(|x| replace_nth(x, n, with)),
        _ => false,
    }
}

/// A valid answer of an operation with one node replaced by arbitrary JSON.
fn mutated_answer() -> impl Strategy<Value = (usize, Value)> {
    let table = decoders();
    (0..table.len(), any::<prop::sample::Index>(), arb_json()).prop_map(move |(i, at, with)| {
        let (api, id, _) = table[i];
        let (_, body) = contract::sample_response(api, id);
        let mut body = body.unwrap();
        let mut n = at.index(nodes(&body));
        replace_nth(&mut body, &mut n, &with);
        (i, body)
    })
}

#[test]
fn decoding_arbitrary_bytes_never_panics() {
    let table = decoders();
    let ok = std::cell::Cell::new(0usize);
    runner()
        .run(
            &prop_oneof![
                prop::collection::vec(any::<u8>(), 0..512),
                arb_json().prop_map(|v| v.to_string().into_bytes()),
            ],
            |bytes| {
                for (_, _, decode) in &table {
                    ok.set(ok.get() + usize::from(decode(&bytes).is_ok()));
                }
                Ok(())
            },
        )
        .unwrap();
    eprintln!(
        "{} cases x {} types, {} decoded",
        cases(),
        table.len(),
        ok.get()
    );
}

#[test]
fn decoding_mutated_answers_never_panics() {
    let table = decoders();
    runner()
        .run(&mutated_answer(), |(i, body)| {
            let _ = (table[i].2)(body.to_string().as_bytes());
            Ok(())
        })
        .unwrap();
}

#[test]
fn deeply_nested_and_huge_answers_are_refused_without_panicking() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let wide = format!("{{\"data\":[{}]}}", vec!["{}"; 200_000].join(","));
    for (_, id, decode) in decoders() {
        assert!(
            decode(deep.as_bytes()).is_err(),
            "{id} decoded a 100k-deep array"
        );
        let _ = decode(wide.as_bytes());
        let _ = decode(b"\xff\xfe\x00{");
    }
}

/// Arbitrary answers (status, content type, body) through every operation of the client:
/// the result is the decoded value or the crate's error, never a panic, and no error text
/// carries the secret.
#[test]
fn arbitrary_answers_through_every_operation_end_in_ok_or_the_crates_error() {
    let rt = runtime();
    let slot = Arc::new(Mutex::new(Answer::empty(200)));
    let server = rt.block_on(Server::answering(slot.clone()));
    let client = test_client(&server.base_url, Duration::from_secs(5));
    let table = ops::all();
    let statuses = [
        200u16, 201, 202, 204, 301, 400, 401, 404, 409, 429, 500, 502, 503,
    ];
    let body = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        arb_json().prop_map(|v| v.to_string().into_bytes()),
        mutated_answer().prop_map(|(_, v)| v.to_string().into_bytes()),
    ];
    let content_type = prop::sample::select(vec![
        "application/json",
        "text/html",
        "",
        "application/json; charset=utf-16",
    ]);
    let (oks, errs) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    runner()
        .run(
            &(
                0..table.len(),
                prop::sample::select(statuses.to_vec()),
                content_type,
                body,
            ),
            |(i, status, ct, body)| {
                let mut answer = Answer::typed(status, ct, body);
                if status == 301 {
                    answer = answer.header("location", "http://127.0.0.1:9/elsewhere");
                }
                *slot.lock().unwrap() = answer;
                match rt.block_on(table[i].call_plain(&client)) {
                    Ok(()) => oks.set(oks.get() + 1),
                    Err(e) => {
                        errs.set(errs.get() + 1);
                        let text = format!("{e} {e:?}");
                        prop_assert!(!text.is_empty());
                        assert_no_secret("an error", &text);
                        if !(200..300).contains(&status) {
                            prop_assert_eq!(e.status().map(|s| s.as_u16()), Some(status), "{}", e);
                        }
                    }
                }
                Ok(())
            },
        )
        .unwrap();
    eprintln!(
        "{} arbitrary answers: {} decoded, {} errors",
        cases(),
        oks.get(),
        errs.get()
    );
}

// ====================================================================== forward compatibility

/// Where a valid answer can change without the client minding.
#[derive(Debug)]
enum Site {
    /// An object: a property may be added (for a map, an entry holding `entry`).
    Object { at: String, entry: Option<Value> },
    /// An enum value: a new one may appear.
    Enum(String),
    /// An optional property: it may be left out; an object or array one may be `null`
    /// (Go servers send nil maps and slices as `null`).
    Optional { at: String, nullable: bool },
}

fn child(ptr: &str, key: &str) -> String {
    format!("{ptr}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// Walks a sample answer along its schema, recording every [`Site`].
fn sites(doc: &Value, schema: &Value, instance: &Value, ptr: &str, out: &mut Vec<Site>) {
    let s = contract::deref(doc, schema);
    if s.get("enum").is_some() {
        out.push(Site::Enum(ptr.to_owned()));
        return;
    }
    if let Some(first) = s["oneOf"].as_array().and_then(|a| a.first()) {
        return sites(doc, first, instance, ptr, out);
    }
    match instance {
        Value::Object(map) => {
            let entry = (s.get("properties").is_none() && s["additionalProperties"].is_object())
                .then(|| sample_of_schema(doc, &s["additionalProperties"]));
            out.push(Site::Object {
                at: ptr.to_owned(),
                entry,
            });
            let required: Vec<&str> = s["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for (key, value) in map {
                let at = child(ptr, key);
                let prop = s["properties"].get(key);
                if let Some(prop) = prop {
                    if !required.contains(&key.as_str()) {
                        let p = contract::deref(doc, prop);
                        let nullable = p["type"] == "object"
                            || p["type"] == "array"
                            || p.get("properties").is_some()
                            || p["nullable"] == true;
                        out.push(Site::Optional {
                            at: at.clone(),
                            nullable,
                        });
                    }
                    sites(doc, prop, value, &at, out);
                } else if s["additionalProperties"].is_object() {
                    sites(doc, &s["additionalProperties"], value, &at, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                sites(doc, &s["items"], item, &child(ptr, &i.to_string()), out);
            }
        }
        _ => {}
    }
}

/// A valid value of `schema` (a schema of either spec; both share the component names
/// that answers use, so the connect spec resolves them).
fn sample_of_schema(doc: &Value, schema: &Value) -> Value {
    let api = contract::specs()
        .iter()
        .find(|s| std::ptr::eq(&s.doc, doc))
        .map_or("connect", |s| s.api);
    contract::sample(api, schema, Direction::Response)
}

fn remove_at(v: &mut Value, ptr: &str) {
    let (parent, key) = ptr.rsplit_once('/').unwrap();
    let key = key.replace("~1", "/").replace("~0", "~");
    if let Some(Value::Object(m)) = v.pointer_mut(parent) {
        m.remove(&key);
    }
}

/// Every variant of every operation's sample answer that a newer or sloppier server could
/// send, with what was changed.
fn forward_variants() -> Vec<(&'static str, &'static str, String, Value)> {
    let mut out = Vec::new();
    for (api, id, _) in decoders() {
        let spec = contract::spec(api);
        let op = spec.operation(id);
        let status = op.success_statuses()[0];
        let schema = op.responses[&status.to_string()].clone().unwrap();
        // Each alternative of a oneOf answer is a base of its own.
        let bases: Vec<Value> = match contract::deref(&spec.doc, &schema)["oneOf"].as_array() {
            Some(alternatives) => alternatives.clone(),
            None => vec![schema],
        };
        for schema in bases {
            let sample = contract::sample(api, &schema, Direction::Response);
            let mut found = Vec::new();
            sites(&spec.doc, &schema, &sample, "", &mut found);
            let mut minimal = sample.clone();
            for site in &found {
                let mut v = sample.clone();
                let what = match site {
                    Site::Object { at, entry } => {
                        let Some(Value::Object(m)) = v.pointer_mut(at) else {
                            continue;
                        };
                        let added = entry
                            .clone()
                            .unwrap_or_else(|| json!({"nested": [1, "two", null, {"deep": true}]}));
                        m.insert("x_added_later".into(), added);
                        format!("unknown field at {at:?}")
                    }
                    Site::Enum(at) => {
                        *v.pointer_mut(at).unwrap() = json!("VALUE_ADDED_LATER");
                        format!("unknown enum value at {at:?}")
                    }
                    Site::Optional { at, nullable } => {
                        remove_at(&mut minimal, at);
                        if *nullable {
                            let mut nulled = sample.clone();
                            *nulled.pointer_mut(at).unwrap() = Value::Null;
                            out.push((api, id, format!("null value at {at:?}"), nulled));
                        }
                        remove_at(&mut v, at);
                        format!("missing optional {at:?}")
                    }
                };
                out.push((api, id, what, v));
            }
            out.push((api, id, "every optional field missing".into(), minimal));
        }
    }
    out
}

#[test]
fn newer_and_sparser_answers_decode() {
    let table = decoders();
    let variants = forward_variants();
    let mut kinds = std::collections::BTreeMap::<&str, usize>::new();
    for (api, id, what, body) in &variants {
        let decode = table
            .iter()
            .find(|(a, i, _)| a == api && i == id)
            .unwrap()
            .2;
        if let Err(e) = decode(body.to_string().as_bytes()) {
            panic!("{api} {id} with {what} does not decode: {e}\n{body}");
        }
        *kinds
            .entry(
                what.split(" at ")
                    .next()
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap(),
            )
            .or_default() += 1;
    }
    for kind in ["unknown", "missing", "null", "every"] {
        assert!(
            kinds.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} variant: {kinds:?}"
        );
    }
    eprintln!(
        "{} forward-compatible variants decode: {kinds:?}",
        variants.len()
    );
}

#[tokio::test]
async fn newer_and_sparser_answers_pass_through_the_client() {
    let slot = Arc::new(Mutex::new(Answer::empty(200)));
    let server = Server::answering(slot.clone()).await;
    let client = test_client(&server.base_url, Duration::from_secs(5));
    let table = ops::all();
    for (api, id, what, body) in forward_variants() {
        let op = table.iter().find(|o| o.api == api && o.id == id).unwrap();
        let (status, _) = contract::sample_response(api, id);
        *slot.lock().unwrap() = Answer::json(status, &body);
        if let Err(e) = op.call_plain(&client).await {
            panic!("{api} {id} with {what}: {e}\n{body}");
        }
    }
}

#[test]
fn unknown_enum_values_are_kept() {
    use ccloud_connect::connect::{ConnectorState, ConnectorStatus};
    let status: ConnectorStatus = serde_json::from_value(json!({
        "name": "c", "connector": {"state": "RESTARTING"}, "tasks": [{"id": 0, "state": "RUNNING"}]
    }))
    .unwrap();
    assert_eq!(
        status.connector.state,
        ConnectorState::Unknown("RESTARTING".into())
    );
    assert_eq!(status.connector.state.to_string(), "RESTARTING");
    assert_eq!(
        serde_json::to_value(&status.connector.state).unwrap(),
        json!("RESTARTING")
    );
}

// ====================================================================== hostile transport

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

const TIMEOUT: Duration = Duration::from_millis(300);
/// Every fault must end within this, with `TIMEOUT` configured.
const DEADLINE: Duration = Duration::from_secs(2);

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
        let client = Client::builder()
            .credentials(KEY, SECRET)
            .base_url(&server.base_url)
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
    let client = Client::builder()
        .credentials(KEY, SECRET)
        .base_url(&server.base_url)
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

// ====================================================================== hostile input

/// Values for path and query parameters, and whether the client must refuse them before
/// sending (as a path parameter; query parameters are encoded whatever they hold).
fn hostile_values() -> Vec<(String, bool)> {
    let mut v: Vec<(String, bool)> = [
        ("a/b", false),
        ("../../ccpm/v1/plugins", false),
        ("a/../../b", false),
        ("a?b=c", false),
        ("a#frag", false),
        ("100%", false),
        ("%2e%2e", false),
        ("%2F", false),
        ("%", false),
        ("%zz", false),
        ("...", false),
        ("a b", false),
        ("+", false),
        ("&x=y", false),
        (";jsessionid=1", false),
        ("@evil.example", false),
        ("http://evil.example/", false),
        ("é", false),
        ("名前", false),
        ("😀", false),
        ("\u{202e}gnp.exe", false),
        ("\u{feff}bom", false),
        ("ＡＢ．．", false),
        ("", true),
        (".", true),
        ("..", true),
        ("a\\b", true),
        ("..\\..\\ccpm", true),
        ("a\u{0}b", true),
        ("a\nHost: evil", true),
        ("a\r\nb", true),
        ("\t", true),
        ("\u{7f}", true),
        ("\u{85}", true),
    ]
    .iter()
    .map(|(s, r)| (s.to_string(), *r))
    .collect();
    v.push(("n".repeat(64), false));
    v.push(("ä".repeat(512), false));
    v.push(("n".repeat(1025), true));
    v.push(("x".repeat(100_000), true));
    v
}

#[tokio::test]
async fn hostile_parameter_values_never_change_the_request_path() {
    let server = Server::sequence(vec![Answer::json(
        404,
        &json!({"error": {"code": 404, "message": "no"}}),
    )])
    .await;
    let client = contract::observe(Client::builder())
        .credentials(KEY, SECRET)
        .base_url(&server.base_url)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let values = hostile_values();
    let (mut refused, mut sent) = (0, 0);
    for op in ops::all() {
        let spec_op = contract::operation(op.api, op.id);
        for (position, (name, loc)) in op.params.iter().enumerate() {
            for (value, must_refuse) in &values {
                let mut args: Vec<String> =
                    op.params.iter().map(|(n, _)| ops::plain_value(n)).collect();
                args[position] = value.clone();
                let before = server.seen_len();
                let result = op.call(&client, args.clone()).await;
                let after = server.seen_len();
                let label = format!("{} {} {name}={value:?}", op.api, op.id);
                // Path values are refused when they would change the path; a required query
                // value when it is blank or holds control characters.
                let required_query = *loc == Loc::Query
                    && spec_op
                        .params
                        .iter()
                        .any(|p| p.name == *name && p.location == "query" && p.required);
                let refuse = match loc {
                    Loc::Path => *must_refuse,
                    Loc::Query => {
                        required_query
                            && (value.trim().is_empty() || value.chars().any(char::is_control))
                    }
                };
                if refuse {
                    let err = result.expect_err(&label);
                    assert!(err.is_validation(), "{label}: {err}");
                    assert!(err.to_string().contains(name), "{label}: {err}");
                    assert_eq!(after, before, "{label}: sent although refused");
                    assert_no_secret(&label, &format!("{err:?}"));
                    refused += 1;
                    continue;
                }
                if after == before {
                    // Nothing sent: only for a query value no URL can carry, and the error
                    // says so.
                    let err = result.expect_err(&label);
                    assert!(
                        *loc == Loc::Query && value.len() > 60_000,
                        "{label}: not sent: {err}"
                    );
                    assert!(
                        err.to_string().contains("nothing was sent"),
                        "{label}: {err}"
                    );
                    refused += 1;
                    continue;
                }
                // The only request went out (the contract observer already matched its path
                // to this operation); the server's 404 came back.
                assert!(
                    matches!(&result, Err(e) if e.is_not_found()),
                    "{label}: {result:?}"
                );
                assert_eq!(after, before + 1, "{label}");
                let request = server.seen_at(before);
                assert_eq!(request.method, spec_op.method, "{label}");
                let url =
                    reqwest::Url::parse(&format!("{}{}", server.base_url, request.target)).unwrap();
                let segments: Vec<String> = url
                    .path_segments()
                    .unwrap()
                    .map(|s| {
                        percent_encoding::percent_decode_str(s)
                            .decode_utf8_lossy()
                            .into_owned()
                    })
                    .collect();
                let template: Vec<&str> = spec_op.path.trim_start_matches('/').split('/').collect();
                assert_eq!(
                    segments.len(),
                    template.len(),
                    "{label}: path {}",
                    url.path()
                );
                let mut path_args = op
                    .params
                    .iter()
                    .zip(&args)
                    .filter(|((_, l), _)| *l == Loc::Path)
                    .map(|(_, a)| a);
                for (t, s) in template.iter().zip(&segments) {
                    if t.starts_with('{') {
                        assert_eq!(Some(s), path_args.next(), "{label}: path {}", url.path());
                    } else {
                        assert_eq!(t, s, "{label}: path {}", url.path());
                    }
                }
                let mut query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
                query.retain(|(k, _)| k != "page_size");
                let mut expected: Vec<(String, String)> = op
                    .params
                    .iter()
                    .zip(&args)
                    .filter(|((_, l), _)| *l == Loc::Query)
                    .map(|((n, _), a)| (n.to_string(), a.clone()))
                    .collect();
                query.sort();
                expected.sort();
                assert_eq!(query, expected, "{label}: query {:?}", url.query());
                sent += 1;
            }
        }
    }
    eprintln!(
        "{} hostile values: {refused} refused before sending, {sent} sent with the path intact",
        values.len()
    );
    assert!(refused > 0 && sent > 0);
}

#[tokio::test]
async fn the_raw_client_cannot_send_credentials_off_the_base_url() {
    // The raw progenitor client skips the facade's checks, but its requests still pass the
    // transport: a dot-segment that climbs out of the base path is refused there.
    let server = Server::sequence(vec![Answer::json(200, &json!({}))]).await;
    let client = test_client(&format!("{}/proxy/cc", server.base_url), TIMEOUT);
    let err = client
        .connect()
        .raw()
        .progenitor()
        .get_custom_connector_plugin("..\\..\\..\\..\\..\\..\\x")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("refusing to send credentials"),
        "{err}"
    );
    assert!(server.seen().is_empty());
}

// ====================================================================== credentials

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

/// Every public entry point that sends requests: each operation of both facades, the
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
    ]);
    out
}

/// Captures everything the crate logs through `tracing`, at every level.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl LogBuffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[test]
fn credentials_reach_only_the_base_url_and_never_print() {
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
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
                answers.push(Answer::sample(api, id));
            }
            // 1. A success: every request reaches the base URL with the credentials.
            let home = Server::sequence(answers).await;
            let client = contract::observe(Client::builder())
                .credentials(KEY, SECRET)
                .base_url(&home.base_url)
                .retry(RetryPolicy::none())
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
