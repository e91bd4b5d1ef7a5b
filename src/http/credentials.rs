//! API key credentials and the `Authorization` header built from them.

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::HeaderValue;

use crate::error::REDACTED;

/// A Confluent Cloud API key and secret (a `--resource cloud` key).
///
/// The secret never appears in `Debug` output; the key id does, since it names which key a
/// program uses without granting anything.
///
/// ```
/// let creds = ccloud_connect::Credentials::new("MYKEY", "s3cr3t").unwrap();
/// assert!(!format!("{creds:?}").contains("s3cr3t"));
/// ```
#[derive(Clone)]
pub struct Credentials {
    api_key: String,
    header: HeaderValue,
    /// One searcher for every byte string that would disclose the secret if an answer
    /// quoted it back. Built once: every answer is scanned, in a single linear pass.
    disclosures: aho_corasick::AhoCorasick,
    /// The shortest of those byte strings: nothing shorter can quote one, so most header
    /// values (a length, a date, a content type) are passed over without a search.
    shortest: usize,
}

/// Below this length the bare secret is not searched for in answers: a short test secret
/// such as `s` would otherwise blank out ordinary text. Confluent's secrets are 64
/// characters, and the encoded header value is always searched for.
const MIN_SCRUBBED_SECRET: usize = 16;

impl Credentials {
    /// Builds credentials from an API key and secret.
    ///
    /// Fails with a validation error when either is empty or contains characters that
    /// cannot travel in an HTTP header (control characters).
    pub fn new(api_key: impl Into<String>, api_secret: impl AsRef<str>) -> crate::Result<Self> {
        let api_key = api_key.into();
        let api_secret = api_secret.as_ref();
        if api_key.trim().is_empty() {
            return Err(crate::Error::validation("api_key", "", "must not be empty"));
        }
        if api_secret.trim().is_empty() {
            return Err(crate::Error::validation(
                "api_secret",
                REDACTED,
                "must not be empty",
            ));
        }
        if let Some((id, _)) = api_key.split_once(':') {
            // A `key:secret` pair pasted as the key: quote only the part before the colon.
            return Err(crate::Error::validation(
                "api_key",
                format!("{id}:{REDACTED}"),
                "must not contain ':'; pass the key and the secret separately",
            ));
        }
        if api_key.chars().any(char::is_control) {
            return Err(crate::Error::validation(
                "api_key",
                api_key.escape_debug().to_string(),
                "must not contain control characters",
            ));
        }
        if api_secret.chars().any(char::is_control) {
            return Err(crate::Error::validation(
                "api_secret",
                REDACTED,
                "must not contain control characters",
            ));
        }
        let encoded = base64::engine::general_purpose::STANDARD
            .encode(format!("{api_key}:{api_secret}").as_bytes());
        let mut header = HeaderValue::from_str(&format!("Basic {encoded}")).map_err(|_| {
            crate::Error::validation(
                "api_secret",
                REDACTED,
                "must be characters an HTTP header can carry",
            )
        })?;
        // hyper and reqwest leave sensitive values out of their own debug and trace output.
        header.set_sensitive(true);
        let mut needles = vec![encoded.into_bytes()];
        if api_secret.len() >= MIN_SCRUBBED_SECRET {
            needles.push(api_secret.as_bytes().to_vec());
            for escaped in percent_encoded(api_secret) {
                // A secret of letters and digits only reads the same in every form.
                let escaped = escaped.into_bytes();
                if !needles.contains(&escaped) {
                    needles.push(escaped);
                }
            }
        }
        let disclosures = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&needles)
            .map_err(|_| {
                crate::Error::validation("api_secret", REDACTED, "is too long to be a secret")
            })?;
        let shortest = needles.iter().map(Vec::len).min().unwrap_or(0);
        Ok(Self {
            api_key,
            header,
            disclosures,
            shortest,
        })
    }

    /// The API key id (not secret).
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    pub(crate) fn header(&self) -> &HeaderValue {
        &self.header
    }

    /// `body` with every quotation of the secret (as is, percent-encoded, or inside the
    /// encoded `Authorization` value) replaced by [`REDACTED`]; `None` when it has none.
    ///
    /// The API never sends a caller's own secret back, but an echoing proxy or a
    /// misdirected base URL can, and answers end up in error messages and logs.
    pub(crate) fn scrub(&self, body: &[u8]) -> Option<Vec<u8>> {
        if body.len() < self.shortest {
            return None;
        }
        self.disclosures.find(body)?;
        let with = vec![REDACTED.as_bytes(); self.disclosures.patterns_len()];
        Some(self.disclosures.replace_all_bytes(body, &with))
    }
}

