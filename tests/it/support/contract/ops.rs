//! One call per operation of every API through the public facades, with the caller-supplied
//! string parameters (path parameters and string query parameters) passed in, so tables of
//! tests (contract, hostile input, credentials) can drive every operation the same way.
//! Request bodies are the spec's own samples ([`super::sample_request`]).

use std::num::NonZeroU32;

use ccloud_connect::{Client, Result};
use futures::future::BoxFuture;
use serde::de::DeserializeOwned;

/// Where a caller-supplied parameter travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loc {
    Path,
    Query,
}

/// One operation, callable with its string parameters in [`Op::params`] order.
pub struct Op {
    /// `connect`, `ccpm` or `cam`.
    pub api: &'static str,
    /// The operationId.
    pub id: &'static str,
    /// The caller-supplied string parameters, in call order.
    pub params: &'static [(&'static str, Loc)],
    /// Sends the request; the decoded answer is dropped.
    pub call: fn(Client, Vec<String>) -> BoxFuture<'static, Result<()>>,
}

impl Op {
    /// Calls the operation with `values` for [`Op::params`].
    pub fn call(&self, client: &Client, values: Vec<String>) -> BoxFuture<'static, Result<()>> {
        assert_eq!(
            values.len(),
            self.params.len(),
            "{}: wrong number of values",
            self.id
        );
        (self.call)(client.clone(), values)
    }

    /// Calls the operation with plain values for every parameter.
    pub fn call_plain(&self, client: &Client) -> BoxFuture<'static, Result<()>> {
        self.call(
            client,
            self.params.iter().map(|(n, _)| plain_value(n)).collect(),
        )
    }
}

/// The value [`Op::call_plain`] sends for a parameter.
pub fn plain_value(name: &str) -> String {
    match name {
        "environment_id" | "environment" => "env-123".into(),
        "kafka_cluster_id" => "lkc-456".into(),
        "connector_name" => "pg-sink".into(),
        "plugin_name" => "DatagenSource".into(),
        "plugin_id" => "ccp-789".into(),
        // Without a prefix: the same name is a plugin id on one path and a version id on
        // another, and an id of the wrong kind is refused before sending.
        "id" => "id-1".into(),
        "expand" => "info,status,id".into(),
        "cloud" | "spec.cloud" => "AWS".into(),
        "page_token" => "tok-1".into(),
        other => format!("{other}-value"),
    }
}

/// The page size every list call sends.
pub const PAGE_SIZE: NonZeroU32 = NonZeroU32::new(10).unwrap();

/// A typed request body from the spec's sample for operation `id`.
pub fn body<T: DeserializeOwned>(api: &str, id: &str) -> T {
    let sample = super::sample_request(api, id);
    serde_json::from_value(sample.clone())
        .unwrap_or_else(|e| panic!("the sample body of {id} does not decode: {e}\n{sample}"))
}

macro_rules! op {
    ($api:ident $id:ident [$($p:literal $loc:ident),*] |$c:ident, $v:ident| $call:expr) => {
        Op {
            api: stringify!($api),
            id: stringify!($id),
            params: &[$(($p, Loc::$loc)),*],
            call: |$c, $v| {
                Box::pin(async move {
                    // Moved in, so the future owns the values it borrows; an operation
                    // without parameters names it `_v`.
                    let $v = $v;
                    $call.await.map(drop)
                })
            },
        }
    };
}

