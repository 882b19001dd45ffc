//! Turbine, server side: the verifier service (bearer tokens against a key store and a replay
//! store, orders in a domain) and API-key registration by wallet signature.

mod registration;
pub(crate) mod service;

pub use registration::{MAX_NAME_CHARS, REGISTRATION_WINDOW_SECS, Registration, RegistrationError};
