//! Query strings, read the way the API reads them. A leaf: it imports nothing of the
//! emulator.

/// The query parameters of a request, in order. Kept as a list, not a map, because
/// `expand` may be repeated and every value counts.
#[derive(Clone, Debug, Default)]
pub(crate) struct Query(pub(crate) Vec<(String, String)>);

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Query {
        Query(
            raw.map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default(),
        )
    }

    /// The first value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`.
    pub(crate) fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_keeps_repeated_keys() {
        let q = Query::parse(Some("expand=info&expand=status%2Cid&cloud=AWS"));
        assert_eq!(q.all("expand").collect::<Vec<_>>(), ["info", "status,id"]);
        assert_eq!(q.get("cloud"), Some("AWS"));
        assert_eq!(q.get("nope"), None);
    }
}
