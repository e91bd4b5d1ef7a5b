//! What the emulator remembers and how it is computed: the store, presigned uploads, connector
//! lifecycles and scripts, faults, rate windows, the managed-plugin catalogue, resolved and
//! answered connectors, and the state file. Imports `http` alone.

pub(crate) mod artifacts;
pub(crate) mod catalog;
pub(crate) mod faults;
pub(crate) mod lifecycle;
pub(crate) mod persist;
pub(crate) mod rate;
pub(crate) mod resolve;
pub(crate) mod script;
pub(crate) mod store;
pub(crate) mod translation;
pub(crate) mod uploads;
pub(crate) mod views;
