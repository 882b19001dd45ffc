//! The fuzz targets' bodies. Each takes arbitrary bytes, drives signet's public API, and
//! panics only if an invariant breaks (which is what the fuzzer looks for); signet itself must
//! never panic, whatever the input.
//!
//! `fuzz/` (cargo-fuzz, nightly) wraps each function in a target of the same name;
//! `tests/replay_corpora.rs` runs every committed corpus file through them on stable.
#![allow(clippy::panic)] // a broken invariant must stop the fuzzer

use std::sync::LazyLock;

use arbitrary::{Arbitrary, Unstructured};
use serde::de::IgnoredAny;
use signet_core::bitzoom::jwt::{JwtSigningKey, JwtVerifier, read_expiry_unverified};
use signet_core::bitzoom::request_signing::{SignedRequest, verify_request};
use signet_core::ed25519_dalek::SigningKey;
use signet_core::eth::{Address, EthSignature, recover_address};
use signet_core::turbine::{
    Claims, KeyId, KeyRecord, KeyRing, MAX_TOKEN_LEN, Nonce, NonceCache, ReplayError, ReplayGuard, Verifier,
    mint, verify_registration,
};
use signet_core::{HmacKey, UnixTime};

/// A target's name (its corpus folder and cargo-fuzz target) and body.
pub type Target = (&'static str, fn(&[u8]));

mod relayer;
pub use relayer::{order_submission, relayer_body};

/// Every target.
pub const TARGETS: [Target; 12] = [
    ("authorization_header", authorization_header),
    ("jwt", jwt),
    ("wallet", wallet),
    ("replay_ops", replay_ops),
    ("mint_round_trip", mint_round_trip),
    ("request_signing", request_signing),
    ("link_frame", link_frame),
    ("order_body", order_body),
    ("ws_logon", ws_logon),
    ("hd_wallet", hd_wallet),
    ("relayer_body", relayer_body),
    ("order_submission", order_submission),
];

/// The time the fixed tokens of the corpus are checked at (the shared vectors' `now`).
const NOW: UnixTime = UnixTime(1_735_779_017);

/// A raw `Authorization` header through the Turbine verifier, against the key of the shared
/// vectors' first case so valid tokens reach every check.
pub fn authorization_header(data: &[u8]) {
    static KEYS: LazyLock<KeyRing<1>> = LazyLock::new(|| {
        let seed = [
            0xcf, 0x40, 0x7e, 0x66, 0x53, 0x9b, 0x5c, 0x0b, 0x96, 0xff, 0x81, 0xb9, 0x8d, 0xde, 0xd0, 0x08,
            0xc2, 0xf2, 0x70, 0x86, 0x1f, 0x43, 0xb8, 0xdf, 0x94, 0xf7, 0x2e, 0xce, 0xf5, 0xb7, 0x1b, 0x68,
        ];
        let mut keys = KeyRing::new();
        let kid = KeyId::new("e792e6d8c4bd2122").unwrap_or_else(|_| panic!("fixed key id"));
        keys.insert(kid, KeyRecord::active(SigningKey::from_bytes(&seed).verifying_key()))
            .unwrap_or_else(|_| panic!("one key fits a ring of one"));
        keys
    });
    let mut cache = NonceCache::<1>::new();
    let mut verifier = Verifier::new(&*KEYS, &mut cache);
    if verifier.verify(Some(data), NOW).is_ok() && verifier.verify(Some(data), NOW).is_ok() {
        panic!("a token was accepted twice");
    }
}

/// A JWT against a verifier of each algorithm, and the unverified expiry read.
pub fn jwt(data: &[u8]) {
    static VERIFIERS: LazyLock<[JwtVerifier; 3]> = LazyLock::new(|| {
        let es256k = k256::ecdsa::SigningKey::from_slice(&[2; 32]).unwrap_or_else(|_| panic!("fixed key"));
        [
            JwtSigningKey::Hs256(HmacKey::new(b"fuzz")),
            JwtSigningKey::EdDsa(SigningKey::from_bytes(&[1; 32])),
            JwtSigningKey::Es256k(es256k),
        ]
        .map(|key| JwtVerifier::new(key.verifying_key()))
    });
    for verifier in VERIFIERS.iter() {
        let _ = verifier.verify::<IgnoredAny>(data, NOW);
        let _ = verifier.verify_authorization::<IgnoredAny>(Some(data), NOW);
    }
    let _ = read_expiry_unverified(data);
}

/// Address and signature parsing, recovery and the registration check; the input is split
/// at its first newline into an address and a signature.
pub fn wallet(data: &[u8]) {
    let (address, signature) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (data.get(..i).unwrap_or_default(), data.get(i + 1..).unwrap_or_default()),
        None => (data, &b""[..]),
    };
    if let Ok(parsed) = Address::parse(address) {
        // Display must round-trip through parse.
        if Address::parse(parsed.to_checksummed().as_bytes()) != Ok(parsed) {
            panic!("EIP-55 text does not parse back");
        }
    }
    if let Ok(sig) = EthSignature::parse_hex(signature) {
        let _ = recover_address(address, &sig);
    }
    if let (Ok(a), Ok(s)) = (core::str::from_utf8(address), core::str::from_utf8(signature)) {
        let _ = verify_registration(a, s);
    }
}

