//! Bitzoom: JWT bearer tokens (its "legacy 1.0" API) and HMAC-SHA256 request signing (its
//! current private REST and WebSocket API).

pub mod channels;
pub mod jwt;
pub mod request_signing;
pub mod ws_logon;
