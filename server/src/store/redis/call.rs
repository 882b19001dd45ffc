//! The keys and arguments of one check.

/// The keys and arguments of one check.
pub(super) struct Call {
    pub(super) nonce_key: String,
    pub(super) rate_key: String,
    pub(super) marker_key: String,
    pub(super) expiry_ms: i64,
    pub(super) slice: i64,
    pub(super) oldest: i64,
    pub(super) rate_expiry_ms: i64,
    /// The second the credential was issued in.
    pub(super) issued_secs: i64,
}
