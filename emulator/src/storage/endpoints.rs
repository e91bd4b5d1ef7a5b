//! The storage endpoints presigned URLs point at: an S3-style POST form
//! (`/_storage/s3/...`), an Azure-style SAS PUT (`/_storage/azure/...`) and a GCS-style
//! signed-URL PUT (`/_storage/gcs/...`).
//!
//! These endpoints take no Confluent credentials and answer in the storage services' own
//! error formats (`storage_errors`). Everything that can be checked without the file is
//! checked before the file is read, and the file is counted as it streams by, never held:
//! a request that names no issued URL costs the emulator a few kilobytes whatever size it
//! announces, and a legitimate one little more. At most `max_concurrent_uploads` requests
//! are served at once; the next ones are answered `503` at once rather than queued.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::time::Instant;

use crate::http::ids::{random_hex, random_uuid};
use crate::http::query::Query;
use crate::state::store::App;
use crate::state::uploads::{
    BUCKET, UploadTarget, UploadedFile, azure_location, expired, gcs_location, gcs_signed,
    s3_location,
};
use crate::storage::errors::{azure, busy, entity_too_large, gcs, incomplete_body, s3};
use crate::storage::form::{self, BoundaryError, FormError, FormReader, MAX_BOUNDARY};

/// Room a multipart form needs around the file, beyond the size limit of the file itself:
/// the fields before it, and what the fields may hold at most.
const FORM_OVERHEAD: u64 = 64 * 1024;

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

fn etag() -> HeaderValue {
    HeaderValue::from_str(&format!("\"{}\"", random_hex(32)))
        .unwrap_or(HeaderValue::from_static("\"0\""))
}

/// What the emulator learns of an archive as it streams by: its size and how it starts.
#[derive(Default)]
struct Counted {
    size: u64,
    head: Vec<u8>,
}

impl Counted {
    /// Enough of the start to tell a ZIP (or JAR) archive.
    const HEAD: usize = 4;

    fn add(&mut self, piece: &[u8]) {
        self.size = self.size.saturating_add(piece.len() as u64);
        let wanted = Self::HEAD.saturating_sub(self.head.len()).min(piece.len());
        self.head.extend_from_slice(&piece[..wanted]);
    }

    fn file(&self) -> UploadedFile {
        UploadedFile {
            size: self.size,
            is_zip: self.head.starts_with(b"PK\x03\x04") || self.head.starts_with(b"PK\x05\x06"),
        }
    }
}

/// Why a raw body could not be counted.
enum Unread {
    /// Over the size limit: reading stopped there.
    TooLarge(u64),
    /// Cut short, or a transport error.
    Broken,
}

/// Counts a raw request body to its end, stopping as soon as it passes `max` bytes.
async fn count_body<S, E>(mut pieces: S, max: u64) -> Result<Counted, Unread>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let mut counted = Counted::default();
    while let Some(piece) = pieces.next().await {
        counted.add(&piece.map_err(|_| Unread::Broken)?);
        if counted.size > max {
            return Err(Unread::TooLarge(counted.size));
        }
    }
    Ok(counted)
}

fn form_failed(error: FormError) -> Response {
    match error {
        FormError::Malformed(detail) => s3::malformed(detail),
        FormError::Body => incomplete_body(),
        FormError::TooLarge => s3::fields_too_large(),
    }
}

/// The form's fields before the file part, names lowercased; `None` when no part is the
/// file. They may hold [`FORM_OVERHEAD`] bytes in all.
async fn read_fields(form: &mut FormReader) -> Result<Option<BTreeMap<String, String>>, Response> {
    let mut fields = BTreeMap::new();
    let mut room = FORM_OVERHEAD as usize;
    loop {
        let name = match form.next_part().await {
            Ok(Some(name)) => name,
            Ok(None) => return Ok(None),
            Err(e) => return Err(form_failed(e)),
        };
        if name.eq_ignore_ascii_case("file") {
            return Ok(Some(fields));
        }
        let mut value = Vec::new();
        while let Some(piece) = form.next_chunk().await.map_err(form_failed)? {
            room = room
                .checked_sub(piece.len())
                .ok_or_else(s3::fields_too_large)?;
            value.extend_from_slice(&piece);
        }
        let value =
            String::from_utf8(value).map_err(|_| s3::malformed("a field value is not UTF-8"))?;
        fields.insert(name.to_ascii_lowercase(), value);
    }
}

