"""Using signet with the official SDK's client (`turbine_client.TurbineClient`), which builds
its `Signer` and `BearerTokenAuth` inside its constructor from raw keys: `use_with` puts
signet's (or a signing device) in their place, and routes the client's permit, approval and
redemption methods (which sign with the raw key through eth-account) through that signer."""

from __future__ import annotations

import types
from typing import Any, Optional, Protocol

from signet_credentials._relayer import ROUTED
from signet_credentials._typed import TypedSigning

from signet_credentials._types import OrderArgs, SignedOrder


class OrderSigner(Protocol):
    """What the SDK's client asks of a signer."""

    @property
    def address(self) -> str: ...

    @property
    def chain_id(self) -> int: ...

    def sign_order(self, order_args: OrderArgs, settlement_address: Optional[str] = None) -> SignedOrder: ...


class TokenAuth(Protocol):
    """What the SDK's HTTP client asks of an auth object."""

    def get_auth_header(self) -> dict[str, str]: ...


def use_with(client: Any, *, signer: Optional[OrderSigner] = None, auth: Optional[TokenAuth] = None) -> Any:
    """Makes the SDK's `client` sign with `signer` and authenticate with `auth` (`Signer`,
    `BearerTokenAuth` or a `SigningDevice`); returns the client.

    With signet's signer, the client's `sign_usdc_permit`, `approve_usdc_for_settlement`,
    `approve_usdc`, `approve_ctf_for_settlement`, `claim_winnings`, `batch_claim_winnings`,
    `sync_permit_nonce`, `request_usdc_permit` and `request_batch_ctf_redemption` become
    signet's (the same typed data, bodies and endpoints as turbine-py-client at 782c939; on 0.1.0
    they are added). Relies on the attributes the SDK's constructor sets from raw keys
    (`_signer`, `_order_builder`, `_auth`, `_http._auth`, `_chain_id`)."""
    if signer is not None:
        from turbine_client.order_builder import OrderBuilder  # type: ignore[import-untyped]

        client._signer = signer
        client._order_builder = OrderBuilder(signer)
        if isinstance(signer, TypedSigning):
            for name, method in ROUTED.items():
                setattr(client, name, types.MethodType(method, client))
    if auth is not None:
        client._auth = auth
        client._http._auth = auth
    return client
