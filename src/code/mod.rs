//! Connectors as code: a desired state kept in files, a [`Plan`] that compares it with a
//! cluster, and [`Plan::apply`], without drift on secrets or on the keys the service adds.
//!
//! ```no_run
//! use ccloud_connect::code::{ApplyOptions, DesiredState, PlanOptions};
//! # async fn run(client: ccloud_connect::Client) -> ccloud_connect::Result<()> {
//! let cluster = client.connect().cluster("env-1", "lkc-1");
//! // One JSON or YAML file per connector; `${VAR}` values come from the environment.
//! let desired = DesiredState::from_dir("connectors/")?;
//! let plan = cluster.plan_with(&desired, &PlanOptions::new().prune(true)).await?;
//! print!("{plan}");
//! if plan.has_changes() {
//!     let report = plan.apply(&ApplyOptions::default()).await?;
//!     print!("{report}");
//! }
//! # Ok(()) }
//! ```
//!
//! # Files
//!
//! One file per connector, `{"name": ..., "config": {...}}`, as JSON (`.json`) or YAML
//! (`.yaml`, `.yml`; the `yaml` feature). `config.name` may be left out; when there it
//! must equal `name`. A value `${VAR}` (or one holding `${VAR}` references) is taken from
//! the environment; `$${` is a literal `${`. [`Cluster::export`](crate::connect::Cluster::export)
//! writes such files from a live cluster.
//!
//! # Secrets
//!
//! The API never returns a secret (it answers `****************`), so secrets cannot be
//! compared. A key is a secret when its value references a variable, when its name looks
//! like a secret ([`is_sensitive_key`](crate::connect::is_sensitive_key)), or when the API
//! answers it masked. The rules:
//!
//! * A plan needs no secret value. Secrets are never a change by themselves (a secret key
//!   added or removed is). For each connector it creates or updates, the plan lists the
//!   secret variables that are unset.
//! * A connector to create needs every variable set: otherwise [`Plan::apply`] refuses
//!   before anything is sent.
//! * A connector to update sends the secrets whose variables are set; an unset one goes
//!   back as the mask and the API keeps the stored secret, as
//!   [`MaskedSecrets::KeepStored`](crate::connect::MaskedSecrets::KeepStored) does, unless
//!   [`ApplyOptions::require_secrets`] makes that an error.
//! * Rotation is explicit: [`PlanOptions::resend_secrets`] turns the connectors whose
//!   variables are set into updates, so a new key reaches every connector that uses it.
//!
//! # Keys the service adds
//!
//! `cloud.environment`, `kafka.endpoint`, `schema.registry.url`, ... (every key of
//! [`SERVER_ADDED_KEYS`](crate::connect::SERVER_ADDED_KEYS), any `config.internal.*`
//! key) and a custom connector's `connector.class` are never a change, never exported
//! and never sent back.

mod apply;
mod desired;
mod diff;
mod export;
mod files;
mod placeholder;
mod plan;
mod plan_display;

pub use apply::{AppliedConnector, ApplyOptions, ApplyOutcome, ApplyReport, OnError};
pub use desired::{DesiredConnector, DesiredState};
pub use diff::{HIDDEN, KeyChange, KeyValue};
pub use export::{ExportedConnector, file_stem};
pub use files::FileFormat;
pub use plan::{Action, Plan, PlanOptions, PlannedConnector, ResendSecrets};