/// Checks the fields against the policy of the upload their `key` names: the id of that
/// upload, or the refusal (boxed: it is far larger than the id). An expired upload that
/// never received a file is forgotten.
fn authorize(
    app: &App,
    bucket: &str,
    fields: &BTreeMap<String, String>,
) -> Result<String, Box<Response>> {
    let key = fields
        .get("key")
        .ok_or_else(|| Box::new(s3::missing_field("key")))?;
    let key_failed = || {
        Box::new(s3::policy_failed(&format!(
            "Policy Condition failed: [\"eq\", \"$key\", {key:?}]"
        )))
    };
    let mut store = app.store();
    let location = s3_location(bucket, key);
    let Some(id) = store.uploads.at(&location) else {
        // A form the emulator signed, for an upload it forgot (expired, or over the cap).
        let policy = fields.get("policy").map(String::as_str).unwrap_or_default();
        let signed = store.uploads.sign_hex(&location, policy);
        if fields.get("x-amz-signature") == Some(&signed) {
            return Err(Box::new(s3::policy_failed("Policy expired.")));
        }
        return Err(key_failed());
    };
    let upload = store.uploads.get(&id).ok_or_else(key_failed)?;
    let UploadTarget::S3 { form: expected, .. } = &upload.target else {
        return Err(key_failed());
    };
    for (name, value) in expected {
        match fields.get(name) {
            Some(v) if v == value => {}
            _ if name == "x-amz-signature" => {
                return Err(Box::new(s3::signature_mismatch()));
            }
            None if name == "policy" => return Err(Box::new(s3::missing_field("policy"))),
            _ => {
                return Err(Box::new(s3::policy_failed(&format!(
                    "Policy Condition failed: [\"eq\", \"${name}\", {value:?}]"
                ))));
            }
        }
    }
    if let Some(extra) = fields
        .keys()
        .find(|k| !expected.contains_key(*k) && !k.starts_with("x-ignore-"))
    {
        return Err(Box::new(s3::policy_failed(&format!(
            "Extra input fields: {extra}"
        ))));
    }
    if expired(upload, Instant::now()) {
        if upload.file.is_none() {
            store.uploads.remove(&id);
        }
        return Err(Box::new(s3::policy_failed("Policy expired.")));
    }
    store.uploads.begin(&id);
    Ok(id)
}

/// `POST /_storage/s3/{bucket}/`: an S3 browser-based upload (POST policy form).
pub(crate) async fn s3_post(
    State(app): State<App>,
    Path(bucket): Path<String>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    if bucket != BUCKET {
        return s3::no_such_bucket(bucket);
    }
    let Some(length) = content_length(&parts.headers) else {
        return s3::missing_content_length();
    };
    let max = app.settings.max_upload_size;
    if length > max.saturating_add(FORM_OVERHEAD) {
        return entity_too_large(length, max);
    }
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = match form::boundary(content_type) {
        Ok(boundary) => boundary,
        Err(BoundaryError::NotMultipart) => {
            return s3::not_multipart();
        }
        Err(BoundaryError::TooLong(n)) => {
            return s3::malformed(&format!(
                "the multipart boundary has {n} characters, and RFC 2046 allows at most {MAX_BOUNDARY}"
            ));
        }
    };
    let Some(_slot) = app.upload_slot() else {
        return busy(parts.uri.path());
    };
    let mut form = FormReader::new(body.into_data_stream(), &boundary);
    let fields = match read_fields(&mut form).await {
        Ok(Some(fields)) => fields,
        Ok(None) => {
            return s3::no_file();
        }
        Err(answer) => return answer,
    };
    // Before a byte of the file is read: a form no policy allows ends here.
    let upload_id = match authorize(&app, &bucket, &fields) {
        Ok(id) => id,
        Err(answer) => return *answer,
    };
    form.lift_budget();
    let mut counted = Counted::default();
    loop {
        match form.next_chunk().await {
            Ok(Some(piece)) => counted.add(&piece),
            Ok(None) => break,
            Err(e) => return form_failed(e),
        }
    }
    match form.next_part().await {
        Ok(None) => {}
        Ok(Some(after)) => {
            // S3 ignores every field after the file, so a form in that order fails there
            // with a confusing policy error; say so directly.
            return s3::field_after_file(after);
        }
        Err(e) => return form_failed(e),
    }
    if counted.size > max {
        return entity_too_large(counted.size, max);
    }
    if counted.size == 0 {
        return s3::empty_file();
    }
    if !app.store().uploads.record(&upload_id, counted.file()) {
        // Forgotten while the file was on its way: it had expired unused.
        return s3::policy_failed("Policy expired.");
    }
    let key = fields.get("key").map(String::as_str).unwrap_or_default();
    let location = format!("{}/_storage/s3/{bucket}/{key}", app.base_url);
    let mut response = StatusCode::NO_CONTENT.into_response();
    let h = response.headers_mut();
    h.insert(header::ETAG, etag());
    if let Ok(v) = HeaderValue::from_str(&location) {
        h.insert(header::LOCATION, v);
    }
    response
}

