//! `signet verify`: check an Authorization header value against a registry or a public key.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;
use signet_core::ed25519_dalek::VerifyingKey;
use signet_core::turbine::{KeyId, KeyRecord, KeyRing, NonceCache, Verifier};
use signet_core::{Clock, UnixTime};
use signet_server::store::RedbRegistry;
use signet_std::SystemClock;

use crate::output::{Context, Result, hex_decode};

/// `signet verify …`
#[derive(Args)]
pub struct VerifyArgs {
    /// The Authorization header value ("Bearer …"); `-` reads it from standard input.
    header: String,
    /// Check against the key registry in this folder.
    #[arg(long, conflicts_with = "public_key")]
    data: Option<PathBuf>,
    /// Check against this Ed25519 public key (hex) instead of a registry.
    #[arg(long, requires = "kid")]
    public_key: Option<String>,
    /// The key id that goes with --public-key.
    #[arg(long)]
    kid: Option<String>,
    /// Check at this Unix time instead of now.
    #[arg(long)]
    now: Option<i64>,
}

/// Runs `signet verify`: exit 0 if the header verifies, 1 if it is refused.
pub fn run(args: VerifyArgs, ctx: &Context<'_>) -> Result<ExitCode> {
    verify(args, ctx)
}

fn verify(args: VerifyArgs, ctx: &Context<'_>) -> Result<ExitCode> {
    let header = if args.header == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        text.trim_end().to_owned()
    } else {
        args.header
    };
    let now = args.now.map_or_else(|| SystemClock.now(), UnixTime);
    let result = match (&args.public_key, &args.kid) {
        (Some(public), Some(kid)) => {
            let bytes: [u8; 32] = hex_decode(public)
                .map_err(|e| format!("--public-key: not hex ({e})"))?
                .try_into()
                .map_err(|b: Vec<u8>| {
                    format!("--public-key: {} bytes, an Ed25519 public key is 32 (64 hex digits)", b.len())
                })?;
            let mut ring = KeyRing::<1>::new();
            ring.insert(
                KeyId::new(kid).map_err(|e| format!("--kid: {e}"))?,
                KeyRecord::active(
                    VerifyingKey::from_bytes(&bytes).map_err(|_| "--public-key: not a point of Ed25519")?,
                ),
            )?;
            Verifier::new(ring, NonceCache::<1>::new()).verify_str(Some(&header), now)
        }
        _ => {
            let data = args.data.unwrap_or_else(|| PathBuf::from("signet-data"));
            let registry = RedbRegistry::open(&data.join("keys.redb"))?;
            Verifier::new(registry, NonceCache::<1>::new()).verify_str(Some(&header), now)
        }
    };
    match result {
        Ok(claims) => {
            ctx.output(
                &json!({ "valid": true, "kid": claims.kid.as_str(), "ts": claims.ts.0, "n": claims.nonce.to_string() }),
                &format!("valid: kid={} ts={} n={}", claims.kid, claims.ts, claims.nonce),
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            ctx.output(
                &json!({ "valid": false, "error": e.to_string(), "status": e.http_status() }),
                &format!("refused: {e}"),
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
