//! The desired state: the connectors a cluster should have, each with its configuration,
//! secrets held as references to environment variables that may be unset.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::code::placeholder::{self, Part};
use crate::connect::{
    ConnectorConfig, ConnectorSpec, MASKED_VALUE, MaskedSecrets, is_masked, is_sensitive_key,
};
use crate::{Error, Result};

/// One configuration value of a desired connector.
#[derive(Clone)]
pub(crate) enum DesiredValue {
    /// A value compared with the live one and sent as it is.
    Plain(String),
    /// A secret: never compared (the API answers it masked). `value` is `None` when a
    /// variable it references is unset.
    Secret {
        value: Option<String>,
        /// Every variable the value references, in order.
        variables: Vec<String>,
        /// Those of `variables` that are unset.
        unset: Vec<String>,
    },
}

impl DesiredValue {
    /// The value of a file's `key`: a secret when it references a variable or the key is
    /// named like a secret, else plain. `lookup` reads a variable.
    pub(crate) fn from_text(
        key: &str,
        text: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> std::result::Result<Self, String> {
        if is_masked(text) {
            return Err(format!(
                "{key:?} holds the mask the API answers in place of a secret, not a value; \
                 write `${{VARIABLE}}` and set the variable"
            ));
        }
        let parts = placeholder::parse(text).map_err(|e| {
            if is_sensitive_key(key) {
                // The message would quote part of what may be a literal secret.
                format!(
                    "{key:?}: a `${{` in the value does not start a valid `${{VARIABLE}}` \
                     (not shown: the key holds a secret); write `$${{` for a literal `${{`"
                )
            } else {
                e
            }
        })?;
        let variables: Vec<String> = parts
            .iter()
            .filter_map(|p| match p {
                Part::Var(v) => Some(v.clone()),
                Part::Text(_) => None,
            })
            .collect();
        let literal = || {
            parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => t.as_str(),
                    Part::Var(_) => "",
                })
                .collect::<String>()
        };
        if variables.is_empty() {
            return Ok(if is_sensitive_key(key) {
                DesiredValue::Secret {
                    value: Some(literal()),
                    variables,
                    unset: Vec::new(),
                }
            } else {
                DesiredValue::Plain(literal())
            });
        }
        let mut value = Some(String::new());
        let mut unset = Vec::new();
        for part in &parts {
            match part {
                Part::Text(t) => {
                    if let Some(v) = value.as_mut() {
                        v.push_str(t);
                    }
                }
                Part::Var(name) => match lookup(name) {
                    Some(found) => {
                        if let Some(v) = value.as_mut() {
                            v.push_str(&found);
                        }
                    }
                    None => {
                        value = None;
                        if !unset.contains(name) {
                            unset.push(name.clone());
                        }
                    }
                },
            }
        }
        Ok(DesiredValue::Secret {
            value,
            variables,
            unset,
        })
    }

    pub(crate) fn is_secret(&self) -> bool {
        matches!(self, DesiredValue::Secret { .. })
    }
}

/// One connector of a [`DesiredState`]: its name, the file it came from, and its
/// configuration with each secret as a reference to environment variables.
///
/// `Debug` shows keys and plain values, never a secret's value.
#[derive(Clone)]
pub struct DesiredConnector {
    name: String,
    source: Option<PathBuf>,
    pub(crate) values: BTreeMap<String, DesiredValue>,
}

impl fmt::Debug for DesiredConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Values<'a>(&'a BTreeMap<String, DesiredValue>);
        impl fmt::Debug for Values<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map()
                    .entries(self.0.iter().map(|(k, v)| {
                        let shown = match v {
                            DesiredValue::Plain(p) => format!("{p:?}"),
                            DesiredValue::Secret { variables, .. } if !variables.is_empty() => {
                                format!("[secret from ${{{}}}]", variables.join("}, ${"))
                            }
                            DesiredValue::Secret { .. } => "[secret]".to_owned(),
                        };
                        (k, Shown(shown))
                    }))
                    .finish()
            }
        }
        struct Shown(String);
        impl fmt::Debug for Shown {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        f.debug_struct("DesiredConnector")
            .field("name", &self.name)
            .field("source", &self.source)
            .field("config", &Values(&self.values))
            .finish()
    }
}

