//! Hostile input: path and query parameter values never change the request path; values
//! that would are refused before anything is sent.

use serde_json::json;

use super::{TIMEOUT, assert_no_secret, test_client};
use crate::support::contract::{
    self,
    ops::{self, Loc},
};
use crate::support::server::{Answer, Server};

/// Values for path and query parameters, and whether the client must refuse them before
/// sending (as a path parameter; query parameters are encoded whatever they hold).
fn hostile_values() -> Vec<(String, bool)> {
    let mut v: Vec<(String, bool)> = [
        ("a/b", false),
        ("../../ccpm/v1/plugins", false),
        ("a/../../b", false),
        ("a?b=c", false),
        ("a#frag", false),
        ("100%", false),
        ("%2e%2e", false),
        ("%2F", false),
        ("%", false),
        ("%zz", false),
        ("...", false),
        ("a b", false),
        ("+", false),
        ("&x=y", false),
        (";jsessionid=1", false),
        ("@evil.example", false),
        ("http://evil.example/", false),
        ("é", false),
        ("名前", false),
        ("😀", false),
        ("\u{202e}gnp.exe", false),
        ("\u{feff}bom", false),
        ("ＡＢ．．", false),
        ("", true),
        (".", true),
        ("..", true),
        ("a\\b", true),
        ("..\\..\\ccpm", true),
        ("a\u{0}b", true),
        ("a\nHost: evil", true),
        ("a\r\nb", true),
        ("\t", true),
        ("\u{7f}", true),
        ("\u{85}", true),
    ]
    .iter()
    .map(|(s, r)| (s.to_string(), *r))
    .collect();
    v.push(("n".repeat(64), false));
    v.push(("ä".repeat(512), false));
    v.push(("n".repeat(1025), true));
    v.push(("x".repeat(100_000), true));
    v
}

#[tokio::test]
async fn hostile_parameter_values_never_change_the_request_path() {
    let server = Server::sequence(vec![Answer::json(
        404,
        &json!({"error": {"code": 404, "message": "no"}}),
    )])
    .await;
    let client = contract::observe(contract::builder(&server.base_url))
        .build()
        .unwrap();
    let values = hostile_values();
    let (mut refused, mut sent) = (0, 0);
    for op in ops::all() {
        let spec_op = contract::operation(op.api, op.id);
        for (position, (name, loc)) in op.params.iter().enumerate() {
            for (value, must_refuse) in &values {
                let mut args: Vec<String> =
                    op.params.iter().map(|(n, _)| ops::plain_value(n)).collect();
                args[position] = value.clone();
                let before = server.seen_len();
                let result = op.call(&client, args.clone()).await;
                let after = server.seen_len();
                let label = format!("{} {} {name}={value:?}", op.api, op.id);
                // Path values are refused when they would change the path; a required query
                // value when it is blank or holds control characters.
                let required_query = *loc == Loc::Query
                    && spec_op
                        .params
                        .iter()
                        .any(|p| p.name == *name && p.location == "query" && p.required);
                let refuse = match loc {
                    Loc::Path => *must_refuse,
                    Loc::Query => {
                        required_query
                            && (value.trim().is_empty() || value.chars().any(char::is_control))
                    }
                };
                if refuse {
                    let err = result.expect_err(&label);
                    assert!(err.is_validation(), "{label}: {err}");
                    assert!(err.to_string().contains(name), "{label}: {err}");
                    assert_eq!(after, before, "{label}: sent although refused");
                    assert_no_secret(&label, &format!("{err:?}"));
                    refused += 1;
                    continue;
                }
                if after == before {
                    // Nothing sent: only for a query value no URL can carry, and the error
                    // says so.
                    let err = result.expect_err(&label);
                    assert!(
                        *loc == Loc::Query && value.len() > 60_000,
                        "{label}: not sent: {err}"
                    );
                    assert!(
                        err.to_string().contains("nothing was sent"),
                        "{label}: {err}"
                    );
                    refused += 1;
                    continue;
                }
                // The only request went out (the contract observer already matched its path
                // to this operation); the server's 404 came back.
                assert!(
                    matches!(&result, Err(e) if e.is_not_found()),
                    "{label}: {result:?}"
                );
                assert_eq!(after, before + 1, "{label}");
                let request = server.seen_at(before);
                assert_eq!(request.method, spec_op.method, "{label}");
                let url =
                    reqwest::Url::parse(&format!("{}{}", server.base_url, request.target)).unwrap();
                let segments: Vec<String> = url
                    .path_segments()
                    .unwrap()
                    .map(|s| {
                        percent_encoding::percent_decode_str(s)
                            .decode_utf8_lossy()
                            .into_owned()
                    })
                    .collect();
                let template: Vec<&str> = spec_op.path.trim_start_matches('/').split('/').collect();
                assert_eq!(
                    segments.len(),
                    template.len(),
                    "{label}: path {}",
                    url.path()
                );
                let mut path_args = op
                    .params
                    .iter()
                    .zip(&args)
                    .filter(|((_, l), _)| *l == Loc::Path)
                    .map(|(_, a)| a);
                for (t, s) in template.iter().zip(&segments) {
                    if t.starts_with('{') {
                        assert_eq!(Some(s), path_args.next(), "{label}: path {}", url.path());
                    } else {
                        assert_eq!(t, s, "{label}: path {}", url.path());
                    }
                }
                let mut query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
                // The non-string parameters the table sends with fixed values.
                query.retain(|(k, _)| k != "page_size" && k != "mask_sensitive");
                let mut expected: Vec<(String, String)> = op
                    .params
                    .iter()
                    .zip(&args)
                    .filter(|((_, l), _)| *l == Loc::Query)
                    .map(|((n, _), a)| (n.to_string(), a.clone()))
                    .collect();
                query.sort();
                expected.sort();
                assert_eq!(query, expected, "{label}: query {:?}", url.query());
                sent += 1;
            }
        }
    }
    eprintln!(
        "{} hostile values: {refused} refused before sending, {sent} sent with the path intact",
        values.len()
    );
    assert!(refused > 0 && sent > 0);
}

#[tokio::test]
async fn the_raw_client_cannot_send_credentials_off_the_base_url() {
    // The raw progenitor client skips the facade's checks, but its requests still pass the
    // transport: a dot-segment that climbs out of the base path is refused there.
    let server = Server::sequence(vec![Answer::json(200, &json!({}))]).await;
    let client = test_client(&format!("{}/proxy/cc", server.base_url), TIMEOUT);
    let err = client
        .connect()
        .raw()
        .progenitor()
        .get_custom_connector_plugin("..\\..\\..\\..\\..\\..\\x")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("refusing to send credentials"),
        "{err}"
    );
    assert!(server.seen().is_empty());
}
