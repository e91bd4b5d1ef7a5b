//! The managed connector plugins the emulator offers, how it validates their
//! configurations, which config values it masks, and the custom connector runtimes.
//!
//! The plugins' definitions are data, in `catalog.json` beside this file, read once when
//! first needed; the checks that apply them are here. A leaf: it imports nothing of the
//! emulator.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::{Value, json};

use ccloud_connect::connect;

/// The value the API answers in place of a sensitive configuration value.
pub(crate) const MASK: &str = "****************";

/// When a key must be set.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum Need {
    Always,
    Optional,
    /// Required when `kafka.auth.mode` has this value (its default is `KAFKA_API_KEY`).
    AuthMode(String),
}

/// How a plugin defines one configuration key.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Field {
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) ty: String,
    pub(crate) need: Need,
    #[serde(default)]
    pub(crate) default: String,
    #[serde(default = "high")]
    pub(crate) importance: String,
    #[serde(default)]
    pub(crate) documentation: String,
    pub(crate) group: String,
    pub(crate) display: String,
    pub(crate) order: i64,
    #[serde(default)]
    pub(crate) allowed: Vec<String>,
    #[serde(default)]
    pub(crate) min: Option<i64>,
    #[serde(default)]
    pub(crate) dependents: Vec<String>,
}

fn high() -> String {
    "HIGH".to_owned()
}

/// A managed connector plugin.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ManagedPlugin {
    /// The plugin name used as `connector.class` (`S3_SINK`).
    pub(crate) class: String,
    /// The Java class, also accepted as `connector.class` and named by validation answers.
    pub(crate) java_class: String,
    #[serde(rename = "type")]
    pub(crate) type_: String,
    pub(crate) version: String,
    /// The plugin's own keys, between the common ones.
    fields: Vec<Field>,
}

/// `catalog.json`: keys every managed plugin defines before and after its own, and the
/// plugins in the order `list_connector_plugins` answers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalog {
    common_head: Vec<Field>,
    common_tail: Vec<Field>,
    plugins: Vec<ManagedPlugin>,
}

/// The catalogue, parsed on first use. The file is part of the build and checked by this
/// module's tests, so failing to parse it is a bug in the emulator, not in a request.
static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    serde_json::from_str(include_str!("catalog.json"))
        .unwrap_or_else(|e| panic!("src/catalog.json is not a valid catalogue: {e}"))
});

/// The managed plugins, in the order `list_connector_plugins` answers.
pub(crate) fn plugins() -> &'static [ManagedPlugin] {
    &CATALOG.plugins
}

/// The plugin whose name or Java class is `class`.
pub(crate) fn find(class: &str) -> Option<&'static ManagedPlugin> {
    let class = class.trim();
    plugins()
        .iter()
        .find(|p| p.class == class || p.java_class == class)
}

impl ManagedPlugin {
    pub(crate) fn connector_type(&self) -> connect::ConnectorType {
        connect::ConnectorType::from(self.type_.as_str())
    }

    fn all_fields(&self) -> impl Iterator<Item = &Field> {
        CATALOG
            .common_head
            .iter()
            .chain(self.fields.iter())
            .chain(CATALOG.common_tail.iter())
    }

    /// Whether the plugin defines `key` (its own keys and the common ones).
    pub(crate) fn defines(&self, key: &str) -> bool {
        self.all_fields().any(|f| f.name == key)
    }

    /// Keys defined as `PASSWORD`, masked in answers.
    pub(crate) fn password_keys(&self) -> BTreeSet<String> {
        self.all_fields()
            .filter(|f| f.ty == "PASSWORD")
            .map(|f| f.name.clone())
            .collect()
    }

    /// Problems with `config`, one `(key, message)` per problem, in definition order.
    pub(crate) fn problems(&self, config: &BTreeMap<String, String>) -> Vec<(String, String)> {
        self.check(config)
            .into_iter()
            .flat_map(|c| c.errors.into_iter().map(move |e| (c.field.name.clone(), e)))
            .collect()
    }

