// Runs the signet Pico firmware in rp2040js, with what the board around the RP2040 would be:
//
// - the boot ROM: a stub whose function table answers the firmware's lookups with entries that
//   trap (BKPT) into this harness, which erases and programs the emulated flash as the real
//   ROM's flash_range_erase / flash_range_program would (NOR semantics: programming only clears
//   bits). Boot stage 2 is skipped at reset (rp2040js does not model the boot ROM that would
//   run it); the firmware still calls its RAM copy after every flash operation.
// - the flash chip: 2 MiB, loaded from the UF2 image, saved to --flash after every change so a
//   restart of the harness over the same file is a power cycle of the board;
// - the ring oscillator's RANDOMBIT register (rp2040js leaves ROSC unimplemented): bits from
//   Node's crypto.randomBytes;
// - a DS3231 at 0x68 and an SSD1306 at 0x3C on I2C0: the clock keeps the host's time (plus what
//   the firmware sets), the display's memory is decoded back into text with font8x8's glyphs;
// - the button on GP15 (active low) and the LED on GP25: when the LED lights (the device waits
//   for a press), the harness presses unless the screen asks about a backup word it did not
//   see, as a user holding the written words would;
// - the USB host: rp2040js's USBCDC enumerates the device; its serial data is bridged to a TCP
//   socket on 127.0.0.1.
//
// Prints one line per event on stdout: "usb-serial 127.0.0.1:PORT", "usb connected",
// "display: TEXT", "press", "flash erase|program OFFSET LEN", "fatal: …".
//
// Usage: node harness.mjs --uf2 FIRMWARE.uf2 --flash STATE.bin --font font8x8/src/legacy.rs
//        [--max-seconds N] [--power-cut-after N]
// --power-cut-after N: the power goes after the N-th flash erase or program of this run (the
// flash keeps what was done up to it, the process exits with status 3).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { ConsoleLogger, LogLevel, Simulator, USBCDC } from 'rp2040js';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
for (const required of ['uf2', 'flash', 'font']) {
  if (!args[required]) {
    console.error(`usage: node harness.mjs --uf2 FILE --flash FILE --font legacy.rs (missing --${required})`);
    process.exit(2);
  }
}
const maxSeconds = Number(args['max-seconds'] ?? 900);
const cutAfter = args['power-cut-after'] === undefined ? null : Number(args['power-cut-after']);

const say = (line) => process.stdout.write(`${line}\n`);
const fatal = (message) => {
  say(`fatal: ${message}`);
  process.exit(1);
};

const FLASH_BASE = 0x10000000;
const FLASH_SIZE = 2 * 1024 * 1024;
const SRAM_BASE = 0x20000000;

const sim = new Simulator();
const mcu = sim.rp2040;
mcu.logger = new ConsoleLogger(LogLevel.Error);

// ---- boot ROM stub -------------------------------------------------------------------------
// Layout: 'M','u',1 at 0x10 with the version at 0x13; halfword pointers at 0x14 (function
// table), 0x16 (data table) and 0x18 (the lookup function). The lookup traps with BKPT #0x40;
// each served function is `bkpt #n; bx lr` at 0x200 + 4n.
const ROM_FUNCTIONS = ['IF', 'EX', 'RE', 'RP', 'FC', 'CX'];
const LOOKUP_BKPT = 0x40;
const rom = new Uint8Array(16 * 1024);
rom.set([0x4d, 0x75, 0x01, 0x03], 0x10);
const putHalf = (at, value) => {
  rom[at] = value & 0xff;
  rom[at + 1] = value >> 8;
};
putHalf(0x14, 0x180);
putHalf(0x16, 0x184);
putHalf(0x18, 0x100 | 1);
putHalf(0x100, 0xbe00 | LOOKUP_BKPT);
putHalf(0x102, 0x4770);
ROM_FUNCTIONS.forEach((_, n) => {
  putHalf(0x200 + 4 * n, 0xbe00 | n);
  putHalf(0x202 + 4 * n, 0x4770);
});
mcu.loadBootrom(new Uint32Array(rom.buffer));

