//! `cam/v1`: Connect Artifacts (custom SMT archives) of an environment and cloud, and
//! their presigned upload URLs. Every artifact call names both in its query
//! (`environment`, `spec.cloud`); an artifact is found only under the pair it was created
//! with. Errors use the `{"errors": [...]}` shape.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde_json::Value;
use tokio::time::Instant;

use ccloud_connect::cam::{
    self, ConnectArtifact, ConnectArtifactList, ListMeta, ObjectMeta, PresignedUrlRequest,
    UploadSourceLocation, UploadSourcePresignedUrl,
};

use crate::api::{ccpm, presign};
use crate::http::errors::{Failure, JsonBody, Shape};
use crate::http::ids::random_id;
use crate::http::json::{empty, ensure_array, json_response, to_value};
use crate::http::paging::{PageRequest, paginate};
use crate::http::query::Query;
use crate::state::artifacts::Artifact;
use crate::state::lifecycle::later;
use crate::state::store::{App, Store};
use crate::state::uploads::{self, ArchiveFormat, Issuer, StorageCloud};

const LIST: Shape = Shape::List;

/// What a failed processing says: the API documents no reason field, so the emulator
/// keeps one for its control endpoint and state file only.
pub(crate) const INVALID_ARCHIVE: &str = "the archive is not a valid ZIP or JAR";

/// The environment and cloud every artifact call names in its query.
struct Scope {
    environment: String,
    cloud: StorageCloud,
}

fn scope(query: &Query) -> Result<Scope, Failure> {
    let environment = query
        .get("environment")
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .ok_or_else(|| {
            Failure::bad_parameter(
                LIST,
                "environment",
                "query parameter environment is required",
            )
        })?
        .to_owned();
    let raw = query.get("spec.cloud").map(str::trim).unwrap_or("");
    if raw.is_empty() {
        return Err(Failure::bad_parameter(
            LIST,
            "spec.cloud",
            "query parameter spec.cloud is required",
        ));
    }
    let cloud = StorageCloud::parse(raw).ok_or_else(|| {
        Failure::bad_parameter(
            LIST,
            "spec.cloud",
            format!("spec.cloud {raw:?} is not one of AWS, AZURE, GCP"),
        )
    })?;
    Ok(Scope { environment, cloud })
}

fn not_found(id: &str, scope: &Scope) -> Failure {
    Failure::not_found(
        LIST,
        format!(
            "Connect Artifact {id} was not found in environment {} ({})",
            scope.environment,
            scope.cloud.as_str()
        ),
    )
}

fn find<'a>(store: &'a Store, id: &str, scope: &Scope) -> Result<&'a Artifact, Failure> {
    store
        .artifacts
        .get(id)
        .filter(|a| a.environment() == scope.environment && a.cloud() == scope.cloud.as_str())
        .ok_or_else(|| not_found(id, scope))
}

fn answer(artifact: &Artifact, now: Instant) -> Value {
    let mut v = to_value(&artifact.view(now));
    if let Some(spec) = v.get_mut("spec") {
        ensure_array(spec, "plugins");
        ensure_array(spec, "usages");
    }
    v
}

/// `GET /cam/v1/connect-artifacts?environment=...&spec.cloud=...`.
pub(crate) async fn list(
    State(app): State<App>,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let query = Query::parse(query.as_deref());
    let scope = scope(&query)?;
    let page = PageRequest::parse(&query, LIST)?;
    let now = Instant::now();
    let items: Vec<(u64, Value)> = app
        .store()
        .artifacts
        .values()
        .filter(|a| a.environment() == scope.environment && a.cloud() == scope.cloud.as_str())
        .map(|a| (a.seq, answer(a, now)))
        .collect();
    let filters = [
        ("environment", scope.environment.as_str()),
        ("spec.cloud", scope.cloud.as_str()),
    ];
    let paged = paginate(
        items,
        page,
        &app.base_url,
        "/cam/v1/connect-artifacts",
        &filters,
    );
    let meta = ListMeta {
        first: Some(paged.first),
        next: paged.next,
        total_size: Some(paged.total_size),
        ..ListMeta::default()
    };
    let v = serde_json::json!({
        "api_version": "cam/v1",
        "kind": "ConnectArtifactList",
        "metadata": to_value(&meta),
        "data": paged.items,
    });
    // The answer must decode as the generated list type.
    debug_assert!(serde_json::from_value::<ConnectArtifactList>(v.clone()).is_ok());
    Ok(json_response(StatusCode::OK, &v))
}

