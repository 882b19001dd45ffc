//! Strict Ed25519 verification with one field exponentiation fewer than ed25519-dalek's.
//!
//! [`VerifyingKey::verify_strict`] decompresses the signature's `R` (a square root, to refuse
//! small-order points) and then compresses the point it computes to compare encodings (an
//! inversion): two exponentiations of about 255 squarings each, a tenth of the verification.
//! Here the computed point is compared with the decompressed `R` in projective coordinates
//! (four multiplications), and `R`'s encoding is required to be canonical (`y < p`), which is
//! what comparing encodings enforced: an encoding equals a compressed point exactly when it is
//! canonical and names that point. Everything else is ed25519-dalek's and curve25519-dalek's
//! own code, in the same order. The accept set is `verify_strict`'s: the tests compare the two
//! on the Ed25519 edge cases of "Taming the many EdDSAs" and on random valid, damaged and
//! small-order inputs.

use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest as _, Sha512};

/// Whether `signature` is `key`'s over `message`, accepting exactly what
/// [`VerifyingKey::verify_strict`] accepts: `s` canonical, `R` and the key of large order, and
/// `[s]B - [k]A = R` with `k = SHA-512(R ‖ A ‖ message)`.
#[must_use]
pub fn verify_strict(key: &VerifyingKey, message: &[u8], signature: &Signature) -> bool {
    let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(*signature.s_bytes())) else {
        return false;
    };
    let r_bytes = signature.r_bytes();
    if !is_canonical(r_bytes) {
        return false;
    }
    let Some(r) = CompressedEdwardsY(*r_bytes).decompress() else {
        return false;
    };
    if r.is_small_order() || key.is_weak() {
        return false;
    }
    let k = Scalar::from_hash(
        Sha512::new().chain_update(r_bytes).chain_update(key.as_bytes()).chain_update(message),
    );
    let minus_a = -key.to_edwards();
    EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &minus_a, &s) == r
}

