"""What the software signer and the device share: the SDK's nonce, domain and the assembly of
its `SignedOrder`."""

from __future__ import annotations

import dataclasses
import secrets
import time
from typing import Any, Callable, Dict, Optional, Tuple

from signet_credentials import _native
from signet_credentials._errors import SignatureError, call
from signet_credentials._types import OrderArgs, SignedOrder

#: `(order with its nonce made, chain, contract)` -> `(signature, order_hash)`.
NativeSign = Callable[[OrderArgs, int, Optional[str]], Tuple[str, str]]


def sdk_nonce() -> int:
    """The SDK's nonce: seconds in the upper 32 bits, 32 random bits below."""
    return (int(time.time()) << 32) | secrets.randbelow(2**32)


def domain(chain_id: int, verifying_contract: Optional[str]) -> Dict[str, Any]:
    """The EIP-712 domain orders are signed in."""
    contract = verifying_contract or _native.settlement_address(chain_id)
    if contract is None:
        raise SignatureError(f"no settlement contract known for chain {chain_id}: pass settlement_address")
    return {"name": "Turbine", "version": "1", "chainId": chain_id, "verifyingContract": contract}


def sign(
    native_sign: NativeSign,
    trader: str,
    chain_id: int,
    order_args: OrderArgs,
    settlement_address: Optional[str],
) -> SignedOrder:
    """Signs with `native_sign` and returns the SDK's `SignedOrder` (signature written as the
    SDK writes it: hex without `0x`; `to_dict` adds it)."""
    nonce = order_args.nonce if order_args.nonce > 0 else sdk_nonce()
    order = dataclasses.replace(order_args, nonce=nonce)
    signature, order_hash = call(lambda: native_sign(order, chain_id, settlement_address))
    return SignedOrder(
        market_id=order_args.market_id,
        trader=trader,
        side=int(order_args.side),
        outcome=int(order_args.outcome),
        price=order_args.price,
        size=order_args.size,
        nonce=nonce,
        expiration=order_args.expiration,
        maker_fee_recipient=order_args.maker_fee_recipient,
        signature=signature[2:],
        order_hash=order_hash,
    )
