//! `signet keys …`: list, revoke and expire the keys of a local registry.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::{Value, json};
use signet_core::{Clock, KeyId, UnixTime};
use signet_std::{RedbRegistry, SystemClock};

use crate::output::{Context, Result};

/// `signet keys …`
#[derive(Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    action: KeysAction,
    /// Folder of the key registry.
    #[arg(long, default_value = "signet-data", global = true)]
    data: PathBuf,
}

#[derive(Subcommand)]
pub enum KeysAction {
    /// List every key.
    List,
    /// Revoke a key: its tokens are refused with "API key is inactive".
    Revoke {
        /// The key id.
        kid: String,
    },
    /// Set a key's expiry: from then its tokens are refused with "API key has expired".
    Expire {
        /// The key id.
        kid: String,
        /// Unix time of expiry (default: now).
        #[arg(long)]
        at: Option<i64>,
        /// Remove the expiry instead.
        #[arg(long, conflicts_with = "at")]
        never: bool,
    },
}

/// Runs `signet keys`.
pub fn run(args: KeysArgs, ctx: &Context<'_>) -> Result<()> {
    keys(args.action, &args.data, ctx)
}

fn keys(action: KeysAction, data: &Path, ctx: &Context<'_>) -> Result<()> {
    let registry = RedbRegistry::open(&data.join("keys.redb"))?;
    let kid_of = |kid: &str| KeyId::new(kid).map_err(|e| format!("{kid:?}: {e}"));
    match action {
        KeysAction::List => {
            let now = SystemClock.now();
            let entries = registry.list()?;
            let rows: Vec<Value> = entries
                .iter()
                .map(|e| {
                    json!({
                        "api_key_id": e.kid.as_str(),
                        "wallet": e.wallet.to_string(),
                        "status": if e.is_usable(now) { "active" } else if e.record.status == signet_core::KeyStatus::Inactive { "inactive" } else { "expired" },
                        "expires_at": e.record.expires_at.map(|t| t.0),
                        "created_at": e.created_at.0,
                        "name": e.name,
                    })
                })
                .collect();
            let text = rows
                .iter()
                .map(|r| {
                    format!("{}  {}  {}  {}", r["api_key_id"], r["status"], r["wallet"], r["name"])
                        .replace('"', "")
                })
                .collect::<Vec<_>>()
                .join("\n");
            ctx.output(&Value::from(rows), if text.is_empty() { "no keys" } else { &text });
        }
        KeysAction::Revoke { kid } => {
            let entry = registry.revoke(&kid_of(&kid)?)?;
            ctx.output(
                &json!({ "api_key_id": kid, "status": "inactive" }),
                &format!("revoked {}", entry.kid),
            );
        }
        KeysAction::Expire { kid, at, never } => {
            let when = (!never).then(|| UnixTime(at.unwrap_or(SystemClock.now().0)));
            registry.set_expiry(&kid_of(&kid)?, when)?;
            ctx.output(
                &json!({ "api_key_id": kid, "expires_at": when.map(|t| t.0) }),
                &when.map_or_else(|| format!("{kid} never expires"), |t| format!("{kid} expires at {t}")),
            );
        }
    }
    Ok(())
}
