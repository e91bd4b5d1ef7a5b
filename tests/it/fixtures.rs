//! The example bodies of Confluent's usage guide (transcribed in `tests/fixtures/`) decode into
//! the generated types, and encoding them again loses nothing.
//!
//! Driven by `tests/fixtures/manifest.json`: a new fixture is checked as soon as it is listed.

use std::collections::{BTreeSet, HashSet};

use ccloud_connect::cam::{self, CamApi};
use ccloud_connect::ccpm::{self, CcpmApi};
use ccloud_connect::connect::{self, ConnectApi};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::support::fixtures::{Direction, fixture, fixtures_dir, manifest};

/// Decodes a body into one generated type and encodes it again.
type RoundTrip = fn(&Value) -> Result<Value, serde_json::Error>;

fn round_trip<T: DeserializeOwned + Serialize>(body: &Value) -> Result<Value, serde_json::Error> {
    let typed: T = serde_json::from_value(body.clone())?;
    serde_json::to_value(&typed)
}

/// The body types of one operation, as the facade's signature has them.
struct Codec {
    api: &'static str,
    operation: &'static str,
    /// The request body type; `None` when the operation sends no body.
    request: Option<RoundTrip>,
    /// The success response type; `None` when the answer has no body.
    response: Option<RoundTrip>,
}

/// `_` for no body, `Type` for `<api>::Type`, `[Type]` for `Vec<<api>::Type>`.
macro_rules! body {
    ($api:ident, _) => {
        None
    };
    ($api:ident, [$ty:ident]) => {
        Some(round_trip::<Vec<$api::$ty>> as RoundTrip)
    };
    ($api:ident, $ty:ident) => {
        Some(round_trip::<$api::$ty> as RoundTrip)
    };
}

/// `api operation: request body => response body`, one line per operation.
macro_rules! codecs {
    ($($api:ident $operation:ident: $request:tt => $response:tt,)*) => {
        &[$(Codec {
            api: stringify!($api),
            operation: stringify!($operation),
            request: body!($api, $request),
            response: body!($api, $response),
        }),*]
    };
}

/// Every operation of every API. `codec_table_lists_every_operation` keeps it complete, so a
/// fixture for any operation finds its types here.
const CODECS: &[Codec] = codecs! {
    connect list_connectors: _ => ListConnectorsResponse,
    connect create_connector: CreateConnectorRequest => Connector,
    connect get_connector: _ => Connector,
    connect delete_connector: _ => DeleteConnectorResponse,
    connect get_connector_config: _ => ConnectorConfig,
    connect put_connector_config: ConnectorConfig => Connector,
    connect pause_connector: _ => _,
    connect resume_connector: _ => _,
    connect restart_connector: _ => _,
    connect get_connector_status: _ => ConnectorStatus,
    connect list_connector_tasks: _ => [ConnectorTaskInfo],
    connect list_connector_plugins: _ => [ConnectorPlugin],
    connect validate_connector_plugin_config: ConnectorConfig => ConfigValidation,
    connect translate_connector_plugin_config: ConnectorConfig => TranslateResult,
    connect get_connector_offsets: _ => ConnectorOffsets,
    connect alter_connector_offsets: AlterOffsetsRequest => AlterOffsetsRequestInfo,
    connect get_connector_offsets_request_status: _ => AlterOffsetsStatus,
    connect list_custom_connector_plugins: _ => CustomConnectorPluginList,
    connect create_custom_connector_plugin: CustomConnectorPlugin => CustomConnectorPlugin,
    connect get_custom_connector_plugin: _ => CustomConnectorPlugin,
    connect delete_custom_connector_plugin: _ => _,
    connect update_custom_connector_plugin: CustomConnectorPluginUpdate => CustomConnectorPlugin,
    connect create_presigned_upload_url: PresignedUrlRequest => PresignedUrl,
    connect list_custom_connector_runtimes: _ => CustomConnectorRuntimeList,
    ccpm list_plugins: _ => PluginList,
    ccpm create_plugin: Plugin => Plugin,
    ccpm get_plugin: _ => Plugin,
    ccpm delete_plugin: _ => _,
    ccpm update_plugin: PluginUpdate => Plugin,
    ccpm create_presigned_upload_url: PresignedUrlRequest => PresignedUrl,
    ccpm list_plugin_versions: _ => PluginVersionList,
    ccpm create_plugin_version: PluginVersion => PluginVersion,
    ccpm get_plugin_version: _ => PluginVersion,
    ccpm delete_plugin_version: _ => _,
    cam list_artifacts: _ => ConnectArtifactList,
    cam create_artifact: ConnectArtifact => ConnectArtifact,
    cam get_artifact: _ => ConnectArtifact,
    cam delete_artifact: _ => _,
    cam create_presigned_upload_url: PresignedUrlRequest => PresignedUrl,
};

