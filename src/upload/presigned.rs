//! The presigned answer and the upload to the storage URL it names.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tracing::Instrument as _;

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::{StatusCode, Url};
use serde::Deserialize;
use serde::de;

use crate::error::read_capped;
use crate::{Error, Result};

use super::storage_error::{header_str, storage_error, storage_request_id, storage_transport};
use super::stream::{file_stream, s3_form};
use super::{Archive, ArchiveFormat, UploadFormData, UploadOptions, UploadReceipt};

/// How an archive travels to the storage service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UploadProtocol {
    /// AWS S3 presigned POST: `multipart/form-data` with the policy fields, then `file`.
    S3PostForm,
    /// Azure Blob Storage: `PUT` to a SAS URL with `x-ms-blob-type: BlockBlob`.
    AzureBlobPut,
    /// Google Cloud Storage signed URL: `PUT` of the raw bytes.
    GcsPut,
}

impl UploadProtocol {
    /// The protocol of a cloud as the APIs name it (`AWS`, `AZURE`, `GCP`; any case).
    pub fn for_cloud(cloud: &str) -> Option<Self> {
        match cloud.trim().to_ascii_uppercase().as_str() {
            "AWS" => Some(UploadProtocol::S3PostForm),
            "AZURE" => Some(UploadProtocol::AzureBlobPut),
            "GCP" => Some(UploadProtocol::GcsPut),
            _ => None,
        }
    }
}

/// Where and how to upload one archive: the answer of either API's
/// `POST .../presigned-upload-url`, with `upload_form_data` kept in server order.
///
/// Get one from [`Connect::presigned_upload`](crate::connect::Connect::presigned_upload) or
/// [`Environment::presigned_upload`](crate::ccpm::Environment::presigned_upload), or decode
/// a saved answer with [`from_json`](Self::from_json). `Debug` shows no form value and no
/// URL query, since they hold the storage signature.
#[derive(Clone)]
pub struct PresignedUpload {
    upload_url: String,
    upload_id: String,
    form_fields: UploadFormData,
    cloud: Option<String>,
    content_format: Option<String>,
    requested_cloud: Option<String>,
}

impl fmt::Debug for PresignedUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = Url::parse(&self.upload_url)
            .map(|u| format!("{}{}", crate::http::transport::origin(&u), u.path()))
            .unwrap_or_else(|_| crate::http::REDACTED.to_owned());
        let names: Vec<&str> = self
            .form_fields
            .fields()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        f.debug_struct("PresignedUpload")
            .field("upload_url", &url)
            .field("upload_id", &self.upload_id)
            .field("form_field_names", &names)
            .field("cloud", &self.cloud)
            .field("content_format", &self.content_format)
            .field("requested_cloud", &self.requested_cloud)
            .finish()
    }
}

/// The wire shape shared by both APIs' presigned-URL answers; unknown fields are ignored.
#[derive(Deserialize)]
struct PresignedWire {
    upload_url: String,
    upload_id: String,
    #[serde(default)]
    upload_form_data: Option<UploadFormData>,
    #[serde(default)]
    cloud: Option<String>,
    #[serde(default)]
    content_format: Option<String>,
}

impl PresignedUpload {
    /// Decodes a presigned-URL answer of either API (the JSON body as returned), keeping
    /// `upload_form_data` in document order. `upload_url` and `upload_id` are required.
    ///
    /// ```
    /// let body = br#"{"upload_url":"https://bucket.s3.amazonaws.com/","upload_id":"u-1",
    ///   "upload_form_data":{"key":"a/plugin.zip","policy":"p","x-amz-signature":"s","bucket":"b"}}"#;
    /// let p = ccloud_connect::upload::PresignedUpload::from_json(body).unwrap();
    /// let names: Vec<&str> = p.form_fields().iter().map(|(k, _)| k.as_str()).collect();
    /// assert_eq!(names, ["key", "policy", "x-amz-signature", "bucket"]);
    /// ```
    pub fn from_json(body: &[u8]) -> Result<Self> {
        Self::decode(body, "presigned-upload-url", "from_json", None)
    }

    fn decode(
        body: &[u8],
        api: &'static str,
        operation: &str,
        status: Option<StatusCode>,
    ) -> Result<Self> {
        let wire: PresignedWire = serde_json::from_slice(body)
            // No snippet: the body carries the storage's signature and policy.
            .map_err(|e| crate::error::decode(api, operation, status, b"", e))?;
        Ok(PresignedUpload {
            upload_url: wire.upload_url,
            upload_id: wire.upload_id,
            form_fields: wire.upload_form_data.unwrap_or_default(),
            cloud: wire.cloud.filter(|c| !c.trim().is_empty()),
            content_format: wire.content_format.filter(|c| !c.trim().is_empty()),
            requested_cloud: None,
        })
    }

