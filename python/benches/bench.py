"""Tokens minted and orders signed per second: signet beside PyNaCl and the official SDK, in
one run. `python bench.py [--seconds S]` prints a Markdown table."""

from __future__ import annotations

import argparse
import json
import secrets
import time
from typing import Callable, List, Tuple

from nacl.signing import SigningKey
from turbine_client.auth import create_bearer_auth as sdk_bearer_auth
from turbine_client.signer import Signer as SdkSigner
from turbine_client.types import OrderArgs as SdkOrderArgs
from turbine_client.types import Outcome as SdkOutcome
from turbine_client.types import Side as SdkSide

import signet_credentials as signet


def rate(op: Callable[[], object], seconds: float) -> float:
    op()
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(20):
            op()
        done += 20
    return done / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    seconds = parser.parse_args().seconds
    seed = secrets.token_bytes(32)
    key_id = secrets.token_hex(16)
    raw = SigningKey(seed)
    payload = json.dumps({"kid": key_id, "n": secrets.token_hex(16), "ts": int(time.time())},
                         separators=(",", ":"), sort_keys=True).encode()
    ours_auth = signet.create_bearer_auth(key_id, seed.hex())
    sdk_auth = sdk_bearer_auth(key_id, seed.hex())
    wallet = "0x" + secrets.token_hex(32)
    ours_signer, sdk_signer = signet.Signer(wallet, 137), SdkSigner(wallet, 137)
    fields = dict(market_id="0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928", price=642_000,
                  size=12_500_000, expiration=1_900_000_000, nonce=7)
    ours_args = signet.OrderArgs(side=signet.Side.BUY, outcome=signet.Outcome.YES, **fields)  # type: ignore[arg-type]
    sdk_args = SdkOrderArgs(side=SdkSide.BUY, outcome=SdkOutcome.YES, **fields)  # type: ignore[arg-type]
    rows: List[Tuple[str, str, float]] = [
        ("token", "PyNaCl: sign the payload only (no JSON, no base64)", rate(lambda: raw.sign(payload), seconds)),
        ("token", "turbine-py-client BearerTokenAuth.generate_token", rate(sdk_auth.generate_token, seconds)),
        ("token", "signet BearerTokenAuth.generate_token", rate(ours_auth.generate_token, seconds)),
        ("order", "turbine-py-client Signer.sign_order (eth-account)", rate(lambda: sdk_signer.sign_order(sdk_args), seconds)),
        ("order", "signet Signer.sign_order", rate(lambda: ours_signer.sign_order(ours_args), seconds)),
    ]
    print("| what | implementation | per second |")
    print("|---|---|---:|")
    for what, name, per_second in rows:
        print(f"| {what} | {name} | {per_second:,.0f} |")
    by = {name: r for _, name, r in rows}
    print()
    print(f"signet token / SDK token: {by['signet BearerTokenAuth.generate_token'] / by['turbine-py-client BearerTokenAuth.generate_token']:.1f}x")
    print(f"signet token / PyNaCl sign alone: {by['signet BearerTokenAuth.generate_token'] / by['PyNaCl: sign the payload only (no JSON, no base64)']:.2f}x")
    print(f"signet order / SDK order: {by['signet Signer.sign_order'] / by['turbine-py-client Signer.sign_order (eth-account)']:.1f}x")


if __name__ == "__main__":
    main()
