"""The SDK's order types, field for field: `Side`, `Outcome`, `OrderArgs`, `SignedOrder`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Dict


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

    def to_dict(self) -> Dict[str, Any]:
        """The body `POST /api/v1/orders` takes."""
        sig = self.signature if self.signature.startswith("0x") else f"0x{self.signature}"
        return {
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
