//! The emulator's integration tests, one binary: the crate's client and raw HTTP against
//! an in-process emulator, and the emulator binary run as a subprocess. Shared plumbing is
//! in `support`.

mod api;
mod artifacts;
mod auth;
mod binary;
mod docker;
mod faults;
mod fidelity;
mod lifecycle;
mod plugins;
mod presigned;
mod rate_limit;
mod scripts;
mod seed;
mod seed_schema;
mod state_file;
mod storage;
mod support;
mod usage_guide;
mod worker;