// ---- flash ---------------------------------------------------------------------------------
function loadUf2(path) {
  const data = readFileSync(path);
  if (data.length === 0 || data.length % 512 !== 0) fatal(`${path}: not a UF2 file`);
  let blocks = 0;
  for (let at = 0; at < data.length; at += 512) {
    const word = (i) => data.readUInt32LE(at + i);
    if (word(0) !== 0x0a324655 || word(4) !== 0x9e5d5157 || word(508) !== 0x0ab16f30) fatal(`${path}: bad UF2 block ${at / 512}`);
    if (word(28) !== 0xe48bff56) fatal(`${path}: block ${at / 512} is not for the RP2040`);
    const target = word(12) - FLASH_BASE;
    const size = word(16);
    if (target < 0 || target + size > FLASH_SIZE) fatal(`${path}: block ${at / 512} outside the flash`);
    mcu.flash.set(data.subarray(at + 32, at + 32 + size), target);
    blocks += 1;
  }
  return blocks;
}
if (existsSync(args.flash)) {
  mcu.flash.set(readFileSync(args.flash).subarray(0, FLASH_SIZE));
  say('flash: restored from the previous run');
}
say(`uf2: ${loadUf2(args.uf2)} blocks`);
const saveFlash = () => writeFileSync(args.flash, mcu.flash);
saveFlash();
let flashOps = 0;
// After every erase or program: the file is what the chip would hold if the power went now.
const flashChanged = () => {
  saveFlash();
  flashOps += 1;
  if (cutAfter !== null && flashOps >= cutAfter) {
    say(`power cut after flash operation ${flashOps}`);
    process.exit(3);
  }
};

