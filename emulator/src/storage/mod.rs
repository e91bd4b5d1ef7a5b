//! The storage services' upload endpoints (S3 POST form, Azure and GCS PUT), their error documents
//! and the multipart reader. Imports `http` and `state`.

pub(crate) mod endpoints;
pub(crate) mod errors;
pub(crate) mod form;
