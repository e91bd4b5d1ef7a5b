//! Translating a self-managed Kafka Connect configuration into a fully-managed one.

use std::collections::BTreeMap;
use std::fmt;

#[cfg(doc)]
use crate::connect::Cluster;
use crate::connect::{ConnectorConfig, ConnectorSpec, TranslateFinding, TranslateResult};
use crate::{Error, Result};

/// Whether [`Cluster::translate`] asks the API to mask secret values in its answer
/// (`mask_sensitive`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TranslatedSecrets {
    /// Secret values come back as the mask `****************`: for showing a
    /// translation, as in a dry run. A spec holding masks refuses to be sent (see
    /// [`ConnectorSpec`]'s masked secrets), so a masked translation cannot create a
    /// connector by mistake.
    Masked,
    /// Secret values come back as sent: for creating the connector.
    InClear,
}

/// One remark of a translation about one key of the self-managed configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// The configuration key concerned; empty when the API named none.
    pub field: String,
    /// What the API says about it.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

impl From<TranslateFinding> for Finding {
    fn from(value: TranslateFinding) -> Self {
        Finding {
            field: value.field.unwrap_or_default(),
            message: value.message.unwrap_or_default(),
        }
    }
}

/// The answer of [`Cluster::translate`]: the fully-managed connector, and what the API
/// had to say about the keys it could not carry over.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Translation {
    /// The fully-managed connector, named as the self-managed one. Keys the service adds
    /// on reads are left out, as [`ConnectorSpec::from_read`] does; masked values (with
    /// [`TranslatedSecrets::Masked`]) are marked as secrets.
    pub spec: ConnectorSpec,
    /// Keys translated with a change of meaning or dropped: the connector can be created,
    /// but read these first.
    pub warnings: Vec<Finding>,
    /// Keys the fully-managed plugin cannot honour: a connector created from this
    /// translation would not do what the self-managed one does.
    pub errors: Vec<Finding>,
}

impl Translation {
    /// Whether the API reported errors.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub(crate) fn from_answer(name: &str, answer: TranslateResult) -> Result<Self> {
        let config = answer.config.ok_or_else(|| {
            crate::upload::missing_in_answer(
                "connect/v1",
                "translate_connector_plugin_config",
                "config",
            )
        })?;
        Ok(Translation {
            spec: ConnectorSpec::from_read(name, config),
            warnings: answer.warnings.into_iter().map(Finding::from).collect(),
            errors: answer.errors.into_iter().map(Finding::from).collect(),
        })
    }
}

/// Refuses a self-managed configuration the translation cannot name a connector from.
pub(crate) fn check_input(config: &BTreeMap<String, String>) -> Result<(String, ConnectorConfig)> {
    let name = config.get("name").map(String::as_str).unwrap_or("");
    crate::http::validate::query_param("name", name).map_err(|_| {
        Error::validation(
            "name",
            name,
            "the self-managed configuration has no `name`: set the connector's name, as \
             Kafka Connect's `GET /connectors/{name}/config` shows it",
        )
    })?;
    Ok((name.to_owned(), ConnectorConfig(config.clone())))
}