/// One step of a replay-cache session.
#[derive(Arbitrary, Debug)]
struct ReplayStep {
    kid: u8,
    nonce: u8,
    lifetime: u8,
    advance: i8,
}

/// Operation sequences on a small cache, checked against a plain list of what it must
/// remember: a live pair is always refused as a replay while the clock moves forward, and a
/// live token (the same pair and expiry: a verifier derives the expiry from the signed `ts`)
/// even after the clock jumped ahead and back; a new pair is never called a replay while the
/// clock only moved forward; and "full" only happens when every slot holds a live nonce.
pub fn replay_ops(data: &[u8]) {
    const CACHE: usize = NonceCache::<2>::CAPACITY;
    let Ok(steps) = Vec::<ReplayStep>::arbitrary_take_rest(Unstructured::new(data)) else { return };
    let mut cache = NonceCache::<2>::with_seed(7);
    let mut model: Vec<(u8, u8, i64)> = Vec::new();
    let (mut now, mut went_back) = (0i64, false);
    let kids = ["a", "b", "c", "d"].map(|k| KeyId::new(k).unwrap_or_else(|_| panic!("kid")));
    for step in steps {
        // Mostly small steps forward; now and then a jump past every lifetime, either way.
        now += match step.advance {
            -128..=-125 => -20,
            -124..=-121 => 20,
            a => i64::from(a.rem_euclid(4)),
        };
        went_back |= step.advance <= -125;
        let kid_index = step.kid % 4;
        let Some(kid) = kids.get(usize::from(kid_index)) else { panic!("kid index below 4") };
        let expires_at = now + i64::from(step.lifetime % 8);
        let live = |m: &Vec<(u8, u8, i64)>| m.iter().filter(|e| e.2 >= now).count();
        let seen = model.iter().any(|&(k, n, e)| k == kid_index && n == step.nonce && e >= now);
        let same_token = model.iter().any(|&(k, n, e)| k == kid_index && n == step.nonce && e == expires_at);
        let must_refuse = if went_back { same_token && expires_at >= now } else { seen };
        let got = cache.check_and_record(
            kid,
            &Nonce::from_bytes([step.nonce; 16]),
            UnixTime(expires_at),
            UnixTime(now),
        );
        match got {
            Err(ReplayError::Replayed) if !seen && !went_back => {
                panic!("a new nonce was called a replay: {step:?}")
            }
            Ok(()) | Err(ReplayError::Full) if must_refuse => panic!("a live nonce was forgotten: {step:?}"),
            Err(ReplayError::Full) if live(&model) < CACHE => panic!("full with free slots: {step:?}"),
            Ok(()) => model.push((kid_index, step.nonce, expires_at)),
            _ => {}
        }
    }
}