/// Whether `name` is taken in the environment and cloud.
pub(crate) fn name_taken(store: &Store, environment: &str, cloud: &str, name: &str) -> bool {
    store.artifacts.values().any(|a| {
        a.environment() == environment && a.cloud() == cloud && a.artifact.spec.display_name == name
    })
}

/// A fresh artifact id, unused by any artifact.
pub(crate) fn new_id(store: &Store) -> String {
    loop {
        let id = random_id("cfa-", 6);
        if !store.artifacts.contains_key(&id) {
            return id;
        }
    }
}

/// An artifact as stored (its status is added when answered).
pub(crate) fn stored(
    app: &App,
    id: &str,
    environment: &str,
    cloud: StorageCloud,
    display_name: &str,
    description: Option<String>,
    format: ArchiveFormat,
) -> ConnectArtifact {
    let now = Utc::now();
    ConnectArtifact {
        api_version: Some("cam/v1".to_owned()),
        kind: Some("ConnectArtifact".to_owned()),
        id: Some(id.to_owned()),
        metadata: Some(ObjectMeta {
            self_: Some(format!(
                "{}/cam/v1/connect-artifacts/{id}?environment={environment}&spec.cloud={}",
                app.base_url,
                cloud.as_str()
            )),
            resource_name: Some(format!(
                "crn://confluent.cloud/organization={}/environment={environment}/connect-artifact={id}",
                app.org_id
            )),
            created_at: Some(now),
            updated_at: Some(now),
            deleted_at: None,
        }),
        spec: cam::ConnectArtifactSpec {
            cloud: cam::Cloud::from(cloud.as_str()),
            content_format: Some(cam::ContentFormat::from(format.as_str())),
            description,
            display_name: display_name.to_owned(),
            environment: environment.to_owned(),
            plugins: Vec::new(),
            upload_source: Some(UploadSourcePresignedUrl {
                location: UploadSourceLocation::PresignedUrlLocation,
                upload_id: String::new(),
            }),
            usages: Vec::new(),
        },
        status: None,
    }
}

