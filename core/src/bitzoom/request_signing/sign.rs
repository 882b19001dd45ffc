//! Signing a request (the canonical text streamed into HMAC-SHA256) and checking one.

use core::fmt;

use hmac::Mac;
use sha2::{Digest, Sha256};

use crate::bitzoom::request_signing::canonical::{SliceSink, emit};
use crate::bitzoom::request_signing::request::{
    DEFAULT_RECV_WINDOW_MS, MAX_RECV_WINDOW_MS, RequestSigningError, SignedRequest, parse_millis,
};
use crate::hmac_key::{HMAC_TAG_LEN, HmacKey};
use crate::time::UnixTime;
use crate::turbine::key_id::KeyId;
use crate::turbine::nonce::Nonce;
use crate::turbine::replay::{ReplayError, ReplayGuard};

/// An HMAC-SHA256 request signature.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RequestSignature([u8; HMAC_TAG_LEN]);

impl RequestSignature {
    /// The `X-BZ-SIGNATURE` value: 64 lower-case hex digits.
    #[must_use]
    pub fn to_hex(&self) -> heapless::String<{ 2 * HMAC_TAG_LEN }> {
        let mut digits = [0u8; 2 * HMAC_TAG_LEN];
        crate::text::encode_lower(&self.0, &mut digits);
        let mut text = heapless::String::new();
        // Exactly fits; hex digits are ASCII.
        let _ = text.push_str(core::str::from_utf8(&digits).unwrap_or_default());
        text
    }

    /// The 32 bytes.
    #[must_use]
    pub const fn to_bytes(&self) -> [u8; HMAC_TAG_LEN] {
        self.0
    }
}

impl fmt::Debug for RequestSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestSignature({})", self.to_hex())
    }
}

impl SignedRequest<'_> {
    /// Writes the canonical text into `out` and returns it (for logs and debugging; signing
    /// does not need a buffer). `out` may hold partial text on error.
    ///
    /// # Errors
    /// [`RequestSigningError::BufferTooSmall`], [`RequestSigningError::TooManyQueryPairs`] or
    /// [`RequestSigningError::InvalidField`].
    pub fn write_canonical<'b>(&self, out: &'b mut [u8]) -> Result<&'b [u8], RequestSigningError> {
        let mut sink = SliceSink { buf: out, len: 0 };
        emit(self, &mut sink)?;
        let SliceSink { buf, len } = sink;
        buf.get(..len).ok_or(RequestSigningError::BufferTooSmall)
    }

    /// Signs the request with the API secret, streaming the canonical text into HMAC.
    ///
    /// # Errors
    /// [`RequestSigningError::TooManyQueryPairs`] or [`RequestSigningError::InvalidField`].
    pub fn sign(&self, key: &HmacKey) -> Result<RequestSignature, RequestSigningError> {
        let mut mac = key.start();
        emit(self, &mut mac)?;
        Ok(RequestSignature(mac.finalize().into_bytes().into()))
    }
}

/// A request whose signature and window checked out, with the nonce still to be recorded:
/// what [`check_request`] returns so a server can run its own checks (key status, permission,
/// allowlist) before it spends replay-store room on the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "the nonce must be recorded (UncheckedNonce::record) before the request is served"]
pub struct UncheckedNonce {
    /// 16 bytes of the SHA-256 of the free-text nonce: what replay stores key on.
    pub nonce: Nonce,
    /// When the request says it was made (its timestamp, Unix milliseconds).
    pub issued_at_ms: i64,
    /// When the nonce may be forgotten: the end of the request's window, rounded up.
    pub expires_at: UnixTime,
    /// The verification time, in seconds.
    pub now: UnixTime,
}

