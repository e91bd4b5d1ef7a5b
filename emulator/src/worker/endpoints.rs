//! The worker's REST API, in Kafka Connect's shapes: the router, HTTP Basic
//! authentication, and one handler per endpoint. Errors are Kafka Connect's
//! `{"error_code": N, "message": "..."}`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, put};
use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::connector::{WorkerConnector, WorkerState};
use super::state::{Refused, Shared};
use crate::http::json::{empty, json_response};

/// The Kafka version the worker claims, a recent one with every endpoint it serves
/// (`PUT .../stop` and the offsets endpoint came with 3.5).
pub(super) const VERSION: &str = "3.9.0";

/// The Kafka cluster id `GET /` names: fixed, so tests can compare it; 22 characters, as
/// a real (base64 UUID) id has.
pub(super) const KAFKA_CLUSTER_ID: &str = "emulated-kafka-cluster";

/// The largest request body taken; a connector configuration is a few kilobytes.
const MAX_BODY: usize = 2 * 1024 * 1024;

type App = Arc<Shared>;

/// Kafka Connect's error answer.
fn error(status: StatusCode, message: impl Into<String>) -> Response {
    let body = json!({"error_code": status.as_u16(), "message": message.into()});
    json_response(status, &body)
}

fn not_found(name: &str) -> Response {
    error(StatusCode::NOT_FOUND, format!("Connector {name} not found"))
}

/// Every endpoint of the worker, behind its authentication.
pub(super) fn router(app: App) -> Router {
    Router::new()
        .route("/", get(root))
        .route("/connectors", get(list).post(create))
        .route("/connectors/{name}", get(info).delete(delete))
        .route("/connectors/{name}/config", get(config).put(put_config))
        .route("/connectors/{name}/status", get(status))
        .route("/connectors/{name}/offsets", get(offsets))
        .route("/connectors/{name}/stop", put(stop))
        .route("/connectors/{name}/pause", put(pause))
        .route("/connectors/{name}/resume", put(resume))
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(app.clone(), authenticate))
        .with_state(app)
}

// Jersey's words, which Kafka Connect's REST server answers with.
async fn unknown_route() -> Response {
    error(StatusCode::NOT_FOUND, "HTTP 404 Not Found")
}

async fn method_not_allowed() -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "HTTP 405 Method Not Allowed",
    )
}

/// With [`basic_auth`](crate::WorkerConfig::basic_auth), every request (`GET /` and
/// unknown routes too, as Kafka Connect's basic-auth extension guards them) needs that
/// exact pair.
async fn authenticate(State(app): State<App>, request: Request, next: Next) -> Response {
    let Some((user, password)) = app.basic_auth.as_ref() else {
        return next.run(request).await;
    };
    let message = match basic_pair(request.headers()) {
        Some((u, p)) if u == *user && p == *password => return next.run(request).await,
        Some(_) => "Authentication failed: the HTTP Basic user or password is not the worker's",
        None => "Authentication required: send HTTP Basic credentials (Authorization: Basic ...)",
    };
    let mut answer = error(StatusCode::UNAUTHORIZED, message);
    answer.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"connect\""),
    );
    answer
}

/// The user and password of an `Authorization: Basic base64(user:password)` header
/// (scheme case-insensitive), or `None` when there is no such header or it does not
/// decode.
fn basic_pair(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// The `{name}` of a connector's path. Unlike axum's `Path`, whose refusals are plain
/// text, a name that does not decode is refused in Kafka Connect's error shape.
struct ConnectorName(String);

impl<S: Send + Sync> FromRequestParts<S> for ConnectorName {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(name)) => Ok(ConnectorName(name)),
            Err(e) => Err(error(StatusCode::BAD_REQUEST, e.body_text())),
        }
    }
}

/// The request body as JSON, whatever the `Content-Type` (curl's `-d` sends a form type),
/// or the `400`/`413` to answer.
async fn json_body(body: Body) -> Result<Value, Response> {
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        let mut answer = error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than the {MAX_BODY} bytes the worker takes"),
        );
        // The rest of the body was not read, so the connection cannot serve another request.
        answer
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        answer
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            format!("the request body is not JSON: {e}"),
        )
    })
}

