//! The checks of one request and one answer against the specs.

use std::collections::BTreeMap;

use reqwest::Url;
use serde_json::{Value, json};

use super::spec::{Direction, Operation, Param, Spec, deref, spec, specs};

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

/// Checks an answer of operation `id` of `api` (`connect`, `ccpm`, `cam` or their labels).
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
