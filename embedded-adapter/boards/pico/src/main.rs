//! signet signing-device firmware for the Raspberry Pi Pico (RP2040).
//!
//! The real `signet-embedded` device: its link over USB CDC-ACM, its confirmation button on
//! GP15 with the on-board LED (GP25) lit while it waits, an SSD1306 display and a DS3231 clock on
//! I2C0 (GP4 SDA, GP5 SCL), its state in the last 12 KiB of flash, and its random numbers seeded
//! from the ring oscillator. See README.md for the wiring and how to flash it.
#![no_std]
#![no_main]
#![deny(clippy::indexing_slicing, clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod display;
mod entropy;
mod flash;
mod usb;

use core::cell::RefCell;

use chacha20::ChaCha20Rng;
use chacha20::rand_core::SeedableRng;
use embedded_hal_bus::i2c::RefCellDevice;
use rp2040_hal::fugit::RateExtU32;
use rp2040_hal::gpio::{FunctionI2C, Pin, PullUp};
use rp2040_hal::{self as hal, pac};
use signet_embedded::{Button, ButtonConfig, Device, FlashStorage, RtcClock, TextDisplay};
use usb_device::class_prelude::UsbBusAllocator;
use usb_device::device::{StringDescriptors, UsbDeviceBuilder, UsbVidPid};
use usbd_serial::SerialPort;

use crate::display::{Oled, Screen, Tick};
use crate::flash::StateFlash;
use crate::usb::{PollingDelay, Usb, UsbLink};

/// Boot stage 2 for the Pico's W25Q080 flash: the boot ROM copies it to RAM and runs it to set
/// up execute-in-place.
#[unsafe(link_section = ".boot2")]
#[used]
pub static BOOT2: [u8; 256] = rp2040_boot2::BOOT_LOADER_W25Q080;

/// The Pico's crystal.
const XTAL_FREQ_HZ: u32 = 12_000_000;
/// pid.codes' test VID/PID for CDC-ACM serial devices (as the rp-hal examples use); a product
/// needs its own.
const VID_PID: UsbVidPid = UsbVidPid(0x16c0, 0x27dd);

/// Why the firmware stopped at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// The peripherals were taken twice (cannot happen after reset).
    Peripherals,
    /// The crystal or a PLL did not start.
    Clocks,
    /// USB descriptors were refused by usb-device.
    Usb,
    /// The ring oscillator failed its health checks.
    Entropy,
    /// The state region does not fit the flash driver's units.
    Flash,
    /// The stored state could not be read.
    State,
}

impl Fault {
    fn text(self) -> &'static str {
        match self {
            Fault::Peripherals => "fault: peripherals",
            Fault::Clocks => "fault: clocks did not start",
            Fault::Usb => "fault: USB set-up",
            Fault::Entropy => "fault: random source failed its checks",
            Fault::Flash => "fault: flash layout",
            Fault::State => "fault: stored state unreadable",
        }
    }
}

/// PBKDF2 iterations of a PIN check on this board: 20,000 took 2,425 ms of emulated RP2040 time
/// at 125 MHz in rp2040js (the emulator's `pin check` line), so 8,000 take about a second.
const PIN_ITERATIONS: u32 = 8_000;

#[hal::entry]
fn main() -> ! {
    // `run` returns only when start-up failed (the display says why when it can): stop where a
    // debugger, or the emulator, sees it.
    let _fault = run();
    cortex_m::asm::udf()
}

