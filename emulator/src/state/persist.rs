//! The state file: the whole store written as JSON after every acknowledged change and read
//! back at start, so an emulator killed at any moment restarts with everything it
//! acknowledged.
//!
//! Instants of the runtime's clock mean nothing to another process, so deadlines are saved
//! as the time left when the snapshot was taken; a restored emulator counts them down
//! again from its start. A stale-status window is not saved: a restarted emulator shows
//! live states.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use ccloud_connect::connect::{self, ConnectorOffset};
use ccloud_connect::{cam, ccpm};

use crate::http::json::located;
use crate::state::artifacts::Artifact;
use crate::state::lifecycle::{Failure as Injected, later};
use crate::state::store::{
    App, CcpmPlugin, CcpmVersion, Connector, CustomPlugin, OffsetsRequest, Store,
};
use crate::state::uploads::{
    ArchiveFormat, Issuer, SigningKey, StorageCloud, Upload, UploadTarget, UploadedFile,
};

/// Bumped when the format changes in a way older files cannot be read as.
const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Snapshot {
    format: u32,
    next_seq: u64,
    connectors: Vec<SavedConnector>,
    custom_plugins: Vec<(String, u64, connect::CustomConnectorPlugin)>,
    ccpm_plugins: Vec<SavedCcpmPlugin>,
    /// `cam/v1` Connect Artifacts; absent from files written before them.
    #[serde(default)]
    artifacts: Vec<SavedArtifact>,
    uploads: Vec<SavedUpload>,
    /// The key presigned URLs are signed with (64 hex digits), so URLs issued before a
    /// restart and forgotten since are still recognised. Absent from files written before
    /// it was saved: those get a new key.
    #[serde(default)]
    signing_key: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct SavedConnector {
    environment: String,
    cluster: String,
    id: String,
    name: String,
    config: BTreeMap<String, String>,
    type_: Option<connect::ConnectorType>,
    sensitive: BTreeSet<String>,
    class: Option<String>,
    plugin_version: Option<String>,
    ready_in_ms: u64,
    paused: bool,
    pause_change: Option<(u64, bool)>,
    failure: Option<String>,
    injected: Option<Injected>,
    offsets: Vec<ConnectorOffset>,
    offsets_request: Option<SavedOffsetsRequest>,
}

#[derive(Serialize, Deserialize)]
struct SavedOffsetsRequest {
    info: connect::AlterOffsetsRequestInfo,
    previous: Vec<ConnectorOffset>,
    apply_in_ms: u64,
    applied_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, Deserialize)]
