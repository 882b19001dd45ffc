//! The device's PIN from the host: the device shows a scrambled grid, the user reads their
//! digits off it and types the *positions* here, so the host never learns the PIN.

use std::io::{Read, Write};

use signet_core::link::{PinPositions, PinPurpose, PinStatus, Request, Response};

use crate::device::{DeviceClient, DeviceClientError};

/// Reads the positions (`1`–`9`, keypad layout: 7 8 9 on top) a user typed, ignoring spaces;
/// `None` for anything else. Empty text is no positions (no PIN, where that is allowed).
#[must_use]
pub fn parse_positions(text: &str) -> Option<PinPositions> {
    let mut positions = PinPositions::new();
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        let digit = c.to_digit(10).filter(|d| (1..=9).contains(d))?;
        positions.push(digit as u8).ok()?;
    }
    Some(positions)
}

impl<T: Read + Write> DeviceClient<T> {
    /// Whether a PIN is set, whether the device is locked, the tries left and the next delay.
    ///
    /// # Errors
    /// [`DeviceClientError`]; [`signet_core::link::DeviceError::BadRequest`] from firmware
    /// that predates PINs.
    pub fn pin_status(&mut self) -> Result<PinStatus, DeviceClientError> {
        self.expect_status(&Request::PinStatus)
    }

    /// Has the device show a fresh grid for `purpose`, then asks `positions` (what the user
    /// typed after reading the grid on the device) and sends them with `make`.
    fn grid<F>(
        &mut self,
        purpose: PinPurpose,
        positions: &mut F,
        make: fn(PinPositions) -> Request,
    ) -> Result<Response, DeviceClientError>
    where
        F: FnMut(PinPurpose) -> Option<PinPositions>,
    {
        match self.call(&Request::ShowPinMatrix { purpose })? {
            Response::PinMatrixShown => {}
            _ => return Err(DeviceClientError::Unexpected),
        }
        let typed = positions(purpose).ok_or(DeviceClientError::Cancelled)?;
        self.call(&make(typed))
    }

    /// Unlocks the device: it shows a grid, `positions` returns what the user typed for it
    /// (`None` cancels). A wrong PIN is [`signet_core::link::DeviceError::WrongPin`] with the
    /// tries left and the next delay; the 16th is [`signet_core::link::DeviceError::Wiped`].
    ///
    /// # Errors
    /// [`DeviceClientError`].
    pub fn unlock<F>(&mut self, mut positions: F) -> Result<PinStatus, DeviceClientError>
    where
        F: FnMut(PinPurpose) -> Option<PinPositions>,
    {
        match self.grid(PinPurpose::Current, &mut positions, |positions| Request::Unlock { positions })? {
            Response::PinStatus(status) => Ok(status),
            _ => Err(DeviceClientError::Unexpected),
        }
    }

    /// Sets, changes or (with no positions, twice) removes the PIN: the current PIN first when
    /// there is one, then the new one twice, each on its own grid; the device asks a press.
    ///
    /// # Errors
    /// [`DeviceClientError`]; `PinMismatch` when the two entries differ.
    pub fn change_pin<F>(&mut self, positions: F) -> Result<PinStatus, DeviceClientError>
    where
        F: FnMut(PinPurpose) -> Option<PinPositions>,
    {
        self.set_secret(PinPurpose::NewPin, positions, |positions| Request::SetPin { positions })
    }

    /// Sets or (with no positions) removes the wipe code, the same way.
    ///
    /// # Errors
    /// [`DeviceClientError`]; `BadWipeCode` without a PIN or for the PIN itself.
    pub fn set_wipe_code<F>(&mut self, positions: F) -> Result<PinStatus, DeviceClientError>
    where
        F: FnMut(PinPurpose) -> Option<PinPositions>,
    {
        self.set_secret(PinPurpose::WipeCode, positions, |positions| Request::SetWipeCode { positions })
    }

    fn set_secret<F>(
        &mut self,
        purpose: PinPurpose,
        mut positions: F,
        make: fn(PinPositions) -> Request,
    ) -> Result<PinStatus, DeviceClientError>
    where
        F: FnMut(PinPurpose) -> Option<PinPositions>,
    {
        if self.pin_status()?.pin_set {
            self.unlock(&mut positions)?;
        }
        match self.grid(purpose, &mut positions, make)? {
            Response::PinAgain => {}
            _ => return Err(DeviceClientError::Unexpected),
        }
        match self.grid(purpose, &mut positions, make)? {
            Response::PinStatus(status) => Ok(status),
            _ => Err(DeviceClientError::Unexpected),
        }
    }

    /// Locks the device now.
    ///
    /// # Errors
    /// [`DeviceClientError`].
    pub fn lock(&mut self) -> Result<PinStatus, DeviceClientError> {
        self.expect_status(&Request::Lock)
    }

    /// Sets the idle time after which the unlocked device locks itself (0: never).
    ///
    /// # Errors
    /// [`DeviceClientError`].
    pub fn set_auto_lock(&mut self, secs: u32) -> Result<PinStatus, DeviceClientError> {
        self.expect_status(&Request::SetAutoLock { secs })
    }

    fn expect_status(&mut self, request: &Request) -> Result<PinStatus, DeviceClientError> {
        match self.call(request)? {
            Response::PinStatus(status) => Ok(status),
            _ => Err(DeviceClientError::Unexpected),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_digits_one_to_nine() {
        assert_eq!(parse_positions("7 3 9 1").unwrap().as_slice(), &[7, 3, 9, 1]);
        assert_eq!(parse_positions("").unwrap().len(), 0);
        assert!(parse_positions("1230").is_none());
        assert!(parse_positions("12a").is_none());
        assert!(parse_positions("1234567891").is_none());
    }
}
