//! The raw HTTP/1.1 server on 127.0.0.1 of the tests that need what httpmock cannot give:
//! exact sequences of answers, the time each request arrived, kept-alive connections,
//! answers that break HTTP, or no answer at all.
//!
//! Every accepted connection runs on a task of its own, so a handler that holds a socket
//! (a silent server, a slow drip) does not stall the next connection.

use std::fmt::Write as _;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// What the server saw of one request.
#[derive(Clone, Debug)]
pub struct Seen {
    /// When its head was read, on tokio's clock: under paused time the waits of the client
    /// show as the virtual time they took.
    pub at: Instant,
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A body for [`Answer`]: text that need not be valid JSON (servers send HTML with a JSON
/// content type), raw bytes, or a JSON value.
pub trait IntoBody {
    fn into_body(self) -> Vec<u8>;
}

impl IntoBody for &str {
    fn into_body(self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
}

impl IntoBody for String {
    fn into_body(self) -> Vec<u8> {
        self.into_bytes()
    }
}

impl IntoBody for Vec<u8> {
    fn into_body(self) -> Vec<u8> {
        self
    }
}

impl IntoBody for &Value {
    fn into_body(self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

/// One complete HTTP answer.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// `body` with `content-type: application/json`, whatever it holds.
    pub fn json(status: u16, body: impl IntoBody) -> Answer {
        Answer::typed(status, "application/json", body)
    }

    pub fn typed(status: u16, content_type: &str, body: impl IntoBody) -> Answer {
        Answer {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into_body(),
        }
    }

    /// No content type and no body.
    pub fn empty(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.into(), value.into()));
        self
    }

    fn head(&self, keep_alive: bool) -> String {
        let connection = if keep_alive { "keep-alive" } else { "close" };
        let mut head = format!(
            "HTTP/1.1 {} X\r\nconnection: {connection}\r\ncontent-length: {}\r\n",
            self.status,
            self.body.len()
        );
        for (k, v) in &self.headers {
            let _ = write!(head, "{k}: {v}\r\n");
        }
        head + "\r\n"
    }

    /// Writes the answer and closes the connection.
    pub async fn write(&self, sock: &mut TcpStream) {
        let _ = sock.write_all(self.head(false).as_bytes()).await;
        let _ = sock.write_all(&self.body).await;
        let _ = sock.shutdown().await;
    }

    /// Writes the answer and keeps the connection open for the next request; false when
    /// the client is gone.
    async fn write_keep_alive(&self, sock: &mut TcpStream) -> bool {
        sock.write_all(self.head(true).as_bytes()).await.is_ok()
            && sock.write_all(&self.body).await.is_ok()
    }
}

/// Takes the connection after a request was read, and gives it back to have the next
/// request on it read, or drops it.
type Handler = Arc<dyn Fn(TcpStream, Seen) -> BoxFuture<'static, Option<TcpStream>> + Send + Sync>;

pub struct Server {
    pub base_url: String,
    pub addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    /// Reads each request, records it, and hands the socket to `handler`, which answers
    /// however the test wants (or never); the connection ends with the handler.
    pub async fn start<F, Fut>(handler: F) -> Server
    where
        F: Fn(TcpStream, Seen) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let handler = Arc::new(handler);
        Server::serve(Arc::new(move |sock, seen| {
            let done = handler(sock, seen);
            Box::pin(async move {
                done.await;
                None
            })
        }))
        .await
    }

    /// Answers with `answers` in order, one per request; the last one repeats.
    pub async fn sequence(answers: Vec<Answer>) -> Server {
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

    /// Answers every request with the answer in `slot` at the time it arrives.
    pub async fn answering(slot: Arc<Mutex<Answer>>) -> Server {
        Server::start(move |mut sock, _| {
            let answer = slot.lock().unwrap().clone();
            async move { answer.write(&mut sock).await }
        })
        .await
    }

    /// Answers every request with `answer` and keeps each connection open, so that
    /// [`Server::connections`] shows whether the client reused one.
    pub async fn keep_alive(answer: Answer) -> Server {
        Server::serve(Arc::new(move |mut sock, _| {
            let answer = answer.clone();
            Box::pin(async move { answer.write_keep_alive(&mut sock).await.then_some(sock) })
        }))
        .await
    }

    /// Answers every request with `head` (status line and headers, without the blank line)
    /// and then a body that never ends, written in 64 KiB chunks until the client hangs up.
    /// `chunked`: the body uses chunked framing (else it is raw bytes after the head, which
    /// should then announce a `content-length`). The counter says how much of it the client
    /// let through.
    pub async fn endless(head: &'static str, chunked: bool) -> (Server, Arc<AtomicU64>) {
        let written = Arc::new(AtomicU64::new(0));
        let count = written.clone();
        let server = Server::start(move |mut sock, _| {
            let count = count.clone();
            async move {
                let framing = if chunked {
                    "transfer-encoding: chunked\r\n"
                } else {
                    ""
                };
                if sock
                    .write_all(format!("{head}\r\n{framing}\r\n").as_bytes())
                    .await
                    .is_err()
                {
                    return;
                }
                let data = vec![b' '; 64 * 1024];
                let mut frame = Vec::new();
                if chunked {
                    frame.extend_from_slice(format!("{:x}\r\n", data.len()).as_bytes());
                }
                frame.extend_from_slice(&data);
                if chunked {
                    frame.extend_from_slice(b"\r\n");
                }
                // Bounded so a client that never stops reading still ends the test.
                for _ in 0..16 * 1024 {
                    if sock.write_all(&frame).await.is_err() {
                        return;
                    }
                    count.fetch_add(data.len() as u64, Ordering::Relaxed);
                }
            }
        })
        .await;
        (server, written)
    }

    async fn serve(handler: Handler) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (log, accepted) = (seen.clone(), connections.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                accepted.fetch_add(1, Ordering::SeqCst);
                let (handler, log) = (handler.clone(), log.clone());
                tokio::spawn(async move {
                    while let Some(request) = read_request(&mut sock).await {
                        log.lock().unwrap().push(request.clone());
                        match handler(sock, request).await {
                            Some(kept) => sock = kept,
                            None => return,
                        }
                    }
                });
            }
        });
        Server {
            base_url: format!("http://{addr}"),
            addr,
            seen,
            connections,
            task,
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn seen_len(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    pub fn seen_at(&self, i: usize) -> Seen {
        self.seen.lock().unwrap()[i].clone()
    }

    /// How many TCP connections the server accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
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
    let at = Instant::now();
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
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Seen {
        at,
        method,
        target,
        headers,
        body,
    })
}
