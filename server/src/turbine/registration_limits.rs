//! How fast API keys may be registered: per source address and overall.
//!
//! Registration is open to any wallet, and wallets are free to make, so without a limit one
//! party could hold any number of keys (the third review: 300 in 2.4 s), and every per-key
//! bound (a replay share, an open-order cap) would be multiplied by them. The limits make keys
//! cost time and addresses: docs/security.md says how many an attack then needs.
//!
//! Only issued keys spend the budget: a refused registration (a bad signature, a wallet that
//! has a key) costs nothing, so nobody can use up the overall budget without registering.

use core::net::IpAddr;
use core::time::Duration;

use crate::rate::RateLimiter;

/// Default registrations an hour from one source address (an IPv4 address, an IPv6 /64).
pub const DEFAULT_REGISTRATIONS_PER_ADDRESS_PER_HOUR: u32 = 20;
/// Default registrations an hour from everyone together.
pub const DEFAULT_REGISTRATIONS_PER_HOUR: u32 = 1_200;

/// How many keys may be registered an hour; 0 means no limit. Each limit is a token bucket
/// whose burst is its hourly count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegistrationLimits {
    /// From one source address (the TCP peer: behind a proxy, the proxy).
    pub per_address_per_hour: u32,
    /// From everyone together.
    pub per_hour: u32,
}

impl Default for RegistrationLimits {
    fn default() -> Self {
        RegistrationLimits {
            per_address_per_hour: DEFAULT_REGISTRATIONS_PER_ADDRESS_PER_HOUR,
            per_hour: DEFAULT_REGISTRATIONS_PER_HOUR,
        }
    }
}

impl RegistrationLimits {
    /// No limit at all (tests, and servers behind a proxy that limits registrations itself).
    pub const NONE: RegistrationLimits = RegistrationLimits { per_address_per_hour: 0, per_hour: 0 };
}

const HOUR: Duration = Duration::from_secs(3_600);

/// The limits' buckets.
pub(crate) struct RegistrationGate {
    per_address: Option<RateLimiter>,
    overall: Option<RateLimiter>,
}

/// The bucket an address spends from: IPv4 addresses one each, IPv6 by /64 (one host's usual
/// allocation: a single machine has 2^64 addresses).
fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

impl RegistrationGate {
    pub(crate) fn new(limits: RegistrationLimits) -> Self {
        let bucket = |n: u32| (n > 0).then(|| RateLimiter::per_period(n, HOUR, n));
        RegistrationGate {
            per_address: bucket(limits.per_address_per_hour),
            overall: bucket(limits.per_hour),
        }
    }

    /// Whether a registration from `peer` (unknown without a socket, e.g. a router served by
    /// the caller) would be within the limits now; spends nothing.
    pub(crate) fn allows(&self, peer: Option<IpAddr>) -> bool {
        let address_ok = match (&self.per_address, peer) {
            (Some(limiter), Some(ip)) => limiter.available(&address_key(ip)),
            _ => true,
        };
        address_ok && self.overall.as_ref().is_none_or(|l| l.available(""))
    }

    /// Spends one registration from `peer` (after a key was issued).
    pub(crate) fn spend(&self, peer: Option<IpAddr>) {
        if let (Some(limiter), Some(ip)) = (&self.per_address, peer) {
            limiter.admit(&address_key(ip));
        }
        if let Some(limiter) = &self.overall {
            limiter.admit("");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_everyone_have_budgets_and_ipv6_counts_by_64() {
        let gate = RegistrationGate::new(RegistrationLimits { per_address_per_hour: 2, per_hour: 3 });
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        for _ in 0..2 {
            assert!(gate.allows(Some(a)));
            gate.spend(Some(a));
        }
        assert!(!gate.allows(Some(a)), "a's hour is spent");
        assert!(gate.allows(Some(b)));
        gate.spend(Some(b));
        assert!(!gate.allows(Some(b)) && !gate.allows(None), "everyone's hour is spent");
        let v6 = RegistrationGate::new(RegistrationLimits { per_address_per_hour: 1, per_hour: 0 });
        v6.spend(Some("2001:db8:1:2::1".parse().unwrap()));
        assert!(!v6.allows(Some("2001:db8:1:2:ffff::9".parse().unwrap())), "same /64");
        assert!(v6.allows(Some("2001:db8:1:3::1".parse().unwrap())));
        assert!(v6.allows(None));
        let none = RegistrationGate::new(RegistrationLimits::NONE);
        (0..100).for_each(|_| none.spend(Some(a)));
        assert!(none.allows(Some(a)));
    }
}
