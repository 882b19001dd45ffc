"""The SDK's other EIP-712 messages (USDC permits, CTF approvals, redemptions), built exactly as
turbine-py-client builds them and signed by signet's wallet or the device, which reads them
into its own types and refuses any other domain or type (it never signs typed data blindly)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from signet_credentials import _native
from signet_credentials._errors import SignatureError, call
from signet_credentials._types import PermitSignature

#: The largest uint256: the SDK's "unlimited" permit value and deadline.
MAX_UINT256 = 2**256 - 1
#: The parent collection of positions backed by collateral directly.
ZERO_COLLECTION = "0x" + "00" * 32

_DOMAIN = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
_PERMIT = [
    {"name": "owner", "type": "address"},
    {"name": "spender", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]
_APPROVAL = [
    {"name": "owner", "type": "address"},
    {"name": "operator", "type": "address"},
    {"name": "approved", "type": "bool"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]
_REDEEM = [
    {"name": "owner", "type": "address"},
    {"name": "collateralToken", "type": "address"},
    {"name": "parentCollectionId", "type": "bytes32"},
    {"name": "conditionId", "type": "bytes32"},
    {"name": "indexSets", "type": "uint256[]"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]


@dataclass(frozen=True)
class Contracts:
    """The contracts the SDK uses on a chain."""

    settlement: str
    ctf: str
    usdc: str
    usdc_name: str  # USDC's EIP-712 domain name ("USD Coin"; "Mock USDC" on testnet)
    usdc_version: str


def contracts(chain_id: int) -> Contracts:
    """The contracts of `chain_id` (signet knows Polygon, Avalanche and Base Sepolia)."""
    known = _native.contracts(chain_id)
    if known is None:
        raise SignatureError(f"no contracts known for chain {chain_id}")
    return Contracts(*known)


@dataclass(frozen=True)
class TypedSignature:
    """A typed-data signature in eth-account's parts (`v` 27 or 28, `r` and `s` integers)."""

    v: int
    r: int
    s: int

    @property
    def r_hex(self) -> str:
        """`r` as the SDK posts it: `0x` and 64 hex digits."""
        return f"0x{self.r:064x}"

    @property
    def s_hex(self) -> str:
        """`s` as the SDK posts it."""
        return f"0x{self.s:064x}"

    @property
    def signature(self) -> bytes:
        """The 65 bytes `r || s || v`."""
        return self.r.to_bytes(32, "big") + self.s.to_bytes(32, "big") + bytes([self.v])


def _typed(primary: str, fields: List[Dict[str, str]], domain: Dict[str, Any], message: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "types": {"EIP712Domain": _DOMAIN, primary: fields},
        "primaryType": primary,
        "domain": domain,
        "message": message,
    }


def usdc_permit(
    chain_id: int, owner: str, spender: str, value: int, nonce: int, deadline: int, usdc: Optional[str] = None
) -> Dict[str, Any]:
    """The SDK's USDC permit (EIP-2612 `Permit`) as eth-account's `full_message`."""
    known = contracts(chain_id)
    domain = {
        "name": known.usdc_name,
        "version": known.usdc_version,
        "chainId": chain_id,
        "verifyingContract": usdc or known.usdc,
    }
    message = {"owner": owner, "spender": spender, "value": value, "nonce": nonce, "deadline": deadline}
    return _typed("Permit", _PERMIT, domain, message)


def _ctf_domain(chain_id: int, ctf: Optional[str]) -> Dict[str, Any]:
    contract = ctf or contracts(chain_id).ctf
    return {"name": "ConditionalTokensWithPermit", "version": "1", "chainId": chain_id, "verifyingContract": contract}


def ctf_approval(
    chain_id: int, owner: str, operator: str, approved: bool, nonce: int, deadline: int, ctf: Optional[str] = None
) -> Dict[str, Any]:
    """The SDK's CTF `SetApprovalForAll` as eth-account's `full_message`."""
    message = {"owner": owner, "operator": operator, "approved": approved, "nonce": nonce, "deadline": deadline}
    return _typed("SetApprovalForAll", _APPROVAL, _ctf_domain(chain_id, ctf), message)


def redemption(
    chain_id: int,
    owner: str,
    collateral_token: str,
    condition_id: str,
    index_sets: Sequence[int],
    nonce: int,
    deadline: int,
    ctf: Optional[str] = None,
) -> Dict[str, Any]:
    """The SDK's CTF `RedeemPositions` as eth-account's `full_message`."""
    message = {
        "owner": owner,
        "collateralToken": collateral_token,
        "parentCollectionId": ZERO_COLLECTION,
        "conditionId": condition_id,
        "indexSets": list(index_sets),
        "nonce": nonce,
        "deadline": deadline,
    }
    return _typed("RedeemPositions", _REDEEM, _ctf_domain(chain_id, ctf), message)


def _decimal(value: Any) -> Any:
    # Integers past 2^53 do not survive every JSON reader: uint256s go as decimal text.
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return [_decimal(v) for v in value]
    return value


def native_json(full_message: Dict[str, Any]) -> str:
    """`full_message` as the JSON the native signers read."""
    message = {k: _decimal(v) for k, v in full_message.get("message", {}).items()}
    return json.dumps({**full_message, "message": message})


#: A native `sign_typed_data`: JSON text -> `(v, r, s)`.
NativeTypedSign = Callable[[str], Tuple[int, str, str]]


def sign(native: NativeTypedSign, full_message: Dict[str, Any]) -> TypedSignature:
    """Signs `full_message` with `native`."""
    v, r, s = call(lambda: native(native_json(full_message)))
    return TypedSignature(v=v, r=int(r, 16), s=int(s, 16))


class TypedSigning:
    """What `Signer` and `SigningDevice` share for typed data: each has `address`, `chain_id`
    and its native `sign_typed_data` as `_native_typed`."""

    _native_typed: NativeTypedSign

    @property
    def address(self) -> str:
        """The signing wallet's address."""
        raise NotImplementedError

    @property
    def chain_id(self) -> int:
        """The chain messages are signed for."""
        raise NotImplementedError

    def sign_typed_data(self, full_message: Dict[str, Any]) -> TypedSignature:
        """Signs the SDK's typed data (eth-account's `full_message`: a USDC permit, a CTF
        approval or a redemption in its chain's own domain), as eth-account's `sign_typed_data`
        would; other types and domains are refused with `SignatureError`."""
        return sign(self._native_typed, full_message)

    def sign_usdc_permit(
        self, value: int, nonce: int, spender: Optional[str] = None, deadline: Optional[int] = None
    ) -> PermitSignature:
        """A USDC permit for an order to carry: `spender` (default the settlement contract) may
        spend `value` until `deadline` (default an hour from now); `nonce` is USDC's next for
        this wallet (`GET /api/v1/contracts/nonce/{usdc}/{owner}`)."""
        deadline = int(time.time()) + 3600 if deadline is None else deadline
        spender = spender or contracts(self.chain_id).settlement
        typed = usdc_permit(self.chain_id, self.address, spender, value, nonce, deadline)
        signed = self.sign_typed_data(typed)
        return PermitSignature(nonce=nonce, value=value, deadline=deadline, v=signed.v, r=signed.r_hex, s=signed.s_hex)
