//! Plugin archive upload to a presigned storage URL, and one-call publishing of custom
//! connector plugins (`connect/v1`) and ccpm plugin versions (`ccpm/v1`).
//!
//! # The three steps, and what this module does for each
//!
//! 1. **Ask for a presigned URL** ([`ConnectApi::presigned_upload`],
//!    [`CcpmApi::presigned_upload`]). The answer is decoded into a [`PresignedUpload`] that
//!    keeps `upload_form_data` **in the order the server sent it** (the generated
//!    `PresignedUrl` type stores it in a sorted map, which is fine for reading but not for
//!    replaying a form).
//! 2. **Upload the archive** ([`PresignedUpload::upload`]) to the storage service, with a
//!    separate HTTP client that carries no Confluent credential, streaming the file from disk
//!    in bounded chunks with a `Content-Length` (never a chunked body):
//!    * AWS ([`UploadProtocol::S3PostForm`]): `POST upload_url` as `multipart/form-data`,
//!      every `upload_form_data` field as a text part in server order, then the part `file`
//!      (with the archive's file name) last — S3 ignores fields after the file.
//!    * Azure ([`UploadProtocol::AzureBlobPut`]): `PUT upload_url` (a SAS URL) with the raw
//!      bytes, `x-ms-blob-type: BlockBlob`, `Content-Type` and `Content-Length`.
//!    * GCP ([`UploadProtocol::GcsPut`]): `PUT upload_url` with the raw bytes and
//!      `Content-Type`.
//! 3. **Create the plugin or version** from the `upload_id`
//!    ([`ConnectApi::publish_custom_plugin`] and [`CcpmApi::publish_plugin_version`] do all
//!    three steps, and for ccpm optionally wait until the version is `READY`).
//!
//! # How the storage protocol is chosen
//!
//! See [`PresignedUpload::protocol`]: the `cloud` of the presigned answer when present, else
//! the cloud the URL was requested for, else S3 when the answer has form fields.
//!
//! # Validation
//!
//! [`Archive::open`] checks the file before anything is sent: it exists, is a regular file,
//! is not empty, its extension (`.zip`/`.jar`) matches the [`ArchiveFormat`], and its size is
//! within a cap ([`DEFAULT_MAX_ARCHIVE_SIZE`] unless set with
//! [`Archive::open_with_max_size`]). The publish calls check it again (and their own
//! arguments) before their first request.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use futures::stream::{self, Stream, StreamExt};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap};
use reqwest::{StatusCode, Url};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::ccpm::{self, CcpmApi};
use crate::connect::{self, ConnectApi};
use crate::error::{ApiError, read_capped};
use crate::lifecycle::{Verdict, poll_until};
use crate::transport::Inner;
use crate::{Error, Result, WaitOptions};

/// The largest archive [`Archive::open`] accepts: 1 GiB (the official CLI's own cap).
pub const DEFAULT_MAX_ARCHIVE_SIZE: u64 = 1 << 30;

/// Time allowed for one storage upload, request and answer included, unless set with
/// [`UploadOptions::timeout`]: 30 minutes.
pub const DEFAULT_UPLOAD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_CHUNK_SIZE: usize = 256 * 1024;
const MIN_CHUNK_SIZE: usize = 64 * 1024;
const MAX_CHUNK_SIZE: usize = 1024 * 1024;
/// Chunks read ahead of the connection: the file reader stays this far ahead, so memory
/// in flight is at most `(READ_AHEAD + 2) * chunk_size` (the queued chunks, one waiting to
/// be queued, one being sent) plus the HTTP stack's buffer.
const READ_AHEAD: usize = 3;

const EXPIRED_HINT: &str =
    "the upload policy has expired: request a new presigned URL (they expire after one hour)";

// ---------------------------------------------------------------------------------------
// Archive
// ---------------------------------------------------------------------------------------

/// The archive format of a plugin, as both APIs name it (`content_format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArchiveFormat {
    /// A `.zip` archive (`ZIP`, `application/zip`).
    Zip,
    /// A `.jar` archive (`JAR`, `application/java-archive`).
    Jar,
}

impl ArchiveFormat {
    /// The wire name: `ZIP` or `JAR`.
    pub fn as_str(self) -> &'static str {
        match self {
            ArchiveFormat::Zip => "ZIP",
            ArchiveFormat::Jar => "JAR",
        }
    }

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ArchiveFormat::Zip => "zip",
            ArchiveFormat::Jar => "jar",
        }
    }

    /// The media type sent as `Content-Type` to the storage service.
    pub fn media_type(self) -> &'static str {
        match self {
            ArchiveFormat::Zip => "application/zip",
            ArchiveFormat::Jar => "application/java-archive",
        }
    }

    /// The format named by a wire value (`ZIP`/`JAR`, any case).
    pub fn from_wire(value: &str) -> Option<Self> {
        match value.to_ascii_uppercase().as_str() {
            "ZIP" => Some(ArchiveFormat::Zip),
            "JAR" => Some(ArchiveFormat::Jar),
            _ => None,
        }
    }

    /// The format a path's extension names (`.zip`/`.jar`, any case).
    ///
    /// ```
    /// use ccloud_connect::ArchiveFormat;
    /// assert_eq!(ArchiveFormat::from_path("plugins/datagen.JAR"), Some(ArchiveFormat::Jar));
    /// assert_eq!(ArchiveFormat::from_path("datagen.tar.gz"), None);
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Option<Self> {
        let ext = path.as_ref().extension()?.to_str()?;
        Self::from_wire(ext)
    }
}

impl fmt::Display for ArchiveFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<ArchiveFormat> for connect::ContentFormat {
    fn from(value: ArchiveFormat) -> Self {
        match value {
            ArchiveFormat::Zip => connect::ContentFormat::Zip,
            ArchiveFormat::Jar => connect::ContentFormat::Jar,
        }
    }
}