struct SavedArtifact {
    seq: u64,
    artifact: cam::ConnectArtifact,
    processing_in_ms: u64,
    ready_in_ms: u64,
    failure: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct SavedCcpmPlugin {
    id: String,
    seq: u64,
    environment: String,
    plugin: ccpm::Plugin,
    versions: Vec<SavedVersion>,
}

#[derive(Serialize, Deserialize)]
struct SavedVersion {
    id: String,
    seq: u64,
    version: ccpm::PluginVersion,
    ready_in_ms: u64,
    failure: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct SavedUpload {
    id: String,
    /// Absent in state files written before `cam/v1`: then the environment tells
    /// `connect/v1` (none) from `ccpm/v1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issuer: Option<Issuer>,
    environment: Option<String>,
    cloud: StorageCloud,
    format: ArchiveFormat,
    expires_in_ms: u64,
    target: UploadTarget,
    file: Option<UploadedFile>,
}

fn left(deadline: Instant, now: Instant) -> u64 {
    u64::try_from(deadline.saturating_duration_since(now).as_millis()).unwrap_or(u64::MAX)
}

fn after(now: Instant, ms: u64) -> Instant {
    later(now, Duration::from_millis(ms))
}

impl Snapshot {
    fn of(store: &Store, now: Instant) -> Snapshot {
        let mut connectors = Vec::new();
        for ((environment, cluster), in_cluster) in &store.clusters {
            for c in in_cluster.values() {
                connectors.push(SavedConnector {
                    environment: environment.clone(),
                    cluster: cluster.clone(),
                    id: c.id.clone(),
                    name: c.name.clone(),
                    config: c.config.clone(),
                    type_: c.type_.clone(),
                    sensitive: c.sensitive.clone(),
                    class: c.class.clone(),
                    plugin_version: c.plugin_version.clone(),
                    ready_in_ms: left(c.ready_at, now),
                    paused: c.paused,
                    pause_change: c.pause_change.map(|(at, p)| (left(at, now), p)),
                    failure: c.failure.clone(),
                    injected: c.injected.clone(),
                    offsets: c.offsets.clone(),
                    offsets_request: c.offsets_request.as_ref().map(|r| SavedOffsetsRequest {
                        info: r.info.clone(),
                        previous: r.previous.clone(),
                        apply_in_ms: left(r.apply_at, now),
                        applied_at: r.applied_at,
                    }),
                });
            }
        }
        Snapshot {
            format: FORMAT,
            next_seq: store.next_seq,
            connectors,
            custom_plugins: store
                .custom_plugins
                .iter()
                .map(|(id, p)| (id.clone(), p.seq, p.plugin.clone()))
                .collect(),
            ccpm_plugins: store
                .ccpm_plugins
                .iter()
                .map(|(id, p)| SavedCcpmPlugin {
                    id: id.clone(),
                    seq: p.seq,
                    environment: p.environment.clone(),
                    plugin: p.plugin.clone(),
                    versions: p
                        .versions
                        .iter()
                        .map(|(vid, v)| SavedVersion {
                            id: vid.clone(),
                            seq: v.seq,
                            version: v.version.clone(),
                            ready_in_ms: left(v.ready_at, now),
                            failure: v.failure.clone(),
                        })
                        .collect(),
                })
                .collect(),
            artifacts: store
                .artifacts
                .values()
                .map(|a| SavedArtifact {
                    seq: a.seq,
                    artifact: a.artifact.clone(),
                    processing_in_ms: left(a.processing_at, now),
                    ready_in_ms: left(a.ready_at, now),
                    failure: a.failure.clone(),
                })
                .collect(),
            signing_key: Some(store.uploads.key().to_hex()),
            uploads: store
                .uploads
                .iter()
                .map(|(id, u)| SavedUpload {
                    id: id.clone(),
                    issuer: Some(u.issuer),
                    environment: u.environment.clone(),
                    cloud: u.cloud,
                    format: u.format,
                    expires_in_ms: left(u.deadline, now),
                    target: u.target.clone(),
                    file: u.file.clone(),
                })
                .collect(),
        }
    }