impl DesiredConnector {
    /// A desired connector from its name, file and `key → text` configuration (the `name`
    /// key, if there, already checked); `${VAR}` references are looked up with `lookup`.
    /// Checked as a [`ConnectorSpec`] would be, with stand-ins for the secrets.
    pub(crate) fn from_texts(
        name: String,
        source: Option<PathBuf>,
        config: BTreeMap<String, String>,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> std::result::Result<Self, String> {
        let mut values = BTreeMap::new();
        for (key, text) in config {
            if key == crate::connect::keys::NAME {
                continue;
            }
            let value = DesiredValue::from_text(&key, &text, lookup)?;
            values.insert(key, value);
        }
        let connector = DesiredConnector {
            name,
            source,
            values,
        };
        connector
            .spec_with(|_, _| Some("stand-in".to_owned()))
            .map_err(|e| e.to_string())?
            .validate()
            .map_err(|e| e.to_string())?;
        Ok(connector)
    }

    /// A desired connector from a spec: values set with [`ConnectorSpec::secret`] (or named
    /// like a secret) are secrets whose values are known; a masked value is refused.
    pub fn from_spec(spec: &ConnectorSpec) -> Result<Self> {
        spec.validate()?;
        // `validate` lets masks through under `MaskedSecrets::KeepStored`; a desired state
        // must hold values, or a create would send the mask as the secret.
        if let Some(key) = spec.masked_keys().next() {
            return Err(Error::validation(
                key.to_owned(),
                crate::connect::MASKED_VALUE,
                "is the mask the API answers in place of a secret, not a value; set the \
                 secret, or leave the key out",
            ));
        }
        let mut values = BTreeMap::new();
        for key in spec.keys() {
            if key == crate::connect::keys::NAME {
                continue;
            }
            let text = spec.get(key).unwrap_or_default().to_owned();
            let value = if spec.is_secret(key) {
                DesiredValue::Secret {
                    value: Some(text),
                    variables: Vec::new(),
                    unset: Vec::new(),
                }
            } else {
                DesiredValue::Plain(text)
            };
            values.insert(key.to_owned(), value);
        }
        Ok(DesiredConnector {
            name: spec.name().to_owned(),
            source: None,
            values,
        })
    }

    /// The connector's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file it was read from, if it was read from one.
    pub fn source(&self) -> Option<&Path> {
        self.source.as_deref()
    }

    /// Every configuration key but `name`, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    /// The keys that hold a secret: a `${VAR}` reference, or a key named like a secret.
    pub fn secret_keys(&self) -> impl Iterator<Item = &str> {
        self.values
            .iter()
            .filter(|(_, v)| v.is_secret())
            .map(|(k, _)| k.as_str())
    }

    /// The value of a key that is not a secret.
    pub fn plain_value(&self, key: &str) -> Option<&str> {
        match self.values.get(key)? {
            DesiredValue::Plain(p) => Some(p),
            DesiredValue::Secret { .. } => None,
        }
    }

    /// The environment variables its secrets reference and that are unset, in key order,
    /// each once.
    pub fn unset_variables(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for value in self.values.values() {
            if let DesiredValue::Secret { unset, .. } = value {
                for v in unset {
                    if !out.contains(&v.as_str()) {
                        out.push(v);
                    }
                }
            }
        }
        out
    }

    /// The spec to send: plain values as they are, each secret from `secret(key, value)`
    /// (`None`: unset, sent as the mask so the API keeps the stored secret).
    pub(crate) fn spec_with(
        &self,
        secret: impl Fn(&str, &DesiredValue) -> Option<String>,
    ) -> Result<ConnectorSpec> {
        let mut spec =
            ConnectorSpec::from_read(self.name.clone(), ConnectorConfig(BTreeMap::new()))
                .masked_secrets(MaskedSecrets::KeepStored);
        for (key, value) in &self.values {
            spec = match value {
                DesiredValue::Plain(p) => spec.set(key.clone(), p.clone()),
                DesiredValue::Secret { .. } => spec.secret(
                    key.clone(),
                    secret(key, value).unwrap_or_else(|| MASKED_VALUE.to_owned()),
                ),
            };
        }
        Ok(spec)
    }
}

/// The connectors a cluster should have: what [`Cluster::plan`](crate::connect::Cluster::plan)
/// compares the cluster with.
///
/// Read it from a directory of connector files ([`from_dir`](Self::from_dir)) or build it
/// from specs ([`from_specs`](Self::from_specs)). Every connector is checked when it is
/// added (its name, its keys, `tasks.max`, ...), so a plan starts from a valid state.
#[derive(Clone, Debug, Default)]
pub struct DesiredState {
    pub(crate) connectors: BTreeMap<String, DesiredConnector>,
}

impl DesiredState {
    /// An empty desired state.
    pub fn new() -> Self {
        Self::default()
    }

    /// A desired state from specs (secrets set with [`ConnectorSpec::secret`] are known
    /// and compared as secrets are: never). Two specs with one name are refused.
    ///
    /// ```
    /// use ccloud_connect::code::DesiredState;
    /// use ccloud_connect::connect::ConnectorSpec;
    /// let desired = DesiredState::from_specs([
    ///     ConnectorSpec::managed("orders", "DatagenSource").kafka_api_secret("s").tasks_max(1),
    /// ]).unwrap();
    /// assert_eq!(desired.len(), 1);
    /// assert!(!format!("{desired:?}").contains("\"s\""));
    /// ```
    pub fn from_specs(specs: impl IntoIterator<Item = ConnectorSpec>) -> Result<Self> {
        let mut state = Self::new();
        for spec in specs {
            state.insert(DesiredConnector::from_spec(&spec)?)?;
        }
        Ok(state)
    }

    /// Adds a connector; a second connector with the same name is refused, naming both
    /// files when they came from files.
    pub fn insert(&mut self, connector: DesiredConnector) -> Result<()> {
        if let Some(existing) = self.connectors.get(connector.name()) {
            let place = |c: &DesiredConnector| match c.source() {
                Some(p) => p.display().to_string(),
                None => "a spec".to_owned(),
            };
            return Err(Error::validation(
                "connector name",
                connector.name(),
                format!(
                    "is named by both {} and {}; each connector must be named once",
                    place(existing),
                    place(&connector)
                ),
            ));
        }
        self.connectors
            .insert(connector.name().to_owned(), connector);
        Ok(())
    }

    /// The connectors, by name.
    pub fn connectors(&self) -> impl Iterator<Item = &DesiredConnector> {
        self.connectors.values()
    }

    /// One connector, by name.
    pub fn get(&self, name: &str) -> Option<&DesiredConnector> {
        self.connectors.get(name)
    }

    /// How many connectors there are.
    pub fn len(&self) -> usize {
        self.connectors.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.connectors.is_empty()
    }
}
