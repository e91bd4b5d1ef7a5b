//! A streaming reader of `multipart/form-data` bodies, for the S3 POST form, on `multer`
//! (the parser behind axum's own multipart extractor).
//!
//! Parts come one at a time and a part's data in pieces, so the S3 endpoint can check the
//! form's fields, which S3 forms carry before the file, before it reads a byte of the file,
//! and can count the file without holding it.
//!
//! `multer` alone would not bound what it holds: it pulls every piece the body has ready,
//! and it buffers a preamble or a part's headers until it finds their end. So the body
//! goes through [`Metered`] first, which hands `multer` one piece per poll (it then holds
//! at most that piece plus one delimiter) and refuses to pull more than [`MAX_HEAD`] bytes
//! before the reader is told the fields passed ([`FormReader::lift_budget`]).

use std::error::Error as StdError;
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::{Stream, StreamExt};

/// RFC 2046 §5.1.1: a boundary has 1 to 70 characters. Longer ones are refused before the
/// body is read, as nothing legitimate sends them and each costs the search of every part.
pub(crate) const MAX_BOUNDARY: usize = 70;

/// What a form may hand over before the reader's budget is lifted: room for the fields an
/// S3 form carries (64 KiB at most, see `storage`) and the parts' headers, twice over.
pub(crate) const MAX_HEAD: u64 = 128 * 1024;

/// Why a `Content-Type` names no usable boundary.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BoundaryError {
    /// Not `multipart/form-data`, or no (or an empty) `boundary` parameter.
    NotMultipart,
    /// A boundary over [`MAX_BOUNDARY`] characters long.
    TooLong(usize),
}

/// The boundary of a `multipart/form-data` content type.
pub(crate) fn boundary(content_type: &str) -> Result<String, BoundaryError> {
    let mut params = content_type.split(';');
    let mime = params.next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case("multipart/form-data") {
        return Err(BoundaryError::NotMultipart);
    }
    let boundary = params
        .find_map(|p| {
            let (k, v) = p.trim().split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("boundary")
                .then(|| v.trim().trim_matches('"').to_owned())
                .filter(|b| !b.is_empty())
        })
        .ok_or(BoundaryError::NotMultipart)?;
    let length = boundary.chars().count();
    if length > MAX_BOUNDARY {
        return Err(BoundaryError::TooLong(length));
    }
    Ok(boundary)
}

/// The field name of a `Content-Disposition: form-data` header.
fn disposition(value: &str) -> Option<String> {
    let mut params = value.split(';');
    if !params.next()?.trim().eq_ignore_ascii_case("form-data") {
        return None;
    }
    params.find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("name")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// Why a form could not be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FormError {
    /// Not well-formed `multipart/form-data`.
    Malformed(&'static str),
    /// The body could not be read to its end: cut short, or a transport error.
    Body,
    /// More than [`MAX_HEAD`] bytes came before the budget was lifted.
    TooLarge,
}

/// Why [`Metered`] stopped a body.
#[derive(Debug)]
enum Pull {
    Body,
    OverBudget,
}

impl fmt::Display for Pull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Pull::Body => "the request body could not be read",
            Pull::OverBudget => "the form is too large before its file",
        })
    }
}

impl StdError for Pull {}

/// The request body as `multer` sees it: one piece per poll, and no more than the budget
/// allows until it is lifted.
struct Metered<S> {
    body: S,
    /// Bytes pulled so far, and how many may be pulled before the budget is lifted.
    pulled: u64,
    budget: Arc<AtomicU64>,
    /// A piece was just handed over: the next poll yields instead of pulling another.
    handed: bool,
}

