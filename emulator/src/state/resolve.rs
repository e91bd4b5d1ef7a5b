//! What a connector configuration resolves to against the store: refused at once (a `400`),
//! or accepted with the plugin it runs, what it masks, and the trace it will fail with.
//! Create, config PUT, restart and the seed all check a configuration the same way.

use std::collections::{BTreeMap, BTreeSet};

use tokio::time::Instant;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

use ccloud_connect::ccpm::PluginVersionPhase;
use ccloud_connect::connect;

use crate::http::errors::{Failure, Shape};
use crate::state::catalog;
use crate::state::store::{CcpmPlugin, CcpmVersion, Store};

/// A connector name as the API accepts it: at most 64 characters of Unicode letters,
/// numbers, marks, spaces and `. , & _ + | [ ] -`.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("connector name must not be empty".to_owned());
    }
    if name.chars().count() > 64 {
        return Err(format!(
            "connector name {name:?} is longer than 64 characters"
        ));
    }
    if let Some(bad) = name.chars().find(|c| {
        !(matches!(
            c.general_category_group(),
            GeneralCategoryGroup::Letter
                | GeneralCategoryGroup::Number
                | GeneralCategoryGroup::Mark
        ) || " .,&_+|[]-".contains(*c))
    }) {
        return Err(format!(
            "connector name {name:?} contains {bad:?}; use letters, numbers, marks, spaces and . , & _ + | [ ] -"
        ));
    }
    Ok(())
}

/// What a configuration resolves to.
pub(crate) struct Resolved {
    pub(crate) type_: Option<connect::ConnectorType>,
    pub(crate) sensitive: BTreeSet<String>,
    /// A custom connector's class, derived from its plugin.
    pub(crate) class: Option<String>,
    /// The ccpm plugin version a custom connector runs.
    pub(crate) plugin_version: Option<String>,
    pub(crate) failure: Option<String>,
}

pub(crate) fn missing(key: &str) -> String {
    format!("Missing required configuration \"{key}\" which has no default value.")
}

/// The version of a ccpm plugin a connector runs: the one asked for (with or without a
/// leading `v`), or else the latest `READY` one, or the latest still `PROCESSING` (it will
/// be ready by the time the connector has provisioned, most of the time).
fn pick_version<'a>(
    plugin: &'a CcpmPlugin,
    wanted: Option<&str>,
    now: Instant,
) -> Option<&'a CcpmVersion> {
    match wanted {
        Some(w) => plugin.versions.values().find(|v| {
            let have = v.version.spec.version.as_str();
            have == w || have.trim_start_matches('v') == w.trim_start_matches('v')
        }),
        None => plugin
            .versions
            .values()
            .filter(|v| v.phase(now) != PluginVersionPhase::Failed)
            .max_by_key(|v| (v.phase(now) == PluginVersionPhase::Ready, v.seq)),
    }
}

/// Works out what `config` runs and whether it will fail. Structural problems are refused
/// (`Err`, a 400); problems with values end the connector `FAILED` (`failure`).
pub(crate) fn resolve(
    store: &Store,
    env: &str,
    config: &BTreeMap<String, String>,
    shape: Shape,
) -> Result<Resolved, Failure> {
    let get = |k: &str| config.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let connector_type = get("confluent.connector.type")
        .unwrap_or("MANAGED")
        .to_ascii_uppercase();
    match connector_type.as_str() {
        "MANAGED" => {
            let class = get("connector.class")
                .ok_or_else(|| Failure::bad_request(shape, missing("connector.class")))?;
            let plugin = catalog::find(class).ok_or_else(|| {
                let available: Vec<&str> = catalog::plugins().iter().map(|p| p.class.as_str()).collect();
                Failure::bad_request(
                    shape,
                    format!(
                        "Failed to find any class that implements Connector and which name matches {class}, available connectors are: {}",
                        available.join(", ")
                    ),
                )
            })?;
            let problems = plugin.problems(config);
            Ok(Resolved {
                type_: Some(plugin.connector_type()),
                sensitive: plugin.password_keys(),
                class: None,
                plugin_version: None,
                failure: (!problems.is_empty())
                    .then(|| catalog::invalid_config_trace(&problems, &plugin.class)),
            })
        }
        "CUSTOM" => resolve_custom(store, env, config, shape),
        other => Err(Failure::bad_request(
            shape,
            format!(
                "Invalid value {other} for configuration confluent.connector.type: must be MANAGED or CUSTOM"
            ),
        )),
    }
}

