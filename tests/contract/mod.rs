//! Contract checks: every request a test sends, and every answer it is given, against the
//! hand-maintained specs `openapi/connect-v1.yaml` and `openapi/ccpm-v1.yaml`.
//!
//! Put a client under contract with one line (after `mod contract;` in the test file):
//!
//! * `contract::observe(builder)`: each request is checked (path and method known, required
//!   parameters present and typed, no unknown query parameter, body valid against its schema,
//!   no property the schema does not define). Safe in every test, including tests whose
//!   server answers badly on purpose.
//! * `contract::observe_strict(builder)`: the requests, and also each answer (a declared
//!   success status, a body valid against that status's schema, JSON error bodies valid
//!   against the API's error schema), judged as the crate reads answers: enum values may
//!   be new, optional sections may be `null`. For servers that should answer like the API:
//!   the emulator, mocks answering documented bodies.
//! * `contract::client(base_url)` / `contract::strict_client(base_url)`: a ready client with
//!   the test credentials [`KEY`]/[`SECRET`] and no retries.
//!
//! A violation panics in the task that sent the request, with the operation, the request
//! line and every schema error, so the test that sent it fails.
//!
//! The OpenAPI 3.0 schemas are converted to JSON Schema 2020-12 (component refs become
//! `$defs`, `nullable` becomes a `null` type, `readOnly` properties stop being required in
//! requests) and validated by the `jsonschema` crate; nothing here validates by hand.

#![allow(dead_code)]

pub mod ops;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use ccloud_connect::observe::{RequestView, ResponseView};
use ccloud_connect::{Client, ClientBuilder, RetryPolicy};
use reqwest::Url;
use serde_json::{Map, Value, json};

/// The API key of [`client`] and [`strict_client`].
pub const KEY: &str = "CONTRACTKEY";
/// The API secret of [`client`] and [`strict_client`] (long enough to be scrubbed from answers).
pub const SECRET: &str = "contract-secret/0123456789+abcdef";

/// The hand-maintained specs: short name, label used by the crate, file.
pub const APIS: [(&str, &str, &str); 2] = [
    ("connect", "connect/v1", "openapi/connect-v1.yaml"),
    ("ccpm", "ccpm/v1", "openapi/ccpm-v1.yaml"),
];

static REQUESTS_CHECKED: AtomicUsize = AtomicUsize::new(0);
static RESPONSES_CHECKED: AtomicUsize = AtomicUsize::new(0);

/// How many requests and answers the observers of this test binary have checked so far.
pub fn checks_done() -> (usize, usize) {
    (
        REQUESTS_CHECKED.load(Ordering::Relaxed),
        RESPONSES_CHECKED.load(Ordering::Relaxed),
    )
}

/// Which side of an exchange a schema describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// What this client sends: `readOnly` properties are not required, and no property the
    /// schema does not define may appear (the client builds every request from the spec).
    Request,
    /// A request judged as the server judges it: like [`Direction::Request`], but
    /// properties the schema does not define are allowed (the usage guide's examples).
    OpenRequest,
    /// An answer: `writeOnly` properties are not required, unknown properties allowed.
    Response,
}

/// One parsed spec.
pub struct Spec {
    /// `connect` or `ccpm`.
    pub api: &'static str,
    /// `connect/v1` or `ccpm/v1`.
    pub label: &'static str,
    /// The whole document, as JSON.
    pub doc: Value,
    /// Every operation, in document order.
    pub operations: Vec<Operation>,
    defs: Mutex<HashMap<Direction, Arc<Value>>>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

/// One operation of a spec.
#[derive(Clone, Debug)]
pub struct Operation {
    pub api: &'static str,
    pub id: String,
    /// Upper case, e.g. `GET`.
    pub method: String,
    /// The path template, e.g. `/ccpm/v1/plugins/{id}`.
    pub path: String,
    /// Path-level and operation-level parameters, refs resolved.
    pub params: Vec<Param>,
    pub body: Option<RequestBody>,
    /// Status (`"200"`, `"default"`) to the OpenAPI schema of its JSON content, `None` when
    /// the status has no content.
    pub responses: BTreeMap<String, Option<Value>>,
}

/// One parameter of an operation.
#[derive(Clone, Debug)]
pub struct Param {
    pub name: String,
    /// `path`, `query` or `header`.
    pub location: String,
    pub required: bool,
    /// The OpenAPI schema.
    pub schema: Value,
}

/// The request body of an operation.
#[derive(Clone, Debug)]
pub struct RequestBody {
    pub required: bool,
    /// The OpenAPI schema of the JSON content.
    pub schema: Value,
}

impl Operation {
    /// The operation's path parameters in template order.
    pub fn path_params(&self) -> Vec<&str> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect()
    }

