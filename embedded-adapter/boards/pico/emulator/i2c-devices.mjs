// The two I2C chips of the board, modelled in a few lines each: a DS3231 real-time clock that
// keeps the host's time (plus whatever the firmware sets) and an SSD1306 display whose memory
// is decoded back into text with the glyphs the firmware draws (font8x8's, read from the crate's
// source, and its own ellipsis).
import { readFileSync } from 'node:fs';

const bcd = (n) => ((Math.floor(n / 10) << 4) | n % 10) & 0xff;
const unbcd = (b) => (b >> 4) * 10 + (b & 0xf);
/** A DS3231: reads give the host's time plus the offset the firmware's last setting made. */
function ds3231(say) {
  return {
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
}

/** font8x8's BASIC_LEGACY glyphs (from the crate's source), as the firmware draws them. */
function loadGlyphs(path) {
  const source = readFileSync(path, 'utf8');
  const body = source.slice(source.indexOf('pub const BASIC_LEGACY'));
  const entries = body.slice(body.indexOf('= [') + 3, body.indexOf('\n];')).match(/NOTHING_TO_DISPLAY|\[[^\]]*\]/g);
  if (!entries || entries.length !== 128) throw new Error(`${path}: expected font8x8's 128 BASIC_LEGACY glyphs`);
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
/** An SSD1306: the commands the firmware sends, its 1 KiB of display memory, and the text in it. */
function ssd1306(glyphs, onText) {
  return {
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
        if (paged) {
          const [k, n] = [Number(paged[1]), Number(paged[2])];
          if (k === 1) this.pageTexts = [];
          this.pageTexts[k - 1] = rows.slice(0, 7).join('');
          const whole = k === n && this.pageTexts.filter((t) => t !== undefined).length === n;
          onText(whole ? this.pageTexts.join('').trimEnd() : null);
        } else {
          onText(rows.join('').trimEnd());
        }
      }
      this.wroteData = false;
    },
  };
}

/**
 * A DS3231 (0x68) and an SSD1306 (0x3C) on `mcu`'s I2C0; other addresses are not acknowledged.
 * `onText(text)` gets the screen's text each time a whole screen was drawn (every page of a
 * paged line), `onText(null)` for a page of a line not yet whole.
 */
export function attachI2cDevices(mcu, { say, fontPath, onText }) {
  const clock = ds3231(say);
  const display = ssd1306(loadGlyphs(fontPath), onText);
  const i2c = mcu.i2c[0];
  let target = null;
  i2c.onStart = () => i2c.completeStart();
  i2c.onConnect = (address, mode) => {
    target = address === 0x68 ? clock : address === 0x3c ? display : null;
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
}