/// Arbitrary claims: every one signet can mint verifies to the same claims.
pub fn mint_round_trip(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let (Ok(kid), Ok(ts), Ok(nonce), Ok(seed)) = (
        <&str>::arbitrary(&mut u),
        i64::arbitrary(&mut u),
        <[u8; 16]>::arbitrary(&mut u),
        <[u8; 32]>::arbitrary(&mut u),
    ) else {
        return;
    };
    let Ok(kid) = KeyId::new(kid) else { return };
    let key = SigningKey::from_bytes(&seed);
    let claims = Claims { kid: kid.clone(), ts: UnixTime(ts), nonce: Nonce::from_bytes(nonce) };
    let mut buf = [0u8; MAX_TOKEN_LEN + 7];
    let (prefix, out) = buf.split_at_mut(7);
    prefix.copy_from_slice(b"Bearer ");
    let Ok(len) = mint(&key, &claims, out).map(str::len) else { panic!("mint failed for valid claims") };
    let mut keys = KeyRing::<1>::new();
    if keys.insert(kid, KeyRecord::active(key.verifying_key())).is_err() {
        panic!("one key fits");
    }
    let mut cache = NonceCache::<1>::new();
    let header = buf.get(..7 + len).unwrap_or_default();
    let verified = Verifier::new(keys, &mut cache).verify(Some(header), UnixTime(ts));
    if verified.as_ref() != Ok(&claims) {
        panic!("a minted token did not verify to its claims: {claims:?} gave {verified:?}");
    }
}

/// Arbitrary request fields: signing, writing the canonical text and verifying never panic,
/// and a request signed by the client verifies once at its own timestamp.
pub fn request_signing(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let fields: Result<[&str; 6], _> = <[&str; 6]>::arbitrary(&mut u);
    let (Ok([nonce, recv_window, method, path, query, secret]), Ok(body), Ok(ts)) =
        (fields, <&[u8]>::arbitrary(&mut u), u64::arbitrary(&mut u))
    else {
        return;
    };
    let timestamp = ts.to_string();
    let request = SignedRequest { timestamp: &timestamp, nonce, recv_window, method, path, query, body };
    let key = HmacKey::new(secret.as_bytes());
    let mut text = [0u8; 512];
    let _ = request.write_canonical(&mut text);
    let Ok(signature) = request.sign(&key) else { return };
    let mut cache = NonceCache::<1>::new();
    let api_key = KeyId::new("k").unwrap_or_else(|_| panic!("kid"));
    let first = verify_request(&key, &api_key, &request, &signature.to_hex(), ts, &mut cache);
    if first.is_ok() && verify_request(&key, &api_key, &request, &signature.to_hex(), ts, &mut cache).is_ok()
    {
        panic!("a signed request was accepted twice");
    }
    let window_ok = recv_window.is_empty()
        || recv_window
            .parse::<u64>()
            .is_ok_and(|w| (1..=60_000).contains(&w) && !recv_window.starts_with('+'));
    // Millisecond timestamps of up to 19 digits are accepted; longer ones do not fit the check.
    if window_ok && !nonce.is_empty() && timestamp.len() <= 19 && first.is_err() {
        panic!("a correctly signed request was refused: {first:?} for {request:?}");
    }
}

/// A device-link frame decoded as a request and as a response; whatever decodes must encode
/// back to a frame that decodes to the same message.
pub fn link_frame(data: &[u8]) {
    use signet_core::link::{self, Request, Response};
    fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + core::fmt::Debug>(
        data: &[u8],
    ) {
        let mut frame = data.to_vec();
        let Ok(message) = link::decode::<T>(&mut frame) else { return };
        let mut buf = [0u8; link::MAX_FRAME_LEN];
        let Ok(encoded) = link::encode(&message, &mut buf) else {
            panic!("a decoded message does not encode")
        };
        let mut again = encoded.to_vec();
        if link::decode::<T>(&mut again).as_ref() != Ok(&message) {
            panic!("round trip changed {message:?}");
        }
    }
    round_trip::<Request>(data);
    round_trip::<Response>(data);
    let mut reader = link::FrameReader::new();
    for &byte in data {
        if let Some(Ok(frame)) = reader.push(byte) {
            let _ = link::decode::<Request>(frame);
        }
    }
}

