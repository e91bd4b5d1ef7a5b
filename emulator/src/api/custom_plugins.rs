//! `connect/v1` custom connector plugins, the presigned upload URL and the custom connector
//! runtimes. Errors use the `{"errors": [...]}` shape.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;

use ccloud_connect::connect::{
    self, CustomConnectorPlugin, CustomConnectorPluginList, CustomConnectorPluginUpdate,
    CustomConnectorRuntimeList, ListMeta, ObjectMeta, PresignedUrlRequest, UploadSourceLocation,
    UploadSourcePresignedUrl,
};

use crate::api::presign;
use crate::http::errors::{Failure, JsonBody, Shape};
use crate::http::ids::random_id;
use crate::http::json::{empty, ensure_array, json_response, to_value};
use crate::http::paging::{PageRequest, paginate};
use crate::http::query::Query;
use crate::state::catalog;
use crate::state::store::{App, CustomPlugin, Store};
use crate::state::uploads::{self, ArchiveFormat, Issuer, StorageCloud};

const LIST: Shape = Shape::List;
const PATH: &str = "/connect/v1/custom-connector-plugins";

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Failure> {
    serde_json::from_slice(body).map_err(|e| Failure::malformed(LIST, &e))
}

fn not_found(id: &str) -> Failure {
    Failure::not_found(LIST, format!("Custom connector plugin {id} was not found"))
}

fn answer(plugin: &CustomConnectorPlugin) -> serde_json::Value {
    let mut v = to_value(plugin);
    ensure_array(&mut v, "sensitive_config_properties");
    v
}

fn check_display_name(name: &str, pointer: &str) -> Result<(), Failure> {
    if name.trim().is_empty() {
        return Err(Failure::invalid(pointer, "display_name must not be empty"));
    }
    if name.chars().count() > 60 {
        return Err(Failure::invalid(
            pointer,
            "display_name must be at most 60 characters",
        ));
    }
    Ok(())
}

fn check_link(link: Option<&str>, pointer: &str) -> Result<(), Failure> {
    match link {
        Some(l) if !l.is_empty() && !l.starts_with("http://") && !l.starts_with("https://") => {
            Err(Failure::invalid(
                pointer,
                "documentation_link must be an http(s) URL or empty",
            ))
        }
        _ => Ok(()),
    }
}

fn name_taken(store: &Store, name: &str, except: Option<&str>) -> bool {
    store
        .custom_plugins
        .values()
        .any(|p| p.plugin.display_name == name && p.plugin.id.as_deref() != except)
}

/// Checks an `upload_source` against the uploads received; returns the archive format.
fn check_upload(
    store: &Store,
    source: &UploadSourcePresignedUrl,
    cloud: StorageCloud,
) -> Result<ArchiveFormat, Failure> {
    if source.location != UploadSourceLocation::PresignedUrlLocation {
        return Err(Failure::invalid(
            "/upload_source/location",
            format!(
                "upload_source.location {:?} is not supported: use PRESIGNED_URL_LOCATION",
                source.location.as_str()
            ),
        ));
    }
    let (upload, file) = uploads::usable(
        &store.uploads,
        &source.upload_id,
        Issuer::ConnectV1,
        None,
        cloud,
    )
    .map_err(|m| Failure::invalid("/upload_source/upload_id", m))?;
    if !file.is_zip {
        return Err(Failure::invalid(
            "/upload_source/upload_id",
            format!(
                "the archive uploaded for upload_id {:?} is not a valid {} file",
                source.upload_id,
                upload.format.as_str()
            ),
        ));
    }
    Ok(upload.format)
}

fn cloud_of(cloud: Option<&connect::Cloud>, pointer: &str) -> Result<StorageCloud, Failure> {
    match cloud {
        None => Ok(StorageCloud::Aws),
        Some(c) => StorageCloud::parse(c.as_str()).ok_or_else(|| {
            Failure::invalid(
                pointer,
                format!("cloud {:?} is not one of AWS, AZURE, GCP", c.as_str()),
            )
        }),
    }
}