    /// The success statuses the spec declares.
    pub fn success_statuses(&self) -> Vec<u16> {
        self.responses
            .keys()
            .filter_map(|s| s.parse::<u16>().ok())
            .filter(|s| (200..300).contains(s))
            .collect()
    }

    /// `METHOD /path`, for messages.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Both specs, parsed once per test binary.
pub fn specs() -> &'static [Spec; 2] {
    static SPECS: OnceLock<[Spec; 2]> = OnceLock::new();
    SPECS.get_or_init(|| {
        APIS.map(|(api, label, file)| {
            let path = format!("{}/{file}", env!("CARGO_MANIFEST_DIR"));
            let doc = load_yaml(&path).unwrap_or_else(|e| panic!("{e}"));
            Spec::new(api, label, doc)
        })
    })
}

/// The spec of `api`, named `connect`, `ccpm`, `connect/v1` or `ccpm/v1`.
pub fn spec(api: &str) -> &'static Spec {
    specs()
        .iter()
        .find(|s| s.api == api || s.label == api)
        .unwrap_or_else(|| panic!("no spec for API {api:?}"))
}

/// The operation `id` of `api`.
pub fn operation(api: &str, id: &str) -> &'static Operation {
    spec(api).operation(id)
}

/// Reads a YAML file as JSON (mapping keys become strings, as in any OpenAPI document).
pub fn load_yaml(path: &str) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("reading {path}: {e}"))?;
    let yaml: serde_norway::Value =
        serde_norway::from_str(&text).map_err(|e| format!("parsing {path}: {e}"))?;
    Ok(yaml_to_json(yaml))
}

fn yaml_to_json(v: serde_norway::Value) -> Value {
    use serde_norway::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                json!(i)
            } else if let Some(u) = n.as_u64() {
                json!(u)
            } else {
                json!(n.as_f64())
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match yaml_to_json(k) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

/// The target of a local `$ref` (`#/components/...`).
pub fn resolve_ref<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

/// `value` with a local `$ref` followed (repeatedly).
pub fn deref<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) => match resolve_ref(doc, r) {
                Some(target) => value = target,
                None => return value,
            },
            None => return value,
        }
    }
    value
}

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "patch", "head", "options"];