    fn check(&self, config: &BTreeMap<String, String>) -> Vec<Checked<'_>> {
        let auth_mode = config
            .get("kafka.auth.mode")
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .unwrap_or("KAFKA_API_KEY");
        self.all_fields()
            .map(|f| {
                let given = config.get(&f.name).map(|v| v.trim()).filter(|v| !v.is_empty());
                let required = match &f.need {
                    Need::Always => true,
                    Need::Optional => false,
                    Need::AuthMode(mode) => mode == auth_mode,
                };
                let mut errors = Vec::new();
                let mut shown = given.unwrap_or(&f.default).to_owned();
                match given {
                    None if required && f.default.is_empty() => {
                        errors.push(format!("\"{}\" is required", f.name));
                        if f.name == "name" {
                            // What the API shows for an unset connector name.
                            shown = "{{.logicalClusterId}}".to_owned();
                        }
                    }
                    None => {}
                    Some(v) if f.name == "connector.class" => {
                        if v == self.class || v == self.java_class {
                            shown = self.class.clone();
                        } else {
                            errors.push(format!(
                                "Invalid value {v} for configuration connector.class: this plugin's class is {}",
                                self.class
                            ));
                        }
                    }
                    Some(v) => errors.extend(value_error(f, v)),
                }
                if f.ty == "PASSWORD" && given.is_some() {
                    shown = MASK.to_owned();
                }
                Checked {
                    field: f,
                    value: shown,
                    errors,
                }
            })
            .collect()
    }

    /// The `validate` answer, shaped like the API's (every list present, even empty).
    pub(crate) fn validation(&self, config: &BTreeMap<String, String>) -> Value {
        let checked = self.check(config);
        let mut groups: Vec<&str> = Vec::new();
        for c in &checked {
            if !groups.contains(&c.field.group.as_str()) {
                groups.push(&c.field.group);
            }
        }
        let error_count: usize = checked.iter().map(|c| c.errors.len()).sum();
        let configs: Vec<Value> = checked
            .iter()
            .map(|c| {
                let f = c.field;
                json!({
                    "definition": {
                        "name": f.name,
                        "type": f.ty,
                        "required": matches!(f.need, Need::Always),
                        "default_value": f.default,
                        "importance": f.importance,
                        "documentation": f.documentation,
                        "group": f.group,
                        "width": "NONE",
                        "display_name": f.display,
                        "dependents": f.dependents,
                        "order": f.order,
                        "alias": "",
                    },
                    "value": {
                        "name": f.name,
                        "value": c.value,
                        "recommended_values": f.allowed,
                        "errors": c.errors,
                        "visible": true,
                    },
                    "metadata": {},
                })
            })
            .collect();
        json!({
            "name": self.java_class,
            "groups": groups,
            "error_count": error_count,
            "configs": configs,
        })
    }
}

struct Checked<'a> {
    field: &'a Field,
    value: String,
    errors: Vec<String>,
}

fn value_error(f: &Field, v: &str) -> Option<String> {
    match f.ty.as_str() {
        "INT" => match v.parse::<i64>() {
            Err(_) => Some(format!(
                "Invalid value {v} for configuration {}: Not a number of type INT",
                f.name
            )),
            Ok(n) => f
                .min
                .filter(|min| n < *min)
                .map(|min| format!("\"{}\" should be greater than or equal to {min}", f.name)),
        },
        "BOOLEAN" if !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false") => {
            Some(format!(
                "Invalid value {v} for configuration {}: Expected value to be either true or false",
                f.name
            ))
        }
        _ if !f.allowed.is_empty() && !f.allowed.iter().any(|a| a == v) => Some(format!(
            "Invalid value {v} for configuration {}: String must be one of: {}",
            f.name,
            f.allowed.join(", ")
        )),
        _ => None,
    }
}

/// The exception text a connector with an invalid configuration fails with.
pub(crate) fn invalid_config_trace(problems: &[(String, String)], plugin: &str) -> String {
    let mut trace = format!(
        "org.apache.kafka.connect.runtime.rest.errors.BadRequestException: Connector configuration is invalid and contains the following {} error(s):",
        problems.len()
    );
    for (_, message) in problems {
        trace.push('\n');
        trace.push_str(message);
    }
    trace.push_str(&format!(
        "\nYou can also find the above list of errors at the endpoint `/connector-plugins/{plugin}/config/validate`"
    ));
    trace
}

/// Whether a configuration key holds a secret, by name alone.
pub(crate) fn is_sensitive_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("password")
        || k.contains("secret")
        || k.contains("credentials")
        || k.ends_with("api.key")
        || k.ends_with("access.key.id")
        || k.ends_with("private.key")
        || k.ends_with(".token")
}

