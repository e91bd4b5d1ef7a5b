//! The one local server every figure talks to: bare hyper on 127.0.0.1, on a runtime of its
//! own so that client-side work never runs on the server's threads.
//!
//! * `GET [/p{N}]/connect/v1/environments/{env}/clusters/{cluster}/connectors/{name}/config`:
//!   the usage guide's S3 sink configuration (figures 1, 2, 3, 6).
//! * `GET [/p{N}]/connect/v1/custom-connector-plugins?page_size&page_token`: `N` custom
//!   connector plugins (default [`DEFAULT_PLUGINS`]) in pages with `metadata.next` links
//!   (figure 4). The `/p{N}` prefix is part of the client's base URL, so the links keep it.
//! * `POST /upload`: an S3-style sink that reads a `multipart/form-data` body to the end,
//!   checks that it ends with its closing boundary, and answers 204 (figure 5).
//!
//! Answers are rendered once and then served from memory, so the server's share of every
//! measurement is as small, and as equal for both sides, as it can be.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

/// Plugins listed when the base URL has no `/p{N}` prefix.
pub const DEFAULT_PLUGINS: u32 = 20_000;
/// The largest `/p{N}` the server accepts; bounds the page cache.
const MAX_PLUGINS: u32 = 1_000_000;
/// Bytes of an upload body's end kept to check the closing boundary.
const TAIL: usize = 256;

/// The connector configuration of the usage guide's "Read a connector configuration".
const CONFIG: &str = r#"{
  "aws.access.key.id": "****************",
  "aws.secret.access.key": "****************",
  "cloud.environment": "prod",
  "cloud.provider": "aws",
  "connector.class": "S3_SINK",
  "flush.size": "1000",
  "input.data.format": "AVRO",
  "kafka.api.key": "****************",
  "kafka.api.secret": "****************",
  "kafka.dedicated": "false",
  "kafka.endpoint": "SASL_SSL://pkc-****.us-west-2.aws.confluent.cloud:9092",
  "kafka.region": "us-west-2",
  "name": "S3_SINKConnector_0",
  "output.data.format": "AVRO",
  "s3.bucket.name": "datagen-to-s3",
  "schema.registry.url": "https://psrc-*****.us-east-2.aws.confluent.cloud",
  "tasks.max": "1",
  "time.interval": "HOURLY",
  "topics": "pageviews"
}"#;

/// Keys in [`CONFIG`]; every config read is checked against it.
pub const CONFIG_KEYS: usize = 19;

/// The path of the connector configuration every config read asks for.
pub const CONFIG_PATH: &str =
    "/connect/v1/environments/env-a12b34/clusters/lkc-abc123/connectors/S3_SINKConnector_0/config";

/// Counters the figures read to check what the server saw.
#[derive(Debug, Default)]
pub struct Stats {
    /// TCP connections accepted so far.
    pub connections: AtomicU64,
    /// Upload bodies read to the end.
    pub uploads: AtomicU64,
    /// Body bytes of the last upload.
    pub last_upload_bytes: AtomicU64,
    /// Whether the last upload body ended with its closing multipart boundary.
    pub last_upload_well_formed: AtomicBool,
}

/// A running server; stops when dropped.
pub struct Server {
    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub base: String,
    /// What the server has seen.
    pub stats: Arc<Stats>,
    runtime: Option<Runtime>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

type PageKey = (u32, u32, u32); // (total, page size, offset)

struct State {
    base: String,
    config: Bytes,
    pages: Mutex<HashMap<PageKey, Bytes>>,
    stats: Arc<Stats>,
}

/// Binds 127.0.0.1:0 and serves on `threads` worker threads of a runtime of its own.
pub fn start(threads: usize) -> io::Result<Server> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name("bench-server")
        .enable_all()
        .build()?;
    let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0"))?;
    let addr: SocketAddr = listener.local_addr()?;
    let stats = Arc::new(Stats::default());
    let state = Arc::new(State {
        base: format!("http://{addr}"),
        config: Bytes::from_static(CONFIG.as_bytes()),
        pages: Mutex::new(HashMap::new()),
        stats: stats.clone(),
    });
    runtime.spawn(accept(listener, state.clone()));
    Ok(Server {
        base: state.base.clone(),
        stats,
        runtime: Some(runtime),
    })
}

async fn accept(listener: TcpListener, state: Arc<State>) {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(conn) => conn,
            // Out of file descriptors and the like: the figure that caused it reports the
            // failed requests; the server keeps accepting.
            Err(_) => continue,
        };
        state.stats.connections.fetch_add(1, Ordering::Relaxed);
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(state.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

type Answer = Response<Full<Bytes>>;

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Result<Answer, Infallible> {
    if req.method() == Method::POST && req.uri().path() == "/upload" {
        return Ok(sink(&state, req).await);
    }
    if req.method() != Method::GET {
        return Ok(error(
            StatusCode::METHOD_NOT_ALLOWED,
            "only GET and POST /upload",
        ));
    }
    let (prefix, total, path) = match split_prefix(req.uri().path()) {
        Some(split) => split,
        None => return Ok(error(StatusCode::NOT_FOUND, "bad /p{N} prefix")),
    };
    if path == "/connect/v1/custom-connector-plugins" {
        return Ok(match page_query(req.uri().query().unwrap_or("")) {
            Ok((size, offset)) if offset <= total => json(state.page(prefix, total, size, offset)),
            Ok(_) => error(StatusCode::BAD_REQUEST, "page_token past the end"),
            Err(why) => error(StatusCode::BAD_REQUEST, why),
        });
    }
    if path.starts_with("/connect/v1/environments/") && path.ends_with("/config") {
        return Ok(json(state.config.clone()));
    }
    Ok(error(StatusCode::NOT_FOUND, "no such route"))
}

/// `/p2000/connect/...` → (`/p2000`, 2000, `/connect/...`); no prefix → the default count.
fn split_prefix(path: &str) -> Option<(&str, u32, &str)> {
    let Some(rest) = path.strip_prefix("/p") else {
        return Some(("", DEFAULT_PLUGINS, path));
    };
    let end = rest.find('/').unwrap_or(rest.len());
    let total: u32 = rest[..end].parse().ok()?;
    (total <= MAX_PLUGINS).then(|| (&path[..end + 2], total, &rest[end..]))
}

/// `page_size` (1..=100, default 100) and the offset named by `page_token=o{offset}`.
fn page_query(query: &str) -> Result<(u32, u32), &'static str> {
    let mut size = 100;
    let mut offset = 0;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "page_size" => {
                size = value
                    .parse::<u32>()
                    .map_err(|_| "page_size is not a number")?
                    .clamp(1, 100);
            }
            "page_token" => {
                offset = value
                    .strip_prefix('o')
                    .and_then(|o| o.parse().ok())
                    .ok_or("unknown page_token")?;
            }
            _ => {}
        }
    }
    Ok((size, offset))
}