impl Spec {
    fn new(api: &'static str, label: &'static str, doc: Value) -> Spec {
        let mut operations = Vec::new();
        let paths = doc["paths"].as_object().cloned().unwrap_or_default();
        for (path, item) in &paths {
            let shared: Vec<Value> = item["parameters"].as_array().cloned().unwrap_or_default();
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let mut params: Vec<Param> = Vec::new();
                let own: Vec<Value> = op["parameters"].as_array().cloned().unwrap_or_default();
                for raw in shared.iter().chain(own.iter()) {
                    let p = deref(&doc, raw);
                    let param = Param {
                        name: p["name"].as_str().unwrap_or_default().to_owned(),
                        location: p["in"].as_str().unwrap_or_default().to_owned(),
                        required: p["required"].as_bool().unwrap_or(false),
                        schema: p.get("schema").cloned().unwrap_or(json!({})),
                    };
                    // An operation-level parameter overrides a path-level one.
                    params.retain(|q| !(q.name == param.name && q.location == param.location));
                    params.push(param);
                }
                let body = op.get("requestBody").map(|b| {
                    let b = deref(&doc, b);
                    RequestBody {
                        required: b["required"].as_bool().unwrap_or(false),
                        schema: b["content"]["application/json"]["schema"].clone(),
                    }
                });
                let mut responses = BTreeMap::new();
                if let Some(map) = op["responses"].as_object() {
                    for (status, r) in map {
                        let r = deref(&doc, r);
                        let schema = r
                            .get("content")
                            .and_then(|c| c.get("application/json"))
                            .and_then(|c| c.get("schema"))
                            .cloned();
                        responses.insert(status.clone(), schema);
                    }
                }
                operations.push(Operation {
                    api,
                    id: op["operationId"].as_str().unwrap_or_default().to_owned(),
                    method: method.to_ascii_uppercase(),
                    path: path.clone(),
                    params,
                    body,
                    responses,
                });
            }
        }
        Spec {
            api,
            label,
            doc,
            operations,
            defs: Mutex::new(HashMap::new()),
            validators: Mutex::new(HashMap::new()),
        }
    }

    /// The operation `id`; panics when the spec has none.
    pub fn operation(&self, id: &str) -> &Operation {
        self.operations
            .iter()
            .find(|o| o.id == id)
            .unwrap_or_else(|| panic!("{} has no operation {id:?}", self.label))
    }

    /// The schema of the API's shared error answer (`#/components/responses/Error`).
    pub fn error_schema(&self) -> Value {
        self.doc["components"]["responses"]["Error"]["content"]["application/json"]["schema"]
            .clone()
    }

    /// Every component schema, converted for `dir`, as a `$defs` object.
    fn defs(&self, dir: Direction) -> Arc<Value> {
        let mut cache = self.defs.lock().unwrap();
        cache
            .entry(dir)
            .or_insert_with(|| {
                let mut defs = Map::new();
                if let Some(schemas) = self.doc["components"]["schemas"].as_object() {
                    for (name, schema) in schemas {
                        defs.insert(name.clone(), to_json_schema(&self.doc, schema, dir));
                    }
                }
                Arc::new(Value::Object(defs))
            })
            .clone()
    }

    /// A validator of `schema` (an OpenAPI schema of this spec) for `dir`, cached by `key`.
    pub fn validator(
        &self,
        key: &str,
        schema: &Value,
        dir: Direction,
    ) -> Arc<jsonschema::Validator> {
        let key = format!("{dir:?}|{key}");
        if let Some(v) = self.validators.lock().unwrap().get(&key) {
            return v.clone();
        }
        let mut root = match to_json_schema(&self.doc, schema, dir) {
            Value::Object(map) => map,
            other => panic!("schema {key} is not an object: {other}"),
        };
        root.insert("$defs".into(), (*self.defs(dir)).clone());
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&Value::Object(root))
            .unwrap_or_else(|e| panic!("{} schema {key} does not compile: {e}", self.label));
        let validator = Arc::new(validator);
        self.validators
            .lock()
            .unwrap()
            .insert(key, validator.clone());
        validator
    }

    /// Every schema error of `instance` against `schema`, as `pointer: message` lines.
    pub fn validate(
        &self,
        key: &str,
        schema: &Value,
        dir: Direction,
        instance: &Value,
    ) -> Vec<String> {
        let validator = self.validator(key, schema, dir);
        validator
            .iter_errors(instance)
            .map(|e| format!("{}: {e}", pointer_or_root(e.instance_path().as_str())))
            .collect()
    }
}

fn pointer_or_root(p: &str) -> &str {
    if p.is_empty() { "(body)" } else { p }
}

