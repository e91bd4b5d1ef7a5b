//! What the test modules share: the client factory, the raw server ([`server`]), the
//! fixture loader ([`fixtures`]) and the contract checker ([`contract`]).

pub mod contract;
pub mod fixtures;
pub mod server;

use std::io;
use std::sync::{Arc, Mutex};

use ccloud_connect::{Client, ClientBuilder, RetryPolicy};

/// The credentials of [`builder`]. The secret holds `/` and `+` and is long enough for the
/// client to scrub it from answers, so a leak in any form shows. Modules whose assertions
/// are written against other credentials set theirs with `.credentials(..)`.
pub const KEY: &str = "TESTKEY";
pub const SECRET: &str = "s3cr3t-Value/with+chars";

/// A client builder for `base_url` with [`KEY`]/[`SECRET`] and no retries: a test that
/// wants retries says which.
pub fn builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .credentials(KEY, SECRET)
        .base_url(base_url)
        .retry(RetryPolicy::none())
}

/// [`builder`], built.
pub fn client(base_url: &str) -> Client {
    builder(base_url).build().expect("a valid test client")
}

/// An HTTP client for tests on tokio's paused clock, to pass to
/// [`ClientBuilder::http_client`].
///
/// Paused time jumps to the next timer whenever the runtime waits, even while a socket is
/// about to become readable. The crate's own HTTP client arms a request and a connect
/// timeout for every request, so such a jump would time a loopback request out. This one
/// arms neither, and keeps no idle connection (an idle pool arms a timer too), so the only
/// timers left are the waits under test, and the clock only ever jumps over them.
pub fn untimed_http() -> reqwest::Client {
    reqwest::Client::builder()
        // As the crate's own client: a followed redirect would leave the checked base URL.
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
        .expect("an HTTP client")
}

/// [`client`] for a test on tokio's paused clock: its HTTP client is [`untimed_http`].
pub fn paused_client(base_url: &str) -> Client {
    builder(base_url)
        .http_client(untimed_http())
        .build()
        .expect("a valid test client")
}

/// Captures what a `tracing` subscriber writes, to search it for secrets.
#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

thread_local! {
    /// Where the crate's log lines written on this thread go, while a test captures them.
    static CAPTURE: std::cell::RefCell<Option<LogBuffer>> = const { std::cell::RefCell::new(None) };
}

/// Ends a [`LogBuffer::capture`].
pub struct Capturing(());

impl Drop for Capturing {
    fn drop(&mut self) {
        CAPTURE.with(|c| c.borrow_mut().take());
    }
}

/// Writes to the capture of the current thread, if any.
struct ThreadWriter;

impl io::Write for ThreadWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        CAPTURE.with(|c| {
            if let Some(logs) = c.borrow().as_ref() {
                logs.0.lock().unwrap().extend_from_slice(buf);
            }
        });
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl LogBuffer {
    /// Captures every line the crate logs, at every level, on this thread (where a
    /// `#[tokio::test]` runs its tasks) until the returned guard drops.
    ///
    /// One global subscriber serves every test of the binary: with per-test subscribers
    /// (`set_default`), tracing caches a callsite's interest when it is first hit, and a
    /// test running alongside could cache "never" for a log line another test waits for.
    pub fn capture(&self) -> Capturing {
        static INSTALL: std::sync::Once = std::sync::Once::new();
        INSTALL.call_once(|| {
            let subscriber = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new("ccloud_connect=trace"))
                .with_ansi(false)
                .with_writer(|| ThreadWriter)
                .finish();
            tracing::subscriber::set_global_default(subscriber)
                .expect("the test binary installs its subscriber once");
        });
        CAPTURE.with(|c| *c.borrow_mut() = Some(self.clone()));
        Capturing(())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
