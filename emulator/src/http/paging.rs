//! `page_size` / `page_token` pagination with `metadata.next` links.
//!
//! A page token holds the creation sequence number of the last item served, so pages stay
//! consistent when items are added or deleted between requests.

use base64::Engine as _;

use crate::http::errors::{Failure, Shape};
use crate::http::query::Query;

/// Items per page when `page_size` is absent.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 10;
/// The largest `page_size` accepted.
pub(crate) const MAX_PAGE_SIZE: usize = 100;

/// What a list request asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PageRequest {
    pub(crate) size: usize,
    pub(crate) after: Option<u64>,
}

impl PageRequest {
    pub(crate) fn parse(query: &Query, shape: Shape) -> Result<PageRequest, Failure> {
        let size = match query.get("page_size") {
            None => DEFAULT_PAGE_SIZE,
            Some(raw) => match raw.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
                _ => {
                    return Err(Failure::bad_parameter(
                        shape,
                        "page_size",
                        format!(
                            "page_size must be an integer from 1 to {MAX_PAGE_SIZE}, not {raw:?}"
                        ),
                    ));
                }
            },
        };
        let after = match query.get("page_token").filter(|t| !t.is_empty()) {
            None => None,
            Some(token) => Some(decode_token(token).ok_or_else(|| {
                Failure::bad_parameter(shape, "page_token", "page_token is not valid")
            })?),
        };
        Ok(PageRequest { size, after })
    }
}

fn encode_token(seq: u64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("after:{seq}"))
}

fn decode_token(token: &str) -> Option<u64> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("after:")?
        .parse()
        .ok()
}

/// One page of a list, with its links.
#[derive(Debug)]
pub(crate) struct Paged<T> {
    pub(crate) items: Vec<T>,
    pub(crate) first: String,
    pub(crate) next: Option<String>,
    pub(crate) total_size: i32,
}

/// Cuts one page out of `items` (already filtered, with their sequence numbers), served in
/// creation order. `filters` are the query parameters the links must keep.
pub(crate) fn paginate<T>(
    mut items: Vec<(u64, T)>,
    request: PageRequest,
    base_url: &str,
    path: &str,
    filters: &[(&str, &str)],
) -> Paged<T> {
    items.sort_by_key(|(seq, _)| *seq);
    let total_size = i32::try_from(items.len()).unwrap_or(i32::MAX);
    let mut rest = items
        .into_iter()
        .filter(|(seq, _)| request.after.is_none_or(|after| *seq > after))
        .peekable();
    let mut page = Vec::with_capacity(request.size);
    let mut last = None;
    while page.len() < request.size {
        match rest.next() {
            Some((seq, item)) => {
                last = Some(seq);
                page.push(item);
            }
            None => break,
        }
    }
    let link = |token: Option<u64>| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in filters {
            query.append_pair(k, v);
        }
        query.append_pair("page_size", &request.size.to_string());
        if let Some(seq) = token {
            query.append_pair("page_token", &encode_token(seq));
        }
        format!("{base_url}{path}?{}", query.finish())
    };
    let next = match (rest.peek(), last) {
        (Some(_), Some(seq)) => Some(link(Some(seq))),
        _ => None,
    };
    Paged {
        items: page,
        first: link(None),
        next,
        total_size,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_the_cursor_and_keep_filters() {
        let mut items: Vec<(u64, u64)> = (1..=25).map(|n| (n * 2, n)).collect();
        items.reverse();
        let req = PageRequest {
            size: 10,
            after: None,
        };
        let p1 = paginate(items.clone(), req, "http://h", "/x", &[("cloud", "AWS")]);
        assert_eq!(p1.items, (1..=10).collect::<Vec<_>>());
        assert_eq!(p1.total_size, 25);
        let next = p1.next.unwrap();
        assert!(
            next.starts_with("http://h/x?cloud=AWS&page_size=10&page_token="),
            "{next}"
        );
        let token = next.rsplit_once("page_token=").unwrap().1;
        let query = Query::parse(Some(&format!("page_size=10&page_token={token}")));
        let req2 = PageRequest::parse(&query, Shape::List).unwrap();
        assert_eq!(req2.after, Some(20));
        let p3 = paginate(
            items,
            PageRequest {
                size: 10,
                after: Some(40),
            },
            "http://h",
            "/x",
            &[],
        );
        assert_eq!(p3.items, (21..=25).collect::<Vec<_>>());
        assert!(p3.next.is_none());
    }

    #[test]
    fn bad_parameters_are_refused() {
        for q in [
            "page_size=0",
            "page_size=101",
            "page_size=x",
            "page_token=%%%",
        ] {
            let err = PageRequest::parse(&Query::parse(Some(q)), Shape::List).unwrap_err();
            assert_eq!(err.status.as_u16(), 400, "{q}");
        }
        let ok = PageRequest::parse(&Query::parse(None), Shape::List).unwrap();
        assert_eq!(
            ok,
            PageRequest {
                size: DEFAULT_PAGE_SIZE,
                after: None
            }
        );
    }
}
