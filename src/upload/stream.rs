//! The archive as a streamed request body: raw for Azure and GCS, inside a multipart form
//! for S3.

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::task::Poll;

use bytes::{Bytes, BytesMut};
use futures::stream::{self, Stream};
use reqwest::multipart::{Form, Part};

use crate::{Error, Result};

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

/// The S3 presigned POST form: every policy field as a text part, in the order the server
/// sent them, then the archive as the part `file` (S3 ignores fields after the file).
///
/// The file part is given its length, so reqwest knows the whole body's length and sends a
/// `Content-Length`: S3 refuses a chunked body with 411. A field name that a quote or line
/// break would let out of its part header is percent-encoded by reqwest (as `name*=`); the
/// names S3 policies use never need it.
pub(crate) fn s3_form(
    fields: &[(String, String)],
    file_name: &str,
    media_type: &str,
    file: reqwest::Body,
    file_len: u64,
) -> Result<Form> {
    let file = Part::stream_with_length(file, file_len)
        .file_name(file_name.to_owned())
        .mime_str(media_type)
        .map_err(|e| Error::validation("media type", media_type, e.to_string()))?;
    let form = fields.iter().fold(Form::new(), |form, (name, value)| {
        form.text(name.clone(), value.clone())
    });
    Ok(form.part("file", file))
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt as _;

    use super::*;

    /// What S3 needs of the form: fields in order, the file last with its name and type, an
    /// exact `Content-Length` and no chunking, and part headers that a field name cannot
    /// break out of.
    #[tokio::test]
    async fn multipart_framing() {
        let fields = vec![
            ("key".to_owned(), "a/b.zip".to_owned()),
            ("we\"ird\r\nname".to_owned(), "v".to_owned()),
        ];
        let content = b"PK\x03\x04 archive";
        let (file, len) = (reqwest::Body::from(content.to_vec()), content.len() as u64);
        let form = s3_form(&fields, "p\".zip", "application/zip", file, len).unwrap();
        let mut request = reqwest::Client::new()
            .post("http://storage.invalid/bucket")
            .multipart(form)
            .build()
            .unwrap();
        let headers = request.headers().clone();
        let body = request.body_mut().take().unwrap();
        let body = body.collect().await.unwrap().to_bytes();

        let content_type = headers["content-type"].to_str().unwrap();
        let b = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let expected = [
            format!("--{b}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\na/b.zip\r\n"),
            format!(
                "--{b}\r\nContent-Disposition: form-data; name*=utf-8''we%22ird%0D%0Aname\r\n\r\nv\r\n"
            ),
            format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p\\\".zip\"\r\n\
                 Content-Type: application/zip\r\n\r\nPK\x03\x04 archive\r\n--{b}--\r\n"
            ),
        ]
        .concat();
        assert_eq!(String::from_utf8_lossy(&body), expected);
        assert_eq!(headers["content-length"], body.len().to_string().as_str());
        assert!(!headers.contains_key("transfer-encoding"));
    }
}