fn resolve_custom(
    store: &Store,
    env: &str,
    config: &BTreeMap<String, String>,
    shape: Shape,
) -> Result<Resolved, Failure> {
    let get = |k: &str| config.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let plugin_id = get("confluent.custom.plugin.id")
        .ok_or_else(|| Failure::bad_request(shape, missing("confluent.custom.plugin.id")))?;
    let mut problems: Vec<String> = Vec::new();
    let mut plugin_version = None;
    let (type_, sensitive, class) = if let Some(p) = store.custom_plugins.get(plugin_id) {
        (
            Some(p.plugin.connector_type.as_str().to_ascii_lowercase()),
            p.plugin.sensitive_config_properties.clone(),
            Some(p.plugin.connector_class.clone()),
        )
    } else if let Some(p) = store
        .ccpm_plugins
        .get(plugin_id)
        .filter(|p| p.environment == env)
    {
        let now = Instant::now();
        let wanted = get("confluent.custom.plugin.version");
        match pick_version(p, wanted, now) {
            None => {
                problems.push(match wanted {
                    Some(w) => format!("Custom plugin {plugin_id} has no version {w}"),
                    None => format!("Custom plugin {plugin_id} has no usable version"),
                });
                (None, Vec::new(), None)
            }
            Some(v) => {
                if v.phase(now) == PluginVersionPhase::Failed {
                    problems.push(format!(
                        "Custom plugin {plugin_id} version {} failed: {}",
                        v.version.spec.version,
                        v.failure.as_deref().unwrap_or("processing failed")
                    ));
                }
                let spec = &v.version.spec;
                plugin_version = Some(spec.version.clone());
                let first = spec.connector_classes.first();
                (
                    first.map(|c| c.type_.as_str().to_ascii_lowercase()),
                    spec.sensitive_config_properties.clone(),
                    first.map(|c| c.class_name.clone()),
                )
            }
        }
    } else {
        return Err(Failure::bad_request(
            shape,
            format!("Custom connector plugin {plugin_id} not found"),
        ));
    };
    let runtimes = catalog::runtimes();
    let runtime = match get("confluent.custom.connect.plugin.runtime") {
        None => runtimes.first(),
        Some(name) => {
            let found = runtimes
                .iter()
                .find(|r| r.custom_connect_plugin_runtime_name.as_deref() == Some(name));
            if found.is_none() {
                problems.push(format!(
                    "Invalid value {name} for configuration confluent.custom.connect.plugin.runtime: no such custom connector runtime"
                ));
            }
            found
        }
    };
    if let (Some(java), Some(runtime)) = (get("confluent.custom.connect.java.version"), runtime)
        && !runtime.supported_java_versions.iter().any(|j| j == java)
    {
        problems.push(format!(
            "Invalid value {java} for configuration confluent.custom.connect.java.version: runtime {} supports Java {}",
            runtime.custom_connect_plugin_runtime_name.as_deref().unwrap_or("?"),
            runtime.supported_java_versions.join(", ")
        ));
    }
    if get("kafka.auth.mode").unwrap_or("KAFKA_API_KEY") == "KAFKA_API_KEY" {
        for key in ["kafka.api.key", "kafka.api.secret"] {
            if get(key).is_none() {
                problems.push(format!("\"{key}\" is required"));
            }
        }
    }
    let failure = (!problems.is_empty()).then(|| {
        let pairs: Vec<(String, String)> =
            problems.into_iter().map(|m| (String::new(), m)).collect();
        catalog::invalid_config_trace(&pairs, plugin_id)
    });
    Ok(Resolved {
        type_: type_.map(|t| connect::ConnectorType::from(t.as_str())),
        sensitive: sensitive.into_iter().collect(),
        class,
        plugin_version,
        failure,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_documented_rules() {
        for ok in [
            "S3_SINKConnector_0",
            "my conn [1] | a+b, c&d.e-f",
            "café",
            "नमस्ते",
            "x",
        ] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "  ", "a/b", "a:b", "a\"b", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
