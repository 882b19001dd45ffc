//! What the user sees before they press: a one-line text display.

/// A display that shows the user one line of text: what a press will approve.
///
/// Implement it over the device's screen (a character LCD, an e-paper panel, a terminal);
/// [`NoDisplay`] stands for a device without one. The line is UTF-8 (an order summary holds
/// `…`) and at most [`signet_core::turbine::order::MAX_ORDER_SUMMARY_LEN`] bytes; a narrow screen
/// scrolls or wraps it, but must show all of it.
pub trait TextDisplay {
    /// The error of the hardware behind it.
    type Error;

    /// Shows `line` until the next call or [`TextDisplay::clear`].
    ///
    /// # Errors
    /// When the line could not be shown; the device then refuses what it was about to ask.
    fn show(&mut self, line: &str) -> Result<(), Self::Error>;

    /// Removes the line (the request was answered).
    ///
    /// # Errors
    /// When the hardware fails; the answer stands.
    fn clear(&mut self) -> Result<(), Self::Error>;
}

/// No display: nothing can be shown, so a device without a screen never signs an order (it
/// answers [`signet_core::link::DeviceError::NoDisplay`]). Tokens, registrations and key
/// installs need no text and work as before.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoDisplay;

/// Why [`NoDisplay`] refused: there is no screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoScreen;

impl TextDisplay for NoDisplay {
    type Error = NoScreen;

    fn show(&mut self, _line: &str) -> Result<(), NoScreen> {
        Err(NoScreen)
    }

    fn clear(&mut self) -> Result<(), NoScreen> {
        Ok(())
    }
}

impl<T: TextDisplay + ?Sized> TextDisplay for &mut T {
    type Error = T::Error;

    fn show(&mut self, line: &str) -> Result<(), Self::Error> {
        (**self).show(line)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        (**self).clear()
    }
}
