#!/usr/bin/env python3
"""Cross-checks signet's BIP-39 / BIP-32 against trezor's `mnemonic` (the BIP-39 reference) and
eth-account's HD wallet on random mnemonics, passphrases and indexes.

For each case: the words signet writes for random entropy (16 to 32 bytes) equal `mnemonic`'s;
the seed for a random passphrase (empty, ASCII, or Unicode in NFC, with ligatures, full-width
and combining marks, which BIP-39 NFKD-normalises) equals `Mnemonic.to_seed`; the address at
m/44'/60'/0'/0/index equals `Account.from_mnemonic`'s. Then phrases with one word changed:
signet refuses exactly those `mnemonic.check` refuses.

Usage: crosscheck_hd.py PATH_TO_hd_wallet [CASES]
"""
import random
import secrets
import subprocess
import sys

from eth_account import Account
from mnemonic import Mnemonic

Account.enable_unaudited_hdwallet_features()
M = Mnemonic("english")


def passphrase(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        return ""
    if kind == 1:
        return "".join(rng.choice("abcXYZ 019!~") for _ in range(rng.randint(1, 40)))
    if kind == 2:
        # Precomposed letters (NFC), a ligature, full-width and superscript forms: NFKD changes them.
        return "".join(rng.choice(["\u00dc", "\u00e9", "\ufb01", "\uff21", "\u00b2", "\u1e9b\u0323", "\uac00", "x"])
                       for _ in range(rng.randint(1, 12)))
    if kind == 3:
        return "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(rng.randint(1, 8)))
    return "".join(chr(rng.choice([rng.randint(0x20, 0x7E), rng.randint(0xA0, 0x2FF), rng.randint(0x1F300, 0x1F64F)]))
                   for _ in range(rng.randint(1, 20)))


def main() -> int:
    binary = sys.argv[1]
    cases = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    rng = random.Random(secrets.randbits(64))
    inputs, expected = [], []
    for _ in range(cases):
        entropy = secrets.token_bytes(rng.choice([16, 20, 24, 28, 32]))
        words = M.to_mnemonic(entropy)
        phrase = passphrase(rng)
        index = rng.choice([0, 1, rng.randint(0, 2**31 - 1), 2**31 - 1])
        seed = M.to_seed(words, phrase).hex()
        address = Account.from_mnemonic(words, passphrase=phrase, account_path=f"m/44'/60'/0'/0/{index}").address
        inputs.append(f"{entropy.hex()} {phrase.encode().hex()} {index}")
        expected.append((words, seed, address, phrase, index))
    # Phrases with one word changed: both sides must agree on which are valid.
    checks = []
    for _ in range(cases // 2):
        words = M.to_mnemonic(secrets.token_bytes(rng.choice([16, 24, 32]))).split(" ")
        words[rng.randrange(len(words))] = rng.choice(M.wordlist)
        phrase = " ".join(words)
        inputs.append(f"check {phrase}")
        checks.append((phrase, M.check(phrase)))
    run = subprocess.run([binary], input="\n".join(inputs) + "\n", capture_output=True, text=True, check=True)
    lines = run.stdout.splitlines()
    passed = failed = 0
    for (words, seed, address, phrase, index), line in zip(expected, lines):
        got = line.split("\t")
        if got != [words, seed, address]:
            failed += 1
            print(f"MISMATCH passphrase={phrase!r} index={index}\n  want {[words, seed, address]}\n  got  {got}")
        else:
            passed += 1
    for (phrase, valid), line in zip(checks, lines[len(expected):]):
        if (line == "ok") != valid:
            failed += 1
            print(f"MISMATCH on validity of {phrase!r}: mnemonic.check={valid}, signet={line}")
        else:
            passed += 1
    if len(lines) != len(inputs):
        failed += 1
        print(f"expected {len(inputs)} answers, got {len(lines)}")
    print(f"crosscheck_hd: {passed} passed, {failed} failed ({cases} derivations, {len(checks)} validity checks)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
