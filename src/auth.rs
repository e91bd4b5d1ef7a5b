//! API key credentials and the `Authorization` header built from them.

use std::fmt;

use base64::Engine as _;
use reqwest::header::HeaderValue;

/// The marker printed wherever a secret would otherwise appear.
pub(crate) const REDACTED: &str = "[redacted]";

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
}

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
        if api_key.contains(':') || api_key.chars().any(char::is_control) {
            return Err(crate::Error::validation(
                "api_key",
                &api_key,
                "must not contain ':' or control characters",
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
        Ok(Self { api_key, header })
    }

    /// The API key id (not secret).
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    pub(crate) fn header(&self) -> &HeaderValue {
        &self.header
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("api_key", &self.api_key)
            .field("api_secret", &REDACTED)
            .finish()
    }
}
