//! How an upload runs (timeouts, chunk size, progress) and what it reports.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

use crate::{Error, Result};

use super::{
    DEFAULT_CHUNK_SIZE, DEFAULT_CONNECT_TIMEOUT, DEFAULT_UPLOAD_TIMEOUT, MAX_CHUNK_SIZE,
    MIN_CHUNK_SIZE, UploadProtocol,
};

/// Where an upload is: archive bytes handed to the connection so far, out of the total.
///
/// The HTTP stack asks for the next chunk only when it has room for it, so `sent` runs at
/// most a few chunks ahead of the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Archive bytes sent so far.
    pub sent: u64,
    /// The archive's size.
    pub total: u64,
}

impl Progress {
    /// `sent / total`, between 0 and 1.
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.sent as f64 / self.total as f64
        }
    }
}

pub(crate) type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Settings of a storage upload.
///
/// ```
/// use std::time::Duration;
/// use ccloud_connect::upload::UploadOptions;
/// let options = UploadOptions::new()
///     .timeout(Duration::from_secs(45 * 60))
///     .chunk_size(512 * 1024)
///     .progress(|p| eprint!("\r{:5.1}%", p.fraction() * 100.0));
/// # let _ = options;
/// ```
#[derive(Clone)]
pub struct UploadOptions {
    pub(crate) timeout: Duration,
    connect_timeout: Duration,
    pub(crate) chunk_size: usize,
    pub(crate) progress: Option<ProgressFn>,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            timeout: DEFAULT_UPLOAD_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            chunk_size: DEFAULT_CHUNK_SIZE,
            progress: None,
        }
    }
}

impl fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadOptions")
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("chunk_size", &self.chunk_size)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl UploadOptions {
    /// The defaults: [`DEFAULT_UPLOAD_TIMEOUT`], a 30 s connect timeout, 512 KiB chunks, no
    /// progress hook.
    pub fn new() -> Self {
        Self::default()
    }

    /// Time allowed for the whole storage request, body and answer included. Separate from
    /// the API client's request timeout, since an archive can take minutes to send.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to open the connection to the storage service. Default 30 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Size of the pieces the file is read and sent in, clamped to 64 KiB – 1 MiB. Memory
    /// used by an upload is a few chunks, whatever the archive's size. Default 512 KiB.
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes.clamp(MIN_CHUNK_SIZE, MAX_CHUNK_SIZE);
        self
    }

    /// Called with the bytes sent so far and the total: once with 0 when the body starts,
    /// then after every chunk. Runs on the upload's task: keep it quick.
    pub fn progress(mut self, hook: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(hook));
        self
    }

    pub(crate) fn storage_client(&self) -> Result<reqwest::Client> {
        reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            // A redirect would have to send the streamed body again, and could carry the
            // archive somewhere the presigned policy did not name.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ccloud-connect/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("could not build the storage HTTP client: {e}")))
    }
}

/// What a successful storage upload returned.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct UploadReceipt {
    /// The presigned answer's `upload_id`, for `upload_source.upload_id`.
    pub upload_id: String,
    /// The protocol used.
    pub protocol: UploadProtocol,
    /// The storage service's status (S3 answers 204 by default, Azure 201, GCS 200).
    pub status: StatusCode,
    /// Archive bytes sent.
    pub bytes: u64,
    /// The stored object's `ETag`, when the storage sent one.
    pub etag: Option<String>,
    /// The storage's request id (`x-amz-request-id`, `x-ms-request-id`), when sent.
    pub request_id: Option<String>,
    /// How long the transfer took.
    pub elapsed: Duration,
}
