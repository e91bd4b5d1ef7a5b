//! Client-side checks that run before any request is sent.

use crate::Error;

/// The longest path parameter value sent, in bytes. No Confluent id or name comes close
/// (ids are at most 255 characters, connector names 64), and proxies refuse longer URLs
/// with `414` before the API could say what is wrong.
pub(crate) const MAX_PATH_PARAM: usize = 1024;

/// Refuses an empty required query parameter (it would be sent as `name=` and answered
/// with a confusing error) or one with control characters.
pub(crate) fn query_param(name: &'static str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::validation(name, value, "must not be empty"));
    }
    if has_control(value) {
        return Err(Error::validation(
            name,
            value,
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// Whether `value` holds a control character (`char::is_control`: U+0000 to U+001F and
/// U+007F to U+009F), read byte by byte rather than decoded char by char: in UTF-8 the
/// first ones are single bytes, and U+0080 to U+009F are `0xC2` followed by `0x80` to
/// `0x9F` (a `0xC2` byte only ever starts a character).
pub(crate) fn has_control(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        b < 0x20
            || b == 0x7f
            || (b == 0xc2
                && bytes
                    .get(i + 1)
                    .is_some_and(|next| (0x80..=0x9f).contains(next)))
    })
}

/// The largest page the API serves ([`crate::paginate::MAX_PAGE_SIZE`]).
pub(crate) const MAX_PAGE_SIZE: std::num::NonZeroU32 = std::num::NonZeroU32::new(100).unwrap();

/// Refuses a `page_size` above [`crate::MAX_PAGE_SIZE`] (zero cannot be expressed): the API
/// answers `400` to it, after a round trip.
pub(crate) fn page_size(value: Option<std::num::NonZeroU32>) -> Result<(), Error> {
    match value {
        Some(size) if size > MAX_PAGE_SIZE => Err(Error::validation(
            "page_size",
            size.to_string(),
            format!("must be 1 to {} (the API's limit)", MAX_PAGE_SIZE),
        )),
        _ => Ok(()),
    }
}

/// Refuses path parameter values that would change the request path once the URL is
/// normalised: an empty segment, a dot segment (`.`/`..`, also when percent-encoded by a
/// parser), a backslash (which URL parsers read as `/` in `http` URLs and the generated
/// client does not encode), or control characters; and values too long for any id.
/// Everything else is percent-encoded by the generated client into exactly one segment.
pub(crate) fn path_param(name: &'static str, value: &str) -> Result<(), Error> {
    // Every value of every request is checked: one pass over its bytes finds whether any
    // of the refusals below can apply, and the usual id or name is then let through.
    let suspect = value.len() <= 2
        || value.len() > MAX_PATH_PARAM
        || value
            .bytes()
            .any(|b| b < 0x20 || b == 0x7f || b == b'\\' || b == 0xc2);
    if !suspect {
        return Ok(());
    }
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
    if value.contains('\\') {
        return Err(Error::validation(
            name,
            value,
            "must not contain `\\`, which URL parsers read as `/`",
        ));
    }
    if has_control(value) {
        return Err(Error::validation(
            name,
            value,
            "must not contain control characters",
        ));
    }
    if value.len() > MAX_PATH_PARAM {
        let shown: String = value.chars().take(40).collect();
        return Err(Error::validation(
            name,
            format!("{shown}…"),
            format!(
                "is {} bytes long; no id or name exceeds {MAX_PATH_PARAM}",
                value.len()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_like_char_is_control() {
        let samples = [
            "", "abc", "a\u{0}b", "\u{1f}", " ", "~\u{7f}", "\u{80}", "x\u{9f}", "\u{a0}",
            "é\u{85}", "\u{c2}", "日本\n", "\u{2028}", "\u{feff}", "ÿ", "Ā",
        ];
        for sample in samples {
            assert_eq!(
                has_control(sample),
                sample.chars().any(char::is_control),
                "{sample:?}"
            );
        }
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let text = format!("a{c}b");
            assert_eq!(has_control(&text), c.is_control(), "{c:?}");
        }
    }

    #[test]
    fn refuses_what_would_change_the_path() {
        for bad in ["", ".", "..", "a\\b", "..\\..", "a\u{0}", "a\nb", "\u{7f}"] {
            assert!(path_param("p", bad).is_err(), "{bad:?} accepted");
        }
        let long = "é".repeat(MAX_PATH_PARAM / 2 + 1);
        let err = path_param("p", &long).unwrap_err().to_string();
        assert!(err.contains("1026 bytes"), "{err}");
        assert!(
            err.len() < 200,
            "the message repeats the whole value: {err}"
        );
        for good in [
            "a/b",
            "...",
            "%2e%2e",
            "a?b#c",
            "日本",
            "x".repeat(MAX_PATH_PARAM).as_str(),
        ] {
            assert!(path_param("p", good).is_ok(), "{good:?} refused");
        }
    }
}
