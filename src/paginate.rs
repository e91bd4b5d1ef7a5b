//! Streaming the lists that page: one engine for the paginated lists of both APIs.
//!
//! Confluent's lists answer `{"data": [...], "metadata": {"next": "<full URL>"}}`. Only the
//! `page_token` of `next` is used: the next request is built by the generated client against
//! the configured base URL, with the same filters, so a `next` link naming another host
//! never receives a request or credentials.

use std::collections::HashSet;
use std::future::Future;
use std::num::NonZeroU32;

use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use reqwest::Url;

use crate::generated::cam::types::{self as cam, ConnectArtifact};
use crate::generated::ccpm::types::{self as ccpm, Plugin, PluginVersion};
use crate::generated::connect::types::{
    self as connect, CustomConnectorPlugin, CustomConnectorRuntime,
};
use crate::{Error, Result};

/// The largest page the API serves, and the default.
pub const MAX_PAGE_SIZE: NonZeroU32 = crate::http::validate::MAX_PAGE_SIZE;

/// One page of a list.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page, in server order.
    pub items: Vec<T>,
    /// The token of the next page; `None` on the last page.
    pub next_page_token: Option<String>,
    /// The total number of items, when the server says.
    pub total_size: Option<u64>,
}

type Fetch<T> =
    Box<dyn FnMut(Option<String>, NonZeroU32) -> BoxFuture<'static, Result<Page<T>>> + Send>;

/// A paginated list, fetched lazily: nothing is sent until the first poll of
/// [`by_page`](Self::by_page) or [`by_item`](Self::by_item).
///
/// The stream ends after the page without a `next` link (or with an empty one). A server
/// that repeats a page token ends the stream with an [`Error::Pagination`] instead of looping.
/// Any error ends the stream after it is yielded.
///
/// ```no_run
/// use futures::TryStreamExt;
/// # async fn run(client: ccloud_connect::Client) -> ccloud_connect::Result<()> {
/// let mut plugins = client.connect().custom_plugins(None).by_item();
/// while let Some(plugin) = plugins.try_next().await? {
///     println!("{:?} {:?}", plugin.id, plugin.display_name);
/// }
/// # Ok(()) }
/// ```
pub struct Paginator<T> {
    operation: &'static str,
    page_size: NonZeroU32,
    fetch: Fetch<T>,
}

impl<T> std::fmt::Debug for Paginator<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator")
            .field("operation", &self.operation)
            .field("page_size", &self.page_size)
            .finish_non_exhaustive()
    }
}

enum Cursor {
    First,
    Next(String),
    Failed(Error),
    Done,
}

impl<T: Send + 'static> Paginator<T> {
    /// `fetch(page_token, page_size)` requests one page.
    pub(crate) fn new<F, Fut>(operation: &'static str, mut fetch: F) -> Self
    where
        F: FnMut(Option<String>, NonZeroU32) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Page<T>>> + Send + 'static,
    {
        Paginator {
            operation,
            page_size: MAX_PAGE_SIZE,
            fetch: Box::new(move |token, size| Box::pin(fetch(token, size))),
        }
    }

    /// Items per request, 1 to 100 (larger values are capped at 100). Default 100.
    pub fn page_size(mut self, size: NonZeroU32) -> Self {
        self.page_size = size.min(MAX_PAGE_SIZE);
        self
    }

    /// A stream of pages.
    pub fn by_page(self) -> BoxStream<'static, Result<Page<T>>> {
        let Paginator {
            operation,
            page_size,
            fetch,
        } = self;
        let seen: HashSet<String> = HashSet::new();
        stream::unfold(
            (Cursor::First, fetch, seen),
            move |(cursor, mut fetch, mut seen)| async move {
                let token = match cursor {
                    Cursor::First => None,
                    Cursor::Next(token) => Some(token),
                    Cursor::Failed(err) => return Some((Err(err), (Cursor::Done, fetch, seen))),
                    Cursor::Done => return None,
                };
                match fetch(token, page_size).await {
                    Err(err) => Some((Err(err), (Cursor::Done, fetch, seen))),
                    Ok(page) => {
                        let next = match page.next_page_token.clone() {
                            None => Cursor::Done,
                            Some(t) if seen.contains(&t) => Cursor::Failed(Error::Pagination {
                                operation,
                                message: format!(
                                    "the server returned page token {t:?} a second time; stopping instead of looping"
                                ),
                            }),
                            Some(t) => {
                                seen.insert(t.clone());
                                Cursor::Next(t)
                            }
                        };
                        Some((Ok(page), (next, fetch, seen)))
                    }
                }
            },
        )
        .boxed()
    }

    /// A stream of items across pages.
    pub fn by_item(self) -> BoxStream<'static, Result<T>> {
        self.by_page()
            .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    /// Every item of every page, in order.
    pub async fn all(self) -> Result<Vec<T>> {
        self.by_item().try_collect().await
    }
}