    fn into_store(self, now: Instant) -> Store {
        let mut store = Store {
            next_seq: self.next_seq,
            ..Store::default()
        };
        for c in self.connectors {
            let conn = Connector {
                id: c.id,
                name: c.name,
                config: c.config,
                type_: c.type_,
                sensitive: c.sensitive,
                class: c.class,
                plugin_version: c.plugin_version,
                ready_at: after(now, c.ready_in_ms),
                paused: c.paused,
                pause_change: c.pause_change.map(|(ms, p)| (after(now, ms), p)),
                stale: None,
                script: None,
                failure: c.failure,
                injected: c.injected,
                offsets: c.offsets,
                offsets_request: c.offsets_request.map(|r| OffsetsRequest {
                    info: r.info,
                    previous: r.previous,
                    apply_at: after(now, r.apply_in_ms),
                    applied_at: r.applied_at,
                }),
            };
            store.insert_connector(&c.environment, &c.cluster, conn);
        }
        for (id, seq, plugin) in self.custom_plugins {
            store
                .custom_plugins
                .insert(id, CustomPlugin { seq, plugin });
        }
        for p in self.ccpm_plugins {
            let versions = p
                .versions
                .into_iter()
                .map(|v| {
                    let version = CcpmVersion {
                        seq: v.seq,
                        version: v.version,
                        ready_at: after(now, v.ready_in_ms),
                        failure: v.failure,
                    };
                    (v.id, version)
                })
                .collect();
            store.ccpm_plugins.insert(
                p.id,
                CcpmPlugin {
                    seq: p.seq,
                    environment: p.environment,
                    plugin: p.plugin,
                    versions,
                },
            );
        }
        for a in self.artifacts {
            let Some(id) = a.artifact.id.clone() else {
                continue;
            };
            let artifact = Artifact {
                seq: a.seq,
                artifact: a.artifact,
                processing_at: after(now, a.processing_in_ms),
                ready_at: after(now, a.ready_in_ms),
                failure: a.failure,
            };
            store.artifacts.insert(id, artifact);
        }
        if let Some(key) = self.signing_key.as_deref().and_then(SigningKey::from_hex) {
            store.uploads.set_key(key);
        }
        // In order of expiry, as the store's expiry queue keeps them.
        let mut uploads = self.uploads;
        uploads.sort_by_key(|u| u.expires_in_ms);
        for u in uploads {
            let issuer = u.issuer.unwrap_or(match u.environment {
                None => Issuer::ConnectV1,
                Some(_) => Issuer::Ccpm,
            });
            let upload = Upload {
                issuer,
                environment: u.environment,
                cloud: u.cloud,
                format: u.format,
                deadline: after(now, u.expires_in_ms),
                target: u.target,
                file: u.file,
                receiving: false,
            };
            store.uploads.restore(u.id, upload);
        }
        store
    }
}

/// The temporary file a snapshot is written to before it replaces `path`: in the same
/// directory, so the rename stays on one file system and is atomic.
fn temporary(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".to_owned());
    path.with_file_name(format!(".{name}.tmp"))
}

/// Writes the whole store to the state file, if there is one: temporary file, fsync,
/// rename over the file, fsync of the directory (without it the rename itself may not
/// survive a crash of the machine). Blocking: call it off the async runtime's threads.
pub(crate) fn save(app: &App) -> io::Result<()> {
    let Some(path) = app.settings.state_file.as_deref() else {
        return Ok(());
    };
    // Taken before the snapshot, so two writers cannot put an older snapshot last.
    let _writing = app.persisting.lock().unwrap_or_else(|e| e.into_inner());
    let bytes = {
        let store = app.store();
        serde_json::to_vec(&Snapshot::of(&store, Instant::now())).map_err(io::Error::other)?
    };
    let tmp = temporary(path);
    let mut file = File::create(&tmp)?;
    file.write_all(&bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&tmp, path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // Directories cannot be opened for syncing on every platform; the rename is done.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The store saved in `path`, or `None` when there is no such file yet.
pub(crate) fn load(path: &Path) -> io::Result<Option<Store>> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(io::Error::new(
                e.kind(),
                format!("{}: cannot read the state file: {e}", path.display()),
            ));
        }
    };
    let snapshot: Snapshot = serde_json::from_slice(&bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} (not a saved state file)", located(path, &e)),
        )
    })?;
    if snapshot.format != FORMAT {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: the state file has format {}; this emulator reads format {FORMAT}",
                path.display(),
                snapshot.format
            ),
        ));
    }
    // A key that does not read back would sign anew: every URL issued before the restart
    // would then fail with a signature mismatch instead of its expiry error.
    if let Some(bad) = snapshot
        .signing_key
        .as_deref()
        .filter(|k| SigningKey::from_hex(k).is_none())
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: signing_key is not 64 hex digits ({} characters): the file was changed \
                 by hand or is damaged",
                path.display(),
                bad.len()
            ),
        ));
    }
    Ok(Some(snapshot.into_store(Instant::now())))
}
