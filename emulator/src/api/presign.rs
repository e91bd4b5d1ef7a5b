//! Issuing presigned upload URLs, for `custom_plugins` and `ccpm`: the URL, the S3 form
//! fields and the [`Upload`] the store remembers, signed with the store's key (see
//! `uploads`). Above the store (it reads the settings and base URL), so `uploads` itself
//! can stay below it.

use std::collections::BTreeMap;

use base64::Engine as _;
use chrono::Utc;
use tokio::time::Instant;

use crate::http::errors::Failure;
use crate::http::ids::{random_hex, random_uuid};
use crate::state::store::App;
use crate::state::uploads::{
    ArchiveFormat, BUCKET, CONTAINER, Issuer, StorageCloud, Upload, UploadTarget, azure_location,
    gcs_location, gcs_signed, s3_location,
};

/// The archive format a presigned-URL request names, or the `422` every API answers.
pub(crate) fn format(content_format: &str) -> Result<ArchiveFormat, Failure> {
    ArchiveFormat::parse(content_format).ok_or_else(|| {
        Failure::invalid(
            "/content_format",
            format!("content_format {content_format:?} is not one of ZIP, JAR"),
        )
    })
}

/// The cloud a presigned-URL request names, or the `422` every API answers.
pub(crate) fn cloud(cloud: &str) -> Result<StorageCloud, Failure> {
    StorageCloud::parse(cloud).ok_or_else(|| {
        Failure::invalid(
            "/cloud",
            format!("cloud {cloud:?} is not one of AWS, AZURE, GCP"),
        )
    })
}

/// A freshly issued presigned URL.
pub(crate) struct Issued {
    pub(crate) upload_id: String,
    pub(crate) upload_url: String,
    pub(crate) form: BTreeMap<String, String>,
}

/// Issues a new presigned URL and stores its upload, forgetting the oldest unused one when
/// [`max_pending_uploads`](crate::EmulatorConfig::max_pending_uploads) are outstanding.
pub(crate) fn issue(
    app: &App,
    issuer: Issuer,
    environment: Option<String>,
    cloud: StorageCloud,
    format: ArchiveFormat,
) -> Issued {
    let upload_id = random_uuid();
    let now = Utc::now();
    // A time to live too large for the clocks means no expiry in practice: a century.
    let century = std::time::Duration::from_secs(100 * 365 * 24 * 3600);
    let ttl_std = app.settings.upload_url_ttl.min(century);
    let deadline = Instant::now() + ttl_std;
    let ttl = chrono::Duration::from_std(ttl_std).unwrap_or_else(|_| chrono::Duration::hours(1));
    let expires_at = now.checked_add_signed(ttl).unwrap_or(now);
    let file_name = match issuer {
        Issuer::Cam => format!("artifact.{}", format.extension()),
        Issuer::ConnectV1 | Issuer::Ccpm => format!("plugin.{}", format.extension()),
    };
    let collection = match issuer {
        Issuer::Cam => "connect-artifacts",
        Issuer::ConnectV1 | Issuer::Ccpm => "custom-plugins",
    };
    let scope = environment.as_deref().unwrap_or("organization");
    let base = &app.base_url;
    let mut store = app.store();
    let (upload_url, form, target) = match cloud {
        StorageCloud::Aws => {
            let key = format!(
                "staging/ccp/v1/{}/{scope}/{collection}/{upload_id}/{file_name}",
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
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
            let mut form = form;
            let signature = store
                .uploads
                .sign_hex(&s3_location(BUCKET, &key), &form["policy"]);
            form.insert("x-amz-signature".to_owned(), signature);
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
            let se = expires_at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let signature = store
                .uploads
                .sign_base64(&azure_location(CONTAINER, &blob), &se);
            let query = form_urlencoded::Serializer::new(String::new())
                .append_pair("sv", "2022-11-02")
                .append_pair("se", &se)
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
            let date = now.format("%Y%m%dT%H%M%SZ").to_string();
            let expires = ttl.num_seconds().to_string();
            let signature = store
                .uploads
                .sign_hex(&gcs_location(BUCKET, &object), &gcs_signed(&date, &expires));
            let query = form_urlencoded::Serializer::new(String::new())
                .append_pair("X-Goog-Algorithm", "GOOG4-RSA-SHA256")
                .append_pair(
                    "X-Goog-Credential",
                    &format!(
                        "emulator@confluent-emulator.iam.gserviceaccount.com/{}/auto/storage/goog4_request",
                        now.format("%Y%m%d")
                    ),
                )
                .append_pair("X-Goog-Date", &date)
                .append_pair("X-Goog-Expires", &expires)
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
    let upload = Upload {
        issuer,
        environment,
        cloud,
        format,
        deadline,
        target,
        file: None,
        receiving: false,
    };
    let cap = app.settings.max_pending_uploads;
    store.uploads.insert(upload_id.clone(), upload, cap);
    Issued {
        upload_id,
        upload_url,
        form,
    }
}