impl Credentials {
    /// Scrubs every header value of `headers` like [`scrub`](Self::scrub) does a body;
    /// `true` when one quoted the credentials. A proxy that echoes the `Authorization`
    /// header into `X-Request-Id` would otherwise put it in errors and observers' logs.
    pub(crate) fn scrub_headers(&self, headers: &mut reqwest::header::HeaderMap) -> bool {
        let mut found = false;
        for value in headers.values_mut() {
            let Some(clean) = self.scrub(value.as_bytes()) else {
                continue;
            };
            found = true;
            // The replacement is visible ASCII, so the value stays valid; if it somehow did
            // not, an empty value still keeps the secret out.
            *value = HeaderValue::from_bytes(&clean).unwrap_or(HeaderValue::from_static(""));
        }
        found
    }
}

/// The secret percent-encoded as it would appear in a quoted URL or form: every byte but
/// ASCII letters and digits escaped, with upper-case hex digits (RFC 3986's advice, and what
/// Go and Java write) and with lower-case ones (what .NET's `HttpUtility.UrlEncode` writes).
fn percent_encoded(secret: &str) -> [String; 2] {
    let upper = utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string();
    // The crate writes upper-case only; its escapes come out as whole `%XX` pieces.
    let lower = utf8_percent_encode(secret, NON_ALPHANUMERIC)
        .map(|piece| {
            if piece.starts_with('%') {
                Cow::Owned(piece.to_ascii_lowercase())
            } else {
                Cow::Borrowed(piece)
            }
        })
        .collect();
    [upper, lower]
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("api_key", &self.api_key)
            .field("api_secret", &REDACTED)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_removes_every_quoted_form() {
        let secret = "abc/def+ghi=jkl0123";
        let creds = Credentials::new("KEY", secret).unwrap();
        let token =
            base64::engine::general_purpose::STANDARD.encode(format!("KEY:{secret}").as_bytes());
        let body = format!(
            "{{\"auth\":\"Basic {token}\",\"raw\":\"{secret}\",\"url\":\"abc%2Fdef%2Bghi%3Djkl0123\",\
             \"lower\":\"abc%2fdef%2bghi%3djkl0123\"}}"
        );
        let scrubbed = String::from_utf8(creds.scrub(body.as_bytes()).unwrap()).unwrap();
        assert_eq!(
            scrubbed,
            r#"{"auth":"Basic [redacted]","raw":"[redacted]","url":"[redacted]","lower":"[redacted]"}"#
        );
        assert_eq!(creds.scrub(b"{\"name\":\"c1\"}"), None);
    }

    #[test]
    fn headers_quoting_the_credentials_are_scrubbed() {
        let creds = Credentials::new("KEY", "0123456789abcdef0123").unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-request-id", creds.header().clone());
        headers.insert("x-echo", "pre 0123456789abcdef0123 post".parse().unwrap());
        headers.insert("x-other", "fine".parse().unwrap());
        assert!(creds.scrub_headers(&mut headers));
        assert_eq!(headers["x-request-id"], "Basic [redacted]");
        assert_eq!(headers["x-echo"], "pre [redacted] post");
        assert_eq!(headers["x-other"], "fine");
        assert!(!creds.scrub_headers(&mut headers));
    }

    #[test]
    fn a_pasted_key_and_secret_is_quoted_up_to_the_colon() {
        let err = Credentials::new("MYKEY:topsecretvalue", "x").unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("topsecretvalue"), "{text}");
        assert!(text.contains("MYKEY:[redacted]"), "{text}");
    }

    #[test]
    fn short_secrets_only_scrub_the_header_value() {
        let creds = Credentials::new("KEY", "s").unwrap();
        assert_eq!(creds.scrub(b"status: sss"), None);
        let token = base64::engine::general_purpose::STANDARD.encode("KEY:s");
        assert_eq!(
            creds.scrub(format!("x{token}y").as_bytes()).as_deref(),
            Some(&b"x[redacted]y"[..])
        );
    }
}