/// A configuration: a JSON object whose values are all strings; else the `400`'s message.
fn string_map(value: Value, what: &str) -> Result<BTreeMap<String, String>, String> {
    let Value::Object(map) = value else {
        return Err(format!(
            "{what} must be a JSON object of string values, not {value}"
        ));
    };
    map.into_iter()
        .map(|(key, v)| match v {
            Value::String(s) => Ok((key, s)),
            other => Err(format!(
                "{what}: the value of {key:?} must be a string, not {other}"
            )),
        })
        .collect()
}

/// `GET /`: the worker's version and its Kafka cluster.
async fn root() -> Response {
    let body =
        json!({"version": VERSION, "commit": "emulator", "kafka_cluster_id": KAFKA_CLUSTER_ID});
    json_response(StatusCode::OK, &body)
}

/// `GET /connectors`: the names, sorted; with `?expand=status` and/or `?expand=info`
/// (repeated, as Kafka Connect takes them), an object by name with what was asked for.
/// Other `expand` values are ignored, as Kafka Connect ignores them.
async fn list(State(app): State<App>, uri: Uri) -> Response {
    let query = uri.query().unwrap_or("");
    let expand: Vec<String> = form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k == "expand")
        .map(|(_, v)| v.into_owned())
        .collect();
    let (with_status, with_info) = (
        expand.iter().any(|v| v == "status"),
        expand.iter().any(|v| v == "info"),
    );
    let registry = app.registry();
    if !with_status && !with_info {
        let names: Vec<&String> = registry.connectors().keys().collect();
        return json_response(StatusCode::OK, &json!(names));
    }
    let mut all = Map::new();
    for (name, stored) in registry.connectors() {
        let mut entry = Map::new();
        if with_status {
            entry.insert("status".to_owned(), app.status(name, stored));
        }
        if with_info {
            entry.insert("info".to_owned(), app.info(name, stored));
        }
        all.insert(name.clone(), Value::Object(entry));
    }
    json_response(StatusCode::OK, &Value::Object(all))
}

/// `POST /connectors` `{"name", "config", "initial_state"}`: `201` with the connector
/// (no tasks yet, as Kafka Connect answers before starting them), `409` when the name is
/// taken, `400` for a body or configuration Kafka Connect refuses.
async fn create(State(app): State<App>, body: Body) -> Response {
    let body = match json_body(body).await {
        Ok(Value::Object(body)) => body,
        Ok(other) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("the request body must be a JSON object with name and config, not {other}"),
            );
        }
        Err(answer) => return answer,
    };
    let name = match body.get("name") {
        Some(Value::String(name)) => name.clone(),
        None | Some(Value::Null) => {
            return error(StatusCode::BAD_REQUEST, "Connector name is required");
        }
        Some(other) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("name must be a string, not {other}"),
            );
        }
    };
    let config = match body.get("config") {
        None | Some(Value::Null) => {
            return error(StatusCode::BAD_REQUEST, "Connector config is required");
        }
        Some(config) => match string_map(config.clone(), "config") {
            Ok(config) => config,
            Err(message) => return error(StatusCode::BAD_REQUEST, message),
        },
    };
    // KIP-980 (Kafka 3.7): a connector can be created paused or stopped.
    let state = match body.get("initial_state") {
        None | Some(Value::Null) => WorkerState::Running,
        Some(v) => match v.as_str().and_then(WorkerState::parse) {
            Some(state) => state,
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!("initial_state must be one of RUNNING, PAUSED, STOPPED, not {v}"),
                );
            }
        },
    };
    let connector = WorkerConnector::new(name, config).state(state);
    let mut registry = app.registry();
    let name = match registry.insert(connector) {
        Ok(name) => name,
        Err(Refused::Exists(message)) => return error(StatusCode::CONFLICT, message),
        Err(Refused::Invalid(message)) => return error(StatusCode::BAD_REQUEST, message),
    };
    let Some(stored) = registry.get(&name) else {
        return not_found(&name);
    };
    let mut body = app.info(&name, stored);
    body["tasks"] = json!([]);
    let mut answer = json_response(StatusCode::CREATED, &body);
    let location = format!("/connectors/{}", path_segment(&name));
    if let Ok(location) = HeaderValue::from_str(&location) {
        answer.headers_mut().insert(header::LOCATION, location);
    }
    answer
}

