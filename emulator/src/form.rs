//! A streaming reader of `multipart/form-data` bodies, for the S3 POST form.
//!
//! Parts come one at a time and a part's data in pieces, so the S3 endpoint can check the
//! form's fields, which S3 forms carry before the file, before it reads a byte of the file,
//! and can count the file without holding it. What the reader keeps is bounded by the
//! largest piece the connection hands over plus one delimiter, whatever the body's size.

use aho_corasick::AhoCorasick;
use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};

/// RFC 2046 §5.1.1: a boundary has 1 to 70 characters. Longer ones are refused before the
/// body is read, as nothing legitimate sends them and each costs the search of every part.
pub(crate) const MAX_BOUNDARY: usize = 70;

/// Room for the headers of one part; a form's parts carry two or three short ones.
const MAX_PART_HEADERS: usize = 8 * 1024;

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
}

/// Reads a `multipart/form-data` body part by part.
pub(crate) struct FormReader<S> {
    body: S,
    buf: BytesMut,
    /// `CRLF--boundary`: what ends every part.
    delimiter: Vec<u8>,
    /// A linear-time search for `delimiter`, whatever the data around it.
    finder: AhoCorasick,
    /// The current part's data has been read; `buf` starts with the delimiter.
    at_delimiter: bool,
    /// The closing delimiter has been read.
    finished: bool,
}

impl<S, E> FormReader<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    /// A reader of `body`, which has been checked to be `multipart/form-data` with
    /// `boundary` (see [`boundary`]).
    pub(crate) fn new(body: S, boundary: &str) -> Result<Self, FormError> {
        let delimiter = format!("\r\n--{boundary}").into_bytes();
        let finder = AhoCorasick::new([&delimiter])
            .map_err(|_| FormError::Malformed("the multipart boundary cannot be searched for"))?;
        Ok(FormReader {
            body,
            // A CRLF in front makes the first delimiter look like every other one, so the
            // preamble is read (and skipped) like the data of a part nobody asked for.
            buf: BytesMut::from(&b"\r\n"[..]),
            delimiter,
            finder,
            at_delimiter: false,
            finished: false,
        })
    }

    /// Appends the next piece of the body to `buf`; `false` at the end of the body.
    async fn fill(&mut self) -> Result<bool, FormError> {
        match self.body.next().await {
            Some(Ok(piece)) => {
                self.buf.extend_from_slice(&piece);
                Ok(true)
            }
            Some(Err(_)) => Err(FormError::Body),
            None => Ok(false),
        }
    }

    /// The next piece of the current part's data, or `None` at its end.
    pub(crate) async fn next_chunk(&mut self) -> Result<Option<Bytes>, FormError> {
        loop {
            if self.at_delimiter || self.finished {
                return Ok(None);
            }
            if let Some(m) = self.finder.find(&self.buf[..]) {
                self.at_delimiter = true;
                let data = self.buf.split_to(m.start()).freeze();
                return Ok((!data.is_empty()).then_some(data));
            }
            // A delimiter can only begin in the last `len - 1` bytes, or it would have been
            // found: everything before them is data. Only that tail is searched again.
            let settled = self.buf.len().saturating_sub(self.delimiter.len() - 1);
            if settled > 0 {
                return Ok(Some(self.buf.split_to(settled).freeze()));
            }
            if !self.fill().await? {
                return Err(FormError::Malformed(
                    "the body ends inside a part, before the closing boundary",
                ));
            }
        }
    }

    /// Moves to the next part and answers its field name, or `None` after the closing
    /// delimiter. Whatever is left of the current part is skipped.
    pub(crate) async fn next_part(&mut self) -> Result<Option<String>, FormError> {
        if self.finished {
            return Ok(None);
        }
        while self.next_chunk().await?.is_some() {}
        let length = self.delimiter.len();
        while self.buf.len() < length + 2 {
            if !self.fill().await? {
                return Err(FormError::Malformed("the body ends after a boundary"));
            }
        }
        let _ = self.buf.split_to(length);
        if self.buf.starts_with(b"--") {
            // The epilogue, if any, is left unread.
            self.finished = true;
            return Ok(None);
        }
        if !self.buf.starts_with(b"\r\n") {
            return Err(FormError::Malformed(
                "a multipart boundary is not followed by CRLF",
            ));
        }
        // The headers run from that CRLF to the first empty line; with no headers at all,
        // the empty line is right there.
        let mut searched = 0;
        let end = loop {
            if let Some(i) = self.buf[searched..]
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
            {
                break searched + i;
            }
            if self.buf.len() > MAX_PART_HEADERS {
                return Err(FormError::Malformed("the headers of a part are too long"));
            }
            searched = self.buf.len().saturating_sub(3);
            if !self.fill().await? {
                return Err(FormError::Malformed("a part has no end of headers"));
            }
        };
        let head = self.buf.split_to(end + 4);
        let head = std::str::from_utf8(head.get(2..end).unwrap_or_default())
            .map_err(|_| FormError::Malformed("the headers of a part are not UTF-8"))?;
        let name = head
            .split("\r\n")
            .filter_map(|line| line.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-disposition"))
            .and_then(|(_, v)| disposition(v.trim()))
            .ok_or(FormError::Malformed(
                "a part has no Content-Disposition form-data name",
            ))?;
        self.at_delimiter = false;
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
        let mut form = FormReader::new(futures::stream::iter(pieces), boundary)?;
        block_on(async {
            let mut parts = Vec::new();
            while let Some(name) = form.next_part().await? {
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
        let huge_headers = format!("--XyZ\r\nX-Pad: {}\r\n\r\n", "p".repeat(MAX_PART_HEADERS));
        assert!(malformed(huge_headers.as_bytes()));
        assert_eq!(read_all(b"--XyZ--", "XyZ", &[1]).unwrap(), vec![]);
        let broken = futures::stream::iter([Ok(Bytes::from_static(b"--XyZ\r\n")), Err(())]);
        let mut form = FormReader::new(broken, "XyZ").unwrap();
        assert_eq!(block_on(form.next_part()), Err(FormError::Body));
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
