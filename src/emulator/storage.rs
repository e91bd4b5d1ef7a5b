//! Presigned upload URLs and the storage endpoints they point at: an S3-style POST form
//! (`/_storage/s3/...`), an Azure-style SAS PUT (`/_storage/azure/...`) and a GCS-style
//! signed-URL PUT (`/_storage/gcs/...`).
//!
//! These endpoints take no Confluent credentials and answer in the storage services' own
//! error formats: S3 and GCS XML `<Error><Code>..</Code><Message>..</Message></Error>`,
//! Azure XML plus the `x-ms-error-code` header.

use std::collections::BTreeMap;

use axum::body::{Body, to_bytes};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use chrono::{DateTime, Utc};

use super::state::{
    App, ArchiveFormat, Query, StorageCloud, Upload, UploadTarget, UploadedFile, random_hex,
    random_uuid,
};

/// The S3 bucket and GCS bucket presigned URLs name.
pub(crate) const BUCKET: &str = "confluent-custom-connectors-emulator";
/// The Azure container presigned URLs name.
pub(crate) const CONTAINER: &str = "custom-connector-plugins";
/// Room a multipart form needs around the file, beyond the size limit of the file itself.
const FORM_OVERHEAD: u64 = 64 * 1024;

/// A freshly issued presigned URL.
pub(crate) struct Issued {
    pub(crate) upload_id: String,
    pub(crate) upload_url: String,
    pub(crate) form: BTreeMap<String, String>,
    pub(crate) upload: Upload,
}

