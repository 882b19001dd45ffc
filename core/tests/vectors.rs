//! Runs the shared test vectors (made with independent libraries) against signet-core.
//!
//! Reads the folder in `SIGNET_VECTORS` (default: the copy in `tests/vectors/`) and prints one
//! line per file: `<file stem>: N cases passed`. Any mismatch or missing file fails the run.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::Value;
use signet_core::ed25519_dalek::{SigningKey, VerifyingKey};
use signet_core::eth::{Address, EthError, EthSignature, WalletKey, eip191_hash, recover_address};
use signet_core::{
    KeyId, KeyRecord, KeyRing, KeyStatus, Nonce, NonceCache, UnixTime, Verifier, VerifyConfig,
    registration_message, verify_registration,
};

type Outcome = Result<usize, Vec<String>>;
/// A vector file's stem and the function that runs its cases.
type Suite = (&'static str, fn(&Value) -> Outcome);

/// Every vector file this crate must pass.
const SUITES: &[Suite] = &[("turbine_tokens", turbine_tokens), ("eth_personal_sign", eth_personal_sign)];

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
                serde_json::from_str(&text).map_err(|e| vec![format!("{}: {e}", path.display())])
            })
            .and_then(|doc| run(&doc));
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
fn turbine_tokens(doc: &Value) -> Outcome {
    let setup = || -> Result<_, String> {
        let now = UnixTime(int_field(doc, "now")?);
        let window = doc.get("window_seconds").and_then(Value::as_u64).unwrap_or(300);
        let mut ring = KeyRing::<64>::new();
        for key in doc.get("keys").and_then(Value::as_array).ok_or("missing `keys`")? {
            let kid = KeyId::new(str_field(key, "kid")?).map_err(|e| e.to_string())?;
            let public = hex32(str_field(key, "public_key_hex")?)?;
            let verifying_key = VerifyingKey::from_bytes(&public).map_err(|e| e.to_string())?;
            if let Ok(private) = str_field(key, "private_key_hex") {
                if SigningKey::from_bytes(&hex32(private)?).verifying_key() != verifying_key {
                    return Err(format!("key {kid}: private and public keys differ"));
                }
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
        Ok((now, Verifier::with_config(ring, NonceCache::<64>::new(), config)))
    };
    let (now, mut verifier) = setup().map_err(|e| vec![e])?;
    let cases =
        doc.get("cases").and_then(Value::as_array).ok_or_else(|| vec!["missing `cases`".to_owned()])?;
    let mut errors = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let name = case.get("name").and_then(Value::as_str).unwrap_or("?");
        let header = case.get("authorization").and_then(Value::as_str);
        let expect = case.get("expect").and_then(Value::as_str).unwrap_or("<missing expect>");
        let got = verifier.verify_str(header, now);
        let verdict = match (expect, &got) {
            ("ok", Ok(claims)) => check_claims(case, claims),
            ("ok", Err(e)) => Err(format!("refused with {e:?} ({e})")),
            (_, Ok(_)) => Err(format!("accepted, expected {expect:?}")),
            ("reject", Err(_)) => Ok(()),
            (text, Err(e)) if e.to_string() == text => Ok(()),
            (text, Err(e)) => Err(format!("refused with {:?}, expected {text:?}", e.to_string())),
        };
        if let Err(why) = verdict {
            errors.push(format!("case {i} ({name}): {why}"));
        }
    }
    if errors.is_empty() { Ok(cases.len()) } else { Err(errors) }
}

fn check_claims(case: &Value, got: &signet_core::Claims) -> Result<(), String> {
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
fn eth_personal_sign(doc: &Value) -> Outcome {
    let cases =
        doc.get("cases").and_then(Value::as_array).ok_or_else(|| vec!["missing `cases`".to_owned()])?;
    let mut errors = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let name = case.get("name").and_then(Value::as_str).unwrap_or("?");
        let expect = case.get("expect").and_then(Value::as_str).unwrap_or("<missing expect>");
        let verdict = eth_case(case).and_then(|outcome| match (expect, outcome) {
            ("ok", Ok(_)) | ("reject", Err(_)) => Ok(()),
            ("ok", Err(e)) => Err(format!("refused: {e}")),
            ("reject", Ok(a)) => Err(format!("accepted as {a}")),
            (other, _) => Err(format!("unknown expectation {other:?}")),
        });
        if let Err(why) = verdict {
            errors.push(format!("case {i} ({name}): {why}"));
        }
    }
    if errors.is_empty() { Ok(cases.len()) } else { Err(errors) }
}
