#!/usr/bin/env python3
"""Checks what the QEMU firmware printed with independent libraries: its token with PyNaCl
(and the payload against the documented SDK's serialisation), its registration signature with
eth-account, and its order signature with eth-account's EIP-712 over the order and domain it
printed (the signer must be the device's wallet), and the line its display showed against the
order's fields. Also: the wallet the firmware made is the one eth-account derives from the backup words its
display showed (at MetaMask's path), and the address it restored from a fixed mnemonic and
passphrase is the one eth-account gives for them.
Usage: check_firmware.py OUTPUT_FILE EXPECTED_TIME"""
import base64
import datetime
import json
import sys

from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from nacl.signing import VerifyKey


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


PATH = "m/44'/60'/0'/0/0"


def backup_words(shown):
    """The words of the "Backup words 1-4 of 24: 1.legal 2.winner ..." screens, in order."""
    words = {}
    total = None
    for line in shown:
        head, sep, rest = line.partition(": ")
        if not (sep and head.startswith("Backup words ")):
            continue
        total = int(head.rsplit(" of ", 1)[1])
        for item in rest.split(" "):
            number, word = item.split(".", 1)
            words[int(number)] = word
    assert total and sorted(words) == list(range(1, total + 1)), words
    return " ".join(words[i] for i in range(1, total + 1))


def check_wallets(lines, shown):
    Account.enable_unaudited_hdwallet_features()
    mnemonic = backup_words(shown)
    derived = Account.from_mnemonic(mnemonic, account_path=PATH).address
    assert derived == lines["wallet-address"], (derived, lines["wallet-address"])
    print(f"firmware wallet: eth-account derives {derived} from the {len(mnemonic.split())} words it showed")
    restored = Account.from_mnemonic(lines["restore-mnemonic"], passphrase=lines["restore-passphrase"],
                                     account_path=PATH).address
    assert restored == lines["restore-address"], (restored, lines["restore-address"])
    print(f"firmware restore: eth-account derives {restored} at {PATH}")


def main():
    path, expected_ts = sys.argv[1], int(sys.argv[2])
    lines = {}
    shown = []
    for line in open(path, encoding="utf-8"):
        key, sep, value = line.strip().partition(": ")
        if sep:
            lines[key] = value
            if key == "display":
                shown.append(value)
    check_wallets(lines, shown)
    payload_text, signature_text = lines["token"].split(".")
    payload = b64url(payload_text)
    VerifyKey(bytes.fromhex(lines["public-key"])).verify(payload, b64url(signature_text))
    claims = json.loads(payload)
    assert claims["ts"] == expected_ts, claims
    assert payload == json.dumps(claims, separators=(",", ":"), sort_keys=True).encode(), payload
    print(f"firmware token: PyNaCl verifies it; kid {claims['kid']}, ts {claims['ts']}, nonce {claims['n']}")

    address = lines["registration-address"]
    assert address == lines["wallet-address"], (address, lines["wallet-address"])
    message = encode_defunct(text=f"Register API key for Turbine: {address}")
    recovered = Account.recover_message(message, signature=lines["registration-signature"])
    assert recovered == address, (recovered, address)
    print(f"firmware registration signature: eth-account recovers {recovered}")

    body = json.loads(lines["order-json"])
    order = body["order"]
    assert order["trader"] == address, order
    typed = {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
            "Order": [{"name": n, "type": t} for n, t in [
                ("marketId", "bytes32"), ("trader", "address"), ("side", "uint8"), ("outcome", "uint8"),
                ("price", "uint256"), ("size", "uint256"), ("nonce", "uint256"), ("expiration", "uint256"),
                ("makerFeeRecipient", "address")]],
        },
        "primaryType": "Order",
        "domain": {"name": "Turbine", "version": "1", "chainId": body["chainId"],
                   "verifyingContract": body["verifyingContract"]},
        "message": dict(order, marketId=bytes.fromhex(order["marketId"][2:].zfill(64))),
    }
    signer = Account.recover_message(encode_typed_data(full_message=typed), signature=body["signature"])
    assert signer == address, (signer, address)
    assert body["signature"] == lines["order-signature"]
    print(f"firmware order signature: eth-account's EIP-712 recovers {signer} (chain {body['chainId']})")

    # What the display showed, rebuilt from the order's fields.
    side = "BUY" if order["side"] == 0 else "SELL"
    outcome = "YES" if order["outcome"] == 0 else "NO"
    size = f"{order['size'] / 1e6:f}".rstrip("0").rstrip(".")
    price = f"0.{order['price']:06d}".rstrip("0")
    price += "0" * max(0, 6 - len(price))
    market = order["marketId"][2:].zfill(64)
    when = datetime.datetime.fromtimestamp(order["expiration"], datetime.timezone.utc)
    expected = (f"{side} {outcome} {size} @ {price} market 0x{market[:4]}…{market[-4:]} "
                f"exp {when:%Y-%m-%d %H:%M}Z chain {body['chainId']}")
    assert lines["display"] == expected, (lines["display"], expected)
    print(f"firmware display showed: {lines['display']}")


if __name__ == "__main__":
    main()
