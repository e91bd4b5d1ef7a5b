//! Drift check: the hand-maintained specs (`openapi/*.yaml`) against Confluent's published
//! ones (`../shared/reference/official-spec/*.yaml`, or `CCLOUD_CONNECT_OFFICIAL_SPEC_DIR`).
//!
//! Operations are matched by method and path, then compared by their parameters (name,
//! location, required, type) and the shapes of their request body and success answers:
//! property names and types, recursively, with `$ref`s resolved and `allOf` merged, so a
//! renamed schema is no difference but a new, removed or retyped field is. Every difference
//! must be listed as deliberate in a ```` ```drift ```` block of `openapi/README.md`, and
//! every listed entry must still occur; the test prints the lines to add or remove.
//!
//! Without the published specs (a user's checkout) the test is skipped with a message;
//! CI sets `CCLOUD_CONNECT_REQUIRE_DRIFT_CHECK=1`, which turns their absence into a failure.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::support::contract;

/// Our spec file, and the published files it covers.
const PAIRS: [(&str, &str, &[&str]); 3] = [
    (
        "connect-v1",
        "openapi/connect-v1.yaml",
        &["connect-v1.yaml", "connect-custom-plugin-v1.yaml"],
    ),
    ("ccpm-v1", "openapi/ccpm-v1.yaml", &["ccpm-v1.yaml"]),
    ("cam-v1", "openapi/cam-v1.yaml", &["cam-v1.yaml"]),
];

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "patch", "head", "options"];

/// One operation, with the document its refs resolve in.
struct Op<'a> {
    doc: &'a Value,
    id: String,
    params: Vec<Value>,
    body: Option<Value>,
    /// Success status to its JSON schema (`None`: no content).
    success: BTreeMap<String, Option<Value>>,
}

fn operations(doc: &Value) -> BTreeMap<(String, String), Op<'_>> {
    let mut out: BTreeMap<(String, String), Op<'_>> = BTreeMap::new();
    let Some(paths) = doc["paths"].as_object() else {
        return out;
    };
    for (raw_path, item) in paths {
        // A published path key may carry a literal query (`.../connectors?expand=...`): it
        // is the same operation as the bare path, with that query parameter.
        let path = raw_path.split('?').next().unwrap_or(raw_path).to_owned();
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let mut params: Vec<Value> = item["parameters"].as_array().cloned().unwrap_or_default();
            for p in op["parameters"].as_array().cloned().unwrap_or_default() {
                let p = contract::deref(doc, &p).clone();
                params.retain(|q| {
                    let q = contract::deref(doc, q);
                    !(q["name"] == p["name"] && q["in"] == p["in"])
                });
                params.push(p);
            }
            let mut params: Vec<Value> = params
                .iter()
                .map(|p| contract::deref(doc, p).clone())
                .collect();
            if let Some((_, query)) = raw_path.split_once('?') {
                for name in query.split('&').filter_map(|kv| kv.split('=').next()) {
                    if !params
                        .iter()
                        .any(|p| p["name"] == name && p["in"] == "query")
                    {
                        params.push(json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}}));
                    }
                }
            }
            let body = op
                .get("requestBody")
                .map(|b| contract::deref(doc, b)["content"]["application/json"]["schema"].clone());
            let mut success = BTreeMap::new();
            for (status, r) in op["responses"].as_object().cloned().unwrap_or_default() {
                if status.starts_with('2') {
                    let r = contract::deref(doc, &r);
                    success.insert(
                        status,
                        r.get("content")
                            .map(|c| c["application/json"]["schema"].clone()),
                    );
                }
            }
            let key = (method.to_ascii_uppercase(), path.clone());
            match out.get_mut(&key) {
                // The literal-query variant of an operation: its answers are alternatives.
                Some(existing) => {
                    for p in params {
                        if !existing
                            .params
                            .iter()
                            .any(|q| q["name"] == p["name"] && q["in"] == p["in"])
                        {
                            let mut p = p;
                            p["required"] = json!(false);
                            existing.params.push(p);
                        }
                    }
                    for (status, schema) in success {
                        let merged = match (existing.success.remove(&status).flatten(), schema) {
                            (Some(a), Some(b)) => Some(json!({"oneOf": [a, b]})),
                            (a, b) => a.or(b),
                        };
                        existing.success.insert(status, merged);
                    }
                }
                None => {
                    out.insert(
                        key,
                        Op {
                            doc,
                            id: op["operationId"].as_str().unwrap_or_default().to_owned(),
                            params,
                            body,
                            success,
                        },
                    );
                }
            }
        }
    }
    out
}