/// `GET /connect/v1/custom-connector-plugins`: one page; `cloud` defaults to AWS.
pub(crate) async fn list(
    State(app): State<App>,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let query = Query::parse(query.as_deref());
    let page = PageRequest::parse(&query, LIST)?;
    let cloud = match query.get("cloud") {
        None => StorageCloud::Aws,
        Some(c) => StorageCloud::parse(&c.to_ascii_uppercase()).ok_or_else(|| {
            Failure::bad_parameter(
                LIST,
                "cloud",
                format!("cloud {c:?} is not one of AWS, AZURE, GCP"),
            )
        })?,
    };
    let store = app.store();
    let items: Vec<(u64, CustomConnectorPlugin)> = store
        .custom_plugins
        .values()
        .filter(|p| p.plugin.cloud.as_ref().map(|c| c.as_str()) == Some(cloud.as_str()))
        .map(|p| (p.seq, p.plugin.clone()))
        .collect();
    drop(store);
    let filters: Vec<(&str, &str)> = query
        .get("cloud")
        .map(|c| ("cloud", c))
        .into_iter()
        .collect();
    let paged = paginate(items, page, &app.base_url, PATH, &filters);
    let list = CustomConnectorPluginList {
        api_version: Some("connect/v1".to_owned()),
        kind: Some("CustomConnectorPluginList".to_owned()),
        metadata: Some(ListMeta {
            first: Some(paged.first),
            next: paged.next,
            total_size: Some(paged.total_size),
            ..ListMeta::default()
        }),
        data: paged.items,
    };
    let mut v = to_value(&list);
    if let Some(items) = v.get_mut("data").and_then(|d| d.as_array_mut()) {
        for item in items {
            ensure_array(item, "sensitive_config_properties");
        }
    }
    Ok(json_response(StatusCode::OK, &v))
}

/// `POST /connect/v1/custom-connector-plugins`.
pub(crate) async fn create(
    State(app): State<App>,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let req: CustomConnectorPlugin = parse(&body)?;
    check_display_name(&req.display_name, "/display_name")?;
    check_link(req.documentation_link.as_deref(), "/documentation_link")?;
    if req.connector_class.trim().is_empty() {
        return Err(Failure::invalid(
            "/connector_class",
            "connector_class must not be empty",
        ));
    }
    if req.connector_type.is_unknown() {
        return Err(Failure::invalid(
            "/connector_type",
            format!(
                "connector_type {:?} is not one of SOURCE, SINK",
                req.connector_type.as_str()
            ),
        ));
    }
    if req
        .runtime_language
        .as_ref()
        .is_some_and(|l| l.is_unknown())
    {
        return Err(Failure::invalid(
            "/runtime_language",
            "runtime_language must be JAVA or PYTHON",
        ));
    }
    let cloud = cloud_of(req.cloud.as_ref(), "/cloud")?;
    let source = req
        .upload_source
        .clone()
        .ok_or_else(|| Failure::invalid("/upload_source", "upload_source is required"))?;
    let mut store = app.store();
    if name_taken(&store, &req.display_name, None) {
        return Err(Failure::conflict(
            LIST,
            format!(
                "A custom connector plugin named {:?} already exists",
                req.display_name
            ),
        ));
    }
    let format = check_upload(&store, &source, cloud)?;
    if let Some(f) = &req.content_format
        && f.as_str() != format.as_str()
    {
        return Err(Failure::invalid(
            "/content_format",
            format!(
                "content_format {} does not match the uploaded {} archive",
                f.as_str(),
                format.as_str()
            ),
        ));
    }
    let mut id = random_id("ccp-", 6);
    while store.custom_plugins.contains_key(&id) || store.ccpm_plugins.contains_key(&id) {
        id = random_id("ccp-", 6);
    }
    let plugin = stored_plugin(&app, &id, req, format, cloud);
    let seq = store.next_seq();
    store.custom_plugins.insert(
        id,
        CustomPlugin {
            seq,
            plugin: plugin.clone(),
        },
    );
    Ok(json_response(StatusCode::CREATED, &answer(&plugin)))
}

/// A plugin as stored and answered, from the request that creates it (or a seed entry).
pub(crate) fn stored_plugin(
    app: &App,
    id: &str,
    req: CustomConnectorPlugin,
    format: ArchiveFormat,
    cloud: StorageCloud,
) -> CustomConnectorPlugin {
    let now = Utc::now();
    CustomConnectorPlugin {
        api_version: Some("connect/v1".to_owned()),
        kind: Some("CustomConnectorPlugin".to_owned()),
        id: Some(id.to_owned()),
        metadata: Some(ObjectMeta {
            self_: Some(format!("{}{PATH}/{id}", app.base_url)),
            resource_name: Some(format!(
                "crn://confluent.cloud/organization={}/custom-connector-plugin={id}",
                app.org_id
            )),
            created_at: Some(now),
            updated_at: Some(now),
            deleted_at: None,
        }),
        display_name: req.display_name,
        content_format: Some(connect::ContentFormat::from(format.as_str())),
        description: req.description,
        documentation_link: req.documentation_link,
        connector_class: req.connector_class,
        connector_type: req.connector_type,
        cloud: Some(connect::Cloud::from(cloud.as_str())),
        sensitive_config_properties: req.sensitive_config_properties,
        upload_source: Some(UploadSourcePresignedUrl {
            location: UploadSourceLocation::PresignedUrlLocation,
            upload_id: String::new(),
        }),
        runtime_language: Some(
            req.runtime_language
                .unwrap_or(connect::RuntimeLanguage::Java),
        ),
    }
}

