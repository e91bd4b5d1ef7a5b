//! Connector configurations for managed and custom connectors, checked before they are sent.
//!
//! [`ConnectorSpec`] builds the body of a connector creation or configuration update with
//! typed setters for the keys Confluent documents, and refuses, before any request, what
//! the API would refuse or silently misapply:
//!
//! * a connector name longer than 64 characters, or with a character other than Unicode
//!   letters, numbers, marks, spaces and `. , & _ + | [ ] -`
//!   ([`validate_connector_name`]);
//! * a `tasks.max` that is not a positive integer;
//! * a custom connector without `confluent.custom.plugin.id`, a managed one without
//!   `connector.class`;
//! * a value that is the mask the API returns in place of a secret ([`MASKED_VALUE`]).
//!
//! # Read-modify-write and masked secrets
//!
//! Reading a configuration returns every secret as `****************` ([`MASKED_VALUE`]). A
//! [`ConnectorSpec`] built from a read ([`ConnectorSpec::from_read`],
//! [`ConnectorHandle::spec`](crate::connect::ConnectorHandle::spec)) keeps the masked values,
//! and what happens to them is the spec's [`MaskedSecrets`] policy:
//!
//! * [`MaskedSecrets::Refuse`] (the default): every checked path refuses a spec that still
//!   holds a mask, with an [`Error::Validation`] naming **every** masked key. Supply each
//!   secret again with [`secret`](ConnectorSpec::secret) (or a typed setter such as
//!   [`kafka_api_secret`](ConnectorSpec::kafka_api_secret)), or leave the key out explicitly
//!   with [`remove`](ConnectorSpec::remove) or [`drop_masked`](ConnectorSpec::drop_masked).
//! * [`MaskedSecrets::KeepStored`]: the masks are sent back as they were read, and the API
//!   keeps the secret it stores for a key that receives its own mask. This is how a key
//!   rotation changes one secret without holding all the others.
//!
//! The raw operation (`client.connect().raw().put_connector_config`) checks nothing and
//! sends what it is given, masks included, which is the `KeepStored` behaviour.
//!
//! The keys the service adds to every read (`cloud.environment`, `kafka.endpoint`, ...,
//! see [`SERVER_ADDED_KEYS`](crate::connect::SERVER_ADDED_KEYS)) are not part of a spec
//! built from a read, so they are never sent back.
//!
//! Either way nothing is dropped silently: a `PUT` replaces the whole configuration, so a
//! key left out is, as far as anyone outside Confluent can tell, a key deleted (Kafka
//! Connect's own `PUT .../config` replaces the configuration).
//!
//! What this model rests on, and how sure it is:
//!
//! * **Confirmed** by Confluent's own tools: the API masks every sensitive value as
//!   sixteen asterisks (the usage guide's answers); the Confluent CLI's `confluent connect
//!   cluster update --config k=v` reads the masked configuration and `PUT`s the whole map
//!   back with only the given keys changed, and has done so since 2023; the Terraform
//!   provider updates connectors it imported with `config_sensitive = {}`, i.e. without the
//!   secrets. Both only work because the API keeps a stored secret when it receives its mask.
//! * **Inferred**, not documented by Confluent: that the same holds for every connector and
//!   every sensitive key; and what the API does with a sensitive key left out of a `PUT`
//!   (this crate treats it as deleted, as Kafka Connect does).
//!
//! The emulator (`ccloud-connect-emulator`) plays the same model: it keeps a stored secret
//! on its mask and removes a key a `PUT` leaves out.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

use crate::connect::server_keys::is_service_owned;
use crate::connect::{ConnectorConfig, ConnectorOffset, CreateConnectorRequest};
use crate::http::REDACTED;
use crate::{Error, Result};

/// What the API returns in place of every secret value when a configuration is read.
pub const MASKED_VALUE: &str = "****************";

/// The longest connector name the API accepts, in characters.
pub const MAX_CONNECTOR_NAME_CHARS: usize = 64;

/// The punctuation a connector name may hold besides letters, numbers, marks and spaces.
const NAME_PUNCTUATION: &[char] = &['.', ',', '&', '_', '+', '|', '[', ']', '-'];

