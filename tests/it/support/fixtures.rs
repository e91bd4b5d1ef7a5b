//! The transcribed fixtures of `tests/fixtures/` and their manifest.

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;

/// One line of `tests/fixtures/manifest.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// File name inside `tests/fixtures/`.
    pub file: String,
    /// `connect`, `ccpm`, `cam` or `telemetry`.
    pub api: String,
    /// The operationId the body belongs to.
    pub operation_id: String,
    /// Whether the body is sent by the client or by the server.
    pub direction: Direction,
    /// For responses: the success status the official spec documents.
    #[serde(default)]
    pub status: Option<u16>,
}

/// Which side of an exchange a fixture is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// A request body.
    Request,
    /// A success response body.
    Response,
}

/// The folder holding the fixtures.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every manifest entry, read at run time so a new line is picked up without a code change.
pub fn manifest() -> Vec<Entry> {
    let text = std::fs::read_to_string(fixtures_dir().join("manifest.json"))
        .expect("tests/fixtures/manifest.json is readable");
    serde_json::from_str(&text).expect("tests/fixtures/manifest.json matches `Entry`")
}

/// The parsed JSON of one fixture file.
pub fn fixture(file: &str) -> Value {
    let path = fixtures_dir().join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("fixture {file} is not JSON: {e}"))
}

/// A response fixture with the status the manifest gives it.
pub fn response_fixture(file: &str) -> (u16, Value) {
    let entry = manifest()
        .into_iter()
        .find(|e| e.file == file)
        .unwrap_or_else(|| panic!("{file} is not in the manifest"));
    assert_eq!(
        entry.direction,
        Direction::Response,
        "{file} is not a response"
    );
    let status = entry
        .status
        .unwrap_or_else(|| panic!("{file}: the manifest gives no status"));
    (status, fixture(file))
}
