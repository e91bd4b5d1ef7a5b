//! Requests and answers as every endpoint sees them: ids, JSON answers, query strings, the API's
//! error shapes, paging, authentication and the specs' operation ids. Imports nothing else of the
//! crate.

pub(crate) mod address;
pub(crate) mod auth;
pub(crate) mod errors;
pub(crate) mod ids;
pub(crate) mod json;
pub(crate) mod operations;
pub(crate) mod paging;
pub(crate) mod query;