/// Configuration keys the usage guide names.
pub mod keys {
    /// The connector's name; always equal to the connector name in the URL.
    pub const NAME: &str = "name";
    /// Managed plugin (class) name, e.g. `S3_SINK`; not used by custom connectors.
    pub const CONNECTOR_CLASS: &str = "connector.class";
    /// How the connector authenticates to Kafka (`KAFKA_API_KEY` or `SERVICE_ACCOUNT`).
    pub const KAFKA_AUTH_MODE: &str = "kafka.auth.mode";
    /// Kafka cluster API key.
    pub const KAFKA_API_KEY: &str = "kafka.api.key";
    /// Kafka cluster API secret.
    pub const KAFKA_API_SECRET: &str = "kafka.api.secret";
    /// Service account the connector uses when `kafka.auth.mode` is `SERVICE_ACCOUNT`.
    pub const KAFKA_SERVICE_ACCOUNT_ID: &str = "kafka.service.account.id";
    /// Maximum number of tasks, a positive integer.
    pub const TASKS_MAX: &str = "tasks.max";
    /// `CUSTOM` or `MANAGED` (the default).
    pub const CONNECTOR_TYPE: &str = "confluent.connector.type";
    /// Plugin id of a custom connector (required for custom connectors).
    pub const CUSTOM_PLUGIN_ID: &str = "confluent.custom.plugin.id";
    /// Version of a ccpm plugin; the latest when unset.
    pub const CUSTOM_PLUGIN_VERSION: &str = "confluent.custom.plugin.version";
    /// Static endpoints a custom connector may reach.
    pub const CUSTOM_CONNECTION_ENDPOINTS: &str = "confluent.custom.connection.endpoints";
    /// Whether Schema Registry settings are added automatically to a custom connector.
    pub const CUSTOM_SCHEMA_REGISTRY_AUTO: &str = "confluent.custom.schema.registry.auto";
    /// Kafka runtime of a custom connector: a `custom_connect_plugin_runtime_name`, e.g. `3.9`.
    pub const CUSTOM_CONNECT_PLUGIN_RUNTIME: &str = "confluent.custom.connect.plugin.runtime";
    /// Java version of a custom connector, e.g. `17`.
    pub const CUSTOM_CONNECT_JAVA_VERSION: &str = "confluent.custom.connect.java.version";
}

/// The value of `confluent.connector.type` for custom connectors.
pub(crate) const CUSTOM: &str = "CUSTOM";

/// How a connector authenticates to the Kafka cluster (`kafka.auth.mode`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KafkaAuthMode {
    /// `KAFKA_API_KEY`: with `kafka.api.key` and `kafka.api.secret`.
    KafkaApiKey,
    /// `SERVICE_ACCOUNT`: with `kafka.service.account.id`.
    ServiceAccount,
    /// Another value, sent as is.
    Other(String),
}

impl KafkaAuthMode {
    /// The value as it goes into the configuration.
    pub fn as_str(&self) -> &str {
        match self {
            KafkaAuthMode::KafkaApiKey => "KAFKA_API_KEY",
            KafkaAuthMode::ServiceAccount => "SERVICE_ACCOUNT",
            KafkaAuthMode::Other(s) => s,
        }
    }
}

/// Whether `value` is the mask the API returns in place of a secret: a non-empty run of `*`.
///
/// ```
/// assert!(ccloud_connect::connect::is_masked("****************"));
/// assert!(!ccloud_connect::connect::is_masked("s3cr3t*"));
/// ```
pub fn is_masked(value: &str) -> bool {
    !value.is_empty() && value.chars().all(|c| c == '*')
}

/// Whether a configuration key usually holds a secret, going by its name. Such values are
/// redacted in `Debug` output even when they were set with [`ConnectorSpec::set`].
///
/// ```
/// use ccloud_connect::connect::is_sensitive_key;
/// assert!(is_sensitive_key("kafka.api.secret"));
/// assert!(is_sensitive_key("aws.access.key.id"));
/// assert!(is_sensitive_key("connection.password"));
/// assert!(!is_sensitive_key("tasks.max"));
/// ```
pub fn is_sensitive_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "secret",
        "password",
        "passphrase",
        "token",
        "credential",
        "private",
        "jaas",
        "api.key",
        "access.key",
    ];
    WORDS.iter().any(|w| key.contains(w)) || key.ends_with(".key")
}

