//! The managed connector plugins the emulator offers, how it validates their
//! configurations, which config values it masks, and the custom connector runtimes.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use ccloud_connect::connect;

/// The value the API answers in place of a sensitive configuration value.
pub(crate) const MASK: &str = "****************";

/// When a key must be set.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Need {
    Always,
    Optional,
    /// Required when `kafka.auth.mode` has this value (its default is `KAFKA_API_KEY`).
    AuthMode(&'static str),
}

/// How a plugin defines one configuration key.
#[derive(Debug)]
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) ty: &'static str,
    pub(crate) need: Need,
    pub(crate) default: &'static str,
    pub(crate) importance: &'static str,
    pub(crate) documentation: &'static str,
    pub(crate) group: &'static str,
    pub(crate) display: &'static str,
    pub(crate) order: i64,
    pub(crate) allowed: &'static [&'static str],
    pub(crate) min: Option<i64>,
    pub(crate) dependents: &'static [&'static str],
}

const fn field(
    name: &'static str,
    ty: &'static str,
    need: Need,
    group: &'static str,
    display: &'static str,
    order: i64,
) -> Field {
    Field {
        name,
        ty,
        need,
        default: "",
        importance: "HIGH",
        documentation: "",
        group,
        display,
        order,
        allowed: &[],
        min: None,
        dependents: &[],
    }
}

const fn with_default(mut f: Field, default: &'static str) -> Field {
    f.default = default;
    f
}

const fn one_of(mut f: Field, allowed: &'static [&'static str]) -> Field {
    f.allowed = allowed;
    f
}

const fn at_least(mut f: Field, min: i64) -> Field {
    f.min = Some(min);
    f
}

const fn documented(mut f: Field, documentation: &'static str) -> Field {
    f.documentation = documentation;
    f
}

const fn low(mut f: Field) -> Field {
    f.importance = "LOW";
    f
}

const CONNECT: &str = "How should we connect to your data?";
const CREDENTIALS: &str = "Kafka Cluster credentials";
const TASKS: &str = "Number of tasks for this connector";
const TRANSFORMS: &str = "Transforms";
const PREDICATES: &str = "Predicates";
const TOPIC_OUT: &str = "Which topic do you want to send data to?";
const TOPICS_IN: &str = "Which topics do you want to get data from?";
const INPUT: &str = "Input messages";
const OUTPUT: &str = "Output messages";
const ORGANIZE: &str = "Organize my data by...";
const DATABASE: &str = "How should we connect to your database?";

/// Keys every managed plugin defines, before its own.
static COMMON_HEAD: [Field; 5] = [
    field(
        "connector.class",
        "STRING",
        Need::Always,
        CONNECT,
        "Connector class",
        1,
    ),
    documented(
        field("name", "STRING", Need::Always, CONNECT, "Connector name", 2),
        "Sets a name for your connector.",
    ),
    documented(
        one_of(
            with_default(
                field(
                    "kafka.auth.mode",
                    "STRING",
                    Need::Optional,
                    CREDENTIALS,
                    "Kafka Cluster Authentication mode",
                    1,
                ),
                "KAFKA_API_KEY",
            ),
            &["KAFKA_API_KEY", "SERVICE_ACCOUNT"],
        ),
        "Kafka Authentication mode. It can be one of KAFKA_API_KEY or SERVICE_ACCOUNT.",
    ),
    field(
        "kafka.api.key",
        "PASSWORD",
        Need::AuthMode("KAFKA_API_KEY"),
        CREDENTIALS,
        "Kafka API Key",
        2,
    ),
    Field {
        dependents: &["kafka.api.key"],
        ..field(
            "kafka.api.secret",
            "PASSWORD",
            Need::AuthMode("KAFKA_API_KEY"),
            CREDENTIALS,
            "Kafka API Secret",
            3,
        )
    },
];

/// Keys every managed plugin defines, after its own.
static COMMON_TAIL: [Field; 4] = [
    field(
        "kafka.service.account.id",
        "STRING",
        Need::AuthMode("SERVICE_ACCOUNT"),
        CREDENTIALS,
        "Kafka Service Account",
        4,
    ),
    at_least(
        field("tasks.max", "INT", Need::Always, TASKS, "Tasks", 1),
        1,
    ),
    low(documented(
        field(
            "transforms",
            "LIST",
            Need::Optional,
            TRANSFORMS,
            "Transforms",
            1,
        ),
        "Aliases for the transformations to be applied to records.",
    )),
    low(documented(
        field(
            "predicates",
            "LIST",
            Need::Optional,
            PREDICATES,
            "Predicates",
            1,
        ),
        "Aliases for the predicates used by transformations.",
    )),
];

