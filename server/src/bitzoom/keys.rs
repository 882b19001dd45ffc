//! Bitzoom HMAC API keys as its guide describes them: permissions (`READ`, `TRADE`, `WALLET`),
//! an IP/CIDR allowlist (empty: any address), at most 20 keys per account, disable (reversible)
//! and revoke (permanent), the secret shown once when the key is made.

use core::fmt;
use core::net::IpAddr;
use core::str::FromStr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use signet_core::UnixTime;

use signet_std::Secret;
use signet_std::os_rng;

use crate::store::RegistryError;

/// Most keys (not revoked) an account may hold.
pub const MAX_KEYS_PER_ACCOUNT: usize = 20;

/// Most addresses and networks in one allowlist.
pub const MAX_ALLOWED_IPS: usize = 32;

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Permission {
    /// Private reads: balance, positions, open orders, private WebSocket channels.
    Read,
    /// Orders, cancellations, leverage, margin.
    Trade,
    /// Withdrawals and transfers.
    Wallet,
}

impl Permission {
    /// `READ`, `TRADE` or `WALLET`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Permission::Read => "READ",
            Permission::Trade => "TRADE",
            Permission::Wallet => "WALLET",
        }
    }

    const fn bit(self) -> u8 {
        match self {
            Permission::Read => 1,
            Permission::Trade => 2,
            Permission::Wallet => 4,
        }
    }

    const ALL: [Permission; 3] = [Permission::Read, Permission::Trade, Permission::Wallet];
}

/// A set of permissions, written `READ,TRADE`.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Permissions(u8);

impl Permissions {
    /// Every permission (the keys configured in the environment).
    pub const ALL: Permissions = Permissions(7);

    /// `READ,TRADE`.
    pub const READ_TRADE: Permissions = Permissions(3);

    /// Whether `permission` is granted.
    #[must_use]
    pub const fn allows(self, permission: Permission) -> bool {
        self.0 & permission.bit() != 0
    }

    /// The set with `permission` added.
    #[must_use]
    pub const fn with(self, permission: Permission) -> Self {
        Permissions(self.0 | permission.bit())
    }

    /// The stored form (bits 1 READ, 2 TRADE, 4 WALLET).
    #[must_use]
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// From the stored form; `None` for unknown bits.
    #[must_use]
    pub const fn from_bits(bits: u8) -> Option<Self> {
        if bits & !7 == 0 { Some(Permissions(bits)) } else { None }
    }
}

impl fmt::Display for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> =
            Permission::ALL.iter().filter(|p| self.allows(**p)).map(|p| p.as_str()).collect();
        f.write_str(&names.join(","))
    }
}

impl fmt::Debug for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Permissions({self})")
    }
}

impl FromStr for Permissions {
    type Err = String;

    /// `READ`, `READ,TRADE`, … (any case; at least one).
    fn from_str(text: &str) -> Result<Self, String> {
        let mut set = Permissions::default();
        for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let permission = Permission::ALL
                .into_iter()
                .find(|p| p.as_str().eq_ignore_ascii_case(name))
                .ok_or_else(|| format!("unknown permission {name:?}: READ, TRADE or WALLET"))?;
            set = set.with(permission);
        }
        if set.0 == 0 { Err("at least one permission: READ, TRADE or WALLET".into()) } else { Ok(set) }
    }
}

impl Serialize for Permissions {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Permissions {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?.parse().map_err(serde::de::Error::custom)
    }
}

/// Whether a key may be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BitzoomKeyStatus {
    /// In use.
    Active,
    /// Refused until enabled again.
    Disabled,
    /// Refused for good.
    Revoked,
}

impl BitzoomKeyStatus {
    /// `active`, `disabled` or `revoked`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            BitzoomKeyStatus::Active => "active",
            BitzoomKeyStatus::Disabled => "disabled",
            BitzoomKeyStatus::Revoked => "revoked",
        }
    }

    /// The status named `text`.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [BitzoomKeyStatus::Active, BitzoomKeyStatus::Disabled, BitzoomKeyStatus::Revoked]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// An HMAC API key. `Debug` shows everything but the secret.