/// Checks a connector name against Confluent's naming rules: at most 64 characters, each a
/// Unicode letter, number or mark, a space, or one of `. , & _ + | [ ] -`.
///
/// The error names the offending name and, for a bad character, the character.
///
/// ```
/// use ccloud_connect::connect::validate_connector_name;
/// assert!(validate_connector_name("S3_SINKConnector_0").is_ok());
/// assert!(validate_connector_name("Über [prod] | sink, v2.1 & co").is_ok());
/// assert!(validate_connector_name("a/b").is_err());
/// assert!(validate_connector_name(&"x".repeat(65)).is_err());
/// ```
pub fn validate_connector_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::validation(
            "connector name",
            name,
            "must not be empty or only spaces",
        ));
    }
    if name == "." || name == ".." {
        // Allowed characters, but as a path segment they name the parent path: such a
        // connector could be created and then never read, paused or deleted by name.
        return Err(Error::validation(
            "connector name",
            name,
            "must not be `.` or `..`, which cannot be used in a request path",
        ));
    }
    let count = name.chars().count();
    if count > MAX_CONNECTOR_NAME_CHARS {
        return Err(Error::validation(
            "connector name",
            name,
            format!("is {count} characters long; the limit is {MAX_CONNECTOR_NAME_CHARS}"),
        ));
    }
    if let Some(bad) = name.chars().find(|&c| !name_char_allowed(c)) {
        return Err(Error::validation(
            "connector name",
            name,
            format!(
                "character {bad:?} (U+{:04X}) is not allowed; use Unicode letters, numbers, \
                 marks, spaces and . , & _ + | [ ] - (dashes are easiest to script with)",
                u32::from(bad)
            ),
        ));
    }
    Ok(())
}

fn name_char_allowed(c: char) -> bool {
    c == ' '
        || NAME_PUNCTUATION.contains(&c)
        || matches!(
            c.general_category_group(),
            GeneralCategoryGroup::Letter
                | GeneralCategoryGroup::Number
                | GeneralCategoryGroup::Mark
        )
}

/// The configuration of one connector, managed or custom, checked before it is sent.
///
/// Start with [`managed`](Self::managed), [`custom`](Self::custom) or, to change an existing
/// connector, [`from_read`](Self::from_read). Typed setters cover the keys the usage guide
/// names; [`set`](Self::set) and [`secret`](Self::secret) take any other key. Every value is a
/// string on the wire.
///
/// `Debug` output shows keys but redacts the values of secrets (those set with
/// [`secret`](Self::secret) or a secret setter, and any key whose name looks like one,
/// see [`is_sensitive_key`]).
///
/// ```
/// use ccloud_connect::connect::ConnectorSpec;
/// let spec = ConnectorSpec::custom("custom-datagen_0", "custom-plugin-123456")
///     .kafka_api_key("KAFKA-KEY")
///     .kafka_api_secret("kafka-secret")
///     .tasks_max(1)
///     .set("kafka.topic", "pageviews");
/// let body = spec.to_create_request().unwrap();
/// assert_eq!(body.name.as_deref(), Some("custom-datagen_0"));
/// assert_eq!(body.config.unwrap()["confluent.connector.type"], "CUSTOM");
/// assert!(!format!("{spec:?}").contains("kafka-secret"));
/// ```
#[derive(Clone)]
pub struct ConnectorSpec {
    name: String,
    config: BTreeMap<String, String>,
    secret_keys: BTreeSet<String>,
    offsets: Vec<ConnectorOffset>,
    masked: MaskedSecrets,
}

/// What a [`ConnectorSpec`] does with values that are still the mask read from the API (see
/// the [masked secrets model](ConnectorSpec#masked-secrets)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MaskedSecrets {
    /// Refuse to send the spec while a value is masked; the error names every masked key.
    #[default]
    Refuse,
    /// Send the masks back, so the API keeps the secrets it stores for those keys (what
    /// Confluent's CLI does on `connect cluster update`).
    KeepStored,
}

