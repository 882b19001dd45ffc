//! A signet signing device on a serial port: it mints tokens with its own API key and signs
//! orders with its own wallet after the user presses, so it can stand in for both the SDK's
//! `BearerTokenAuth` and its `Signer`.

use std::sync::Mutex;

use pyo3::prelude::*;
use signet_core::Clock as _;
use signet_core::eth::Address;
use signet_core::link::{PinPurpose, PinStatus};
use signet_std::device::{DeviceClient, open_serial};
use signet_std::{ClientError, SystemClock, TurbineClient};

use crate::failure::failure;
use crate::orders::{OrderFields, build_order, domain, signed_parts};

type Port = Box<dyn serialport::SerialPort>;

fn device_error(e: impl core::fmt::Display) -> PyErr {
    failure("device", e.to_string(), 0)
}

/// A device on a serial port. Calls block until the device answers (a press may take its
/// user a while) and release the GIL meanwhile.
#[pyclass(module = "signet_credentials._native")]
pub struct Device {
    client: Mutex<DeviceClient<Port>>,
    address: Address,
    port: String,
}

impl Device {
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        op: impl FnOnce(&mut DeviceClient<Port>) -> PyResult<T> + Send,
    ) -> PyResult<T> {
        py.detach(|| {
            let mut client = self.client.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            op(&mut client)
        })
    }
}

#[pymethods]
impl Device {
    #[new]
    #[pyo3(signature = (port, timeout=40.0))]
    fn new(py: Python<'_>, port: &str, timeout: f64) -> PyResult<Self> {
        let timeout = core::time::Duration::from_secs_f64(timeout.max(0.1));
        let (client, address) = py.detach(|| {
            let mut client = open_serial(port, 115_200, timeout).map_err(device_error)?;
            let address = client.info().map_err(device_error)?.address;
            Ok::<_, PyErr>((client, address))
        })?;
        Ok(Device { client: Mutex::new(client), address, port: port.to_owned() })
    }

    /// The device's wallet address (EIP-55).
    #[getter]
    fn address(&self) -> String {
        self.address.to_checksummed().as_str().to_owned()
    }

    /// The installed API key's id, if one is installed.
    fn api_key_id(&self, py: Python<'_>) -> PyResult<Option<String>> {
        self.with(py, |c| Ok(c.info().map_err(device_error)?.api_key.map(|(kid, _)| kid.as_str().to_owned())))
    }

    /// A token minted by the device with its API key and clock.
    fn generate_token(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |c| c.mint_token().map_err(device_error))
    }

    /// Sets the device's clock to this computer's (the device asks for a press beyond a small
    /// change).
    fn set_time(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |c| c.set_time(SystemClock.now()).map_err(device_error))
    }

    /// Registers the device's wallet with the Turbine server at `host` (the device signs; the
    /// timestamped message if the wallet registered before) and installs the issued key on the
    /// device (a press). Returns the key id.
    #[pyo3(signature = (host, name=None))]
    fn register(&self, py: Python<'_>, host: &str, name: Option<&str>) -> PyResult<String> {
        self.with(py, |c| {
            let client = TurbineClient::new(host);
            let request = c.sign_registration().map_err(device_error)?;
            let key = match client.register_signed(&request, name) {
                Err(ClientError::RegisteredBefore) => {
                    let now = SystemClock.now();
                    let request = c.sign_reregistration(now).map_err(device_error)?;
                    client.register_timestamped(&request, now, name)
                }
                other => other,
            }
            .map_err(|e| failure("authentication", e.to_string(), 0))?;
            c.install_api_key(&key).map_err(device_error)?;
            Ok(key.key_id.as_str().to_owned())
        })
    }

    /// Signs an order for the device's wallet after its user sees it and presses:
    /// `(signature, order_hash)`.
    #[pyo3(signature = (order, chain_id, verifying_contract=None))]
    fn sign_order(
        &self,
        py: Python<'_>,
        order: OrderFields,
        chain_id: u64,
        verifying_contract: Option<&str>,
    ) -> PyResult<(String, String)> {
        let order = build_order(&order, self.address)?;
        let domain = domain(chain_id, verifying_contract)?;
        self.with(py, |c| {
            let signed = c.sign_order(order, domain).map_err(|e| failure("signature", e.to_string(), 0))?;
            Ok(signed_parts(&signed))
        })
    }

    /// Signs the SDK's typed data (a permit, CTF approval or redemption) on the device, after
    /// its user sees what it does and presses (twice when it warns): `(v, r, s)`.
    fn sign_typed_data(&self, py: Python<'_>, typed_json: &str) -> PyResult<(u8, String, String)> {
        let (chain_id, message) = crate::typed::parse(typed_json)?;
        self.with(py, |c| {
            let signature =
                c.sign_message(chain_id, &message).map_err(|e| failure("signature", e.to_string(), 0))?;
            Ok(crate::typed::parts(&signature))
        })
    }

    /// Whether a PIN is set and the device locked, and what a wrong PIN costs:
    /// `(pin_set, locked, failures, tries_left, next_delay_secs, wipe_code_set, auto_lock_secs)`.
    fn pin_status(&self, py: Python<'_>) -> PyResult<PinTuple> {
        self.with(py, |c| c.pin_status().map(pin_tuple).map_err(device_error))
    }

    /// Unlocks the device with its PIN: the device shows a scrambled grid, and `positions` (a
    /// callable given what the grid is for, `"current"`) returns the positions the user typed
    /// for it (`"7391"`; `None` cancels). The PIN status after it.
    fn unlock(&self, py: Python<'_>, positions: Py<PyAny>) -> PyResult<PinTuple> {
        self.with(py, |c| {
            // Each grid is answered by calling back into Python, with the GIL taken again just
            // for that call; a callback that fails or returns nothing cancels.
            let ask = |purpose: PinPurpose| {
                let name = match purpose {
                    PinPurpose::Current => "current",
                    PinPurpose::NewPin => "new-pin",
                    PinPurpose::WipeCode => "wipe-code",
                };
                Python::attach(|py| {
                    let typed = positions.call1(py, (name,)).ok()?;
                    let text: Option<String> = typed.extract(py).ok()?;
                    text.as_deref().and_then(signet_std::device::pin::parse_positions)
                })
            };
            c.unlock(ask).map(pin_tuple).map_err(device_error)
        })
    }

    fn __repr__(&self) -> String {
        format!("Device(port={:?}, address={:?})", self.port, self.address())
    }
}

/// `(pin_set, locked, failures, tries_left, next_delay_secs, wipe_code_set, auto_lock_secs)`.
type PinTuple = (bool, bool, u8, u8, u32, bool, u32);

fn pin_tuple(s: PinStatus) -> PinTuple {
    (s.pin_set, s.locked, s.failures, s.tries_left, s.next_delay_secs, s.wipe_code_set, s.auto_lock_secs)
}
