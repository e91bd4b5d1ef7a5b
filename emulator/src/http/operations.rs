//! The API's operations by the `operationId` of the published specs, with their method
//! and path template, so a fault can name the operation it breaks. A leaf.

use axum::http::Method;

/// One operation of the API: its `operationId`, method and path template (`{...}`
/// segments match any one segment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Operation {
    pub(crate) id: &'static str,
    pub(crate) method: &'static str,
    pub(crate) template: &'static str,
}

macro_rules! op {
    ($id:literal, $method:literal, cluster $suffix:literal) => {
        Operation {
            id: $id,
            method: $method,
            template: cluster_path!($suffix),
        }
    };
    ($id:literal, $method:literal, $template:literal) => {
        Operation {
            id: $id,
            method: $method,
            template: $template,
        }
    };
}

/// The connect/v1 cluster path followed by a suffix, as a literal (`concat!` takes literals only).
macro_rules! cluster_path {
    ($suffix:literal) => {
        concat!(
            "/connect/v1/environments/{environment_id}/clusters/{kafka_cluster_id}",
            $suffix
        )
    };
}

/// Every operation of `openapi/connect-v1.yaml`, `openapi/ccpm-v1.yaml` and
/// `openapi/cam-v1.yaml`. The three APIs all call their presigned-URL operation
/// `create_presigned_upload_url`: that id names all three (narrow it with a path filter).
pub(crate) const OPERATIONS: &[Operation] = &[
    op!("list_artifacts", "GET", "/cam/v1/connect-artifacts"),
    op!("create_artifact", "POST", "/cam/v1/connect-artifacts"),
    op!("get_artifact", "GET", "/cam/v1/connect-artifacts/{id}"),
    op!(
        "delete_artifact",
        "DELETE",
        "/cam/v1/connect-artifacts/{id}"
    ),
    op!(
        "create_presigned_upload_url",
        "POST",
        "/cam/v1/presigned-upload-url"
    ),
    op!("list_connectors", "GET", cluster "/connectors"),
    op!("create_connector", "POST", cluster "/connectors"),
    op!("get_connector", "GET", cluster "/connectors/{connector_name}"),
    op!("delete_connector", "DELETE", cluster "/connectors/{connector_name}"),
    op!("get_connector_config", "GET", cluster "/connectors/{connector_name}/config"),
    op!("put_connector_config", "PUT", cluster "/connectors/{connector_name}/config"),
    op!("pause_connector", "PUT", cluster "/connectors/{connector_name}/pause"),
    op!("resume_connector", "PUT", cluster "/connectors/{connector_name}/resume"),
    op!("restart_connector", "POST", cluster "/connectors/{connector_name}/restart"),
    op!("get_connector_status", "GET", cluster "/connectors/{connector_name}/status"),
    op!("list_connector_tasks", "GET", cluster "/connectors/{connector_name}/tasks"),
    op!("list_connector_plugins", "GET", cluster "/connector-plugins"),
    op!(
        "validate_connector_plugin_config",
        "PUT",
        cluster "/connector-plugins/{plugin_name}/config/validate"
    ),
    op!(
        "translate_connector_plugin_config",
        "PUT",
        cluster "/connector-plugins/{plugin_name}/config/translate"
    ),
    op!("get_connector_offsets", "GET", cluster "/connectors/{connector_name}/offsets"),
    op!(
        "alter_connector_offsets",
        "POST",
        cluster "/connectors/{connector_name}/offsets/request"
    ),
    op!(
        "get_connector_offsets_request_status",
        "GET",
        cluster "/connectors/{connector_name}/offsets/request/status"
    ),
    op!(
        "list_custom_connector_plugins",
        "GET",
        "/connect/v1/custom-connector-plugins"
    ),
    op!(
        "create_custom_connector_plugin",
        "POST",
        "/connect/v1/custom-connector-plugins"
    ),
    op!(
        "get_custom_connector_plugin",
        "GET",
        "/connect/v1/custom-connector-plugins/{id}"
    ),
    op!(
        "update_custom_connector_plugin",
        "PATCH",
        "/connect/v1/custom-connector-plugins/{id}"
    ),
    op!(
        "delete_custom_connector_plugin",
        "DELETE",
        "/connect/v1/custom-connector-plugins/{id}"
    ),
    op!(
        "create_presigned_upload_url",
        "POST",
        "/connect/v1/presigned-upload-url"
    ),
    op!(
        "list_custom_connector_runtimes",
        "GET",
        "/connect/v1/custom-connector-runtimes"
    ),
    op!("list_plugins", "GET", "/ccpm/v1/plugins"),
    op!("create_plugin", "POST", "/ccpm/v1/plugins"),
    op!("get_plugin", "GET", "/ccpm/v1/plugins/{id}"),
    op!("update_plugin", "PATCH", "/ccpm/v1/plugins/{id}"),
    op!("delete_plugin", "DELETE", "/ccpm/v1/plugins/{id}"),
    op!(
        "create_presigned_upload_url",
        "POST",
        "/ccpm/v1/presigned-upload-url"
    ),
    op!(
        "list_plugin_versions",
        "GET",
        "/ccpm/v1/plugins/{plugin_id}/versions"
    ),
    op!(
        "create_plugin_version",
        "POST",
        "/ccpm/v1/plugins/{plugin_id}/versions"
    ),
    op!(
        "get_plugin_version",
        "GET",
        "/ccpm/v1/plugins/{plugin_id}/versions/{id}"
    ),
    op!(
        "delete_plugin_version",
        "DELETE",
        "/ccpm/v1/plugins/{plugin_id}/versions/{id}"
    ),
];