impl UncheckedNonce {
    /// Records the nonce for `api_key` in `replay`.
    ///
    /// # Errors
    /// [`RequestSigningError::NonceReused`] for a nonce seen before,
    /// [`RequestSigningError::ReplayCacheFull`] when the store has no room or cannot answer.
    pub fn record<R: ReplayGuard + ?Sized>(
        &self,
        api_key: &KeyId,
        replay: &mut R,
    ) -> Result<(), RequestSigningError> {
        replay
            .check_and_record(api_key, &self.nonce, self.expires_at, self.now)
            .map_err(RequestSigningError::from_replay)
    }
}

impl RequestSigningError {
    /// The refusal for a replay store's answer.
    #[must_use]
    pub const fn from_replay(e: ReplayError) -> Self {
        match e {
            ReplayError::Replayed => RequestSigningError::NonceReused,
            ReplayError::Full => RequestSigningError::ReplayCacheFull,
            ReplayError::RateLimited => RequestSigningError::ReplayShareExceeded,
            ReplayError::Unavailable => RequestSigningError::ReplayUnavailable,
        }
    }
}

/// Checks a signed request at `now_ms` (Unix milliseconds) for the secret `key`, up to but not
/// including its nonce: timestamp and window are well formed, the timestamp lies within the
/// window of `now_ms` (either side), the signature matches (constant time). The nonce comes
/// back to be recorded once the caller's own checks pass ([`UncheckedNonce::record`]), so
/// nobody without the secret, and no request refused for another reason, fills the replay
/// store.
///
/// # Errors
/// The first failed check as a [`RequestSigningError`].
pub fn check_request(
    key: &HmacKey,
    request: &SignedRequest<'_>,
    signature_hex: &str,
    now_ms: u64,
) -> Result<UncheckedNonce, RequestSigningError> {
    let timestamp = parse_millis(request.timestamp).ok_or(RequestSigningError::InvalidTimestamp)?;
    let window = match request.recv_window {
        "" => DEFAULT_RECV_WINDOW_MS,
        text => parse_millis(text)
            .filter(|w| (1..=MAX_RECV_WINDOW_MS).contains(w))
            .ok_or(RequestSigningError::InvalidRecvWindow)?,
    };
    if timestamp.abs_diff(now_ms) > window {
        return Err(RequestSigningError::OutsideRecvWindow);
    }
    if request.nonce.is_empty() {
        return Err(RequestSigningError::InvalidField);
    }
    let mut claimed = [0u8; HMAC_TAG_LEN];
    hex::decode_to_slice(signature_hex, &mut claimed).map_err(|_| RequestSigningError::InvalidSignature)?;
    let mut mac = key.start();
    emit(request, &mut mac)?;
    mac.verify_slice(&claimed).map_err(|_| RequestSigningError::InvalidSignature)?;

    // Nonces are free text; the replay store keys on 16 bytes of their SHA-256.
    let digest = Sha256::digest(request.nonce.as_bytes());
    let mut nonce = [0u8; 16];
    nonce.copy_from_slice(digest.get(..16).unwrap_or(&[0; 16]));
    let to_secs = |ms: u64| UnixTime(i64::try_from(ms / 1000).unwrap_or(i64::MAX));
    Ok(UncheckedNonce {
        nonce: Nonce::from_bytes(nonce),
        issued_at_ms: i64::try_from(timestamp).unwrap_or(i64::MAX),
        // Live until the window has passed, rounded up to whole seconds.
        expires_at: to_secs(timestamp.saturating_add(window).saturating_add(999)),
        now: to_secs(now_ms),
    })
}

