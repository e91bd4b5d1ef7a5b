//! Client-side checks that run before any request is sent.

use crate::Error;

/// Refuses path parameter values that would change the request path once the URL is
/// normalised: an empty segment, a dot segment (`.`/`..`, also when percent-encoded by a
/// parser), or control characters. Everything else is percent-encoded by the generated
/// client into exactly one segment.
pub(crate) fn path_param(name: &'static str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::validation(name, value, "must not be empty"));
    }
    if value == "." || value == ".." {
        return Err(Error::validation(
            name,
            value,
            "must not be `.` or `..`, which would change the request path",
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::validation(
            name,
            value,
            "must not contain control characters",
        ));
    }
    Ok(())
}
