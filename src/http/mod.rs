//! Everything between reqwest and the generated code: the one send path every
//! authenticated request takes (credentials scoped to the base URL, retries, the answer's
//! checks and scrubbing, observers), and the checks of parameters before anything is sent.
//!
//! [`Credentials`] and [`RetryPolicy`] are public at the crate root, the observers' views
//! in [`crate::observe`].

mod credentials;
pub(crate) mod ids;
mod observe;
pub(crate) mod pacing;
pub(crate) mod retry;
pub(crate) mod transport;
pub(crate) mod validate;

pub(crate) use crate::error::REDACTED;
pub use credentials::Credentials;
pub(crate) use observe::Observers;
pub use observe::{RequestView, ResponseView};
pub use pacing::Pacing;
pub use retry::RetryPolicy;