/// `schema` with refs resolved and `allOf` merged into one object schema, and a one-member
/// `oneOf` replaced by its member.
fn flatten(doc: &Value, schema: &Value, depth: usize) -> Value {
    let s = contract::deref(doc, schema).clone();
    if depth > 20 {
        return s;
    }
    if let Some(parts) = s["allOf"].as_array() {
        let mut merged = Map::new();
        let mut props = Map::new();
        let mut required: Vec<Value> = Vec::new();
        for part in parts {
            let part = flatten(doc, part, depth + 1);
            // Later parts often refine a property (an `example`, a `required` list): each
            // property becomes the allOf of its definitions, flattened in turn.
            for (name, schema) in part["properties"].as_object().into_iter().flatten() {
                match props.get_mut(name) {
                    Some(Value::Object(have)) if have.contains_key("allOf") && have.len() == 1 => {
                        have["allOf"].as_array_mut().unwrap().push(schema.clone());
                    }
                    Some(have) => *have = json!({"allOf": [have.clone(), schema.clone()]}),
                    None => {
                        props.insert(name.clone(), schema.clone());
                    }
                }
            }
            if let Some(r) = part["required"].as_array() {
                required.extend(r.iter().cloned());
            }
            for (k, v) in part.as_object().into_iter().flatten() {
                if !matches!(k.as_str(), "properties" | "required") {
                    merged.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
        for (k, v) in s.as_object().into_iter().flatten() {
            if k != "allOf" {
                merged.insert(k.clone(), v.clone());
            }
        }
        if !props.is_empty() {
            merged.insert("properties".into(), Value::Object(props));
            merged.entry("type").or_insert(json!("object"));
        }
        merged.insert("required".into(), Value::Array(required));
        return Value::Object(merged);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some([only]) = s[key].as_array().map(Vec::as_slice) {
            return flatten(doc, only, depth + 1);
        }
    }
    s
}

/// A one-line description of a schema's type, not of its children.
fn descriptor(s: &Value) -> String {
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = s[key].as_array() {
            return format!("{key}({})", alts.len());
        }
    }
    let mut ty = match s["type"].as_str() {
        Some("object") | None if s.get("properties").is_some() => "object".to_owned(),
        Some("object") | None
            if s["additionalProperties"].is_object()
                && !s["additionalProperties"].as_object().unwrap().is_empty() =>
        {
            "map".to_owned()
        }
        Some("object") => "object(free-form)".to_owned(),
        Some(t) => t.to_owned(),
        None => "any".to_owned(),
    };
    if let Some(f) = s["format"].as_str() {
        ty = format!("{ty}({f})");
    }
    let values = s["enum"]
        .as_array()
        .or_else(|| s["x-extensible-enum"].as_array());
    if let Some(values) = values {
        let mut v: Vec<String> = values
            .iter()
            .map(|x| x.as_str().map_or(x.to_string(), str::to_owned))
            .collect();
        v.sort();
        ty = format!("{ty} enum[{}]", v.join("|"));
    }
    if s["nullable"] == true {
        ty.push_str("|null");
    }
    ty
}

/// Compares two schemas at `at`, pushing one line per difference.
fn compare(
    ours: (&Value, &Value),
    theirs: (&Value, &Value),
    at: &str,
    out: &mut Vec<String>,
    depth: usize,
) {
    if depth > 12 {
        return;
    }
    let (o, t) = (flatten(ours.0, ours.1, 0), flatten(theirs.0, theirs.1, 0));
    let (od, td) = (descriptor(&o), descriptor(&t));
    if od != td {
        out.push(format!("{at}: ours {od}, published {td}"));
        return;
    }
    for key in ["oneOf", "anyOf"] {
        if let (Some(oa), Some(ta)) = (o[key].as_array(), t[key].as_array()) {
            let sort = |doc: &Value, alts: &Vec<Value>| {
                let mut v: Vec<(String, Value)> = alts
                    .iter()
                    .map(|a| (descriptor(&flatten(doc, a, 0)), a.clone()))
                    .collect();
                v.sort_by(|a, b| a.0.cmp(&b.0));
                v
            };
            for (i, ((_, a), (_, b))) in sort(ours.0, oa)
                .iter()
                .zip(sort(theirs.0, ta).iter())
                .enumerate()
            {
                compare(
                    (ours.0, a),
                    (theirs.0, b),
                    &format!("{at}<{i}>"),
                    out,
                    depth + 1,
                );
            }
            return;
        }
    }
    match od.split(['(', ' ', '|']).next().unwrap_or_default() {
        "object" => {
            let empty = Map::new();
            let op = o["properties"].as_object().unwrap_or(&empty);
            let tp = t["properties"].as_object().unwrap_or(&empty);
            let names: BTreeSet<&String> = op.keys().chain(tp.keys()).collect();
            // What a request must carry matters (a newly required field breaks every call);
            // what an answer promises is trimmed on purpose (see the README's rules).
            let requires = |doc: &Value, s: &Value, name: &str| {
                s["required"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|n| n == name))
                    && flatten(doc, &s["properties"][name], 0)["readOnly"] != true
            };
            for name in names {
                let child = format!("{at}.{name}");
                if at.starts_with("request") && op.contains_key(name) && tp.contains_key(name) {
                    match (requires(ours.0, &o, name), requires(theirs.0, &t, name)) {
                        (true, false) => out.push(format!("{child}: required only in ours")),
                        (false, true) => out.push(format!("{child}: required only in published")),
                        _ => {}
                    }
                }
                match (op.get(name), tp.get(name)) {
                    (Some(a), Some(b)) => {
                        compare((ours.0, a), (theirs.0, b), &child, out, depth + 1)
                    }
                    (Some(a), None) => out.push(format!(
                        "{child}: only ours ({})",
                        descriptor(&flatten(ours.0, a, 0))
                    )),
                    (None, Some(b)) => out.push(format!(
                        "{child}: only published ({})",
                        descriptor(&flatten(theirs.0, b, 0))
                    )),
                    (None, None) => {}
                }
            }
        }
        "map" => compare(
            (ours.0, &o["additionalProperties"]),
            (theirs.0, &t["additionalProperties"]),
            &format!("{at}.*"),
            out,
            depth + 1,
        ),
        "array" => compare(
            (ours.0, &o["items"]),
            (theirs.0, &t["items"]),
            &format!("{at}[]"),
            out,
            depth + 1,
        ),
        _ => {}
    }
}

fn param_summary(doc: &Value, p: &Value) -> String {
    format!(
        "{}{}",
        if p["required"] == true {
            "required "
        } else {
            "optional "
        },
        descriptor(&flatten(doc, &p["schema"], 0))
    )
}

/// Every difference between our spec and the published ones, one line each.
fn differences(api: &str, ours: &Value, published: &[Value]) -> Vec<String> {
    let mine = operations(ours);
    let mut theirs = BTreeMap::new();
    for doc in published {
        theirs.extend(operations(doc));
    }
    let mut out = Vec::new();
    let keys: BTreeSet<&(String, String)> = mine.keys().chain(theirs.keys()).collect();
    for key in keys {
        let (method, path) = key;
        let (o, t) = match (mine.get(key), theirs.get(key)) {
            (Some(o), Some(t)) => (o, t),
            (Some(o), None) => {
                out.push(format!(
                    "{api} {}: operation only ours ({method} {path})",
                    o.id
                ));
                continue;
            }
            (None, Some(t)) => {
                out.push(format!(
                    "{api} {method} {path}: operation only published ({})",
                    t.id
                ));
                continue;
            }
            (None, None) => continue,
        };
        let name = format!("{api} {}", o.id);
        let mut lines = Vec::new();
        // Parameters.
        let index = |op: &Op<'_>| -> BTreeMap<(String, String), String> {
            op.params
                .iter()
                .map(|p| {
                    (
                        (
                            p["in"].as_str().unwrap_or("").to_owned(),
                            p["name"].as_str().unwrap_or("").to_owned(),
                        ),
                        param_summary(op.doc, p),
                    )
                })
                .collect()
        };
        let (op_params, tp_params) = (index(o), index(t));
        for k in op_params
            .keys()
            .chain(tp_params.keys())
            .collect::<BTreeSet<_>>()
        {
            let at = format!("{} parameter {}", k.0, k.1);
            match (op_params.get(k), tp_params.get(k)) {
                (Some(a), Some(b)) if a != b => {
                    lines.push(format!("{at}: ours {a}, published {b}"))
                }
                (Some(a), None) => lines.push(format!("{at}: only ours ({a})")),
                (None, Some(b)) => lines.push(format!("{at}: only published ({b})")),
                _ => {}
            }
        }
        // Request body.
        match (&o.body, &t.body) {
            (Some(a), Some(b)) => compare((o.doc, a), (t.doc, b), "request", &mut lines, 0),
            (Some(_), None) => lines.push("request: body only ours".into()),
            (None, Some(_)) => lines.push("request: body only published".into()),
            (None, None) => {}
        }
        // Success answers.
        let (os, ts): (Vec<&String>, Vec<&String>) =
            (o.success.keys().collect(), t.success.keys().collect());
        if os != ts {
            lines.push(format!("success statuses: ours {os:?}, published {ts:?}"));
        }
        for (status, a) in &o.success {
            let Some(b) = t.success.get(status) else {
                continue;
            };
            let at = format!("response {status}");
            match (a, b) {
                (Some(a), Some(b)) => compare((o.doc, a), (t.doc, b), &at, &mut lines, 0),
                (Some(_), None) => lines.push(format!("{at}: body only ours")),
                (None, Some(_)) => lines.push(format!("{at}: body only published")),
                (None, None) => {}
            }
        }
        out.extend(lines.into_iter().map(|l| format!("{name}: {l}")));
    }
    out
}

