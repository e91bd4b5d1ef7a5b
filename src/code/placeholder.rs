//! `${VAR}` placeholders in connector files: finding them, substituting the environment's
//! values, and naming the variables an export writes.

/// A value split into literal text and variable references.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    /// Text taken as it is (`$${` already turned into `${`).
    Text(String),
    /// `${NAME}`.
    Var(String),
}

/// Splits `value` into text and `${NAME}` references. `$${` is a literal `${`. The error
/// says what is wrong (an unterminated reference, a name that is not `[A-Za-z_][A-Za-z0-9_]*`).
pub(crate) fn parse(value: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut rest = value;
    while let Some(at) = rest.find("${") {
        if rest[..at].ends_with('$') {
            // `$${`: a literal `${`.
            text.push_str(&rest[..at - 1]);
            text.push_str("${");
            rest = &rest[at + 2..];
            continue;
        }
        text.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let Some(end) = after.find('}') else {
            return Err(format!(
                "`${{` at character {} starts a variable that is never closed with `}}` (write \
                 `$${{` for a literal `${{`)",
                value.len() - rest.len() + at
            ));
        };
        let name = &after[..end];
        if !is_variable_name(name) {
            return Err(format!(
                "`${{{name}}}` is not a variable name: use letters, digits and `_`, not \
                 starting with a digit (write `$${{` for a literal `${{`)"
            ));
        }
        if !text.is_empty() {
            parts.push(Part::Text(std::mem::take(&mut text)));
        }
        parts.push(Part::Var(name.to_owned()));
        rest = &after[end + 1..];
    }
    text.push_str(rest);
    if !text.is_empty() || parts.is_empty() {
        parts.push(Part::Text(text));
    }
    Ok(parts)
}

/// Whether `name` is a variable name: `[A-Za-z_][A-Za-z0-9_]*`.
pub(crate) fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The variable an export names for `key` of connector `connector`: both upper-cased, every
/// character that cannot be in a variable name turned into `_`, joined by `_`; e.g.
/// `PAGEVIEWS_TO_S3_KAFKA_API_SECRET`.
pub(crate) fn variable_for(connector: &str, key: &str) -> String {
    let mut name = String::new();
    for c in connector.chars().chain(['_']).chain(key.chars()) {
        name.push(if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        });
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
}

/// A value with every `$` of a `${` doubled, so it reads back as itself.
pub(crate) fn escape(value: &str) -> String {
    value.replace("${", "$${")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references_and_escapes() {
        assert_eq!(parse("plain").unwrap(), [Part::Text("plain".into())]);
        assert_eq!(parse("").unwrap(), [Part::Text(String::new())]);
        assert_eq!(parse("${A_1}").unwrap(), [Part::Var("A_1".into())]);
        assert_eq!(
            parse("x=${A}&y=${B}!").unwrap(),
            [
                Part::Text("x=".into()),
                Part::Var("A".into()),
                Part::Text("&y=".into()),
                Part::Var("B".into()),
                Part::Text("!".into()),
            ]
        );
        assert_eq!(parse("$${A}").unwrap(), [Part::Text("${A}".into())]);
        assert_eq!(
            parse(&escape("a${b}")).unwrap(),
            [Part::Text("a${b}".into())]
        );
        assert!(parse("${A").unwrap_err().contains("never closed"));
        assert!(parse("${1A}").unwrap_err().contains("not a variable name"));
        assert!(parse("${}").unwrap_err().contains("not a variable name"));
    }

    #[test]
    fn export_names() {
        assert_eq!(
            variable_for("pageviews-to-s3", "kafka.api.secret"),
            "PAGEVIEWS_TO_S3_KAFKA_API_SECRET"
        );
        assert_eq!(variable_for("9 lives", "x"), "_9_LIVES_X");
        assert!(is_variable_name(&variable_for(
            "Über [prod]",
            "db.password"
        )));
    }
}