/// Every operation of every API, in the order of `ConnectApi::OPERATIONS`,
/// `CcpmApi::OPERATIONS` and `CamApi::OPERATIONS`.
pub fn all() -> Vec<Op> {
    use ccloud_connect::{cam, ccpm, connect};
    vec![
        // ---- connect/v1
        op!(connect list_connectors ["environment_id" Path, "kafka_cluster_id" Path, "expand" Query]
            |c, v| c.connect().raw().list_connectors(&v[0], &v[1], Some(&v[2]))),
        op!(connect create_connector ["environment_id" Path, "kafka_cluster_id" Path]
            |c, v| c.connect().raw().create_connector(&v[0], &v[1], &body::<connect::CreateConnectorRequest>("connect", "create_connector"))),
        op!(connect get_connector ["environment_id" Path, "kafka_cluster_id" Path, "connector_name" Path]
            |c, v| c.connect().raw().get_connector(&v[0], &v[1], &v[2])),
        op!(connect delete_connector ["environment_id" Path, "kafka_cluster_id" Path, "connector_name" Path]
            |c, v| c.connect().raw().delete_connector(&v[0], &v[1], &v[2])),
        op!(connect get_connector_config ["environment_id" Path, "kafka_cluster_id" Path, "connector_name" Path]
            |c, v| c.connect().raw().get_connector_config(&v[0], &v[1], &v[2])),
        op!(connect put_connector_config ["environment_id" Path, "kafka_cluster_id" Path, "connector_name" Path]
            |c, v| c.connect().raw().put_connector_config(&v[0], &v[1], &v[2], &body::<connect::ConnectorConfig>("connect", "put_connector_config"))),
        op!(connect pause_connector ["environment_id" Path, "kafka_cluster_id" Path, "connector_name" Path]
            |c, v| c.connect().raw().pause_connector(&v[0], &v[1], &v[2])),
        op!(connect resume_connector ["environment_id" Path, "kafka_cluster_id" Path, "connector_name" Path]
            |c, v| c.connect().raw().resume_connector(&v[0], &v[1], &v[2])),
        op!(connect restart_connector ["environment_id" Path, "kafka_cluster_id" Path, "connector_name" Path]
            |c, v| c.connect().raw().restart_connector(&v[0], &v[1], &v[2])),
        op!(connect get_connector_status ["environment_id" Path, "kafka_cluster_id" Path, "connector_name" Path]
            |c, v| c.connect().raw().get_connector_status(&v[0], &v[1], &v[2])),
        op!(connect list_connector_tasks ["environment_id" Path, "kafka_cluster_id" Path, "connector_name" Path]
            |c, v| c.connect().raw().list_connector_tasks(&v[0], &v[1], &v[2])),
        op!(connect list_connector_plugins ["environment_id" Path, "kafka_cluster_id" Path]
            |c, v| c.connect().raw().list_connector_plugins(&v[0], &v[1])),
        op!(connect validate_connector_plugin_config ["environment_id" Path, "kafka_cluster_id" Path, "plugin_name" Path]
            |c, v| c.connect().raw().validate_connector_plugin_config(&v[0], &v[1], &v[2], &body::<connect::ConnectorConfig>("connect", "validate_connector_plugin_config"))),
        op!(connect translate_connector_plugin_config ["environment_id" Path, "kafka_cluster_id" Path, "plugin_name" Path]
            |c, v| c.connect().raw().translate_connector_plugin_config(&v[0], &v[1], &v[2], Some(true), &body::<connect::ConnectorConfig>("connect", "translate_connector_plugin_config"))),
        op!(connect get_connector_offsets ["environment_id" Path, "kafka_cluster_id" Path, "connector_name" Path]
            |c, v| c.connect().raw().get_connector_offsets(&v[0], &v[1], &v[2])),
        op!(connect alter_connector_offsets ["environment_id" Path, "kafka_cluster_id" Path, "connector_name" Path]
            |c, v| c.connect().raw().alter_connector_offsets(&v[0], &v[1], &v[2], &body::<connect::AlterOffsetsRequest>("connect", "alter_connector_offsets"))),
        op!(connect get_connector_offsets_request_status ["environment_id" Path, "kafka_cluster_id" Path, "connector_name" Path]
            |c, v| c.connect().raw().get_connector_offsets_request_status(&v[0], &v[1], &v[2])),
        op!(connect list_custom_connector_plugins ["cloud" Query, "page_token" Query]
            |c, v| c.connect().raw().list_custom_connector_plugins(Some(&v[0]), Some(PAGE_SIZE), Some(&v[1]))),
        op!(connect create_custom_connector_plugin []
            |c, _v| c.connect().raw().create_custom_connector_plugin(&body::<connect::CustomConnectorPlugin>("connect", "create_custom_connector_plugin"))),
        op!(connect get_custom_connector_plugin ["id" Path]
            |c, v| c.connect().raw().get_custom_connector_plugin(&v[0])),
        op!(connect delete_custom_connector_plugin ["id" Path]
            |c, v| c.connect().raw().delete_custom_connector_plugin(&v[0])),
        op!(connect update_custom_connector_plugin ["id" Path]
            |c, v| c.connect().raw().update_custom_connector_plugin(&v[0], &body::<connect::CustomConnectorPluginUpdate>("connect", "update_custom_connector_plugin"))),
        op!(connect create_presigned_upload_url []
            |c, _v| c.connect().raw().create_presigned_upload_url(&body::<connect::PresignedUrlRequest>("connect", "create_presigned_upload_url"))),
        op!(connect list_custom_connector_runtimes ["page_token" Query]
            |c, v| c.connect().raw().list_custom_connector_runtimes(Some(PAGE_SIZE), Some(&v[0]))),
        // ---- ccpm/v1
        op!(ccpm list_plugins ["environment" Query, "page_token" Query, "spec.cloud" Query]
            |c, v| c.ccpm().raw().list_plugins(&v[0], Some(PAGE_SIZE), Some(&v[1]), Some(&v[2]))),
        op!(ccpm create_plugin []
            |c, _v| c.ccpm().raw().create_plugin(&body::<ccpm::Plugin>("ccpm", "create_plugin"))),
        op!(ccpm get_plugin ["id" Path, "environment" Query]
            |c, v| c.ccpm().raw().get_plugin(&v[0], &v[1])),
        op!(ccpm delete_plugin ["id" Path, "environment" Query]
            |c, v| c.ccpm().raw().delete_plugin(&v[0], &v[1])),
        op!(ccpm update_plugin ["id" Path]
            |c, v| c.ccpm().raw().update_plugin(&v[0], &body::<ccpm::PluginUpdate>("ccpm", "update_plugin"))),
        op!(ccpm create_presigned_upload_url []
            |c, _v| c.ccpm().raw().create_presigned_upload_url(&body::<ccpm::PresignedUrlRequest>("ccpm", "create_presigned_upload_url"))),
        op!(ccpm list_plugin_versions ["plugin_id" Path, "environment" Query, "page_token" Query]
            |c, v| c.ccpm().raw().list_plugin_versions(&v[0], &v[1], Some(PAGE_SIZE), Some(&v[2]))),
        op!(ccpm create_plugin_version ["plugin_id" Path]
            |c, v| c.ccpm().raw().create_plugin_version(&v[0], &body::<ccpm::PluginVersion>("ccpm", "create_plugin_version"))),
        op!(ccpm get_plugin_version ["plugin_id" Path, "id" Path, "environment" Query]
            |c, v| c.ccpm().raw().get_plugin_version(&v[0], &v[1], &v[2])),
        op!(ccpm delete_plugin_version ["plugin_id" Path, "id" Path, "environment" Query]
            |c, v| c.ccpm().raw().delete_plugin_version(&v[0], &v[1], &v[2])),
        // ---- cam/v1
        op!(cam list_artifacts ["environment" Query, "page_token" Query, "spec.cloud" Query]
            |c, v| c.cam().raw().list_artifacts(&v[0], Some(PAGE_SIZE), Some(&v[1]), &v[2])),
        op!(cam create_artifact ["environment" Query, "spec.cloud" Query]
            |c, v| c.cam().raw().create_artifact(&v[0], &v[1], &body::<cam::ConnectArtifact>("cam", "create_artifact"))),
        op!(cam get_artifact ["id" Path, "environment" Query, "spec.cloud" Query]
            |c, v| c.cam().raw().get_artifact(&v[0], &v[1], &v[2])),
        op!(cam delete_artifact ["id" Path, "environment" Query, "spec.cloud" Query]
            |c, v| c.cam().raw().delete_artifact(&v[0], &v[1], &v[2])),
        op!(cam create_presigned_upload_url []
            |c, _v| c.cam().raw().create_presigned_upload_url(&body::<cam::PresignedUrlRequest>("cam", "create_presigned_upload_url"))),
    ]
}