/// The entries of every ```` ```drift ```` block of `readme`.
fn listed(readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in readme.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            inside = trimmed == "```drift";
            continue;
        }
        if inside && !trimmed.is_empty() && !trimmed.starts_with('#') {
            out.push(trimmed.to_owned());
        }
    }
    out
}

/// What is wrong with the README's list given the differences `found`: unlisted
/// differences, stale entries, duplicates; empty when nothing is.
fn verdict(found: &[String], listed: &[String]) -> String {
    let duplicates: BTreeSet<&String> = listed
        .iter()
        .filter(|l| listed.iter().filter(|m| m == l).count() > 1)
        .collect();
    let found_set: BTreeSet<&String> = found.iter().collect();
    let listed_set: BTreeSet<&String> = listed.iter().collect();
    let unlisted: Vec<&&String> = found_set.difference(&listed_set).collect();
    let stale: Vec<&&String> = listed_set.difference(&found_set).collect();
    let mut report = String::new();
    if !unlisted.is_empty() {
        report.push_str(&format!(
            "\n{} differences from the published specs are not listed as deliberate in openapi/README.md.\n\
             Fix the YAML, or explain them there and add these lines to a ```drift block:\n\n",
            unlisted.len()
        ));
        for l in &unlisted {
            report.push_str(&format!("{l}\n"));
        }
    }
    if !stale.is_empty() {
        report.push_str(&format!(
            "\n{} entries of openapi/README.md no longer occur (the specs now agree there); remove them:\n\n",
            stale.len()
        ));
        for l in &stale {
            report.push_str(&format!("{l}\n"));
        }
    }
    if !duplicates.is_empty() {
        report.push_str(&format!("\nlisted twice: {duplicates:?}\n"));
    }
    report
}