impl From<ArchiveFormat> for ccpm::ContentFormat {
    fn from(value: ArchiveFormat) -> Self {
        match value {
            ArchiveFormat::Zip => ccpm::ContentFormat::Zip,
            ArchiveFormat::Jar => ccpm::ContentFormat::Jar,
        }
    }
}

/// A plugin archive on disk, checked and ready to upload.
///
/// Holds the path and the size seen when it was checked, not the content: the upload
/// streams the file, and refuses it if its size changed in between.
///
/// ```no_run
/// use ccloud_connect::{Archive, ArchiveFormat};
/// let archive = Archive::open("target/my-connector-1.0.zip", ArchiveFormat::Zip)?;
/// println!("{} bytes", archive.len());
/// # Ok::<(), ccloud_connect::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Archive {
    path: PathBuf,
    file_name: String,
    format: ArchiveFormat,
    len: u64,
}

impl Archive {
    /// Checks the file at `path` as an archive of `format`, with a size cap of
    /// [`DEFAULT_MAX_ARCHIVE_SIZE`]. Reads the file's metadata only; sends nothing.
    ///
    /// Fails with [`Error::Validation`] (field `archive`) when the file does not exist, is
    /// not a regular file, is empty, is larger than the cap, or has an extension other than
    /// the format's (`.zip` for [`ArchiveFormat::Zip`], `.jar` for [`ArchiveFormat::Jar`]).
    pub fn open(path: impl AsRef<Path>, format: ArchiveFormat) -> Result<Self> {
        Self::open_with_max_size(path, format, DEFAULT_MAX_ARCHIVE_SIZE)
    }

    /// Like [`open`](Self::open), with the caller's size cap in bytes (inclusive).
    pub fn open_with_max_size(
        path: impl AsRef<Path>,
        format: ArchiveFormat,
        max_size: u64,
    ) -> Result<Self> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let refuse = |reason: String| Error::validation("archive", shown.clone(), reason);

        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| refuse("has no file name".to_owned()))?;
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        if extension.as_deref() != Some(format.extension()) {
            return Err(refuse(format!(
                "a {format} archive must have the extension .{}, this one has {}",
                format.extension(),
                extension.map_or_else(|| "none".to_owned(), |e| format!(".{e}"))
            )));
        }
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(refuse("does not exist".to_owned()));
            }
            Err(e) => return Err(refuse(format!("cannot be read: {e}"))),
        };
        if !meta.is_file() {
            return Err(refuse("is not a regular file".to_owned()));
        }
        let len = meta.len();
        if len == 0 {
            return Err(refuse("is empty".to_owned()));
        }
        if len > max_size {
            return Err(refuse(format!(
                "is {len} bytes, more than the limit of {max_size} bytes"
            )));
        }
        Ok(Archive {
            path: path.to_owned(),
            file_name,
            format,
            len,
        })
    }

    /// The path given to [`open`](Self::open).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file name sent with the multipart `file` part.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The archive format.
    pub fn format(&self) -> ArchiveFormat {
        self.format
    }

    /// The size in bytes when the archive was checked.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Always `false`: an empty file is refused by [`open`](Self::open).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Opens the file and confirms it is still the regular file of the checked size.
    ///
    /// Blocking: run it on a blocking thread. The type is checked before the open because
    /// opening a FIFO put in the archive's place would wait for a writer forever.
    fn reopen(&self) -> Result<std::fs::File> {
        let shown = self.path.display().to_string();
        let replaced = |now: String| {
            Error::validation(
                "archive",
                shown.clone(),
                format!(
                    "changed since it was checked (a regular file of {} bytes then, {now}); open it again",
                    self.len
                ),
            )
        };
        match std::fs::metadata(&self.path) {
            Ok(meta) if !meta.is_file() => {
                return Err(replaced("not a regular file now".to_owned()));
            }
            Ok(_) => {}
            Err(e) => {
                return Err(Error::Io {
                    context: format!("opening the archive {shown}"),
                    source: e,
                });
            }
        }
        let file = std::fs::File::open(&self.path).map_err(|e| Error::Io {
            context: format!("opening the archive {shown}"),
            source: e,
        })?;
        let meta = file.metadata().map_err(|e| Error::Io {
            context: format!("reading the metadata of the archive {shown}"),
            source: e,
        })?;
        if !meta.is_file() {
            return Err(replaced("not a regular file now".to_owned()));
        }
        if meta.len() != self.len {
            return Err(replaced(format!("{} bytes now", meta.len())));
        }
        Ok(file)
    }

    /// [`reopen`](Self::reopen) on a blocking thread, within `timeout`.
    async fn reopen_within(&self, timeout: Duration) -> Result<std::fs::File> {
        let archive = self.clone();
        let opening = tokio::task::spawn_blocking(move || archive.reopen());
        let context = || format!("opening the archive {}", self.path.display());
        match tokio::time::timeout(timeout, opening).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(Error::Io {
                context: context(),
                source: std::io::Error::other(join),
            }),
            Err(_) => Err(Error::Io {
                context: context(),
                source: std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("not opened within the upload timeout of {timeout:?}"),
                ),
            }),
        }
    }

    /// Fails when the file no longer has the length that was uploaded: a file that grew
    /// after its last chunk was read was stored cut at the announced length.
    async fn check_unchanged(&self) -> Result<()> {
        let path = self.path.clone();
        let len = tokio::task::spawn_blocking(move || std::fs::metadata(path).map(|m| m.len()))
            .await
            .map_err(std::io::Error::other)
            .and_then(|r| r);
        match len {
            Ok(len) if len == self.len => Ok(()),
            Ok(len) => Err(Error::Io {
                context: format!("uploading {}", self.path.display()),
                source: std::io::Error::other(format!(
                    "the archive changed while it was being uploaded ({} bytes were sent, it \
                     has {len} now): the stored object is not the file; upload it again",
                    self.len
                )),
            }),
            Err(e) => Err(Error::Io {
                context: format!("checking {} after its upload", self.path.display()),
                source: e,
            }),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Presigned upload
// ---------------------------------------------------------------------------------------

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
/// Get one from [`ConnectApi::presigned_upload`] or [`CcpmApi::presigned_upload`], or decode
/// a saved answer with [`from_json`](Self::from_json). `Debug` shows no form value and no
/// URL query, since they hold the storage signature.
#[derive(Clone)]
pub struct PresignedUpload {
    upload_url: String,
    upload_id: String,
    form_fields: Vec<(String, String)>,
    cloud: Option<String>,
    content_format: Option<String>,
    requested_cloud: Option<String>,
}

impl fmt::Debug for PresignedUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = Url::parse(&self.upload_url)
            .map(|u| format!("{}{}", crate::transport::origin(&u), u.path()))
            .unwrap_or_else(|_| crate::auth::REDACTED.to_owned());
        let names: Vec<&str> = self.form_fields.iter().map(|(k, _)| k.as_str()).collect();
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

/// The `upload_form_data` of a presigned-URL answer: the form fields an S3 upload posts
/// before the file, **in the order the server sent them** (S3 reads the form in order, so a
/// map that sorts them would break the policy check), each value as text.
///
/// The published schemas allow any value while their prose says strings: a number or a
/// boolean is kept as its JSON text (`1`, `true`), so the typed operations and
/// [`PresignedUpload`] decode the same answers. An array, an object or `null` is refused.
///
/// `Debug` shows the field names only: the values hold the storage policy and signature.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct UploadFormData(Vec<(String, String)>);

impl UploadFormData {
    /// The fields, in server order.
    pub fn fields(&self) -> &[(String, String)] {
        &self.0
    }

    /// The value of the first field called `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no field (Azure and GCP answers).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<(String, String)>> for UploadFormData {
    fn from(fields: Vec<(String, String)>) -> Self {
        UploadFormData(fields)
    }
}

impl FromIterator<(String, String)> for UploadFormData {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(fields: I) -> Self {
        UploadFormData(fields.into_iter().collect())
    }
}

impl fmt::Debug for UploadFormData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, _)| (k, crate::auth::REDACTED)))
            .finish()
    }
}

