//! Frames: postcard messages in COBS, at most [`MAX_FRAME_LEN`] bytes, and a reader that
//! collects them from a byte stream.

use core::fmt;

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Longest frame on the link, delimiter included. The largest message (a redemption with eight
/// full-width index sets) takes under 450 bytes; COBS adds one byte per 254.
pub const MAX_FRAME_LEN: usize = 512;

/// The byte that ends every frame.
pub const FRAME_DELIMITER: u8 = 0;

/// Why a frame could not be written or read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkError {
    /// The message does not fit the buffer or [`MAX_FRAME_LEN`].
    FrameTooLong,
    /// The frame is not valid COBS or not a message of the expected type.
    Malformed,
    /// The frame decodes to a message with bytes left over.
    TrailingBytes,
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LinkError::FrameTooLong => "frame too long",
            LinkError::Malformed => "malformed frame",
            LinkError::TrailingBytes => "frame has trailing bytes",
        })
    }
}

impl core::error::Error for LinkError {}

/// Encodes a message as one frame (ending in [`FRAME_DELIMITER`]) into `out`.
///
/// # Errors
/// [`LinkError::FrameTooLong`] if it does not fit `out` or [`MAX_FRAME_LEN`].
pub fn encode<'b, T: Serialize>(message: &T, out: &'b mut [u8]) -> Result<&'b [u8], LinkError> {
    let limit = out.len().min(MAX_FRAME_LEN);
    let out = out.get_mut(..limit).ok_or(LinkError::FrameTooLong)?;
    postcard::to_slice_cobs(message, out).map(|frame| &*frame).map_err(|_| LinkError::FrameTooLong)
}

/// Decodes one frame (with or without its trailing delimiter), in place.
///
/// # Errors
/// [`LinkError`] for an over-long, malformed or over-full frame.
pub fn decode<'de, T: Deserialize<'de>>(frame: &'de mut [u8]) -> Result<T, LinkError> {
    if frame.len() > MAX_FRAME_LEN {
        return Err(LinkError::FrameTooLong);
    }
    let (message, rest) = postcard::take_from_bytes_cobs::<T>(frame).map_err(|_| LinkError::Malformed)?;
    if rest.is_empty() { Ok(message) } else { Err(LinkError::TrailingBytes) }
}

/// Collects bytes from a stream into frames.
///
/// Frames are decoded in place, so a frame may hold a secret (an [`Request::InstallApiKey`](crate::link::Request::InstallApiKey)
/// seed) in clear: the reader zeroes the bytes of a frame it handed out before it collects the
/// next one, and all of its buffer when dropped. It is not `Clone`, and `Debug` shows no bytes.
pub struct FrameReader {
    buf: [u8; MAX_FRAME_LEN],
    len: usize,
    /// Bytes at the start of `buf` that belong to the last frame handed out.
    handed_out: usize,
    overflowed: bool,
}

impl Default for FrameReader {
    fn default() -> Self {
        FrameReader { buf: [0; MAX_FRAME_LEN], len: 0, handed_out: 0, overflowed: false }
    }
}

impl fmt::Debug for FrameReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameReader").field("len", &self.len).finish_non_exhaustive()
    }
}

impl Drop for FrameReader {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

impl ZeroizeOnDrop for FrameReader {}

impl FrameReader {
    /// An empty reader.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Zeroes the bytes of the frame last handed out (called by [`FrameReader::push`] before
    /// it collects another; call it sooner to wipe a decoded frame at once).
    pub fn wipe(&mut self) {
        if let Some(frame) = self.buf.get_mut(..self.handed_out) {
            frame.zeroize();
        }
        self.handed_out = 0;
    }

    /// Adds one byte. At a delimiter, returns the frame collected so far (delimiter included),
    /// or [`LinkError::FrameTooLong`] if it overflowed; the reader then starts afresh.
    pub fn push(&mut self, byte: u8) -> Option<Result<&mut [u8], LinkError>> {
        self.wipe();
        if byte == FRAME_DELIMITER {
            let (len, overflowed) = (self.len, self.overflowed);
            self.len = 0;
            self.overflowed = false;
            if overflowed {
                // The overflowed bytes are garbage, but may still be a secret's.
                self.buf.zeroize();
                return Some(Err(LinkError::FrameTooLong));
            }
            let slot = self.buf.get_mut(len)?;
            *slot = FRAME_DELIMITER;
            self.handed_out = len + 1;
            return self.buf.get_mut(..=len).map(Ok);
        }
        // Keep room for the delimiter.
        match self.buf.get_mut(self.len).filter(|_| self.len + 1 < MAX_FRAME_LEN) {
            Some(slot) => {
                *slot = byte;
                self.len += 1;
            }
            None => self.overflowed = true,
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::message::{KeySecret, Request};

    #[test]
    fn a_decoded_secret_does_not_stay_in_the_reader() {
        let secret = KeySecret([0xa7; 32]);
        let mut buf = [0u8; MAX_FRAME_LEN];
        let install = Request::InstallApiKey { kid: "k".try_into().unwrap(), secret: secret.clone() };
        let mut stream = encode(&install, &mut buf).unwrap().to_vec();
        stream.extend_from_slice(encode(&Request::DeviceInfo, &mut buf).unwrap());
        let mut reader = FrameReader::new();
        let mut decoded = std::vec::Vec::new();
        for byte in stream {
            if let Some(frame) = reader.push(byte) {
                decoded.push(decode::<Request>(frame.unwrap()).unwrap());
            }
        }
        assert_eq!(decoded, [install, Request::DeviceInfo]);
        // The later, shorter frame overwrote only a prefix of the first; the rest is wiped too.
        assert!(!reader.buf.windows(4).any(|w| w == [0xa7; 4]), "{:?}", &reader.buf[..48]);
        assert_eq!(std::format!("{reader:?}"), "FrameReader { len: 0, .. }");
    }
}