const OUTPUT_FORMATS: &[&str] = &["AVRO", "JSON_SR", "PROTOBUF", "JSON"];
const INPUT_FORMATS: &[&str] = &["AVRO", "JSON_SR", "PROTOBUF", "JSON", "BYTES", "STRING"];

static DATAGEN: [Field; 5] = [
    documented(
        field(
            "kafka.topic",
            "STRING",
            Need::Always,
            TOPIC_OUT,
            "Topic name",
            1,
        ),
        "Identifies the topic name to write the data to.",
    ),
    one_of(
        field(
            "output.data.format",
            "STRING",
            Need::Always,
            OUTPUT,
            "Output Kafka record value format",
            1,
        ),
        OUTPUT_FORMATS,
    ),
    one_of(
        field(
            "quickstart",
            "STRING",
            Need::Optional,
            "Datagen Details",
            "Select a template",
            1,
        ),
        &[
            "CLICKSTREAM",
            "CLICKSTREAM_CODES",
            "CLICKSTREAM_USERS",
            "ORDERS",
            "RATINGS",
            "USERS",
            "USERS_",
            "PAGEVIEWS",
            "STOCK_TRADES",
            "INVENTORY",
            "PRODUCT",
            "PURCHASES",
            "TRANSACTIONS",
            "CAMPAIGN_FINANCE",
            "FLEET_MGMT_DESCRIPTION",
            "FLEET_MGMT_LOCATION",
            "FLEET_MGMT_SENSORS",
            "PIZZA_ORDERS",
            "PIZZA_ORDERS_COMPLETED",
            "PIZZA_ORDERS_CANCELLED",
            "INSURANCE_OFFERS",
            "INSURANCE_CUSTOMERS",
            "INSURANCE_CUSTOMER_ACTIVITY",
            "GAMING_GAMES",
            "GAMING_PLAYERS",
            "GAMING_PLAYER_ACTIVITY",
            "PAYROLL_EMPLOYEE",
            "PAYROLL_EMPLOYEE_LOCATION",
            "PAYROLL_BONUS",
            "SYSLOG_LOGS",
            "DEVICE_INFORMATION",
            "SIEM_LOGS",
            "SHOES",
            "SHOE_CUSTOMERS",
            "SHOE_ORDERS",
            "SHOE_CLICKSTREAM",
            "pageviews",
            "users",
            "orders",
            "ratings",
            "clickstream",
            "stock_trades",
        ],
    ),
    low(at_least(
        with_default(
            field(
                "max.interval",
                "INT",
                Need::Optional,
                "Datagen Details",
                "Max interval between messages (ms)",
                2,
            ),
            "1000",
        ),
        1,
    )),
    low(at_least(
        with_default(
            field(
                "iterations",
                "INT",
                Need::Optional,
                "Datagen Details",
                "Number of messages",
                3,
            ),
            "1000000",
        ),
        1,
    )),
];

static S3_SINK: [Field; 8] = [
    documented(
        field("topics", "LIST", Need::Always, TOPICS_IN, "Topic names", 1),
        "Identifies the topic name or a comma-separated list of topic names.",
    ),
    one_of(
        field(
            "input.data.format",
            "STRING",
            Need::Always,
            INPUT,
            "Input Kafka record value format",
            1,
        ),
        INPUT_FORMATS,
    ),
    field(
        "aws.access.key.id",
        "PASSWORD",
        Need::Always,
        "Amazon Web Services credentials",
        "Amazon Access Key ID",
        1,
    ),
    field(
        "aws.secret.access.key",
        "PASSWORD",
        Need::Always,
        "Amazon Web Services credentials",
        "Amazon Secret Access Key",
        2,
    ),
    field(
        "s3.bucket.name",
        "STRING",
        Need::Always,
        "Amazon S3 details",
        "Bucket name",
        1,
    ),
    one_of(
        field(
            "output.data.format",
            "STRING",
            Need::Always,
            OUTPUT,
            "Output message format",
            1,
        ),
        &["AVRO", "JSON", "PARQUET", "BYTES"],
    ),
    one_of(
        field(
            "time.interval",
            "STRING",
            Need::Always,
            ORGANIZE,
            "Time interval",
            1,
        ),
        &["DAILY", "HOURLY"],
    ),
    at_least(
        with_default(
            field(
                "flush.size",
                "INT",
                Need::Optional,
                ORGANIZE,
                "Flush size",
                2,
            ),
            "1000",
        ),
        1000,
    ),
];