/// `PUT /_storage/azure/{container}/{*blob}`: an Azure Put Blob with a SAS URL.
pub(crate) async fn azure_put(
    State(app): State<App>,
    Path((container, blob)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let query = Query::parse(query.as_deref());
    let max = app.settings.max_upload_size;
    let upload_id = {
        let mut store = app.store();
        let no_sas = || azure::auth_failed("No SAS was issued for this blob.");
        let location = azure_location(&container, &blob);
        let Some(id) = store.uploads.at(&location) else {
            // A SAS the emulator signed, for an upload it forgot (expired, or over the cap).
            let signed = store
                .uploads
                .sign_base64(&location, query.get("se").unwrap_or_default());
            if query.get("sig") == Some(signed.as_str()) {
                return azure::auth_failed("Signed expiry time has passed.");
            }
            return no_sas();
        };
        let Some(upload) = store.uploads.get(&id) else {
            return no_sas();
        };
        let UploadTarget::Azure { signature, .. } = &upload.target else {
            return no_sas();
        };
        if query.get("sig") != Some(signature.as_str()) {
            return azure::auth_failed("Signature did not match.");
        }
        if expired(upload, Instant::now()) {
            if upload.file.is_none() {
                store.uploads.remove(&id);
            }
            return azure::auth_failed("Signed expiry time has passed.");
        }
        store.uploads.begin(&id);
        id
    };
    match headers.get("x-ms-blob-type").and_then(|v| v.to_str().ok()) {
        None => return azure::missing_blob_type(),
        Some(t) if t != "BlockBlob" => return azure::invalid_blob_type(),
        Some(_) => {}
    }
    let Some(length) = content_length(&headers) else {
        return azure::missing_content_length();
    };
    if length > max {
        return azure::too_large();
    }
    let Some(_slot) = app.upload_slot() else {
        return busy("/_storage/azure/");
    };
    let counted = match count_body(body.into_data_stream(), max).await {
        Ok(counted) => counted,
        Err(Unread::TooLarge(_)) => return azure::too_large(),
        Err(Unread::Broken) => return azure::cut_short(),
    };
    if counted.size == 0 {
        return azure::empty_blob();
    }
    if !app.store().uploads.record(&upload_id, counted.file()) {
        return azure::auth_failed("Signed expiry time has passed.");
    }
    let mut response = StatusCode::CREATED.into_response();
    let h = response.headers_mut();
    h.insert(header::ETAG, etag());
    if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(std::time::SystemTime::now())) {
        h.insert(header::LAST_MODIFIED, v);
    }
    if let Ok(v) = HeaderValue::from_str(&random_uuid()) {
        h.insert("x-ms-request-id", v);
    }
    h.insert("x-ms-version", HeaderValue::from_static("2022-11-02"));
    h.insert(
        "x-ms-request-server-encrypted",
        HeaderValue::from_static("true"),
    );
    response
}