/// Creates the upload target for a new presigned URL (the caller stores `upload`).
pub(crate) fn issue(
    app: &App,
    environment: Option<String>,
    cloud: StorageCloud,
    format: ArchiveFormat,
) -> Issued {
    let upload_id = random_uuid();
    let now = Utc::now();
    let ttl = chrono::Duration::from_std(app.settings.upload_url_ttl)
        .unwrap_or_else(|_| chrono::Duration::hours(1));
    let expires_at = now + ttl;
    let file_name = format!("plugin.{}", format.extension());
    let scope = environment.as_deref().unwrap_or("organization");
    let base = &app.base_url;
    let (upload_url, form, target) = match cloud {
        StorageCloud::Aws => {
            let key = format!(
                "staging/ccp/v1/{}/{scope}/custom-plugins/{upload_id}/{file_name}",
                app.org_id
            );
            let date = now.format("%Y%m%d").to_string();
            let credential = format!(
                "ASIAEMULATOR{}/{date}/us-west-2/s3/aws4_request",
                random_hex(8).to_uppercase()
            );
            let amz_date = now.format("%Y%m%dT%H%M%SZ").to_string();
            let token = base64::engine::general_purpose::STANDARD.encode(random_hex(48));
            let policy = serde_json::json!({
                "expiration": expires_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                "conditions": [
                    {"bucket": BUCKET},
                    {"key": key},
                    {"x-amz-algorithm": "AWS4-HMAC-SHA256"},
                    {"x-amz-credential": credential},
                    {"x-amz-date": amz_date},
                    {"x-amz-security-token": token},
                    ["content-length-range", 1, app.settings.max_upload_size],
                ]
            });
            let form: BTreeMap<String, String> = [
                ("bucket", BUCKET.to_owned()),
                ("key", key.clone()),
                (
                    "policy",
                    base64::engine::general_purpose::STANDARD.encode(policy.to_string()),
                ),
                ("x-amz-algorithm", "AWS4-HMAC-SHA256".to_owned()),
                ("x-amz-credential", credential),
                ("x-amz-date", amz_date),
                ("x-amz-security-token", token),
                ("x-amz-signature", random_hex(64)),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
            (
                format!("{base}/_storage/s3/{BUCKET}/"),
                form.clone(),
                UploadTarget::S3 {
                    bucket: BUCKET.to_owned(),
                    key,
                    form,
                },
            )
        }
        StorageCloud::Azure => {
            let blob = format!("{scope}/{upload_id}/{file_name}");
            let signature = base64::engine::general_purpose::STANDARD.encode(random_hex(32));
            let query = form_urlencoded::Serializer::new(String::new())
                .append_pair("sv", "2022-11-02")
                .append_pair("se", &expires_at.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                .append_pair("sr", "b")
                .append_pair("sp", "cw")
                .append_pair("sig", &signature)
                .finish();
            (
                format!("{base}/_storage/azure/{CONTAINER}/{blob}?{query}"),
                BTreeMap::new(),
                UploadTarget::Azure {
                    container: CONTAINER.to_owned(),
                    blob,
                    signature,
                },
            )
        }
        StorageCloud::Gcp => {
            let object = format!("{scope}/{upload_id}/{file_name}");
            let signature = random_hex(64);
            let query = form_urlencoded::Serializer::new(String::new())
                .append_pair("X-Goog-Algorithm", "GOOG4-RSA-SHA256")
                .append_pair(
                    "X-Goog-Credential",
                    &format!(
                        "emulator@confluent-emulator.iam.gserviceaccount.com/{}/auto/storage/goog4_request",
                        now.format("%Y%m%d")
                    ),
                )
                .append_pair("X-Goog-Date", &now.format("%Y%m%dT%H%M%SZ").to_string())
                .append_pair("X-Goog-Expires", &ttl.num_seconds().to_string())
                .append_pair("X-Goog-SignedHeaders", "content-type;host")
                .append_pair("X-Goog-Signature", &signature)
                .finish();
            (
                format!("{base}/_storage/gcs/{BUCKET}/{object}?{query}"),
                BTreeMap::new(),
                UploadTarget::Gcs {
                    bucket: BUCKET.to_owned(),
                    object,
                    signature,
                },
            )
        }
    };
    Issued {
        upload_id,
        upload_url,
        form,
        upload: Upload {
            environment,
            cloud,
            format,
            expires_at,
            target,
            file: None,
        },
    }
}

/// Why an upload cannot back a plugin: a message for a 422 answer.
pub(crate) fn usable<'a>(
    uploads: &'a std::collections::HashMap<String, Upload>,
    upload_id: &str,
    environment: Option<&str>,
    cloud: StorageCloud,
) -> Result<(&'a Upload, &'a UploadedFile), String> {
    let upload = uploads.get(upload_id).ok_or_else(|| {
        format!("upload_id {upload_id:?} is unknown: request a presigned upload URL first")
    })?;
    match (environment, upload.environment.as_deref()) {
        (None, Some(env)) => {
            return Err(format!(
                "upload_id {upload_id:?} was issued by ccpm/v1 for environment {env}; use a connect/v1 presigned upload URL"
            ));
        }
        (Some(_), None) => {
            return Err(format!(
                "upload_id {upload_id:?} was issued by connect/v1; use a ccpm/v1 presigned upload URL"
            ));
        }
        (Some(want), Some(got)) if want != got => {
            return Err(format!(
                "upload_id {upload_id:?} was issued for environment {got}, not {want}"
            ));
        }
        _ => {}
    }
    if upload.cloud != cloud {
        return Err(format!(
            "upload_id {upload_id:?} was issued for cloud {}, not {}",
            upload.cloud.as_str(),
            cloud.as_str()
        ));
    }
    let file = upload.file.as_ref().ok_or_else(|| {
        format!(
            "no archive was uploaded for upload_id {upload_id:?}: send the file to the presigned upload_url first"
        )
    })?;
    Ok((upload, file))
}

/// Escapes element text (quotes stay literal, as in S3's own messages).
fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An S3 (or GCS) error document.
fn s3_error(status: StatusCode, code: &str, message: &str, extra: &[(&str, String)]) -> Response {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{}</Message>",
        xml_escape(message)
    );
    for (k, v) in extra {
        xml.push_str(&format!("<{k}>{}</{k}>", xml_escape(v)));
    }
    let request_id = random_hex(16).to_uppercase();
    xml.push_str(&format!("<RequestId>{request_id}</RequestId></Error>"));
    let mut response = (status, xml).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    // The body may not have been read: the connection cannot serve another request.
    h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-amz-request-id", v);
    }
    response
}

/// An Azure Blob error: XML body and `x-ms-error-code`.
fn azure_error(status: StatusCode, code: &'static str, message: &str) -> Response {
    let request_id = random_uuid();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>{}\nRequestId:{request_id}\nTime:{}</Message></Error>",
        xml_escape(message),
        Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ")
    );
    let mut response = (status, xml).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    h.insert("x-ms-error-code", HeaderValue::from_static(code));
    h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-ms-request-id", v);
    }
    response
}

/// A throttling answer in the format of the storage service of `path`.
pub(crate) fn throttled(path: &str) -> Response {
    if path.starts_with("/_storage/azure/") {
        azure_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServerBusy",
            "The server is busy.",
        )
        .map_status(StatusCode::TOO_MANY_REQUESTS)
    } else {
        s3_error(
            StatusCode::TOO_MANY_REQUESTS,
            "SlowDown",
            "Please reduce your request rate.",
            &[],
        )
    }
}