impl State {
    fn page(&self, prefix: &str, total: u32, size: u32, offset: u32) -> Bytes {
        let key = (total, size, offset);
        if let Some(page) = self.pages.lock().expect("page cache").get(&key) {
            return page.clone();
        }
        let page = Bytes::from(self.render_page(prefix, total, size, offset));
        self.pages
            .lock()
            .expect("page cache")
            .insert(key, page.clone());
        page
    }

    /// One page as Confluent answers it: items, then `metadata.next` while items remain.
    fn render_page(&self, prefix: &str, total: u32, size: u32, offset: u32) -> Vec<u8> {
        let list = format!("{}{prefix}/connect/v1/custom-connector-plugins", self.base);
        let end = (offset + size).min(total);
        let data: Vec<serde_json::Value> = (offset..end).map(plugin).collect();
        let mut metadata = serde_json::json!({
            "first": format!("{list}?page_size={size}"),
            "total_size": total,
        });
        if end < total {
            metadata["next"] = format!("{list}?page_size={size}&page_token=o{end}").into();
        }
        serde_json::to_vec(&serde_json::json!({
            "api_version": "connect/v1",
            "kind": "CustomConnectorPluginList",
            "metadata": metadata,
            "data": data,
        }))
        .expect("a JSON value serializes")
    }
}

/// A custom connector plugin with every field the API fills in.
fn plugin(i: u32) -> serde_json::Value {
    let id = format!("ccp-{i:07}");
    serde_json::json!({
        "api_version": "connect/v1",
        "kind": "CustomConnectorPlugin",
        "id": id,
        "metadata": {
            "self": format!("https://api.confluent.cloud/connect/v1/custom-connector-plugins/{id}"),
            "resource_name": format!("crn://confluent.cloud/organization=9bb441c4-edef-46ac-8a41-c49e44a3fd9a/custom-connector-plugin={id}"),
            "created_at": "2024-05-01T10:15:30Z",
            "updated_at": "2024-05-02T08:00:00Z",
        },
        "display_name": format!("custom-datagen-{i}"),
        "content_format": if i.is_multiple_of(2) { "ZIP" } else { "JAR" },
        "description": "A source connector that generates mock data for development.",
        "documentation_link": "https://github.com/confluentinc/kafka-connect-datagen",
        "connector_class": "io.confluent.kafka.connect.datagen.DatagenConnector",
        "connector_type": "SOURCE",
        "cloud": "AWS",
        "sensitive_config_properties": ["passwords", "keys"],
        "runtime_language": "JAVA",
    })
}

/// Reads an upload body to the end, as a storage service would before answering.
async fn sink(state: &State, req: Request<Incoming>) -> Answer {
    let boundary = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("multipart/form-data"))
        .and_then(|v| v.split_once("boundary="))
        .map(|(_, b)| b.trim_matches('"').to_owned());
    let Some(boundary) = boundary else {
        return error(StatusCode::BAD_REQUEST, "not multipart/form-data");
    };
    let mut body = req.into_body();
    let mut bytes = 0u64;
    let mut tail: Vec<u8> = Vec::with_capacity(2 * TAIL);
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return error(StatusCode::BAD_REQUEST, "body ended early");
        };
        if let Some(data) = frame.data_ref() {
            bytes += data.len() as u64;
            let keep = &data[data.len().saturating_sub(TAIL)..];
            tail.extend_from_slice(keep);
            if tail.len() > TAIL {
                tail.drain(..tail.len() - TAIL);
            }
        }
    }
    let closing = format!("--{boundary}--");
    let trimmed = tail.strip_suffix(b"\r\n").unwrap_or(&tail);
    let well_formed = trimmed.ends_with(closing.as_bytes());
    state.stats.last_upload_bytes.store(bytes, Ordering::SeqCst);
    state
        .stats
        .last_upload_well_formed
        .store(well_formed, Ordering::SeqCst);
    state.stats.uploads.fetch_add(1, Ordering::SeqCst);
    let mut answer = Response::new(Full::new(Bytes::new()));
    *answer.status_mut() = StatusCode::NO_CONTENT;
    answer
}

fn json(body: Bytes) -> Answer {
    let mut answer = Response::new(Full::new(body));
    answer
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    answer
}

fn error(status: StatusCode, message: &str) -> Answer {
    let body = serde_json::json!({"errors": [{"status": status.as_str(), "detail": message}]});
    let mut answer = json(Bytes::from(body.to_string()));
    *answer.status_mut() = status;
    answer
}
