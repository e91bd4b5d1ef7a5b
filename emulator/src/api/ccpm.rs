//! `ccpm/v1`: environment-scoped custom plugins, their versions (`PROCESSING` then `READY`
//! or `FAILED`), and presigned upload URLs. Errors use the `{"errors": [...]}` shape.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde_json::Value;
use tokio::time::Instant;

use ccloud_connect::ccpm::{
    self, EnvScopedObjectReference, ListMeta, ObjectMeta, Plugin, PluginList, PluginUpdate,
    PluginVersion, PluginVersionList, PresignedUrlRequest, UploadSourceLocation,
    UploadSourcePresignedUrl,
};

use crate::api::presign;
use crate::http::errors::{Failure, JsonBody, Shape};
use crate::http::ids::random_id;
use crate::http::json::{empty, ensure_array, json_response, to_value};
use crate::http::paging::{PageRequest, paginate};
use crate::http::query::Query;
use crate::state::lifecycle::later;
use crate::state::store::{App, CcpmPlugin, CcpmVersion, Store};
use crate::state::uploads::{self, ArchiveFormat, Issuer, StorageCloud};

const LIST: Shape = Shape::List;

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Failure> {
    serde_json::from_slice(body).map_err(|e| Failure::malformed(LIST, &e))
}

fn environment(query: &Query) -> Result<String, Failure> {
    query
        .get("environment")
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            Failure::bad_parameter(
                LIST,
                "environment",
                "query parameter environment is required",
            )
        })
}

fn body_environment(
    reference: &EnvScopedObjectReference,
    pointer: &str,
) -> Result<String, Failure> {
    let id = reference.id.trim();
    if id.is_empty() {
        return Err(Failure::invalid(
            pointer,
            "environment.id must not be empty",
        ));
    }
    Ok(id.to_owned())
}

fn plugin_not_found(id: &str, env: &str) -> Failure {
    Failure::not_found(
        LIST,
        format!("Custom connect plugin {id} was not found in environment {env}"),
    )
}

fn env_reference(app: &App, env: &str) -> EnvScopedObjectReference {
    EnvScopedObjectReference {
        id: env.to_owned(),
        environment: None,
        related: Some(format!("{}/v2/environments/{env}", app.base_url)),
        resource_name: Some(format!(
            "crn://confluent.cloud/organization={}/environment={env}",
            app.org_id
        )),
    }
}

fn plugin_in_env<'a>(store: &'a Store, id: &str, env: &str) -> Result<&'a CcpmPlugin, Failure> {
    store
        .ccpm_plugins
        .get(id)
        .filter(|p| p.environment == env)
        .ok_or_else(|| plugin_not_found(id, env))
}

/// Refuses a display name or description over the limits ccpm and cam share.
pub(crate) fn check_texts(
    display_name: Option<&str>,
    description: Option<&str>,
) -> Result<(), Failure> {
    if let Some(name) = display_name {
        if name.trim().is_empty() {
            return Err(Failure::invalid(
                "/spec/display_name",
                "display_name must not be empty",
            ));
        }
        if name.chars().count() > 60 {
            return Err(Failure::invalid(
                "/spec/display_name",
                "display_name must be at most 60 characters",
            ));
        }
    }
    if description.is_some_and(|d| d.chars().count() > 256) {
        return Err(Failure::invalid(
            "/spec/description",
            "description must be at most 256 characters",
        ));
    }
    Ok(())
}

fn name_taken(store: &Store, env: &str, name: &str, except: Option<&str>) -> bool {
    store.ccpm_plugins.iter().any(|(id, p)| {
        p.environment == env && p.plugin.spec.display_name == name && Some(id.as_str()) != except
    })
}

fn version_answer(v: &CcpmVersion, now: Instant) -> Value {
    let mut value = to_value(&v.view(now));
    if let Some(spec) = value.get_mut("spec") {
        ensure_array(spec, "sensitive_config_properties");
    }
    value
}

