//! The router: every endpoint of the API, the storage services and the control
//! endpoints, behind the gate.

use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};

use crate::api::{artifacts, ccpm, connectors, custom_plugins, offsets, translate};
use crate::control::{
    artifacts as control_artifacts, connectors as control_connectors, faults as control,
    scripts as control_scripts,
};
use crate::gate;
use crate::http::errors::{Failure, Shape};
use crate::state::store::App;
use crate::storage::endpoints as storage;

pub(crate) fn router(app: App) -> Router {
    const CLUSTER: &str = "/connect/v1/environments/{env}/clusters/{cluster}";
    let c = |suffix: &str| format!("{CLUSTER}{suffix}");
    Router::new()
        .route(
            &c("/connectors"),
            get(connectors::list).post(connectors::create),
        )
        .route(
            &c("/connectors/{name}"),
            get(connectors::get).delete(connectors::delete),
        )
        .route(
            &c("/connectors/{name}/config"),
            get(connectors::get_config).put(connectors::put_config),
        )
        .route(&c("/connectors/{name}/pause"), put(connectors::pause))
        .route(&c("/connectors/{name}/resume"), put(connectors::resume))
        .route(&c("/connectors/{name}/restart"), post(connectors::restart))
        .route(&c("/connectors/{name}/status"), get(connectors::status))
        .route(&c("/connectors/{name}/tasks"), get(connectors::tasks))
        .route(&c("/connectors/{name}/offsets"), get(offsets::offsets))
        .route(
            &c("/connector-plugins/{name}/config/translate"),
            put(translate::translate),
        )
        .route(
            &c("/connectors/{name}/offsets/request"),
            post(offsets::alter_offsets),
        )
        .route(
            &c("/connectors/{name}/offsets/request/status"),
            get(offsets::offsets_status),
        )
        .route(&c("/connector-plugins"), get(connectors::list_plugins))
        .route(
            &c("/connector-plugins/{name}/config/validate"),
            put(connectors::validate),
        )
        .route(
            "/connect/v1/custom-connector-plugins",
            get(custom_plugins::list).post(custom_plugins::create),
        )
        .route(
            "/connect/v1/custom-connector-plugins/{id}",
            get(custom_plugins::get)
                .patch(custom_plugins::update)
                .delete(custom_plugins::delete),
        )
        .route(
            "/connect/v1/presigned-upload-url",
            post(custom_plugins::presigned_upload_url),
        )
        .route(
            "/connect/v1/custom-connector-runtimes",
            get(custom_plugins::runtimes),
        )
        .route(
            "/ccpm/v1/plugins",
            get(ccpm::list_plugins).post(ccpm::create_plugin),
        )
        .route(
            "/ccpm/v1/plugins/{id}",
            get(ccpm::get_plugin)
                .patch(ccpm::update_plugin)
                .delete(ccpm::delete_plugin),
        )
        .route(
            "/ccpm/v1/plugins/{id}/versions",
            get(ccpm::list_versions).post(ccpm::create_version),
        )
        .route(
            "/ccpm/v1/plugins/{id}/versions/{version}",
            get(ccpm::get_version).delete(ccpm::delete_version),
        )
        .route(
            "/ccpm/v1/presigned-upload-url",
            post(ccpm::presigned_upload_url),
        )
        .route(
            "/cam/v1/connect-artifacts",
            get(artifacts::list).post(artifacts::create),
        )
        .route(
            "/cam/v1/connect-artifacts/{id}",
            get(artifacts::get).delete(artifacts::delete),
        )
        .route(
            "/cam/v1/presigned-upload-url",
            post(artifacts::presigned_upload_url),
        )
        .route("/_storage/s3/{bucket}", post(storage::s3_post))
        .route("/_storage/s3/{bucket}/", post(storage::s3_post))
        .route(
            "/_storage/azure/{container}/{*blob}",
            put(storage::azure_put),
        )
        .route("/_storage/gcs/{bucket}/{*object}", put(storage::gcs_put))
        .route(
            "/_emulator/faults",
            get(control::list)
                .post(control::inject)
                .delete(control::clear),
        )
        .route(
            "/_emulator/connectors/{env}/{cluster}/{name}",
            get(control_connectors::inspect_connector),
        )
        .route(
            "/_emulator/connectors/{env}/{cluster}/{name}/fail",
            post(control_connectors::fail_connector),
        )
        .route(
            "/_emulator/connectors/{env}/{cluster}/{name}/recover",
            post(control_connectors::recover_connector),
        )
        .route(
            "/_emulator/connectors/{env}/{cluster}/{name}/script",
            put(control_scripts::put_script).delete(control_scripts::delete_script),
        )
        .route(
            "/_emulator/connectors/{env}/{cluster}/{name}/next-script",
            put(control_scripts::put_next_script).delete(control_scripts::delete_next_script),
        )
        .route(
            "/_emulator/artifacts/{id}/fail",
            post(control_artifacts::fail_artifact),
        )
        .route(
            "/_emulator/delays",
            get(control_connectors::get_delays).put(control_connectors::put_delays),
        )
        .route(
            "/_emulator/rate-limit",
            get(control_connectors::get_rate_limit)
                .put(control_connectors::put_rate_limit)
                .delete(control_connectors::delete_rate_limit),
        )
        .route(control::HEALTH, get(control::health))
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(app.clone(), gate::gate))
        .with_state(app)
}

async fn unknown_route(uri: Uri) -> Response {
    Failure::not_found(
        Shape::for_path(uri.path()),
        format!("no route for {}", uri.path()),
    )
    .into_response()
}

async fn method_not_allowed(uri: Uri) -> Response {
    Failure::new(
        StatusCode::METHOD_NOT_ALLOWED,
        Shape::for_path(uri.path()),
        "method_not_allowed",
        format!("method not allowed on {}", uri.path()),
    )
    .into_response()
}