    /// The presigned answer of a typed operation: `upload_url` and `upload_id` are required.
    pub(crate) fn from_answer(
        api: &'static str,
        upload_url: Option<String>,
        upload_id: Option<String>,
        form_fields: Option<UploadFormData>,
        cloud: Option<String>,
        content_format: Option<String>,
    ) -> Result<Self> {
        const OP: &str = "create_presigned_upload_url";
        Ok(PresignedUpload {
            upload_url: upload_url.ok_or_else(|| missing_in_answer(api, OP, "upload_url"))?,
            upload_id: upload_id.ok_or_else(|| missing_in_answer(api, OP, "upload_id"))?,
            form_fields: form_fields.unwrap_or_default(),
            cloud: cloud.filter(|c| !c.trim().is_empty()),
            content_format: content_format.filter(|c| !c.trim().is_empty()),
            requested_cloud: None,
        })
    }

    /// Records the cloud the URL was requested for (`AWS`, `AZURE`, `GCP`), used by
    /// [`protocol`](Self::protocol) when the answer names no cloud. The API helpers of this
    /// module set it themselves.
    pub fn with_requested_cloud(mut self, cloud: &str) -> Self {
        self.requested_cloud = Some(cloud.to_owned());
        self
    }

    /// The storage URL.
    pub fn upload_url(&self) -> &str {
        &self.upload_url
    }

    /// The id to quote as `upload_source.upload_id` when creating the plugin or version.
    pub fn upload_id(&self) -> &str {
        &self.upload_id
    }

    /// The `upload_form_data` fields, in the order the server sent them.
    pub fn form_fields(&self) -> &[(String, String)] {
        self.form_fields.fields()
    }

    /// The `cloud` of the answer, when it had one.
    pub fn cloud(&self) -> Option<&str> {
        self.cloud.as_deref()
    }

    /// The `content_format` of the answer, when it had one.
    pub fn content_format(&self) -> Option<&str> {
        self.content_format.as_deref()
    }

    /// The storage protocol to use, by the first rule that applies:
    ///
    /// 1. the `cloud` of the presigned answer (`AWS` → [`UploadProtocol::S3PostForm`],
    ///    `AZURE` → [`UploadProtocol::AzureBlobPut`], `GCP` → [`UploadProtocol::GcsPut`]);
    ///    the server signed the URL for that cloud, so it wins over what was asked;
    /// 2. the cloud the URL was requested for ([`with_requested_cloud`](Self::with_requested_cloud),
    ///    set by [`Connect::presigned_upload`](crate::connect::Connect::presigned_upload) and
    ///    [`Environment::presigned_upload`](crate::ccpm::Environment::presigned_upload));
    /// 3. S3 when the answer carries `upload_form_data` (only S3 POST policies have fields).
    ///
    /// A cloud this crate does not know, or an answer that none of the rules decides, is a
    /// validation error: guessing would send the archive in a form the storage refuses.
    pub fn protocol(&self) -> Result<UploadProtocol> {
        let named = self
            .cloud
            .as_deref()
            .map(|c| (c, "the presigned answer's cloud"))
            .or_else(|| {
                self.requested_cloud
                    .as_deref()
                    .map(|c| (c, "the requested cloud"))
            });
        if let Some((cloud, source)) = named {
            return UploadProtocol::for_cloud(cloud).ok_or_else(|| {
                Error::validation(
                    "cloud",
                    cloud,
                    format!("{source} is not one this crate can upload to (AWS, AZURE, GCP)"),
                )
            });
        }
        if !self.form_fields.is_empty() {
            return Ok(UploadProtocol::S3PostForm);
        }
        Err(Error::validation(
            "cloud",
            "",
            "the presigned answer names no cloud and has no form fields: say which cloud the URL \
             was requested for with PresignedUpload::with_requested_cloud",
        ))
    }

