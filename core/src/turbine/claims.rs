//! Token claims and the payload signet writes for them, without allocation.

use rand_core::CryptoRng;

use crate::text::SliceWriter;
use crate::time::UnixTime;
use crate::turbine::key_id::KeyId;
use crate::turbine::nonce::Nonce;

/// Longest payload signet mints: `{"kid":"<64>","n":"<32>","ts":<20>}`.
pub const MAX_MINTED_PAYLOAD_LEN: usize = r#"{"kid":"","n":"","ts":}"#.len()
    + crate::turbine::key_id::MAX_KEY_ID_LEN
    + crate::turbine::nonce::NONCE_HEX_LEN
    + "-9223372036854775808".len();

/// Longest decoded payload the verifier accepts, in bytes.
///
/// Room for the documented client's spaced JSON with the longest key id plus some unknown
/// fields, which the protocol says to ignore; anything longer is `invalid token format`.
pub const MAX_PAYLOAD_LEN: usize = 512;

/// The claims of a Turbine bearer token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims {
    /// The API key id (`kid`).
    pub kid: KeyId,
    /// When the token was made (`ts`).
    pub ts: UnixTime,
    /// The single-use nonce (`n`).
    pub nonce: Nonce,
}

impl Claims {
    /// Claims for a fresh token: the given key id and time, a new random nonce.
    pub fn generate<R: CryptoRng + ?Sized>(kid: KeyId, now: UnixTime, rng: &mut R) -> Self {
        Claims { kid, ts: now, nonce: Nonce::generate(rng) }
    }

    /// Writes the payload exactly as the official SDK does
    /// (`json.dumps(payload, separators=(",", ":"), sort_keys=True)`), returning the used bytes.
    ///
    /// Returns `None` if `out` is shorter than the payload; [`MAX_MINTED_PAYLOAD_LEN`] always fits.
    pub fn write_json<'b>(&self, out: &'b mut [u8]) -> Option<&'b [u8]> {
        let mut w = SliceWriter::new(out);
        w.put(b"{\"kid\":\"")?;
        w.put(self.kid.as_str().as_bytes())?;
        w.put(b"\",\"n\":\"")?;
        w.put(&self.nonce.to_hex())?;
        w.put(b"\",\"ts\":")?;
        let mut digits = [0u8; crate::text::DECIMAL_LEN];
        w.put(crate::text::format_i64(self.ts.0, &mut digits))?;
        w.put(b"}")?;
        Some(w.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    fn claims(kid: &str, ts: i64) -> Claims {
        Claims {
            kid: KeyId::new(kid).unwrap(),
            ts: UnixTime(ts),
            nonce: Nonce::from_hex(b"aa7352cbaa9d786dc1ee3a52ec73b0dc").unwrap(),
        }
    }

    #[test]
    fn writes_the_sdk_form() {
        let mut buf = [0u8; MAX_MINTED_PAYLOAD_LEN];
        let json = claims("e792e6d8c4bd2122", 1735779008).write_json(&mut buf).unwrap();
        assert_eq!(
            json,
            br#"{"kid":"e792e6d8c4bd2122","n":"aa7352cbaa9d786dc1ee3a52ec73b0dc","ts":1735779008}"#
        );
    }

    #[test]
    fn longest_payload_fits_and_short_buffers_are_refused() {
        let c = claims(&"k".repeat(crate::turbine::key_id::MAX_KEY_ID_LEN), i64::MIN);
        let mut buf = [0u8; MAX_MINTED_PAYLOAD_LEN];
        assert_eq!(c.write_json(&mut buf).unwrap().len(), MAX_MINTED_PAYLOAD_LEN);
        let mut short = [0u8; MAX_MINTED_PAYLOAD_LEN - 1];
        assert!(c.write_json(&mut short).is_none());
    }
}