impl fmt::Debug for ConnectorSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Config<'a>(&'a ConnectorSpec);
        impl fmt::Debug for Config<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map()
                    .entries(self.0.config.iter().map(|(k, v)| {
                        let shown = if self.0.is_secret(k) && !is_masked(v) {
                            REDACTED
                        } else {
                            v.as_str()
                        };
                        (k, shown)
                    }))
                    .finish()
            }
        }
        f.debug_struct("ConnectorSpec")
            .field("name", &self.name)
            .field("config", &Config(self))
            .field("offsets", &self.offsets.len())
            .finish()
    }
}

/// Masks the values of [sensitive keys](is_sensitive_key), like [`ConnectorSpec`]'s `Debug`:
/// the configurations built from a spec and read from the API are logged with `{:?}`.
impl fmt::Debug for ConnectorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ConnectorConfig")
            .field(&RedactedConfig(&self.0))
            .finish()
    }
}

struct RedactedConfig<'a>(&'a BTreeMap<String, String>);

impl fmt::Debug for RedactedConfig<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| {
                let shown = if is_sensitive_key(k) && !is_masked(v) {
                    REDACTED
                } else {
                    v.as_str()
                };
                (k, shown)
            }))
            .finish()
    }
}

impl ConnectorSpec {
    fn empty(name: String) -> Self {
        let mut config = BTreeMap::new();
        config.insert(keys::NAME.to_owned(), name.clone());
        ConnectorSpec {
            name,
            config,
            secret_keys: BTreeSet::new(),
            offsets: Vec::new(),
            masked: MaskedSecrets::Refuse,
        }
    }

    /// A fully-managed connector: `name` and `connector.class` (the managed plugin, e.g.
    /// `S3_SINK` or `DatagenSource`).
    pub fn managed(name: impl Into<String>, connector_class: impl Into<String>) -> Self {
        Self::empty(name.into()).set(keys::CONNECTOR_CLASS, connector_class)
    }

    /// A custom connector: `name`, `confluent.connector.type` = `CUSTOM` and
    /// `confluent.custom.plugin.id` (the `ccp-...` id of its plugin). The connector class
    /// comes from the plugin, so `connector.class` is not set.
    pub fn custom(name: impl Into<String>, plugin_id: impl Into<String>) -> Self {
        Self::empty(name.into())
            .set(keys::CONNECTOR_TYPE, CUSTOM)
            .set(keys::CUSTOM_PLUGIN_ID, plugin_id)
    }

    /// A spec holding a configuration read from the API, to change and send back with
    /// [`ConnectorHandle::update`](crate::connect::ConnectorHandle::update).
    ///
    /// `name` is the connector's name in the URL; the config's `name` key is set to it. Keys
    /// whose value is [masked](is_masked) are remembered as secrets, and what happens to
    /// them when the spec is sent is the spec's [`MaskedSecrets`] policy (see the
    /// [masked secrets model](ConnectorSpec#masked-secrets)):
    ///
    /// * [`MaskedSecrets::Refuse`], the default here: the spec cannot be sent while a key
    ///   still holds its mask; set it again or remove it, or the error names every such key.
    /// * [`MaskedSecrets::KeepStored`] (set with [`masked_secrets`](Self::masked_secrets)):
    ///   the masks are sent back as read and the API keeps the secrets it stores for them,
    ///   as Confluent's CLI does. A key set again is sent with its new value either way.
    ///
    /// [`ConnectorHandle::modify`](crate::connect::ConnectorHandle::modify) takes the policy
    /// as its first argument.
    ///
    /// The keys the service adds to every read are left out, so a read-modify-write sends
    /// back only what a user set: the [server-added keys](crate::connect::SERVER_ADDED_KEYS)
    /// (`cloud.environment`, `kafka.endpoint`, `schema.registry.url`, ...), every
    /// `config.internal.*` key, and for a custom connector `connector.class`, which the API
    /// derives from the plugin. Sending them back would pin values the service chose.
    ///
    /// ```
    /// use ccloud_connect::connect::{ConnectorConfig, ConnectorSpec};
    /// let read: ConnectorConfig = serde_json::from_str(r#"{"name":"dg","connector.class":"DatagenSource",
    ///     "kafka.topic":"pageviews","cloud.provider":"aws","kafka.region":"us-west-2",
    ///     "kafka.endpoint":"SASL_SSL://pkc-1.us-west-2.aws.confluent.cloud:9092"}"#).unwrap();
    /// let spec = ConnectorSpec::from_read("dg", read);
    /// let keys: Vec<&str> = spec.keys().collect();
    /// assert_eq!(keys, ["connector.class", "kafka.topic", "name"]);
    /// ```
    pub fn from_read(name: impl Into<String>, config: ConnectorConfig) -> Self {
        let name = name.into();
        let mut spec = Self::empty(name.clone());
        let custom = config
            .0
            .get(keys::CONNECTOR_TYPE)
            .is_some_and(|t| t.trim().eq_ignore_ascii_case(CUSTOM));
        for (key, value) in config.0 {
            if is_service_owned(&key, custom) {
                continue;
            }
            if is_masked(&value) {
                spec.secret_keys.insert(key.clone());
            }
            spec.config.insert(key, value);
        }
        spec.config.insert(keys::NAME.to_owned(), name);
        spec
    }

