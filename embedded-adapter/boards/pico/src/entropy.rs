//! The seed of the device's random numbers (the wallet's entropy, token nonces): the ring
//! oscillator's random bit, sampled, checked and hashed.
//!
//! The RP2040 has no true random generator. Its ring oscillator's `RANDOMBIT` is the jitter of
//! a free-running oscillator sampled by the system clock: raw samples are biased and correlated,
//! so they are never used directly. [`seed`] takes [`SAMPLES`] bits, spaced so the oscillator
//! runs many periods between samples, checks them (a stuck or grossly biased source stops the
//! device instead of making a weak wallet), and hashes them with SHA-256 together with the
//! microsecond timer (boot-to-boot jitter, not counted as entropy). Assuming at least 0.1 bit of
//! min-entropy per spaced sample, 4,096 samples hold at least 409 bits, above the 256 the seed
//! can carry; that figure is an assumption about the silicon, which only measurements on real
//! boards can confirm (the RP2350's TRNG is the better source on the newer chip).

use rp2040_hal::Timer;
use rp2040_hal::rosc::{Enabled, RingOscillator};
use sha2::{Digest, Sha256};

/// Samples per seed.
pub const SAMPLES: usize = 4096;
/// A run of this many equal samples means the source is stuck (NIST SP 800-90B's repetition
/// count test at a cutoff far above what a working source produces).
const STUCK_RUN: usize = 64;
/// Ones must make up between 1/8 and 7/8 of the samples.
const MIN_ONES: usize = SAMPLES / 8;

/// Why no seed was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntropyError {
    /// The same bit came [`STUCK_RUN`] times in a row.
    Stuck,
    /// Far more zeros than ones or the reverse.
    Biased,
}

/// Busy-waits a few hundred cycles between samples so the oscillator drifts between them.
fn space() {
    cortex_m::asm::delay(256);
}

/// A 32-byte seed from the ring oscillator, or why the source is not fit.
///
/// # Errors
/// [`EntropyError`] when the samples fail the health checks.
pub fn seed(rosc: &RingOscillator<Enabled>, timer: &Timer) -> Result<[u8; 32], EntropyError> {
    let mut hash = Sha256::new();
    hash.update(b"signet pico rosc seed v1");
    let mut ones = 0usize;
    let mut run = 0usize;
    let mut last = None;
    let mut byte = 0u8;
    for i in 0..SAMPLES {
        space();
        let bit = rosc.get_random_bit();
        ones += usize::from(bit);
        run = if last == Some(bit) { run + 1 } else { 1 };
        if run >= STUCK_RUN {
            return Err(EntropyError::Stuck);
        }
        last = Some(bit);
        byte = (byte << 1) | u8::from(bit);
        if i % 8 == 7 {
            hash.update([byte]);
        }
    }
    if !(MIN_ONES..=SAMPLES - MIN_ONES).contains(&ones) {
        return Err(EntropyError::Biased);
    }
    hash.update(timer.get_counter().ticks().to_le_bytes());
    Ok(hash.finalize().into())
}