/// Request fields a fixture sends that the operation's body type does not have, so encoding
/// the decoded body leaves them out: (file, JSON pointer, why that is right).
const NOT_IN_REQUEST_TYPE: &[(&str, &str, &str)] = &[
    (
        "update_custom_plugin_request_template.json",
        "/connector_class",
        "the guide's generic PATCH template repeats create-only fields; the official spec's \
         CustomConnectorPluginUpdate has no connector_class (it cannot change after creation)",
    ),
    (
        "update_custom_plugin_request_template.json",
        "/connector_type",
        "create-only as well: not a field of the official CustomConnectorPluginUpdate",
    ),
];

#[test]
fn codec_table_lists_every_operation() {
    let listed: BTreeSet<(&str, &str)> = CODECS.iter().map(|c| (c.api, c.operation)).collect();
    assert_eq!(listed.len(), CODECS.len(), "an operation is listed twice");
    let generated: BTreeSet<(&str, &str)> = ConnectApi::OPERATIONS
        .iter()
        .map(|op| ("connect", *op))
        .chain(CcpmApi::OPERATIONS.iter().map(|op| ("ccpm", *op)))
        .chain(CamApi::OPERATIONS.iter().map(|op| ("cam", *op)))
        .collect();
    assert_eq!(listed, generated);
}

#[test]
fn manifest_and_fixture_folder_agree() {
    let entries = manifest();
    let listed: BTreeSet<String> = entries.iter().map(|e| e.file.clone()).collect();
    assert_eq!(listed.len(), entries.len(), "a file is listed twice");
    let on_disk: BTreeSet<String> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures is readable")
        .map(|f| {
            f.expect("directory entry")
                .file_name()
                .into_string()
                .expect("UTF-8 name")
        })
        .filter(|name| name.ends_with(".json") && name != "manifest.json")
        .collect();
    // A fixture missing from the manifest would silently go unchecked.
    assert_eq!(listed, on_disk, "manifest.json and the .json files differ");
    for entry in &entries {
        match entry.direction {
            Direction::Response => {
                let status = entry
                    .status
                    .unwrap_or_else(|| panic!("{}: no status", entry.file));
                assert!(
                    (200..300).contains(&status),
                    "{}: status {status}",
                    entry.file
                );
            }
            Direction::Request => {
                assert_eq!(
                    entry.status, None,
                    "{}: a request has no status",
                    entry.file
                );
            }
        }
    }
}

