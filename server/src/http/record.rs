//! What a handler learnt about a request (the verified key, or why it was refused), for the
//! request log line and the metrics written after the response.

use core::time::Duration;
use std::sync::{Arc, Mutex};

/// Filled in by the extractors and handlers of one request; read once the response is out.
#[derive(Clone, Debug, Default)]
pub struct RequestRecord(Arc<Mutex<Record>>);

/// The facts of one request.
#[derive(Clone, Debug, Default)]
pub struct Record {
    /// The key id of a verified token.
    pub kid: Option<String>,
    /// The documented refusal text of a refused token or request.
    pub refusal: Option<&'static str>,
    /// How long verification took (including the replay store).
    pub verify_time: Option<Duration>,
    /// Outcome of a registration (`issued`, `exists`, `invalid`, `wrong signer`, `unavailable`).
    pub registration: Option<&'static str>,
    /// Outcome of a Bitzoom request: `accepted` or the refusal's reason.
    pub bitzoom: Option<&'static str>,
}

impl RequestRecord {
    /// Changes the record.
    pub fn update(&self, change: impl FnOnce(&mut Record)) {
        change(&mut self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    }

    /// A copy of the record.
    #[must_use]
    pub fn get(&self) -> Record {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

/// Records a verification's outcome, if the request carries a record (servers built by
/// [`crate::serve`] always do; a bare router does not, and nothing is recorded).
pub fn record_verification(
    extensions: &axum::http::Extensions,
    kid: Option<&str>,
    refusal: Option<&'static str>,
    took: Duration,
) {
    if let Some(record) = extensions.get::<RequestRecord>() {
        record.update(|r| {
            r.kid = kid.map(str::to_owned);
            r.refusal = refusal;
            r.verify_time = Some(took);
        });
    }
}