fn run() -> Fault {
    let Some(mut pac) = pac::Peripherals::take() else { return Fault::Peripherals };
    let mut watchdog = hal::Watchdog::new(pac.WATCHDOG);
    let Ok(clocks) = hal::clocks::init_clocks_and_plls(
        XTAL_FREQ_HZ,
        pac.XOSC,
        pac.CLOCKS,
        pac.PLL_SYS,
        pac.PLL_USB,
        &mut pac.RESETS,
        &mut watchdog,
    ) else {
        return Fault::Clocks;
    };
    let timer = hal::Timer::new(pac.TIMER, &mut pac.RESETS, &clocks);
    let sio = hal::Sio::new(pac.SIO);
    let pins = hal::gpio::Pins::new(pac.IO_BANK0, pac.PADS_BANK0, sio.gpio_bank0, &mut pac.RESETS);

    // I2C0 on GP4/GP5, shared by the display and the clock.
    let sda: Pin<_, FunctionI2C, PullUp> = pins.gpio4.reconfigure();
    let scl: Pin<_, FunctionI2C, PullUp> = pins.gpio5.reconfigure();
    let i2c = hal::I2C::i2c0(pac.I2C0, sda, scl, 400.kHz(), &mut pac.RESETS, &clocks.system_clock);
    let bus = RefCell::new(i2c);
    // A board without a display still serves tokens and registrations; it never signs orders.
    let oled = Oled::new(RefCellDevice::new(&bus), timer).ok().map(RefCell::new);

    let flash = StateFlash::new(pac.XIP_SSI);
    let Some(storage) = FlashStorage::new(flash, 0) else {
        return show(oled.as_ref().map(Screen), Fault::Flash);
    };

    let rosc = hal::rosc::RingOscillator::new(pac.ROSC).initialize();
    let Ok(seed) = entropy::seed(&rosc, &timer) else {
        return show(oled.as_ref().map(Screen), Fault::Entropy);
    };
    let rng = ChaCha20Rng::from_seed(seed);
    let _ = rosc.disable();

    let usb_bus = UsbBusAllocator::new(hal::usb::UsbBus::new(
        pac.USBCTRL_REGS,
        pac.USBCTRL_DPRAM,
        clocks.usb_clock,
        true,
        &mut pac.RESETS,
    ));
    let serial = SerialPort::new(&usb_bus);
    let strings = StringDescriptors::default()
        .manufacturer("signet")
        .product("signet signing device")
        .serial_number("signet-pico");
    // A 64-byte control endpoint: with usb-device's default of 8, descriptors arrive in pieces
    // that some hosts (and rp2040js) do not reassemble.
    let Ok(builder) = UsbDeviceBuilder::new(&usb_bus, VID_PID).strings(&[strings]) else {
        return show(oled.as_ref().map(Screen), Fault::Usb);
    };
    let Ok(builder) = builder.max_packet_size_0(64) else {
        return show(oled.as_ref().map(Screen), Fault::Usb);
    };
    let usb = RefCell::new(Usb::new(builder.device_class(usbd_serial::USB_CLASS_CDC).build(), serial));

    let button = pins.gpio15.into_pull_up_input();
    let led = pins.gpio25.into_push_pull_output();
    let presence = Button::new(
        button,
        led,
        PollingDelay::new(timer, &usb, oled.as_ref().map(|o| o as &dyn Tick)),
        ButtonConfig::default(),
    );
    let clock = RtcClock::new(RefCellDevice::new(&bus));
    let Ok(device) = Device::boot(storage, clock, presence, rng) else {
        return show(oled.as_ref().map(Screen), Fault::State);
    };
    // No board id in the PIN's salt: the RP2040 has none of its own, and the flash chip's id is
    // read as easily as the flash itself (docs/security.md, "Device PIN").
    let device = device.with_pin_iterations(PIN_ITERATIONS);
    let mut link = UsbLink::new(&usb);
    match &oled {
        Some(oled) => serve(device.with_display(Screen(oled)), &mut link),
        None => serve(device, &mut link),
    }
}

/// Answers requests for ever (a failed exchange is dropped; the host sends again).
fn serve<C, U, R, D, S>(mut device: Device<C, U, R, D, S>, link: &mut UsbLink<'_, '_>) -> !
where
    C: signet_embedded::TimeSource,
    U: signet_embedded::UserPresence,
    R: chacha20::rand_core::CryptoRng,
    D: TextDisplay,
    S: signet_embedded::Storage,
{
    loop {
        let _ = device.serve(link);
    }
}

/// Shows why the firmware stops, if there is a display.
fn show<D: TextDisplay>(display: Option<D>, fault: Fault) -> Fault {
    if let Some(mut display) = display {
        let _ = display.show(fault.text());
    }
    fault
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    cortex_m::asm::udf()
}
