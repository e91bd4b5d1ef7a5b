//! Plugin archive upload to a presigned storage URL, and one-call publishing of custom
//! connector plugins (`connect/v1`) and ccpm plugin versions (`ccpm/v1`).
//!
//! # The three steps, and what this module does for each
//!
//! 1. **Ask for a presigned URL**
//!    ([`Connect::presigned_upload`](crate::connect::Connect::presigned_upload),
//!    [`Environment::presigned_upload`](crate::ccpm::Environment::presigned_upload)). The
//!    answer is decoded into a [`PresignedUpload`] that keeps `upload_form_data` **in the
//!    order the server sent it** ([`UploadFormData`]).
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
//!    ([`Connect::publish_custom_plugin`](crate::connect::Connect::publish_custom_plugin) and
//!    [`Environment::publish_version`](crate::ccpm::Environment::publish_version) do all
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

mod archive;
mod form_data;
mod options;
mod presigned;
mod storage_error;
mod stream;

use std::time::Duration;

pub use archive::{Archive, ArchiveFormat};
pub use form_data::UploadFormData;
pub use options::{Progress, UploadOptions, UploadReceipt};
pub(crate) use presigned::missing_in_answer;
pub use presigned::{PresignedUpload, UploadProtocol};

/// The largest archive [`Archive::open`] accepts: 1 GiB (the official CLI's own cap).
pub const DEFAULT_MAX_ARCHIVE_SIZE: u64 = 1 << 30;

/// Time allowed for one storage upload, request and answer included, unless set with
/// [`UploadOptions::timeout`]: 30 minutes.
pub const DEFAULT_UPLOAD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_CHUNK_SIZE: usize = 512 * 1024;
const MIN_CHUNK_SIZE: usize = 64 * 1024;
const MAX_CHUNK_SIZE: usize = 1024 * 1024;

const EXPIRED_HINT: &str =
    "the upload policy has expired: request a new presigned URL (they expire after one hour)";
