//! The code progenitor generates from `openapi/*.yaml` at build time (see `build/`): the
//! one place it is included. Its public items are re-exported by [`crate::connect`] and
//! [`crate::ccpm`].

#[allow(
    missing_docs,
    unused_imports,
    unused_qualifications,
    private_interfaces,
    clippy::all,
    clippy::pedantic,
    rustdoc::all
)]
pub(crate) mod connect {
    include!(concat!(env!("OUT_DIR"), "/connect_v1.rs"));
}

#[allow(
    missing_docs,
    unused_imports,
    unused_qualifications,
    private_interfaces,
    clippy::all,
    clippy::pedantic,
    rustdoc::all
)]
pub(crate) mod ccpm {
    include!(concat!(env!("OUT_DIR"), "/ccpm_v1.rs"));
}
