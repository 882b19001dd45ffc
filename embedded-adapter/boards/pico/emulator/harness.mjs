// Runs the signet Pico firmware in rp2040js, with what the board around the RP2040 would be
// (the boot ROM in rom.mjs, the I2C chips in i2c-devices.mjs, the rest here):
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
// "display: TEXT", "press", "flash erase|program OFFSET LEN", "pin check: MS ms" (emulated time
// from "Checking PIN" to the next screen), "fatal: …".
//
// Usage: node harness.mjs --uf2 FIRMWARE.uf2 --flash STATE.bin --font font8x8/src/legacy.rs
//        [--max-seconds N] [--power-cut-after N]
// --power-cut-after N: the power goes after the N-th flash erase or program of this run (the
// flash keeps what was done up to it, the process exits with status 3).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { ConsoleLogger, LogLevel, Simulator, USBCDC } from 'rp2040js';

import { attachI2cDevices } from './i2c-devices.mjs';
import { installBootRom } from './rom.mjs';

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

const sim = new Simulator();
const mcu = sim.rp2040;
const core = mcu.core;
mcu.logger = new ConsoleLogger(LogLevel.Error);

// ---- flash and the boot ROM ----------------------------------------------------------------
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
const saveFlash = () => writeFileSync(args.flash, mcu.flash);
installBootRom(mcu, { say, fatal, flashChanged });

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
saveFlash();

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

// ---- the user: button and LED ----------------------------------------------------------------
const BUTTON = 15;
const LED = 25;
const MS = 1_000_000;
mcu.gpio[BUTTON].setInputValue(true);
const words = new Map();
let screen = '';
let ledOn = false;
let complete = true;
// What the user read: the screen's text once whole (null while a long line is still paging).
// When the firmware began its PIN check ("Checking PIN" shown), in emulated nanoseconds: how long
// the check takes on a real RP2040, whatever the emulator's own speed.
let pinCheckFrom = null;
function onText(text) {
  complete = text !== null;
  if (text === null) return;
  if (text === 'Checking PIN' && screen !== text) pinCheckFrom = sim.clock.nanos;
  if (pinCheckFrom !== null && text !== 'Checking PIN') {
    say(`pin check: ${((sim.clock.nanos - pinCheckFrom) / 1e6).toFixed(0)} ms`);
    pinCheckFrom = null;
  }
  if (text !== screen && text) say(`display: ${text}`);
  screen = text;
  const backup = text.match(/^Backup words \d+-\d+ of \d+: (.*)$/);
  if (backup) {
    for (const item of backup[1].split(' ')) {
      const [position, word] = item.split('.');
      words.set(Number(position), word);
    }
  }
  if (ledOn && wantsPress()) press.schedule(150 * MS);
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
attachI2cDevices(mcu, { say, fontPath: args.font, onText });

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