#[derive(Clone)]
pub struct BitzoomKey {
    /// `X-BZ-APIKEY`: 32 lower-case hex digits.
    pub api_key: String,
    /// The account it belongs to (the 20-key limit counts per account).
    pub account: String,
    /// A name for people.
    pub label: Option<String>,
    /// What it may do.
    pub permissions: Permissions,
    /// Source addresses and networks it may be used from; empty: any.
    pub allowed_ips: Vec<IpNet>,
    /// Active, disabled or revoked.
    pub status: BitzoomKeyStatus,
    /// When it was made.
    pub created_at: UnixTime,
    /// The HMAC secret (its UTF-8 bytes are the key): 64 hex digits.
    pub secret: Secret,
}

impl fmt::Debug for BitzoomKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BitzoomKey")
            .field("api_key", &self.api_key)
            .field("account", &self.account)
            .field("permissions", &self.permissions)
            .field("allowed_ips", &self.allowed_ips)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl PartialEq for BitzoomKey {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq as _;
        self.api_key == other.api_key
            && self.account == other.account
            && self.label == other.label
            && self.permissions == other.permissions
            && self.allowed_ips == other.allowed_ips
            && self.status == other.status
            && self.created_at == other.created_at
            && bool::from(self.secret.expose().as_bytes().ct_eq(other.secret.expose().as_bytes()))
    }
}

impl BitzoomKey {
    /// A new active key for `account` with a random id and secret.
    #[must_use]
    pub fn generate(
        account: &str,
        permissions: Permissions,
        allowed_ips: Vec<IpNet>,
        label: Option<String>,
        now: UnixTime,
    ) -> Self {
        let mut bytes = zeroize::Zeroizing::new([0u8; 48]);
        rand_core::Rng::fill_bytes(&mut os_rng(), bytes.as_mut());
        let (id, secret) = bytes.split_at(16);
        BitzoomKey {
            api_key: hex::encode(id),
            account: account.to_owned(),
            label,
            permissions,
            allowed_ips,
            status: BitzoomKeyStatus::Active,
            created_at: now,
            secret: Secret::new(hex::encode(secret)),
        }
    }

    /// Whether a request from `ip` may use the key (`None`: the address is not known, which an
    /// allowlist refuses).
    #[must_use]
    pub fn allows_ip(&self, ip: Option<IpAddr>) -> bool {
        self.allowed_ips.is_empty()
            || ip.is_some_and(|ip| {
                let ip = ip.to_canonical();
                self.allowed_ips.iter().any(|net| net.contains(&ip))
            })
    }

    /// What the admin listing shows: everything but the secret.
    #[must_use]
    pub fn public_json(&self) -> serde_json::Value {
        serde_json::json!({
            "apiKey": self.api_key,
            "account": self.account,
            "label": self.label,
            "permissions": self.permissions.to_string(),
            "allowedIps": self.allowed_ips.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "status": self.status.as_str(),
            "createdAt": self.created_at.0,
        })
    }

    /// A key from its stored columns, checked.
    #[cfg(any(feature = "redb", feature = "postgres"))]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_parts(
        api_key: &str,
        account: String,
        label: Option<String>,
        permissions: u8,
        allowed_ips: &[String],
        status: BitzoomKeyStatus,
        created_at: i64,
        secret: String,
    ) -> Option<Self> {
        let allowed_ips = allowed_ips.iter().map(|n| parse_network(n).ok()).collect::<Option<Vec<_>>>()?;
        (!api_key.is_empty() && !secret.is_empty()).then_some(())?;
        Some(BitzoomKey {
            api_key: api_key.to_owned(),
            account,
            label,
            permissions: Permissions::from_bits(permissions)?,
            allowed_ips,
            status,
            created_at: UnixTime(created_at),
            secret: Secret::new(secret),
        })
    }
}

/// An address (`127.0.0.1`, a host network) or a CIDR network (`10.0.0.0/8`), in the form
/// peers are compared in: an IPv4-mapped IPv6 entry (`::ffff:127.0.0.1`, `::ffff:10.0.0.0/104`)
/// becomes its IPv4 address or network, as a peer's address does, so it matches.
///
/// # Errors
/// A description of what is wrong.
pub fn parse_network(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    let net = text
        .parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{text:?} is not an IP address or CIDR network"))?;
    Ok(canonical(net).trunc())
}

