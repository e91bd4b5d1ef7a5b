//! The client's integration tests, one binary with one module per concern; every server
//! they talk to runs on 127.0.0.1.
//!
//! Run one concern with a filter on its module path, e.g.
//! `cargo test --all-features --test it -- lifecycle::`. The S3 tests against a real
//! `s3s-fs` run only with `S3S_FS_BIN` set (`scripts/s3s-test.sh`): `-- upload_s3s::`.

mod support;

mod artifacts;
mod client;
mod code;
mod config;
mod contract;
mod fixtures;
mod fleet;
mod hardening;
mod lifecycle;
mod metrics;
mod migrate;
mod new_user;
mod operations;
mod pacing;
mod quickstart;
mod read_back;
mod robustness;
mod self_heal;
mod spec_drift;
mod translate;
mod upload;
mod upload_s3s;
mod waits;
