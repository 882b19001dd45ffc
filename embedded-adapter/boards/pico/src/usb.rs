//! The signet link over USB CDC-ACM (a serial port on the host, no adapter), and a delay that
//! keeps USB answered while the device waits for its button.
//!
//! Everything runs in thread mode, no interrupts: USB is polled while the link waits for bytes
//! and while the button is sampled. During a long computation (PBKDF2, a secp256k1 signature)
//! nothing polls; the controller NAKs the host meanwhile, which a CDC host simply retries.

use core::cell::RefCell;

use embedded_hal::delay::DelayNs;
use rp2040_hal::Timer;
use rp2040_hal::usb::UsbBus;
use usb_device::UsbError;
use usb_device::device::UsbDevice;
use usbd_serial::SerialPort;

use crate::display::Tick;

/// The USB device and its CDC class, shared by the link and the delay.
pub struct Usb<'a> {
    device: UsbDevice<'a, UsbBus>,
    serial: SerialPort<'a, UsbBus>,
}

impl<'a> Usb<'a> {
    /// Wraps an enumerating device and its serial class.
    pub fn new(device: UsbDevice<'a, UsbBus>, serial: SerialPort<'a, UsbBus>) -> Self {
        Usb { device, serial }
    }

    fn poll(&mut self) {
        self.device.poll(&mut [&mut self.serial]);
    }
}

/// Polls USB if nobody else holds it (the link and the delay never overlap, so this only skips
/// a poll in a nested call, never loses one for long).
fn poll(usb: &RefCell<Usb<'_>>) {
    if let Ok(mut usb) = usb.try_borrow_mut() {
        usb.poll();
    }
}

/// The link the device serves: blocking reads and writes over the CDC class.
pub struct UsbLink<'u, 'a> {
    usb: &'u RefCell<Usb<'a>>,
}

impl<'u, 'a> UsbLink<'u, 'a> {
    /// The link over `usb`.
    pub fn new(usb: &'u RefCell<Usb<'a>>) -> Self {
        UsbLink { usb }
    }
}

/// A USB failure other than "not yet" (which the link waits out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkError(pub UsbError);

impl core::fmt::Display for LinkError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "USB: {:?}", self.0)
    }
}

impl core::error::Error for LinkError {}

impl embedded_io::Error for LinkError {
    fn kind(&self) -> embedded_io::ErrorKind {
        embedded_io::ErrorKind::Other
    }
}

impl embedded_io::ErrorType for UsbLink<'_, '_> {
    type Error = LinkError;
}

/// Runs `op` on the serial class, polling between tries until it stops saying "would block".
fn until_ready<'a, T>(
    usb: &RefCell<Usb<'a>>,
    mut op: impl FnMut(&mut SerialPort<'a, UsbBus>) -> Result<T, UsbError>,
) -> Result<T, LinkError> {
    loop {
        poll(usb);
        let Ok(mut guard) = usb.try_borrow_mut() else { continue };
        match op(&mut guard.serial) {
            Err(UsbError::WouldBlock) => {}
            other => return other.map_err(LinkError),
        }
    }
}

impl embedded_io::Read for UsbLink<'_, '_> {
    /// Waits until at least one byte arrived (never 0: a USB serial port does not close).
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, LinkError> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match until_ready(self.usb, |serial| serial.read(buf))? {
                0 => {}
                n => return Ok(n),
            }
        }
    }
}

impl embedded_io::Write for UsbLink<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, LinkError> {
        if buf.is_empty() {
            return Ok(0);
        }
        until_ready(self.usb, |serial| serial.write(buf))
    }

    fn flush(&mut self) -> Result<(), LinkError> {
        until_ready(self.usb, SerialPort::flush)
    }
}

/// A delay on the RP2040's microsecond timer that polls USB while it waits, so the host's
/// requests are answered while the button is sampled, and turns the display's pages.
pub struct PollingDelay<'u, 'a> {
    timer: Timer,
    usb: &'u RefCell<Usb<'a>>,
    screen: Option<&'u dyn Tick>,
}

impl<'u, 'a> PollingDelay<'u, 'a> {
    /// A delay on `timer` that keeps `usb` polled and `screen` turning.
    pub fn new(timer: Timer, usb: &'u RefCell<Usb<'a>>, screen: Option<&'u dyn Tick>) -> Self {
        PollingDelay { timer, usb, screen }
    }
}

impl DelayNs for PollingDelay<'_, '_> {
    fn delay_ns(&mut self, ns: u32) {
        let start = self.timer.get_counter_low();
        let us = ns.div_ceil(1000);
        while self.timer.get_counter_low().wrapping_sub(start) < us {
            poll(self.usb);
        }
        if let Some(screen) = self.screen {
            screen.tick();
        }
    }
}
