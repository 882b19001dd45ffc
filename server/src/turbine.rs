//! Turbine, server side: the verifier service (bearer tokens against a key store and a replay
//! store, orders in a domain) and API-key registration by wallet signature.

mod registration;
mod registration_limits;
mod relayer;
pub(crate) mod service;

pub use registration::{MAX_NAME_CHARS, REGISTRATION_WINDOW_SECS, Registration, RegistrationError};
pub use registration_limits::{
    DEFAULT_REGISTRATIONS_PER_ADDRESS_PER_HOUR, DEFAULT_REGISTRATIONS_PER_HOUR, RegistrationLimits,
};
pub use relayer::{NoRelayer, Relayer, RelayerError, RelayerReceipt, Submission};