    /// Sets any configuration key.
    pub fn set(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.config.insert(key.into(), value.into());
        self
    }

    /// Sets a configuration key that holds a secret; its value never shows in `Debug`.
    pub fn secret(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let key = key.into();
        self.secret_keys.insert(key.clone());
        self.config.insert(key, value.into());
        self
    }

    /// Removes a configuration key (a `PUT` then leaves it unset on the server).
    pub fn remove(mut self, key: &str) -> Self {
        self.config.remove(key);
        self.secret_keys.remove(key);
        self
    }

    /// What to do with values that are still masked when the spec is sent (default
    /// [`MaskedSecrets::Refuse`]).
    ///
    /// ```
    /// use ccloud_connect::connect::{ConnectorConfig, ConnectorSpec, MaskedSecrets};
    /// let read: ConnectorConfig = serde_json::from_str(r#"{"name":"s3","connector.class":"S3_SINK",
    ///     "kafka.api.key":"OLDKEY","kafka.api.secret":"****************",
    ///     "aws.secret.access.key":"****************"}"#).unwrap();
    /// let spec = ConnectorSpec::from_read("s3", read)
    ///     .kafka_api_key("NEWKEY")
    ///     .kafka_api_secret("new-secret");
    /// let err = spec.validate().unwrap_err();
    /// assert!(err.to_string().contains("aws.secret.access.key"));
    /// let spec = spec.masked_secrets(MaskedSecrets::KeepStored);
    /// assert_eq!(spec.to_config().unwrap()["aws.secret.access.key"], "****************");
    /// ```
    pub fn masked_secrets(mut self, policy: MaskedSecrets) -> Self {
        self.masked = policy;
        self
    }

    /// Removes every key whose value is still [masked](is_masked), for callers that want an
    /// update without those keys. A `PUT` replaces the whole configuration, so the server
    /// then no longer has these secrets.
    pub fn drop_masked(mut self) -> Self {
        let masked: Vec<String> = self.masked_keys().map(str::to_owned).collect();
        for key in masked {
            self = self.remove(&key);
        }
        self
    }

    /// `connector.class`: the managed plugin, e.g. `S3_SINK`.
    pub fn connector_class(self, class: impl Into<String>) -> Self {
        self.set(keys::CONNECTOR_CLASS, class)
    }

    /// `kafka.auth.mode`.
    pub fn kafka_auth_mode(self, mode: KafkaAuthMode) -> Self {
        self.set(keys::KAFKA_AUTH_MODE, mode.as_str())
    }

    /// `kafka.api.key`: the Kafka cluster API key (the API masks it on read).
    pub fn kafka_api_key(self, key: impl Into<String>) -> Self {
        self.secret(keys::KAFKA_API_KEY, key)
    }

    /// `kafka.api.secret`: the Kafka cluster API secret.
    pub fn kafka_api_secret(self, secret: impl Into<String>) -> Self {
        self.secret(keys::KAFKA_API_SECRET, secret)
    }

    /// `tasks.max`. Zero is refused when the spec is checked.
    pub fn tasks_max(self, tasks: u32) -> Self {
        self.set(keys::TASKS_MAX, tasks.to_string())
    }

