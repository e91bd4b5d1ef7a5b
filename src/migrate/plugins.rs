//! Which fully-managed plugin serves a self-managed connector class.

/// Self-managed connector classes and the fully-managed plugin that replaces each. A
/// class several managed plugins serve (Confluent's JDBC connectors, which become one
/// plugin per database) is left out, and so are those whose managed plugin comes in
/// versions with other offsets (Debezium's CDC sources, BigQuery): the caller names it.
const PLUGINS: &[(&str, &str)] = &[
    (
        "com.mongodb.kafka.connect.MongoSinkConnector",
        "MongoDbAtlasSink",
    ),
    (
        "com.mongodb.kafka.connect.MongoSourceConnector",
        "MongoDbAtlasSource",
    ),
    (
        "com.snowflake.kafka.connector.SnowflakeSinkConnector",
        "SnowflakeSink",
    ),
    (
        "io.confluent.connect.azure.blob.AzureBlobStorageSinkConnector",
        "AzureBlobSink",
    ),
    (
        "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector",
        "ElasticsearchSink",
    ),
    (
        "io.confluent.connect.gcp.pubsub.PubSubSourceConnector",
        "PubSubSource",
    ),
    ("io.confluent.connect.gcs.GcsSinkConnector", "GcsSink"),
    ("io.confluent.connect.http.HttpSinkConnector", "HttpSink"),
    ("io.confluent.connect.s3.S3SinkConnector", "S3_SINK"),
    (
        "io.confluent.kafka.connect.datagen.DatagenConnector",
        "DatagenSource",
    ),
];

/// The fully-managed plugin that replaces the self-managed connector class `class`, when
/// this crate knows one and only one: `io.confluent.connect.s3.S3SinkConnector` is
/// `S3_SINK`. `None` for other classes, and for those several managed plugins serve (the
/// JDBC connectors); [`Migration::plugin`](crate::migrate::Migration::plugin) names the
/// plugin then.
pub fn managed_plugin_for(class: &str) -> Option<&'static str> {
    let class = class.trim();
    PLUGINS
        .iter()
        .find(|(self_managed, _)| *self_managed == class)
        .map(|(_, managed)| *managed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_classes_map_and_ambiguous_ones_do_not() {
        assert_eq!(
            managed_plugin_for(" io.confluent.connect.s3.S3SinkConnector "),
            Some("S3_SINK")
        );
        assert_eq!(
            managed_plugin_for("io.confluent.connect.jdbc.JdbcSinkConnector"),
            None
        );
        assert!(PLUGINS.windows(2).all(|w| w[0].0 < w[1].0), "kept sorted");
    }
}