/// The operations with this id (two for `create_presigned_upload_url`, none for an id
/// the API does not have).
pub(crate) fn named(id: &str) -> Vec<Operation> {
    OPERATIONS.iter().copied().filter(|o| o.id == id).collect()
}

/// Whether `path` fits `template`: the same segments, a `{...}` segment matching any
/// non-empty one.
pub(crate) fn fits(template: &str, path: &str) -> bool {
    let mut want = template.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if w.starts_with('{') && w.ends_with('}') => {
                if g.is_empty() {
                    return false;
                }
            }
            (Some(w), Some(g)) if w == g => {}
            _ => return false,
        }
    }
}

impl Operation {
    /// Whether a request is this operation.
    pub(crate) fn matches(&self, method: &Method, path: &str) -> bool {
        method.as_str() == self.method && fits(self.template, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(METHOD, path, operationId)` of every operation of a spec, read line by line (the
    /// specs are block YAML: paths at two spaces, methods at four, ids at six).
    fn spec_operations(yaml: &str) -> Vec<(String, String, String)> {
        let (mut path, mut method) = (String::new(), String::new());
        let mut out = Vec::new();
        for line in yaml.lines() {
            if let Some(p) = line.strip_prefix("  /").and_then(|p| p.strip_suffix(':')) {
                path = format!("/{p}");
            } else if let Some(m) = line.strip_prefix("    ").and_then(|m| m.strip_suffix(':'))
                && ["get", "post", "put", "patch", "delete"].contains(&m)
            {
                method = m.to_ascii_uppercase();
            } else if let Some(id) = line.strip_prefix("      operationId:") {
                out.push((method.clone(), path.clone(), id.trim().to_owned()));
            }
        }
        out
    }

    #[test]
    fn the_table_is_the_specs_operations() {
        let mut spec: Vec<_> = [
            include_str!("../../../openapi/connect-v1.yaml"),
            include_str!("../../../openapi/ccpm-v1.yaml"),
            include_str!("../../../openapi/cam-v1.yaml"),
        ]
        .into_iter()
        .flat_map(spec_operations)
        .collect();
        let mut table: Vec<_> = OPERATIONS
            .iter()
            .map(|o| (o.method.to_owned(), o.template.to_owned(), o.id.to_owned()))
            .collect();
        spec.sort();
        table.sort();
        assert_eq!(table, spec);
        assert!(OPERATIONS.iter().all(|o| !o.template.contains("//")));
    }

    #[test]
    fn templates_match_one_segment_per_parameter() {
        let t = "/ccpm/v1/plugins/{plugin_id}/versions/{id}";
        assert!(fits(t, "/ccpm/v1/plugins/ccp-1/versions/ver-2"));
        assert!(!fits(t, "/ccpm/v1/plugins/ccp-1/versions"));
        assert!(!fits(t, "/ccpm/v1/plugins/ccp-1/versions/ver-2/x"));
        assert!(!fits(t, "/ccpm/v1/plugins//versions/ver-2"));
        assert!(!fits(t, "/ccpm/v1/plugin/ccp-1/versions/ver-2"));
        let create = named("create_connector");
        assert_eq!(create.len(), 1);
        let path = "/connect/v1/environments/env-1/clusters/lkc-1/connectors";
        assert!(create[0].matches(&Method::POST, path));
        assert!(!create[0].matches(&Method::GET, path));
        assert!(!create[0].matches(&Method::POST, &format!("{path}/x")));
        assert_eq!(named("create_presigned_upload_url").len(), 3);
        assert!(named("no_such_operation").is_empty());
    }
}