    /// `confluent.custom.plugin.id`: the plugin of a custom connector.
    pub fn plugin_id(self, plugin_id: impl Into<String>) -> Self {
        self.set(keys::CUSTOM_PLUGIN_ID, plugin_id)
    }

    /// `confluent.custom.plugin.version`, e.g. `1.2.3` (ccpm plugins only; the latest
    /// version when unset).
    pub fn plugin_version(self, version: impl Into<String>) -> Self {
        self.set(keys::CUSTOM_PLUGIN_VERSION, version)
    }

    /// `confluent.custom.connection.endpoints`, sent as given, e.g.
    /// `mydb.abc123.us-west-2.rds.amazonaws.com:1433`.
    pub fn connection_endpoints(self, endpoints: impl Into<String>) -> Self {
        self.set(keys::CUSTOM_CONNECTION_ENDPOINTS, endpoints)
    }

    /// `confluent.custom.schema.registry.auto`: `true` adds the Schema Registry settings of
    /// the cluster's environment to a custom connector.
    pub fn schema_registry_auto(self, enabled: bool) -> Self {
        self.set(
            keys::CUSTOM_SCHEMA_REGISTRY_AUTO,
            if enabled { "true" } else { "false" },
        )
    }

    /// `confluent.custom.connect.plugin.runtime`: a runtime's
    /// `custom_connect_plugin_runtime_name`, e.g. `3.9` (see
    /// [`RuntimeReport::newest_ga`](crate::connect::RuntimeReport::newest_ga)).
    pub fn plugin_runtime(self, runtime_name: impl Into<String>) -> Self {
        self.set(keys::CUSTOM_CONNECT_PLUGIN_RUNTIME, runtime_name)
    }

    /// `confluent.custom.connect.java.version`, e.g. `17`.
    pub fn java_version(self, version: impl Into<String>) -> Self {
        self.set(keys::CUSTOM_CONNECT_JAVA_VERSION, version)
    }

    /// Offsets the new connector starts from (creation only).
    pub fn offsets(mut self, offsets: Vec<ConnectorOffset>) -> Self {
        self.offsets = offsets;
        self
    }

