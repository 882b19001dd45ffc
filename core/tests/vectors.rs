//! Runs the shared test vectors (made with independent libraries) against signet-core.
//!
//! Reads the folder in `SIGNET_VECTORS` (default: the copy in `tests/vectors/`) and prints one
//! line per file: `<file stem>: N cases passed`. Any mismatch or missing file fails the run.

#![allow(clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::Value;
use signet_core::bitzoom::jwt::{
    JwtSigningKey, JwtVerifier, JwtVerifyingKey, encode, read_expiry_unverified,
};
use signet_core::bitzoom::request_signing::{RequestSigningError, SignedRequest, verify_request};
use signet_core::bitzoom::ws_logon::{LOGON_METHOD, LOGON_PATH, Logon, MAX_LOGON_LEN, verify_logon};
use signet_core::ed25519_dalek::{SigningKey, VerifyingKey};
use signet_core::eth::U256;
use signet_core::eth::{
    Address, DerivationPath, EthError, EthSignature, MAX_PHRASE_LEN, Mnemonic, Passphrase, WalletKey,
    eip191_hash, recover_address, recover_prehash,
};
use signet_core::turbine::order::MAX_ORDER_BODY_LEN;
use signet_core::turbine::order::{Order, OrderDomain, OrderError, SignedOrder};
use signet_core::turbine::permit::{
    ChainContracts, CtfApproval, IndexSets, MAX_RELAYER_BODY_LEN, MessageKind, PermitError, Redemption,
    RelayerBody, TypedMessage, UsdcPermit,
};
use signet_core::turbine::{
    KeyId, KeyRecord, KeyRing, KeyStatus, Nonce, NonceCache, Verifier, VerifyConfig, registration_message,
    verify_registration,
};
use signet_core::{HmacKey, UnixTime};

