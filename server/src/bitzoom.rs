//! Bitzoom, server side: HMAC API keys with permissions and allowlists ([`keys`]), and the
//! service that checks signed requests, WebSocket logons and (in test mode) test tokens.

mod caller;
mod error;
pub mod keys;
mod lookup;
pub(crate) mod service;
mod session;
mod test_tokens;

pub use crate::rate::{DEFAULT_RATE_BURST, DEFAULT_RATE_PER_SEC};
pub use caller::{Caller, CallerVia, MAX_NONCE_LEN, SignedHeaders, TEST_USER_PERMISSIONS};
pub use error::{BITZOOM_FORBIDDEN, BitzoomError};
pub use lookup::MAX_NEGATIVE_ENTRIES;
pub use session::{SessionCount, WsLimits};
pub use test_tokens::BitzoomClaims;
