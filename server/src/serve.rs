//! The server behind `signet serve`, as a library (feature `serve`): the documented Turbine and
//! Bitzoom endpoints, forward authentication for API servers in other languages, health and
//! metrics, behind an accept loop with limits and a graceful shutdown.
//!
//! - [`run`] does what `signet serve` does, from a [`ServeOptions`].
//! - [`app`] builds the router (with [`middleware::observe`]: request ids, limits, one log
//!   line per request, metrics); [`accept::serve`] runs it on a listener until a signal.

pub mod accept;
#[cfg(unix)]
pub mod admin;
mod app;
mod burst;
pub mod data_dir;
mod error;
pub mod log;
pub mod log_writer;
pub mod metrics;
pub mod middleware;
mod options;
mod run;

pub use app::{AppConfig, app};
pub use error::ServeError;
pub use options::{ReplayOptions, SecretsOptions, ServeOptions, StoreCreation, open_registry};
pub use run::{build, run};