type Outcome = Result<usize, Vec<String>>;
/// A vector file's stem and the function that runs its cases (given the parsed file and its
/// text, for numbers beyond 64 bits).
type Suite = (&'static str, fn(&Value, &str) -> Outcome);

/// Every vector file this crate must pass.
const SUITES: &[Suite] = &[
    ("turbine_tokens", turbine_tokens),
    ("eth_personal_sign", eth_personal_sign),
    ("bitzoom_jwt", bitzoom_jwt),
    ("bitzoom_hmac", bitzoom_hmac),
    ("turbine_orders", turbine_orders),
    ("eth_hd_wallet", eth_hd_wallet),
    ("turbine_permits", turbine_permits),
];

fn main() -> ExitCode {
    let dir = std::env::var_os("SIGNET_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors"));
    let mut failed = false;
    for &(stem, run) in SUITES {
        let path = dir.join(format!("{stem}.json"));
        let outcome = std::fs::read_to_string(&path)
            .map_err(|e| vec![format!("cannot read {}: {e}", path.display())])
            .and_then(|text| {
                let doc =
                    serde_json::from_str(&text).map_err(|e| vec![format!("{}: {e}", path.display())])?;
                run(&doc, &text)
            });
        match outcome {
            Ok(n) => println!("{stem}: {n} cases passed"),
            Err(errors) => {
                failed = true;
                for e in errors {
                    eprintln!("{stem}: FAILED {e}");
                }
            }
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// Runs `check` on every case of `doc`, naming each failing case by index and name.
fn each_case(doc: &Value, mut check: impl FnMut(&Value) -> Result<(), String>) -> Outcome {
    let cases =
        doc.get("cases").and_then(Value::as_array).ok_or_else(|| vec!["missing `cases`".to_owned()])?;
    let errors: Vec<String> = cases
        .iter()
        .enumerate()
        .filter_map(|(i, case)| {
            let name = case.get("name").and_then(Value::as_str).unwrap_or("?");
            check(case).err().map(|why| format!("case {i} ({name}): {why}"))
        })
        .collect();
    if errors.is_empty() { Ok(cases.len()) } else { Err(errors) }
}

fn str_field<'a>(v: &'a Value, name: &str) -> Result<&'a str, String> {
    v.get(name).and_then(Value::as_str).ok_or_else(|| format!("missing string field `{name}`"))
}

fn int_field(v: &Value, name: &str) -> Result<i64, String> {
    v.get(name).and_then(Value::as_i64).ok_or_else(|| format!("missing integer field `{name}`"))
}

fn hex32(s: &str) -> Result<[u8; 32], String> {
    let bytes = hex::decode(s.trim_start_matches("0x")).map_err(|e| format!("bad hex {s:?}: {e}"))?;
    bytes.try_into().map_err(|_| format!("expected 32 bytes: {s:?}"))
}

/// Every case in order against one verifier (the replay case depends on the one before it).
fn turbine_tokens(doc: &Value, _text: &str) -> Outcome {
    let setup = || -> Result<_, String> {
        let now = UnixTime(int_field(doc, "now")?);
        let window = doc.get("window_seconds").and_then(Value::as_u64).unwrap_or(300);
        let mut ring = KeyRing::<256>::new();
        for key in doc.get("keys").and_then(Value::as_array).ok_or("missing `keys`")? {
            let kid = KeyId::new(str_field(key, "kid")?).map_err(|e| e.to_string())?;
            let public = hex32(str_field(key, "public_key_hex")?)?;
            let verifying_key = VerifyingKey::from_bytes(&public).map_err(|e| e.to_string())?;
            if let Ok(private) = str_field(key, "private_key_hex")
                && SigningKey::from_bytes(&hex32(private)?).verifying_key() != verifying_key
            {
                return Err(format!("key {kid}: private and public keys differ"));
            }
            let status = match str_field(key, "status")? {
                "active" | "expired" => KeyStatus::Active,
                "inactive" => KeyStatus::Inactive,
                other => return Err(format!("key {kid}: unknown status {other:?}")),
            };
            let expires_at = key.get("expires_at").and_then(Value::as_i64).map(UnixTime);
            ring.insert(kid, KeyRecord { verifying_key, status, expires_at }).map_err(|e| e.to_string())?;
        }
        let config = VerifyConfig {
            window_secs: u32::try_from(window).map_err(|e| e.to_string())?,
            ..VerifyConfig::default()
        };
        // Room for thousands of accepted tokens, so a larger vector set cannot fill it.
        Ok((now, Verifier::with_config(ring, Box::leak(Box::new(NonceCache::<1024>::new())), config)))
    };
    let (now, mut verifier) = setup().map_err(|e| vec![e])?;
    each_case(doc, |case| {
        let header = case.get("authorization").and_then(Value::as_str);
        let expect = str_field(case, "expect")?;
        match (expect, &verifier.verify_str(header, now)) {
            ("ok", Ok(claims)) => check_claims(case, claims),
            ("ok", Err(e)) => Err(format!("refused with {e:?} ({e})")),
            (_, Ok(_)) => Err(format!("accepted, expected {expect:?}")),
            ("reject", Err(_)) => Ok(()),
            (text, Err(e)) if e.to_string() == text => Ok(()),
            (text, Err(e)) => Err(format!("refused with {:?}, expected {text:?}", e.to_string())),
        }
    })
}

fn check_claims(case: &Value, got: &signet_core::turbine::Claims) -> Result<(), String> {
    let Some(want) = case.get("claims") else { return Ok(()) };
    let kid = str_field(want, "kid")?;
    let ts = int_field(want, "ts")?;
    let n = Nonce::from_hex(str_field(want, "n")?.as_bytes()).ok_or("bad nonce in vector")?;
    if got.kid.as_str() != kid || got.ts != UnixTime(ts) || got.nonce != n {
        return Err(format!("claims {got:?}, expected kid={kid} ts={ts} n={n}"));
    }
    Ok(())
}

/// Runs every case through the whole chain and returns the signer (or the first refusal).
fn eth_case(case: &Value) -> Result<Result<Address, EthError>, String> {
    let address_text = str_field(case, "address")?;
    let message = str_field(case, "message")?;
    let signature_text = str_field(case, "signature")?;
    if let Some(want) = case.get("eip191_hash_hex").and_then(Value::as_str) {
        let got = hex::encode(eip191_hash(message.as_bytes()));
        if got != want {
            return Err(format!("EIP-191 hash {got}, expected {want}"));
        }
    }
    if let Some(private) = case.get("private_key_hex").and_then(Value::as_str) {
        let wallet = WalletKey::from_hex(private).map_err(|e| e.to_string())?;
        let signature = wallet.personal_sign(message.as_bytes()).to_hex();
        if !signature.eq_ignore_ascii_case(signature_text) {
            return Err(format!("re-signed as {signature}, expected {signature_text}"));
        }
        if !wallet.address().to_string().eq_ignore_ascii_case(address_text) {
            return Err(format!("wallet address {}, expected {address_text}", wallet.address()));
        }
    }
    let chain = || -> Result<Address, EthError> {
        let address = Address::parse(address_text.as_bytes())?;
        let signature = EthSignature::parse_hex(signature_text.as_bytes())?;
        let signer = recover_address(message.as_bytes(), &signature)?;
        if signer == address { Ok(address) } else { Err(EthError::SignatureMismatch) }
    };
    let outcome = chain();
    // A registration message must get the same answer from the registration check.
    if registration_message(address_text).is_ok_and(|m| m == message) {
        let registration = verify_registration(address_text, signature_text);
        if registration != outcome {
            return Err(format!("registration check gave {registration:?}, recovery gave {outcome:?}"));
        }
    }
    Ok(outcome)
}

/// EIP-191 hashing, byte-exact re-signing and recovery, with the registration check alongside.
fn eth_personal_sign(doc: &Value, _text: &str) -> Outcome {
    each_case(doc, |case| {
        let expect = str_field(case, "expect")?;
        match (expect, eth_case(case)?) {
            ("ok", Ok(_)) | ("reject", Err(_)) => Ok(()),
            ("ok", Err(e)) => Err(format!("refused: {e}")),
            ("reject", Ok(a)) => Err(format!("accepted as {a}")),
            (other, _) => Err(format!("unknown expectation {other:?}")),
        }
    })
}

/// Bitzoom's claims as a caller would declare them.
#[derive(Debug, PartialEq, serde::Deserialize, serde::Serialize)]
struct BitzoomClaims {
    exp: i64,
    iat: i64,
    uid: heapless::String<64>,
    uname: heapless::String<64>,
}

fn hex_bytes(s: &str) -> Result<Vec<u8>, String> {
    hex::decode(s.trim_start_matches("0x")).map_err(|e| format!("bad hex {s:?}: {e}"))
}

/// The verifying key named `name` in the file's `keys`, and its signing key where given.
fn jwt_keys(keys: &Value, name: &str) -> Result<(JwtVerifyingKey, Option<JwtSigningKey>), String> {
    let key = keys.get(name).ok_or_else(|| format!("no key {name:?}"))?;
    let private = key.get("private_key_hex").and_then(Value::as_str);
    Ok(match name {
        "hs256" => {
            let secret = HmacKey::new(&hex_bytes(str_field(key, "secret_hex")?)?);
            (JwtVerifyingKey::Hs256(secret.clone()), Some(JwtSigningKey::Hs256(secret)))
        }
        "eddsa" => {
            let public = VerifyingKey::from_bytes(&hex32(str_field(key, "public_key_hex")?)?)
                .map_err(|e| e.to_string())?;
            let signing = private.map(hex32).transpose()?.map(|seed| SigningKey::from_bytes(&seed));
            (JwtVerifyingKey::EdDsa(public), signing.map(JwtSigningKey::EdDsa))
        }
        "es256k" => {
            let public = k256::ecdsa::VerifyingKey::from_sec1_bytes(&hex_bytes(str_field(
                key,
                "public_key_sec1_hex",
            )?)?)
            .map_err(|e| e.to_string())?;
            let signing = private
                .map(|p| k256::ecdsa::SigningKey::from_slice(&hex_bytes(p)?).map_err(|e| e.to_string()))
                .transpose()?;
            (JwtVerifyingKey::Es256k(public), signing.map(JwtSigningKey::Es256k))
        }
        other => return Err(format!("unknown key kind {other:?}")),
    })
}

fn jwt_case(doc: &Value, case: &Value, now: UnixTime) -> Result<(), String> {
    let keys = doc.get("keys").ok_or("missing `keys`")?;
    let (verifying, signing) = jwt_keys(keys, str_field(case, "key")?)?;
    let expect = str_field(case, "expect")?;
    let token = case.get("token").and_then(Value::as_str);
    let header = token.map(|t| format!("Bearer {t}"));
    let verifier = JwtVerifier::new(verifying.clone());
    let got = verifier.verify_authorization::<BitzoomClaims>(header.as_deref().map(str::as_bytes), now);
    match (expect, &got) {
        ("ok", Ok(verified)) => {
            if let Some(want) = doc.get("claims") {
                let want: BitzoomClaims = serde_json::from_value(want.clone()).map_err(|e| e.to_string())?;
                if verified.claims != want {
                    return Err(format!("claims {:?}, expected {want:?}", verified.claims));
                }
            }
            let token = token.unwrap_or_default();
            if read_expiry_unverified(token.as_bytes()) != verified.registered.exp {
                return Err("unverified expiry differs from the verified one".into());
            }
            // Re-mint the same claims: HS256 and EdDSA are deterministic, so the bytes must
            // match; ES256K (random k in PyJWT) must at least verify.
            if let Some(signing) = signing {
                let mut buf = [0u8; signet_core::bitzoom::jwt::MAX_JWT_LEN];
                let minted = encode(&signing, &verified.claims, &mut buf).map_err(|e| e.to_string())?;
                let deterministic = !matches!(signing, JwtSigningKey::Es256k(_));
                if deterministic && minted != token {
                    return Err(format!("re-minted {minted}, expected {token}"));
                }
                verifier
                    .verify::<BitzoomClaims>(minted.as_bytes(), now)
                    .map_err(|e| format!("re-minted token refused: {e:?}"))?;
            }
            Ok(())
        }
        ("ok", Err(e)) => Err(format!("refused with {e:?}")),
        (_, Ok(_)) => Err(format!("accepted, expected {expect}")),
        (code, Err(e)) if e.code().to_string() == code => Ok(()),
        (code, Err(e)) => Err(format!("refused with {e:?} (code {}), expected {code}", e.code())),
    }
}

/// Every case against a verifier pinned to the case's key.
fn bitzoom_jwt(doc: &Value, _text: &str) -> Outcome {
    let now = UnixTime(int_field(doc, "now").map_err(|e| vec![e])?);
    each_case(doc, |case| jwt_case(doc, case, now))
}

fn hmac_case(case: &Value) -> Result<(), String> {
    // A fresh cache per case: the cases test signatures, and may share nonces.
    let cache = &mut NonceCache::<1>::new();
    let secret = HmacKey::new(str_field(case, "secret")?.as_bytes());
    let timestamp = str_field(case, "timestamp")?;
    let request = SignedRequest {
        timestamp,
        nonce: str_field(case, "nonce")?,
        recv_window: str_field(case, "recvWindow")?,
        method: str_field(case, "method")?,
        path: str_field(case, "path")?,
        query: str_field(case, "rawQuery")?,
        body: str_field(case, "body")?.as_bytes(),
    };
    let expected = str_field(case, "expectedSignature")?;
    let mut buf = [0u8; 4096];
    let text = request.write_canonical(&mut buf).map_err(|e| e.to_string())?;
    let text = core::str::from_utf8(text).map_err(|e| e.to_string())?;
    if let Some(want) = case.get("canonicalQuery").and_then(Value::as_str) {
        let got = text.split('\n').nth(5).unwrap_or_default();
        if got != want {
            return Err(format!("canonical query {got:?}, expected {want:?}"));
        }
    }
    let signature = request.sign(&secret).map_err(|e| e.to_string())?.to_hex();
    if signature != expected {
        return Err(format!("signature {signature}, expected {expected}\ncanonical text: {text:?}"));
    }
    // The server side accepts it at its own timestamp, and refuses a changed signature.
    let now: u64 = timestamp.parse().map_err(|e| format!("timestamp: {e}"))?;
    let api_key = KeyId::new("vector-key").map_err(|e| e.to_string())?;
    let mut tampered = signature.to_string().into_bytes();
    tampered[0] = if tampered[0] == b'0' { b'1' } else { b'0' };
    let tampered = String::from_utf8(tampered).map_err(|e| e.to_string())?;
    match verify_request(&secret, &api_key, &request, &tampered, now, cache) {
        Err(RequestSigningError::InvalidSignature) => {}
        other => return Err(format!("tampered signature gave {other:?}")),
    }
    verify_request(&secret, &api_key, &request, expected, now, cache)
        .map_err(|e| format!("verifier refused: {e}"))?;
    // A WebSocket logon case also travels as the logon message: written, read back and
    // verified (on a fresh cache: the request above used its nonce).
    if request.method == LOGON_METHOD
        && request.path == LOGON_PATH
        && request.query.is_empty()
        && request.body.is_empty()
    {
        let logon = Logon {
            api_key: "vector-key",
            timestamp,
            nonce: request.nonce,
            recv_window: request.recv_window,
            signature: expected,
        };
        let mut buf = [0u8; MAX_LOGON_LEN];
        let message = logon.write_json(&mut buf).map_err(|e| e.to_string())?;
        let read = Logon::parse(message.as_bytes()).map_err(|e| e.to_string())?;
        verify_logon(&secret, &api_key, &read, now, &mut NonceCache::<1>::new())
            .map_err(|e| format!("logon refused: {e}"))?;
    }
    Ok(())
}

/// Every case: canonical query, signature, and the verifying side.
fn bitzoom_hmac(doc: &Value, _text: &str) -> Outcome {
    each_case(doc, hmac_case)
}

/// The raw text of each case's `order` and `body`: sizes above 2^64 must reach the order
/// parser as written, not through a float.
#[derive(serde::Deserialize)]
struct RawCase<'a> {
    #[serde(borrow)]
    order: &'a serde_json::value::RawValue,
    #[serde(borrow, default)]
    body: Option<&'a serde_json::value::RawValue>,
}

