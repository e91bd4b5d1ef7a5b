//! The configuration keys the service adds to a connector's configuration on every read,
//! and the internal ones: a read-modify-write must not send them back.
//!
//! Confluent's Terraform provider drops the same keys when it reads a connector (its
//! issues 307, 389 and 944 show what happens otherwise: perpetual diffs, and values the
//! service chose pinned by the client). [`ConnectorSpec::from_read`](crate::connect::ConnectorSpec::from_read)
//! leaves them out.

/// Keys the API adds to every connector's configuration when it is read: where the
/// connector runs and the endpoints of its cluster and Schema Registry, which the service
/// chooses. Sending one back pins the value.
pub const SERVER_ADDED_KEYS: &[&str] = &[
    "cloud.environment",
    "cloud.provider",
    "connector.crn",
    "kafka.endpoint",
    "kafka.region",
    "kafka.dedicated",
    "schema.registry.url",
    "valid.kafka.api.key",
    "confluent.custom.plugin.type",
    "confluent.resource.connector.tier",
    "kafka.max.partition.validation.disable",
];

/// The prefix of the service's internal keys (`config.internal.*`).
pub const INTERNAL_KEY_PREFIX: &str = "config.internal.";

/// Whether a configuration key is one the service adds or keeps for itself
/// ([`SERVER_ADDED_KEYS`] and any `config.internal.*` key): left out of a read-back and
/// never a change in a plan.
///
/// ```
/// use ccloud_connect::connect::is_server_added_key;
/// assert!(is_server_added_key("kafka.endpoint"));
/// assert!(is_server_added_key("config.internal.anything"));
/// assert!(!is_server_added_key("kafka.topic"));
/// ```
pub fn is_server_added_key(key: &str) -> bool {
    SERVER_ADDED_KEYS.contains(&key) || key.starts_with(INTERNAL_KEY_PREFIX)
}

/// Whether `key` of a connector is the service's to set: a [server-added
/// key](is_server_added_key), or `connector.class` of a custom connector (the API derives
/// it from the plugin and ignores what a request sends).
pub(crate) fn is_service_owned(key: &str, custom: bool) -> bool {
    is_server_added_key(key) || (custom && key == crate::connect::keys::CONNECTOR_CLASS)
}