/// `config` as the API answers it: sensitive values masked, server-side keys added.
pub(crate) fn answer_config(
    config: &BTreeMap<String, String>,
    sensitive: &BTreeSet<String>,
    env: &str,
    cluster: &str,
) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = config
        .iter()
        .map(|(k, v)| {
            let masked = sensitive.contains(k) || is_sensitive_key(k);
            (k.clone(), if masked { MASK.to_owned() } else { v.clone() })
        })
        .collect();
    for (k, v) in server_keys(env, cluster) {
        out.entry(k.to_owned()).or_insert(v);
    }
    out
}

/// Keys the API adds to every connector's configuration.
fn server_keys(env: &str, cluster: &str) -> [(&'static str, String); 6] {
    let short = |id: &str, prefix: &str| {
        id.strip_prefix(prefix)
            .unwrap_or(id)
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    [
        ("cloud.environment", "prod".to_owned()),
        ("cloud.provider", "aws".to_owned()),
        (
            "kafka.endpoint",
            format!(
                "SASL_SSL://pkc-{}.us-west-2.aws.confluent.cloud:9092",
                short(cluster, "lkc-")
            ),
        ),
        ("kafka.region", "us-west-2".to_owned()),
        ("kafka.dedicated", "false".to_owned()),
        (
            "schema.registry.url",
            format!(
                "https://psrc-{}.us-east-2.aws.confluent.cloud",
                short(env, "env-")
            ),
        ),
    ]
}

/// The custom connector runtimes, newest first (as in the usage guide).
pub(crate) fn runtimes() -> Vec<connect::CustomConnectorRuntime> {
    let runtime = |id: &str, name: &str, eol: Option<&str>| connect::CustomConnectorRuntime {
        api_version: Some("connect/v1".to_owned()),
        kind: Some("CustomConnectorRuntime".to_owned()),
        id: id.to_owned(),
        custom_connect_plugin_runtime_name: Some(name.to_owned()),
        description: Some(format!("Custom connector runtime based on AK {name}")),
        end_of_life_at: eol.and_then(|t| t.parse().ok()),
        product_maturity: Some(connect::ProductMaturity::Ga),
        runtime_ak_version: Some(format!("{name}.0")),
        supported_java_versions: vec!["17".to_owned()],
    };
    vec![
        runtime("ccrv-stgc1loxl", "3.9", None),
        runtime("ccrv-stgc1ep54", "3.6", Some("2026-04-01T00:00:00Z")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_parses_and_every_entry_is_well_formed() {
        let classes: Vec<&str> = plugins().iter().map(|p| p.class.as_str()).collect();
        assert_eq!(
            classes,
            [
                "DatagenSource",
                "GcsSink",
                "MicrosoftSqlServerSink",
                "MySqlCdcSource",
                "PostgresSource",
                "PubSubSource",
                "S3_SINK"
            ],
            "the crate docs name these, in this order"
        );
        let mut java_classes = BTreeSet::new();
        for p in plugins() {
            assert!(java_classes.insert(&p.java_class), "{} twice", p.java_class);
            assert!(p.java_class.contains('.'), "{}: {}", p.class, p.java_class);
            assert!(matches!(p.type_.as_str(), "source" | "sink"), "{}", p.class);
            assert!(!p.version.is_empty(), "{}", p.class);
            assert!(
                !p.fields.is_empty(),
                "{} defines no key of its own",
                p.class
            );
            let names: Vec<&str> = p.all_fields().map(|f| f.name.as_str()).collect();
            let unique: BTreeSet<&str> = names.iter().copied().collect();
            assert_eq!(
                unique.len(),
                names.len(),
                "{}: a key defined twice",
                p.class
            );
            for f in p.all_fields() {
                let at = format!("{}: {}", p.class, f.name);
                assert!(
                    !f.name.is_empty() && !f.group.is_empty() && !f.display.is_empty(),
                    "{at}"
                );
                assert!(
                    matches!(
                        f.ty.as_str(),
                        "STRING" | "INT" | "LIST" | "PASSWORD" | "BOOLEAN"
                    ),
                    "{at}: type {}",
                    f.ty
                );
                assert!(
                    matches!(f.importance.as_str(), "HIGH" | "MEDIUM" | "LOW"),
                    "{at}"
                );
                assert!(f.order >= 1, "{at}");
                assert!(
                    f.min.is_none() || f.ty == "INT",
                    "{at}: a minimum on a non-INT"
                );
                if let Need::AuthMode(mode) = &f.need {
                    assert!(
                        matches!(mode.as_str(), "KAFKA_API_KEY" | "SERVICE_ACCOUNT"),
                        "{at}"
                    );
                }
                if !f.default.is_empty() {
                    assert_eq!(
                        value_error(f, &f.default),
                        None,
                        "{at}: the default is refused"
                    );
                }
                for d in &f.dependents {
                    assert!(unique.contains(d.as_str()), "{at}: unknown dependent {d}");
                }
            }
            assert!(unique.contains("connector.class") && unique.contains("tasks.max"));
        }
    }

    fn config(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_guides_datagen_example_has_four_errors() {
        let p = find("DatagenSource").unwrap();
        let c = config(&[
            (
                "connector.class",
                "io.confluent.kafka.connect.datagen.DatagenConnector",
            ),
            ("kafka.topic", "pageviews"),
            ("quickstart", "pageviews"),
            (
                "key.converter",
                "org.apache.kafka.connect.storage.StringConverter",
            ),
            ("max.interval", "100"),
            ("iterations", "10000000"),
            ("tasks.max", "1"),
        ]);
        let v = p.validation(&c);
        assert_eq!(v["error_count"], 4, "{v:#}");
        assert_eq!(
            v["name"],
            "io.confluent.kafka.connect.datagen.DatagenConnector"
        );
        let entry = |name: &str| {
            v["configs"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["definition"]["name"] == name)
                .unwrap()
                .clone()
        };
        assert_eq!(entry("connector.class")["value"]["value"], "DatagenSource");
        assert_eq!(entry("name")["value"]["errors"][0], "\"name\" is required");
        assert_eq!(entry("name")["value"]["value"], "{{.logicalClusterId}}");
        assert_eq!(entry("predicates")["value"]["errors"], json!([]));
        let names: Vec<String> = p.problems(&c).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            names,
            [
                "name",
                "kafka.api.key",
                "kafka.api.secret",
                "output.data.format"
            ]
        );
    }

    #[test]
    fn values_are_checked_by_type() {
        let p = find("S3_SINK").unwrap();
        let c = config(&[
            ("connector.class", "S3_SINK"),
            ("name", "s3"),
            ("kafka.auth.mode", "SERVICE_ACCOUNT"),
            ("kafka.service.account.id", "sa-1"),
            ("topics", "t"),
            ("input.data.format", "XML"),
            ("output.data.format", "AVRO"),
            ("aws.access.key.id", "a"),
            ("aws.secret.access.key", "b"),
            ("s3.bucket.name", "b"),
            ("time.interval", "HOURLY"),
            ("flush.size", "10"),
            ("tasks.max", "x"),
        ]);
        let problems = p.problems(&c);
        let keys: Vec<&str> = problems.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            ["input.data.format", "flush.size", "tasks.max"],
            "{problems:?}"
        );
        assert!(problems[1].1.contains("greater than or equal to 1000"));
        assert!(problems[2].1.contains("Not a number"));
    }

    #[test]
    fn masking_follows_names_and_definitions() {
        for key in [
            "kafka.api.key",
            "kafka.api.secret",
            "aws.access.key.id",
            "aws.secret.access.key",
            "connection.password",
            "gcs.credentials.config",
        ] {
            assert!(is_sensitive_key(key), "{key}");
        }
        for key in [
            "key.converter",
            "kafka.topic",
            "s3.bucket.name",
            "tasks.max",
        ] {
            assert!(!is_sensitive_key(key), "{key}");
        }
        let out = answer_config(
            &config(&[
                ("kafka.api.key", "K"),
                ("my.token.list", "x"),
                ("topics", "t"),
            ]),
            &BTreeSet::from(["my.token.list".to_owned()]),
            "env-abc",
            "lkc-xyz",
        );
        assert_eq!(out["kafka.api.key"], MASK);
        assert_eq!(out["my.token.list"], MASK);
        assert_eq!(out["topics"], "t");
        assert_eq!(
            out["kafka.endpoint"],
            "SASL_SSL://pkc-xyz.us-west-2.aws.confluent.cloud:9092"
        );
    }
}