#[test]
fn every_fixture_decodes_and_encodes_back_without_loss() {
    let mut exemptions_used = HashSet::new();
    let mut failures = Vec::new();
    let mut checked = 0;
    for entry in manifest() {
        // The telemetry metrics query (api.telemetry.confluent.cloud/v2/metrics/cloud/query)
        // has no spec in openapi/ and so no generated type: the hand-written
        // `ccloud_connect::metrics` module builds its body, and tests/it/metrics.rs checks these
        // fixtures on the wire.
        if entry.api == "telemetry" {
            continue;
        }
        let codec = CODECS
            .iter()
            .find(|c| c.api == entry.api && c.operation == entry.operation_id)
            .unwrap_or_else(|| {
                panic!(
                    "{}: unknown operation {}/{} (not in ConnectApi, CcpmApi or CamApi::OPERATIONS)",
                    entry.file, entry.api, entry.operation_id
                )
            });
        let round_trip = match entry.direction {
            Direction::Request => codec.request,
            Direction::Response => codec.response,
        }
        .unwrap_or_else(|| {
            panic!(
                "{}: {} has no {:?} body",
                entry.file, entry.operation_id, entry.direction
            )
        });
        let mut original = fixture(&entry.file);
        let encoded = match round_trip(&original) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{}: does not decode: {e}", entry.file));
                continue;
            }
        };
        for (i, (file, pointer, _why)) in NOT_IN_REQUEST_TYPE.iter().enumerate() {
            if *file == entry.file && remove_pointer(&mut original, pointer).is_some() {
                exemptions_used.insert(i);
            }
        }
        let mut diffs = Vec::new();
        compare(&original, &encoded, entry.direction, "", &mut diffs);
        failures.extend(diffs.into_iter().map(|d| format!("{}: {d}", entry.file)));
        checked += 1;
    }
    for (i, (file, pointer, _)) in NOT_IN_REQUEST_TYPE.iter().enumerate() {
        if !exemptions_used.contains(&i) {
            failures.push(format!(
                "{file}{pointer}: exemption matches nothing; remove it"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(checked > 0, "the manifest lists no checkable fixture");
}

/// Collects every difference between a fixture and its re-encoding, with its JSON pointer.
///
/// Field-for-field equality, with two normalisations the generated types legitimately make:
/// * `date-time` fields become `chrono::DateTime<Utc>` and are written back in UTC
///   (`2006-01-02T15:04:05-07:00` comes back as `2006-01-02T22:04:05Z`): compared as instants.
/// * In responses only, an optional field that is `null`, `[]` or `{}` may come back absent:
///   the types skip empty optional values, and for a reader absent and empty mean the same.
///   Requests get no such allowance, as there the server sees the difference (a PATCH with
///   `[]` clears a list, without the field it keeps it).
fn compare(
    original: &Value,
    encoded: &Value,
    direction: Direction,
    at: &str,
    out: &mut Vec<String>,
) {
    match (original, encoded) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let here = format!("{at}/{}", escape(key));
                match b.get(key) {
                    Some(other) => compare(value, other, direction, &here, out),
                    None if direction == Direction::Response && is_empty(value) => {}
                    None => out.push(format!("{here}: dropped (was {value})")),
                }
            }
            for key in b.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!(
                    "{at}/{}: added by the encoder ({})",
                    escape(key),
                    b[key]
                ));
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(x, y, direction, &format!("{at}/{i}"), out);
            }
        }
        (Value::String(a), Value::String(b)) if a == b || same_instant(a, b) => {}
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{at}: {a} came back as {b}")),
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn same_instant(a: &str, b: &str) -> bool {
    match (
        chrono::DateTime::parse_from_rfc3339(a),
        chrono::DateTime::parse_from_rfc3339(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Removes the value at a JSON pointer (one level below its parent object).
fn remove_pointer(value: &mut Value, pointer: &str) -> Option<Value> {
    let (parent, key) = pointer.rsplit_once('/')?;
    let key = key.replace("~1", "/").replace("~0", "~");
    value.pointer_mut(parent)?.as_object_mut()?.remove(&key)
}

/// The comparison itself must catch a lost field, a changed value and a lost timestamp
/// offset that changes the instant; otherwise the fixture test above proves nothing.
#[test]
fn comparison_reports_real_losses() {
    let cases = [
        (
            json!({"a": 1, "b": "x"}),
            json!({"a": 1}),
            Direction::Response,
            "/b: dropped",
        ),
        (
            json!({"a": []}),
            json!({}),
            Direction::Request,
            "/a: dropped",
        ),
        (
            json!({"a": null}),
            json!({}),
            Direction::Request,
            "/a: dropped",
        ),
        (
            json!({"a": "x"}),
            json!({"a": "y"}),
            Direction::Response,
            "/a: \"x\" came back as \"y\"",
        ),
        (json!({}), json!({"z": 0}), Direction::Response, "/z: added"),
        (
            json!([1, 2]),
            json!([1]),
            Direction::Response,
            ": [1,2] came back as [1]",
        ),
        (
            json!({"k/e": {"t": 1}}),
            json!({"k/e": {}}),
            Direction::Response,
            "/k~1e/t: dropped",
        ),
        (
            json!({"t": "2006-01-02T15:04:05-07:00"}),
            json!({"t": "2006-01-02T15:04:05Z"}),
            Direction::Response,
            "/t: ",
        ),
    ];
    for (original, encoded, direction, expected) in cases {
        let mut out = Vec::new();
        compare(&original, &encoded, direction, "", &mut out);
        assert!(
            out.len() == 1 && out[0].starts_with(expected),
            "{original} vs {encoded}: {out:?}"
        );
    }
    let tolerated = [
        (
            json!({"t": "2006-01-02T15:04:05-07:00"}),
            json!({"t": "2006-01-02T22:04:05Z"}),
        ),
        (
            json!({"a": [], "b": {}, "c": null, "d": 1}),
            json!({"d": 1}),
        ),
    ];
    for (original, encoded) in tolerated {
        let mut out = Vec::new();
        compare(&original, &encoded, Direction::Response, "", &mut out);
        assert!(out.is_empty(), "{original} vs {encoded}: {out:?}");
    }
}

/// Checks one open enum: every known value decodes to a variant of its own and goes back
/// unchanged, and any other string decodes to `Unknown` and also goes back unchanged.
macro_rules! check_open_enum {
    ($ty:ty) => {{
        let name = stringify!($ty);
        let mut variants = HashSet::new();
        for &known in <$ty>::KNOWN {
            let value: $ty = serde_json::from_value(json!(known)).expect(name);
            assert!(!value.is_unknown(), "{name}: {known} decoded as unknown");
            assert_eq!(value.as_str(), known, "{name}");
            assert_eq!(value.to_string(), known, "{name}");
            assert_eq!(known.parse::<$ty>().unwrap(), value, "{name}");
            assert_eq!(
                serde_json::to_value(&value).unwrap(),
                json!(known),
                "{name}"
            );
            assert!(variants.insert(value), "{name}: two values share a variant");
        }
        let lower_case: Vec<String> = <$ty>::KNOWN
            .iter()
            .map(|k| k.to_ascii_lowercase())
            .collect();
        let samples = ["RESTARTING", "", "Späť ✓"]
            .into_iter()
            .chain(lower_case.iter().map(String::as_str))
            .filter(|s| !<$ty>::KNOWN.contains(s));
        for sample in samples {
            let value: $ty = serde_json::from_value(json!(sample)).expect(name);
            assert_eq!(value, <$ty>::Unknown(sample.to_owned()), "{name}");
            assert_eq!(
                serde_json::to_value(&value).unwrap(),
                json!(sample),
                "{name}"
            );
        }
    }};
}

#[test]
fn enums_decode_unknown_values_and_keep_them() {
    check_open_enum!(connect::AlterOffsetsPhase);
    check_open_enum!(connect::AlterOffsetsRequestType);
    check_open_enum!(connect::Cloud);
    check_open_enum!(connect::ConfigImportance);
    check_open_enum!(connect::ConfigType);
    check_open_enum!(connect::ConfigWidth);
    check_open_enum!(connect::ConnectorState);
    check_open_enum!(connect::ConnectorType);
    check_open_enum!(connect::ContentFormat);
    check_open_enum!(connect::CustomConnectorPluginType);
    check_open_enum!(connect::ProductMaturity);
    check_open_enum!(connect::RuntimeLanguage);
    check_open_enum!(connect::UploadSourceLocation);
    check_open_enum!(ccpm::Cloud);
    check_open_enum!(ccpm::ConnectorClassType);
    check_open_enum!(ccpm::ContentFormat);
    check_open_enum!(ccpm::PluginVersionPhase);
    check_open_enum!(ccpm::UploadSourceLocation);
    check_open_enum!(cam::ArtifactPhase);
    check_open_enum!(cam::Cloud);
    check_open_enum!(cam::ContentFormat);
    check_open_enum!(cam::UploadSourceLocation);
}

#[test]
fn unknown_state_and_extra_fields_decode() {
    let status: connect::ConnectorStatus = serde_json::from_value(json!({
        "name": "pg-sink",
        "type": "bidirectional",
        "connector": {"state": "RESTARTING", "worker_id": "w-1", "since": "2026-01-01"},
        "tasks": [{"id": 0, "state": "RUNNING", "attempt": 3}],
        "a_field_from_the_future": {"nested": [1, 2]}
    }))
    .expect("extra fields and unknown values are tolerated");
    assert_eq!(
        status.connector.state,
        connect::ConnectorState::Unknown("RESTARTING".into())
    );
    assert_eq!(
        status.type_,
        Some(connect::ConnectorType::Unknown("bidirectional".into()))
    );
    assert_eq!(status.tasks[0].state, connect::ConnectorState::Running);
    assert_eq!(status.connector.worker_id.as_deref(), Some("w-1"));

    let version: ccpm::PluginVersion = serde_json::from_value(json!({
        "spec": {
            "version": "1.0.0",
            "connector_classes": [{"class_name": "a.B", "type": "TRANSFORM", "x": 1}],
            "upload_source": {"location": "S3_DIRECT", "upload_id": "u-1"},
            "environment": {"id": "env-1", "kind": "Environment"},
            "content_format": "TAR"
        },
        "status": {"phase": "QUEUED", "progress": 0.5}
    }))
    .expect("extra fields and unknown values are tolerated");
    assert_eq!(
        version.spec.connector_classes[0].type_,
        ccpm::ConnectorClassType::Unknown("TRANSFORM".into())
    );
    assert_eq!(
        version.spec.upload_source.location,
        ccpm::UploadSourceLocation::Unknown("S3_DIRECT".into())
    );
    assert_eq!(
        version.spec.content_format,
        Some(ccpm::ContentFormat::Unknown("TAR".into()))
    );
    assert_eq!(
        version.status.map(|s| s.phase),
        Some(ccpm::PluginVersionPhase::Unknown("QUEUED".into()))
    );

    let artifact: cam::ConnectArtifact = serde_json::from_value(json!({
        "spec": {
            "cloud": "ORACLE",
            "environment": "env-1",
            "display_name": "smts",
            "content_format": "TAR",
            "upload_source": {"location": "S3_DIRECT", "upload_id": ""},
            "plugins": [{"class": "a.B", "alias": "b"}]
        },
        "status": {"phase": "QUARANTINED", "reason": "scan"}
    }))
    .expect("extra fields and unknown values are tolerated");
    assert_eq!(artifact.spec.cloud, cam::Cloud::Unknown("ORACLE".into()));
    assert_eq!(
        artifact.spec.content_format,
        Some(cam::ContentFormat::Unknown("TAR".into()))
    );
    assert_eq!(
        artifact.spec.upload_source.map(|u| u.location),
        Some(cam::UploadSourceLocation::Unknown("S3_DIRECT".into()))
    );
    assert_eq!(artifact.spec.plugins[0].class.as_deref(), Some("a.B"));
    assert_eq!(
        artifact.status.map(|s| s.phase),
        Some(cam::ArtifactPhase::Unknown("QUARANTINED".into()))
    );
}
