//! What a signing device shows before it signs a permit, approval or redemption, derived from
//! the message it hashes (clear signing, as Ledger and Trezor show EIP-2612 permits), and the
//! warnings that need a second, separate confirmation.

use core::fmt;

use crate::eth::{Address, U256, U256_DECIMAL_LEN};
use crate::turbine::permit::chain::ChainContracts;
use crate::turbine::permit::message::TypedMessage;

/// Longest summary a device shows, as an order's ([`MAX_ORDER_SUMMARY_LEN`]): a message whose
/// summary is longer (absurd nonces or index sets) is refused rather than shown in part.
///
/// [`MAX_ORDER_SUMMARY_LEN`]: crate::turbine::order::MAX_ORDER_SUMMARY_LEN
pub const MAX_MESSAGE_SUMMARY_LEN: usize = crate::turbine::order::MAX_ORDER_SUMMARY_LEN;

/// Deadlines further ahead than this need the second confirmation.
pub const LONG_DEADLINE_SECS: u64 = 30 * 86_400;

/// Unix seconds of 9999-12-31 23:59:59 UTC: later deadlines are shown as numbers.
const LAST_SHOWN_TIME: u64 = 253_402_300_799;

/// A message as a device shows it, e.g.
/// `PERMIT UNLIMITED USDC to Turbine settlement, never expires, nonce 0, Polygon` or
/// `APPROVE 0x1234…(full) to move ALL outcome tokens, until 2026-12-01 10:00Z, nonce 3,
/// Avalanche`. Known contracts are named; any other address is shown in full.
#[derive(Clone, Copy, Debug)]
pub struct MessageSummary<'a> {
    message: &'a TypedMessage,
    chain: &'a ChainContracts,
}

/// Why a message needs a second confirmation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Warnings {
    /// A permit for 2^256 − 1: the spender may take all the wallet's USDC, now and later.
    pub unlimited: bool,
    /// A permit spender or an approved operator that is not the chain's settlement contract.
    pub unknown_contract: bool,
    /// A deadline more than [`LONG_DEADLINE_SECS`] ahead (or never).
    pub long_deadline: bool,
}

impl Warnings {
    /// Whether any is raised.
    #[must_use]
    pub const fn any(&self) -> bool {
        self.unlimited || self.unknown_contract || self.long_deadline
    }
}

impl fmt::Display for Warnings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WARNING:")?;
        if self.unlimited {
            f.write_str(" UNLIMITED allowance: the spender can take ALL your USDC.")?;
        }
        if self.unknown_contract {
            f.write_str(" NOT Turbine's settlement contract.")?;
        }
        if self.long_deadline {
            f.write_str(" Valid for more than 30 days.")?;
        }
        f.write_str(" Press again only if you mean it.")
    }
}

impl TypedMessage {
    /// What a device shows before signing this on `chain`.
    #[must_use]
    pub fn summary<'a>(&'a self, chain: &'a ChainContracts) -> MessageSummary<'a> {
        MessageSummary { message: self, chain }
    }

    /// What needs a second confirmation at `now` (Unix seconds, the device's clock). A
    /// revocation (`approved` false) warns about nothing but its deadline.
    #[must_use]
    pub fn warnings(&self, chain: &ChainContracts, now: u64) -> Warnings {
        let long = self.deadline().to_u64().is_none_or(|d| d > now.saturating_add(LONG_DEADLINE_SECS));
        match self {
            TypedMessage::Permit(m) => Warnings {
                unlimited: m.value == U256::MAX,
                unknown_contract: m.spender != chain.settlement,
                long_deadline: long,
            },
            TypedMessage::Approval(m) => Warnings {
                unlimited: false,
                unknown_contract: m.approved && m.operator != chain.settlement,
                long_deadline: long,
            },
            TypedMessage::Redemption(_) => Warnings { long_deadline: long, ..Warnings::default() },
        }
    }
}

