//! Presigned uploads: what one is, and the index that remembers them. Issuing one is
//! `presign`'s job; this module depends on nothing of the emulator, so the store can
//! hold an [`Uploads`] without a cycle.
//!
//! The store is indexed both ways a request names an upload (its id, from the API; its
//! location, from a storage endpoint), and forgets an upload whose URL expired before
//! anything was sent to it, so issuing URLs that are never used cannot grow the emulator
//! without bound. An upload that received an archive is kept, as it can back plugins.

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

/// The cloud a presigned upload targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum StorageCloud {
    Aws,
    Azure,
    Gcp,
}

impl StorageCloud {
    pub(crate) fn parse(value: &str) -> Option<StorageCloud> {
        match value {
            "AWS" => Some(StorageCloud::Aws),
            "AZURE" => Some(StorageCloud::Azure),
            "GCP" => Some(StorageCloud::Gcp),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            StorageCloud::Aws => "AWS",
            StorageCloud::Azure => "AZURE",
            StorageCloud::Gcp => "GCP",
        }
    }
}

/// Archive format of an upload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum ArchiveFormat {
    Zip,
    Jar,
}

impl ArchiveFormat {
    pub(crate) fn parse(value: &str) -> Option<ArchiveFormat> {
        match value {
            "ZIP" => Some(ArchiveFormat::Zip),
            "JAR" => Some(ArchiveFormat::Jar),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ArchiveFormat::Zip => "ZIP",
            ArchiveFormat::Jar => "JAR",
        }
    }

    pub(crate) fn extension(self) -> &'static str {
        match self {
            ArchiveFormat::Zip => "zip",
            ArchiveFormat::Jar => "jar",
        }
    }

    pub(crate) fn mime(self) -> &'static str {
        match self {
            ArchiveFormat::Zip => "application/zip",
            ArchiveFormat::Jar => "application/java-archive",
        }
    }
}

/// Where the archive of an upload goes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) enum UploadTarget {
    S3 {
        bucket: String,
        key: String,
        form: BTreeMap<String, String>,
    },
    Azure {
        container: String,
        blob: String,
        signature: String,
    },
    Gcs {
        bucket: String,
        object: String,
        signature: String,
    },
}

/// A presigned upload URL handed out, and what was uploaded to it.
#[derive(Clone, Debug)]
pub(crate) struct Upload {
    /// `None` for `connect/v1`, the environment for `ccpm/v1`.
    pub(crate) environment: Option<String>,
    pub(crate) cloud: StorageCloud,
    pub(crate) format: ArchiveFormat,
    /// When the URL expires, on the runtime's clock.
    pub(crate) deadline: Instant,
    pub(crate) target: UploadTarget,
    pub(crate) file: Option<UploadedFile>,
}

/// An archive received by a storage endpoint.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct UploadedFile {
    pub(crate) size: u64,
    /// Starts like a ZIP (or JAR) archive.
    pub(crate) is_zip: bool,
}

/// The S3 bucket and GCS bucket presigned URLs name.
pub(crate) const BUCKET: &str = "confluent-custom-connectors-emulator";
/// The Azure container presigned URLs name.
pub(crate) const CONTAINER: &str = "custom-connector-plugins";

/// Where a storage request puts an archive: the key of the location index.
pub(crate) fn s3_location(bucket: &str, key: &str) -> String {
    format!("s3/{bucket}/{key}")
}

pub(crate) fn azure_location(container: &str, blob: &str) -> String {
    format!("azure/{container}/{blob}")
}

pub(crate) fn gcs_location(bucket: &str, object: &str) -> String {
    format!("gcs/{bucket}/{object}")
}

impl UploadTarget {
    fn location(&self) -> String {
        match self {
            UploadTarget::S3 { bucket, key, .. } => s3_location(bucket, key),
            UploadTarget::Azure {
                container, blob, ..
            } => azure_location(container, blob),
            UploadTarget::Gcs { bucket, object, .. } => gcs_location(bucket, object),
        }
    }
}

/// Every presigned upload not yet forgotten.
#[derive(Debug, Default)]
pub(crate) struct Uploads {
    by_id: HashMap<String, Upload>,
    /// Location (see [`s3_location`] and its siblings) to upload id.
    by_location: HashMap<String, String>,
    /// Upload ids with their URLs' expiry, oldest first. Every URL of an emulator lives as
    /// long, so issue order is expiry order and a sweep only looks at the front.
    expiry: VecDeque<(Instant, String)>,
}

