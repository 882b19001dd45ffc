// The RP2040's boot ROM as the firmware sees it, stood in for: rp2040js does not ship the real
// ROM. The stub has the ROM's header and tables; its lookup function and the flash functions it
// serves trap (BKPT) into JS, which erases and programs the emulated flash as the real
// flash_range_erase / flash_range_program would (NOR semantics: programming only clears bits)
// and refuses what the real ones would get wrong (misaligned ranges, data not in SRAM).
//
// Layout: 'M','u',1 at 0x10 with the version at 0x13; halfword pointers at 0x14 (function
// table), 0x16 (data table) and 0x18 (the lookup function). The lookup traps with BKPT #0x40;
// each served function is `bkpt #n; bx lr` at 0x200 + 4n.

const FLASH_SIZE = 2 * 1024 * 1024;
const SRAM_BASE = 0x20000000;
/// connect_internal_flash, flash_exit_xip, flash_range_erase, flash_range_program,
/// flash_flush_cache, flash_enter_cmd_xip.
const ROM_FUNCTIONS = ['IF', 'EX', 'RE', 'RP', 'FC', 'CX'];
const LOOKUP_BKPT = 0x40;
const FUNCTION_TABLE = 0x180;

/** The stub's 16 KiB. */
function stubRom() {
  const rom = new Uint8Array(16 * 1024);
  rom.set([0x4d, 0x75, 0x01, 0x03], 0x10);
  const putHalf = (at, value) => {
    rom[at] = value & 0xff;
    rom[at + 1] = value >> 8;
  };
  putHalf(0x14, FUNCTION_TABLE);
  putHalf(0x16, FUNCTION_TABLE + 4);
  putHalf(0x18, 0x100 | 1);
  putHalf(0x100, 0xbe00 | LOOKUP_BKPT);
  putHalf(0x102, 0x4770);
  ROM_FUNCTIONS.forEach((_, n) => {
    putHalf(0x200 + 4 * n, 0xbe00 | n);
    putHalf(0x202 + 4 * n, 0x4770);
  });
  return new Uint32Array(rom.buffer);
}

/**
 * Loads the stub into `mcu` (which resets its flash to 0xff: load the image after) and serves
 * its traps. `flashChanged()` runs after every erase or program; any other BKPT or UDF (a
 * panic, a fault) is reported through `fatal`.
 */
export function installBootRom(mcu, { say, fatal, flashChanged }) {
  mcu.loadBootrom(stubRom());
  const core = mcu.core;
  const reg = (n) => core.registers[n] >>> 0;
  mcu.onBreak = (code) => {
    if (code === LOOKUP_BKPT) {
      const tag = String.fromCharCode(reg(1) & 0xff, reg(1) >> 8);
      const n = ROM_FUNCTIONS.indexOf(tag);
      if (n < 0 || reg(0) !== FUNCTION_TABLE) fatal(`firmware asked the ROM for ${JSON.stringify(tag)}, which the stub does not serve`);
      core.registers[0] = (0x200 + 4 * n) | 1;
      return;
    }
    const name = ROM_FUNCTIONS[code];
    if (name === 'RE') {
      const [offset, count, blockSize] = [reg(0), reg(1), reg(2)];
      if (offset % 4096 || count % 4096 || offset + count > FLASH_SIZE || blockSize % 4096) fatal(`flash_range_erase(${offset}, ${count}): not whole sectors`);
      mcu.flash.fill(0xff, offset, offset + count);
      say(`flash erase ${offset.toString(16)} ${count}`);
      flashChanged();
    } else if (name === 'RP') {
      const [offset, data, count] = [reg(0), reg(1), reg(2)];
      if (offset % 256 || count % 256 || offset + count > FLASH_SIZE) fatal(`flash_range_program(${offset}, ${count}): not whole pages`);
      if (data < SRAM_BASE || data + count > SRAM_BASE + mcu.sram.length) fatal('flash_range_program: data not in SRAM (the flash is unreadable while programming)');
      for (let i = 0; i < count; i++) mcu.flash[offset + i] &= mcu.sram[data - SRAM_BASE + i];
      say(`flash program ${offset.toString(16)} ${count}`);
      flashChanged();
    } else if (name === undefined) {
      fatal(`firmware stopped (BKPT/UDF #${code}) at pc=0x${(core.PC >>> 0).toString(16)} lr=0x${reg(14).toString(16)}`);
    }
  };
}
