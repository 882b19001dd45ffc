"""Using signet with the official SDK's client (`turbine_client.TurbineClient`, 0.1.0), which
builds its `Signer` and `BearerTokenAuth` inside its constructor from raw keys: `use_with`
puts signet's (or a signing device) in their place."""

from __future__ import annotations

from typing import Any, Optional, Protocol

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
    """Makes the SDK's `client` sign orders with `signer` and authenticate with `auth`
    (`Signer`, `BearerTokenAuth` or a `SigningDevice`); returns the client.

    Relies on turbine-py-client 0.1.0's attributes (`_signer`, `_order_builder`, `_auth`,
    `_http._auth`), which is what its constructor sets from raw keys."""
    if signer is not None:
        from turbine_client.order_builder import OrderBuilder  # type: ignore[import-untyped]

        client._signer = signer
        client._order_builder = OrderBuilder(signer)
    if auth is not None:
        client._auth = auth
        client._http._auth = auth
    return client