impl Uploads {
    /// Remembers a freshly issued upload, forgetting first those that expired unused.
    pub(crate) fn insert(&mut self, upload_id: String, upload: Upload) {
        self.sweep(Instant::now());
        self.by_location
            .insert(upload.target.location(), upload_id.clone());
        self.expiry.push_back((upload.deadline, upload_id.clone()));
        self.by_id.insert(upload_id, upload);
    }

    /// Forgets every upload whose URL expired at `now` with nothing uploaded to it.
    pub(crate) fn sweep(&mut self, now: Instant) {
        while let Some((deadline, _)) = self.expiry.front() {
            if *deadline > now {
                break;
            }
            let Some((_, id)) = self.expiry.pop_front() else {
                break;
            };
            if self.by_id.get(&id).is_some_and(|u| u.file.is_none()) {
                self.remove(&id);
            }
        }
    }

    pub(crate) fn get(&self, upload_id: &str) -> Option<&Upload> {
        self.by_id.get(upload_id)
    }

    /// The id of the upload that puts its archive at `location`.
    pub(crate) fn at(&self, location: &str) -> Option<String> {
        self.by_location.get(location).cloned()
    }

    /// Forgets an upload (its place in the expiry queue goes when the sweep reaches it).
    pub(crate) fn remove(&mut self, upload_id: &str) {
        if let Some(upload) = self.by_id.remove(upload_id) {
            self.by_location.remove(&upload.target.location());
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Every upload remembered, with its id.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&String, &Upload)> {
        self.by_id.iter()
    }

    /// Records the archive received for `upload_id`; `false` if the upload is gone.
    pub(crate) fn record(&mut self, upload_id: &str, file: UploadedFile) -> bool {
        match self.by_id.get_mut(upload_id) {
            Some(upload) => {
                upload.file = Some(file);
                true
            }
            None => false,
        }
    }
}

/// Whether the URL of `upload` has expired at `now`. The deadline itself counts as
/// expired, so a zero time to live expires at once.
pub(crate) fn expired(upload: &Upload, now: Instant) -> bool {
    now >= upload.deadline
}

/// Why an upload cannot back a plugin: a message for a 422 answer.
pub(crate) fn usable<'a>(
    uploads: &'a Uploads,
    upload_id: &str,
    environment: Option<&str>,
    cloud: StorageCloud,
) -> Result<(&'a Upload, &'a UploadedFile), String> {
    let upload = uploads.get(upload_id).ok_or_else(|| {
        format!(
            "upload_id {upload_id:?} is unknown: request a presigned upload URL first (one left unused expires with its URL)"
        )
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn upload(deadline: Instant, key: &str) -> Upload {
        Upload {
            environment: None,
            cloud: StorageCloud::Aws,
            format: ArchiveFormat::Zip,
            deadline,
            target: UploadTarget::S3 {
                bucket: BUCKET.to_owned(),
                key: key.to_owned(),
                form: BTreeMap::new(),
            },
            file: None,
        }
    }

    #[test]
    fn uploads_are_found_by_id_and_location_and_expire_unused() {
        let now = Instant::now();
        let hour = Duration::from_secs(3600);
        let mut uploads = Uploads::default();
        uploads.insert("used".into(), upload(now + hour, "k/used"));
        uploads.insert("unused".into(), upload(now + hour, "k/unused"));
        assert_eq!(
            uploads.at(&s3_location(BUCKET, "k/unused")).as_deref(),
            Some("unused")
        );
        assert!(uploads.record(
            "used",
            UploadedFile {
                size: 3,
                is_zip: true
            }
        ));
        assert!(!uploads.record(
            "nope",
            UploadedFile {
                size: 3,
                is_zip: true
            }
        ));

        uploads.sweep(now + hour - Duration::from_secs(1));
        assert_eq!(uploads.len(), 2);
        uploads.sweep(now + hour);
        assert_eq!(uploads.len(), 1, "the unused upload expired");
        assert!(
            uploads.get("used").is_some(),
            "an upload with an archive stays"
        );
        assert_eq!(uploads.at(&s3_location(BUCKET, "k/unused")), None);
        assert!(uploads.expiry.is_empty());

        uploads.remove("used");
        assert_eq!(uploads.len(), 0);
        assert_eq!(uploads.at(&s3_location(BUCKET, "k/used")), None);
        assert!(expired(&upload(now, "k"), now));
        assert!(!expired(&upload(now + hour, "k"), now));
    }
}
