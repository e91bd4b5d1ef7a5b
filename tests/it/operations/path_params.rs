//! Path parameters: one percent-encoded segment each, or refused before sending.
//!
//! httpmock's `path` matcher compares the request target as it arrived, before any
//! percent-decoding, so an expected path with `%2F` in it only matches a `%2F` on the wire.

use ccloud_connect::connect::ConnectorConfig;

use super::*;

/// Every kind of path parameter the APIs have, each reached through one operation (the
/// plugin name through both operations that take it).
#[derive(Clone, Copy, Debug)]
enum Param {
    Environment,
    Cluster,
    Connector,
    PluginName,
    TranslatePluginName,
    CustomPluginId,
    CcpmPluginId,
    CcpmVersionId,
    CamArtifactId,
}

impl Param {
    const ALL: [Param; 9] = [
        Param::Environment,
        Param::Cluster,
        Param::Connector,
        Param::PluginName,
        Param::TranslatePluginName,
        Param::CustomPluginId,
        Param::CcpmPluginId,
        Param::CcpmVersionId,
        Param::CamArtifactId,
    ];

    /// The name a validation error gives the parameter.
    fn field(self) -> &'static str {
        match self {
            Param::Environment => "environment_id",
            Param::Cluster => "kafka_cluster_id",
            Param::Connector => "connector_name",
            Param::PluginName | Param::TranslatePluginName => "plugin_name",
            Param::CustomPluginId | Param::CcpmVersionId | Param::CamArtifactId => "id",
            Param::CcpmPluginId => "plugin_id",
        }
    }

    /// The path the server must see when the parameter travels as `segment`.
    fn path(self, segment: &str) -> String {
        match self {
            Param::Environment => {
                format!(
                    "/connect/v1/environments/{segment}/clusters/{CLUSTER}/connectors/{CONNECTOR}/status"
                )
            }
            Param::Cluster => {
                format!(
                    "/connect/v1/environments/{ENV}/clusters/{segment}/connectors/{CONNECTOR}/status"
                )
            }
            Param::Connector => cluster_path(&format!("/connectors/{segment}/status")),
            Param::PluginName => {
                cluster_path(&format!("/connector-plugins/{segment}/config/validate"))
            }
            Param::TranslatePluginName => {
                cluster_path(&format!("/connector-plugins/{segment}/config/translate"))
            }
            Param::CustomPluginId => format!("/connect/v1/custom-connector-plugins/{segment}"),
            Param::CcpmPluginId => format!("/ccpm/v1/plugins/{segment}/versions/ver-1"),
            Param::CcpmVersionId => format!("/ccpm/v1/plugins/ccp-1/versions/{segment}"),
            Param::CamArtifactId => format!("/cam/v1/connect-artifacts/{segment}"),
        }
    }

    /// Calls the operation with `value` in this parameter's place.
    async fn call(self, client: &Client, value: &str) -> Result<(), Error> {
        let connect = client.connect();
        let ccpm = client.ccpm();
        let cam = client.cam();
        match self {
            Param::Environment => connect
                .raw()
                .get_connector_status(value, CLUSTER, CONNECTOR)
                .await
                .map(drop),
            Param::Cluster => connect
                .raw()
                .get_connector_status(ENV, value, CONNECTOR)
                .await
                .map(drop),
            Param::Connector => connect
                .raw()
                .get_connector_status(ENV, CLUSTER, value)
                .await
                .map(drop),
            Param::PluginName => connect
                .raw()
                .validate_connector_plugin_config(
                    ENV,
                    CLUSTER,
                    value,
                    &ConnectorConfig(BTreeMap::new()),
                )
                .await
                .map(drop),
            Param::TranslatePluginName => connect
                .raw()
                .translate_connector_plugin_config(
                    ENV,
                    CLUSTER,
                    value,
                    None,
                    &ConnectorConfig(BTreeMap::new()),
                )
                .await
                .map(drop),
            Param::CustomPluginId => connect
                .raw()
                .get_custom_connector_plugin(value)
                .await
                .map(drop),
            Param::CcpmPluginId => ccpm
                .raw()
                .get_plugin_version(value, "ver-1", ENV)
                .await
                .map(drop),
            Param::CcpmVersionId => ccpm
                .raw()
                .get_plugin_version("ccp-1", value, ENV)
                .await
                .map(drop),
            Param::CamArtifactId => cam.raw().get_artifact(value, ENV, "AWS").await.map(drop),
        }
    }

    /// A minimal success answer of the operation.
    fn answer(self) -> Value {
        match self {
            Param::Environment | Param::Cluster | Param::Connector => {
                json!({"name": "n", "connector": {"state": "RUNNING"}})
            }
            Param::PluginName => json!({"error_count": 0}),
            Param::TranslatePluginName => json!({"config": {}, "warnings": [], "errors": []}),
            Param::CustomPluginId => json!({
                "display_name": "d", "connector_class": "c", "connector_type": "SINK"
            }),
            Param::CcpmPluginId | Param::CcpmVersionId => json!({"spec": {
                "version": "1.0.0",
                "connector_classes": [{"class_name": "c", "type": "SINK"}],
                "upload_source": {"location": "PRESIGNED_URL_LOCATION", "upload_id": ""},
                "environment": {"id": ENV}
            }}),
            Param::CamArtifactId => json!({"spec": {
                "cloud": "AWS", "environment": ENV, "display_name": "d"
            }}),
        }
    }

    fn method(self) -> Method {
        match self {
            Param::PluginName | Param::TranslatePluginName => Method::PUT,
            _ => Method::GET,
        }
    }

    /// The query `call` sends: ccpm names the environment in every read, cam also the cloud.
    fn query(self) -> Query {
        match self {
            Param::CcpmPluginId | Param::CcpmVersionId => &[("environment", ENV)],
            Param::CamArtifactId => &[("environment", ENV), ("spec.cloud", "AWS")],
            _ => &[],
        }
    }

    /// The request body `call` sends.
    fn body(self) -> Option<Value> {
        matches!(self, Param::PluginName | Param::TranslatePluginName).then(|| json!({}))
    }
}