/// Whether a point encoding's `y` (the low 255 bits, little-endian) is below
/// p = 2^255 - 19: not one of the 19 values from p to 2^255 - 1 that name `y - p`.
fn is_canonical(bytes: &[u8; 32]) -> bool {
    let (low, rest) = bytes.split_at(1);
    let (middle, top) = rest.split_at(30);
    let at_least_p = low.first().is_some_and(|&b| b >= 0xed)
        && middle.iter().all(|&b| b == 0xff)
        && top.first().is_some_and(|&b| b & 0x7f == 0x7f);
    !at_least_p
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer as _, SigningKey};
    use proptest::prelude::*;

    fn both(key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> (Option<bool>, Option<bool>) {
        let Ok(key) = VerifyingKey::from_bytes(key) else { return (None, None) };
        let signature = Signature::from_bytes(signature);
        (Some(key.verify_strict(message, &signature).is_ok()), Some(verify_strict(&key, message, &signature)))
    }

    /// The cases of novifinancial/ed25519-speccheck (cases.json): small-order keys and `R`s,
    /// mixed orders, `s` out of range, non-canonical `R`. (message, key, signature), hex.
    const SPECCHECK: [(&str, &str, &str); 10] = [
        (
            "8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000",
        ),
        (
            "9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
            "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
        ),
        (
            "aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab",
            "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e",
        ),
        (
            "9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79",
            "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
            "9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009",
        ),
        (
            "e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c",
            "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
            "160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09",
        ),
        (
            "e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c",
            "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
            "21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405",
        ),
        (
            "85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40",
            "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
            "e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514",
        ),
        (
            "85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40",
            "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
            "8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22",
        ),
        (
            "fdaebc429f4a735932a160da1301080c13280eea8bc280d1b392c6b9e6ba3a5a",
            "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f454d370c8d9fc323a41450f8d513eafeb5b0697390c1e505a0d4ddc71f566607",
        ),
        (
            "84b698d39be126ff55fe45079e6c8bf64a0d7db6994560b4e96b7021eb39c1a1",
            "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f084d5b99c2a9463d9c8bd5026916996984eeec87ddf1d3be329006ace1b37b09",
        ),
    ];

    fn unhex<const N: usize>(text: &str) -> [u8; N] {
        let mut out = [0u8; N];
        hex::decode_to_slice(text, &mut out).unwrap_or_default();
        out
    }

    #[test]
    fn the_speccheck_edge_cases_get_verify_stricts_verdicts() {
        let mut accepted = 0;
        for (message, key, signature) in SPECCHECK {
            let message: [u8; 32] = unhex(message);
            let (theirs, ours) = both(&unhex(key), &message, &unhex(signature));
            assert_eq!(theirs, ours, "{signature}");
            accepted += usize::from(ours == Some(true));
        }
        // verify_strict accepts exactly one of them (the fourth: mixed-order key and R, the
        // equation holding without the cofactor).
        assert_eq!(accepted, 1);
    }

    #[test]
    fn canonical_means_below_p() {
        let mut p = [0xff; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        assert!(!is_canonical(&p));
        let mut below = p;
        below[0] = 0xec;
        assert!(is_canonical(&below));
        // The sign bit is not part of y.
        let mut signed = p;
        signed[31] = 0xff;
        assert!(!is_canonical(&signed));
        assert!(!is_canonical(&[0xff; 32]));
        assert!(is_canonical(&[0; 32]));
    }

    /// The eight points of small order, as their canonical encodings and with the sign bit
    /// flipped, and `y + p` where that fits in 255 bits (y = 0 and y = 1), either sign.
    fn small_order_encodings() -> [[u8; 32]; 20] {
        let mut out = [[0u8; 32]; 20];
        for (i, point) in curve25519_dalek::constants::EIGHT_TORSION.iter().enumerate() {
            let c = point.compress().to_bytes();
            out[2 * i] = c;
            out[2 * i + 1] = c;
            out[2 * i + 1][31] ^= 0x80;
        }
        for (i, y) in [0u8, 1].into_iter().enumerate() {
            let mut e = [0xff; 32];
            e[0] = 0xed + y;
            e[31] = 0x7f;
            out[16 + 2 * i] = e;
            e[31] = 0xff;
            out[17 + 2 * i] = e;
        }
        out
    }

    proptest! {
        #[test]
        fn random_signatures_and_their_damage_get_verify_stricts_verdicts(
            seed in any::<[u8; 32]>(),
            message in proptest::collection::vec(any::<u8>(), 0..96),
            flip in 0usize..(64 * 8 + 32 * 8 + 1),
            torsion in 0usize..20,
            replace in 0u8..5,
        ) {
            let signing = SigningKey::from_bytes(&seed);
            let mut key = signing.verifying_key().to_bytes();
            let mut signature = signing.sign(&message).to_bytes();
            let small = small_order_encodings();
            let pick = small[torsion % small.len()];
            match replace {
                // A bit of the signature or the key flipped (or none: the last value).
                0 if flip < 512 => signature[flip / 8] ^= 1 << (flip % 8),
                0 if flip < 768 => key[(flip - 512) / 8] ^= 1 << (flip % 8),
                // A small-order R, or a small-order key.
                1 => signature[..32].copy_from_slice(&pick),
                2 => key = pick,
                // s + L: the same scalar, out of range.
                3 => {
                    let mut sum_bytes = [0u8; 32];
                    let mut carry = 0u16;
                    let l_bytes: [u8; 32] = [
                        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
                    ];
                    for i in 0..32 {
                        let sum = u16::from(signature[32 + i]) + u16::from(l_bytes[i]) + carry;
                        sum_bytes[i] = sum as u8;
                        carry = sum >> 8;
                    }
                    // s < L < 2^253, so s + L < 2^254 fits.
                    signature[32..].copy_from_slice(&sum_bytes);
                }
                _ => {}
            }
            let (theirs, ours) = both(&key, &message, &signature);
            prop_assert_eq!(theirs, ours);
            if replace == 4 {
                prop_assert_eq!(ours, Some(true));
            }
        }
    }
}