/// `PUT /_storage/gcs/{bucket}/{*object}`: a GCS upload with a V4 signed URL.
pub(crate) async fn gcs_put(
    State(app): State<App>,
    Path((bucket, object)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let query = Query::parse(query.as_deref());
    let max = app.settings.max_upload_size;
    let (upload_id, format) = {
        let mut store = app.store();
        let location = gcs_location(&bucket, &object);
        let Some(id) = store.uploads.at(&location) else {
            // A URL the emulator signed, for an upload it forgot (expired, or over the cap).
            let signed = store.uploads.sign_hex(
                &location,
                &gcs_signed(
                    query.get("X-Goog-Date").unwrap_or_default(),
                    query.get("X-Goog-Expires").unwrap_or_default(),
                ),
            );
            if query.get("X-Goog-Signature") == Some(signed.as_str()) {
                return gcs::token_expired();
            }
            return gcs::signature_mismatch();
        };
        let Some(upload) = store.uploads.get(&id) else {
            return gcs::signature_mismatch();
        };
        let UploadTarget::Gcs { signature, .. } = &upload.target else {
            return gcs::signature_mismatch();
        };
        if query.get("X-Goog-Signature") != Some(signature.as_str()) {
            return gcs::signature_mismatch();
        }
        if expired(upload, Instant::now()) {
            if upload.file.is_none() {
                store.uploads.remove(&id);
            }
            return gcs::token_expired();
        }
        let format = upload.format;
        store.uploads.begin(&id);
        (id, format)
    };
    // The URL was signed with the content type of the archive format.
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type != format.mime() {
        return gcs::signature_mismatch();
    }
    let Some(length) = content_length(&headers) else {
        return gcs::missing_content_length();
    };
    if length > max {
        return entity_too_large(length, max);
    }
    let Some(_slot) = app.upload_slot() else {
        return busy("/_storage/gcs/");
    };
    let counted = match count_body(body.into_data_stream(), max).await {
        Ok(counted) => counted,
        Err(Unread::TooLarge(size)) => return entity_too_large(size, max),
        Err(Unread::Broken) => return incomplete_body(),
    };
    if counted.size == 0 {
        return gcs::empty_object();
    }
    if !app.store().uploads.record(&upload_id, counted.file()) {
        return gcs::token_expired();
    }
    let mut response = StatusCode::OK.into_response();
    let h = response.headers_mut();
    h.insert(header::ETAG, etag());
    if let Ok(v) = HeaderValue::from_str(&fastrand::u64(1_000_000..u64::MAX / 2).to_string()) {
        h.insert("x-goog-generation", v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archives_are_counted_and_recognised_in_pieces() {
        let mut counted = Counted::default();
        for piece in [&b"P"[..], b"", b"K\x03", b"\x04rest of the archive"] {
            counted.add(piece);
        }
        let file = counted.file();
        assert_eq!(file.size, 23);
        assert!(file.is_zip);
        let mut counted = Counted::default();
        counted.add(b"not a zip");
        assert!(!counted.file().is_zip);
        assert!(!Counted::default().file().is_zip);
    }

    #[test]
    fn bodies_are_counted_up_to_the_limit() {
        let pieces = || {
            futures::stream::iter([
                Ok::<_, ()>(Bytes::from_static(b"PK\x03\x04")),
                Ok(Bytes::from_static(b"abcd")),
            ])
        };
        let counted = futures::executor::block_on(count_body(pieces(), 8))
            .ok()
            .unwrap();
        assert_eq!(counted.size, 8);
        assert!(matches!(
            futures::executor::block_on(count_body(pieces(), 7)),
            Err(Unread::TooLarge(8))
        ));
        let broken = futures::stream::iter([Ok(Bytes::from_static(b"x")), Err(())]);
        assert!(matches!(
            futures::executor::block_on(count_body(broken, 8)),
            Err(Unread::Broken)
        ));
    }
}
