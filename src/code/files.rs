//! Connector files: one JSON or YAML file per connector, `{"name": ..., "config": {...}}`,
//! read into a [`DesiredState`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::code::desired::{DesiredConnector, DesiredState};
use crate::connect::{keys, validate_connector_name};
use crate::{Error, Result};

/// What a connector file holds. Values may be strings, numbers or booleans (YAML's
/// `tasks.max: 1`); they go into the configuration as strings.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectorFile {
    name: String,
    config: BTreeMap<String, Scalar>,
}

/// A configuration value as written: a string, number or boolean, kept as a string.
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string, number or boolean (every config value is a string)")
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Scalar, E> {
                Ok(Scalar(v.to_owned()))
            }
            fn visit_bool<E>(self, v: bool) -> std::result::Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl Scalar {
    fn into_string(self) -> String {
        self.0
    }
}

/// The format of a connector file, by its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileFormat {
    /// `.json`
    Json,
    /// `.yaml` or `.yml` (needs the `yaml` feature).
    Yaml,
}

impl FileFormat {
    /// The format a file name's extension says, or `None` for a file that is not a
    /// connector file.
    pub fn of(path: &Path) -> Option<FileFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(FileFormat::Json),
            "yaml" | "yml" => Some(FileFormat::Yaml),
            _ => None,
        }
    }

    /// The extension files of this format are written with.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Json => "json",
            FileFormat::Yaml => "yaml",
        }
    }
}

fn file_error(path: &Path, reason: impl Into<String>) -> Error {
    Error::validation("connector file", path.display().to_string(), reason)
}

impl DesiredState {
    /// Reads every `*.json`, `*.yaml` and `*.yml` file of `dir` (not its subdirectories;
    /// names starting with `.` are skipped), one connector per file, taking each `${VAR}`
    /// from the process environment.
    ///
    /// Refused, before anything is sent: a `dir` that does not exist or is not a directory,
    /// malformed JSON or YAML (the error names the file, line and column), a file with
    /// other keys than `name` and `config`, a `config.name` that differs from `name`, two
    /// files naming one connector, a value that is a mask (`****`), and anything
    /// [`ConnectorSpec::validate`](crate::connect::ConnectorSpec::validate) refuses.
    /// An unset variable is not an error here: a plan lists it, and applying a connector
    /// that needs it refuses to start.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self> {
        Self::from_dir_with(dir, |name| std::env::var(name).ok())
    }

    /// [`from_dir`](Self::from_dir) with the variables read by `lookup` instead of the
    /// process environment.
    pub fn from_dir_with(
        dir: impl AsRef<Path>,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self> {
        let dir = dir.as_ref();
        let entries = std::fs::read_dir(dir).map_err(|e| {
            let reason = if e.kind() == std::io::ErrorKind::NotFound {
                "does not exist; give the directory that holds the connector files (export \
                 writes one)"
                    .to_owned()
            } else {
                format!("cannot be read as a directory: {e}")
            };
            Error::validation("directory", dir.display().to_string(), reason)
        })?;
        let mut files: Vec<PathBuf> = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::Io {
                context: format!("listing {}", dir.display()),
                source: e,
            })?;
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if !hidden && path.is_file() && FileFormat::of(&path).is_some() {
                files.push(path);
            }
        }
        files.sort();
        let mut state = DesiredState::new();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::Io {
                context: format!("reading {}", path.display()),
                source: e,
            })?;
            state.insert(parse_file(&path, &text, &lookup)?)?;
        }
        Ok(state)
    }

    /// Adds the connector of one file's `text` (its format from `path`'s extension).
    pub fn add_file(
        &mut self,
        path: impl AsRef<Path>,
        text: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<()> {
        let connector = parse_file(path.as_ref(), text, &lookup)?;
        self.insert(connector)
    }
}

fn parse_file(
    path: &Path,
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<DesiredConnector> {
    let format = FileFormat::of(path).ok_or_else(|| {
        file_error(
            path,
            "is neither .json nor .yaml/.yml; the extension says the format",
        )
    })?;
    let file: ConnectorFile = match format {
        FileFormat::Json => serde_json::from_str(text).map_err(|e| {
            let what = e.to_string();
            // serde_json ends its message with " at line L column C": lead with the place.
            let what = what
                .rsplit_once(" at line ")
                .map_or(what.as_str(), |(m, _)| m);
            file_error_at(path, e.line(), e.column(), what)
        })?,
        FileFormat::Yaml => parse_yaml(path, text)?,
    };
    validate_connector_name(&file.name).map_err(|e| file_error(path, e.to_string()))?;
    let mut config: BTreeMap<String, String> = file
        .config
        .into_iter()
        .map(|(k, v)| (k, v.into_string()))
        .collect();
    if let Some(config_name) = config.remove(keys::NAME)
        && config_name != file.name
    {
        return Err(file_error(
            path,
            format!(
                "`name` is {:?} but `config.name` is {config_name:?}; they must be equal (or \
                 leave `config.name` out). To rename a connector change both: a rename \
                 creates a new connector, and `--prune` deletes the old one",
                file.name
            ),
        ));
    }
    DesiredConnector::from_texts(file.name, Some(path.to_owned()), config, lookup)
        .map_err(|reason| file_error(path, reason))
}

fn file_error_at(path: &Path, line: usize, column: usize, what: &str) -> Error {
    Error::validation(
        "connector file",
        format!("{}:{line}:{column}", path.display()),
        what.to_owned(),
    )
}

#[cfg(feature = "yaml")]
fn parse_yaml(path: &Path, text: &str) -> Result<ConnectorFile> {
    serde_norway::from_str(text).map_err(|e| match e.location() {
        Some(at) => {
            let what = e.to_string();
            let what = what
                .rsplit_once(" at line ")
                .map_or(what.as_str(), |(m, _)| m);
            file_error_at(path, at.line(), at.column(), what)
        }
        None => file_error(path, e.to_string()),
    })
}

#[cfg(not(feature = "yaml"))]
fn parse_yaml(path: &Path, _text: &str) -> Result<ConnectorFile> {
    Err(file_error(
        path,
        "is YAML, and this build of ccloud-connect reads only JSON; enable the crate's \
         `yaml` feature (the ccloud-connect command line has it)",
    ))
}
