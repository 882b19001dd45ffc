//! A token bucket per caller, in this process: Bitzoom keys' request rates, and registrations
//! per source address and overall.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

/// Default requests per second of one Bitzoom key.
pub const DEFAULT_RATE_PER_SEC: u32 = 50;
/// Default burst of one Bitzoom key.
pub const DEFAULT_RATE_BURST: u32 = 100;

/// Most buckets held. Callers reach a bucket only with a valid signature (or, in test mode, a
/// test token), but test tokens are free to mint for any user id: past this many, the buckets
/// that are full again (idle long enough to have refilled) are dropped, losing nothing.
const MAX_BUCKETS: usize = 50_000;

/// Requests a second and burst, per caller.
pub(crate) struct RateLimiter {
    per_sec: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub(crate) fn new(per_sec: u32, burst: u32) -> Self {
        Self::per_period(per_sec.max(1), core::time::Duration::from_secs(1), burst)
    }

    /// `count` a `period`, in bursts of at most `burst`.
    pub(crate) fn per_period(count: u32, period: core::time::Duration, burst: u32) -> Self {
        RateLimiter {
            per_sec: f64::from(count.max(1)) / period.as_secs_f64().max(1e-9),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `caller` has a request left, without spending it.
    pub(crate) fn available(&self, caller: &str) -> bool {
        let buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        buckets.get(caller).is_none_or(|(tokens, at)| {
            tokens + Instant::now().duration_since(*at).as_secs_f64() * self.per_sec >= 1.0
        })
    }

    /// Spends one request of `caller`'s budget, if there is one.
    pub(crate) fn admit(&self, caller: &str) -> bool {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(caller) {
            let (per_sec, burst) = (self.per_sec, self.burst);
            buckets
                .retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * per_sec < burst);
        }
        let (tokens, at) = buckets.entry(caller.to_owned()).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_sec).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Buckets held now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.buckets.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_gets_its_burst_and_idle_buckets_go_when_there_are_too_many() {
        let limiter = RateLimiter::new(1, 3);
        assert_eq!((0..5).filter(|_| limiter.admit("a")).count(), 3);
        // Callers that spent one request each: refilled within a second, so dropped at the cap.
        let slow = RateLimiter::new(1_000_000, 2);
        for i in 0..MAX_BUCKETS + 10 {
            slow.admit(&i.to_string());
        }
        assert!(slow.len() <= MAX_BUCKETS, "{}", slow.len());
    }
}