/// `GET /ccpm/v1/plugins?environment=...`.
pub(crate) async fn list_plugins(
    State(app): State<App>,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let query = Query::parse(query.as_deref());
    let env = environment(&query)?;
    let page = PageRequest::parse(&query, LIST)?;
    let cloud = match query.get("spec.cloud") {
        None => None,
        Some(c) => Some(StorageCloud::parse(&c.to_ascii_uppercase()).ok_or_else(|| {
            Failure::bad_parameter(
                LIST,
                "spec.cloud",
                format!("spec.cloud {c:?} is not one of AWS, AZURE, GCP"),
            )
        })?),
    };
    let items: Vec<(u64, Plugin)> = app
        .store()
        .ccpm_plugins
        .values()
        .filter(|p| p.environment == env)
        .filter(|p| cloud.is_none_or(|c| p.plugin.spec.cloud.as_str() == c.as_str()))
        .map(|p| (p.seq, p.plugin.clone()))
        .collect();
    let mut filters = vec![("environment", env.as_str())];
    if let Some(c) = query.get("spec.cloud") {
        filters.push(("spec.cloud", c));
    }
    let paged = paginate(items, page, &app.base_url, "/ccpm/v1/plugins", &filters);
    let list = PluginList {
        api_version: Some("ccpm/v1".to_owned()),
        kind: Some("CustomConnectPluginList".to_owned()),
        metadata: Some(ListMeta {
            first: Some(paged.first),
            next: paged.next,
            total_size: Some(paged.total_size),
            ..ListMeta::default()
        }),
        data: paged.items,
    };
    let mut v = to_value(&list);
    ensure_array(&mut v, "data");
    Ok(json_response(StatusCode::OK, &v))
}

/// `POST /ccpm/v1/plugins`: `202`.
pub(crate) async fn create_plugin(
    State(app): State<App>,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let req: Plugin = parse(&body)?;
    let env = body_environment(&req.spec.environment, "/spec/environment/id")?;
    let cloud = StorageCloud::parse(req.spec.cloud.as_str()).ok_or_else(|| {
        Failure::invalid(
            "/spec/cloud",
            format!(
                "cloud {:?} is not one of AWS, AZURE, GCP",
                req.spec.cloud.as_str()
            ),
        )
    })?;
    check_texts(
        Some(&req.spec.display_name),
        req.spec.description.as_deref(),
    )?;
    let mut store = app.store();
    if name_taken(&store, &env, &req.spec.display_name, None) {
        return Err(Failure::conflict(
            LIST,
            format!(
                "A custom connect plugin named {:?} already exists in environment {env}",
                req.spec.display_name
            ),
        ));
    }
    let mut id = random_id("ccp-", 6);
    while store.ccpm_plugins.contains_key(&id) || store.custom_plugins.contains_key(&id) {
        id = random_id("ccp-", 6);
    }
    let plugin = stored_plugin(
        &app,
        &id,
        &env,
        cloud,
        req.spec.display_name,
        req.spec.description,
    );
    let seq = store.next_seq();
    store.ccpm_plugins.insert(
        id,
        CcpmPlugin {
            seq,
            environment: env,
            plugin: plugin.clone(),
            versions: Default::default(),
        },
    );
    Ok(json_response(StatusCode::ACCEPTED, &to_value(&plugin)))
}

/// A plugin as stored and answered, from the request that creates it (or a seed entry).
pub(crate) fn stored_plugin(
    app: &App,
    id: &str,
    env: &str,
    cloud: StorageCloud,
    display_name: String,
    description: Option<String>,
) -> Plugin {
    let now = Utc::now();
    Plugin {
        api_version: Some("ccpm/v1".to_owned()),
        kind: Some("CustomConnectPlugin".to_owned()),
        id: Some(id.to_owned()),
        metadata: Some(ObjectMeta {
            self_: Some(format!(
                "{}/ccpm/v1/plugins/{id}?environment={env}",
                app.base_url
            )),
            resource_name: Some(format!(
                "crn://confluent.cloud/organization={}/environment={env}/custom-connect-plugin={id}",
                app.org_id
            )),
            created_at: Some(now),
            updated_at: Some(now),
            deleted_at: None,
        }),
        spec: ccpm::PluginSpec {
            cloud: ccpm::Cloud::from(cloud.as_str()),
            display_name,
            description,
            runtime_language: Some("JAVA".to_owned()),
            environment: env_reference(app, env),
        },
    }
}

