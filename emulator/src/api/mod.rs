//! The Confluent Cloud API's endpoints, one file per resource. Imports `http` and `state`.

pub(crate) mod artifacts;
pub(crate) mod ccpm;
pub(crate) mod connectors;
pub(crate) mod custom_plugins;
pub(crate) mod offsets;
pub(crate) mod presign;
pub(crate) mod translate;