/// A failure answer with `status` in the format of the storage service of `path`.
pub(crate) fn failed(path: &str, status: StatusCode) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    if path.starts_with("/_storage/azure/") {
        let code = if status.is_server_error() {
            "InternalError"
        } else {
            "InvalidInput"
        };
        azure_error(status, code, reason)
    } else {
        let code = match status.as_u16() {
            503 => "ServiceUnavailable",
            s if s >= 500 => "InternalError",
            _ => "InvalidRequest",
        };
        s3_error(status, code, reason, &[])
    }
}

trait MapStatus {
    fn map_status(self, status: StatusCode) -> Self;
}

impl MapStatus for Response {
    fn map_status(mut self, status: StatusCode) -> Self {
        *self.status_mut() = status;
        self
    }
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

fn looks_like_zip(data: &[u8]) -> bool {
    data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06")
}

fn expired(upload: &Upload) -> bool {
    Utc::now() > upload.expires_at
}

fn etag() -> HeaderValue {
    HeaderValue::from_str(&format!("\"{}\"", random_hex(32)))
        .unwrap_or(HeaderValue::from_static("\"0\""))
}

/// One part of a `multipart/form-data` body.
#[derive(Debug)]
struct Part<'a> {
    name: String,
    data: &'a [u8],
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    let mut i = from;
    while i + needle.len() <= haystack.len() {
        if haystack[i] == first && &haystack[i..i + needle.len()] == needle {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let mime = params.next()?.trim();
    if !mime.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty())
    })
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

/// Splits a `multipart/form-data` body into its parts, in order.
fn parse_multipart<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, &'static str> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut at = find(body, delimiter, 0).ok_or("no multipart boundary in the body")?;
    let mut parts = Vec::new();
    loop {
        let after = at + delimiter.len();
        let rest = &body[after..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        if !rest.starts_with(b"\r\n") {
            return Err("a multipart boundary is not followed by CRLF");
        }
        let headers_start = after + 2;
        let headers_end =
            find(body, b"\r\n\r\n", headers_start).ok_or("a part has no end of headers")?;
        let head = std::str::from_utf8(&body[headers_start..headers_end])
            .map_err(|_| "part headers are not UTF-8")?;
        let mut field = None;
        for line in head.split("\r\n") {
            if let Some((k, v)) = line.split_once(':')
                && k.trim().eq_ignore_ascii_case("content-disposition")
            {
                field = disposition(v.trim());
            }
        }
        let name = field.ok_or("a part has no Content-Disposition form-data name")?;
        let data_start = headers_end + 4;
        let mut closing = Vec::with_capacity(delimiter.len() + 2);
        closing.extend_from_slice(b"\r\n");
        closing.extend_from_slice(delimiter);
        let data_end = find(body, &closing, data_start).ok_or("a part is not terminated")?;
        parts.push(Part {
            name,
            data: &body[data_start..data_end],
        });
        at = data_end + 2;
    }
}