/// Converts an OpenAPI 3.0 schema to JSON Schema 2020-12 (refs point into `$defs`).
pub fn to_json_schema(doc: &Value, schema: &Value, dir: Direction) -> Value {
    let Some(obj) = schema.as_object() else {
        return schema.clone();
    };
    if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
        // OpenAPI 3.0 ignores the siblings of a $ref.
        let name = r.rsplit('/').next().unwrap_or_default();
        return json!({ "$ref": format!("#/$defs/{name}") });
    }
    let mut out = Map::new();
    for (k, v) in obj {
        match k.as_str() {
            "nullable" | "example" | "discriminator" | "xml" | "externalDocs" | "deprecated" => {}
            k if k.starts_with("x-") => {}
            "properties" => {
                let required = |name: &str| {
                    obj.get("required")
                        .and_then(Value::as_array)
                        .is_some_and(|r| r.iter().any(|n| n == name))
                };
                let props = v
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(name, s)| {
                                let converted = to_json_schema(doc, s, dir);
                                // OpenAPI 3.0 cannot mark a `$ref` nullable; answers may send
                                // `null` for an optional section (openapi/README.md), which
                                // the crate decodes as absent.
                                let nullable_ref = dir == Direction::Response
                                    && s.get("$ref").is_some()
                                    && !required(name);
                                let converted = if nullable_ref {
                                    json!({ "anyOf": [converted, { "type": "null" }] })
                                } else {
                                    converted
                                };
                                (name.clone(), converted)
                            })
                            .collect::<Map<_, _>>()
                    })
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Object(props));
            }
            // Every enum of these specs is open (`x-extensible-enum` published): an answer
            // may carry a value added later, which the crate decodes as `Unknown`. What the
            // client sends stays within the known values.
            "enum" if dir == Direction::Response => {}
            "items" | "not" => {
                out.insert(k.clone(), to_json_schema(doc, v, dir));
            }
            "additionalProperties" => {
                out.insert(
                    k.clone(),
                    if v.is_object() {
                        to_json_schema(doc, v, dir)
                    } else {
                        v.clone()
                    },
                );
            }
            "allOf" | "oneOf" | "anyOf" => {
                let parts = v
                    .as_array()
                    .map(|a| a.iter().map(|s| to_json_schema(doc, s, dir)).collect())
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Array(parts));
            }
            "required" => {
                // A readOnly property is only required of answers, a writeOnly one only of
                // requests.
                let props = obj.get("properties").and_then(Value::as_object);
                let kept: Vec<Value> = v
                    .as_array()
                    .map(|names| {
                        names
                            .iter()
                            .filter(|n| {
                                let Some(p) = n.as_str().and_then(|n| props?.get(n)) else {
                                    return true;
                                };
                                let p = deref(doc, p);
                                let flag = match dir {
                                    Direction::Request | Direction::OpenRequest => "readOnly",
                                    Direction::Response => "writeOnly",
                                };
                                !p[flag].as_bool().unwrap_or(false)
                            })
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Array(kept));
            }
            "exclusiveMinimum" | "exclusiveMaximum" if v.is_boolean() => {
                // OpenAPI 3.0 (draft 4) booleans become 2020-12 numeric bounds.
                let bound = if k == "exclusiveMinimum" {
                    "minimum"
                } else {
                    "maximum"
                };
                if let (Some(true), Some(limit)) = (v.as_bool(), obj.get(bound)) {
                    out.insert(k.clone(), limit.clone());
                }
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    for bound in ["exclusiveMinimum", "exclusiveMaximum"] {
        if obj.get(bound).and_then(Value::as_bool) == Some(true) {
            out.remove(if bound == "exclusiveMinimum" {
                "minimum"
            } else {
                "maximum"
            });
        }
    }
    if obj.get("nullable").and_then(Value::as_bool) == Some(true) {
        match out.get_mut("type") {
            Some(Value::String(t)) => {
                let t = t.clone();
                out.insert("type".into(), json!([t, "null"]));
                if let Some(Value::Array(values)) = out.get_mut("enum") {
                    values.push(Value::Null);
                }
            }
            _ => return json!({ "anyOf": [Value::Object(out), { "type": "null" }] }),
        }
    }
    // The client builds every request: a property its schema does not define is a
    // contract violation (answers stay open for forward compatibility).
    if dir == Direction::Request
        && out.contains_key("properties")
        && !out.contains_key("additionalProperties")
    {
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    Value::Object(out)
}

// ------------------------------------------------------------------ requests

/// The operation a request line addresses, and its decoded path parameters.
pub struct Matched {
    pub op: &'static Operation,
    pub path_values: Vec<(String, String)>,
}

/// Finds the operation for `method` and `path` (percent-encoded, relative to the base URL):
/// literal segments equal, each parameter exactly one non-empty segment.
pub fn match_operation(method: &str, path: &str) -> Result<Matched, String> {
    let segments: Vec<&str> = path.split('/').collect();
    let mut path_known = false;
    let mut best: Option<(usize, &'static Operation)> = None;
    for spec in specs() {
        for op in &spec.operations {
            let template: Vec<&str> = op.path.split('/').collect();
            if template.len() != segments.len() {
                continue;
            }
            let mut literals = 0;
            let fits = template.iter().zip(&segments).all(|(t, s)| {
                if t.starts_with('{') && t.ends_with('}') {
                    !s.is_empty()
                } else {
                    literals += 1;
                    t == s
                }
            });
            if !fits {
                continue;
            }
            path_known = true;
            if op.method.eq_ignore_ascii_case(method) && best.is_none_or(|(n, _)| literals > n) {
                best = Some((literals, op));
            }
        }
    }
    let Some((_, op)) = best else {
        return Err(if path_known {
            format!("{method} is not an operation of {path}")
        } else {
            format!("no operation has the path {path}")
        });
    };
    let template: Vec<&str> = op.path.split('/').collect();
    let mut path_values = Vec::new();
    for (t, s) in template.iter().zip(&segments) {
        if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            let value = percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map_err(|_| format!("path parameter {name} ({s}) is not UTF-8 once decoded"))?;
            path_values.push((name.to_owned(), value.into_owned()));
        }
    }
    Ok(Matched { op, path_values })
}

/// A request as the checker sees it.
pub struct SentRequest<'a> {
    pub method: &'a str,
    /// The request URL.
    pub url: &'a Url,
    /// The base URL the operation paths are relative to.
    pub base: &'a Url,
    pub content_type: Option<&'a str>,
    pub body: Option<&'a [u8]>,
}

/// Checks one request against the specs; returns the operation or every violation.
pub fn check_request(req: &SentRequest<'_>) -> Result<&'static Operation, Vec<String>> {
    let stem = req.base.path().trim_end_matches('/');
    let Some(path) = req.url.path().strip_prefix(stem) else {
        return Err(vec![format!(
            "{} is not under the base URL {}",
            req.url.path(),
            req.base
        )]);
    };
    let matched = match_operation(req.method, path).map_err(|e| vec![e])?;
    let op = matched.op;
    let spec = spec(op.api);
    let mut errors = Vec::new();

    for (name, value) in &matched.path_values {
        if let Some(param) = op
            .params
            .iter()
            .find(|p| p.location == "path" && &p.name == name)
        {
            errors.extend(check_param(spec, op, param, value));
        } else {
            errors.push(format!("path parameter {name} is not declared"));
        }
    }

    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (name, value) in req.url.query_pairs() {
        *seen.entry(name.to_string()).or_default() += 1;
        match op
            .params
            .iter()
            .find(|p| p.location == "query" && p.name == name)
        {
            Some(param) => errors.extend(check_param(spec, op, param, &value)),
            None => errors.push(format!("query parameter {name:?} is not declared")),
        }
    }
    for (name, count) in &seen {
        if *count > 1 {
            errors.push(format!("query parameter {name:?} is sent {count} times"));
        }
    }
    for p in op.params.iter().filter(|p| p.required) {
        let present = match p.location.as_str() {
            "query" => seen.contains_key(&p.name),
            "path" => matched.path_values.iter().any(|(n, _)| n == &p.name),
            // Header and cookie parameters are not part of these specs.
            _ => true,
        };
        if !present {
            errors.push(format!(
                "required {} parameter {} is missing",
                p.location, p.name
            ));
        }
    }

    let body = req.body.filter(|b| !b.is_empty());
    match (&op.body, body) {
        (Some(declared), None) if declared.required => {
            errors.push("the required request body is missing".into());
        }
        (Some(declared), Some(bytes)) => {
            if !req
                .content_type
                .is_some_and(|c| c.to_ascii_lowercase().starts_with("application/json"))
            {
                errors.push(format!(
                    "a JSON body is sent with content-type {:?}",
                    req.content_type
                ));
            }
            match serde_json::from_slice::<Value>(bytes) {
                Ok(json) => errors.extend(
                    spec.validate(
                        &format!("{}:request", op.id),
                        &declared.schema,
                        Direction::Request,
                        &json,
                    )
                    .into_iter()
                    .map(|e| format!("request body {e}")),
                ),
                Err(e) => errors.push(format!("the request body is not JSON: {e}")),
            }
        }
        (None, Some(bytes)) => errors.push(format!(
            "the operation takes no body but {} bytes are sent",
            bytes.len()
        )),
        _ => {}
    }

    if errors.is_empty() {
        Ok(op)
    } else {
        Err(errors)
    }
}

fn check_param(spec: &Spec, op: &Operation, param: &Param, raw: &str) -> Vec<String> {
    let schema = deref(&spec.doc, &param.schema);
    let value = match schema["type"].as_str() {
        Some("integer") => match raw.parse::<i64>() {
            Ok(n) => json!(n),
            Err(_) => {
                return vec![format!(
                    "{} parameter {} = {raw:?} is not an integer",
                    param.location, param.name
                )];
            }
        },
        Some("number") => match raw.parse::<f64>() {
            Ok(n) => json!(n),
            Err(_) => {
                return vec![format!(
                    "{} parameter {} = {raw:?} is not a number",
                    param.location, param.name
                )];
            }
        },
        Some("boolean") => match raw {
            "true" => json!(true),
            "false" => json!(false),
            _ => {
                return vec![format!(
                    "{} parameter {} = {raw:?} is not a boolean",
                    param.location, param.name
                )];
            }
        },
        Some("string") | None => json!(raw),
        Some(other) => {
            return vec![format!(
                "{} parameter {} has type {other}, which the checker does not read",
                param.location, param.name
            )];
        }
    };
    spec.validate(
        &format!("{}:{}:{}", op.id, param.location, param.name),
        &param.schema,
        Direction::Request,
        &value,
    )
    .into_iter()
    .map(|e| format!("{} parameter {} = {raw:?}: {e}", param.location, param.name))
    .collect()
}

// ------------------------------------------------------------------ answers

/// Checks an answer of operation `id` of `api` (`connect`, `ccpm` or their labels).
///
/// A success status must be declared, its body valid against that status's schema (or
/// empty when the status has no content). An error status's JSON body must match the
/// declared schema, or the API's shared error schema when the status is not declared
/// (429 never is). A JSON body must not come with another content type. Answers are judged
/// as the crate reads them: enum values may be new, an optional `$ref` section may be
/// `null`.
pub fn check_response(
    api: &str,
    id: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Vec<String> {
    let spec = spec(api);
    let op = spec.operation(id);
    let declared = op
        .responses
        .get(&status.to_string())
        .or_else(|| op.responses.get("default"));
    let success = (200..300).contains(&status);
    let empty = body.iter().all(u8::is_ascii_whitespace);
    let schema = match declared {
        Some(schema) => schema.clone(),
        None if success => {
            return vec![format!(
                "status {status} is not declared for {} (declared: {:?})",
                op.id,
                op.responses.keys().collect::<Vec<_>>()
            )];
        }
        None if status == 429 && empty => return Vec::new(),
        None => Some(spec.error_schema()),
    };
    let Some(schema) = schema else {
        return if empty {
            Vec::new()
        } else {
            vec![format!(
                "status {status} of {} has no content in the spec, but {} bytes were answered",
                op.id,
                body.len()
            )]
        };
    };
    let mut errors = Vec::new();
    // A missing content type is tolerated (the crate decodes by the spec, and mock servers
    // often leave it out); a different one means the body is something else.
    if content_type.is_some_and(|c| !c.to_ascii_lowercase().starts_with("application/json")) {
        errors.push(format!(
            "a JSON answer comes with content-type {content_type:?}"
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(json) => errors.extend(
            spec.validate(
                &format!("{}:{status}", op.id),
                &schema,
                Direction::Response,
                &json,
            )
            .into_iter()
            .map(|e| format!("answer body {e}")),
        ),
        Err(e) => errors.push(format!("the {status} answer is not JSON: {e}")),
    }
    errors
}

/// Checks a JSON body of operation `id` of `api`: a request body, or the answer of `status`.
pub fn check_body(
    api: &str,
    id: &str,
    dir: Direction,
    status: Option<u16>,
    body: &Value,
) -> Vec<String> {
    let spec = spec(api);
    let op = spec.operation(id);
    let (key, schema) = match dir {
        Direction::Request | Direction::OpenRequest => match &op.body {
            Some(b) => (format!("{}:request", op.id), b.schema.clone()),
            None => return vec![format!("{} takes no request body", op.id)],
        },
        Direction::Response => {
            let status = status.unwrap_or_else(|| op.success_statuses()[0]);
            match op.responses.get(&status.to_string()) {
                Some(Some(schema)) => (format!("{}:{status}", op.id), schema.clone()),
                Some(None) => return vec![format!("status {status} of {} has no content", op.id)],
                None => return vec![format!("status {status} is not declared for {}", op.id)],
            }
        }
    };
    spec.validate(&key, &schema, dir, body)
}

// ------------------------------------------------------------------ clients

fn request_violation(view: &RequestView<'_>) -> Option<String> {
    REQUESTS_CHECKED.fetch_add(1, Ordering::Relaxed);
    let sent = SentRequest {
        method: view.method.as_str(),
        url: view.url,
        base: view.base_url,
        content_type: view
            .headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        body: view.body,
    };
    match check_request(&sent) {
        Ok(op) if op.id != view.operation => Some(format!(
            "{} {} was sent by operation {} but is the path of {}",
            view.method,
            view.url.path(),
            view.operation,
            op.id
        )),
        Ok(_) => None,
        Err(errors) => Some(format!(
            "contract violation: {} {} sent {} {}:\n  - {}",
            view.api,
            view.operation,
            view.method,
            view.url,
            errors.join("\n  - ")
        )),
    }
}

fn response_violation(view: &ResponseView<'_>) -> Option<String> {
    RESPONSES_CHECKED.fetch_add(1, Ordering::Relaxed);
    let content_type = view
        .headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let errors = check_response(
        view.api,
        view.operation,
        view.status.as_u16(),
        content_type,
        view.body,
    );
    (!errors.is_empty()).then(|| {
        format!(
            "contract violation: {} {} ({} {}) was answered {}:\n  - {}\n  body: {}",
            view.api,
            view.operation,
            view.method,
            view.url,
            view.status,
            errors.join("\n  - "),
            String::from_utf8_lossy(&view.body[..view.body.len().min(2000)])
        )
    })
}

/// `builder` with every request checked against the specs; a violation panics.
pub fn observe(builder: ClientBuilder) -> ClientBuilder {
    builder.on_request(|view| {
        if let Some(message) = request_violation(view) {
            panic!("{message}");
        }
    })
}

/// `builder` with every request and every answer checked against the specs.
pub fn observe_strict(builder: ClientBuilder) -> ClientBuilder {
    observe(builder).on_response(|view| {
        if let Some(message) = response_violation(view) {
            panic!("{message}");
        }
    })
}

/// `builder` with every request and answer checked, violations collected in the returned
/// list instead of panicking (for tests that check the checker).
pub fn observe_collecting(builder: ClientBuilder) -> (ClientBuilder, Arc<Mutex<Vec<String>>>) {
    let found = Arc::new(Mutex::new(Vec::new()));
    let (requests, responses) = (found.clone(), found.clone());
    let builder = builder
        .on_request(move |view| {
            if let Some(m) = request_violation(view) {
                requests.lock().unwrap().push(m);
            }
        })
        .on_response(move |view| {
            if let Some(m) = response_violation(view) {
                responses.lock().unwrap().push(m);
            }
        });
    (builder, found)
}

fn test_builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .credentials(KEY, SECRET)
        .base_url(base_url)
        .retry(RetryPolicy::none())
}

/// A client for `base_url` whose requests are checked.
pub fn client(base_url: &str) -> Client {
    observe(test_builder(base_url))
        .build()
        .expect("test client")
}

/// A client for `base_url` whose requests and answers are checked.
pub fn strict_client(base_url: &str) -> Client {
    observe_strict(test_builder(base_url))
        .build()
        .expect("test client")
}

// ------------------------------------------------------------------ samples

/// A JSON value valid against `schema` (an OpenAPI schema of `api`) for `dir`: every
/// property present, one item per array, one entry per map, the first enum value, the
/// first `oneOf` alternative.
pub fn sample(api: &str, schema: &Value, dir: Direction) -> Value {
    let spec = spec(api);
    sample_of(&spec.doc, schema, dir, 0).unwrap_or(Value::Null)
}

/// A valid request body of operation `id`.
pub fn sample_request(api: &str, id: &str) -> Value {
    let op = operation(api, id);
    let body = op
        .body
        .as_ref()
        .unwrap_or_else(|| panic!("{id} takes no body"));
    sample(api, &body.schema, Direction::Request)
}

/// The first declared success status of operation `id` and a valid body for it (`None`
/// when the status has no content).
pub fn sample_response(api: &str, id: &str) -> (u16, Option<Value>) {
    let op = operation(api, id);
    let status = op.success_statuses()[0];
    let body = op.responses[&status.to_string()]
        .as_ref()
        .map(|schema| sample(api, schema, Direction::Response));
    (status, body)
}

fn sample_of(doc: &Value, schema: &Value, dir: Direction, depth: usize) -> Option<Value> {
    if depth > 12 {
        return None;
    }
    let s = deref(doc, schema);
    if let Some(values) = s["enum"].as_array() {
        return values.first().cloned();
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = s[key].as_array().and_then(|a| a.first()) {
            return sample_of(doc, first, dir, depth + 1);
        }
    }
    if let Some(parts) = s["allOf"].as_array() {
        let mut merged = Map::new();
        for part in parts {
            if let Some(Value::Object(m)) = sample_of(doc, part, dir, depth + 1) {
                merged.extend(m);
            }
        }
        return Some(Value::Object(merged));
    }
    let ty = s["type"]
        .as_str()
        .unwrap_or(if s.get("properties").is_some() {
            "object"
        } else {
            ""
        });
    Some(match ty {
        "object" => {
            let mut out = Map::new();
            if let Some(props) = s["properties"].as_object() {
                for (name, p) in props {
                    if dir != Direction::Response
                        && deref(doc, p)["readOnly"].as_bool() == Some(true)
                    {
                        continue;
                    }
                    if let Some(v) = sample_of(doc, p, dir, depth + 1) {
                        out.insert(name.clone(), v);
                    }
                }
            }
            match &s["additionalProperties"] {
                Value::Object(m) if !m.is_empty() => {
                    if let Some(v) = sample_of(doc, &s["additionalProperties"], dir, depth + 1) {
                        out.insert("sample.key".into(), v);
                    }
                }
                _ => {}
            }
            Value::Object(out)
        }
        "array" => {
            let n = s["minItems"].as_u64().unwrap_or(1).max(1);
            let item = sample_of(doc, &s["items"], dir, depth + 1)?;
            Value::Array(vec![item; n as usize])
        }
        "string" => json!(match s["format"].as_str() {
            Some("date-time") => "2026-01-02T03:04:05Z",
            Some("date") => "2026-01-02",
            Some("uri") => "https://api.confluent.cloud/sample",
            Some("uuid") => "00000000-0000-4000-8000-000000000000",
            _ => "sample",
        }),
        "integer" => json!(s["minimum"].as_i64().unwrap_or(1)),
        "number" => json!(1.5),
        "boolean" => json!(true),
        _ => json!({}),
    })
}