/// Checks a signed request at `now_ms` for the API key `api_key` whose secret is `key`, and
/// records its nonce in `replay`: [`check_request`], then [`UncheckedNonce::record`].
///
/// # Errors
/// The first failed check as a [`RequestSigningError`].
pub fn verify_request<R: ReplayGuard + ?Sized>(
    key: &HmacKey,
    api_key: &KeyId,
    request: &SignedRequest<'_>,
    signature_hex: &str,
    now_ms: u64,
    replay: &mut R,
) -> Result<(), RequestSigningError> {
    check_request(key, request, signature_hex, now_ms)?.record(api_key, replay)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::turbine::nonce_cache::NonceCache;

    fn request<'a>(timestamp: &'a str, nonce: &'a str, recv_window: &'a str) -> SignedRequest<'a> {
        SignedRequest {
            timestamp,
            nonce,
            recv_window,
            method: "get",
            path: "/api/v1/balance",
            query: "asset=USDT",
            body: b"",
        }
    }

    #[test]
    fn streamed_signature_equals_hmac_of_the_written_text() {
        let key = HmacKey::new(b"secret");
        let req = request("1712345678903", "n1", "");
        let mut buf = [0u8; 256];
        let text = req.write_canonical(&mut buf).unwrap();
        assert!(text.starts_with(b"1712345678903\nn1\n\nGET\n/api/v1/balance\nasset=USDT\ne3b0c442"));
        assert_eq!(req.sign(&key).unwrap().to_bytes(), key.tag(&[text]));
        let mut short = [0u8; 20];
        assert_eq!(req.write_canonical(&mut short), Err(RequestSigningError::BufferTooSmall));
    }

    #[test]
    fn verification_checks_window_signature_and_nonce() {
        let key = HmacKey::new(b"secret");
        let api_key = KeyId::new("api-key").unwrap();
        let mut cache = NonceCache::<2>::new();
        let now = 1_712_345_678_903;
        let req = request("1712345678903", "n1", "");
        let sig = req.sign(&key).unwrap().to_hex();
        assert_eq!(verify_request(&key, &api_key, &req, &sig, now + 5_000, &mut cache), Ok(()));
        assert_eq!(
            verify_request(&key, &api_key, &req, &sig, now, &mut cache),
            Err(RequestSigningError::NonceReused)
        );
        let stale = request("1712345678903", "n2", "");
        let stale_sig = stale.sign(&key).unwrap().to_hex();
        assert_eq!(
            verify_request(&key, &api_key, &stale, &stale_sig, now + 5_001, &mut cache),
            Err(RequestSigningError::OutsideRecvWindow)
        );
        let wider = request("1712345678903", "n2", "60000");
        let wider_sig = wider.sign(&key).unwrap().to_hex();
        assert_eq!(verify_request(&key, &api_key, &wider, &wider_sig, now + 59_000, &mut cache), Ok(()));
        let too_wide = request("1712345678903", "n3", "60001");
        assert_eq!(
            verify_request(&key, &api_key, &too_wide, &sig, now, &mut cache),
            Err(RequestSigningError::InvalidRecvWindow)
        );
        let other = request("1712345678903", "n4", "");
        assert_eq!(
            verify_request(&key, &api_key, &other, &sig, now, &mut cache),
            Err(RequestSigningError::InvalidSignature)
        );
        assert_eq!(
            verify_request(
                &HmacKey::new(b"other"),
                &api_key,
                &request("1712345678903", "n5", ""),
                &sig,
                now,
                &mut cache
            ),
            Err(RequestSigningError::InvalidSignature)
        );
        // Found by fuzzing: leading zeros beyond 19 digits are still a plain decimal.
        let padded = request("1712345678903", "n7", "000000000000000000000000001426");
        let padded_sig = padded.sign(&key).unwrap().to_hex();
        assert_eq!(verify_request(&key, &api_key, &padded, &padded_sig, now, &mut cache), Ok(()));
        for bad in ["", "-1", "+5", "1e3", " 1"] {
            assert_eq!(
                verify_request(&key, &api_key, &request(bad, "n6", ""), &sig, now, &mut cache),
                Err(RequestSigningError::InvalidTimestamp)
            );
        }
    }

    #[test]
    fn line_breaks_in_fields_are_refused() {
        let key = HmacKey::new(b"secret");
        assert_eq!(request("1", "a\nb", "").sign(&key), Err(RequestSigningError::InvalidField));
    }
}
