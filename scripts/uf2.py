#!/usr/bin/env python3
"""Writes a UF2 image (what a Pico in BOOTSEL mode takes by drag and drop) from an RP2040 ELF.

UF2 (https://github.com/microsoft/uf2) is 512-byte blocks, each carrying 256 bytes for one flash
address. The bytes are the ELF's loadable segments at their load (physical) addresses, so
`.data`'s initial values, which run from RAM, are written where the start-up code copies them
from. Usage: uf2.py FIRMWARE.elf OUT.uf2
"""

import struct
import sys

FLASH_START = 0x10000000
FLASH_END = FLASH_START + 2 * 1024 * 1024
RP2040_FAMILY = 0xE48BFF56
FLAG_FAMILY_ID = 0x00002000
PAYLOAD = 256


def flash_bytes(elf: bytes) -> dict[int, int]:
    """Address -> byte for every loadable byte of the ELF that lands in flash."""
    if elf[:4] != b"\x7fELF" or elf[4] != 1 or elf[5] != 1:
        raise SystemExit("not a 32-bit little-endian ELF")
    phoff, = struct.unpack_from("<I", elf, 28)
    phentsize, phnum = struct.unpack_from("<HH", elf, 42)
    image: dict[int, int] = {}
    for i in range(phnum):
        p_type, p_offset, _vaddr, p_paddr, p_filesz = struct.unpack_from("<IIIII", elf, phoff + i * phentsize)
        if p_type != 1 or p_filesz == 0:  # PT_LOAD with bytes in the file
            continue
        if not (FLASH_START <= p_paddr and p_paddr + p_filesz <= FLASH_END):
            raise SystemExit(f"segment at {p_paddr:#x} ({p_filesz} bytes) is outside the flash")
        for j, byte in enumerate(elf[p_offset:p_offset + p_filesz]):
            image[p_paddr + j] = byte
    return image


def uf2(image: dict[int, int]) -> bytes:
    pages = sorted({address & ~(PAYLOAD - 1) for address in image})
    blocks = []
    for n, page in enumerate(pages):
        data = bytes(image.get(page + i, 0xFF) for i in range(PAYLOAD))
        header = struct.pack("<IIIIIIII", 0x0A324655, 0x9E5D5157, FLAG_FAMILY_ID, page, PAYLOAD, n, len(pages),
                             RP2040_FAMILY)
        blocks.append(header + data.ljust(476, b"\0") + struct.pack("<I", 0x0AB16F30))
    return b"".join(blocks)


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    with open(sys.argv[1], "rb") as f:
        image = flash_bytes(f.read())
    out = uf2(image)
    with open(sys.argv[2], "wb") as f:
        f.write(out)
    print(f"uf2: {sys.argv[2]}: {len(out) // 512} blocks, {max(image) + 1 - FLASH_START} bytes of flash")


if __name__ == "__main__":
    main()
