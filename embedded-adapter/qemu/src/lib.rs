//! What the demo firmwares share: counting instructions with SysTick under `-icount shift=0`,
//! measuring stack by painting, and the panic handler (which reports and exits QEMU).
#![no_std]

use core::hint::black_box;
use core::ptr::{read_volatile, write_volatile};

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_semihosting::{debug, hprintln};

pub mod hostile;

/// 2026-11-23T12:00:00Z: the demo's fixed time.
pub const DEMO_TIME: i64 = 1_795_435_200;
/// The demo API key's id.
pub const API_KEY_ID: &str = "qemu-demo-device";
/// The demo API key: public on purpose, so the host can check what the firmware prints.
pub const API_KEY_SEED: [u8; 32] = *b"signet qemu demo api key seed 01";

/// Words below the stack pointer painted before an operation.
const PAINT_WINDOW: usize = 48 * 1024;
const PAINT: u32 = 0x5AA5_C33C;

/// Starts SysTick counting core clock ticks and returns instructions per tick (calibrated).
pub fn start_counting(mut syst: SYST) -> u32 {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(0x00FF_FFFF);
    syst.clear_current();
    syst.enable_counter();
    instructions_per_tick()
}

/// Exits QEMU with success if `ok`, failure otherwise.
pub fn exit(ok: bool) -> ! {
    debug::exit(if ok { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE });
    loop {
        cortex_m::asm::wfi();
    }
}

/// SysTick ticks since an earlier reading (it counts down from its 24-bit reload).
pub fn ticks_since(start: u32) -> u32 {
    start.wrapping_sub(SYST::get_current()) & 0x00FF_FFFF
}

/// Instructions per SysTick tick, from a loop of exactly two instructions per round: under
/// `-icount shift=0` one instruction takes 1 ns of virtual time, and the board's 25 MHz core
/// clock ticks every 40 ns.
fn instructions_per_tick() -> u32 {
    const ROUNDS: u32 = 200_000;
    let start = SYST::get_current();
    // SAFETY: a register-only countdown loop.
    unsafe {
        core::arch::asm!("1:", "subs {0}, {0}, #1", "bne 1b", inout(reg) ROUNDS => _, options(nomem, nostack));
    }
    let ticks = ticks_since(start).max(1);
    (2 * ROUNDS + ticks / 2) / ticks
}

/// Runs `op` with the stack below here painted, and returns its answer, the SysTick ticks it
/// took and the deepest stack it reached (bytes below the stack pointer at the call).
#[inline(never)]
pub fn measure<A, B, R>(a: A, b: B, op: fn(A, B) -> R) -> (R, u32, usize) {
    let sp = cortex_m::register::msp::read() as usize;
    let bottom = sp - PAINT_WINDOW;
    let mut word = bottom;
    while word < sp {
        // SAFETY: RAM below the stack pointer is unused (no interrupts are enabled) and the
        // window lies inside the RAM region of memory.x.
        unsafe { write_volatile(word as *mut u32, PAINT) };
        word += 4;
    }
    // Through a function pointer the compiler cannot inline `op` into this frame (whose
    // stack was reserved before painting).
    let op = black_box(op);
    let start = SYST::get_current();
    let response = op(a, b);
    let ticks = ticks_since(start);
    let mut deepest = sp;
    let mut word = bottom;
    while word < sp {
        // SAFETY: as above; reading back the window.
        if unsafe { read_volatile(word as *const u32) } != PAINT {
            deepest = word;
            break;
        }
        word += 4;
    }
    (response, ticks, sp - deepest)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("panic: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}