static GCS_SINK: [Field; 6] = [
    documented(
        field("topics", "LIST", Need::Always, TOPICS_IN, "Topic names", 1),
        "Identifies the topic name or a comma-separated list of topic names.",
    ),
    one_of(
        field(
            "data.format",
            "STRING",
            Need::Always,
            "Messages",
            "Message format",
            1,
        ),
        &["BYTES", "JSON", "AVRO"],
    ),
    documented(
        field(
            "gcs.credentials.config",
            "PASSWORD",
            Need::Always,
            "Google Cloud Storage details",
            "Google Cloud Storage credentials.",
            1,
        ),
        "Contents of the downloaded GCP service account JSON file.",
    ),
    field(
        "gcs.bucket.name",
        "STRING",
        Need::Always,
        "Google Cloud Storage details",
        "Bucket name.",
        2,
    ),
    one_of(
        field(
            "time.interval",
            "STRING",
            Need::Always,
            ORGANIZE,
            "Time interval",
            1,
        ),
        &["DAILY", "HOURLY"],
    ),
    at_least(
        with_default(
            field(
                "flush.size",
                "INT",
                Need::Optional,
                ORGANIZE,
                "Flush size",
                2,
            ),
            "1000",
        ),
        1000,
    ),
];

static POSTGRES_SOURCE: [Field; 8] = [
    field(
        "connection.host",
        "STRING",
        Need::Always,
        DATABASE,
        "Database hostname",
        1,
    ),
    at_least(
        with_default(
            field(
                "connection.port",
                "INT",
                Need::Optional,
                DATABASE,
                "Database port",
                2,
            ),
            "5432",
        ),
        1,
    ),
    field(
        "connection.user",
        "STRING",
        Need::Always,
        DATABASE,
        "Database username",
        3,
    ),
    field(
        "connection.password",
        "PASSWORD",
        Need::Always,
        DATABASE,
        "Database Password",
        4,
    ),
    field(
        "db.name",
        "STRING",
        Need::Always,
        DATABASE,
        "Database name",
        5,
    ),
    field(
        "table.whitelist",
        "LIST",
        Need::Optional,
        "Database details",
        "Table names",
        1,
    ),
    field(
        "topic.prefix",
        "STRING",
        Need::Optional,
        TOPIC_OUT,
        "Topic prefix",
        1,
    ),
    one_of(
        field(
            "output.data.format",
            "STRING",
            Need::Always,
            OUTPUT,
            "Output Kafka record value format",
            1,
        ),
        OUTPUT_FORMATS,
    ),
];

static MYSQL_CDC_SOURCE: [Field; 6] = [
    field(
        "database.hostname",
        "STRING",
        Need::Always,
        DATABASE,
        "Database hostname",
        1,
    ),
    at_least(
        with_default(
            field(
                "database.port",
                "INT",
                Need::Optional,
                DATABASE,
                "Database port",
                2,
            ),
            "3306",
        ),
        1,
    ),
    field(
        "database.user",
        "STRING",
        Need::Always,
        DATABASE,
        "Database username",
        3,
    ),
    field(
        "database.password",
        "PASSWORD",
        Need::Always,
        DATABASE,
        "Database Password",
        4,
    ),
    field(
        "database.server.name",
        "STRING",
        Need::Always,
        DATABASE,
        "Database server name",
        5,
    ),
    one_of(
        field(
            "output.data.format",
            "STRING",
            Need::Always,
            OUTPUT,
            "Output Kafka record value format",
            1,
        ),
        OUTPUT_FORMATS,
    ),
];

static SQL_SERVER_SINK: [Field; 7] = [
    documented(
        field("topics", "LIST", Need::Always, TOPICS_IN, "Topic names", 1),
        "Identifies the topic name or a comma-separated list of topic names.",
    ),
    one_of(
        field(
            "input.data.format",
            "STRING",
            Need::Always,
            INPUT,
            "Input Kafka record value format",
            1,
        ),
        INPUT_FORMATS,
    ),
    field(
        "connection.host",
        "STRING",
        Need::Always,
        DATABASE,
        "Database hostname",
        1,
    ),
    at_least(
        with_default(
            field(
                "connection.port",
                "INT",
                Need::Optional,
                DATABASE,
                "Database port",
                2,
            ),
            "1433",
        ),
        1,
    ),
    field(
        "connection.user",
        "STRING",
        Need::Always,
        DATABASE,
        "Database username",
        3,
    ),
    field(
        "connection.password",
        "PASSWORD",
        Need::Always,
        DATABASE,
        "Database Password",
        4,
    ),
    field(
        "db.name",
        "STRING",
        Need::Always,
        DATABASE,
        "Database name",
        5,
    ),
];

static PUBSUB_SOURCE: [Field; 4] = [
    field(
        "kafka.topic",
        "STRING",
        Need::Always,
        TOPIC_OUT,
        "Topic name",
        1,
    ),
    field(
        "gcp.pubsub.project.id",
        "STRING",
        Need::Always,
        "Google Cloud Pub/Sub details",
        "Project ID",
        1,
    ),
    field(
        "gcp.pubsub.subscription.id",
        "STRING",
        Need::Always,
        "Google Cloud Pub/Sub details",
        "Subscription ID",
        2,
    ),
    field(
        "gcp.pubsub.credentials.json",
        "PASSWORD",
        Need::Always,
        "Google Cloud Pub/Sub details",
        "Google Cloud credentials",
        3,
    ),
];