/// `GET /connect/v1/custom-connector-plugins/{id}`.
pub(crate) async fn get(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let store = app.store();
    let p = store
        .custom_plugins
        .get(&id)
        .ok_or_else(|| not_found(&id))?;
    Ok(json_response(StatusCode::OK, &answer(&p.plugin)))
}

/// `PATCH /connect/v1/custom-connector-plugins/{id}`: changes only the fields sent.
pub(crate) async fn update(
    State(app): State<App>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let req: CustomConnectorPluginUpdate = parse(&body)?;
    // Tells an empty list apart from an absent one: the generated type cannot.
    let sends_sensitive = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("sensitive_config_properties").cloned())
        .is_some();
    let mut store = app.store();
    let existing = store
        .custom_plugins
        .get(&id)
        .ok_or_else(|| not_found(&id))?;
    let cloud = existing
        .plugin
        .cloud
        .as_ref()
        .and_then(|c| StorageCloud::parse(c.as_str()))
        .unwrap_or(StorageCloud::Aws);
    if let Some(name) = &req.display_name {
        check_display_name(name, "/display_name")?;
        if name_taken(&store, name, Some(&id)) {
            return Err(Failure::conflict(
                LIST,
                format!("A custom connector plugin named {name:?} already exists"),
            ));
        }
    }
    check_link(req.documentation_link.as_deref(), "/documentation_link")?;
    if req
        .runtime_language
        .as_ref()
        .is_some_and(|l| l.is_unknown())
    {
        return Err(Failure::invalid(
            "/runtime_language",
            "runtime_language must be JAVA or PYTHON",
        ));
    }
    let format = match &req.upload_source {
        Some(source) => Some(check_upload(&store, source, cloud)?),
        None => None,
    };
    let Some(entry) = store.custom_plugins.get_mut(&id) else {
        return Err(not_found(&id));
    };
    let p = &mut entry.plugin;
    if let Some(v) = req.display_name {
        p.display_name = v;
    }
    if let Some(v) = req.description {
        p.description = Some(v);
    }
    if let Some(v) = req.documentation_link {
        p.documentation_link = Some(v);
    }
    if sends_sensitive {
        p.sensitive_config_properties = req.sensitive_config_properties.unwrap_or_default();
    }
    if let Some(v) = req.runtime_language {
        p.runtime_language = Some(v);
    }
    if let Some(f) = format {
        p.content_format = Some(connect::ContentFormat::from(f.as_str()));
    }
    if let Some(meta) = p.metadata.as_mut() {
        meta.updated_at = Some(Utc::now());
    }
    Ok(json_response(StatusCode::OK, &answer(p)))
}

/// `DELETE /connect/v1/custom-connector-plugins/{id}`: `204`.
pub(crate) async fn delete(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    app.store()
        .custom_plugins
        .remove(&id)
        .ok_or_else(|| not_found(&id))?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// `POST /connect/v1/presigned-upload-url`: `200`, with a URL on this emulator.
pub(crate) async fn presigned_upload_url(
    State(app): State<App>,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let req: PresignedUrlRequest = parse(&body)?;
    let format = presign::format(req.content_format.as_str())?;
    let cloud = cloud_of(req.cloud.as_ref(), "/cloud")?;
    let issued = presign::issue(&app, Issuer::ConnectV1, None, cloud, format);
    let answer = connect::PresignedUrl {
        api_version: Some("connect/v1".to_owned()),
        kind: Some("PresignedUrl".to_owned()),
        content_format: Some(req.content_format),
        cloud: Some(connect::Cloud::from(cloud.as_str())),
        upload_id: Some(issued.upload_id.clone()),
        upload_url: Some(issued.upload_url),
        upload_form_data: (!issued.form.is_empty()).then(|| issued.form.into_iter().collect()),
    };
    Ok(json_response(StatusCode::OK, &to_value(&answer)))
}

/// `GET /connect/v1/custom-connector-runtimes`.
pub(crate) async fn runtimes(
    State(app): State<App>,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let query = Query::parse(query.as_deref());
    let page = PageRequest::parse(&query, LIST)?;
    let items = catalog::runtimes()
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i as u64 + 1, r))
        .collect();
    let paged = paginate(
        items,
        page,
        &app.base_url,
        "/connect/v1/custom-connector-runtimes",
        &[],
    );
    let list = CustomConnectorRuntimeList {
        api_version: Some("connect/v1".to_owned()),
        kind: Some("CustomConnectorRuntimeList".to_owned()),
        metadata: Some(ListMeta {
            first: Some(paged.first),
            next: paged.next,
            total_size: Some(paged.total_size),
            ..ListMeta::default()
        }),
        data: paged.items,
    };
    Ok(json_response(StatusCode::OK, &to_value(&list)))
}
