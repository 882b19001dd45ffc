//! A DS3231 on an I2C bus.

use embedded_hal::i2c::{self, ErrorKind, I2c, NoAcknowledgeSource, Operation};

/// A DS3231's register file behind I2C address `0x68`: writes set the register pointer and
/// then registers, reads return registers from the pointer on. Time does not advance. It
/// starts as the chip powers up: calendar registers zero, oscillator-stop flag set.
#[derive(Clone, Debug)]
pub struct SimulatedRtc {
    registers: [u8; 0x13],
    pointer: usize,
}

impl Default for SimulatedRtc {
    fn default() -> Self {
        let mut registers = [0; 0x13];
        if let Some(status) = registers.get_mut(Self::STATUS) {
            *status = Self::STATUS_AT_POWER_UP;
        }
        SimulatedRtc { registers, pointer: 0 }
    }
}

impl SimulatedRtc {
    /// The chip's bus address.
    pub const ADDRESS: u8 = 0x68;
    const STATUS: usize = 0x0F;
    /// Oscillator-stop flag and 32 kHz output enabled.
    const STATUS_AT_POWER_UP: u8 = 0x88;

    fn register(&mut self) -> Option<&mut u8> {
        let slot = self.registers.get_mut(self.pointer);
        self.pointer = (self.pointer + 1) % 0x13;
        slot
    }
}

impl i2c::ErrorType for SimulatedRtc {
    type Error = ErrorKind;
}

impl I2c for SimulatedRtc {
    fn transaction(&mut self, address: u8, operations: &mut [Operation<'_>]) -> Result<(), ErrorKind> {
        if address != Self::ADDRESS {
            return Err(ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address));
        }
        for operation in operations {
            match operation {
                Operation::Write(bytes) => {
                    let Some((&pointer, data)) = bytes.split_first() else { continue };
                    self.pointer = usize::from(pointer) % 0x13;
                    for &byte in data {
                        if let Some(slot) = self.register() {
                            *slot = byte;
                        }
                    }
                }
                Operation::Read(buffer) => {
                    for out in buffer.iter_mut() {
                        *out = self.register().map_or(0, |slot| *slot);
                    }
                }
            }
        }
        Ok(())
    }
}
