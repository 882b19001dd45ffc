#!/usr/bin/env python3
"""Checks what the QEMU firmware printed with independent libraries: its token with PyNaCl
(and the payload against the documented SDK's serialisation), its registration signature with
eth-account, and its order signature with eth-account's EIP-712 over the order and domain it
printed (the signer must be the device's wallet), and the line its display showed against the
order's fields; the USDC permit, CTF approval and redemption it signed, each with eth-account's
EIP-712 over the relayer body it printed, and the screens it showed for each (the summary and the
warning that took a second press), and that a permit not confirmed was not signed. Also: the wallet the firmware made is the one eth-account derives from the backup words its
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
    check_messages(path, address)


POLYGON = {"usdc": "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359", "ctf": "0xA86e521D596D626E2347875F1a4a23719dDaC0B6",
           "settlement": "0xdB96C91d9e5930fE3Ed1604603CfA4ece454725c"}
DOMAIN_TYPE = [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
               {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}]
MESSAGE_TYPES = {
    "permit": ("Permit", [("owner", "address"), ("spender", "address"), ("value", "uint256"), ("nonce", "uint256"),
                          ("deadline", "uint256")]),
    "approval": ("SetApprovalForAll", [("owner", "address"), ("operator", "address"), ("approved", "bool"),
                                       ("nonce", "uint256"), ("deadline", "uint256")]),
    "redemption": ("RedeemPositions", [("owner", "address"), ("collateralToken", "address"),
                                       ("parentCollectionId", "bytes32"), ("conditionId", "bytes32"),
                                       ("indexSets", "uint256[]"), ("nonce", "uint256"), ("deadline", "uint256")]),
}
# What each screen must say (the summary, then the warning behind the second press).
SCREENS = {
    "permit": (["PERMIT UNLIMITED USDC to Turbine settlement", "never expires"],
               ["WARNING:", "UNLIMITED allowance", "Valid for more than 30 days"]),
    "approval": (["APPROVE 0x4242424242424242424242424242424242424242 to move ALL outcome tokens"],
                 ["WARNING:", "NOT Turbine's settlement contract"]),
    "redemption": (["REDEEM condition 0x5a5a", "sets 1,2"], ["WARNING:", "Valid for more than 30 days"]),
}


def check_messages(path, wallet):
    """Each message's signature over the typed data rebuilt from its printed body, and its screens."""
    lines, screens, current = {}, {}, None
    for line in open(path, encoding="utf-8"):
        key, sep, value = line.strip().partition(": ")
        if key == "message":
            current = value
            screens[current] = []
        elif key == "display" and current is not None:
            screens[current].append(value)
        elif sep:
            lines[key] = value
            current = None if key == "refused" else current
    for name, (primary, fields) in MESSAGE_TYPES.items():
        body = json.loads(lines[f"{name}-body"])
        message = {k: body[k] for k, _ in fields if k in body}
        message["nonce"] = int(lines[f"{name}-nonce"])
        message["deadline"] = int(body["deadline"])
        if name == "permit":
            message["value"] = int(body["value"])
            domain = {"name": "USD Coin", "version": "2", "verifyingContract": POLYGON["usdc"]}
        else:
            domain = {"name": "ConditionalTokensWithPermit", "version": "1", "verifyingContract": POLYGON["ctf"]}
        if name == "redemption":
            message["indexSets"] = [int(i) for i in body["indexSets"]]
        typed = {"types": {"EIP712Domain": DOMAIN_TYPE, primary: [{"name": n, "type": t} for n, t in fields]},
                 "primaryType": primary, "domain": dict(domain, chainId=body["chainId"]), "message": message}
        signature = bytes.fromhex(body["r"][2:] + body["s"][2:]) + bytes([body["v"]])
        signer = Account.recover_message(encode_typed_data(full_message=typed), signature=signature)
        assert signer == wallet == body["owner"], (name, signer, wallet)
        summary, warning = SCREENS[name]
        shown = screens[name]
        assert len(shown) == 2 and lines[f"{name}-presses"] == "2", (name, shown, lines[f"{name}-presses"])
        for screen, expected in zip(shown, (summary, warning)):
            assert all(text in screen for text in expected), (name, screen, expected)
        print(f"firmware {name}: eth-account's EIP-712 recovers {signer}; shown: {shown[0]!r}, then {shown[1]!r}")
    assert lines["refused"] == "not confirmed, nothing signed" and len(screens["refused"]) == 1
    print("firmware: a permit not confirmed was not signed")


if __name__ == "__main__":
    main()