/// The `page_token` query parameter of a `metadata.next` link; `None` when there is no
/// next page. A link without a `page_token` is an error: following it would mean trusting
/// a URL the client did not build.
pub(crate) fn next_page_token(
    operation: &'static str,
    next: Option<&str>,
) -> Result<Option<String>> {
    let Some(next) = next.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    let url = Url::parse(next)
        .or_else(|_| Url::parse("http://relative.invalid/").and_then(|base| base.join(next)))
        .map_err(|e| Error::Pagination {
            operation,
            message: format!("metadata.next is not a URL ({e})"),
        })?;
    match url.query_pairs().find(|(k, _)| k == "page_token") {
        Some((_, token)) if token.is_empty() => Ok(None),
        Some((_, token)) => Ok(Some(token.into_owned())),
        None => Err(Error::Pagination {
            operation,
            message: "metadata.next has no page_token".to_owned(),
        }),
    }
}

/// A list answer of either API: items plus `metadata.next` and `metadata.total_size`.
pub(crate) trait ListAnswer {
    type Item;
    fn into_page(self, operation: &'static str) -> Result<Page<Self::Item>>;
}

macro_rules! list_answer {
    ($($list:ty => $item:ty),* $(,)?) => {$(
        impl ListAnswer for $list {
            type Item = $item;
            fn into_page(self, operation: &'static str) -> Result<Page<$item>> {
                let meta = self.metadata.as_ref();
                Ok(Page {
                    next_page_token: next_page_token(
                        operation,
                        meta.and_then(|m| m.next.as_deref()),
                    )?,
                    total_size: meta
                        .and_then(|m| m.total_size)
                        .and_then(|n| u64::try_from(n).ok()),
                    items: self.data,
                })
            }
        }
    )*};
}

list_answer! {
    connect::CustomConnectorPluginList => CustomConnectorPlugin,
    connect::CustomConnectorRuntimeList => CustomConnectorRuntime,
    ccpm::PluginList => Plugin,
    ccpm::PluginVersionList => PluginVersion,
    cam::ConnectArtifactList => ConnectArtifact,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_comes_only_from_the_query() {
        let op = "op";
        assert_eq!(next_page_token(op, None).unwrap(), None);
        assert_eq!(next_page_token(op, Some("")).unwrap(), None);
        assert_eq!(
            next_page_token(
                op,
                Some("https://api.confluent.cloud/connect/v1/x?page_size=10&page_token=abc%3D")
            )
            .unwrap(),
            Some("abc=".to_owned())
        );
        assert_eq!(
            next_page_token(op, Some("/ccpm/v1/plugins?page_token=t2&environment=env-1")).unwrap(),
            Some("t2".to_owned())
        );
        assert_eq!(
            next_page_token(op, Some("https://h/x?page_token=")).unwrap(),
            None
        );
        assert!(next_page_token(op, Some("https://h/x?page_size=3")).is_err());
    }
}
