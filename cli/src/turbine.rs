//! `signet token`, `signet keygen` and `signet register`: a client's Turbine credentials.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;
use signet_core::turbine::IssuedApiKey;
use signet_std::{TurbineClient, os_rng};

use crate::output::{Context, Result, hex_str};

/// `signet register …`
#[derive(Args)]
pub struct RegisterArgs {
    /// The server, e.g. https://api.turbinefi.com (default: TURBINE_HOST).
    #[arg(long, value_parser = crate::output::host_url)]
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
///
/// The output is checked before anything is registered (a key is shown once by the server, and
/// a wallet with a key gets 409 afterwards); if writing still fails, the credentials are
/// printed once, with a warning, rather than lost.
pub fn register(args: RegisterArgs, ctx: &Context<'_>) -> Result<()> {
    let RegisterArgs { host, name, out } = args;
    let mut creds = ctx.credentials()?;
    let host = match host {
        Some(host) => host,
        None => {
            crate::output::host_url(creds.turbine_host.as_deref().ok_or("give --host or set TURBINE_HOST")?)
                .map_err(|e| format!("TURBINE_HOST: {e}"))?
        }
    };
    let wallet = creds.wallet.clone().ok_or("TURBINE_PRIVATE_KEY is not set")?;
    check_writable(&out)?;
    let api = TurbineClient::new(&host).register_api_key(&wallet, name.as_deref())?;
    let kid = api.key_id.clone();
    creds.turbine_host = Some(host);
    creds.turbine_api = Some(api);
    if let Err(e) = creds.write_file(&out) {
        eprintln!(
            "signet: WARNING: API key {kid} was issued but {} could not be written ({e}).\n\
             signet: The credentials follow, once: save them now, the server will not show the key again.",
            out.display()
        );
        std::io::Write::write_all(&mut std::io::stdout(), &creds.to_file_text())?;
        return Err("credentials not written (printed above)".into());
    }
    ctx.output(
        &json!({ "api_key_id": kid.as_str(), "credentials": out }),
        &format!("registered API key {kid}; credentials written to {} (mode 600)", out.display()),
    );
    Ok(())
}

/// Fails unless a file can be created beside `path` (where the credentials will go).
fn check_writable(path: &std::path::Path) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => std::path::Path::new("."),
    };
    let probe = dir.join(format!(".signet-write-check-{}", std::process::id()));
    std::fs::write(&probe, b"").and_then(|()| std::fs::remove_file(&probe)).map_err(|e| {
        format!("cannot write the credentials to {} ({e}); nothing was registered", path.display())
    })?;
    if path.is_dir() {
        return Err(format!("{} is a folder; nothing was registered", path.display()).into());
    }
    Ok(())
}
