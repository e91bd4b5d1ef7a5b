//! What the spec says that progenitor's output does not carry: the named string enums, and
//! the parameters each facade method checks before sending.

use std::collections::BTreeMap;

use serde_norway::Value;

/// A named component schema that is a string enum.
pub(crate) struct EnumSchema {
    /// The values, in spec order.
    pub(crate) values: Vec<String>,
    /// The schema's description; empty when it has none.
    pub(crate) description: String,
}

/// Every named component schema that is a string enum, by name.
///
/// Fails on an inline enum: progenitor would make it a closed Rust enum that refuses values
/// the API adds later, and only named schemas are replaced by open enums.
pub(crate) fn enums(doc: &Value) -> Result<BTreeMap<String, EnumSchema>, String> {
    let mut enums = BTreeMap::new();
    let Some(schemas) = doc
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_mapping)
    else {
        return Ok(enums);
    };
    for (name, schema) in schemas {
        let name = name.as_str().ok_or("schema name is not a string")?;
        let Some(values) = schema.get("enum").and_then(Value::as_sequence) else {
            continue;
        };
        let values = values
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or(format!("enum {name}: only string values are supported"))?;
        let description = schema
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        enums.insert(
            name.to_owned(),
            EnumSchema {
                values,
                description,
            },
        );
    }
    check_no_inline_enum(doc.get("paths"), "paths")?;
    for (name, schema) in schemas {
        let at = name.as_str().unwrap_or("?");
        check_no_inline_enum(schema.get("properties"), at)?;
        check_no_inline_enum(schema.get("items"), at)?;
    }
    Ok(enums)
}

fn check_no_inline_enum(value: Option<&Value>, at: &str) -> Result<(), String> {
    match value {
        Some(Value::Mapping(map)) => {
            if map.contains_key("enum") {
                return Err(format!(
                    "inline enum under {at}: move it to a named component schema"
                ));
            }
            for (k, v) in map {
                check_no_inline_enum(Some(v), &format!("{at}.{}", k.as_str().unwrap_or("?")))?;
            }
            Ok(())
        }
        Some(Value::Sequence(seq)) => seq
            .iter()
            .try_for_each(|v| check_no_inline_enum(Some(v), at)),
        _ => Ok(()),
    }
}

/// The parameters of one operation that the facade checks before sending, by the names
/// progenitor gives them.
#[derive(Clone, Default)]
pub(crate) struct Checks {
    /// Path parameters, in path order.
    pub(crate) path: Vec<String>,
    /// Required string query parameters (an empty one would be sent as `name=`), as
    /// (name on the wire, name progenitor gives the argument): errors name the first
    /// (`spec.cloud`), the code reads the second (`spec_cloud`).
    pub(crate) required_query: Vec<(String, String)>,
    /// Whether the operation takes `page_size`, which the API bounds.
    pub(crate) page_size: bool,
    /// Parameters that take a Confluent id, with the `IdKind` variant (src/http/ids.rs)
    /// their prefix must not contradict.
    pub(crate) ids: Vec<(String, &'static str)>,
}

/// The kind of id a path parameter takes, from the collection segment before it
/// (`/environments/{environment_id}`); `None` for names and other values.
fn path_id_kind(collection: &str) -> Option<&'static str> {
    match collection {
        "environments" => Some("Environment"),
        "clusters" => Some("KafkaCluster"),
        "custom-connector-plugins" | "plugins" => Some("CustomPlugin"),
        "versions" => Some("PluginVersion"),
        _ => None,
    }
}

/// The kind of id a query parameter takes, by its name.
fn query_id_kind(name: &str) -> Option<&'static str> {
    (name == "environment").then_some("Environment")
}

/// operationId -> the parameters its facade method checks.
pub(crate) fn checks(doc: &Value) -> Result<BTreeMap<String, Checks>, String> {
    let mut out = BTreeMap::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_mapping)
        .ok_or("spec has no paths")?;
    let shared = doc.get("components").and_then(|c| c.get("parameters"));
    let resolve = |p: &Value| -> Option<Value> {
        match p.get("$ref").and_then(Value::as_str) {
            Some(r) => shared?
                .get(r.strip_prefix("#/components/parameters/")?)
                .cloned(),
            None => Some(p.clone()),
        }
    };
    for (path, item) in paths {
        let path = path.as_str().ok_or("path is not a string")?;
        let names: Vec<String> = path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split('}').next())
            .map(str::to_owned)
            .collect();
        let Some(item) = item.as_mapping() else {
            continue;
        };
        let path_level = item
            .get("parameters")
            .and_then(Value::as_sequence)
            .cloned()
            .unwrap_or_default();
        for (method, op) in item {
            if !matches!(
                method.as_str(),
                Some("get" | "put" | "post" | "delete" | "patch")
            ) {
                continue;
            }
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or(format!("{path}: operation without operationId"))?;
            let op_level = op
                .get("parameters")
                .and_then(Value::as_sequence)
                .cloned()
                .unwrap_or_default();
            let mut required_query = Vec::new();
            let mut page_size = false;
            let mut ids: Vec<(String, &'static str)> = path
                .split('/')
                .collect::<Vec<_>>()
                .windows(2)
                .filter_map(|pair| {
                    let param = pair[1].strip_prefix('{')?.strip_suffix('}')?;
                    Some((param.to_owned(), path_id_kind(pair[0])?))
                })
                .collect();
            for p in path_level.iter().chain(&op_level) {
                let p = resolve(p).ok_or(format!("{id}: unresolved parameter reference"))?;
                let is = |k: &str, v: &str| p.get(k).and_then(Value::as_str) == Some(v);
                let required = p.get("required").and_then(Value::as_bool) == Some(true);
                let string = p
                    .get("schema")
                    .and_then(|s| s.get("type"))
                    .and_then(Value::as_str)
                    == Some("string");
                page_size |= is("in", "query") && is("name", "page_size");
                if is("in", "query") && required && string {
                    let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
                    required_query.push((name.to_owned(), rust_ident(name)));
                    if let Some(kind) = query_id_kind(name) {
                        ids.push((rust_ident(name), kind));
                    }
                }
            }
            let checks = Checks {
                path: names.clone(),
                required_query,
                page_size,
                ids,
            };
            out.insert(id.to_owned(), checks);
        }
    }
    Ok(out)
}

/// The Rust name progenitor gives a parameter (`spec.cloud` -> `spec_cloud`).
fn rust_ident(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}
