//! The hand-maintained specs, parsed once: operations, parameters, bodies, answers, and a
//! cached JSON Schema validator per schema.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value, json};

use super::schema::to_json_schema;

/// The hand-maintained specs: short name, label used by the crate, file.
pub const APIS: [(&str, &str, &str); 3] = [
    ("connect", "connect/v1", "openapi/connect-v1.yaml"),
    ("ccpm", "ccpm/v1", "openapi/ccpm-v1.yaml"),
    ("cam", "cam/v1", "openapi/cam-v1.yaml"),
];

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
    /// `connect`, `ccpm` or `cam`.
    pub api: &'static str,
    /// `connect/v1`, `ccpm/v1` or `cam/v1`.
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
}

/// Every spec of [`APIS`], parsed once per test binary.
pub fn specs() -> &'static [Spec; APIS.len()] {
    static SPECS: OnceLock<[Spec; APIS.len()]> = OnceLock::new();
    SPECS.get_or_init(|| {
        APIS.map(|(api, label, file)| {
            let path = format!("{}/{file}", env!("CARGO_MANIFEST_DIR"));
            let doc = load_yaml(&path).unwrap_or_else(|e| panic!("{e}"));
            Spec::new(api, label, doc)
        })
    })
}

/// The spec of `api`, named by its short name (`connect`, `ccpm`, `cam`) or its label
/// (`connect/v1`, `ccpm/v1`, `cam/v1`).
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
