//! Presigned uploads: what one is, and the index that remembers them. Issuing one is
//! `presign`'s job; this module depends on nothing of the emulator, so the store can
//! hold an [`Uploads`] without a cycle.
//!
//! The store is indexed both ways a request names an upload (its id, from the API; its
//! location, from a storage endpoint). Its memory stays bounded however many URLs are
//! issued and never used: an upload whose URL expired before anything was sent to it is
//! forgotten, and so is the oldest unused one when more than the cap are outstanding. An
//! upload that received an archive is kept, as it can back plugins.
//!
//! Forgetting must not change the answer a late upload gets, so the signature of every
//! URL is an HMAC-SHA256, under a key of the store's own, of the URL's location and
//! expiry: a storage request for a location the store no longer knows, carrying a
//! signature the key made, was issued and forgotten, and gets the storage service's expiry
//! error, as an expired URL does.

use std::collections::{BTreeMap, HashMap, VecDeque};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
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

/// The API that issued a presigned upload, and so the only one whose resources may use it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Issuer {
    /// `connect/v1` custom connector plugins (organization-wide, no environment).
    #[default]
    ConnectV1,
    /// `ccpm/v1` plugin versions, in an environment.
    Ccpm,
    /// `cam/v1` Connect Artifacts, in an environment.
    Cam,
}

