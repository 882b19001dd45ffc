"""signet for Python: Turbine bearer tokens and EIP-712 orders with the official SDK's names
(`BearerTokenAuth`, `Signer`, `OrderArgs`, ...), byte-compatible with it; a hardware signing
device that stands in for both (`SigningDevice`); and a token verifier for Python API servers
(`Verifier`). Backed by signet's Rust core.

    from signet_credentials import OrderArgs, Outcome, Side, Signer, create_bearer_auth

    auth = create_bearer_auth(key_id, api_private_key)
    headers = auth.get_auth_header()
    signed = Signer(wallet_private_key, chain_id=137).sign_order(
        OrderArgs(market_id="0x7be8...", side=Side.BUY, outcome=Outcome.YES,
                  price=642_000, size=12_500_000, expiration=1_900_000_000))
"""

from signet_credentials._errors import (
    AuthenticationError,
    ConfigError,
    DeviceError,
    SignatureError,
    SignetError,
    TurbineError,
    VerificationError,
)
from signet_credentials._typed import MAX_UINT256, Contracts, TypedSignature, contracts, ctf_approval, redemption, usdc_permit
from signet_credentials._types import BotMetadata, OrderArgs, Outcome, PermitSignature, Side, SignedOrder
from signet_credentials.auth import ApiCredentials, BearerTokenAuth, create_bearer_auth, request_api_credentials
from signet_credentials.device import PinStatus, SigningDevice
from signet_credentials.sdk import use_with
from signet_credentials.signer import Signer, create_signer
from signet_credentials.verifier import Claims, Verifier

__version__ = "0.1.0"

__all__ = [
    "MAX_UINT256",
    "ApiCredentials",
    "AuthenticationError",
    "BearerTokenAuth",
    "BotMetadata",
    "Claims",
    "ConfigError",
    "Contracts",
    "DeviceError",
    "OrderArgs",
    "Outcome",
    "PermitSignature",
    "Side",
    "SignatureError",
    "SignedOrder",
    "Signer",
    "PinStatus",
    "SigningDevice",
    "SignetError",
    "TurbineError",
    "TypedSignature",
    "VerificationError",
    "Verifier",
    "contracts",
    "create_bearer_auth",
    "create_signer",
    "ctf_approval",
    "redemption",
    "request_api_credentials",
    "usdc_permit",
    "use_with",
]