impl fmt::Display for MessageSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let chain = self.chain;
        match self.message {
            TypedMessage::Permit(m) => {
                f.write_str("PERMIT ")?;
                if m.value == U256::MAX {
                    f.write_str("UNLIMITED")?;
                } else {
                    write_usdc(f, &m.value)?;
                }
                f.write_str(" USDC to ")?;
                write_contract(f, &m.spender, chain)?;
            }
            TypedMessage::Approval(m) if m.approved => {
                f.write_str("APPROVE ")?;
                write_contract(f, &m.operator, chain)?;
                f.write_str(" to move ALL outcome tokens")?;
            }
            TypedMessage::Approval(m) => {
                f.write_str("REVOKE ")?;
                write_contract(f, &m.operator, chain)?;
                f.write_str(" from moving outcome tokens")?;
            }
            TypedMessage::Redemption(m) => {
                f.write_str("REDEEM condition ")?;
                let mut hex = [0u8; 64];
                crate::text::encode_lower(&m.condition_id, &mut hex);
                crate::turbine::order::write_abbreviated(f, &hex)?;
                f.write_str(" sets ")?;
                if m.index_sets.is_empty() {
                    f.write_str("none")?;
                }
                for (i, set) in m.index_sets.iter().enumerate() {
                    write!(f, "{}{set}", if i > 0 { "," } else { "" })?;
                }
                f.write_str(" for ")?;
                if m.collateral_token == chain.usdc {
                    f.write_str("USDC")?;
                } else {
                    write!(f, "{}", m.collateral_token)?;
                }
                if m.parent_collection_id != [0; 32] {
                    f.write_str(" parent 0x")?;
                    crate::text::write_lower(f, &m.parent_collection_id)?;
                }
            }
        }
        f.write_str(", ")?;
        let deadline = self.message.deadline();
        match deadline.to_u64().filter(|d| *d <= LAST_SHOWN_TIME) {
            _ if deadline == U256::MAX => f.write_str("never expires")?,
            Some(secs) => {
                f.write_str("until ")?;
                crate::time::write_utc(f, secs)?;
            }
            None => write!(f, "until unix {deadline}")?,
        }
        write!(f, ", nonce {}, {}", self.message.nonce(), chain.name)
    }
}

/// A contract named when it is the chain's settlement contract, in full otherwise.
fn write_contract(f: &mut fmt::Formatter<'_>, address: &Address, chain: &ChainContracts) -> fmt::Result {
    if *address == chain.settlement { f.write_str("Turbine settlement") } else { write!(f, "{address}") }
}

/// An amount of USDC (six decimals), trailing zeros dropped: `12.5`, `0.000001`, `1000`.
fn write_usdc(f: &mut fmt::Formatter<'_>, value: &U256) -> fmt::Result {
    let mut buf = [0u8; U256_DECIMAL_LEN];
    let digits = value.write_decimal(&mut buf).as_bytes();
    let (whole, fraction) = digits.split_at(digits.len().saturating_sub(6));
    if whole.is_empty() {
        f.write_str("0")?;
    } else {
        f.write_str(core::str::from_utf8(whole).unwrap_or_default())?;
    }
    let mut padded = [b'0'; 6];
    if let Some(tail) = padded.get_mut(6 - fraction.len()..) {
        tail.copy_from_slice(fraction);
    }
    let kept = padded.iter().rposition(|&d| d != b'0').map_or(0, |i| i + 1);
    if kept > 0 {
        f.write_str(".")?;
        f.write_str(core::str::from_utf8(padded.get(..kept).unwrap_or_default()).unwrap_or_default())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::turbine::permit::message::{CtfApproval, UsdcPermit};
    use std::string::ToString;

    fn polygon() -> &'static ChainContracts {
        ChainContracts::of(137).unwrap()
    }

    #[test]
    fn a_permit_shows_its_amount_spender_and_deadline_and_warns_when_it_should() {
        let chain = polygon();
        let owner = Address::from_bytes([1; 20]);
        let permit = |value: U256, spender: Address, deadline: U256| {
            TypedMessage::Permit(UsdcPermit { owner, spender, value, nonce: U256::from_u128(3), deadline })
        };
        let now = 1_764_583_200; // 2025-12-01 10:00Z
        let small = permit(U256::from_u128(12_500_000), chain.settlement, U256::from_u128(now.into()));
        assert_eq!(
            small.summary(chain).to_string(),
            "PERMIT 12.5 USDC to Turbine settlement, until 2025-12-01 10:00Z, nonce 3, Polygon"
        );
        assert!(!small.warnings(chain, now).any());
        let max = permit(U256::MAX, chain.settlement, U256::MAX);
        assert_eq!(
            max.summary(chain).to_string(),
            "PERMIT UNLIMITED USDC to Turbine settlement, never expires, nonce 3, Polygon"
        );
        let warned = max.warnings(chain, now);
        assert_eq!(warned, Warnings { unlimited: true, unknown_contract: false, long_deadline: true });
        assert!(warned.to_string().contains("UNLIMITED") && warned.to_string().contains("30 days"));
        let stranger = Address::from_bytes([0xab; 20]);
        let odd = permit(U256::from_u128(1), stranger, U256::from_u128((now + 60).into()));
        assert!(
            odd.summary(chain).to_string().starts_with(&std::format!("PERMIT 0.000001 USDC to {stranger}"))
        );
        assert_eq!(odd.warnings(chain, now), Warnings { unknown_contract: true, ..Warnings::default() });
        let revoke = TypedMessage::Approval(CtfApproval {
            owner,
            operator: stranger,
            approved: false,
            nonce: U256::ZERO,
            deadline: U256::from_u128((now + 3_600).into()),
        });
        assert!(revoke.summary(chain).to_string().starts_with("REVOKE 0x"));
        assert!(!revoke.warnings(chain, now).any(), "a revocation of anyone is harmless");
    }
}
