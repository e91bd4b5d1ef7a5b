//! The contract suite: the usage guide's examples and one exchange per operation against the
//! hand-maintained specs, and proof that the checker refuses what the specs do not allow.
//! The checker itself is `support::contract`.

mod checker;
mod exchanges;

use serde_json::{Value, json};

use crate::support::contract::{self, Direction};
use crate::support::fixtures::{self, fixture, manifest};

/// A placeholder of the usage guide's generic examples (`<PLUGIN_NAME>`, `YOUR_CLOUD_PROVIDER`):
/// it stands for any allowed value.
fn is_placeholder(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        (s.starts_with('<') && s.ends_with('>') && s.len() > 2)
            || (s.starts_with("YOUR_") && s.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
    })
}

/// Properties the usage guide's request examples send that the spec's request schema does
/// not define. The server ignores them; the client never sends them.
const GUIDE_EXTRAS: &[(&str, &str)] = &[
    // The guide's PATCH template repeats fields that cannot change after creation;
    // `CustomConnectorPluginUpdate` deliberately carries only changeable fields.
    (
        "update_custom_plugin_request_template.json",
        "connector_class",
    ),
    (
        "update_custom_plugin_request_template.json",
        "connector_type",
    ),
];

#[test]
fn every_fixture_validates_against_its_operation() {
    let manifest = manifest();
    let mut checked = 0;
    let mut placeholders_tolerated = 0;
    let mut failures = Vec::new();
    let mut extras = Vec::new();
    for entry in &manifest {
        let file = entry.file.as_str();
        let api = entry.api.as_str();
        if api == "telemetry" {
            // The metrics query goes to api.telemetry.confluent.cloud, which neither
            // hand-maintained spec describes (src/metrics.rs has its own types).
            eprintln!("skipped {file}: the telemetry API has no spec in openapi/");
            continue;
        }
        let id = entry.operation_id.as_str();
        let body = fixture(file);
        let spec = contract::spec(api);
        let op = spec.operation(id);
        let (dir, key, schema) = match entry.direction {
            fixtures::Direction::Request => (
                Direction::OpenRequest,
                format!("{id}:request"),
                op.body
                    .as_ref()
                    .expect("operation has a body")
                    .schema
                    .clone(),
            ),
            fixtures::Direction::Response => {
                let status = entry.status.expect("a response fixture has a status");
                assert!(
                    op.success_statuses().contains(&status),
                    "{file}: status {status} is not a success status of {id}"
                );
                let schema = op.responses[&status.to_string()]
                    .clone()
                    .unwrap_or_else(|| panic!("{file}: status {status} of {id} has no content"));
                (Direction::Response, format!("{id}:{status}"), schema)
            }
        };
        let validator = spec.validator(&key, &schema, dir);
        for error in validator.iter_errors(&body) {
            if file.contains("_template") && is_placeholder(error.instance()) {
                placeholders_tolerated += 1;
                continue;
            }
            failures.push(format!(
                "{file} ({api} {id}): {}: {error}",
                error.instance_path()
            ));
        }
        if dir == Direction::OpenRequest {
            // What the strict request schema refuses beyond the open one: properties the
            // client could not send.
            let strict = spec.validator(&key, &schema, Direction::Request);
            for error in strict.iter_errors(&body) {
                if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } =
                    error.kind()
                {
                    extras.extend(unexpected.iter().map(|p| (file.to_owned(), p.clone())));
                }
            }
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "fixtures the spec refuses:\n{}",
        failures.join("\n")
    );
    assert_eq!(
        checked,
        manifest.len() - 2,
        "every non-telemetry fixture is checked"
    );
    let expected: Vec<(String, String)> = GUIDE_EXTRAS
        .iter()
        .map(|(f, p)| (f.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        extras, expected,
        "request properties of the guide that the spec does not define"
    );
    eprintln!(
        "{checked} fixtures valid; {placeholders_tolerated} template placeholders stood for enum values"
    );
}

#[test]
fn template_placeholders_are_only_tolerated_where_they_stand_for_a_value() {
    // The same placeholder outside a template, or a real wrong value, is still refused.
    let errors = contract::check_body(
        "connect",
        "create_presigned_upload_url",
        Direction::Request,
        None,
        &json!({"content_format": "YOUR_FILE_FORMAT", "cloud": "AWS"}),
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(is_placeholder(&json!("<CLOUD>")) && is_placeholder(&json!("YOUR_CLOUD_PROVIDER")));
    assert!(!is_placeholder(&json!("AWS")) && !is_placeholder(&json!("<")));
}

#[test]
fn the_operation_table_covers_every_spec_in_order() {
    let table = contract::ops::all();
    let expected: Vec<(&str, &str)> = ccloud_connect::connect::ConnectApi::OPERATIONS
        .iter()
        .map(|id| ("connect", *id))
        .chain(
            ccloud_connect::ccpm::CcpmApi::OPERATIONS
                .iter()
                .map(|id| ("ccpm", *id)),
        )
        .chain(
            ccloud_connect::cam::CamApi::OPERATIONS
                .iter()
                .map(|id| ("cam", *id)),
        )
        .collect();
    // Every spec of the contract is a table's worth of operations: a spec added to
    // `support::contract` without its operations here fails.
    let in_specs: usize = contract::specs().iter().map(|s| s.operations.len()).sum();
    assert_eq!(in_specs, expected.len(), "operations in the specs");
    let got: Vec<(&str, &str)> = table.iter().map(|o| (o.api, o.id)).collect();
    assert_eq!(got, expected);
    for op in &table {
        let spec_op = contract::operation(op.api, op.id);
        // Every string parameter of the spec is driven by the table, in spec order per
        // location, so hostile values reach each of them.
        let mut want: Vec<(&str, contract::ops::Loc)> = spec_op
            .path_params()
            .into_iter()
            .map(|p| (p, contract::ops::Loc::Path))
            .collect();
        want.extend(
            spec_op
                .params
                .iter()
                .filter(|p| {
                    p.location == "query"
                        && contract::deref(&contract::spec(op.api).doc, &p.schema)["type"]
                            == "string"
                })
                .map(|p| (p.name.as_str(), contract::ops::Loc::Query)),
        );
        let mut have: Vec<(&str, contract::ops::Loc)> = op.params.to_vec();
        want.sort_by_key(|(n, l)| (*l == contract::ops::Loc::Query, *n));
        have.sort_by_key(|(n, l)| (*l == contract::ops::Loc::Query, *n));
        assert_eq!(have, want, "{} {}", op.api, op.id);
    }
}
