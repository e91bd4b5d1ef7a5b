//! How the emulator translates a self-managed Kafka Connect configuration into the
//! configuration of one of its managed plugins (`.../config/translate`). Confluent does
//! not publish its translation rules; these are the emulator's, documented in the crate
//! docs under **Where the emulator guesses**. Above the catalogue, below the endpoints.

use std::collections::BTreeMap;

use crate::state::catalog::{MASK, ManagedPlugin, is_sensitive_key};

/// A translation: the managed configuration and the findings, each `(key, message)`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Translated {
    pub(crate) config: BTreeMap<String, String>,
    pub(crate) warnings: Vec<(String, String)>,
    pub(crate) errors: Vec<(String, String)>,
}

/// Keys a fully-managed connector takes as a self-managed one does, beyond the plugin's
/// own: single message transforms and their predicates.
fn passes_through(key: &str) -> bool {
    ["transforms", "predicates"]
        .iter()
        .any(|p| key == *p || key.strip_prefix(p).is_some_and(|r| r.starts_with('.')))
}

/// The data format a converter or storage format class stands for.
fn data_format(class: &str) -> Option<&'static str> {
    let short = class.rsplit('.').next().unwrap_or(class);
    Some(match short {
        "AvroConverter" | "AvroFormat" => "AVRO",
        "JsonSchemaConverter" => "JSON_SR",
        "ProtobufConverter" => "PROTOBUF",
        "JsonConverter" | "JsonFormat" => "JSON",
        "StringConverter" => "STRING",
        "ByteArrayConverter" | "ByteArrayFormat" => "BYTES",
        "ParquetFormat" => "PARQUET",
        _ => return None,
    })
}

/// Whether a value names a Kafka Connect config provider (`${file:/path:key}`), which
/// only the self-managed worker can resolve.
fn provider_reference(value: &str) -> bool {
    value
        .find("${")
        .is_some_and(|i| value[i + 2..].contains(':') && value[i..].contains('}'))
}