/// `POST /_storage/s3/{bucket}/`: an S3 browser-based upload (POST policy form).
pub(crate) async fn s3_post(
    State(app): State<App>,
    Path(bucket): Path<String>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    if bucket != BUCKET {
        return s3_error(
            StatusCode::NOT_FOUND,
            "NoSuchBucket",
            "The specified bucket does not exist",
            &[("BucketName", bucket)],
        );
    }
    let Some(length) = content_length(&parts.headers) else {
        return s3_error(
            StatusCode::LENGTH_REQUIRED,
            "MissingContentLength",
            "You must provide the Content-Length HTTP header.",
            &[],
        );
    };
    let max = app.settings.max_upload_size;
    let too_large = |proposed: u64| {
        s3_error(
            StatusCode::BAD_REQUEST,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size",
            &[
                ("ProposedSize", proposed.to_string()),
                ("MaxSizeAllowed", max.to_string()),
            ],
        )
    };
    if length > max.saturating_add(FORM_OVERHEAD) {
        return too_large(length);
    }
    let Some(boundary) = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(boundary)
    else {
        return s3_error(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            "Bucket POST must be of the enclosure-type multipart/form-data",
            &[],
        );
    };
    let limit = usize::try_from(max.saturating_add(FORM_OVERHEAD)).unwrap_or(usize::MAX);
    let Ok(body) = to_bytes(body, limit).await else {
        return too_large(length);
    };
    let malformed = || {
        s3_error(
            StatusCode::BAD_REQUEST,
            "MalformedPOSTRequest",
            "The body of your POST request is not well-formed multipart/form-data.",
            &[],
        )
    };
    let Ok(form) = parse_multipart(&body, &boundary) else {
        return malformed();
    };
    let Some(file_index) = form
        .iter()
        .position(|p| p.name.eq_ignore_ascii_case("file"))
    else {
        return s3_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "POST requires exactly one file upload per request.",
            &[("ArgumentName", "file".to_owned())],
        );
    };
    if let Some(after) = form.get(file_index + 1) {
        // S3 ignores every field after the file, so a form in that order fails there with
        // a confusing policy error; say so directly.
        return s3_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            &format!(
                "The file must be the last field of the form; field {:?} comes after it and S3 would ignore it.",
                after.name
            ),
            &[("ArgumentName", after.name.clone())],
        );
    }
    let mut fields = BTreeMap::new();
    for p in &form[..file_index] {
        let Ok(value) = std::str::from_utf8(p.data) else {
            return malformed();
        };
        fields.insert(p.name.to_ascii_lowercase(), value.to_owned());
    }
    let file = &form[file_index];
    let Some(key) = fields.get("key") else {
        return s3_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
            &[("ArgumentName", "key".to_owned())],
        );
    };
    let mut state = app.state();
    let found = state.uploads.iter_mut().find(|(_, u)| {
        matches!(&u.target, UploadTarget::S3 { bucket: b, key: k, .. } if *b == bucket && k == key)
    });
    let Some((_, upload)) = found else {
        return s3_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            &format!(
                "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$key\", {key:?}]"
            ),
            &[],
        );
    };
    let UploadTarget::S3 { form: expected, .. } = &upload.target else {
        return malformed();
    };
    for (name, value) in expected {
        match fields.get(name) {
            Some(v) if v == value => {}
            _ if name == "x-amz-signature" => {
                return s3_error(
                    StatusCode::FORBIDDEN,
                    "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
                    &[],
                );
            }
            None if name == "policy" => {
                return s3_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidArgument",
                    "Bucket POST must contain a field named 'policy'.  If it is specified, please check the order of the fields.",
                    &[("ArgumentName", "policy".to_owned())],
                );
            }
            _ => {
                return s3_error(
                    StatusCode::FORBIDDEN,
                    "AccessDenied",
                    &format!(
                        "Invalid according to Policy: Policy Condition failed: [\"eq\", \"${name}\", {value:?}]"
                    ),
                    &[],
                );
            }
        }
    }
    if let Some(extra) = fields
        .keys()
        .find(|k| !expected.contains_key(*k) && !k.starts_with("x-ignore-"))
    {
        return s3_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            &format!("Invalid according to Policy: Extra input fields: {extra}"),
            &[],
        );
    }
    if expired(upload) {
        return s3_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Invalid according to Policy: Policy expired.",
            &[],
        );
    }
    let size = file.data.len() as u64;
    if size > max {
        return too_large(size);
    }
    if size == 0 {
        return s3_error(
            StatusCode::BAD_REQUEST,
            "EntityTooSmall",
            "Your proposed upload is smaller than the minimum allowed size",
            &[
                ("ProposedSize", "0".to_owned()),
                ("MinSizeAllowed", "1".to_owned()),
            ],
        );
    }
    upload.file = Some(UploadedFile {
        size,
        is_zip: looks_like_zip(file.data),
    });
    let location = format!("{}/_storage/s3/{bucket}/{key}", app.base_url);
    drop(state);
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
    let auth_failed = |why: &str| {
        azure_error(
            StatusCode::FORBIDDEN,
            "AuthenticationFailed",
            &format!(
                "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature. {why}"
            ),
        )
    };
    let max = app.settings.max_upload_size;
    {
        let state = app.state();
        let upload = state.uploads.values().find(|u| {
            matches!(&u.target, UploadTarget::Azure { container: c, blob: b, .. } if *c == container && *b == blob)
        });
        let Some(upload) = upload else {
            return auth_failed("No SAS was issued for this blob.");
        };
        let UploadTarget::Azure { signature, .. } = &upload.target else {
            return auth_failed("No SAS was issued for this blob.");
        };
        if query.get("sig") != Some(signature.as_str()) {
            return auth_failed("Signature did not match.");
        }
        if expired(upload) {
            return auth_failed("Signed expiry time has passed.");
        }
    }
    match headers.get("x-ms-blob-type").and_then(|v| v.to_str().ok()) {
        None => {
            return azure_error(
                StatusCode::BAD_REQUEST,
                "MissingRequiredHeader",
                "An HTTP header that's mandatory for this request is not specified. (x-ms-blob-type)",
            );
        }
        Some(t) if t != "BlockBlob" => {
            return azure_error(
                StatusCode::BAD_REQUEST,
                "InvalidHeaderValue",
                "The value for one of the HTTP headers is not in the correct format. (x-ms-blob-type)",
            );
        }
        Some(_) => {}
    }
    let Some(length) = content_length(&headers) else {
        return azure_error(
            StatusCode::LENGTH_REQUIRED,
            "MissingContentLengthHeader",
            "Content-Length HTTP header is missing.",
        );
    };
    let too_large = || {
        azure_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestBodyTooLarge",
            "The request body is too large and exceeds the maximum permissible limit.",
        )
    };
    if length > max {
        return too_large();
    }
    let Ok(data) = to_bytes(body, usize::try_from(max).unwrap_or(usize::MAX)).await else {
        return too_large();
    };
    if data.is_empty() {
        return azure_error(
            StatusCode::BAD_REQUEST,
            "InvalidInput",
            "One of the request inputs is not valid. (empty blob)",
        );
    }
    {
        let mut state = app.state();
        if let Some(upload) = state.uploads.values_mut().find(|u| {
            matches!(&u.target, UploadTarget::Azure { container: c, blob: b, .. } if *c == container && *b == blob)
        }) {
            upload.file = Some(UploadedFile {
                size: data.len() as u64,
                is_zip: looks_like_zip(&data),
            });
        }
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
    let signature_mismatch = || {
        s3_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "Access denied. The request signature we calculated does not match the signature you provided. Check your Google secret key and signing method.",
            &[],
        )
    };
    let max = app.settings.max_upload_size;
    let (format, expires_at): (ArchiveFormat, DateTime<Utc>) = {
        let state = app.state();
        let upload = state.uploads.values().find(|u| {
            matches!(&u.target, UploadTarget::Gcs { bucket: b, object: o, .. } if *b == bucket && *o == object)
        });
        let Some(upload) = upload else {
            return signature_mismatch();
        };
        let UploadTarget::Gcs { signature, .. } = &upload.target else {
            return signature_mismatch();
        };
        if query.get("X-Goog-Signature") != Some(signature.as_str()) {
            return signature_mismatch();
        }
        (upload.format, upload.expires_at)
    };
    if Utc::now() > expires_at {
        return s3_error(
            StatusCode::BAD_REQUEST,
            "ExpiredToken",
            "Invalid argument. The provided token has expired. Request signature expired.",
            &[],
        );
    }
    // The URL was signed with the content type of the archive format.
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type != format.mime() {
        return signature_mismatch();
    }
    let Some(length) = content_length(&headers) else {
        return s3_error(
            StatusCode::LENGTH_REQUIRED,
            "MissingContentLength",
            "Length Required: the request needs a Content-Length header.",
            &[],
        );
    };
    let too_large = |proposed: u64| {
        s3_error(
            StatusCode::BAD_REQUEST,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size",
            &[
                ("ProposedSize", proposed.to_string()),
                ("MaxSizeAllowed", max.to_string()),
            ],
        )
    };
    if length > max {
        return too_large(length);
    }
    let Ok(data) = to_bytes(body, usize::try_from(max).unwrap_or(usize::MAX)).await else {
        return too_large(length);
    };
    if data.is_empty() {
        return s3_error(
            StatusCode::BAD_REQUEST,
            "EntityTooSmall",
            "Your proposed upload is smaller than the minimum allowed size",
            &[],
        );
    }
    {
        let mut state = app.state();
        if let Some(upload) = state.uploads.values_mut().find(|u| {
            matches!(&u.target, UploadTarget::Gcs { bucket: b, object: o, .. } if *b == bucket && *o == object)
        }) {
            upload.file = Some(UploadedFile {
                size: data.len() as u64,
                is_zip: looks_like_zip(&data),
            });
        }
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
    fn multipart_parts_come_in_order() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\na/b\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.zip\"\r\nContent-Type: application/zip\r\n\r\nPK\x03\x04\r\n--data\r\n--XyZ--\r\n";
        let parts = parse_multipart(body, "XyZ").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "key");
        assert_eq!(parts[0].data, b"a/b");
        assert_eq!(parts[1].name, "file");
        assert_eq!(parts[1].data, b"PK\x03\x04\r\n--data");
        assert!(looks_like_zip(parts[1].data));
        assert!(parse_multipart(b"--XyZ\r\nno headers end", "XyZ").is_err());
        assert!(parse_multipart(b"garbage", "XyZ").is_err());
    }

    #[test]
    fn boundary_is_read_from_the_content_type() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"abc def\"").as_deref(),
            Some("abc def")
        );
        assert_eq!(
            boundary("Multipart/Form-Data;boundary=x1").as_deref(),
            Some("x1")
        );
        assert_eq!(boundary("application/json"), None);
        assert_eq!(boundary("multipart/form-data"), None);
    }
}