/// JSON text without the whitespace between tokens (strings kept as they are).
fn compact(json: &str) -> String {
    let (mut out, mut in_string, mut escaped) = (String::new(), false, false);
    for c in json.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            c if c.is_whitespace() && !in_string => continue,
            _ => {}
        }
        out.push(c);
    }
    out
}

fn turbine_orders(doc: &Value, text: &str) -> Outcome {
    #[derive(serde::Deserialize)]
    struct RawDoc<'a> {
        #[serde(borrow)]
        cases: Vec<RawCase<'a>>,
    }
    let raw: RawDoc<'_> = serde_json::from_str(text).map_err(|e| vec![e.to_string()])?;
    let mut raw_cases = raw.cases.into_iter();
    each_case(doc, |case| {
        let raw = raw_cases.next().ok_or("case missing from the raw text")?;
        let contract: Address = str_field(case, "verifying_contract")?.parse().map_err(|e| format!("{e}"))?;
        let chain_id = case.get("chain_id").and_then(Value::as_u64).ok_or("missing chain_id")?;
        let domain = OrderDomain::new(chain_id, contract);
        let signature = EthSignature::parse_hex(str_field(case, "signature")?.as_bytes());
        let parsed = Order::parse_json(raw.order.get().as_bytes());
        match str_field(case, "expect")? {
            "ok" => {
                let order = parsed.map_err(|e| format!("order refused: {e}"))?;
                let wallet = WalletKey::from_bytes(&hex32(str_field(case, "private_key_hex")?)?)
                    .map_err(|e| e.to_string())?;
                let expect_hex = |field: &str, got: &[u8; 32]| -> Result<(), String> {
                    let want = str_field(case, field)?;
                    if hex::encode(got) == want {
                        Ok(())
                    } else {
                        Err(format!("{field}: {} != {want}", hex::encode(got)))
                    }
                };
                expect_hex("domain_separator_hex", domain.separator())?;
                expect_hex("struct_hash_hex", &order.struct_hash())?;
                expect_hex("digest_hex", &order.digest(&domain))?;
                let signed = order.sign(&domain, &wallet).map_err(|e| e.to_string())?;
                let want_signature = str_field(case, "signature")?;
                if signed.signature.to_hex().as_str() != want_signature.to_ascii_lowercase() {
                    return Err(format!("signature {} != {want_signature}", signed.signature));
                }
                let given = SignedOrder { order, signature: signature.map_err(|e| e.to_string())? };
                given.verify(&domain).map_err(|e| format!("verify: {e}"))?;
                let recovered =
                    recover_prehash(&order.digest(&domain), &given.signature).map_err(|e| e.to_string())?;
                if recovered != order.trader {
                    return Err(format!("recovered {recovered}, trader {}", order.trader));
                }
                if order.hash().to_string() != str_field(case, "order_hash")? {
                    return Err(format!("order hash {}", order.hash()));
                }
                let body = raw.body.ok_or("missing body")?.get();
                let mut buf = [0u8; MAX_ORDER_BODY_LEN];
                let written = signed.write_body(&mut buf).map_err(|e| e.to_string())?;
                if written != compact(body) {
                    return Err(format!("body {written} != {}", compact(body)));
                }
                match SignedOrder::parse_body(body.as_bytes()) {
                    Ok(read) if read == given => Ok(()),
                    other => Err(format!("body read as {other:?}")),
                }
            }
            "reject" => match parsed {
                Err(_) => Ok(()),
                Ok(order) => {
                    let signed = SignedOrder { order, signature: signature.map_err(|e| e.to_string())? };
                    match signed.verify(&domain) {
                        Err(OrderError::WrongSigner | OrderError::SignatureEncoding) => Ok(()),
                        other => Err(format!("verified as {other:?}")),
                    }
                }
            },
            other => Err(format!("unknown expectation {other:?}")),
        }
    })
}