impl Issuer {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Issuer::ConnectV1 => "connect/v1",
            Issuer::Ccpm => "ccpm/v1",
            Issuer::Cam => "cam/v1",
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
    /// The API that issued it.
    pub(crate) issuer: Issuer,
    /// `None` for `connect/v1`, the environment for `ccpm/v1` and `cam/v1`.
    pub(crate) environment: Option<String>,
    pub(crate) cloud: StorageCloud,
    pub(crate) format: ArchiveFormat,
    /// When the URL expires, on the runtime's clock.
    pub(crate) deadline: Instant,
    pub(crate) target: UploadTarget,
    pub(crate) file: Option<UploadedFile>,
    /// An archive is on its way to it: not evicted by the cap (only by its expiry), or
    /// an upload in progress would end in an expiry error with a valid URL.
    pub(crate) receiving: bool,
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

/// What a GCS signed URL's signature covers besides its location: its date and lifetime.
pub(crate) fn gcs_signed(date: &str, expires: &str) -> String {
    format!("{date}\n{expires}")
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

/// The key presigned URLs are signed with: random per store, saved with the state.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SigningKey([u8; 32]);

impl SigningKey {
    fn random() -> SigningKey {
        let mut key = [0u8; 32];
        key.iter_mut().for_each(|b| *b = fastrand::u8(..));
        SigningKey(key)
    }

    /// The key as 64 hex digits, for the state file.
    pub(crate) fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A key saved by [`to_hex`](SigningKey::to_hex); `None` for anything else.
    pub(crate) fn from_hex(hex: &str) -> Option<SigningKey> {
        // Hex digits only: `from_str_radix` would also take a sign (`+f`).
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut key = [0u8; 32];
        for (i, b) in key.iter_mut().enumerate() {
            *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(SigningKey(key))
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

/// Every presigned upload not yet forgotten.
#[derive(Debug)]
pub(crate) struct Uploads {
    by_id: HashMap<String, Upload>,
    /// Location (see [`s3_location`] and its siblings) to upload id.
    by_location: HashMap<String, String>,
    /// Upload ids with their URLs' expiry, in issue order. Every URL of an emulator lives
    /// as long, so issue order is expiry order and a sweep only looks at the front; the
    /// front is also the oldest upload, the first to go over the cap. Ids forgotten
    /// otherwise, or that received an archive, stay until the front reaches them.
    expiry: VecDeque<(Instant, String)>,
    /// How many uploads in `by_id` have nothing uploaded.
    unused: usize,
    key: SigningKey,
}

impl Default for Uploads {
    fn default() -> Self {
        Uploads {
            by_id: HashMap::new(),
            by_location: HashMap::new(),
            expiry: VecDeque::new(),
            unused: 0,
            key: SigningKey::random(),
        }
    }
}

impl Uploads {
    /// Remembers a freshly issued upload. Those that expired unused are forgotten first,
    /// then the oldest unused ones until fewer than `max_unused` are left (at least one
    /// stays: the one being inserted).
    pub(crate) fn insert(&mut self, upload_id: String, upload: Upload, max_unused: usize) {
        self.sweep(Instant::now());
        let mut receiving = Vec::new();
        while self.unused >= max_unused.max(1) + receiving.len() {
            let Some((deadline, id)) = self.expiry.pop_front() else {
                break;
            };
            match self.by_id.get(&id) {
                Some(u) if u.receiving && u.file.is_none() => receiving.push((deadline, id)),
                Some(u) if u.file.is_none() => self.remove(&id),
                _ => {}
            }
        }
        // Back at the front, in their order: they are still the oldest.
        for entry in receiving.into_iter().rev() {
            self.expiry.push_front(entry);
        }
        self.restore(upload_id, upload);
    }

    /// Remembers an upload read back from the state file, as saved: no sweep, no cap.
    /// Restored in order of expiry, the queue stays in order.
    pub(crate) fn restore(&mut self, upload_id: String, upload: Upload) {
        // Ids are random, so none is stored twice; if one were, it is replaced whole.
        self.remove(&upload_id);
        self.by_location
            .insert(upload.target.location(), upload_id.clone());
        self.expiry.push_back((upload.deadline, upload_id.clone()));
        self.unused += usize::from(upload.file.is_none());
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

    /// Forgets an upload (its place in the expiry queue goes when the queue's front
    /// reaches it).
    pub(crate) fn remove(&mut self, upload_id: &str) {
        if let Some(upload) = self.by_id.remove(upload_id) {
            self.by_location.remove(&upload.target.location());
            self.unused -= usize::from(upload.file.is_none());
        }
    }

    /// Uploads remembered, with an archive or not.
    pub(crate) fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Uploads remembered with nothing uploaded yet: the ones the cap counts.
    pub(crate) fn unused(&self) -> usize {
        self.unused
    }

    /// Every upload remembered, with its id.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&String, &Upload)> {
        self.by_id.iter()
    }

    /// Marks `upload_id` as receiving its archive (see [`Upload::receiving`]).
    pub(crate) fn begin(&mut self, upload_id: &str) {
        if let Some(upload) = self.by_id.get_mut(upload_id) {
            upload.receiving = true;
        }
    }

    /// Records the archive received for `upload_id`; `false` if the upload is gone.
    pub(crate) fn record(&mut self, upload_id: &str, file: UploadedFile) -> bool {
        match self.by_id.get_mut(upload_id) {
            Some(upload) => {
                self.unused -= usize::from(upload.file.is_none());
                upload.file = Some(file);
                true
            }
            None => false,
        }
    }

    /// The key URLs are signed with.
    pub(crate) fn key(&self) -> &SigningKey {
        &self.key
    }

    /// Signs with a saved key from now on (the state file's).
    pub(crate) fn set_key(&mut self, key: SigningKey) {
        self.key = key;
    }

    /// The signature of a URL for `location` that also carries `signed` (its expiry, or
    /// the policy that holds it): HMAC-SHA256 under the store's key, as 64 hex digits.
    pub(crate) fn sign_hex(&self, location: &str, signed: &str) -> String {
        self.sign(location, signed)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The same signature in standard base64, as Azure SAS signatures are written.
    pub(crate) fn sign_base64(&self, location: &str, signed: &str) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(self.sign(location, signed))
    }

    fn sign(&self, location: &str, signed: &str) -> Vec<u8> {
        // HMAC takes a key of any length: this cannot fail.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key.0) else {
            return Vec::new();
        };
        mac.update(location.as_bytes());
        mac.update(b"\n");
        mac.update(signed.as_bytes());
        mac.finalize().into_bytes().to_vec()
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
    issuer: Issuer,
    environment: Option<&str>,
    cloud: StorageCloud,
) -> Result<(&'a Upload, &'a UploadedFile), String> {
    let upload = uploads.get(upload_id).ok_or_else(|| {
        format!(
            "upload_id {upload_id:?} is unknown: request a presigned upload URL first (one left unused expires with its URL)"
        )
    })?;
    if upload.issuer != issuer {
        return Err(format!(
            "upload_id {upload_id:?} was issued by {}; use a {} presigned upload URL",
            upload.issuer.as_str(),
            issuer.as_str()
        ));
    }
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
            issuer: Issuer::ConnectV1,
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
            receiving: false,
        }
    }

    #[test]
    fn a_signing_key_reads_back_from_hex_digits_only() {
        let key = SigningKey::random();
        let hex: String = key.0.iter().map(|b| format!("{b:02x}")).collect();
        assert!(SigningKey::from_hex(&hex).is_some());
        assert!(SigningKey::from_hex(&format!("+f{}", &hex[2..])).is_none());
        assert!(SigningKey::from_hex(&hex[1..]).is_none());
    }

    #[test]
    fn an_upload_in_progress_is_not_evicted_by_the_cap() {
        let now = Instant::now();
        let mut uploads = Uploads::default();
        let later = now + Duration::from_secs(3600);
        uploads.insert("first".into(), upload(later, "k1"), 2);
        uploads.begin("first");
        uploads.insert("second".into(), upload(later, "k2"), 2);
        // One receiving is not counted against the cap of 2 unused...
        uploads.insert("third".into(), upload(later, "k3"), 2);
        assert!(uploads.get("second").is_some());
        // ...and past the cap the oldest unused one that is not receiving goes.
        uploads.insert("fourth".into(), upload(later, "k4"), 2);
        assert!(
            uploads.get("first").is_some(),
            "the upload in progress was evicted"
        );
        assert!(uploads.get("second").is_none());
        assert!(uploads.get("third").is_some() && uploads.get("fourth").is_some());
        // Its archive still lands.
        assert!(uploads.record(
            "first",
            UploadedFile {
                size: 4,
                is_zip: true
            }
        ));
    }

    #[test]
    fn uploads_are_found_by_id_and_location_and_expire_unused() {
        let now = Instant::now();
        let hour = Duration::from_secs(3600);
        let mut uploads = Uploads::default();
        uploads.insert("used".into(), upload(now + hour, "k/used"), 10);
        uploads.insert("unused".into(), upload(now + hour, "k/unused"), 10);
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

    fn file() -> UploadedFile {
        UploadedFile {
            size: 3,
            is_zip: true,
        }
    }

    #[test]
    fn the_oldest_unused_upload_goes_over_the_cap() {
        let later = Instant::now() + Duration::from_secs(3600);
        let mut uploads = Uploads::default();
        uploads.insert("a".into(), upload(later, "k/a"), 2);
        uploads.insert("b".into(), upload(later, "k/b"), 2);
        assert!(uploads.record("a", file()));
        uploads.insert("c".into(), upload(later, "k/c"), 2);
        assert_eq!(
            (uploads.len(), uploads.unused()),
            (3, 2),
            "a used one is not counted"
        );
        uploads.insert("d".into(), upload(later, "k/d"), 2);
        assert!(uploads.get("b").is_none(), "the oldest unused one went");
        assert_eq!(uploads.at(&s3_location(BUCKET, "k/b")), None);
        assert!(uploads.get("a").is_some(), "one with an archive stays");
        assert_eq!((uploads.len(), uploads.unused()), (3, 2));
        for i in 0..1000 {
            uploads.insert(format!("x{i}"), upload(later, &format!("k/x{i}")), 2);
            assert_eq!(uploads.unused(), 2);
        }
        assert_eq!(uploads.len(), 3);
        assert!(uploads.get("x999").is_some() && uploads.get("x998").is_some());
        assert!(uploads.expiry.len() <= 3, "{}", uploads.expiry.len());
        assert_eq!(uploads.by_location.len(), 3);
        // A cap of 0 counts as 1: the upload just issued stays.
        uploads.insert("last".into(), upload(later, "k/last"), 0);
        assert_eq!(uploads.unused(), 1);
        assert!(uploads.get("last").is_some());
        uploads.remove("a");
        assert_eq!((uploads.len(), uploads.unused()), (1, 1));
    }

    #[test]
    fn signatures_depend_on_the_key_the_location_and_what_is_signed() {
        let uploads = Uploads::default();
        let sig = uploads.sign_hex("s3/b/k", "policy");
        assert_eq!(sig.len(), 64);
        assert_eq!(sig, uploads.sign_hex("s3/b/k", "policy"));
        assert_ne!(sig, uploads.sign_hex("s3/b/k2", "policy"));
        assert_ne!(sig, uploads.sign_hex("s3/b/k", "policy2"));
        assert_ne!(sig, Uploads::default().sign_hex("s3/b/k", "policy"));
        assert_eq!(uploads.sign_base64("a", "b").len(), 44);

        let key = uploads.key().to_hex();
        let mut restored = Uploads::default();
        restored.set_key(SigningKey::from_hex(&key).unwrap());
        assert_eq!(restored.sign_hex("s3/b/k", "policy"), sig);
        assert!(SigningKey::from_hex("zz").is_none());
        assert!(SigningKey::from_hex(&"g".repeat(64)).is_none());
        assert!(!format!("{:?}", uploads.key()).contains(&key[..8]));
    }
}
