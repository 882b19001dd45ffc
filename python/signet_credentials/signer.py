"""EIP-712 order signing with the SDK's names: `Signer(private_key, chain_id)` and
`create_signer`. Orders, signatures and order hashes equal the SDK's byte for byte."""

from __future__ import annotations

from typing import Any, Dict, Optional

from signet_credentials import _native
from signet_credentials._errors import call
from signet_credentials._orders import domain, sign
from signet_credentials._typed import TypedSigning
from signet_credentials._types import OrderArgs, SignedOrder


class Signer(TypedSigning):
    """Signs orders with a wallet's private key (hex, `0x` or not). Its `repr` shows the address
    only."""

    def __init__(self, private_key: str, chain_id: int) -> None:
        self._wallet = call(lambda: _native.WalletSigner(private_key))
        self._chain_id = chain_id
        self._native_typed = self._wallet.sign_typed_data

    @property
    def address(self) -> str:
        """The wallet's EIP-55 address."""
        return self._wallet.address

    @property
    def chain_id(self) -> int:
        """The chain orders are signed for."""
        return self._chain_id

    def get_domain(self) -> Dict[str, Any]:
        """The EIP-712 domain (the chain's settlement contract)."""
        return domain(self._chain_id, None)

    def sign_order(self, order_args: OrderArgs, settlement_address: Optional[str] = None) -> SignedOrder:
        """Signs `order_args` for this wallet (a nonce is made when it is 0)."""
        return sign(self._wallet.sign_order, self.address, self._chain_id, order_args, settlement_address)

    def __repr__(self) -> str:
        return f"Signer(address={self.address!r}, chain_id={self._chain_id})"


def create_signer(private_key: str, chain_id: int) -> Signer:
    """A `Signer` (the SDK's function)."""
    return Signer(private_key, chain_id)