/// `POST /cam/v1/connect-artifacts?environment=...&spec.cloud=...`: `202` with
/// `WAITING_FOR_PROCESSING`.
pub(crate) async fn create(
    State(app): State<App>,
    RawQuery(query): RawQuery,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let scope = scope(&Query::parse(query.as_deref()))?;
    let req: ConnectArtifact =
        serde_json::from_slice(&body).map_err(|e| Failure::malformed(LIST, &e))?;
    let spec = &req.spec;
    if spec.environment.trim() != scope.environment {
        return Err(Failure::invalid(
            "/spec/environment",
            format!(
                "spec.environment {:?} is not the environment of the request ({})",
                spec.environment, scope.environment
            ),
        ));
    }
    if spec.cloud.as_str() != scope.cloud.as_str() {
        return Err(Failure::invalid(
            "/spec/cloud",
            format!(
                "spec.cloud {:?} is not the spec.cloud of the request ({})",
                spec.cloud.as_str(),
                scope.cloud.as_str()
            ),
        ));
    }
    // The same limits as ccpm plugins: 60 characters of name, 256 of description.
    ccpm::check_texts(Some(&spec.display_name), spec.description.as_deref())?;
    let source = spec.upload_source.as_ref().ok_or_else(|| {
        Failure::invalid(
            "/spec/upload_source",
            "upload_source is required: upload the archive to a presigned URL first",
        )
    })?;
    if source.location != UploadSourceLocation::PresignedUrlLocation {
        return Err(Failure::invalid(
            "/spec/upload_source/location",
            "upload_source.location must be PRESIGNED_URL_LOCATION",
        ));
    }
    let mut store = app.store();
    let (upload, file) = uploads::usable(
        &store.uploads,
        &source.upload_id,
        Issuer::Cam,
        Some(&scope.environment),
        scope.cloud,
    )
    .map_err(|m| Failure::invalid("/spec/upload_source/upload_id", m))?;
    let format = upload.format;
    let failure = (!file.is_zip).then(|| INVALID_ARCHIVE.to_owned());
    if name_taken(
        &store,
        &scope.environment,
        scope.cloud.as_str(),
        &spec.display_name,
    ) {
        return Err(Failure::conflict(
            LIST,
            format!(
                "Connect Artifact {} already exists in environment {} ({})",
                spec.display_name,
                scope.environment,
                scope.cloud.as_str()
            ),
        ));
    }
    let id = new_id(&store);
    let artifact = stored(
        &app,
        &id,
        &scope.environment,
        scope.cloud,
        &spec.display_name,
        spec.description.clone(),
        format,
    );
    let now = Instant::now();
    let delay = app.settings.artifact_processing_delay;
    let entry = Artifact {
        seq: store.next_seq(),
        artifact,
        processing_at: later(now, delay / 2),
        ready_at: later(now, delay),
        failure,
    };
    let v = answer(&entry, now);
    store.artifacts.insert(id, entry);
    Ok(json_response(StatusCode::ACCEPTED, &v))
}

/// `GET /cam/v1/connect-artifacts/{id}?environment=...&spec.cloud=...`.
pub(crate) async fn get(
    State(app): State<App>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let scope = scope(&Query::parse(query.as_deref()))?;
    let store = app.store();
    let artifact = find(&store, &id, &scope)?;
    Ok(json_response(
        StatusCode::OK,
        &answer(artifact, Instant::now()),
    ))
}

/// `DELETE /cam/v1/connect-artifacts/{id}?environment=...&spec.cloud=...`: `204`.
pub(crate) async fn delete(
    State(app): State<App>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let scope = scope(&Query::parse(query.as_deref()))?;
    let mut store = app.store();
    find(&store, &id, &scope)?;
    store.artifacts.remove(&id);
    Ok(empty(StatusCode::NO_CONTENT))
}

/// `POST /cam/v1/presigned-upload-url`: `200` (ccpm answers `201`), the environment a
/// plain string.
pub(crate) async fn presigned_upload_url(
    State(app): State<App>,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let req: PresignedUrlRequest =
        serde_json::from_slice(&body).map_err(|e| Failure::malformed(LIST, &e))?;
    let environment = req.environment.trim().to_owned();
    if environment.is_empty() {
        return Err(Failure::bad_request(LIST, "environment must not be empty"));
    }
    // cam/v1 documents no 422 for this operation: a refused value is its 400.
    let as_400 = |f: Failure| Failure::bad_request(LIST, f.message);
    let format = presign::format(req.content_format.as_str()).map_err(as_400)?;
    let cloud = presign::cloud(req.cloud.as_str()).map_err(as_400)?;
    let issued = presign::issue(&app, Issuer::Cam, Some(environment.clone()), cloud, format);
    let answer = cam::PresignedUrl {
        api_version: Some("cam/v1".to_owned()),
        kind: Some("PresignedUrl".to_owned()),
        content_format: Some(req.content_format),
        cloud: Some(req.cloud),
        environment: Some(environment),
        upload_id: Some(issued.upload_id),
        upload_url: Some(issued.upload_url),
        upload_form_data: (!issued.form.is_empty()).then(|| issued.form.into_iter().collect()),
    };
    Ok(json_response(StatusCode::OK, &to_value(&answer)))
}
