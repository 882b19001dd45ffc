//! The line a signing device shows before it signs an order.

use core::fmt;

use crate::turbine::order::domain::OrderDomain;
use crate::turbine::order::fields::{Outcome, Side};
use crate::turbine::order::typed::{Order, PRICE_SCALE, SIZE_SCALE};

/// Longest summary (a 39-digit size, a fee recipient and a contract other than the chain's).
pub const MAX_ORDER_SUMMARY_LEN: usize = 256;

/// What an order commits its trader to, on one line:
/// `BUY YES 12.5 @ 0.6420 market 0x7be8…e928 exp 2026-12-01 10:00Z chain 137`.
///
/// Side and outcome; the size in shares (six decimals, trailing zeros dropped); the price as a
/// fraction of the payout (at least four decimals, exact); the market's first and last four
/// hex digits; the expiration in UTC (seconds shown when not zero); the chain. Two fields the
/// SDK leaves at their defaults are shown in full only when they are not: ` fee to <address>`
/// for a maker-fee recipient other than zero, and ` contract <address>` for a settlement
/// contract other than the SDK's for the chain, since either changes where money goes.
///
/// Written from the same [`Order`] and [`OrderDomain`] that are hashed: nothing is parsed twice.
#[derive(Clone, Copy, Debug)]
pub struct OrderSummary<'a> {
    order: &'a Order,
    domain: &'a OrderDomain,
}

impl<'a> OrderSummary<'a> {
    pub(super) fn new(order: &'a Order, domain: &'a OrderDomain) -> Self {
        OrderSummary { order, domain }
    }
}

impl fmt::Display for OrderSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let order = self.order;
        f.write_str(match order.side {
            Side::Buy => "BUY ",
            Side::Sell => "SELL ",
        })?;
        f.write_str(match order.outcome {
            Outcome::Yes => "YES ",
            Outcome::No => "NO ",
        })?;
        // Shares: no decimals forced.
        let (whole, fraction) = (order.size / SIZE_SCALE, order.size % SIZE_SCALE);
        write!(f, "{whole}")?;
        // A remainder below 10^6 fits u32.
        write_fraction(f, u32::try_from(fraction).unwrap_or(0), 0)?;
        f.write_str(" @ 0")?;
        write_fraction(f, order.price % PRICE_SCALE, 4)?;
        f.write_str(" market ")?;
        let mut hex = [0u8; 64];
        crate::text::encode_lower(order.market_id.as_bytes(), &mut hex);
        write_abbreviated(f, &hex)?;
        f.write_str(" exp ")?;
        crate::time::write_utc(f, order.expiration)?;
        write!(f, " chain {}", self.domain.chain_id())?;
        if order.maker_fee_recipient.as_bytes() != &[0; 20] {
            write!(f, " fee to {}", order.maker_fee_recipient)?;
        }
        if OrderDomain::default_contract(self.domain.chain_id()) != Some(self.domain.verifying_contract()) {
            write!(f, " contract {}", self.domain.verifying_contract())?;
        }
        Ok(())
    }
}

/// `.` and six decimal places of `millionths`, trailing zeros dropped down to `min_places`
/// (nothing at all when that leaves none).
fn write_fraction(f: &mut fmt::Formatter<'_>, millionths: u32, min_places: usize) -> fmt::Result {
    let (mut digits, mut places) = (millionths, 6);
    while places > min_places && digits % 10 == 0 {
        digits /= 10;
        places -= 1;
    }
    if places == 0 { Ok(()) } else { write!(f, ".{digits:0places$}") }
}

/// `0x`, the first four hex digits, `…`, the last four.
pub(crate) fn write_abbreviated(f: &mut fmt::Formatter<'_>, hex: &[u8; 64]) -> fmt::Result {
    let text = |range: core::ops::Range<usize>| core::str::from_utf8(hex.get(range).unwrap_or_default());
    write!(f, "0x{}…{}", text(0..4).unwrap_or_default(), text(60..64).unwrap_or_default())
}

impl Order {
    /// The one-line summary a signing device shows before it signs (see [`OrderSummary`]).
    #[must_use]
    pub fn summary<'a>(&'a self, domain: &'a OrderDomain) -> OrderSummary<'a> {
        OrderSummary::new(self, domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eth::Address;
    use crate::turbine::order::market::MarketId;
    use crate::turbine::order::typed::OrderArgs;
    use crate::turbine::order::typed::tests::sample;
    use std::string::{String, ToString};

    fn summary(args: OrderArgs, domain: &OrderDomain) -> String {
        Order::new(args).unwrap().summary(domain).to_string()
    }

    #[test]
    fn reads_like_the_issue_example() {
        let (order, _) = sample();
        let domain = OrderDomain::for_chain(137).unwrap();
        assert_eq!(
            order.summary(&domain).to_string(),
            "BUY YES 12.5 @ 0.6420 market 0x7be8…e928 exp 2025-12-01 10:00Z chain 137"
        );
        let mut args = *order;
        (args.side, args.outcome, args.size, args.price, args.expiration) =
            (Side::Sell, Outcome::No, 3_000_000, 939_880, 1_767_229_201);
        args.market_id = MarketId::parse(b"0x1f").unwrap();
        assert_eq!(
            summary(args, &domain),
            "SELL NO 3 @ 0.93988 market 0x0000…001f exp 2026-01-01 01:00:01Z chain 137"
        );
        (args.size, args.price) = (1, 1);
        assert!(summary(args, &domain).starts_with("SELL NO 0.000001 @ 0.000001 market"));
    }

    #[test]
    fn shows_a_fee_recipient_and_a_contract_other_than_the_chains() {
        let (order, _) = sample();
        let mut args = *order;
        args.maker_fee_recipient = "0xE6B05536a533a76d5eA23FA1fe3e4820f98e4499".parse().unwrap();
        let other: Address = "0xdfd2740C838420b38b30ebB49a04f94DFc4284B7".parse().unwrap();
        let text = summary(args, &OrderDomain::new(137, other));
        assert!(
            text.ends_with(
                " chain 137 fee to 0xE6B05536a533a76d5eA23FA1fe3e4820f98e4499 contract 0xdfd2740C838420b38b30ebB49a04f94DFc4284B7"
            ),
            "{text}"
        );
        // A chain without a known contract always names its contract.
        assert!(
            summary(*order, &OrderDomain::new(1, other))
                .ends_with(" chain 1 contract 0xdfd2740C838420b38b30ebB49a04f94DFc4284B7")
        );
    }

    #[test]
    fn the_longest_summary_fits() {
        let (order, _) = sample();
        let mut args = *order;
        (args.side, args.size, args.price, args.expiration) = (Side::Sell, u128::MAX, 999_999, u64::MAX);
        args.maker_fee_recipient = Address::from_bytes([0xff; 20]);
        let text = summary(args, &OrderDomain::new(u64::MAX, Address::from_bytes([0xee; 20])));
        assert!(text.len() <= MAX_ORDER_SUMMARY_LEN, "{} {text}", text.len());
        assert!(text.contains("340282366920938463463374607431768.211455 @ 0.999999"), "{text}");
    }

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(crate::time::civil_from_days(0), (1970, 1, 1));
        assert_eq!(crate::time::civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(crate::time::civil_from_days(20_454), (2026, 1, 1));
        assert_eq!(crate::time::civil_from_days(47_540), (2100, 2, 28));
        assert_eq!(crate::time::civil_from_days(47_541), (2100, 3, 1));
    }
}