    /// Checks everything about this upload that can be checked without sending anything.
    fn preflight(&self, archive: &Archive) -> Result<(UploadProtocol, Url)> {
        let protocol = self.protocol()?;
        let url = Url::parse(&self.upload_url).map_err(|e| {
            Error::validation("upload_url", redact_url(&self.upload_url), e.to_string())
        })?;
        if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
            return Err(Error::validation(
                "upload_url",
                redact_url(&self.upload_url),
                "must be an http(s) URL with a host",
            ));
        }
        if let Some(format) = self.content_format.as_deref()
            && ArchiveFormat::from_wire(format) != Some(archive.format())
        {
            return Err(Error::validation(
                "archive",
                archive.path().display().to_string(),
                format!(
                    "is a {} archive but the presigned URL was issued for {format}",
                    archive.format()
                ),
            ));
        }
        if protocol == UploadProtocol::S3PostForm {
            if self.form_fields.is_empty() {
                return Err(Error::validation(
                    "upload_form_data",
                    "",
                    "an S3 presigned POST needs the policy fields of the presigned answer",
                ));
            }
            if let Some((name, _)) = self.form_fields.fields().iter().find(|(k, _)| k == "file") {
                // S3 takes the first `file` part as the object: a text field of that name
                // would be stored instead of the archive.
                return Err(Error::validation(
                    "upload_form_data",
                    name.clone(),
                    "must not contain a field named `file`",
                ));
            }
        }
        Ok((protocol, url))
    }

    /// Uploads `archive` to the storage service with the protocol of
    /// [`protocol`](Self::protocol), streaming it from disk.
    ///
    /// Everything checkable is checked first, and nothing is sent when a check fails: the
    /// protocol, the URL, that the archive's format is the one the URL was issued for, the
    /// S3 form fields, and that the file still has the size it had when opened.
    ///
    /// The request goes through an HTTP client of its own: no Confluent `Authorization`
    /// header, no default headers, no redirects, and [`UploadOptions::timeout`] for the
    /// whole transfer. A storage error answer becomes [`Error::Storage`] with the storage's
    /// status, code (`<Code>` of an S3/GCS XML body, `x-ms-error-code` for Azure) and message;
    /// an expired policy carries a hint to request a new URL.
    pub async fn upload(
        &self,
        archive: &Archive,
        options: &UploadOptions,
    ) -> Result<UploadReceipt> {
        // No field holds the URL or a form value: they carry the storage's signature.
        let span = tracing::debug_span!(
            "ccloud_connect::upload",
            upload_id = %self.upload_id,
            bytes = archive.len(),
            protocol = tracing::field::Empty,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = self
            .send_archive(archive, options)
            .instrument(span.clone())
            .await;
        if let Ok(receipt) = &result {
            span.record("status", receipt.status.as_u16());
        }
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        result
    }

    async fn send_archive(
        &self,
        archive: &Archive,
        options: &UploadOptions,
    ) -> Result<UploadReceipt> {
        let (protocol, url) = self.preflight(archive)?;
        tracing::Span::current().record("protocol", tracing::field::debug(protocol));
        let file = archive.reopen_within(options.timeout).await?;
        let client = options.storage_client()?;
        let failure: Arc<Mutex<Option<std::io::Error>>> = Arc::default();
        let content = file_stream(
            file,
            archive.len(),
            options.chunk_size,
            options.progress.clone(),
            failure.clone(),
        );
        let media_type = archive.format().media_type();

        let request = match protocol {
            UploadProtocol::S3PostForm => client.post(url).multipart(s3_form(
                self.form_fields.fields(),
                archive.file_name(),
                media_type,
                reqwest::Body::wrap_stream(content),
                archive.len(),
            )?),
            UploadProtocol::AzureBlobPut => client
                .put(url)
                .header("x-ms-blob-type", "BlockBlob")
                .header(CONTENT_TYPE, media_type)
                .header(CONTENT_LENGTH, archive.len())
                .body(reqwest::Body::wrap_stream(content)),
            UploadProtocol::GcsPut => client
                .put(url)
                .header(CONTENT_TYPE, media_type)
                .header(CONTENT_LENGTH, archive.len())
                .body(reqwest::Body::wrap_stream(content)),
        };

        tracing::debug!("uploading plugin archive");
        let started = Instant::now();
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => {
                if let Some(io) = failure.lock().ok().and_then(|mut f| f.take()) {
                    return Err(Error::Io {
                        context: format!("reading {} while uploading it", archive.path().display()),
                        source: io,
                    });
                }
                return Err(storage_transport(e, options.timeout));
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        if !status.is_success() {
            let body = read_capped(response).await;
            return Err(Error::Storage(Box::new(storage_error(
                status, &headers, &body,
            ))));
        }
        // A success body (empty for S3's default 204, empty for Azure and GCS) adds nothing
        // to the status; it is read only so the exchange ends cleanly.
        let _ = read_capped(response).await;
        archive.check_unchanged().await?;
        Ok(UploadReceipt {
            upload_id: self.upload_id.clone(),
            protocol,
            status,
            bytes: archive.len(),
            etag: header_str(&headers, "etag"),
            request_id: storage_request_id(&headers, &[]),
            elapsed: started.elapsed(),
        })
    }
}

fn redact_url(raw: &str) -> String {
    match raw.split_once('?') {
        Some((base, _)) => format!("{base}?{}", crate::http::REDACTED),
        None => raw.to_owned(),
    }
}

/// A decode error for an answer that lacks `field`.
pub(crate) fn missing_in_answer(api: &'static str, operation: &str, field: &'static str) -> Error {
    crate::error::decode(
        api,
        operation,
        None,
        b"",
        <serde_json::Error as de::Error>::missing_field(field),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_rules() {
        let p = |json: &str| PresignedUpload::from_json(json.as_bytes()).unwrap();
        let with_fields = p(r#"{"upload_url":"u","upload_id":"i","upload_form_data":{"k":"v"}}"#);
        assert_eq!(with_fields.protocol().unwrap(), UploadProtocol::S3PostForm);
        // The answer's cloud beats the requested one.
        let azure = p(r#"{"upload_url":"u","upload_id":"i","cloud":"AZURE"}"#);
        assert_eq!(
            azure.with_requested_cloud("GCP").protocol().unwrap(),
            UploadProtocol::AzureBlobPut
        );
        let bare = p(r#"{"upload_url":"u","upload_id":"i"}"#);
        assert!(bare.protocol().unwrap_err().is_validation());
        assert_eq!(
            bare.clone().with_requested_cloud("gcp").protocol().unwrap(),
            UploadProtocol::GcsPut
        );
        assert!(
            bare.with_requested_cloud("ORACLE")
                .protocol()
                .unwrap_err()
                .is_validation()
        );
    }
}