/// BIP-39 and BIP-32 as trezor's `mnemonic` and eth-account's HD wallet compute them: the
/// mnemonic's entropy (and the words written back from it), the seed (the passphrase NFKD-normalised
/// here, as a std caller does before the core, which checks), the key at the path and its
/// address; every reject refused, by the mnemonic or by the path.
fn eth_hd_wallet(doc: &Value, _: &str) -> Outcome {
    use unicode_normalization::UnicodeNormalization as _;
    each_case(doc, |case| {
        let text = |name: &str| case.get(name).and_then(Value::as_str).ok_or(format!("no {name}"));
        let (phrase, path) = (text("mnemonic")?, text("path")?);
        let passphrase: String = text("passphrase")?.nfkd().collect();
        let parsed = Mnemonic::parse(phrase);
        let parsed_path = DerivationPath::parse(path);
        if text("expect")? == "reject" {
            return match (parsed, parsed_path) {
                (Ok(_), Ok(_)) => Err("accepted".into()),
                _ => Ok(()),
            };
        }
        let mnemonic = parsed.map_err(|e| format!("mnemonic refused: {e}"))?;
        let path = parsed_path.map_err(|e| format!("path refused: {e}"))?;
        if hex::encode(mnemonic.entropy()) != text("entropy_hex")? {
            return Err("entropy differs".into());
        }
        let mut buf = [0u8; MAX_PHRASE_LEN];
        if mnemonic.write_phrase(&mut buf).map_err(|e| e.to_string())? != phrase {
            return Err("words written back differ".into());
        }
        let from_entropy = Mnemonic::from_entropy(mnemonic.entropy()).map_err(|e| e.to_string())?;
        if from_entropy != mnemonic {
            return Err("entropy -> mnemonic differs".into());
        }
        let passphrase = Passphrase::new(&passphrase).map_err(|e| format!("passphrase: {e}"))?;
        let seed = mnemonic.to_seed(&passphrase);
        if hex::encode(seed.as_bytes()) != text("seed_hex")? {
            return Err("seed differs".into());
        }
        let key = WalletKey::from_seed(&seed, &path).map_err(|e| e.to_string())?;
        if hex::encode(key.to_bytes().as_ref()) != text("private_key_hex")? {
            return Err(format!("key at {path} differs"));
        }
        if key.address().to_checksummed() != text("address")? {
            return Err("address differs".into());
        }
        if path.to_string() != text("path")? {
            return Err("path written back differs".into());
        }
        Ok(())
    })
}

