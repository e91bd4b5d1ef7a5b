//! The archive as a streamed request body: raw for Azure and GCS, inside a multipart form
//! for S3.

use std::io;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::stream::{self, Stream, TryStreamExt};
use reqwest::multipart::{Form, Part};
use tokio::io::AsyncReadExt as _;
use tokio_util::io::ReaderStream;

use crate::{Error, Result};

use super::Progress;
use super::options::ProgressFn;

/// The file as a stream of chunks of at most `chunk` bytes that together are exactly `len`
/// bytes, or an error when the file turns out shorter or longer than that.
///
/// A file that grew fails before its last chunk is yielded: the request announced `len`
/// bytes, and hyper stops reading the body once it has them, so an error after the last
/// chunk would never reach the request. (Growth after the end was read is caught by
/// `Archive::check_unchanged` once the storage answered.)
///
/// An I/O error goes into `failure` as well as into the stream: reqwest turns a body error
/// into an opaque one, and the caller reports the original with the archive's path.
pub(crate) fn file_stream(
    file: std::fs::File,
    len: u64,
    chunk: usize,
    progress: Option<ProgressFn>,
    failure: Arc<Mutex<Option<io::Error>>>,
) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static {
    // One byte past the length is enough to tell that the file grew.
    let reader = tokio::fs::File::from_std(file).take(len.saturating_add(1));
    // tokio's file reads have no read-ahead of their own: a reader task stays up to
    // READ_AHEAD chunks ahead of the connection, so the disk and the network work at the
    // same time. It stops when the request drops the body.
    let (tx, rx) = tokio::sync::mpsc::channel(READ_AHEAD);
    tokio::spawn(async move {
        let mut chunks = ReaderStream::with_capacity(reader, chunk);
        let mut read = 0u64;
        loop {
            let item = match chunks.try_next().await {
                Err(e) => Err(e),
                Ok(None) if read == len => return,
                Ok(None) => Err(shrank()),
                Ok(Some(bytes)) => {
                    read += bytes.len() as u64;
                    if read > len {
                        Err(grew())
                    } else if read < len {
                        Ok(bytes)
                    } else {
                        // The length is reached: this chunk goes out only once the file is
                        // known to end here.
                        match chunks.try_next().await {
                            Ok(None) => Ok(bytes),
                            Ok(Some(_)) => Err(grew()),
                            Err(e) => Err(e),
                        }
                    }
                }
            };
            let last = item.is_err() || read == len;
            if tx.send(item).await.is_err() || last {
                return;
            }
        }
    });
    let report = move |sent: u64| {
        if let Some(hook) = &progress {
            hook(Progress { sent, total: len });
        }
    };
    stream::unfold((rx, None::<u64>), move |(mut rx, sent)| {
        let report = report.clone();
        async move {
            let sent = match sent {
                Some(sent) => sent,
                None => {
                    report(0);
                    0
                }
            };
            let item = rx.recv().await?;
            let sent = sent + item.as_ref().map_or(0, |b| b.len() as u64);
            if item.is_ok() {
                report(sent);
            }
            Some((item, (rx, Some(sent))))
        }
    })
    .map_err(move |e: io::Error| {
        let copy = io::Error::new(e.kind(), e.to_string());
        if let Ok(mut slot) = failure.lock() {
            *slot = Some(e);
        }
        copy
    })
}

/// Chunks read ahead of the connection: memory in flight is at most this many chunks, one
/// being read and one being sent.
const READ_AHEAD: usize = 3;

fn shrank() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "the archive got shorter while it was being uploaded",
    )
}

fn grew() -> io::Error {
    io::Error::other("the archive grew while it was being uploaded")
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
    use futures::StreamExt as _;
    use http_body_util::BodyExt as _;

    use super::*;

    const CHUNK: usize = 64 * 1024;

    /// Streams a file of `actual` bytes announced as `len`: the items, the progress reports
    /// and what was left in the failure slot.
    async fn stream_file(
        name: &str,
        actual: usize,
        len: u64,
    ) -> (Vec<io::Result<Bytes>>, Vec<u64>, Option<io::Error>) {
        let path = std::env::temp_dir().join(format!(
            "ccloud-connect-stream-{}-{name}",
            std::process::id()
        ));
        std::fs::write(&path, vec![7u8; actual]).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let reports = Arc::new(Mutex::new(Vec::new()));
        let log = reports.clone();
        let progress: ProgressFn = Arc::new(move |p: Progress| log.lock().unwrap().push(p.sent));
        let failure = Arc::default();
        let items = file_stream(file, len, CHUNK, Some(progress), Arc::clone(&failure))
            .collect()
            .await;
        std::fs::remove_file(&path).unwrap();
        let reports = reports.lock().unwrap().clone();
        let failure = failure.lock().unwrap().take();
        (items, reports, failure)
    }

    #[tokio::test]
    async fn the_stream_is_exactly_the_file_in_bounded_chunks() {
        let len = 3 * CHUNK + 123;
        let (items, reports, failure) = stream_file("exact", len, len as u64).await;
        let chunks: Vec<Bytes> = items.into_iter().map(Result::unwrap).collect();
        assert!(chunks.iter().all(|c| !c.is_empty() && c.len() <= CHUNK));
        assert_eq!(chunks.iter().map(Bytes::len).sum::<usize>(), len);
        assert_eq!(reports.first(), Some(&0));
        assert_eq!(reports.last(), Some(&(len as u64)));
        assert_eq!(reports.len(), chunks.len() + 1);
        assert!(failure.is_none());
    }

    /// The request stops reading at its `Content-Length`: the error must take the place of
    /// the last chunk, whether the extra bytes share its read or come in the next one.
    #[tokio::test]
    async fn a_longer_file_fails_instead_of_its_last_chunk() {
        for (name, len) in [("grew-aligned", 2 * CHUNK), ("grew-unaligned", CHUNK + 500)] {
            let (items, _, failure) = stream_file(name, len + 1, len as u64).await;
            let (last, sent) = items.split_last().unwrap();
            let sent: usize = sent.iter().map(|c| c.as_ref().unwrap().len()).sum();
            assert!(sent < len, "{name}: {sent} of {len} bytes went out");
            let err = last.as_ref().unwrap_err();
            assert!(err.to_string().contains("grew"), "{name}: {err}");
            assert!(failure.unwrap().to_string().contains("grew"));
        }
    }

    #[tokio::test]
    async fn a_shorter_file_fails() {
        let (items, _, failure) = stream_file("shrank", 1000, 2000).await;
        let err = items.last().unwrap().as_ref().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(failure.unwrap().kind(), io::ErrorKind::UnexpectedEof);
    }

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