// ---- the ROM's functions ---------------------------------------------------------------------
const core = mcu.core;
const reg = (n) => core.registers[n] >>> 0;
mcu.onBreak = (code) => {
  if (code === LOOKUP_BKPT) {
    const tag = String.fromCharCode(reg(1) & 0xff, reg(1) >> 8);
    const n = ROM_FUNCTIONS.indexOf(tag);
    if (n < 0 || reg(0) !== 0x180) fatal(`firmware asked the ROM for ${JSON.stringify(tag)}, which the stub does not serve`);
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

// ---- ring oscillator -------------------------------------------------------------------------
const ROSC = 0x40060000;
const ROSC_RANDOMBIT = 0x1c;
const ROSC_STATUS = 0x18;
const rosc = mcu.peripherals[(ROSC >>> 14) << 2];
rosc.readUint32 = (offset) => {
  if (offset === ROSC_RANDOMBIT) return randomBytes(1)[0] & 1;
  if (offset === ROSC_STATUS) return 0x80001000; // stable, enabled
  return 0;
};
rosc.writeUint32 = () => {};

// ---- I2C0: DS3231 and SSD1306 --------------------------------------------------------------
const bcd = (n) => ((Math.floor(n / 10) << 4) | n % 10) & 0xff;
const unbcd = (b) => (b >> 4) * 10 + (b & 0xf);
const ds3231 = {
  pointer: 0,
  offset: 0, // seconds added to the host's clock by the firmware's last setting
  written: null,
  registers(now) {
    const t = new Date((Math.floor(now / 1000) + this.offset) * 1000);
    const r = new Uint8Array(0x13);
    r.set([bcd(t.getUTCSeconds()), bcd(t.getUTCMinutes()), bcd(t.getUTCHours()), t.getUTCDay() + 1, bcd(t.getUTCDate()), bcd(t.getUTCMonth() + 1) | (t.getUTCFullYear() >= 2100 ? 0x80 : 0), bcd(t.getUTCFullYear() % 100)]);
    r[0x0e] = 0x1c;
    r[0x0f] = 0x08; // oscillator running (OSF clear), 32 kHz output on
    return r;
  },
  start(mode) {
    this.first = mode === 0;
    this.written = mode === 0 ? [] : null;
    this.snapshot = this.registers(Date.now());
  },
  write(byte) {
    if (this.first) {
      this.pointer = byte;
      this.first = false;
    } else {
      this.written.push([this.pointer, byte]);
      this.pointer += 1;
    }
  },
  read() {
    const value = this.snapshot[this.pointer % 0x13];
    this.pointer += 1;
    return value;
  },
  stop() {
    const calendar = (this.written ?? []).filter(([r]) => r <= 6);
    if (calendar.length === 7) {
      const v = Object.fromEntries(calendar);
      const set = Date.UTC(2000 + unbcd(v[6]) + (v[5] & 0x80 ? 100 : 0), unbcd(v[5] & 0x1f) - 1, unbcd(v[4]), unbcd(v[2] & 0x3f), unbcd(v[1]), unbcd(v[0])) / 1000;
      this.offset = set - Math.floor(Date.now() / 1000);
      say(`clock set: ${new Date(set * 1000).toISOString()}`);
    }
    this.written = null;
  },
};

function loadGlyphs(path) {
  const source = readFileSync(path, 'utf8');
  const body = source.slice(source.indexOf('pub const BASIC_LEGACY'));
  const entries = body.slice(body.indexOf('= [') + 3, body.indexOf('\n];')).match(/NOTHING_TO_DISPLAY|\[[^\]]*\]/g);
  if (!entries || entries.length !== 128) fatal(`${path}: expected font8x8's 128 BASIC_LEGACY glyphs`);
  const glyphs = new Map();
  entries.forEach((entry, code) => {
    if (code < 0x20 || code > 0x7e) return;
    const rows = entry === 'NOTHING_TO_DISPLAY' ? new Array(8).fill(0) : entry.slice(1, -1).split(',').map((v) => Number(v.trim()));
    // Columns, bit 0 at the top, as the firmware draws them.
    const columns = Array.from({ length: 8 }, (_, x) => rows.reduce((col, row, y) => col | (((row >> x) & 1) << y), 0));
    const key = columns.join(',');
    if (!glyphs.has(key)) glyphs.set(key, String.fromCharCode(code));
  });
  glyphs.set([0x00, 0x40, 0x00, 0x00, 0x40, 0x00, 0x00, 0x40].join(','), '…');
  glyphs.set(new Array(8).fill(0).join(','), ' ');
  return glyphs;
}
const glyphs = loadGlyphs(args.font);

const ssd1306 = {
  ram: new Uint8Array(1024),
  on: false,
  col: 0,
  page: 0,
  cols: [0, 127],
  pages: [0, 7],
  pageTexts: [],
  control: null,
  command: [],
  wroteData: false,
  text: '',
  start() {
    this.control = null;
  },
  argumentsOf(op) {
    if (op === 0x21 || op === 0x22) return 2;
    return [0x20, 0x81, 0x8d, 0xa8, 0xd3, 0xd5, 0xd9, 0xda, 0xdb].includes(op) ? 1 : 0;
  },
  write(byte) {
    if (this.control === null) {
      this.control = byte;
      return;
    }
    if (this.control === 0x40) {
      this.ram[this.page * 128 + this.col] = byte;
      this.wroteData = true;
      if (this.col === this.cols[1]) {
        this.col = this.cols[0];
        this.page = this.page === this.pages[1] ? this.pages[0] : this.page + 1;
      } else {
        this.col += 1;
      }
      return;
    }
    this.command.push(byte);
    if (this.command.length < 1 + this.argumentsOf(this.command[0])) return;
    const [op, a, b] = this.command;
    this.command = [];
    if (op === 0x21) [this.cols, this.col] = [[a, b], a];
    if (op === 0x22) [this.pages, this.page] = [[a, b], a];
    if (op === 0xaf) this.on = true;
    if (op === 0xae) this.on = false;
  },
  rows() {
    const rows = [];
    for (let page = 0; page < 8; page++) {
      let row = '';
      for (let cell = 0; cell < 16; cell++) {
        const key = Array.from(this.ram.subarray(page * 128 + cell * 8, page * 128 + cell * 8 + 8)).join(',');
        row += glyphs.get(key) ?? '\ufffd';
      }
      rows.push(row);
    }
    return rows;
  },
  // A line longer than one screen comes in pages of seven rows with "page k/n" on the eighth;
  // the text is whole once every page has been seen.
  stop() {
    // A whole screen is eight controller-page writes; decode once the last one landed.
    if (this.wroteData && this.page === this.pages[0] && this.col === this.cols[0]) {
      const rows = this.on ? this.rows() : new Array(8).fill('');
      const paged = rows[7].trimEnd().match(/^page (\d+)\/(\d+)$/);
      let text = null;
      if (paged) {
        const [k, n] = [Number(paged[1]), Number(paged[2])];
        if (k === 1) this.pageTexts = [];
        this.pageTexts[k - 1] = rows.slice(0, 7).join('');
        complete = false;
        if (k === n && this.pageTexts.filter((t) => t !== undefined).length === n) text = this.pageTexts.join('').trimEnd();
      } else {
        text = rows.join('').trimEnd();
      }
      if (text !== null) {
        complete = true;
        if (text !== this.text) {
          this.text = text;
          if (text) say(`display: ${text}`);
          onDisplay(text);
        }
        if (ledOn && wantsPress()) press.schedule(150 * MS);
      }
    }
    this.wroteData = false;
  },
};

const i2c = mcu.i2c[0];
let target = null;
i2c.onStart = () => i2c.completeStart();
i2c.onConnect = (address, mode) => {
  target = address === 0x68 ? ds3231 : address === 0x3c ? ssd1306 : null;
  target?.start(mode);
  i2c.completeConnect(target !== null);
};
i2c.onWriteByte = (value) => {
  target?.write(value);
  i2c.completeWrite(target !== null);
};
i2c.onReadByte = () => i2c.completeRead(target?.read ? target.read() : 0xff);
i2c.onStop = () => {
  target?.stop();
  target = null;
  i2c.completeStop();
};

// ---- the user: button and LED ----------------------------------------------------------------
const BUTTON = 15;
const LED = 25;
const MS = 1_000_000;
mcu.gpio[BUTTON].setInputValue(true);
const words = new Map();
let screen = '';
let ledOn = false;
let complete = true;
function onDisplay(text) {
  screen = text;
  const backup = text.match(/^Backup words \d+-\d+ of \d+: (.*)$/);
  if (backup) {
    for (const item of backup[1].split(' ')) {
      const [position, word] = item.split('.');
      words.set(Number(position), word);
    }
  }
}
function wantsPress() {
  const check = screen.match(/^Backup check: is word (\d+) "([a-z]+)"\?/);
  if (check) return words.get(Number(check[1])) === check[2];
  return true;
}
// A press lasts 100 ms and starts 150 ms after the light comes on, so the previous press has
// always been released (the firmware waits to see the button up before it counts a press).
const release = sim.clock.createAlarm(() => mcu.gpio[BUTTON].setInputValue(true));
const press = sim.clock.createAlarm(() => {
  say('press');
  mcu.gpio[BUTTON].setInputValue(false);
  release.schedule(100 * MS);
});
// The user presses once the light asks for it and the whole line has been read (every page
// of a long one).
mcu.gpio[LED].addListener(() => {
  ledOn = mcu.gpio[LED].outputValue;
  if (ledOn && complete && wantsPress()) press.schedule(150 * MS);
});

// ---- USB host and the TCP bridge -----------------------------------------------------------
const cdc = new USBCDC(mcu.usbCtrl);
const toDevice = [];
const pendingReads = new Map();
let connected = false;
let socket = null;
// rp2040-hal arms the OUT endpoint at bus reset, before USBCDC knows which endpoint is the data
// OUT endpoint, and USBCDC answers an armed endpoint at once (empty) when it has nothing: keep
// every request until there are bytes for it.
mcu.usbCtrl.onEndpointRead = (endpoint, size) => {
  pendingReads.set(endpoint, size);
  pump();
};
function pump() {
  const endpoint = cdc.outEndpoint;
  if (!connected || !pendingReads.has(endpoint) || toDevice.length === 0) return;
  const size = pendingReads.get(endpoint);
  pendingReads.delete(endpoint);
  mcu.usbCtrl.endpointReadDone(endpoint, Uint8Array.from(toDevice.splice(0, size)));
}
cdc.onDeviceConnected = () => {
  connected = true;
  say('usb connected');
  pump();
};
cdc.onSerialData = (buffer) => socket?.write(buffer);

const server = createServer((client) => {
  if (socket) {
    client.destroy();
    return;
  }
  socket = client;
  client.on('data', (data) => {
    toDevice.push(...data);
    pump();
  });
  client.on('close', () => {
    socket = null;
  });
  client.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => say(`usb-serial 127.0.0.1:${server.address().port}`));

// ---- stack -----------------------------------------------------------------------------------
// RAM is painted before the firmware starts; at the end, the lowest byte the stack changed
// (below the stack top at 0x20040000, above the firmware's few statics) gives its peak depth.
const PAINT = 0xa5;
const STACK_TOP = 0x40000;
const STATICS = 0x400;
mcu.sram.fill(PAINT, 0, STACK_TOP);
const stackPeak = () => {
  let low = STATICS;
  while (low < STACK_TOP && mcu.sram[low] === PAINT) low++;
  return STACK_TOP - low;
};

// ---- run ---------------------------------------------------------------------------------------
// Skip boot stage 2 (see the top): the vector table follows it at 0x10000100.
core.VTOR = 0x10000100;
core.SP = mcu.readUint32(0x10000100);
core.PC = mcu.readUint32(0x10000104) & ~1;
process.on('uncaughtException', (error) => fatal(`${error.message} (pc=0x${(core.PC >>> 0).toString(16)})`));
sim.execute();
const stopAt = setTimeout(() => fatal(`still running after ${maxSeconds} s`), maxSeconds * 1000);
stopAt.unref();
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    sim.stop();
    saveFlash();
    say(`stack peak: ${stackPeak()} bytes`);
    say('stopped');
    process.exit(0);
  });
}
