"""A signet signing device as the SDK's signer and auth: `SigningDevice(port)` has `address`,
`sign_order`, `generate_token` and `get_auth_header`, so it stands in for `Signer` and
`BearerTokenAuth` (see `signet_credentials.use_with`). Keys never leave the device; it asks its
user to press before it signs an order (showing it) or installs a key. A device with a PIN starts
locked: `unlock(positions)` has it show a scrambled grid, and `positions` returns what its user
typed for it, so this computer never learns the PIN."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Tuple

from signet_credentials import _native
from signet_credentials._errors import call
from signet_credentials._orders import domain, sign
from signet_credentials._typed import TypedSigning
from signet_credentials._types import OrderArgs, SignedOrder


@dataclass(frozen=True)
class PinStatus:
    """Whether the device has a PIN and is locked, and what a wrong PIN would cost."""

    pin_set: bool
    locked: bool
    #: Wrong PINs since the last right one.
    failures: int
    #: Tries left before the device wipes itself (16 in a row wipe it).
    tries_left: int
    #: Seconds the device waits before it checks the next PIN.
    next_delay_secs: int
    wipe_code_set: bool
    #: Idle seconds after which the unlocked device locks itself (0: never).
    auto_lock_secs: int

    @classmethod
    def _of(cls, raw: Tuple[bool, bool, int, int, int, bool, int]) -> "PinStatus":
        return cls(*raw)


class SigningDevice(TypedSigning):
    """The device on serial port `port` (`/dev/ttyACM0`, `COM3`). Each call blocks until the
    device answers (at most `timeout` seconds)."""

    def __init__(self, port: str, chain_id: int = 137, timeout: float = 40.0) -> None:
        self._device = call(lambda: _native.Device(port, timeout))
        self._chain_id = chain_id
        self._native_typed = self._device.sign_typed_data

    @property
    def address(self) -> str:
        """The device wallet's EIP-55 address."""
        return self._device.address

    @property
    def chain_id(self) -> int:
        """The chain orders are signed for."""
        return self._chain_id

    def api_key_id(self) -> Optional[str]:
        """The installed API key's id, if any."""
        return call(self._device.api_key_id)

    def register(self, host: str, name: Optional[str] = None) -> str:
        """Registers the device's wallet at `host` and installs the issued key on the device
        (two presses); the key id."""
        return call(lambda: self._device.register(host, name))

    def set_time(self) -> None:
        """Sets the device's clock to this computer's."""
        call(self._device.set_time)

    def generate_token(self) -> str:
        """A token minted on the device with its API key."""
        return call(self._device.generate_token)

    def get_auth_header(self) -> Dict[str, str]:
        """The `Authorization` header with a fresh token from the device."""
        return {"Authorization": f"Bearer {self.generate_token()}"}

    def get_domain(self) -> Dict[str, Any]:
        """The EIP-712 domain (the chain's settlement contract)."""
        return domain(self._chain_id, None)

    def sign_order(self, order_args: OrderArgs, settlement_address: Optional[str] = None) -> SignedOrder:
        """Signs `order_args` on the device, after its user sees the order and presses."""
        return sign(self._device.sign_order, self.address, self._chain_id, order_args, settlement_address)

    def pin_status(self) -> PinStatus:
        """Whether a PIN is set and the device locked, the tries left and the next delay."""
        return PinStatus._of(call(self._device.pin_status))

    def unlock(self, positions: Callable[[str], Optional[str]]) -> PinStatus:
        """Unlocks the device. It shows a grid of the digits 1-9 in a random order;
        `positions("current")` is called then and returns the *positions* of the PIN's digits on
        that grid, as on a keypad (7 8 9 on top, 1 2 3 at the bottom), e.g. `"7391"`; `None`
        cancels. A wrong PIN raises `DeviceError` saying the tries left and the next delay; the
        16th in a row wipes the device."""
        return PinStatus._of(call(lambda: self._device.unlock(positions)))

    def __repr__(self) -> str:
        return f"SigningDevice(address={self.address!r})"
