//! Validation: each failure is reported and nothing is sent.

use std::time::Duration;

use ccloud_connect::Error;
use ccloud_connect::ccpm::ConnectorClassType;
use ccloud_connect::ccpm::{NewPluginVersion, PluginRef};
use ccloud_connect::connect::CustomConnectorPluginType;
use ccloud_connect::connect::NewCustomPlugin;
use ccloud_connect::upload::{Archive, ArchiveFormat, PresignedUpload, UploadOptions};
use ccloud_connect::wait::WaitOptions;
use httpmock::prelude::*;
use serde_json::json;

use super::{archive_bytes, scratch, write_archive};
use crate::support::{self};

/// A server that answers anything, so a request that should not have been sent is counted.
async fn catch_all(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await
}

#[tokio::test]
async fn archive_checks_refuse_bad_files_before_any_request() {
    let server = MockServer::start_async().await;
    let anything = catch_all(&server).await;
    let dir = scratch("validate");
    let api = support::client(&server.base_url());
    let plugin = NewCustomPlugin::new("p", "com.example.C", CustomConnectorPluginType::Source);
    std::fs::create_dir_all(dir.join("folder.zip")).unwrap();
    write_archive(&dir, "empty.zip", b"");
    write_archive(&dir, "plugin.jar", b"PK\x03\x04");
    write_archive(&dir, "plugin", b"PK\x03\x04");
    let mut big = b"PK\x03\x04".to_vec();
    big.resize(2048, 7);
    write_archive(&dir, "big.zip", &big);
    // Named as archives, but not ZIP files (a JAR is a ZIP file too).
    write_archive(&dir, "bogus.zip", b"this is not a zip\n");
    write_archive(&dir, "page.jar", b"<!DOCTYPE html><html>");
    write_archive(&dir, "plugin.tar.zip", &[0x1f, 0x8b, 8, 0, 0, 0]);
    write_archive(
        &dir,
        "nothing.zip",
        b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
    );
    write_archive(&dir, "pk.zip", b"PK");

    let cases: [(&str, ArchiveFormat, Option<u64>, &str); 11] = [
        ("missing.zip", ArchiveFormat::Zip, None, "does not exist"),
        ("folder.zip", ArchiveFormat::Zip, None, "not a regular file"),
        ("empty.zip", ArchiveFormat::Zip, None, "is empty"),
        ("plugin.jar", ArchiveFormat::Zip, None, "extension .zip"),
        ("plugin", ArchiveFormat::Jar, None, "has none"),
        (
            "big.zip",
            ArchiveFormat::Zip,
            Some(1024),
            "more than the limit of 1024",
        ),
        (
            "bogus.zip",
            ArchiveFormat::Zip,
            None,
            "is not a ZIP archive",
        ),
        ("page.jar", ArchiveFormat::Jar, None, "looks like HTML"),
        (
            "plugin.tar.zip",
            ArchiveFormat::Zip,
            None,
            "looks like a gzip file",
        ),
        (
            "nothing.zip",
            ArchiveFormat::Zip,
            None,
            "an empty ZIP archive",
        ),
        ("pk.zip", ArchiveFormat::Zip, None, "PK\\x03\\x04"),
    ];
    for (name, format, cap, reason) in cases {
        let path = dir.join(name);
        let attempt = async {
            let archive = match cap {
                Some(cap) => Archive::open_with_max_size(&path, format, cap)?,
                None => Archive::open(&path, format)?,
            };
            api.connect()
                .publish_custom_plugin(&plugin, &archive, &UploadOptions::new())
                .await
        };
        let err = attempt.await.unwrap_err();
        assert!(err.is_validation(), "{name}: {err:?}");
        assert!(
            matches!(&err, Error::Validation { field, .. } if field == "archive"),
            "{err:?}"
        );
        assert!(err.to_string().contains(reason), "{name}: {err}");
    }
    // Exactly at the cap is allowed.
    Archive::open_with_max_size(dir.join("big.zip"), ArchiveFormat::Zip, 2048).unwrap();
    anything.assert_calls_async(0).await;
}