/// A posted order body: whatever parses writes back to a body that parses to the same order,
/// its summary fits the device's buffer, and checking its signature in either SDK domain ends
/// in an answer.
pub fn order_body(data: &[u8]) {
    use core::fmt::Write as _;
    use signet_core::turbine::order::{MAX_ORDER_BODY_LEN, MAX_ORDER_SUMMARY_LEN};
    use signet_core::turbine::order::{OrderDomain, SignedOrder};
    let Ok(signed) = SignedOrder::parse_body(data) else { return };
    let mut buf = [0u8; MAX_ORDER_BODY_LEN];
    let Ok(body) = signed.write_body(&mut buf) else { panic!("a parsed order does not write") };
    if SignedOrder::parse_body(body.as_bytes()) != Ok(signed) {
        panic!("body round trip changed {signed:?}");
    }
    for chain in [137, 84532] {
        let Some(domain) = OrderDomain::for_chain(chain) else { panic!("no SDK domain for {chain}") };
        let _ = signed.verify(&domain);
        let mut line = heapless::String::<MAX_ORDER_SUMMARY_LEN>::new();
        if write!(line, "{}", signed.order.summary(&domain)).is_err() {
            panic!("summary longer than MAX_ORDER_SUMMARY_LEN: {signed:?}");
        }
    }
}

/// A WebSocket logon message: whatever parses writes back to a message that parses to the same
/// logon, and checking it against the published vector's secret ends in an answer.
pub fn ws_logon(data: &[u8]) {
    use signet_core::bitzoom::ws_logon::{Logon, MAX_LOGON_LEN, verify_logon};
    let Ok(logon) = Logon::parse(data) else { return };
    let mut buf = [0u8; MAX_LOGON_LEN];
    // A timestamp past 64 bits cannot be written back; anything else can.
    if let Ok(text) = logon.write_json(&mut buf)
        && Logon::parse(text.as_bytes()) != Ok(logon)
    {
        panic!("logon round trip changed {logon:?}");
    }
    let key = HmacKey::new(b"demo_secret_7f3b9c2d");
    let Ok(kid) = KeyId::new("fuzz") else { panic!("kid") };
    let _ = verify_logon(&key, &kid, &logon, 1_712_345_678_904, &mut NonceCache::<2>::new());
}

/// A BIP-39 phrase, a BIP-32 path and a passphrase, one per line. A phrase that parses writes
/// back to the same words, which parse to the same entropy (and so do its entropy and its word
/// indexes); a path that parses prints as text that parses to the same path, and derives (from a
/// fixed seed: PBKDF2 would slow the fuzzer a thousandfold) to a key or a typed error; the
/// passphrase check agrees with `unicode-normalization` (the same Unicode version) on whether the
/// text is NFKD.
pub fn hd_wallet(data: &[u8]) {
    use signet_core::eth::{DerivationPath, MAX_PHRASE_LEN, Mnemonic, Passphrase, Seed, WalletKey, is_nfkd};
    use unicode_normalization::UnicodeNormalization as _;
    let Ok(text) = core::str::from_utf8(data) else { return };
    let mut lines = text.splitn(3, '\n');
    let (phrase, path, passphrase) = (
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
    );
    if let Ok(mnemonic) = Mnemonic::parse(phrase) {
        let mut buf = [0u8; MAX_PHRASE_LEN];
        let Ok(written) = mnemonic.write_phrase(&mut buf) else { panic!("a parsed phrase does not write") };
        let same = |other: Result<Mnemonic, _>| other.is_ok_and(|m| m == mnemonic);
        let indexes: Vec<u16> = (0..mnemonic.word_count()).filter_map(|i| mnemonic.index(i)).collect();
        if !same(Mnemonic::parse(written))
            || !same(Mnemonic::from_entropy(mnemonic.entropy()))
            || !same(Mnemonic::from_indices(&indexes))
        {
            panic!("a phrase did not round-trip: {phrase:?}");
        }
    }
    if let Ok(parsed) = DerivationPath::parse(path) {
        if DerivationPath::parse(&parsed.to_string()) != Ok(parsed) {
            panic!("path {parsed} does not parse back");
        }
        let _ = WalletKey::from_seed(&Seed::from_bytes([7; 64]), &parsed);
    }
    let normalized = passphrase.nfkd().eq(passphrase.chars());
    if is_nfkd(passphrase) != normalized {
        panic!("NFKD check disagrees with unicode-normalization on {passphrase:?}");
    }
    if Passphrase::new(passphrase).is_ok() && !normalized {
        panic!("a passphrase that is not NFKD was taken: {passphrase:?}");
    }
}