    /// The connector name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value of a configuration key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.config.get(key).map(String::as_str)
    }

    /// Every configuration key, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.config.keys().map(String::as_str)
    }

    /// Whether `confluent.connector.type` is `CUSTOM`.
    pub fn is_custom(&self) -> bool {
        self.get(keys::CONNECTOR_TYPE)
            .is_some_and(|t| t.trim().eq_ignore_ascii_case(CUSTOM))
    }

    /// The keys whose value is still the [mask](is_masked) read from the API.
    pub fn masked_keys(&self) -> impl Iterator<Item = &str> {
        self.config
            .iter()
            .filter(|(_, v)| is_masked(v))
            .map(|(k, _)| k.as_str())
    }

    /// Whether `key` holds a secret: set with [`secret`](Self::secret), read masked, or
    /// named like one ([`is_sensitive_key`]).
    pub(crate) fn is_secret(&self, key: &str) -> bool {
        self.secret_keys.contains(key) || is_sensitive_key(key)
    }

    /// Checks the spec without sending anything; the first problem found is returned as an
    /// [`Error::Validation`] naming the key and the offending value (secrets redacted).
    pub fn validate(&self) -> Result<()> {
        validate_connector_name(&self.name)?;
        for key in self.config.keys() {
            if key.trim().is_empty() || key.chars().any(char::is_control) {
                return Err(Error::validation(
                    "config key",
                    key.as_str(),
                    "must not be empty or contain control characters",
                ));
            }
        }
        let masked: Vec<&str> = self.masked_keys().collect();
        if !masked.is_empty() && self.masked == MaskedSecrets::Refuse {
            return Err(Error::validation(
                "config",
                masked.join(", "),
                format!(
                    "{} still the mask the API returns in place of a secret; set each real \
                     value with .secret(key, value), leave keys out with .remove(key) or \
                     .drop_masked(), or send the masks back so the API keeps the stored \
                     secrets with .masked_secrets(MaskedSecrets::KeepStored)",
                    if masked.len() == 1 { "is" } else { "are" }
                ),
            ));
        }
        if let Some(config_name) = self.get(keys::NAME)
            && config_name != self.name
        {
            return Err(Error::validation(
                "config name",
                config_name,
                format!("must equal the connector name {:?}", self.name),
            ));
        }
        if let Some(tasks) = self.get(keys::TASKS_MAX) {
            let positive = !tasks.is_empty()
                && tasks.bytes().all(|b| b.is_ascii_digit())
                && tasks.parse::<u64>().is_ok_and(|n| n > 0);
            if !positive {
                return Err(Error::validation(
                    keys::TASKS_MAX,
                    tasks,
                    "must be a positive integer, e.g. \"1\"",
                ));
            }
        }
        if self.is_custom() {
            let plugin = self.get(keys::CUSTOM_PLUGIN_ID).unwrap_or("");
            if plugin.trim().is_empty() {
                return Err(Error::validation(
                    keys::CUSTOM_PLUGIN_ID,
                    plugin,
                    "a custom connector needs the id of its plugin (ccp-...)",
                ));
            }
        } else {
            let class = self.get(keys::CONNECTOR_CLASS).unwrap_or("");
            if class.trim().is_empty() {
                return Err(Error::validation(
                    keys::CONNECTOR_CLASS,
                    class,
                    "a managed connector needs its plugin name (e.g. S3_SINK); for a custom \
                     connector use ConnectorSpec::custom",
                ));
            }
        }
        Ok(())
    }

    /// The checked configuration, as sent by a `PUT .../config`.
    pub fn to_config(&self) -> Result<ConnectorConfig> {
        self.validate()?;
        Ok(ConnectorConfig(self.config.clone()))
    }

    /// The checked body of a connector creation.
    pub fn to_create_request(&self) -> Result<CreateConnectorRequest> {
        self.validate()?;
        Ok(CreateConnectorRequest {
            name: Some(self.name.clone()),
            config: Some(ConnectorConfig(self.config.clone())),
            offsets: self.offsets.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rules() {
        for ok in [
            "a",
            "S3_SINKConnector_0",
            "custom-datagen_0",
            "my connector",
            "données.ü",
            "名前-1",
            "e\u{301}", // e + combining acute accent (a mark)
            "a.b,c&d_e+f|g[h]i-j",
            "٣٤", // Arabic-Indic digits
            "...",
            ".a",
        ] {
            assert!(validate_connector_name(ok).is_ok(), "{ok:?}");
        }
        for bad in [
            "",
            "  ",
            "a/b",
            "a:b",
            "a\tb",
            "a#b",
            "a*b",
            "emoji🙂",
            "a\u{200b}b",
            ".",
            "..",
        ] {
            let err = validate_connector_name(bad).unwrap_err();
            assert!(err.is_validation(), "{bad:?}");
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
        assert!(validate_connector_name(&"é".repeat(64)).is_ok());
        let long = "é".repeat(65);
        let err = validate_connector_name(&long).unwrap_err();
        assert!(err.to_string().contains("65 characters"), "{err}");
    }

    #[test]
    fn request_types_built_from_a_spec_print_no_secret() {
        let spec = ConnectorSpec::managed("c1", "S3_SINK")
            .kafka_api_key("KAFKAKEY-visible-in-no-debug")
            .kafka_api_secret("kafka-secret-value")
            .set("aws.secret.access.key", "aws-secret-value")
            .set("topics", "orders");
        let shown = format!(
            "{:?} {:?} {:#?}",
            spec.to_config().unwrap(),
            spec.to_create_request().unwrap(),
            spec.to_config().unwrap()
        );
        for secret in ["kafka-secret-value", "aws-secret-value", "KAFKAKEY-visible"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(
            shown.contains("orders") && shown.contains(REDACTED),
            "{shown}"
        );
    }

    #[test]
    fn masks_and_sensitive_keys() {
        assert!(is_masked(MASKED_VALUE));
        assert!(is_masked("***"));
        assert!(!is_masked(""));
        assert!(!is_masked("a***"));
        assert!(is_sensitive_key("kafka.api.key"));
        assert!(is_sensitive_key("aws.secret.access.key"));
        assert!(!is_sensitive_key("key.converter"));
        assert!(!is_sensitive_key("kafka.topic"));
    }
}
