//! HTTP Basic authentication of API requests, as Confluent Cloud API keys use it.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

use crate::http::errors::{Failure, Shape};

/// Why a request was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No `Authorization: Basic ...` header.
    Missing,
    /// A header that does not decode to `key:secret`, or not the required pair.
    Invalid,
}

/// The key and secret of an `Authorization: Basic base64(key:secret)` header (scheme
/// case-insensitive), both non-empty.
fn credentials(headers: &HeaderMap) -> Result<(String, String), Refusal> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .ok_or(Refusal::Missing)?;
    let (scheme, token) = value.split_once(' ').ok_or(Refusal::Invalid)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(Refusal::Invalid);
    }
    let token = token.trim();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(token))
        .map_err(|_| Refusal::Invalid)?;
    let decoded = String::from_utf8(decoded).map_err(|_| Refusal::Invalid)?;
    let (key, secret) = decoded.split_once(':').ok_or(Refusal::Invalid)?;
    if key.is_empty() || secret.is_empty() {
        return Err(Refusal::Invalid);
    }
    Ok((key.to_owned(), secret.to_owned()))
}

/// Checks the `Authorization` header: any non-empty key and secret, or exactly `required`.
pub(crate) fn check(
    headers: &HeaderMap,
    required: Option<&(String, String)>,
) -> Result<(), Refusal> {
    let (key, secret) = credentials(headers)?;
    match required {
        Some((k, s)) if *k != key || *s != secret => Err(Refusal::Invalid),
        _ => Ok(()),
    }
}

/// The API key a request names (the Basic-auth user name), whether or not it is the
/// required one: the rate limit counts per key. Empty when the request names none.
pub(crate) fn api_key(headers: &HeaderMap) -> String {
    credentials(headers).map(|(key, _)| key).unwrap_or_default()
}

/// The `401` answer, in the connect/v1 error shape.
pub(crate) fn unauthorized(refusal: Refusal) -> Response {
    let mut response = Failure::new(
        StatusCode::UNAUTHORIZED,
        Shape::Nested,
        "unauthorized",
        "Unauthorized",
    )
    .into_response();
    let challenge = match refusal {
        Refusal::Missing => "Basic realm=\"Confluent Cloud\"",
        Refusal::Invalid => {
            "Basic error=\"invalid_key\", error_description=\"The API Key is invalid\""
        }
    };
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, value.parse().unwrap());
        h
    }

    fn basic(pair: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }

    #[test]
    fn any_non_empty_pair_by_default() {
        assert_eq!(check(&HeaderMap::new(), None), Err(Refusal::Missing));
        assert_eq!(check(&headers(&basic("k:s")), None), Ok(()));
        assert_eq!(check(&headers(&basic("k:s:with:colons")), None), Ok(()));
        assert_eq!(check(&headers(&basic("k:")), None), Err(Refusal::Invalid));
        assert_eq!(check(&headers(&basic(":s")), None), Err(Refusal::Invalid));
        assert_eq!(
            check(&headers(&basic("nocolon")), None),
            Err(Refusal::Invalid)
        );
        assert_eq!(check(&headers("Bearer abc"), None), Err(Refusal::Invalid));
        assert_eq!(check(&headers("Basic !!!"), None), Err(Refusal::Invalid));
        let lower = basic("k:s").replacen("Basic", "basic", 1);
        assert_eq!(check(&headers(&lower), None), Ok(()));
    }

    #[test]
    fn the_api_key_is_the_user_name() {
        assert_eq!(api_key(&headers(&basic("KEY:s:with:colons"))), "KEY");
        assert_eq!(api_key(&headers(&basic("KEY:"))), "");
        assert_eq!(api_key(&headers("Bearer abc")), "");
        assert_eq!(api_key(&HeaderMap::new()), "");
    }

    #[test]
    fn exact_pair_when_required() {
        let required = ("KEY".to_owned(), "SECRET".to_owned());
        assert_eq!(
            check(&headers(&basic("KEY:SECRET")), Some(&required)),
            Ok(())
        );
        assert_eq!(
            check(&headers(&basic("KEY:other")), Some(&required)),
            Err(Refusal::Invalid)
        );
    }
}
