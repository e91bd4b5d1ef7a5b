//! The comparison of one desired connector with its live configuration: which keys a plan
//! adds, changes and removes, and which secrets it sends or keeps.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::code::desired::{DesiredConnector, DesiredValue};
use crate::connect::server_keys::is_service_owned;
use crate::connect::{is_masked, is_sensitive_key, keys};

/// A key a plan adds or removes, with its value unless it is a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct KeyValue {
    /// The configuration key.
    pub key: String,
    /// The value; `None` for a secret, whose value is never shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Whether the key holds a secret.
    pub secret: bool,
    /// The environment variables the desired value takes the secret from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<String>,
    /// The variables of `variables` that are unset.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unset: Vec<String>,
}

/// What a [`KeyChange`] shows in place of a value that may be a secret.
pub const HIDDEN: &str = "(hidden)";

/// A key whose value a plan changes; both values are [`HIDDEN`] for a key that may hold a
/// secret (named like one, or written with a `${VAR}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct KeyChange {
    /// The configuration key.
    pub key: String,
    /// The live value.
    pub from: String,
    /// The desired value.
    pub to: String,
}

/// How one desired connector differs from its live configuration.
#[derive(Clone, Debug, Default)]
pub(crate) struct Comparison {
    pub(crate) added: Vec<KeyValue>,
    pub(crate) changed: Vec<KeyChange>,
    pub(crate) removed: Vec<KeyValue>,
    /// Secret keys on both sides whose desired value is known (sent with an update).
    pub(crate) secrets_known: Vec<KeyValue>,
    /// Secret keys on both sides whose variables are unset (the mask keeps them).
    pub(crate) secrets_unset: Vec<KeyValue>,
}

impl Comparison {
    /// Whether a key is added, changed or removed: a change by itself. Secrets compared
    /// equal here, since the API never returns them.
    pub(crate) fn has_changes(&self) -> bool {
        !(self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty())
    }
}

/// The [`KeyValue`] of a desired key; `secret` also when the live side is masked.
pub(crate) fn desired_key_value(key: &str, value: &DesiredValue, secret: bool) -> KeyValue {
    match value {
        DesiredValue::Plain(p) => KeyValue {
            key: key.to_owned(),
            value: (!secret).then(|| p.clone()),
            secret,
            variables: Vec::new(),
            unset: Vec::new(),
        },
        DesiredValue::Secret {
            variables, unset, ..
        } => KeyValue {
            key: key.to_owned(),
            value: None,
            secret: true,
            variables: variables.clone(),
            unset: unset.clone(),
        },
    }
}

/// Whether a desired value's secret is known (no unset variable).
fn known(value: &DesiredValue) -> bool {
    match value {
        DesiredValue::Plain(_) => true,
        DesiredValue::Secret { value, .. } => value.is_some(),
    }
}

/// Whether a configuration is a custom connector's.
pub(crate) fn is_custom(config: impl Fn(&str) -> Option<String>) -> bool {
    config(keys::CONNECTOR_TYPE).is_some_and(|t| t.trim().eq_ignore_ascii_case("CUSTOM"))
}

/// The keys of `desired` and `live` that the plan looks at: not `name`, not the keys the
/// service adds, not a custom connector's derived `connector.class`.
fn compared_keys<'a>(
    desired: &'a DesiredConnector,
    live: &'a BTreeMap<String, String>,
) -> BTreeSet<&'a str> {
    let custom = is_custom(|k| live.get(k).cloned())
        || is_custom(|k| desired.plain_value(k).map(str::to_owned));
    desired
        .keys()
        .chain(live.keys().map(String::as_str))
        .filter(|k| *k != keys::NAME && !is_service_owned(k, custom))
        .collect()
}

/// Compares a desired connector with its live configuration as read (masked, with the
/// service's keys).
pub(crate) fn compare(desired: &DesiredConnector, live: &BTreeMap<String, String>) -> Comparison {
    let mut out = Comparison::default();
    for key in compared_keys(desired, live) {
        let want = desired.values.get(key);
        let have = live.get(key);
        let secret = want.is_some_and(DesiredValue::is_secret)
            || have.is_some_and(|v| is_masked(v))
            || is_sensitive_key(key);
        match (want, have) {
            (Some(want), None) => out.added.push(desired_key_value(key, want, secret)),
            (None, Some(have)) => out.removed.push(KeyValue {
                key: key.to_owned(),
                value: (!secret).then(|| have.clone()),
                secret,
                variables: Vec::new(),
                unset: Vec::new(),
            }),
            (Some(want), Some(have)) if secret && !is_masked(have) => {
                // Named like a secret, or written with a variable, but the API answered the
                // value in clear: it stores no secret to keep, so the values are compared
                // (and shown hidden), and an unset variable cannot keep anything.
                match want {
                    DesiredValue::Plain(p) | DesiredValue::Secret { value: Some(p), .. } => {
                        if p != have {
                            out.changed.push(KeyChange {
                                key: key.to_owned(),
                                from: HIDDEN.to_owned(),
                                to: HIDDEN.to_owned(),
                            });
                        }
                    }
                    DesiredValue::Secret { value: None, .. } => {
                        out.added.push(desired_key_value(key, want, true));
                    }
                }
            }
            (Some(want), Some(have)) => {
                if secret {
                    let kv = desired_key_value(key, want, true);
                    if known(want) {
                        out.secrets_known.push(kv);
                    } else {
                        out.secrets_unset.push(kv);
                    }
                } else if let DesiredValue::Plain(p) = want
                    && p != have
                {
                    out.changed.push(KeyChange {
                        key: key.to_owned(),
                        from: have.clone(),
                        to: p.clone(),
                    });
                }
            }
            (None, None) => {}
        }
    }
    out
}

/// The values of `desired` a rename is recognised by: every plain key but `name`.
pub(crate) fn plain_fingerprint(desired: &DesiredConnector) -> BTreeMap<&str, &str> {
    let custom = is_custom(|k| desired.plain_value(k).map(str::to_owned));
    desired
        .keys()
        .filter_map(|k| desired.plain_value(k).map(|v| (k, v)))
        .filter(|(k, _)| !is_sensitive_key(k) && !is_service_owned(k, custom))
        .collect()
}

/// The same for a live configuration: unmasked, not named like a secret, not the
/// service's keys, not `name`.
pub(crate) fn live_fingerprint(live: &BTreeMap<String, String>) -> BTreeMap<&str, &str> {
    let custom = is_custom(|k| live.get(k).cloned());
    live.iter()
        .filter(|(k, v)| {
            k.as_str() != keys::NAME
                && !is_service_owned(k, custom)
                && !is_masked(v)
                && !is_sensitive_key(k)
        })
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}
