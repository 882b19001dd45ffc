"""The SDK's order types, field for field: `Side`, `Outcome`, `OrderArgs`, `SignedOrder`, and
what an order may carry besides (`PermitSignature`, `BotMetadata`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Dict, Optional


class Side(IntEnum):
    """Order side: BUY or SELL."""

    BUY = 0
    SELL = 1


class Outcome(IntEnum):
    """Market outcome: YES or NO."""

    YES = 0
    NO = 1


@dataclass
class OrderArgs:
    """Arguments for a new order (the SDK's `OrderArgs`)."""

    market_id: str
    side: Side
    outcome: Outcome
    price: int  # scaled by 1e6 (1 to 999,999)
    size: int  # 6 decimals
    expiration: int  # Unix seconds
    nonce: int = 0  # made when 0
    maker_fee_recipient: str = "0x0000000000000000000000000000000000000000"

    def __post_init__(self) -> None:
        if not (1 <= self.price <= 999_999):
            raise ValueError(f"Price must be between 1 and 999999, got {self.price}")
        if self.size <= 0:
            raise ValueError(f"Size must be positive, got {self.size}")
        if self.expiration <= 0:
            raise ValueError(f"Expiration must be positive, got {self.expiration}")


@dataclass
class PermitSignature:
    """A USDC permit (EIP-2612) signed for an order to carry, so the order settles without a
    separate approval (the SDK's `PermitSignature`)."""

    nonce: int  # USDC's nonce for the owner when signed
    value: int  # the amount the settlement contract may spend
    deadline: int  # Unix seconds
    v: int
    r: str  # 0x and 64 hex digits
    s: str

    def to_dict(self) -> Dict[str, Any]:
        """The `permitSignature` of an order's body."""
        return {"nonce": self.nonce, "value": self.value, "deadline": self.deadline, "v": self.v, "r": self.r, "s": self.s}


@dataclass
class BotMetadata:
    """Bot Studio's metadata on an order (the SDK's `BotMetadata`)."""

    bot_id: str
    extra_fee_bps: int

    def to_dict(self) -> Dict[str, Any]:
        """The `bot_metadata` of an order's body."""
        return {"bot_id": self.bot_id, "extra_fee_bps": self.extra_fee_bps}


@dataclass
class SignedOrder:
    """A signed order ready for submission (the SDK's `SignedOrder`)."""

    market_id: str
    trader: str
    side: int
    outcome: int
    price: int
    size: int
    nonce: int
    expiration: int
    maker_fee_recipient: str
    signature: str
    order_hash: str
    permit_signature: Optional[PermitSignature] = None
    bot_metadata: Optional[BotMetadata] = None

    def to_dict(self) -> Dict[str, Any]:
        """The body `POST /api/v1/orders` takes."""
        sig = self.signature if self.signature.startswith("0x") else f"0x{self.signature}"
        body: Dict[str, Any] = {
            "order": {
                "marketId": self.market_id,
                "trader": self.trader,
                "side": self.side,
                "outcome": self.outcome,
                "price": self.price,
                "size": self.size,
                "nonce": self.nonce,
                "expiration": self.expiration,
                "makerFeeRecipient": self.maker_fee_recipient,
            },
            "signature": sig,
        }
        if self.permit_signature:
            body["permitSignature"] = self.permit_signature.to_dict()
        if self.bot_metadata:
            body["bot_metadata"] = self.bot_metadata.to_dict()
        return body