/// `GET /ccpm/v1/plugins/{id}?environment=...`.
pub(crate) async fn get_plugin(
    State(app): State<App>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let env = environment(&Query::parse(query.as_deref()))?;
    let store = app.store();
    let p = plugin_in_env(&store, &id, &env)?;
    Ok(json_response(StatusCode::OK, &to_value(&p.plugin)))
}

/// `PATCH /ccpm/v1/plugins/{id}`: the environment comes in `spec.environment`.
pub(crate) async fn update_plugin(
    State(app): State<App>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let req: PluginUpdate = parse(&body)?;
    let env = body_environment(&req.spec.environment, "/spec/environment/id")?;
    check_texts(
        req.spec.display_name.as_deref(),
        req.spec.description.as_deref(),
    )?;
    let mut store = app.store();
    plugin_in_env(&store, &id, &env)?;
    if let Some(name) = &req.spec.display_name
        && name_taken(&store, &env, name, Some(&id))
    {
        return Err(Failure::conflict(
            LIST,
            format!("A custom connect plugin named {name:?} already exists in environment {env}"),
        ));
    }
    let Some(entry) = store.ccpm_plugins.get_mut(&id) else {
        return Err(plugin_not_found(&id, &env));
    };
    let plugin = &mut entry.plugin;
    if let Some(name) = req.spec.display_name {
        plugin.spec.display_name = name;
    }
    if let Some(description) = req.spec.description {
        plugin.spec.description = Some(description);
    }
    if let Some(meta) = plugin.metadata.as_mut() {
        meta.updated_at = Some(Utc::now());
    }
    Ok(json_response(StatusCode::OK, &to_value(plugin)))
}

/// `DELETE /ccpm/v1/plugins/{id}?environment=...`: `204`, versions included.
pub(crate) async fn delete_plugin(
    State(app): State<App>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let env = environment(&Query::parse(query.as_deref()))?;
    let mut store = app.store();
    plugin_in_env(&store, &id, &env)?;
    store.ccpm_plugins.remove(&id);
    Ok(empty(StatusCode::NO_CONTENT))
}

/// `POST /ccpm/v1/presigned-upload-url`: `201`.
pub(crate) async fn presigned_upload_url(
    State(app): State<App>,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let req: PresignedUrlRequest = parse(&body)?;
    let env = body_environment(&req.environment, "/environment/id")?;
    let format = presign::format(req.content_format.as_str())?;
    let cloud = presign::cloud(req.cloud.as_str())?;
    let issued = presign::issue(&app, Issuer::Ccpm, Some(env.clone()), cloud, format);
    let answer = ccpm::PresignedUrl {
        api_version: Some("ccpm/v1".to_owned()),
        kind: Some("PresignedUrl".to_owned()),
        content_format: Some(req.content_format),
        cloud: Some(req.cloud),
        environment: Some(env_reference(&app, &env)),
        upload_id: Some(issued.upload_id.clone()),
        upload_url: Some(issued.upload_url),
        upload_form_data: (!issued.form.is_empty()).then(|| issued.form.into_iter().collect()),
    };
    Ok(json_response(StatusCode::CREATED, &to_value(&answer)))
}