/// A `uint256` as the permit vectors write it: a JSON integer, or a decimal string above 2^53.
fn u256_field(v: &Value, name: &str) -> Result<U256, String> {
    match v.get(name) {
        Some(Value::String(text)) => U256::parse_decimal(text.as_bytes()).ok_or(format!("{name}: {text}")),
        Some(Value::Number(n)) => n.as_u64().map(|n| U256::from_u128(n.into())).ok_or(format!("{name}: {n}")),
        other => Err(format!("{name}: {other:?}")),
    }
}

fn address_field(v: &Value, name: &str) -> Result<Address, String> {
    str_field(v, name)?.parse().map_err(|e| format!("{name}: {e}"))
}

/// The message of a permit vector, as the core types hold it.
fn permit_message(case: &Value) -> Result<TypedMessage, String> {
    let m = case.get("message").ok_or("missing message")?;
    let owner = address_field(m, "owner")?;
    Ok(match str_field(case, "primary_type")? {
        "Permit" => TypedMessage::Permit(UsdcPermit {
            owner,
            spender: address_field(m, "spender")?,
            value: u256_field(m, "value")?,
            nonce: u256_field(m, "nonce")?,
            deadline: u256_field(m, "deadline")?,
        }),
        "SetApprovalForAll" => TypedMessage::Approval(CtfApproval {
            owner,
            operator: address_field(m, "operator")?,
            approved: m.get("approved").and_then(Value::as_bool).ok_or("approved")?,
            nonce: u256_field(m, "nonce")?,
            deadline: u256_field(m, "deadline")?,
        }),
        "RedeemPositions" => {
            let mut index_sets = IndexSets::new();
            for set in m.get("indexSets").and_then(Value::as_array).ok_or("indexSets")? {
                let wrapped = serde_json::json!({ "x": set });
                index_sets.push(u256_field(&wrapped, "x")?).map_err(|_| "too many index sets")?;
            }
            TypedMessage::Redemption(Redemption {
                owner,
                collateral_token: address_field(m, "collateralToken")?,
                parent_collection_id: hex32(str_field(m, "parentCollectionId")?.trim_start_matches("0x"))?,
                condition_id: hex32(str_field(m, "conditionId")?.trim_start_matches("0x"))?,
                index_sets,
                nonce: u256_field(m, "nonce")?,
                deadline: u256_field(m, "deadline")?,
            })
        }
        other => return Err(format!("unknown primary type {other}")),
    })
}

