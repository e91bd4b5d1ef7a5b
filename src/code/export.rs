//! Export: connector files written from a live cluster, every secret replaced by a
//! `${...}` placeholder, never a value and never a mask.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::code::files::FileFormat;
use crate::code::placeholder;
use crate::connect::{Cluster, ConnectorSpec, Expand, is_masked, is_sensitive_key};
use crate::{Error, Result};

/// One connector as an export writes it: `{"name": ..., "config": {...}}`, each secret a
/// `${CONNECTOR_KEY}` placeholder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ExportedConnector {
    /// The connector's name.
    pub name: String,
    /// Its configuration without `name` and without the keys the service adds; every
    /// secret is `${VARIABLE}`.
    pub config: BTreeMap<String, String>,
    /// For each secret key, the variable its placeholder names.
    #[serde(skip)]
    pub variables: BTreeMap<String, String>,
}

impl ExportedConnector {
    /// The file name an export writes it under: [`file_stem`] and the format's extension.
    pub fn file_name(&self, format: FileFormat) -> String {
        format!("{}.{}", file_stem(&self.name), format.extension())
    }

    /// The file's contents in `format` (JSON pretty-printed; YAML needs the `yaml`
    /// feature), ending with a newline.
    pub fn render(&self, format: FileFormat) -> Result<String> {
        match format {
            FileFormat::Json => {
                let mut text = serde_json::to_string_pretty(self).map_err(|e| {
                    Error::Config(format!("export of {:?} as JSON: {e}", self.name))
                })?;
                text.push('\n');
                Ok(text)
            }
            FileFormat::Yaml => render_yaml(self),
        }
    }
}

#[cfg(feature = "yaml")]
fn render_yaml(connector: &ExportedConnector) -> Result<String> {
    serde_norway::to_string(connector)
        .map_err(|e| Error::Config(format!("export of {:?} as YAML: {e}", connector.name)))
}

#[cfg(not(feature = "yaml"))]
fn render_yaml(connector: &ExportedConnector) -> Result<String> {
    Err(Error::Config(format!(
        "export of {:?} as YAML needs the crate's `yaml` feature",
        connector.name
    )))
}

/// The file stem of a connector's file: its name with every character but ASCII letters,
/// digits, `-`, `_` and `.` turned into `_` (a leading `.` too, so no file is hidden).
///
/// ```
/// assert_eq!(ccloud_connect::code::file_stem("pageviews-to-s3"), "pageviews-to-s3");
/// assert_eq!(ccloud_connect::code::file_stem("Über [prod]"), "_ber__prod_");
/// ```
pub fn file_stem(name: &str) -> String {
    let mut stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.starts_with('.') {
        stem.replace_range(..1, "_");
    }
    stem
}

/// The exported form of one configuration read from the API.
pub(crate) fn export_one(name: &str, spec: &ConnectorSpec) -> ExportedConnector {
    let mut config = BTreeMap::new();
    let mut variables = BTreeMap::new();
    for key in spec.keys().filter(|k| *k != crate::connect::keys::NAME) {
        let value = spec.get(key).unwrap_or_default();
        if is_masked(value) || is_sensitive_key(key) {
            let variable = placeholder::variable_for(name, key);
            config.insert(key.to_owned(), format!("${{{variable}}}"));
            variables.insert(key.to_owned(), variable);
        } else {
            config.insert(key.to_owned(), placeholder::escape(value));
        }
    }
    ExportedConnector {
        name: name.to_owned(),
        config,
        variables,
    }
}

impl Cluster {
    /// Every connector of the cluster as a connector file, from one read
    /// (`?expand=info`), for [`DesiredState::from_dir`](crate::code::DesiredState::from_dir)
    /// to read back: the keys the service adds are left out, and every secret (a value
    /// the API masks, or a key named like a secret) is a `${CONNECTOR_KEY}` placeholder
    /// named after the connector and the key, e.g. `${PAGEVIEWS_TO_S3_KAFKA_API_SECRET}`.
    /// No secret value and no mask is ever written.
    ///
    /// A literal `${` in a value is written as `$${`, which reads back as `${`.
    pub async fn export(&self) -> Result<Vec<ExportedConnector>> {
        let mut out: Vec<ExportedConnector> = Vec::new();
        for (name, expansion) in self.connectors(Expand::INFO).await? {
            // Two names with one file stem ("a b", "a_b") would overwrite one file, and a
            // later prune would delete the connector that lost.
            if let Some(other) = out.iter().find(|c| file_stem(&c.name) == file_stem(&name)) {
                return Err(Error::validation(
                    "connector",
                    name.as_str(),
                    format!(
                        "would be exported to the same file as {:?} ({}.*); rename one of \
                         them first",
                        other.name,
                        file_stem(&name)
                    ),
                ));
            }
            let config = expansion.info.and_then(|i| i.config).ok_or_else(|| {
                Error::validation(
                    "connector",
                    name.as_str(),
                    "the cluster's list (expand=info) left out its configuration; try again",
                )
            })?;
            let spec = ConnectorSpec::from_read(name.clone(), config);
            out.push(export_one(&name, &spec));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::ConnectorConfig;

    #[test]
    fn secrets_become_placeholders_and_server_keys_go() {
        let read: ConnectorConfig = serde_json::from_value(serde_json::json!({
            "name": "s3", "connector.class": "S3_SINK", "kafka.api.secret": "****************",
            "aws.access.key.id": "AKIA-plain-but-named-like-a-secret", "topics": "a${b}",
            "kafka.endpoint": "SASL_SSL://x:9092",
        }))
        .unwrap();
        let exported = export_one("s3", &ConnectorSpec::from_read("s3", read));
        assert_eq!(
            exported.config["kafka.api.secret"],
            "${S3_KAFKA_API_SECRET}"
        );
        assert_eq!(
            exported.config["aws.access.key.id"],
            "${S3_AWS_ACCESS_KEY_ID}"
        );
        assert_eq!(exported.config["topics"], "a$${b}");
        assert!(!exported.config.contains_key("kafka.endpoint"));
        assert!(!exported.config.contains_key("name"));
        let text = exported.render(FileFormat::Json).unwrap();
        assert!(!text.contains("AKIA") && !text.contains("**"), "{text}");
    }
}