impl Serialize for UploadFormData {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for UploadFormData {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = UploadFormData;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of form field names and string values")
            }
            // serde_json hands map entries over in document order; collecting them into a
            // Vec here, instead of a map, is what keeps the server's order.
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<UploadFormData, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(8).min(64));
                while let Some((name, value)) = map.next_entry::<String, serde_json::Value>()? {
                    let value = match value {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Number(n) => n.to_string(),
                        serde_json::Value::Bool(b) => b.to_string(),
                        other => {
                            let kind = match other {
                                serde_json::Value::Null => "null",
                                serde_json::Value::Array(_) => "an array",
                                _ => "an object",
                            };
                            return Err(de::Error::custom(format!(
                                "upload_form_data.{name} must be a string, not {kind}"
                            )));
                        }
                    };
                    out.push((name, value));
                }
                Ok(UploadFormData(out))
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

impl PresignedUpload {
    /// Decodes a presigned-URL answer of either API (the JSON body as returned), keeping
    /// `upload_form_data` in document order. `upload_url` and `upload_id` are required.
    ///
    /// ```
    /// let body = br#"{"upload_url":"https://bucket.s3.amazonaws.com/","upload_id":"u-1",
    ///   "upload_form_data":{"key":"a/plugin.zip","policy":"p","x-amz-signature":"s","bucket":"b"}}"#;
    /// let p = ccloud_connect::PresignedUpload::from_json(body).unwrap();
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
            .map_err(|e| crate::error::decode(None, api, operation, status, b"", e))?;
        Ok(PresignedUpload {
            upload_url: wire.upload_url,
            upload_id: wire.upload_id,
            form_fields: wire.upload_form_data.map(|f| f.0).unwrap_or_default(),
            cloud: wire.cloud.filter(|c| !c.trim().is_empty()),
            content_format: wire.content_format.filter(|c| !c.trim().is_empty()),
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
        &self.form_fields
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
    ///    set by [`ConnectApi::presigned_upload`] and [`CcpmApi::presigned_upload`]);
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
            if let Some((name, _)) = self.form_fields.iter().find(|(k, _)| k == "file") {
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
        let (protocol, url) = self.preflight(archive)?;
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
            UploadProtocol::S3PostForm => {
                let form = MultipartForm::new(&self.form_fields, archive.file_name(), media_type);
                let length = form.content_length(archive.len());
                let content_type = form.content_type();
                client
                    .post(url)
                    .header(CONTENT_TYPE, content_type)
                    .header(CONTENT_LENGTH, length)
                    .body(reqwest::Body::wrap_stream(form.body(content)))
            }
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

        tracing::debug!(?protocol, bytes = archive.len(), upload_id = %self.upload_id, "uploading plugin archive");
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
        Some((base, _)) => format!("{base}?{}", crate::auth::REDACTED),
        None => raw.to_owned(),
    }
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

// ---------------------------------------------------------------------------------------
// Options, progress, receipt
// ---------------------------------------------------------------------------------------

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

type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Settings of a storage upload.
///
/// ```
/// use std::time::Duration;
/// use ccloud_connect::UploadOptions;
/// let options = UploadOptions::new()
///     .timeout(Duration::from_secs(45 * 60))
///     .chunk_size(512 * 1024)
///     .progress(|p| eprint!("\r{:5.1}%", p.fraction() * 100.0));
/// # let _ = options;
/// ```
#[derive(Clone)]
pub struct UploadOptions {
    timeout: Duration,
    connect_timeout: Duration,
    chunk_size: usize,
    progress: Option<ProgressFn>,
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
    /// The defaults: [`DEFAULT_UPLOAD_TIMEOUT`], a 30 s connect timeout, 256 KiB chunks, no
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
    /// used by an upload is a few chunks, whatever the archive's size. Default 256 KiB.
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

    fn storage_client(&self) -> Result<reqwest::Client> {
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

// ---------------------------------------------------------------------------------------
// Streaming body
// ---------------------------------------------------------------------------------------

/// The file as a stream of chunks of exactly `len` bytes, read on a blocking thread that
/// stays at most [`READ_AHEAD`] chunks ahead of the consumer.
fn file_stream(
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
struct MultipartForm {
    boundary: String,
    head: Bytes,
    tail: Bytes,
}

impl MultipartForm {
    fn new(fields: &[(String, String)], file_name: &str, media_type: &str) -> Self {
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

    fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    fn content_length(&self, file_len: u64) -> u64 {
        self.head.len() as u64 + file_len + self.tail.len() as u64
    }

    fn body(
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

// ---------------------------------------------------------------------------------------
// Storage errors
// ---------------------------------------------------------------------------------------

fn storage_transport(source: reqwest::Error, timeout: Duration) -> Error {
    let message = if source.is_timeout() {
        format!(
            "the upload did not finish within {}s; allow more with UploadOptions::timeout",
            timeout.as_secs()
        )
    } else if source.is_connect() {
        "could not connect to the storage service".to_owned()
    } else {
        "the upload broke off".to_owned()
    };
    Error::Transport {
        api: "storage",
        operation: "upload".to_owned(),
        message,
        // The URL carries the storage signature in its query.
        source: source.without_url(),
    }
}

/// Reads a storage error answer: S3 and GCS send `<Error><Code>…</Code><Message>…</Message>`,
/// Azure the same XML plus the `x-ms-error-code` header and an `AuthenticationErrorDetail`.
pub(crate) fn storage_error(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ApiError {
    let mut err = ApiError::from_parts("storage", "upload", status, headers, body);
    let text = String::from_utf8_lossy(body);
    let xml_code = xml_element(&text, "Code");
    if xml_code.is_some() {
        // S3 echoes <SignatureProvided>, <StringToSign> and tokens in its XML errors: keep
        // only what is parsed out of it below.
        err.raw_body = None;
        // An XML error body: its <Message> is the message, or there is none. The generic
        // fallback (the body's text without tags) would only repeat the code.
        err.message = xml_element(&text, "Message")
            // Azure appends "\nRequestId:…\nTime:…" to its message.
            .map(|m| m.lines().next().unwrap_or("").trim().to_owned())
            .filter(|m| !m.is_empty());
    }
    let code = header_str(headers, "x-ms-error-code").or(xml_code);
    if code.is_some() {
        err.code = code;
    }
    if let Some(detail) = xml_element(&text, "AuthenticationErrorDetail") {
        err.message = Some(match err.message.take() {
            Some(m) if !m.is_empty() => format!("{m} ({detail})"),
            _ => detail,
        });
    }
    if err.request_id.is_none() {
        err.request_id = storage_request_id(headers, &[&text]);
    }
    let code = err.code.as_deref().unwrap_or("");
    let message = err.message.as_deref().unwrap_or("").to_ascii_lowercase();
    let expired = match code {
        "AccessDenied" => message.contains("expired"),
        "ExpiredToken" => true,
        "AuthenticationFailed" => message.contains("signed expiry time"),
        _ => false,
    };
    if expired {
        err.hint = Some(EXPIRED_HINT);
    }
    err
}

fn storage_request_id(headers: &HeaderMap, bodies: &[&str]) -> Option<String> {
    [
        "x-amz-request-id",
        "x-ms-request-id",
        "x-guploader-uploadid",
    ]
    .iter()
    .find_map(|h| header_str(headers, h))
    .or_else(|| bodies.iter().find_map(|b| xml_element(b, "RequestId")))
}

/// The text of the first `<name>…</name>` element, entities decoded; `None` when absent or
/// empty. Storage error bodies are flat and small, which is all this handles.
fn xml_element(text: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = text.find(&open)? + open.len();
    let end = start + text[start..].find(&close)?;
    let value = text[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

// ---------------------------------------------------------------------------------------
// Presigned URL requests through the authenticated transport
// ---------------------------------------------------------------------------------------

/// Sends a JSON `POST` to `path` under the API's base URL through the generated client's own
/// hooks (base-URL check, credentials, user agent, retry policy), and returns the raw body
/// of a success answer. The generated operation would decode the body into a type that has
/// already lost the order of `upload_form_data`.
async fn post_json_raw<C>(
    raw: &C,
    api: &'static str,
    operation: &'static str,
    path: &str,
    body: &impl Serialize,
) -> Result<(StatusCode, Bytes)>
where
    C: ClientInfo<Inner> + ClientHooks<Inner>,
{
    let invalid = |message: String| Error::InvalidRequest {
        api,
        operation: operation.to_owned(),
        message,
    };
    let url = format!("{}{path}", raw.baseurl());
    let mut request = raw
        .client()
        .post(url)
        .header(ACCEPT, "application/json")
        .json(body)
        .build()
        .map_err(|e| invalid(e.to_string()))?;
    let info = OperationInfo {
        operation_id: operation,
    };
    raw.pre::<()>(&mut request, &info)
        .await
        .map_err(|e| invalid(e.to_string()))?;
    let result = raw.exec(request, &info).await;
    raw.post::<()>(&result, &info)
        .await
        .map_err(|e| invalid(e.to_string()))?;
    let response = result.map_err(|e| crate::error::transport(api, operation, e))?;
    if let Some(refused) = crate::error::refusal(api, operation, &response) {
        return Err(refused);
    }
    let status = response.status();
    if !status.is_success() {
        let headers = response.headers().clone();
        let body = read_capped(response).await;
        return Err(Error::Api(Box::new(ApiError::from_parts(
            api, operation, status, &headers, &body,
        ))));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| crate::error::transport(api, operation, e))?;
    Ok((status, bytes))
}

impl ConnectApi {
    /// Asks for a presigned URL to upload one archive to (`POST /connect/v1/presigned-upload-url`),
    /// and returns it with `upload_form_data` in server order and the requested cloud
    /// recorded for [`PresignedUpload::protocol`].
    ///
    /// Authenticated and retried like every other operation (a `POST` is only retried when
    /// the connection could not be opened).
    pub async fn presigned_upload(
        &self,
        format: ArchiveFormat,
        cloud: connect::Cloud,
    ) -> Result<PresignedUpload> {
        const OP: &str = "create_presigned_upload_url";
        let body = connect::PresignedUrlRequest {
            cloud: Some(cloud.clone()),
            content_format: format.into(),
        };
        let (status, bytes) = post_json_raw(
            self.raw(),
            "connect/v1",
            OP,
            "/connect/v1/presigned-upload-url",
            &body,
        )
        .await?;
        Ok(
            PresignedUpload::decode(&bytes, "connect/v1", OP, Some(status))?
                .with_requested_cloud(cloud.as_str()),
        )
    }

    /// Publishes a custom connector plugin in one call: asks for a presigned URL for the
    /// archive's format and `plugin`'s cloud, uploads the archive, and creates the plugin
    /// with `upload_source` `PRESIGNED_URL_LOCATION` and the `upload_id`.
    ///
    /// The archive and `plugin` are checked before the first request. When the upload
    /// fails, no plugin is created; when the create fails after the upload, the uploaded
    /// archive is left to the storage's expiry.
    ///
    /// ```no_run
    /// use ccloud_connect::{Archive, ArchiveFormat, NewCustomPlugin, UploadOptions};
    /// use ccloud_connect::connect::CustomConnectorPluginType;
    /// # async fn run(client: ccloud_connect::Client) -> ccloud_connect::Result<()> {
    /// let archive = Archive::open("datagen-0.6.zip", ArchiveFormat::Zip)?;
    /// let plugin = NewCustomPlugin::new(
    ///     "custom-datagen",
    ///     "io.confluent.kafka.connect.datagen.DatagenConnector",
    ///     CustomConnectorPluginType::Source,
    /// )
    /// .sensitive_config_properties(["passwords"]);
    /// let published = client
    ///     .connect()
    ///     .publish_custom_plugin(&plugin, &archive, &UploadOptions::new())
    ///     .await?;
    /// println!("created {:?}", published.plugin.id);
    /// # Ok(()) }
    /// ```
    pub async fn publish_custom_plugin(
        &self,
        plugin: &NewCustomPlugin,
        archive: &Archive,
        options: &UploadOptions,
    ) -> Result<PublishedCustomPlugin> {
        plugin.validate()?;
        drop(archive.reopen()?);
        let presigned = self
            .presigned_upload(archive.format(), plugin.cloud.clone())
            .await?;
        let upload = presigned.upload(archive, options).await?;
        let body = connect::CustomConnectorPlugin {
            api_version: None,
            cloud: Some(plugin.cloud.clone()),
            connector_class: plugin.connector_class.clone(),
            connector_type: plugin.connector_type.clone(),
            content_format: None,
            description: plugin.description.clone(),
            display_name: plugin.display_name.clone(),
            documentation_link: plugin.documentation_link.clone(),
            id: None,
            kind: None,
            metadata: None,
            runtime_language: plugin.runtime_language.clone(),
            sensitive_config_properties: plugin.sensitive_config_properties.clone(),
            upload_source: Some(connect::UploadSourcePresignedUrl {
                location: connect::UploadSourceLocation::PresignedUrlLocation,
                upload_id: upload.upload_id.clone(),
            }),
        };
        let created = self.create_custom_connector_plugin(&body).await?;
        Ok(PublishedCustomPlugin {
            plugin: created,
            upload,
        })
    }
}

/// A custom connector plugin to create with [`ConnectApi::publish_custom_plugin`].
#[derive(Clone, Debug)]
pub struct NewCustomPlugin {
    display_name: String,
    connector_class: String,
    connector_type: connect::CustomConnectorPluginType,
    cloud: connect::Cloud,
    description: Option<String>,
    documentation_link: Option<String>,
    sensitive_config_properties: Vec<String>,
    runtime_language: Option<connect::RuntimeLanguage>,
}

impl NewCustomPlugin {
    /// A plugin with its required settings, stored in AWS unless [`cloud`](Self::cloud) says
    /// otherwise.
    pub fn new(
        display_name: impl Into<String>,
        connector_class: impl Into<String>,
        connector_type: connect::CustomConnectorPluginType,
    ) -> Self {
        NewCustomPlugin {
            display_name: display_name.into(),
            connector_class: connector_class.into(),
            connector_type,
            cloud: connect::Cloud::Aws,
            description: None,
            documentation_link: None,
            sensitive_config_properties: Vec::new(),
            runtime_language: None,
        }
    }

    /// The cloud the archive is stored in; the presigned URL is requested for it and the
    /// plugin created with it. Default AWS.
    pub fn cloud(mut self, cloud: connect::Cloud) -> Self {
        self.cloud = cloud;
        self
    }

    /// Free text about the plugin.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// An http(s) link to the connector's documentation.
    pub fn documentation_link(mut self, url: impl Into<String>) -> Self {
        self.documentation_link = Some(url.into());
        self
    }

    /// Connector config keys whose values are masked once entered.
    pub fn sensitive_config_properties(
        mut self,
        keys: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.sensitive_config_properties = keys.into_iter().map(Into::into).collect();
        self
    }

    /// The language the plugin runs in.
    pub fn runtime_language(mut self, language: connect::RuntimeLanguage) -> Self {
        self.runtime_language = Some(language);
        self
    }

    fn validate(&self) -> Result<()> {
        crate::validate::query_param("display_name", &self.display_name)?;
        crate::validate::query_param("connector_class", &self.connector_class)?;
        Ok(())
    }
}

/// The result of [`ConnectApi::publish_custom_plugin`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PublishedCustomPlugin {
    /// The created plugin, as the API answered.
    pub plugin: connect::CustomConnectorPlugin,
    /// The storage upload.
    pub upload: UploadReceipt,
}

fn missing_in_answer(api: &'static str, operation: &str, field: &'static str) -> Error {
    crate::error::decode(
        None,
        api,
        operation,
        None,
        b"",
        <serde_json::Error as de::Error>::missing_field(field),
    )
}

impl CcpmApi {
    /// Asks for a presigned URL to upload one archive to (`POST /ccpm/v1/presigned-upload-url`)
    /// in `environment`, and returns it with `upload_form_data` in server order and the
    /// requested cloud recorded for [`PresignedUpload::protocol`].
    pub async fn presigned_upload(
        &self,
        environment: &str,
        format: ArchiveFormat,
        cloud: ccpm::Cloud,
    ) -> Result<PresignedUpload> {
        const OP: &str = "create_presigned_upload_url";
        crate::validate::query_param("environment", environment)?;
        let body = ccpm::PresignedUrlRequest {
            cloud: cloud.clone(),
            content_format: format.into(),
            environment: ccpm::EnvScopedObjectReference::new(environment),
        };
        let (status, bytes) = post_json_raw(
            self.raw(),
            "ccpm/v1",
            OP,
            "/ccpm/v1/presigned-upload-url",
            &body,
        )
        .await?;
        Ok(
            PresignedUpload::decode(&bytes, "ccpm/v1", OP, Some(status))?
                .with_requested_cloud(cloud.as_str()),
        )
    }

    /// Publishes a new version of a ccpm plugin in one call:
    ///
    /// 1. the plugin: read by id ([`PluginRef::Id`]), or found by display name in the
    ///    environment and cloud and created when there is none ([`PluginRef::Named`]);
    /// 2. a presigned URL for the archive's format, in the plugin's cloud and environment;
    /// 3. the upload;
    /// 4. the version, from the `upload_id` (the API answers `202` with `PROCESSING`);
    /// 5. when [`NewPluginVersion::wait_until_ready`] was set, polling the version per its
    ///    [`WaitOptions`] until `status.phase` is `READY`, failing with [`Error::Wait`]
    ///    carrying the server's `error_message` on `FAILED`, and the last phase seen when
    ///    time runs out.
    ///
    /// The archive and `version` are checked before the first request.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use ccloud_connect::{Archive, ArchiveFormat, NewPluginVersion, PluginRef, UploadOptions, WaitOptions};
    /// use ccloud_connect::ccpm::{Cloud, ConnectorClassType};
    /// # async fn run(client: ccloud_connect::Client) -> ccloud_connect::Result<()> {
    /// let archive = Archive::open("my-connector-1.2.3.jar", ArchiveFormat::Jar)?;
    /// let version = NewPluginVersion::new("env-123", PluginRef::named("my-connector", Cloud::Aws), "1.2.3")
    ///     .connector_class("com.example.MySourceConnector", ConnectorClassType::Source)
    ///     .wait_until_ready(WaitOptions::new(Duration::from_secs(5), Duration::from_secs(600)));
    /// let published = client
    ///     .ccpm()
    ///     .publish_plugin_version(&version, &archive, &UploadOptions::new())
    ///     .await?;
    /// println!("{:?} is ready", published.version.id);
    /// # Ok(()) }
    /// ```
    pub async fn publish_plugin_version(
        &self,
        version: &NewPluginVersion,
        archive: &Archive,
        options: &UploadOptions,
    ) -> Result<PublishedPluginVersion> {
        version.validate()?;
        drop(archive.reopen()?);
        let environment = version.environment.as_str();

        let (plugin, plugin_created) = match &version.plugin {
            PluginRef::Id(id) => (self.get_plugin(id, environment).await?, false),
            PluginRef::Named {
                display_name,
                cloud,
                description,
            } => {
                self.find_or_create_plugin(environment, display_name, cloud, description)
                    .await?
            }
        };
        let plugin_id = plugin
            .id
            .clone()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| missing_in_answer("ccpm/v1", "get_plugin", "id"))?;

        let presigned = self
            .presigned_upload(environment, archive.format(), plugin.spec.cloud.clone())
            .await?;
        let upload = presigned.upload(archive, options).await?;

        let body = ccpm::PluginVersion {
            api_version: None,
            id: None,
            kind: None,
            metadata: None,
            spec: ccpm::PluginVersionSpec {
                connector_classes: version.connector_classes.clone(),
                content_format: None,
                documentation_link: version.documentation_link.clone(),
                environment: ccpm::EnvScopedObjectReference::new(environment),
                sensitive_config_properties: version.sensitive_config_properties.clone(),
                upload_source: ccpm::UploadSourcePresignedUrl {
                    location: ccpm::UploadSourceLocation::PresignedUrlLocation,
                    upload_id: upload.upload_id.clone(),
                },
                version: version.version.clone(),
            },
            status: None,
        };
        let created = self.create_plugin_version(&plugin_id, &body).await?;
        let created = match version.wait {
            Some(wait) => {
                let version_id = created
                    .id
                    .clone()
                    .filter(|id| !id.is_empty())
                    .ok_or_else(|| missing_in_answer("ccpm/v1", "create_plugin_version", "id"))?;
                self.settle_plugin_version(
                    &plugin_id,
                    &version_id,
                    environment,
                    Some(created),
                    wait,
                )
                .await?
            }
            None => created,
        };
        Ok(PublishedPluginVersion {
            plugin,
            plugin_created,
            version: created,
            upload,
        })
    }

    /// Reads a plugin version every [`WaitOptions::interval`] until its `status.phase` is
    /// `READY`, and returns it as last read.
    ///
    /// Fails with [`Error::Wait`]: on `FAILED` with the server's `error_message` as detail,
    /// and when [`WaitOptions::timeout`] runs out with the last phase seen. Other phases
    /// (`PROCESSING`, and values this crate does not know) keep the wait going. Errors of the
    /// reads themselves end the wait as they are (transient ones are retried by the client's
    /// policy first). A zero interval is refused before the first read.
    pub async fn wait_plugin_version_ready(
        &self,
        plugin_id: &str,
        version_id: &str,
        environment: &str,
        options: &WaitOptions,
    ) -> Result<ccpm::PluginVersion> {
        self.settle_plugin_version(plugin_id, version_id, environment, None, *options)
            .await
    }

    /// Polls a version (judging `known` first, when given) until `READY`.
    async fn settle_plugin_version(
        &self,
        plugin_id: &str,
        version_id: &str,
        environment: &str,
        known: Option<ccpm::PluginVersion>,
        wait: WaitOptions,
    ) -> Result<ccpm::PluginVersion> {
        poll_until(
            wait,
            format!("version {version_id:?} of plugin {plugin_id:?} to be READY"),
            known,
            || self.get_plugin_version(plugin_id, version_id, environment),
            judge_plugin_version,
        )
        .await
    }

    async fn find_or_create_plugin(
        &self,
        environment: &str,
        display_name: &str,
        cloud: &ccpm::Cloud,
        description: &Option<String>,
    ) -> Result<(ccpm::Plugin, bool)> {
        let filter = Some(cloud.clone());
        let mut matches: Vec<ccpm::Plugin> = self
            .plugins(environment, filter)
            .all()
            .await?
            .into_iter()
            .filter(|p| p.spec.display_name == display_name && &p.spec.cloud == cloud)
            .collect();
        match matches.len() {
            0 => {}
            1 => return Ok((matches.remove(0), false)),
            n => {
                return Err(Error::validation(
                    "plugin",
                    display_name,
                    format!(
                        "{n} plugins in {environment} ({cloud}) have this display name; \
                         name the one to use with PluginRef::Id"
                    ),
                ));
            }
        }
        let mut body = ccpm::Plugin::new(environment, display_name, cloud.clone());
        body.spec.description = description.clone();
        Ok((self.create_plugin(&body).await?, true))
    }
}

/// `READY` ends the wait, `FAILED` fails it with the server's `error_message`; every other
/// phase (`PROCESSING`, values this crate does not know, no status yet) is pending.
fn judge_plugin_version(version: ccpm::PluginVersion) -> Verdict<ccpm::PluginVersion> {
    let phase = version.status.as_ref().map(|s| s.phase.clone());
    match phase {
        Some(ccpm::PluginVersionPhase::Ready) => Verdict::Done(version),
        Some(ccpm::PluginVersionPhase::Failed) => Verdict::Failed {
            state: "FAILED".to_owned(),
            detail: version.status.and_then(|s| s.error_message),
        },
        Some(other) => Verdict::Pending(other.as_str().to_owned()),
        None => Verdict::Pending("without a status".to_owned()),
    }
}

/// Which ccpm plugin a new version belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PluginRef {
    /// An existing plugin, by id (`ccp-...`). Its cloud decides where the archive is stored.
    Id(String),
    /// The plugin of the environment with this display name in this cloud; created (with
    /// the description) when there is none. Two plugins of that name are an error.
    Named {
        /// The plugin's display name.
        display_name: String,
        /// The cloud the plugin, and so the archive, is stored in.
        cloud: ccpm::Cloud,
        /// The description given to the plugin if it is created.
        description: Option<String>,
    },
}

impl PluginRef {
    /// An existing plugin by id.
    pub fn id(id: impl Into<String>) -> Self {
        PluginRef::Id(id.into())
    }

    /// A plugin by display name and cloud, created when missing.
    pub fn named(display_name: impl Into<String>, cloud: ccpm::Cloud) -> Self {
        PluginRef::Named {
            display_name: display_name.into(),
            cloud,
            description: None,
        }
    }

    /// Sets the description a [`PluginRef::Named`] plugin gets if it is created; no effect
    /// on [`PluginRef::Id`].
    pub fn with_description(self, text: impl Into<String>) -> Self {
        match self {
            PluginRef::Named {
                display_name,
                cloud,
                ..
            } => PluginRef::Named {
                display_name,
                cloud,
                description: Some(text.into()),
            },
            other => other,
        }
    }
}

/// A ccpm plugin version to publish with [`CcpmApi::publish_plugin_version`].
#[derive(Clone, Debug)]
pub struct NewPluginVersion {
    environment: String,
    plugin: PluginRef,
    version: String,
    connector_classes: Vec<ccpm::ConnectorClass>,
    sensitive_config_properties: Vec<String>,
    documentation_link: Option<String>,
    wait: Option<WaitOptions>,
}

impl NewPluginVersion {
    /// Version `version` (e.g. `1.2.3`) of `plugin` in `environment` (`env-...`). At least
    /// one [`connector_class`](Self::connector_class) is required.
    pub fn new(
        environment: impl Into<String>,
        plugin: PluginRef,
        version: impl Into<String>,
    ) -> Self {
        NewPluginVersion {
            environment: environment.into(),
            plugin,
            version: version.into(),
            connector_classes: Vec::new(),
            sensitive_config_properties: Vec::new(),
            documentation_link: None,
            wait: None,
        }
    }

    /// Adds a connector class the archive provides.
    pub fn connector_class(
        mut self,
        class_name: impl Into<String>,
        kind: ccpm::ConnectorClassType,
    ) -> Self {
        self.connector_classes.push(ccpm::ConnectorClass {
            class_name: class_name.into(),
            type_: kind,
        });
        self
    }

    /// Connector config keys whose values are masked once entered.
    pub fn sensitive_config_properties(
        mut self,
        keys: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.sensitive_config_properties = keys.into_iter().map(Into::into).collect();
        self
    }

    /// An http(s) link to the plugin's documentation.
    pub fn documentation_link(mut self, url: impl Into<String>) -> Self {
        self.documentation_link = Some(url.into());
        self
    }

    /// After creating the version, reads it per `options` until it is `READY` (see
    /// [`CcpmApi::wait_plugin_version_ready`]). Without it, the version is returned as the
    /// create answered (`PROCESSING`).
    pub fn wait_until_ready(mut self, options: WaitOptions) -> Self {
        self.wait = Some(options);
        self
    }

    fn validate(&self) -> Result<()> {
        crate::validate::query_param("environment", &self.environment)?;
        crate::validate::query_param("version", &self.version)?;
        match &self.plugin {
            PluginRef::Id(id) => crate::validate::path_param("plugin_id", id)?,
            PluginRef::Named { display_name, .. } => {
                crate::validate::query_param("display_name", display_name)?
            }
        }
        if self.connector_classes.is_empty() {
            return Err(Error::validation(
                "connector_classes",
                "",
                "at least one connector class is required",
            ));
        }
        for class in &self.connector_classes {
            crate::validate::query_param("connector_classes.class_name", &class.class_name)?;
        }
        if let Some(wait) = &self.wait {
            wait.check()?;
        }
        Ok(())
    }
}

/// The result of [`CcpmApi::publish_plugin_version`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PublishedPluginVersion {
    /// The plugin the version belongs to.
    pub plugin: ccpm::Plugin,
    /// Whether the plugin was created by this call.
    pub plugin_created: bool,
    /// The version: as created, or as last read when waiting for `READY`.
    pub version: ccpm::PluginVersion,
    /// The storage upload.
    pub upload: UploadReceipt,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_data_keeps_document_order() {
        let body = br#"{"upload_url":"https://b.example/","upload_id":"u",
            "upload_form_data":{"z":"1","a":"2","m":"3","x-amz-signature":"s"}}"#;
        let p = PresignedUpload::from_json(body).unwrap();
        let names: Vec<_> = p.form_fields().iter().map(|(k, _)| k.clone()).collect();
        assert_eq!(names, ["z", "a", "m", "x-amz-signature"]);
        assert_eq!(p.form_fields()[1].1, "2");
    }

    #[test]
    fn form_data_rejects_nested_values() {
        let body =
            br#"{"upload_url":"https://b/","upload_id":"u","upload_form_data":{"a":{"b":1}}}"#;
        let err = PresignedUpload::from_json(body).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err}");
        assert!(err.to_string().contains("upload_form_data.a"), "{err}");
    }

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

    #[test]
    fn xml_errors() {
        let body = b"<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message><RequestId>R1</RequestId></Error>";
        let e = storage_error(StatusCode::FORBIDDEN, &HeaderMap::new(), body);
        assert_eq!(e.code.as_deref(), Some("AccessDenied"));
        assert_eq!(
            e.message.as_deref(),
            Some("Invalid according to Policy: Policy expired.")
        );
        assert_eq!(e.request_id.as_deref(), Some("R1"));
        assert_eq!(e.hint, Some(EXPIRED_HINT));
        let bare = b"<Error><Code>SignatureDoesNotMatch</Code></Error>";
        let e = storage_error(StatusCode::FORBIDDEN, &HeaderMap::new(), bare);
        assert_eq!(e.code.as_deref(), Some("SignatureDoesNotMatch"));
        assert_eq!(e.message, None);
        assert_eq!(
            e.to_string(),
            "storage upload: HTTP 403 Forbidden [SignatureDoesNotMatch]"
        );
        assert_eq!(
            xml_element("<A>x &amp; y</A>", "A").as_deref(),
            Some("x & y")
        );
        assert_eq!(xml_element("<A> </A>", "A"), None);
    }

    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn publish_futures_are_send() {
        let client = crate::Client::builder()
            .credentials("k", "s")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        let archive = Archive {
            path: PathBuf::from("x.zip"),
            file_name: "x.zip".into(),
            format: ArchiveFormat::Zip,
            len: 1,
        };
        let options = UploadOptions::new();
        let plugin = NewCustomPlugin::new("n", "c", connect::CustomConnectorPluginType::Source);
        let version = NewPluginVersion::new("env", PluginRef::id("ccp-1"), "1.0.0");
        let f1 = client
            .connect()
            .publish_custom_plugin(&plugin, &archive, &options);
        assert_send(&f1);
        let f2 = client
            .ccpm()
            .publish_plugin_version(&version, &archive, &options);
        assert_send(&f2);
        let presigned =
            PresignedUpload::from_json(br#"{"upload_url":"u","upload_id":"i"}"#).unwrap();
        let f3 = presigned.upload(&archive, &options);
        assert_send(&f3);
    }
}