/// The current SDK's permits, approvals and redemptions, as eth-account's `sign_typed_data`
/// signs them: the domain (from the chain's contracts, checked against the vector's), struct
/// hash and digest; the same signature from the same key; recovery to the owner; the relayer
/// body read (its nonce put back) and written byte for byte. Rejects: recovery refuses them.
fn turbine_permits(doc: &Value, text: &str) -> Outcome {
    #[derive(serde::Deserialize)]
    struct RawDoc<'a> {
        #[serde(borrow)]
        cases: Vec<RawPermit<'a>>,
    }
    #[derive(serde::Deserialize)]
    struct RawPermit<'a> {
        #[serde(borrow)]
        relayer_body: Option<&'a serde_json::value::RawValue>,
    }
    let raw: RawDoc<'_> = serde_json::from_str(text).map_err(|e| vec![e.to_string()])?;
    let mut raw_cases = raw.cases.into_iter();
    each_case(doc, |case| {
        let raw = raw_cases.next().ok_or("case missing from the raw text")?;
        let chain_id = case.get("chain_id").and_then(Value::as_u64).ok_or("missing chain_id")?;
        let chain = ChainContracts::of(chain_id).ok_or("unknown chain")?;
        let message = permit_message(case)?;
        let domain = case.get("domain").ok_or("missing domain")?;
        let expected =
            if message.kind() == MessageKind::Permit { chain.usdc_domain() } else { chain.ctf_domain() };
        if str_field(domain, "name")? != expected.name
            || str_field(domain, "version")? != expected.version
            || address_field(domain, "verifyingContract")? != expected.verifying_contract
        {
            return Err(format!("domain {domain} is not the chain's"));
        }
        let separators = chain.separators();
        let signature =
            EthSignature::parse_hex(str_field(case, "signature")?.as_bytes()).map_err(|e| e.to_string())?;
        let expect_hex = |field: &str, got: &[u8; 32]| -> Result<(), String> {
            let want = str_field(case, field)?;
            if hex::encode(got) == want {
                Ok(())
            } else {
                Err(format!("{field}: {} != {want}", hex::encode(got)))
            }
        };
        let separator =
            if message.kind() == MessageKind::Permit { &separators.usdc } else { &separators.ctf };
        expect_hex("domain_separator_hex", separator)?;
        expect_hex("struct_hash_hex", &message.struct_hash())?;
        expect_hex("digest_hex", &message.digest(&separators))?;
        match str_field(case, "expect")? {
            "ok" => {
                let wallet = WalletKey::from_bytes(&hex32(str_field(case, "private_key_hex")?)?)
                    .map_err(|e| e.to_string())?;
                let signed = message.sign(chain, &wallet).map_err(|e| e.to_string())?;
                if signed != signature {
                    return Err(format!("signature {signed} != {signature}"));
                }
                message.verify(&separators, &signature).map_err(|e| format!("verify: {e}"))?;
                let body = raw.relayer_body.ok_or("missing relayer_body")?.get();
                let read =
                    RelayerBody::parse(message.kind(), body.as_bytes()).map_err(|e| format!("body: {e}"))?;
                if read.message(message.nonce()) != message
                    || read.signature != signature
                    || read.chain_id != chain_id
                {
                    return Err(format!("body read as {read:?}"));
                }
                let mut buf = [0u8; MAX_RELAYER_BODY_LEN];
                let written = RelayerBody::new(chain_id, message.clone(), signature)
                    .write(&mut buf)
                    .map_err(|e| e.to_string())?;
                if written != compact(body) {
                    return Err(format!("body {written} != {}", compact(body)));
                }
                Ok(())
            }
            "reject" => match message.verify(&separators, &signature) {
                Err(PermitError::WrongSigner) => Ok(()),
                other => Err(format!("verified as {other:?}")),
            },
            other => Err(format!("unknown expectation {other:?}")),
        }
    })
}
