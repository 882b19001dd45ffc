//! `signet token`, `signet keygen` and `signet register`: a client's Turbine credentials.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;
use signet_core::IssuedApiKey;
use signet_std::{TurbineClient, os_rng};

use crate::output::{Context, Result, hex_str};

/// `signet register …`
#[derive(Args)]
pub struct RegisterArgs {
    /// The server, e.g. https://api.turbinefi.com (default: TURBINE_HOST).
    #[arg(long)]
    host: Option<String>,
    /// A friendly name for the key.
    #[arg(long)]
    name: Option<String>,
    /// Where to write the credentials (mode 600).
    #[arg(long, default_value = "signet-credentials")]
    out: PathBuf,
}

/// `signet token`: a fresh bearer token (nothing else) from the credentials.
pub fn token(ctx: &Context<'_>) -> Result<()> {
    let api =
        ctx.credentials()?.turbine_api.ok_or("TURBINE_API_KEY_ID and TURBINE_API_PRIVATE_KEY are not set")?;
    println!("{}", TurbineClient::bearer(&api).trim_start_matches("Bearer "));
    Ok(())
}

/// `signet keygen`: a new API key id and Ed25519 private key, as a server issues them.
pub fn keygen(ctx: &Context<'_>) -> Result<()> {
    let issued = IssuedApiKey::generate(&mut os_rng());
    let secret = issued.secret.to_hex();
    let secret = core::str::from_utf8(secret.as_ref())?;
    let public = hex_str(issued.secret.verifying_key().as_bytes());
    ctx.output(
        &json!({ "api_key_id": issued.kid.as_str(), "api_private_key": secret, "public_key": public }),
        &format!(
            "TURBINE_API_KEY_ID={}\nTURBINE_API_PRIVATE_KEY={secret}\n# public key: {public}",
            issued.kid
        ),
    );
    Ok(())
}

/// `signet register`: registers the wallet's API key and writes the credentials file.
pub fn register(args: RegisterArgs, ctx: &Context<'_>) -> Result<()> {
    let RegisterArgs { host, name, out } = args;
    let mut creds = ctx.credentials()?;
    let host = host.or_else(|| creds.turbine_host.clone()).ok_or("give --host or set TURBINE_HOST")?;
    let wallet = creds.wallet.clone().ok_or("TURBINE_PRIVATE_KEY is not set")?;
    let api = TurbineClient::new(&host).register_api_key(&wallet, name.as_deref())?;
    let kid = api.key_id.clone();
    creds.turbine_host = Some(host);
    creds.turbine_api = Some(api);
    creds.write_file(&out)?;
    ctx.output(
        &json!({ "api_key_id": kid.as_str(), "credentials": out }),
        &format!("registered API key {kid}; credentials written to {} (mode 600)", out.display()),
    );
    Ok(())
}
