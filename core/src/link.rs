//! The device link: framed requests and responses between a host and a signing device.
//!
//! Messages are postcard-encoded and COBS-framed, so a `0x00` byte ends every frame and a
//! reader can resynchronise after garbage. Frames are at most [`MAX_FRAME_LEN`] bytes; every
//! decoding failure is a typed [`LinkError`].

mod frame;
mod message;
mod wallet;

pub use frame::{FRAME_DELIMITER, FrameReader, LinkError, MAX_FRAME_LEN, decode, encode};
pub use message::{DeviceError, KeySecret, PinPositions, PinPurpose, PinStatus, Request, Response};
pub use wallet::{MAX_LINK_PASSPHRASE_LEN, RestoreSecret, WalletOrigin, WalletStatus, WalletSummary};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eth::Address;
    use crate::turbine::MAX_TOKEN_LEN;
    use crate::turbine::order::{MarketId, Order, OrderArgs, OrderDomain, Outcome, Side};

    #[test]
    fn every_message_round_trips_through_a_frame() {
        let requests = [
            Request::DeviceInfo,
            Request::MintToken,
            Request::SignRegistration {
                address: "0x076f4c6bBD34AF0015adc9D5168e69a1428b66De".try_into().unwrap(),
            },
            Request::SetTime { unix_secs: -1 },
            Request::ShowPinMatrix { purpose: PinPurpose::WipeCode },
            Request::Unlock { positions: heapless::Vec::from_slice(&[9; 9]).unwrap() },
            Request::SetAutoLock { secs: u32::MAX },
            Request::InstallApiKey {
                kid: "e792e6d8c4bd2122".try_into().unwrap(),
                secret: KeySecret([9; 32]),
            },
            // The largest order: every number at its widest.
            Request::SignOrder {
                order: Order::new(OrderArgs {
                    market_id: MarketId::from_bytes([0xff; 32]),
                    trader: Address::from_bytes([0xff; 20]),
                    side: Side::Sell,
                    outcome: Outcome::No,
                    price: 999_999,
                    size: u128::MAX,
                    nonce: u128::MAX,
                    expiration: u64::MAX,
                    maker_fee_recipient: Address::from_bytes([0xff; 20]),
                })
                .unwrap(),
                domain: OrderDomain::new(u64::MAX, Address::from_bytes([0xff; 20])),
            },
            // The largest message: a redemption with eight full-width index sets.
            Request::SignRedemption {
                chain_id: u64::MAX,
                redemption: crate::turbine::permit::Redemption {
                    owner: Address::from_bytes([0xff; 20]),
                    collateral_token: Address::from_bytes([0xff; 20]),
                    parent_collection_id: [0xff; 32],
                    condition_id: [0xff; 32],
                    index_sets: core::iter::repeat_n(
                        crate::eth::U256::MAX,
                        crate::turbine::permit::MAX_INDEX_SETS,
                    )
                    .collect(),
                    nonce: crate::eth::U256::MAX,
                    deadline: crate::eth::U256::MAX,
                },
            },
        ];
        for request in &requests {
            let mut buf = [0u8; MAX_FRAME_LEN];
            let frame = encode(request, &mut buf).unwrap();
            assert_eq!(frame.last(), Some(&FRAME_DELIMITER));
            assert_eq!(frame.iter().filter(|&&b| b == 0).count(), 1);
            let mut copy = frame.to_vec();
            assert_eq!(decode::<Request>(&mut copy).unwrap(), *request);
        }
        let longest = Response::Token { token: core::iter::repeat_n(b'A', MAX_TOKEN_LEN).collect() };
        let mut buf = [0u8; MAX_FRAME_LEN];
        let mut frame = encode(&longest, &mut buf).unwrap().to_vec();
        assert_eq!(decode::<Response>(&mut frame).unwrap(), longest);
        let mut small = [0u8; 8];
        assert_eq!(encode(&longest, &mut small), Err(LinkError::FrameTooLong));
    }

    #[test]
    fn reader_splits_frames_and_recovers_from_overflow() {
        let mut buf = [0u8; MAX_FRAME_LEN];
        let frame = encode(&Request::SetTime { unix_secs: 1_735_779_017 }, &mut buf).unwrap().to_vec();
        let mut reader = FrameReader::new();
        let mut stream = std::vec![7u8; MAX_FRAME_LEN + 10];
        stream.push(0);
        stream.extend_from_slice(&frame);
        let mut got = std::vec::Vec::new();
        for byte in stream {
            if let Some(result) = reader.push(byte) {
                got.push(result.map(decode::<Request>));
            }
        }
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], Err(LinkError::FrameTooLong));
        assert_eq!(got[1], Ok(Ok(Request::SetTime { unix_secs: 1_735_779_017 })));
    }

    #[test]
    fn key_secrets_are_redacted() {
        let request = Request::InstallApiKey { kid: "k".try_into().unwrap(), secret: KeySecret([0xab; 32]) };
        let text = std::format!("{request:?}");
        assert!(text.contains("redacted") && !text.contains("171"), "{text}");
    }

    #[test]
    fn the_largest_restore_fits_a_frame() {
        let restore = Request::RestoreWallet(RestoreSecret {
            words: heapless::Vec::from_slice(&[2047; 24]).unwrap(),
            passphrase: heapless::Vec::from_slice(&[0xff; MAX_LINK_PASSPHRASE_LEN]).unwrap(),
        });
        let mut buf = [0u8; MAX_FRAME_LEN];
        let frame = encode(&restore, &mut buf).unwrap();
        assert!(frame.len() < MAX_FRAME_LEN, "{}", frame.len());
        assert!(std::format!("{restore:?}").contains("<redacted>"));
    }

    #[test]
    fn garbage_is_a_typed_error() {
        for bytes in [&[0u8][..], &[1, 0], &[5, 1, 2, 0], &[2, 0x7f, 0], &[0xff; 10]] {
            let mut copy = bytes.to_vec();
            assert!(decode::<Request>(&mut copy).is_err(), "{bytes:?}");
        }
    }
}