/// Translates `input` for `plugin`; with `mask`, secret values come back masked.
pub(crate) fn translate(
    plugin: &ManagedPlugin,
    input: &BTreeMap<String, String>,
    mask: bool,
) -> Translated {
    let mut out = Translated::default();
    let sink = plugin.type_ == "sink";
    // The managed key a data format goes to: what the plugin reads, per direction.
    let format_key =
        |candidates: &[&'static str]| candidates.iter().copied().find(|k| plugin.defines(k));
    let partition_ms = input.get("partition.duration.ms").map(String::as_str);
    for (key, value) in input {
        let warn = |out: &mut Translated, message: String| {
            out.warnings.push((key.clone(), message));
        };
        if provider_reference(value) {
            out.errors.push((
                key.clone(),
                format!(
                    "{value} references a config provider, which Confluent Cloud cannot \
                     resolve: set the value itself"
                ),
            ));
            continue;
        }
        match key.as_str() {
            "connector.class" => {
                if value.trim() != plugin.java_class && value.trim() != plugin.class {
                    out.errors.push((
                        key.clone(),
                        format!(
                            "{value} is not the self-managed class of {} ({})",
                            plugin.class, plugin.java_class
                        ),
                    ));
                }
            }
            "format.class" | "value.converter" => {
                let target = if key == "format.class" {
                    format_key(&["output.data.format", "data.format"])
                } else if sink {
                    format_key(&["input.data.format", "data.format"])
                } else {
                    format_key(&["output.data.format"])
                };
                match (target, data_format(value)) {
                    (Some(target), Some(format)) if !input.contains_key(target) => {
                        out.config.insert(target.to_owned(), format.to_owned());
                        warn(&mut out, format!("translated to {target}={format}"));
                    }
                    (Some(target), Some(_)) => warn(
                        &mut out,
                        format!("dropped: the configuration sets {target} itself"),
                    ),
                    (Some(target), None) => out.errors.push((
                        key.clone(),
                        format!("{value} has no equivalent among the values of {target}"),
                    )),
                    (None, _) => warn(
                        &mut out,
                        format!("dropped: {} takes no data format", plugin.class),
                    ),
                }
            }
            "partitioner.class" => {
                let short = value.rsplit('.').next().unwrap_or(value);
                match (short, partition_ms) {
                    ("DefaultPartitioner", _) => warn(
                        &mut out,
                        "dropped: fully-managed connectors partition by Kafka partition by default"
                            .to_owned(),
                    ),
                    ("TimeBasedPartitioner", Some(ms)) if plugin.defines("time.interval") => {
                        let interval = match ms.trim() {
                            "3600000" => Some("HOURLY"),
                            "86400000" => Some("DAILY"),
                            _ => None,
                        };
                        match interval {
                            Some(i) => {
                                out.config.insert("time.interval".to_owned(), i.to_owned());
                                warn(&mut out, format!("translated to time.interval={i}"));
                            }
                            None => out.errors.push((
                                key.clone(),
                                format!(
                                    "partition.duration.ms={ms} is neither an hour nor a day, \
                                     the only time.interval values"
                                ),
                            )),
                        }
                    }
                    _ => out.errors.push((
                        key.clone(),
                        format!("{value} is not supported by fully-managed connectors"),
                    )),
                }
            }
            "partition.duration.ms" => {}
            k if k == "name" || plugin.defines(k) || passes_through(k) => {
                out.config.insert(key.clone(), value.clone());
            }
            k if k.starts_with("key.converter")
                || k.starts_with("value.converter.")
                || k.starts_with("header.converter") =>
            {
                warn(
                    &mut out,
                    "dropped: converters are set by Confluent Cloud (the environment's Schema \
                     Registry)"
                        .to_owned(),
                );
            }
            k if [
                "consumer.override.",
                "producer.override.",
                "admin.override.",
            ]
            .iter()
            .any(|p| k.starts_with(p)) =>
            {
                warn(
                    &mut out,
                    "dropped: client overrides are not configurable on fully-managed connectors"
                        .to_owned(),
                );
            }
            _ => warn(
                &mut out,
                format!(
                    "dropped: not a property of the fully-managed {} plugin",
                    plugin.class
                ),
            ),
        }
    }
    out.config
        .insert("connector.class".to_owned(), plugin.class.clone());
    if mask {
        let passwords = plugin.password_keys();
        for (k, v) in out.config.iter_mut() {
            if is_sensitive_key(k) || passwords.contains(k) {
                *v = MASK.to_owned();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::catalog::find;

    fn config(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn an_s3_sink_translates_with_warnings_for_what_it_drops() {
        let s3 = find("S3_SINK").unwrap();
        let t = translate(
            s3,
            &config(&[
                ("name", "orders-to-s3"),
                ("connector.class", "io.confluent.connect.s3.S3SinkConnector"),
                ("topics", "orders"),
                ("tasks.max", "2"),
                ("s3.bucket.name", "bucket"),
                ("aws.secret.access.key", "s3cr3t"),
                (
                    "format.class",
                    "io.confluent.connect.s3.format.json.JsonFormat",
                ),
                ("value.converter", "io.confluent.connect.avro.AvroConverter"),
                ("value.converter.schema.registry.url", "http://sr:8081"),
                ("storage.class", "io.confluent.connect.s3.storage.S3Storage"),
                (
                    "partitioner.class",
                    "io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
                ),
                ("partition.duration.ms", "3600000"),
                ("flush.size", "1000"),
            ]),
            false,
        );
        assert_eq!(t.config["connector.class"], "S3_SINK");
        assert_eq!(t.config["output.data.format"], "JSON");
        assert_eq!(t.config["input.data.format"], "AVRO");
        assert_eq!(t.config["time.interval"], "HOURLY");
        assert_eq!(t.config["aws.secret.access.key"], "s3cr3t");
        assert_eq!(t.config["tasks.max"], "2");
        assert!(!t.config.contains_key("storage.class"));
        assert!(t.errors.is_empty(), "{:?}", t.errors);
        let warned: Vec<&str> = t.warnings.iter().map(|(k, _)| k.as_str()).collect();
        assert!(warned.contains(&"storage.class"), "{warned:?}");
        assert!(warned.contains(&"value.converter.schema.registry.url"));

        let masked = translate(s3, &config(&[("aws.secret.access.key", "s3cr3t")]), true);
        assert_eq!(masked.config["aws.secret.access.key"], MASK);
    }

    #[test]
    fn what_cannot_be_carried_over_is_an_error() {
        let s3 = find("S3_SINK").unwrap();
        let t = translate(
            s3,
            &config(&[
                (
                    "connector.class",
                    "io.confluent.connect.gcs.GcsSinkConnector",
                ),
                (
                    "aws.secret.access.key",
                    "${file:/etc/secrets.properties:aws}",
                ),
                ("partitioner.class", "com.example.MyPartitioner"),
                ("format.class", "com.example.MyFormat"),
            ]),
            false,
        );
        let keys: Vec<&str> = t.errors.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "aws.secret.access.key",
                "connector.class",
                "format.class",
                "partitioner.class"
            ]
        );
        assert!(!t.config.contains_key("aws.secret.access.key"));
    }
}