/// `net` with an IPv4-mapped IPv6 network written as IPv4.
fn canonical(net: IpNet) -> IpNet {
    match net {
        IpNet::V6(v6) if v6.prefix_len() >= 96 => match v6.addr().to_ipv4_mapped() {
            Some(v4) => ipnet::Ipv4Net::new(v4, v6.prefix_len() - 96).map_or(net, IpNet::V4),
            None => net,
        },
        _ => net,
    }
}

/// Why a key could not be made or changed.
#[derive(Debug)]
#[non_exhaustive]
pub enum BitzoomKeyError {
    /// The account already holds [`MAX_KEYS_PER_ACCOUNT`] keys that are not revoked.
    TooManyKeys,
    /// No key has this id.
    NotFound,
    /// The key is revoked: nothing changes it any more.
    Revoked,
    /// The store failed or is unavailable.
    Registry(RegistryError),
}

impl fmt::Display for BitzoomKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BitzoomKeyError::TooManyKeys => {
                write!(f, "the account already has {MAX_KEYS_PER_ACCOUNT} API keys (revoke one first)")
            }
            BitzoomKeyError::NotFound => f.write_str("API key not found"),
            BitzoomKeyError::Revoked => f.write_str("API key is revoked for good"),
            BitzoomKeyError::Registry(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for BitzoomKeyError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            BitzoomKeyError::Registry(e) => Some(e),
            _ => None,
        }
    }
}

impl From<RegistryError> for BitzoomKeyError {
    fn from(e: RegistryError) -> Self {
        BitzoomKeyError::Registry(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_parse_and_print() {
        let set: Permissions = "read, Trade".parse().unwrap();
        assert!(
            set.allows(Permission::Read) && set.allows(Permission::Trade) && !set.allows(Permission::Wallet)
        );
        assert_eq!(set.to_string(), "READ,TRADE");
        assert!("".parse::<Permissions>().is_err() && "ADMIN".parse::<Permissions>().is_err());
        assert_eq!(Permissions::from_bits(8), None);
    }

    #[test]
    fn allowlists_match_addresses_and_networks() {
        let now = UnixTime(1);
        let mut key = BitzoomKey::generate("acct", Permissions::ALL, Vec::new(), None, now);
        assert!(key.allows_ip(None), "an empty allowlist allows any source");
        key.allowed_ips = vec![parse_network("127.0.0.1").unwrap(), parse_network("10.1.2.3/16").unwrap()];
        assert_eq!(key.allowed_ips[1].to_string(), "10.1.0.0/16");
        let ip = |t: &str| Some(t.parse::<IpAddr>().unwrap());
        assert!(key.allows_ip(ip("127.0.0.1")) && key.allows_ip(ip("10.1.200.7")));
        assert!(key.allows_ip(ip("::ffff:127.0.0.1")), "a v4-mapped address is its v4 address");
        assert!(!key.allows_ip(ip("127.0.0.2")) && !key.allows_ip(ip("10.2.0.1")) && !key.allows_ip(None));
        assert!(parse_network("10.0.0.0/33").is_err() && parse_network("localhost").is_err());
        // Written as IPv4-mapped IPv6, an entry means its IPv4 address (peers are compared so).
        key.allowed_ips =
            vec![parse_network("::ffff:127.0.0.1").unwrap(), parse_network("::ffff:10.9.0.0/112").unwrap()];
        assert_eq!(key.allowed_ips[0].to_string(), "127.0.0.1/32");
        assert_eq!(key.allowed_ips[1].to_string(), "10.9.0.0/16");
        assert!(
            key.allows_ip(ip("127.0.0.1"))
                && key.allows_ip(ip("::ffff:127.0.0.1"))
                && key.allows_ip(ip("10.9.3.4"))
        );
        assert!(!key.allows_ip(ip("10.8.0.1")));
        assert_eq!(parse_network("::1").unwrap().to_string(), "::1/128", "other IPv6 stays IPv6");
    }
}
