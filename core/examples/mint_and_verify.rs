//! Mints a Turbine bearer token and verifies it, printing both.
//!
//! `cargo run -p signet-core --example mint_and_verify` uses a fresh random key and the current
//! time. For cross-checking against other implementations every input can be fixed:
//! `-- --seed <64 hex> --kid <id> --ts <unix seconds> --nonce <32 hex>`.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use getrandom::SysRng;
use rand_core::UnwrapErr;
use signet_core::UnixTime;
use signet_core::ed25519_dalek::SigningKey;
use signet_core::turbine::{
    Claims, KeyId, KeyRecord, KeyRing, MAX_TOKEN_LEN, Nonce, NonceCache, Verifier, mint,
};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn run() -> Result<(), Box<dyn core::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut rng = UnwrapErr(SysRng);
    let key = match arg(&args, "--seed") {
        Some(hex_seed) => {
            let seed: [u8; 32] = hex::decode(hex_seed)?.try_into().map_err(|_| "--seed needs 32 bytes")?;
            SigningKey::from_bytes(&seed)
        }
        None => SigningKey::generate(&mut rng),
    };
    let kid = KeyId::new(&arg(&args, "--kid").unwrap_or_else(|| "demo-key".to_owned()))?;
    let now = UnixTime(i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs())?);
    let ts = arg(&args, "--ts").map(|t| t.parse().map(UnixTime)).transpose()?.unwrap_or(now);
    let nonce = match arg(&args, "--nonce") {
        Some(n) => Nonce::from_hex(n.as_bytes()).ok_or("--nonce needs 32 hex digits")?,
        None => Nonce::generate(&mut rng),
    };
    let claims = Claims { kid: kid.clone(), ts, nonce };

    let mut buf = [0u8; MAX_TOKEN_LEN];
    let token = mint(&key, &claims, &mut buf)?;
    let mut payload = [0u8; signet_core::turbine::MAX_MINTED_PAYLOAD_LEN];
    println!("key-id: {kid}");
    println!("public-key: {}", hex::encode(key.verifying_key().as_bytes()));
    println!("payload: {}", core::str::from_utf8(claims.write_json(&mut payload).ok_or("payload")?)?);
    println!("token: {token}");

    // The server side: the verifier checks the token at the token's own time.
    let mut keys = KeyRing::<1>::new();
    keys.insert(kid, KeyRecord::active(key.verifying_key()))?;
    let mut verifier = Verifier::new(keys, NonceCache::<1>::new());
    let header = format!("Bearer {token}");
    let verified = verifier.verify_str(Some(&header), ts)?;
    println!("verified: kid={} ts={} n={}", verified.kid, verified.ts, verified.nonce);
    match verifier.verify_str(Some(&header), ts) {
        Err(e) => println!("replayed: refused ({e})"),
        Ok(_) => return Err("a replayed token was accepted".into()),
    }
    Ok(())
}