/// Values that must arrive as exactly one path segment, and that segment as sent.
/// The expected encodings are written out by hand (UTF-8 bytes, upper-case hex).
fn segments() -> Vec<(String, String)> {
    let mut cases: Vec<(String, String)> = [
        ("a/b?c#d%e f..g", "a%2Fb%3Fc%23d%25e%20f..g"),
        ("çé日本", "%C3%A7%C3%A9%E6%97%A5%E6%9C%AC"),
        (
            "a/b?c#d%e f..g çé日本",
            "a%2Fb%3Fc%23d%25e%20f..g%20%C3%A7%C3%A9%E6%97%A5%E6%9C%AC",
        ),
        ("../x", "..%2Fx"),
        ("x/..", "x%2F.."),
        ("...", "..."),
        (" ", "%20"),
        // Already-encoded text is data, not an escape: `%2e%2e` must not become `..`.
        ("%2e%2e", "%252e%252e"),
        ("%2F", "%252F"),
        ("a+b=c&d;e", "a+b=c&d;e"),
        ("<{\"`}>", "%3C%7B%22%60%7D%3E"),
    ]
    .into_iter()
    .map(|(value, segment)| (value.to_owned(), segment.to_owned()))
    .collect();
    // The longest value accepted.
    cases.push(("x".repeat(1024), "x".repeat(1024)));
    cases
}

#[tokio::test]
async fn every_path_parameter_travels_as_one_encoded_segment() {
    let server = MockServer::start_async().await;
    let client = builder(&server).build().unwrap();
    let mut failures = Vec::new();
    for param in Param::ALL {
        for (value, segment) in segments() {
            let path = param.path(&segment);
            let mock = server
                .mock_async(|when, then| {
                    expect(when, param.method(), &path, param.query(), param.body());
                    then.status(200).json_body(param.answer());
                })
                .await;
            let result = param.call(&client, &value).await;
            if mock.calls_async().await != 1 || result.is_err() {
                failures.push(format!(
                    "{param:?} {value:?}: expected path {path}, result {result:?}"
                ));
            }
            mock.delete_async().await;
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Values that would change the request path, or cannot be an id at all.
fn refused() -> Vec<String> {
    let mut values: Vec<String> = [
        "",
        ".",
        "..",
        "a\nb",
        "\r",
        "tab\there",
        "nul\0",
        "del\u{7f}",
        "c1\u{85}",
        // WHATWG URL parsing reads a backslash as `/` in http(s) URLs.
        "a\\b",
        "..\\..",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    values.push("x".repeat(1025));
    values
}

#[tokio::test]
async fn unsafe_values_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|_, then| {
            then.status(418);
        })
        .await;
    let client = builder(&server).build().unwrap();
    for param in Param::ALL {
        for value in refused() {
            let err = param
                .call(&client, &value)
                .await
                .expect_err(&format!("{param:?} {value:?} must be refused"));
            assert!(err.is_validation(), "{param:?} {value:?}: {err:?}");
            match &err {
                Error::Validation { field, .. } => {
                    assert_eq!(field, param.field(), "{param:?} {value:?}")
                }
                other => panic!("{param:?} {value:?}: not a validation error: {other:?}"),
            }
        }
    }
    assert_eq!(
        anything.calls_async().await,
        0,
        "a refused request reached the server"
    );
}