#[tokio::test]
async fn presigned_and_request_checks_refuse_before_any_request() {
    let server = MockServer::start_async().await;
    let anything = catch_all(&server).await;
    let dir = scratch("validate2");
    let api = support::client(&server.base_url());
    let zip_path = write_archive(&dir, "p.zip", &archive_bytes(1000));
    let zip = Archive::open(&zip_path, ArchiveFormat::Zip).unwrap();
    let options = UploadOptions::new();
    let url = server.url("/storage/");

    let presigned =
        |json: serde_json::Value| PresignedUpload::from_json(json.to_string().as_bytes()).unwrap();
    let refused = [
        // Issued for JAR, given a ZIP.
        presigned(
            json!({"upload_id": "u", "upload_url": url, "cloud": "GCP", "content_format": "JAR"}),
        ),
        // S3 without its policy fields.
        presigned(json!({"upload_id": "u", "upload_url": url, "cloud": "AWS"})),
        // A text field that S3 would store instead of the archive.
        presigned(
            json!({"upload_id": "u", "upload_url": url, "upload_form_data": {"key": "k", "file": "x"}}),
        ),
        // A cloud this crate cannot upload to.
        presigned(json!({"upload_id": "u", "upload_url": url, "cloud": "ORACLE"})),
        // Nothing says which protocol.
        presigned(json!({"upload_id": "u", "upload_url": url})),
        // Not an http(s) URL.
        presigned(json!({"upload_id": "u", "upload_url": "ftp://127.0.0.1/x", "cloud": "GCP"})),
    ];
    for p in &refused {
        let err = p.upload(&zip, &options).await.unwrap_err();
        assert!(err.is_validation(), "{p:?}: {err:?}");
    }

    // The file changed after it was checked: refused before the first API request.
    std::fs::write(&zip_path, archive_bytes(999)).unwrap();
    let plugin = NewCustomPlugin::new("p", "com.example.C", CustomConnectorPluginType::Source);
    let err = api
        .connect()
        .publish_custom_plugin(&plugin, &zip, &options)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("changed since it was checked"),
        "{err}"
    );
    std::fs::write(&zip_path, archive_bytes(1000)).unwrap();

    // Request arguments.
    let nameless = NewCustomPlugin::new(" ", "com.example.C", CustomConnectorPluginType::Source);
    let err = api
        .connect()
        .publish_custom_plugin(&nameless, &zip, &options)
        .await
        .unwrap_err();
    assert!(
        err.is_validation() && err.to_string().contains("display_name"),
        "{err}"
    );
    let classless = NewPluginVersion::new(PluginRef::id("ccp-1"), "1.0.0");
    let err = api
        .ccpm()
        .environment("env-1")
        .publish_version(&classless, &zip, &options)
        .await
        .unwrap_err();
    assert!(
        err.is_validation() && err.to_string().contains("connector class"),
        "{err}"
    );
    let dotted = NewPluginVersion::new(PluginRef::id(".."), "1.0.0")
        .connector_class("com.example.C", ConnectorClassType::Sink);
    let err = api
        .ccpm()
        .environment("env-1")
        .publish_version(&dotted, &zip, &options)
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err}");
    let flooding = NewPluginVersion::new(PluginRef::id("ccp-1"), "1.0.0")
        .connector_class("com.example.C", ConnectorClassType::Sink)
        .wait_until_ready(WaitOptions::new(Duration::ZERO, Duration::from_secs(1)));
    let err = api
        .ccpm()
        .environment("env-1")
        .publish_version(&flooding, &zip, &options)
        .await
        .unwrap_err();
    assert!(
        err.is_validation() && err.to_string().contains("wait interval"),
        "{err}"
    );

    anything.assert_calls_async(0).await;
}
