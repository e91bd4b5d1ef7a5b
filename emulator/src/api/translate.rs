//! `PUT .../connector-plugins/{plugin_name}/config/translate`: a self-managed Kafka
//! Connect configuration translated for a managed plugin (see `state::translation`).
//! Nothing is stored.

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;

use ccloud_connect::connect::{ConnectorConfig, TranslateFinding, TranslateResult};

use crate::api::connectors::{ConnectorPath, NESTED, parse};
use crate::http::errors::{Failure, JsonBody};
use crate::http::json::{ensure_array, json_response, to_value};
use crate::http::query::Query;
use crate::state::catalog;
use crate::state::translation;

/// The translation, `200`; an unknown plugin is a `404`, as for `validate`.
pub(crate) async fn translate(
    axum::extract::Path((_env, _cluster, plugin)): ConnectorPath,
    RawQuery(query): RawQuery,
    JsonBody(body): JsonBody,
) -> Result<Response, Failure> {
    let plugin = catalog::find(&plugin).ok_or_else(|| {
        Failure::not_found(NESTED, format!("Connector plugin {plugin} not found"))
    })?;
    let query = Query::parse(query.as_deref());
    let mask = match query.get("mask_sensitive").map(str::trim) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(Failure::bad_parameter(
                NESTED,
                "mask_sensitive",
                format!("mask_sensitive {other:?} is not true or false"),
            ));
        }
    };
    let config = parse::<ConnectorConfig>(&body, NESTED)?.0;
    let t = translation::translate(plugin, &config, mask);
    let findings = |list: Vec<(String, String)>| -> Vec<TranslateFinding> {
        list.into_iter()
            .map(|(field, message)| TranslateFinding {
                field: Some(field),
                message: Some(message),
            })
            .collect()
    };
    let answer = TranslateResult {
        config: Some(ConnectorConfig(t.config)),
        warnings: findings(t.warnings),
        errors: findings(t.errors),
    };
    // Confluent's answer always carries both lists, as its migration tool reads them.
    let mut v = to_value(&answer);
    ensure_array(&mut v, "warnings");
    ensure_array(&mut v, "errors");
    Ok(json_response(StatusCode::OK, &v))
}
