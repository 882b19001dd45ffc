"""A typed bot, checked with `mypy --strict` in CI: it signs and authenticates with signet, in
software or on a signing device, through the SDK's names."""

from __future__ import annotations

import os
from typing import Dict, Optional, Union

from signet_credentials import (
    BearerTokenAuth,
    Claims,
    OrderArgs,
    Outcome,
    Side,
    SignedOrder,
    Signer,
    SigningDevice,
    VerificationError,
    Verifier,
    create_bearer_auth,
)


def credentials(port: Optional[str]) -> tuple[Union[Signer, SigningDevice], Union[BearerTokenAuth, SigningDevice]]:
    if port is not None:
        device = SigningDevice(port, chain_id=137)
        return device, device
    signer = Signer(os.environ["TURBINE_PRIVATE_KEY"], chain_id=137)
    auth = create_bearer_auth(os.environ["TURBINE_API_KEY_ID"], os.environ["TURBINE_API_PRIVATE_KEY"])
    return signer, auth


def order(signer: Union[Signer, SigningDevice], market: str) -> SignedOrder:
    args = OrderArgs(market_id=market, side=Side.BUY, outcome=Outcome.YES, price=642_000, size=12_500_000,
                     expiration=1_900_000_000)
    return signer.sign_order(args)


def headers(auth: Union[BearerTokenAuth, SigningDevice]) -> Dict[str, str]:
    return auth.get_auth_header()


def check(verifier: Verifier, header: Optional[str]) -> Optional[Claims]:
    try:
        return verifier.verify(header)
    except VerificationError as refused:
        print(refused.status, refused.message)
        return None


if __name__ == "__main__":
    signer, auth = credentials(os.environ.get("SIGNET_DEVICE_PORT"))
    print(order(signer, "0x7be8").to_dict(), headers(auth))
