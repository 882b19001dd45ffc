//! What the user reads before pressing: an SSD1306 128×64 OLED on I2C, as 8 rows of 16
//! characters (font8x8's glyphs), wrapped by character.
//!
//! A line of up to 128 characters (every prompt, an ordinary order) fills one screen. A longer
//! one (an order summary with a fee recipient or a settlement contract in full, up to 256
//! bytes) is shown in pages of 112 characters with `page k/n` on the last row, turned every
//! [`PAGE_MS`] while the device waits for its button, so all of it is shown before any press.
//!
//! A minimal driver on purpose: the device only ever shows one line of text, and the `ssd1306`
//! crate's terminal mode would add a font and a buffer of its own for the same result.

use core::cell::RefCell;
use core::fmt::Write as _;

use embedded_hal::i2c::I2c;
use rp2040_hal::Timer;
use signet_core::turbine::order::MAX_ORDER_SUMMARY_LEN;
use signet_embedded::TextDisplay;

/// The display's I2C address (SA0 low; most modules).
pub const ADDRESS: u8 = 0x3C;
/// Characters per row.
pub const COLUMNS: usize = 16;
/// Rows of text (8-pixel pages of the controller).
pub const ROWS: usize = 8;
/// Characters on a page of a line that needs several (the last row shows `page k/n`).
pub const PAGE_CHARS: usize = COLUMNS * (ROWS - 1);
/// How long each page of a long line stays.
pub const PAGE_MS: u32 = 2_500;

/// Control byte: the bytes that follow are commands.
const COMMANDS: u8 = 0x00;
/// Control byte: the bytes that follow are display data.
const DATA: u8 = 0x40;

/// Power-on set-up: 128×64, horizontal addressing, segment and COM remapped (the usual module
/// orientation), charge pump on, display on.
const INIT: [u8; 25] = [
    COMMANDS, 0xAE, 0xD5, 0x80, 0xA8, 0x3F, 0xD3, 0x00, 0x40, 0x8D, 0x14, 0x20, 0x00, 0xA1, 0xC8, 0xDA, 0x12,
    0x81, 0xCF, 0xD9, 0xF1, 0xDB, 0x40, 0xA4, 0xAF,
];
/// Address the whole screen: columns 0-127, pages 0-7.
const WHOLE_SCREEN: [u8; 7] = [COMMANDS, 0x21, 0, 127, 0x22, 0, 7];

/// The ellipsis the order summary uses (`0x7be8…e928`): three dots on the baseline.
const ELLIPSIS: [u8; 8] = [0x00, 0x40, 0x00, 0x00, 0x40, 0x00, 0x00, 0x40];

/// Why a line could not be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisplayError<E> {
    /// The bus failed.
    I2c(E),
    /// Longer than any line the device shows ([`MAX_ORDER_SUMMARY_LEN`] bytes): refused rather
    /// than shown in part.
    TooLong,
    /// The display was in use (a nested call; cannot happen in the device loop).
    Busy,
}

/// An SSD1306 showing one line of text, a page at a time when it needs several.
pub struct Oled<I> {
    i2c: I,
    timer: Timer,
    line: heapless::String<MAX_ORDER_SUMMARY_LEN>,
    pages: usize,
    page: usize,
    shown_at: u32,
}

impl<I: I2c> Oled<I> {
    /// Switches the display on, blank.
    ///
    /// # Errors
    /// When the display does not answer.
    pub fn new(mut i2c: I, timer: Timer) -> Result<Self, DisplayError<I::Error>> {
        i2c.write(ADDRESS, &INIT).map_err(DisplayError::I2c)?;
        let mut oled = Oled { i2c, timer, line: heapless::String::new(), pages: 1, page: 0, shown_at: 0 };
        oled.set("")?;
        Ok(oled)
    }

    fn set(&mut self, line: &str) -> Result<(), DisplayError<I::Error>> {
        self.line.clear();
        self.line.push_str(line).map_err(|_| DisplayError::TooLong)?;
        let count = line.chars().count();
        self.pages = if count <= COLUMNS * ROWS { 1 } else { count.div_ceil(PAGE_CHARS) };
        self.page = 0;
        self.draw()
    }

    /// Turns to the next page of a long line once the current one has been shown long enough.
    fn tick(&mut self) -> Result<(), DisplayError<I::Error>> {
        let now = self.timer.get_counter_low();
        if self.pages > 1 && now.wrapping_sub(self.shown_at) >= PAGE_MS * 1000 {
            self.page = (self.page + 1) % self.pages;
            self.draw()?;
        }
        Ok(())
    }

    /// Draws the current page, one controller page (row of text) per I2C write.
    fn draw(&mut self) -> Result<(), DisplayError<I::Error>> {
        self.shown_at = self.timer.get_counter_low();
        let mut footer = heapless::String::<COLUMNS>::new();
        let (skip, take) = if self.pages == 1 {
            (0, COLUMNS * ROWS)
        } else {
            let _ = write!(footer, "page {}/{}", self.page + 1, self.pages);
            (self.page * PAGE_CHARS, PAGE_CHARS)
        };
        let mut chars = self.line.chars().skip(skip).take(take);
        self.i2c.write(ADDRESS, &WHOLE_SCREEN).map_err(DisplayError::I2c)?;
        let mut row = [0u8; 1 + 8 * COLUMNS];
        for r in 0..ROWS {
            row.fill(0);
            let mut footer_chars = footer.chars();
            if let Some((control, cells)) = row.split_first_mut() {
                *control = DATA;
                for cell in cells.chunks_exact_mut(8) {
                    let c = if self.pages > 1 && r == ROWS - 1 { footer_chars.next() } else { chars.next() };
                    if let Some(c) = c {
                        cell.copy_from_slice(&glyph(c));
                    }
                }
            }
            self.i2c.write(ADDRESS, &row).map_err(DisplayError::I2c)?;
        }
        Ok(())
    }
}

/// A character's 8 columns (bit 0 at the top), from font8x8's rows (bit 0 at the left);
/// `?` for anything the font lacks.
pub fn glyph(c: char) -> [u8; 8] {
    if c == '…' {
        return ELLIPSIS;
    }
    let rows = font8x8::legacy::BASIC_LEGACY
        .get(c as usize)
        .filter(|_| c.is_ascii() && !c.is_ascii_control())
        .or(font8x8::legacy::BASIC_LEGACY.get(usize::from(b'?')))
        .copied()
        .unwrap_or_default();
    let mut columns = [0u8; 8];
    for (y, row) in rows.iter().enumerate() {
        for (x, column) in columns.iter_mut().enumerate() {
            if row & (1 << x) != 0 {
                *column |= 1 << y;
            }
        }
    }
    columns
}

/// Something the waiting loop keeps up to date (the pages of a long line).
pub trait Tick {
    /// Called between the button's samples.
    fn tick(&self);
}

impl<I: I2c> Tick for RefCell<Oled<I>> {
    fn tick(&self) {
        if let Ok(mut oled) = self.try_borrow_mut() {
            // A failed page turn leaves the page shown; the next tick tries again.
            let _ = oled.tick();
        }
    }
}

/// The device's display: the shared [`Oled`] (the waiting loop turns its pages).
pub struct Screen<'s, I>(pub &'s RefCell<Oled<I>>);

impl<I: I2c> TextDisplay for Screen<'_, I> {
    type Error = DisplayError<I::Error>;

    fn show(&mut self, line: &str) -> Result<(), Self::Error> {
        self.0.try_borrow_mut().map_err(|_| DisplayError::Busy)?.set(line)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.0.try_borrow_mut().map_err(|_| DisplayError::Busy)?.set("")
    }
}
