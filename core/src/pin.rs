//! A device PIN as hardware wallets keep one, after Trezor's storage design: the PIN is never
//! stored. It is stretched with the device's salt into a key that opens the device's random data
//! key and authentication key ([`SealedKeys`]); secrets in flash are sealed under the data key
//! with their name as associated data ([`Keys::seal_entry`]). The PIN is entered through a
//! scrambled [`PinMatrix`] (the device shows the digits, the host sends positions, so the host
//! never learns the PIN). Wrong tries are counted in flash words whose bits are only ever
//! cleared, one per try and *before* the check ([`TryCounter`]), so a power cut cannot take a
//! try back; after `n` wrong PINs the next check waits 2ⁿ − 1 s, and the 16th wipes.
//!
//! ```
//! use signet_core::pin::{Keys, PinMatrix, SealedKeys, TryCounter};
//! # struct Rng(u64);
//! # impl rand_core::TryRng for Rng {
//! #     type Error = core::convert::Infallible;
//! #     fn try_next_u32(&mut self) -> Result<u32, Self::Error> { Ok(self.try_next_u64()? as u32) }
//! #     fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
//! #         self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
//! #         Ok(self.0)
//! #     }
//! #     fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
//! #         for b in dst { *b = self.try_next_u64()? as u8; }
//! #         Ok(())
//! #     }
//! # }
//! # impl rand_core::TryCryptoRng for Rng {}
//! # let mut rng = Rng(7);
//! let device_id = b"RP2040 unique id";
//!
//! // Setup: the user reads the digits 2589 off the scrambled grid and types their positions.
//! let matrix = PinMatrix::shuffled(&mut rng);
//! let positions: Vec<u8> = b"2589".iter().filter_map(|&d| matrix.position_of(d)).collect();
//! let pin = matrix.pin_from_positions(&positions)?;
//! let keys = Keys::generate(&mut rng);
//! let sealed = keys.seal_under(&pin, device_id, 1_000, &mut rng); // stored in flash
//!
//! // A secret in flash, sealed under the data key, its name bound to it.
//! let mut secret = *b"the account key, 32 bytes long!!";
//! let header = keys.seal_entry(b"account", &mut secret, &mut rng)?;
//!
//! // Power-up: count the try first, then check the PIN.
//! let words = [u32::MAX; 4];
//! let counter = TryCounter::read(&words);
//! assert_eq!((counter.failures(), counter.delay_secs()), (0, 0));
//! let unlocked = sealed.unlock(&pin, device_id)?;
//! unlocked.open_entry(b"account", &header, &mut secret)?;
//! assert_eq!(&secret, b"the account key, 32 bytes long!!");
//! # Ok::<(), signet_core::pin::PinError>(())
//! ```

mod counter;
mod error;
mod matrix;
mod secret;
mod vault;

pub use counter::{MAX_FAILURES, TryCounter};
pub use error::PinError;
pub use matrix::PinMatrix;
pub use secret::{MAX_PIN_DIGITS, MIN_PIN_DIGITS, Pin};
pub use vault::{ENTRY_HEADER_LEN, EntryHeader, Keys, PIN_ITERATIONS, SEALED_KEYS_LEN, SealedKeys, WipeCode};

/// A repeatable generator for the module's tests (an LCG: no randomness claimed).
#[cfg(test)]
mod test_rng {
    pub(crate) struct Lcg(pub(crate) u64);

    impl rand_core::TryRng for Lcg {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok((self.try_next_u64()? >> 32) as u32)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            Ok(self.0)
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            for b in dst {
                *b = (self.try_next_u64()? >> 56) as u8;
            }
            Ok(())
        }
    }

    impl rand_core::TryCryptoRng for Lcg {}
}
