//! The kinds of Confluent resource id, told apart by their prefixes, so that an id given
//! where another kind belongs (`cluster("lkc-1", "env-1")`) is refused before anything is
//! sent instead of answering an empty list or a `404`.
//!
//! Only a value that carries the prefix of *another* known kind is refused: an id without
//! a prefix, or with one this crate does not know, is sent as it is, since Confluent may
//! add kinds (and the emulator and tests use free-form ids).

use crate::Error;

/// A kind of id that a parameter of the API takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IdKind {
    /// `env-...`
    Environment,
    /// `lkc-...`
    KafkaCluster,
    /// `ccp-...`: a custom connector plugin, of `connect/v1` or of `ccpm/v1`.
    CustomPlugin,
    /// `ver-...`: a version of a ccpm plugin.
    PluginVersion,
}

/// Prefixes Confluent uses, each with the kind it names, as a sentence fragment.
const KNOWN: &[(&str, &str)] = &[
    ("env-", "an environment id"),
    ("lkc-", "a Kafka cluster id"),
    ("lcc-", "a connector id (connectors are addressed by name)"),
    ("ccp-", "a custom connector plugin id"),
    ("ver-", "a plugin version id"),
    ("pkc-", "a physical Kafka cluster (bootstrap host) id"),
    ("lsrc-", "a Schema Registry cluster id"),
    ("lksqlc-", "a ksqlDB cluster id"),
    ("sa-", "a service account id"),
    ("pool-", "an identity pool id"),
];

impl IdKind {
    fn prefix(self) -> &'static str {
        match self {
            IdKind::Environment => "env-",
            IdKind::KafkaCluster => "lkc-",
            IdKind::CustomPlugin => "ccp-",
            IdKind::PluginVersion => "ver-",
        }
    }

    fn noun(self) -> &'static str {
        KNOWN
            .iter()
            .find(|(p, _)| *p == self.prefix())
            .map_or("an id", |(_, noun)| noun)
    }
}

/// Refuses `value` for the parameter `name`, which takes an id of `kind`, when it carries
/// the prefix of another known kind of id, naming both kinds.
pub(crate) fn check(name: &'static str, kind: IdKind, value: &str) -> Result<(), Error> {
    if value.starts_with(kind.prefix()) {
        return Ok(());
    }
    match KNOWN.iter().find(|(prefix, _)| value.starts_with(prefix)) {
        Some((prefix, noun)) => Err(Error::validation(
            name,
            value,
            format!(
                "takes {} ({}...), but this is {noun} ({prefix}...): are two ids swapped?",
                kind.noun(),
                kind.prefix(),
            ),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_kinds_prefix_is_refused_naming_both_kinds() {
        let err = check("environment_id", IdKind::Environment, "lkc-1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("environment_id"), "{err}");
        assert!(err.contains("an environment id (env-...)"), "{err}");
        assert!(err.contains("a Kafka cluster id (lkc-...)"), "{err}");
        let err = check("id", IdKind::CustomPlugin, "env-1")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("custom connector plugin id (ccp-...)"),
            "{err}"
        );
        assert!(err.contains("an environment id (env-...)"), "{err}");
        assert!(check("id", IdKind::PluginVersion, "ccp-1").is_err());
        assert!(check("kafka_cluster_id", IdKind::KafkaCluster, "pkc-1").is_err());
    }

    #[test]
    fn own_unknown_and_missing_prefixes_are_sent() {
        for (kind, value) in [
            (IdKind::Environment, "env-abc123"),
            (IdKind::KafkaCluster, "lkc-1"),
            (IdKind::CustomPlugin, "ccp-lq5m06"),
            (IdKind::PluginVersion, "ver-12345"),
            // Kinds Confluent may add later, and ids without a prefix.
            (IdKind::Environment, "newkind-1"),
            (IdKind::KafkaCluster, "cluster-one"),
            (IdKind::CustomPlugin, "12345"),
            // A prefix is a whole word: `envy` is not `env-`.
            (IdKind::KafkaCluster, "envy"),
        ] {
            assert!(
                check("p", kind, value).is_ok(),
                "{value} refused as {kind:?}"
            );
        }
    }
}
