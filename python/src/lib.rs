//! The native half of `signet_credentials` (the Python package): Turbine tokens, EIP-712 orders,
//! the signing device and the verifier, over signet-core, signet-std and signet-server. The
//! Python half (`signet_credentials/`) gives them the official SDK's names and shapes; this
//! module is its implementation detail (`signet_credentials._native`).
//!
//! Every failure is raised as `Failure` with `(kind, message, status)`, which the Python half
//! turns into its exception classes; secrets never reach a message or a `repr`.

mod device;
mod failure;
mod orders;
mod registration;
mod tokens;
mod typed;
mod verifier;

use pyo3::prelude::*;

/// The module `signet_credentials._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("Failure", m.py().get_type::<failure::Failure>())?;
    m.add_class::<tokens::TokenSigner>()?;
    m.add_class::<orders::WalletSigner>()?;
    m.add_class::<device::Device>()?;
    m.add_class::<verifier::Verifier>()?;
    m.add_function(wrap_pyfunction!(orders::settlement_address, m)?)?;
    m.add_function(wrap_pyfunction!(typed::contracts, m)?)?;
    m.add_function(wrap_pyfunction!(registration::request_api_credentials, m)?)?;
    Ok(())
}