/// A managed connector plugin.
#[derive(Debug)]
pub(crate) struct ManagedPlugin {
    /// The plugin name used as `connector.class` (`S3_SINK`).
    pub(crate) class: &'static str,
    /// The Java class, also accepted as `connector.class` and named by validation answers.
    pub(crate) java_class: &'static str,
    pub(crate) type_: &'static str,
    pub(crate) version: &'static str,
    fields: &'static [Field],
}

/// The catalogue, in the order `list_connector_plugins` answers.
pub(crate) static PLUGINS: [ManagedPlugin; 7] = [
    ManagedPlugin {
        class: "DatagenSource",
        java_class: "io.confluent.kafka.connect.datagen.DatagenConnector",
        type_: "source",
        version: "0.6.7",
        fields: &DATAGEN,
    },
    ManagedPlugin {
        class: "GcsSink",
        java_class: "io.confluent.connect.gcs.GcsSinkConnector",
        type_: "sink",
        version: "10.1.12",
        fields: &GCS_SINK,
    },
    ManagedPlugin {
        class: "MicrosoftSqlServerSink",
        java_class: "io.confluent.connect.jdbc.JdbcSinkConnector",
        type_: "sink",
        version: "0.1.0",
        fields: &SQL_SERVER_SINK,
    },
    ManagedPlugin {
        class: "MySqlCdcSource",
        java_class: "io.debezium.connector.mysql.MySqlConnector",
        type_: "source",
        version: "0.1.0",
        fields: &MYSQL_CDC_SOURCE,
    },
    ManagedPlugin {
        class: "PostgresSource",
        java_class: "io.confluent.connect.jdbc.JdbcSourceConnector",
        type_: "source",
        version: "0.1.0",
        fields: &POSTGRES_SOURCE,
    },
    ManagedPlugin {
        class: "PubSubSource",
        java_class: "io.confluent.connect.gcp.pubsub.PubSubSourceConnector",
        type_: "source",
        version: "0.1.0",
        fields: &PUBSUB_SOURCE,
    },
    ManagedPlugin {
        class: "S3_SINK",
        java_class: "io.confluent.connect.s3.S3SinkConnector",
        type_: "sink",
        version: "10.5.13",
        fields: &S3_SINK,
    },
];

/// The plugin whose name or Java class is `class`.
pub(crate) fn find(class: &str) -> Option<&'static ManagedPlugin> {
    let class = class.trim();
    PLUGINS
        .iter()
        .find(|p| p.class == class || p.java_class == class)
}

impl ManagedPlugin {
    pub(crate) fn connector_type(&self) -> connect::ConnectorType {
        connect::ConnectorType::from(self.type_)
    }

    fn all_fields(&self) -> impl Iterator<Item = &'static Field> {
        COMMON_HEAD
            .iter()
            .chain(self.fields.iter())
            .chain(COMMON_TAIL.iter())
    }

    /// Keys defined as `PASSWORD`, masked in answers.
    pub(crate) fn password_keys(&self) -> BTreeSet<String> {
        self.all_fields()
            .filter(|f| f.ty == "PASSWORD")
            .map(|f| f.name.to_owned())
            .collect()
    }

    /// Problems with `config`, one `(key, message)` per problem, in definition order.
    pub(crate) fn problems(&self, config: &BTreeMap<String, String>) -> Vec<(String, String)> {
        self.check(config)
            .into_iter()
            .flat_map(|c| {
                c.errors
                    .into_iter()
                    .map(move |e| (c.field.name.to_owned(), e))
            })
            .collect()
    }

    fn check(&self, config: &BTreeMap<String, String>) -> Vec<Checked> {
        let auth_mode = config
            .get("kafka.auth.mode")
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .unwrap_or("KAFKA_API_KEY");
        self.all_fields()
            .map(|f| {
                let given = config.get(f.name).map(|v| v.trim()).filter(|v| !v.is_empty());
                let required = match f.need {
                    Need::Always => true,
                    Need::Optional => false,
                    Need::AuthMode(mode) => mode == auth_mode,
                };
                let mut errors = Vec::new();
                let mut shown = given.unwrap_or(f.default).to_owned();
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
                            shown = self.class.to_owned();
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
            if !groups.contains(&c.field.group) {
                groups.push(c.field.group);
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

struct Checked {
    field: &'static Field,
    value: String,
    errors: Vec<String>,
}

fn value_error(f: &Field, v: &str) -> Option<String> {
    match f.ty {
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
        _ if !f.allowed.is_empty() && !f.allowed.contains(&v) => Some(format!(
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
