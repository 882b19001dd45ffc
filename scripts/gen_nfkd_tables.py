#!/usr/bin/env python3
"""Writes core/src/eth/nfkd/tables.rs: what signet-core needs to tell whether text is in Unicode
NFKD without allocating (the BIP-39 passphrase must be): the code points that NFKD changes
(NFKD_Quick_Check=No) and the canonical combining classes, as sorted ranges.

Uses `unicodedata2` (pip install unicodedata2) for a recent Unicode version; the output is
committed, so this runs only when the Unicode version should change.
"""
import sys

import unicodedata2 as ud

out = sys.argv[1] if len(sys.argv) > 1 else "core/src/eth/nfkd/tables.rs"
changed = []
combining = []
for cp in range(0x110000):
    if 0xD800 <= cp <= 0xDFFF:
        continue
    ch = chr(cp)
    if ud.normalize("NFKD", ch) != ch:
        if changed and changed[-1][1] == cp - 1:
            changed[-1][1] = cp
        else:
            changed.append([cp, cp])
    ccc = ud.combining(ch)
    if ccc:
        if combining and combining[-1][1] == cp - 1 and combining[-1][2] == ccc:
            combining[-1][1] = cp
        else:
            combining.append([cp, cp, ccc])

with open(out, "w") as f:
    f.write(f"//! Unicode {ud.unidata_version} data for the NFKD check, made by `scripts/gen_nfkd_tables.py`\n")
    f.write("//! (do not edit by hand).\n\n")
    f.write(f"/// Unicode version of these tables.\npub(crate) const UNICODE_VERSION: &str = \"{ud.unidata_version}\";\n\n")
    f.write("/// Inclusive ranges of the code points NFKD changes (NFKD_Quick_Check = No), sorted.\n")
    f.write(f"pub(crate) static CHANGED: [(u32, u32); {len(changed)}] = [\n")
    for a, b in changed:
        f.write(f"    (0x{a:X}, 0x{b:X}),\n")
    f.write("];\n\n")
    f.write("/// Inclusive ranges of code points with a non-zero canonical combining class, sorted.\n")
    f.write(f"pub(crate) static COMBINING: [(u32, u32, u8); {len(combining)}] = [\n")
    for a, b, c in combining:
        f.write(f"    (0x{a:X}, 0x{b:X}, {c}),\n")
    f.write("];\n")
print(f"{out}: Unicode {ud.unidata_version}, {len(changed)} changed ranges, {len(combining)} combining ranges")