fn published_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("CCLOUD_CONNECT_OFFICIAL_SPEC_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/official-spec")
        });
    dir.is_dir().then_some(dir)
}

#[test]
fn the_specs_differ_from_the_published_ones_only_where_the_readme_says() {
    let Some(dir) = published_dir() else {
        let message = "spec drift check skipped: the published specs are not here \
             (../shared/reference/official-spec, or set CCLOUD_CONNECT_OFFICIAL_SPEC_DIR)";
        if std::env::var_os("CCLOUD_CONNECT_REQUIRE_DRIFT_CHECK").is_some() {
            panic!("{message}, and CCLOUD_CONNECT_REQUIRE_DRIFT_CHECK is set");
        }
        eprintln!("{message}");
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for (api, ours, published) in PAIRS {
        let ours = contract::load_yaml(&root.join(ours).to_string_lossy()).unwrap();
        let published: Vec<Value> = published
            .iter()
            .map(|f| contract::load_yaml(&dir.join(f).to_string_lossy()).unwrap())
            .collect();
        found.extend(differences(api, &ours, &published));
    }
    let readme = std::fs::read_to_string(root.join("openapi/README.md")).unwrap();
    let report = verdict(&found, &listed(&readme));
    assert!(report.is_empty(), "{report}");
    eprintln!(
        "{} deliberate differences from the published specs, all listed",
        found.len()
    );
}

#[test]
fn the_checker_sees_renames_through_and_catches_field_changes() {
    let ours = json!({
        "paths": {"/x/{id}": {"get": {"operationId": "get_x",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/X"}}}}}}}},
        "components": {"schemas": {
            "X": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"$ref": "#/components/schemas/Y"}}},
            "Y": {"type": "string", "enum": ["P", "Q"]}
        }}
    });
    // The same shapes under other names, through allOf and a one-member oneOf.
    let same = json!({
        "paths": {"/x/{id}": {"get": {"operationId": "getX",
            "parameters": [{"$ref": "#/components/parameters/Id"}],
            "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/v1.X"}}}}}}}},
        "components": {
            "parameters": {"Id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}},
            "schemas": {
                "v1.X": {"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}}, {"properties": {"b": {"oneOf": [{"$ref": "#/components/schemas/v1.Y"}]}}}]},
                "v1.Y": {"type": "string", "x-extensible-enum": ["Q", "P"]}
            }
        }
    });
    assert_eq!(
        differences("t", &ours, std::slice::from_ref(&same)),
        Vec::<String>::new()
    );

    let mut changed = same;
    let schemas = &mut changed["components"]["schemas"];
    schemas["v1.X"]["allOf"][0]["properties"]["a"] = json!({"type": "integer"});
    schemas["v1.X"]["allOf"][0]["properties"]["c"] = json!({"type": "boolean"});
    schemas["v1.Y"]["x-extensible-enum"] = json!(["P", "Q", "R"]);
    changed["paths"]["/x/{id}"]["get"]["parameters"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "page_size", "in": "query", "schema": {"type": "integer"}}));
    changed["paths"]["/x"] =
        json!({"post": {"operationId": "createX", "responses": {"201": {"description": "ok"}}}});
    let found = differences("t", &ours, &[changed]);
    assert_eq!(
        found,
        [
            "t get_x: query parameter page_size: only published (optional integer)",
            "t get_x: response 200.a: ours string, published integer",
            "t get_x: response 200.b: ours string enum[P|Q], published string enum[P|Q|R]",
            "t get_x: response 200.c: only published (boolean)",
            "t POST /x: operation only published (createX)",
        ]
    );
}

#[test]
fn drift_blocks_are_read_from_the_readme() {
    let readme =
        "# x\n- why\n  ```drift\n  a: b\n  # a comment\n\n  c: d\n  ```\n```rust\nnot: this\n```\n";
    assert_eq!(listed(readme), ["a: b", "c: d"]);
}

#[test]
fn unlisted_stale_and_duplicate_entries_fail() {
    let found = vec!["a: new".to_owned(), "b: kept".to_owned()];
    assert_eq!(verdict(&found, &["b: kept".into(), "a: new".into()]), "");
    let report = verdict(
        &found,
        &["b: kept".into(), "b: kept".into(), "c: gone".into()],
    );
    assert!(
        report.contains("1 differences") && report.contains("\na: new\n"),
        "{report}"
    );
    assert!(
        report.contains("no longer occur") && report.contains("\nc: gone\n"),
        "{report}"
    );
    assert!(report.contains("listed twice"), "{report}");
}