/// `GET /ccpm/v1/plugins/{plugin_id}/versions?environment=...`.
pub(crate) async fn list_versions(
    State(app): State<App>,
    Path(plugin_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let query = Query::parse(query.as_deref());
    let env = environment(&query)?;
    let page = PageRequest::parse(&query, LIST)?;
    let now = Instant::now();
    let items: Vec<(u64, Value)> = {
        let store = app.store();
        let plugin = plugin_in_env(&store, &plugin_id, &env)?;
        let mut versions: Vec<&CcpmVersion> = plugin.versions.values().collect();
        versions.sort_by_key(|v| v.seq);
        versions
            .into_iter()
            .map(|v| (v.seq, version_answer(v, now)))
            .collect()
    };
    let path = format!("/ccpm/v1/plugins/{plugin_id}/versions");
    let paged = paginate(items, page, &app.base_url, &path, &[("environment", &env)]);
    let meta = ListMeta {
        first: Some(paged.first),
        next: paged.next,
        total_size: Some(paged.total_size),
        ..ListMeta::default()
    };
    let v = serde_json::json!({
        "api_version": "ccpm/v1",
        "kind": "CustomConnectPluginVersionList",
        "metadata": to_value(&meta),
        "data": paged.items,
    });
    // The answer must decode as the generated list type.
    debug_assert!(serde_json::from_value::<PluginVersionList>(v.clone()).is_ok());
    Ok(json_response(StatusCode::OK, &v))
}

/// `POST /ccpm/v1/plugins/{plugin_id}/versions`: `202` with `status.phase` `PROCESSING`.
pub(crate) async fn create_version(
    State(app): State<App>,
    Path(plugin_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let req: PluginVersion = parse(&body)?;
    let spec = &req.spec;
    let env = body_environment(&spec.environment, "/spec/environment/id")?;
    let version = spec.version.trim();
    if version.is_empty() || version.chars().count() > 60 {
        return Err(Failure::invalid(
            "/spec/version",
            "version must be 1 to 60 characters",
        ));
    }
    if !(1..=10).contains(&spec.connector_classes.len()) {
        return Err(Failure::invalid(
            "/spec/connector_classes",
            "connector_classes must list 1 to 10 classes",
        ));
    }
    for (i, class) in spec.connector_classes.iter().enumerate() {
        if class.class_name.trim().is_empty() {
            return Err(Failure::invalid(
                format!("/spec/connector_classes/{i}/class_name"),
                "class_name must not be empty",
            ));
        }
        if class.type_.is_unknown() {
            return Err(Failure::invalid(
                format!("/spec/connector_classes/{i}/type"),
                format!("type {:?} is not one of SOURCE, SINK", class.type_.as_str()),
            ));
        }
    }
    if let Some(link) = spec.documentation_link.as_deref()
        && !link.is_empty()
        && !link.starts_with("http://")
        && !link.starts_with("https://")
    {
        return Err(Failure::invalid(
            "/spec/documentation_link",
            "documentation_link must be an http(s) URL or empty",
        ));
    }
    if spec.upload_source.location != UploadSourceLocation::PresignedUrlLocation {
        return Err(Failure::invalid(
            "/spec/upload_source/location",
            "upload_source.location must be PRESIGNED_URL_LOCATION",
        ));
    }
    let mut store = app.store();
    let plugin = plugin_in_env(&store, &plugin_id, &env)?;
    if plugin
        .versions
        .values()
        .any(|v| v.version.spec.version == version)
    {
        return Err(Failure::conflict(
            LIST,
            format!("Version {version} of plugin {plugin_id} already exists"),
        ));
    }
    let cloud = StorageCloud::parse(plugin.plugin.spec.cloud.as_str()).unwrap_or(StorageCloud::Aws);
    let (upload, file) = uploads::usable(
        &store.uploads,
        &spec.upload_source.upload_id,
        Issuer::Ccpm,
        Some(&env),
        cloud,
    )
    .map_err(|m| Failure::invalid("/spec/upload_source/upload_id", m))?;
    let format = upload.format;
    let failure =
        (!file.is_zip).then(|| "Version creation failed due to invalid plugin archive.".to_owned());
    if let Some(f) = &spec.content_format
        && f.as_str() != format.as_str()
    {
        return Err(Failure::invalid(
            "/spec/content_format",
            format!(
                "content_format {} does not match the uploaded {} archive",
                f.as_str(),
                format.as_str()
            ),
        ));
    }
    let mut id = random_id("ver-", 6);
    while store
        .ccpm_plugins
        .values()
        .any(|p| p.versions.contains_key(&id))
    {
        id = random_id("ver-", 6);
    }
    let stored = stored_version(&app, &plugin_id, &id, &env, version, spec, format);
    let seq = store.next_seq();
    let entry = CcpmVersion {
        seq,
        version: stored,
        ready_at: later(Instant::now(), app.settings.version_processing_delay),
        failure,
    };
    let answer = version_answer(&entry, Instant::now());
    if let Some(p) = store.ccpm_plugins.get_mut(&plugin_id) {
        p.versions.insert(id, entry);
    }
    Ok(json_response(StatusCode::ACCEPTED, &answer))
}

/// A version as stored (its status is added when answered), from the request that
/// creates it (or a seed entry).
pub(crate) fn stored_version(
    app: &App,
    plugin_id: &str,
    id: &str,
    env: &str,
    version: &str,
    spec: &ccpm::PluginVersionSpec,
    format: ArchiveFormat,
) -> PluginVersion {
    let now = Utc::now();
    PluginVersion {
        api_version: Some("ccpm/v1".to_owned()),
        kind: Some("CustomConnectPluginVersion".to_owned()),
        id: Some(id.to_owned()),
        metadata: Some(ObjectMeta {
            self_: Some(format!(
                "{}/ccpm/v1/plugins/{plugin_id}/versions/{id}?environment={env}",
                app.base_url
            )),
            resource_name: Some(format!(
                "crn://confluent.cloud/organization={}/environment={env}/custom-connect-plugin={plugin_id}/version={id}",
                app.org_id
            )),
            created_at: Some(now),
            updated_at: Some(now),
            deleted_at: None,
        }),
        spec: ccpm::PluginVersionSpec {
            version: version.to_owned(),
            sensitive_config_properties: spec.sensitive_config_properties.clone(),
            documentation_link: spec.documentation_link.clone(),
            content_format: Some(ccpm::ContentFormat::from(format.as_str())),
            connector_classes: spec.connector_classes.clone(),
            upload_source: UploadSourcePresignedUrl {
                location: UploadSourceLocation::PresignedUrlLocation,
                upload_id: String::new(),
            },
            environment: env_reference(app, env),
        },
        status: None,
    }
}

fn version_not_found(plugin_id: &str, id: &str) -> Failure {
    Failure::not_found(
        LIST,
        format!("Version {id} of custom connect plugin {plugin_id} was not found"),
    )
}

/// `GET /ccpm/v1/plugins/{plugin_id}/versions/{id}?environment=...`.
pub(crate) async fn get_version(
    State(app): State<App>,
    Path((plugin_id, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let env = environment(&Query::parse(query.as_deref()))?;
    let store = app.store();
    let plugin = plugin_in_env(&store, &plugin_id, &env)?;
    let v = plugin
        .versions
        .get(&id)
        .ok_or_else(|| version_not_found(&plugin_id, &id))?;
    Ok(json_response(
        StatusCode::OK,
        &version_answer(v, Instant::now()),
    ))
}

/// `DELETE /ccpm/v1/plugins/{plugin_id}/versions/{id}?environment=...`: `204`.
pub(crate) async fn delete_version(
    State(app): State<App>,
    Path((plugin_id, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let env = environment(&Query::parse(query.as_deref()))?;
    let mut store = app.store();
    plugin_in_env(&store, &plugin_id, &env)?;
    store
        .ccpm_plugins
        .get_mut(&plugin_id)
        .and_then(|p| p.versions.remove(&id))
        .ok_or_else(|| version_not_found(&plugin_id, &id))?;
    Ok(empty(StatusCode::NO_CONTENT))
}