/// A name as one path segment: percent-encoded but for unreserved characters.
fn path_segment(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `GET /connectors/{name}`.
async fn info(State(app): State<App>, ConnectorName(name): ConnectorName) -> Response {
    let registry = app.registry();
    match registry.get(&name) {
        Some(stored) => json_response(StatusCode::OK, &app.info(&name, stored)),
        None => not_found(&name),
    }
}

/// `GET /connectors/{name}/config`: the configuration map.
async fn config(State(app): State<App>, ConnectorName(name): ConnectorName) -> Response {
    let registry = app.registry();
    match registry.get(&name) {
        Some(stored) => json_response(StatusCode::OK, &json!(stored.config)),
        None => not_found(&name),
    }
}

/// `PUT /connectors/{name}/config` (the configuration map): `201` with the connector when
/// it was created, `200` when its configuration was replaced (state and offsets kept).
async fn put_config(
    State(app): State<App>,
    ConnectorName(name): ConnectorName,
    body: Body,
) -> Response {
    let config = match json_body(body).await {
        Ok(value) => match string_map(value, "the configuration") {
            Ok(config) => config,
            Err(message) => return error(StatusCode::BAD_REQUEST, message),
        },
        Err(answer) => return answer,
    };
    let mut registry = app.registry();
    let created = match registry.put_config(&name, config) {
        Ok(created) => created,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let name = name.trim();
    let Some(stored) = registry.get(name) else {
        return not_found(name);
    };
    let mut body = app.info(name, stored);
    let status = if created {
        body["tasks"] = json!([]);
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    json_response(status, &body)
}

/// `GET /connectors/{name}/status`.
async fn status(State(app): State<App>, ConnectorName(name): ConnectorName) -> Response {
    let registry = app.registry();
    match registry.get(&name) {
        Some(stored) => json_response(StatusCode::OK, &app.status(&name, stored)),
        None => not_found(&name),
    }
}

/// `GET /connectors/{name}/offsets` (KIP-875): `{"offsets": [...]}`, what was preloaded or
/// set, in any state.
async fn offsets(State(app): State<App>, ConnectorName(name): ConnectorName) -> Response {
    match app.registry().offsets(&name) {
        Some(offsets) => json_response(StatusCode::OK, &json!({"offsets": offsets})),
        None => not_found(&name),
    }
}

/// Moves a connector to `state`: `202` with no body, as Kafka Connect answers before the
/// worker acts; here the state shows at once. Moving to the state it is in is no error.
fn transition(app: &App, name: &str, state: WorkerState) -> Response {
    if app.registry().set_state(name, state) {
        empty(StatusCode::ACCEPTED)
    } else {
        not_found(name)
    }
}

/// `PUT /connectors/{name}/stop`: `STOPPED`, with no tasks.
async fn stop(State(app): State<App>, ConnectorName(name): ConnectorName) -> Response {
    transition(&app, &name, WorkerState::Stopped)
}

/// `PUT /connectors/{name}/pause`: `PAUSED`.
async fn pause(State(app): State<App>, ConnectorName(name): ConnectorName) -> Response {
    transition(&app, &name, WorkerState::Paused)
}

/// `PUT /connectors/{name}/resume`: `RUNNING`, from paused or stopped.
async fn resume(State(app): State<App>, ConnectorName(name): ConnectorName) -> Response {
    transition(&app, &name, WorkerState::Running)
}

/// `DELETE /connectors/{name}`: `204`. The offsets stay (see the handle's `offsets`).
async fn delete(State(app): State<App>, ConnectorName(name): ConnectorName) -> Response {
    if app.registry().remove(&name) {
        empty(StatusCode::NO_CONTENT)
    } else {
        not_found(&name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_pairs_decode() {
        let mut h = HeaderMap::new();
        assert_eq!(basic_pair(&h), None);
        let token = base64::engine::general_purpose::STANDARD.encode("u:p:q");
        h.insert(
            header::AUTHORIZATION,
            format!("basic {token}").parse().unwrap(),
        );
        assert_eq!(basic_pair(&h), Some(("u".to_owned(), "p:q".to_owned())));
        h.insert(header::AUTHORIZATION, "Bearer x".parse().unwrap());
        assert_eq!(basic_pair(&h), None);
        h.insert(header::AUTHORIZATION, "Basic !!!".parse().unwrap());
        assert_eq!(basic_pair(&h), None);
    }

    #[test]
    fn locations_encode_the_name() {
        assert_eq!(path_segment("a b/c"), "a%20b%2Fc");
        assert_eq!(path_segment("orders-to-s3.v1"), "orders-to-s3.v1");
    }
}
