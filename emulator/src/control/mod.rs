//! Control of the emulator: the `/_emulator/` endpoints (faults, connectors, scripts), the seed and
//! the Rust handle that calls them. Imports `api`, `http` and `state`.

pub(crate) mod artifacts;
pub(crate) mod connectors;
pub(crate) mod faults;
pub(crate) mod handle;
pub(crate) mod scripts;
pub(crate) mod seed;