impl<S, E> Stream for Metered<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    type Item = Result<Bytes, Pull>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.handed {
            // `multer` pulls until the body is pending; yielding here makes it take what
            // it holds first, so it never holds more than one piece.
            this.handed = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        if this.pulled >= this.budget.load(Ordering::Acquire) {
            return Poll::Ready(Some(Err(Pull::OverBudget)));
        }
        match this.body.poll_next_unpin(cx) {
            Poll::Ready(Some(Ok(piece))) => {
                this.pulled = this.pulled.saturating_add(piece.len() as u64);
                this.handed = true;
                Poll::Ready(Some(Ok(piece)))
            }
            Poll::Ready(Some(Err(_))) => Poll::Ready(Some(Err(Pull::Body))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// What a `multer` error means for the S3 endpoint.
fn failed(error: multer::Error) -> FormError {
    match error {
        multer::Error::StreamReadFailed(inner) => match inner.downcast_ref::<Pull>() {
            Some(Pull::OverBudget) => FormError::TooLarge,
            _ => FormError::Body,
        },
        multer::Error::IncompleteFieldData { .. } => {
            FormError::Malformed("the body ends inside a part, before its closing boundary")
        }
        multer::Error::IncompleteStream => {
            FormError::Malformed("the body ends before the closing boundary")
        }
        multer::Error::IncompleteHeaders
        | multer::Error::ReadHeaderFailed(_)
        | multer::Error::DecodeHeaderName { .. }
        | multer::Error::DecodeHeaderValue { .. } => {
            FormError::Malformed("the headers of a part are not well-formed")
        }
        _ => FormError::Malformed("the form cannot be read"),
    }
}

/// Reads a `multipart/form-data` body part by part.
pub(crate) struct FormReader {
    parts: multer::Multipart<'static>,
    /// The part being read; dropping it lets `multer` skip what is left of it.
    current: Option<multer::Field<'static>>,
    budget: Arc<AtomicU64>,
}

impl FormReader {
    /// A reader of `body`, which has been checked to be `multipart/form-data` with
    /// `boundary` (see [`boundary`]). At most [`MAX_HEAD`] bytes are pulled from it until
    /// [`lift_budget`](Self::lift_budget).
    pub(crate) fn new<S, E>(body: S, boundary: &str) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin + Send + 'static,
    {
        let budget = Arc::new(AtomicU64::new(MAX_HEAD));
        let metered = Metered {
            body,
            pulled: 0,
            budget: budget.clone(),
            handed: false,
        };
        FormReader {
            parts: multer::Multipart::new(metered, boundary),
            current: None,
            budget,
        }
    }

    /// Lets the rest of the body through: the fields passed, the file may come.
    pub(crate) fn lift_budget(&self) {
        self.budget.store(u64::MAX, Ordering::Release);
    }

    /// The next piece of the current part's data, or `None` at its end.
    pub(crate) async fn next_chunk(&mut self) -> Result<Option<Bytes>, FormError> {
        let Some(part) = self.current.as_mut() else {
            return Ok(None);
        };
        loop {
            match part.chunk().await.map_err(failed)? {
                Some(piece) if piece.is_empty() => continue,
                Some(piece) => return Ok(Some(piece)),
                None => {
                    self.current = None;
                    return Ok(None);
                }
            }
        }
    }

    /// Moves to the next part and answers its field name, or `None` after the closing
    /// delimiter. Whatever is left of the current part is skipped.
    pub(crate) async fn next_part(&mut self) -> Result<Option<String>, FormError> {
        self.current = None;
        let Some(part) = self.parts.next_field().await.map_err(failed)? else {
            return Ok(None);
        };
        // `multer` takes any disposition with a name; the form wants `form-data`, so the
        // header is read here rather than through `Field::name`.
        let name = part
            .headers()
            .get(axum::http::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .and_then(disposition)
            .ok_or(FormError::Malformed(
                "a part has no Content-Disposition form-data name",
            ))?;
        self.current = Some(part);
        Ok(Some(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    type Parts = Vec<(String, Vec<u8>)>;

    /// Every part of `body`, handed over in pieces of the given sizes (cycled).
    fn read_all(body: &[u8], boundary: &str, sizes: &[usize]) -> Result<Parts, FormError> {
        let mut pieces = Vec::new();
        let mut rest = body;
        for size in sizes.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (piece, tail) = rest.split_at((*size).clamp(1, rest.len()));
            pieces.push(Ok::<_, ()>(Bytes::copy_from_slice(piece)));
            rest = tail;
        }
        let mut form = FormReader::new(futures::stream::iter(pieces), boundary);
        block_on(async {
            let mut parts = Vec::new();
            while let Some(name) = form.next_part().await? {
                // As the S3 endpoint does once the fields before the file passed.
                form.lift_budget();
                let mut data = Vec::new();
                while let Some(piece) = form.next_chunk().await? {
                    data.extend_from_slice(&piece);
                }
                parts.push((name, data));
            }
            Ok(parts)
        })
    }

    const BODY: &[u8] = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\na/b\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.zip\"\r\nContent-Type: application/zip\r\n\r\nPK\x03\x04\r\n--data\r\n--Xy\r\n--XyZ--\r\nepilogue";

    #[test]
    fn parts_come_in_order_however_the_body_is_cut() {
        let want = vec![
            ("key".to_owned(), b"a/b".to_vec()),
            ("file".to_owned(), b"PK\x03\x04\r\n--data\r\n--Xy".to_vec()),
        ];
        assert_eq!(read_all(BODY, "XyZ", &[BODY.len()]).unwrap(), want);
        assert_eq!(read_all(BODY, "XyZ", &[1]).unwrap(), want);
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..200 {
            let sizes: Vec<usize> = (0..8).map(|_| rng.usize(1..20)).collect();
            assert_eq!(read_all(BODY, "XyZ", &sizes).unwrap(), want, "{sizes:?}");
        }
    }

    #[test]
    fn data_full_of_near_misses_is_kept_whole() {
        let boundary = "b".repeat(MAX_BOUNDARY);
        let near = format!("\r\n--{}", &boundary[..MAX_BOUNDARY - 1]);
        let data = near.repeat(2000).into_bytes();
        let mut body =
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n")
                .into_bytes();
        body.extend(&data);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        for sizes in [&[body.len()][..], &[1], &[4096], &[71, 3, 1000]] {
            let parts = read_all(&body, &boundary, sizes).unwrap();
            assert_eq!(parts.len(), 1);
            assert_eq!(parts[0].1, data);
        }
    }

    #[test]
    fn malformed_bodies_are_errors_not_panics() {
        let malformed =
            |body: &[u8]| matches!(read_all(body, "XyZ", &[3]), Err(FormError::Malformed(_)));
        assert!(malformed(b"--XyZ\r\nno headers end"));
        assert!(malformed(b"garbage"));
        assert!(malformed(b""));
        assert!(malformed(b"--XyZ"));
        assert!(malformed(b"--XyZ!!"));
        assert!(malformed(b"--XyZ\r\n\r\nno name\r\n--XyZ--"));
        assert!(malformed(
            b"--XyZ\r\nContent-Disposition: attachment\r\n\r\nx\r\n--XyZ--"
        ));
        assert!(malformed(
            b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nunterminated"
        ));
        let huge_headers = format!("--XyZ\r\nX-Pad: {}\r\n\r\n", "p".repeat(8 * 1024));
        assert!(malformed(huge_headers.as_bytes()));
        assert_eq!(read_all(b"--XyZ--", "XyZ", &[1]).unwrap(), vec![]);
        let broken = futures::stream::iter([Ok(Bytes::from_static(b"--XyZ\r\n")), Err(())]);
        let mut form = FormReader::new(broken, "XyZ");
        assert_eq!(block_on(form.next_part()), Err(FormError::Body));
        // A preamble, or headers, that never end are not held past the budget.
        let endless = futures::stream::iter(
            std::iter::repeat_with(|| Ok::<_, ()>(Bytes::from(vec![b'p'; 4096]))).take(1024),
        );
        let mut form = FormReader::new(endless, "XyZ");
        assert_eq!(block_on(form.next_part()), Err(FormError::TooLarge));
    }

    #[test]
    fn boundary_is_read_from_the_content_type() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"abc def\"").as_deref(),
            Ok("abc def")
        );
        assert_eq!(
            boundary("Multipart/Form-Data;boundary=x1").as_deref(),
            Ok("x1")
        );
        assert_eq!(
            boundary("application/json"),
            Err(BoundaryError::NotMultipart)
        );
        assert_eq!(
            boundary("multipart/form-data"),
            Err(BoundaryError::NotMultipart)
        );
        assert_eq!(
            boundary("multipart/form-data; boundary=\"\""),
            Err(BoundaryError::NotMultipart)
        );
        let longest = format!("multipart/form-data; boundary={}", "x".repeat(70));
        assert!(boundary(&longest).is_ok());
        let over = format!("multipart/form-data; boundary={}", "x".repeat(71));
        assert_eq!(boundary(&over), Err(BoundaryError::TooLong(71)));
    }
}
