//! The archive as a streamed request body: raw for Azure and GCS, inside a multipart form
//! for S3.

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::task::Poll;

use bytes::{Bytes, BytesMut};
use futures::stream::{self, Stream, StreamExt};

use super::options::ProgressFn;
use super::{Progress, READ_AHEAD};

/// The file as a stream of chunks of exactly `len` bytes, read on a blocking thread that
/// stays at most [`READ_AHEAD`] chunks ahead of the consumer.
pub(crate) fn file_stream(
    file: std::fs::File,
    len: u64,
    chunk: usize,
    progress: Option<ProgressFn>,
    failure: Arc<Mutex<Option<std::io::Error>>>,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let mut file = Some(file);
    let mut rx: Option<tokio::sync::mpsc::Receiver<std::io::Result<Bytes>>> = None;
    let mut sent = 0u64;
    stream::poll_fn(move |cx| {
        // Started on first poll, so nothing is read when the request never gets to its body.
        if let Some(file) = file.take() {
            let (tx, new_rx) = tokio::sync::mpsc::channel(READ_AHEAD);
            tokio::task::spawn_blocking(move || read_chunks(file, len, chunk, tx));
            rx = Some(new_rx);
            if let Some(hook) = &progress {
                hook(Progress {
                    sent: 0,
                    total: len,
                });
            }
        }
        let Some(receiver) = rx.as_mut() else {
            return Poll::Ready(None);
        };
        match receiver.poll_recv(cx) {
            Poll::Ready(Some(Ok(bytes))) => {
                sent += bytes.len() as u64;
                if let Some(hook) = &progress {
                    hook(Progress { sent, total: len });
                }
                Poll::Ready(Some(Ok(bytes)))
            }
            Poll::Ready(Some(Err(e))) => {
                // reqwest turns a body error into an opaque one: keep the original for
                // the caller.
                let copy = std::io::Error::new(e.kind(), e.to_string());
                if let Ok(mut slot) = failure.lock() {
                    *slot = Some(e);
                }
                rx = None;
                Poll::Ready(Some(Err(copy)))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
}

fn read_chunks(
    mut file: std::fs::File,
    len: u64,
    chunk: usize,
    tx: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
) {
    let mut remaining = len;
    while remaining > 0 {
        let want = usize::try_from(remaining.min(chunk as u64)).unwrap_or(chunk);
        let mut buf = BytesMut::zeroed(want);
        if let Err(e) = read_full(&mut file, &mut buf) {
            let _ = tx.blocking_send(Err(e));
            return;
        }
        remaining -= want as u64;
        // The Content-Length promised `len` bytes, and hyper stops reading the body once it
        // has them: growth must be seen before the last chunk is handed over, or the error
        // would never reach the request. (Growth after this read is caught by
        // `Archive::check_unchanged` once the storage answered.)
        let item = if remaining == 0 {
            match grew(&mut file) {
                Ok(false) => Ok(buf.freeze()),
                Ok(true) => Err(std::io::Error::other(
                    "the archive grew while it was being uploaded",
                )),
                Err(e) => Err(e),
            }
        } else {
            Ok(buf.freeze())
        };
        let failed = item.is_err();
        if tx.blocking_send(item).is_err() || failed {
            // The request was dropped (failed or cancelled), or this was the error: stop.
            return;
        }
    }
}

/// Whether `file` has bytes past the point read so far.
fn grew(file: &mut std::fs::File) -> std::io::Result<bool> {
    let mut probe = [0u8; 1];
    Ok(file.read(&mut probe)? > 0)
}

fn read_full(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<()> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the archive got shorter while it was being uploaded",
                ));
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A `multipart/form-data` body built around a streamed file: the text parts and the file
/// part's head are one buffer, the closing boundary another, so the length is known before
/// the first byte is sent.
pub(crate) struct MultipartForm {
    boundary: String,
    head: Bytes,
    tail: Bytes,
}

impl MultipartForm {
    pub(crate) fn new(fields: &[(String, String)], file_name: &str, media_type: &str) -> Self {
        let boundary = format!(
            "ccloud-connect-{:016x}{:016x}",
            fastrand::u64(..),
            fastrand::u64(..)
        );
        let mut head = String::new();
        for (name, value) in fields {
            head.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n{value}\r\n",
                escape_param(name)
            ));
        }
        head.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: {media_type}\r\n\r\n",
            escape_param(file_name)
        ));
        let tail = format!("\r\n--{boundary}--\r\n");
        MultipartForm {
            boundary,
            head: Bytes::from(head),
            tail: Bytes::from(tail),
        }
    }

    pub(crate) fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    pub(crate) fn content_length(&self, file_len: u64) -> u64 {
        self.head.len() as u64 + file_len + self.tail.len() as u64
    }

    pub(crate) fn body(
        self,
        file: impl Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    ) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
        stream::once(futures::future::ready(Ok(self.head)))
            .chain(file)
            .chain(stream::once(futures::future::ready(Ok(self.tail))))
    }
}

/// Escapes a `Content-Disposition` parameter value the way browsers do (WHATWG HTML form
/// encoding): `"`, CR and LF percent-encoded, everything else as is.
fn escape_param(value: &str) -> String {
    value
        .replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_framing() {
        let fields = vec![
            ("key".to_owned(), "a/b.zip".to_owned()),
            ("we\"ird".to_owned(), "v".to_owned()),
        ];
        let form = MultipartForm::new(&fields, "p.zip", "application/zip");
        let b = form.boundary.clone();
        let head = String::from_utf8(form.head.to_vec()).unwrap();
        assert_eq!(
            head,
            format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\na/b.zip\r\n\
                 --{b}\r\nContent-Disposition: form-data; name=\"we%22ird\"\r\n\r\nv\r\n\
                 --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.zip\"\r\n\
                 Content-Type: application/zip\r\n\r\n"
            )
        );
        assert_eq!(form.tail.as_ref(), format!("\r\n--{b}--\r\n").as_bytes());
        assert_eq!(
            form.content_length(10),
            (form.head.len() + 10 + form.tail.len()) as u64
        );
    }
}
