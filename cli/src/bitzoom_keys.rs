//! `signet bitzoom keys …`: Bitzoom HMAC keys in the key store, through a running server's
//! admin socket (redb in the data folder), straight in the redb file, or in PostgreSQL.

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use crate::output::{Context, Result};

/// `signet bitzoom keys …`
#[derive(Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    action: KeysAction,
    #[command(flatten)]
    store: crate::keys::StoreArgs,
}

#[derive(Subcommand)]
enum KeysAction {
    /// A new key: its id and secret are printed once (the secret is never taken from the
    /// command line, and cannot be shown again).
    Create {
        /// The account it belongs to (at most 20 keys each, revoked ones not counted).
        #[arg(long)]
        account: String,
        /// READ, TRADE and/or WALLET, comma-separated.
        #[arg(long, default_value = "READ")]
        permissions: String,
        /// An address or CIDR network it may be used from; repeatable (none: any).
        #[arg(long = "allow-ip")]
        allow_ip: Vec<String>,
        /// A name for people.
        #[arg(long)]
        label: Option<String>,
    },
    /// Every key (no secrets).
    List {
        /// Only this account's.
        #[arg(long)]
        account: Option<String>,
    },
    /// Refuse a key until it is enabled again.
    Disable {
        /// The API key.
        api_key: String,
    },
    /// Accept a disabled key again.
    Enable {
        /// The API key.
        api_key: String,
    },
    /// Refuse a key for good.
    Revoke {
        /// The API key.
        api_key: String,
    },
}

impl KeysAction {
    fn request(&self) -> Value {
        let status = |api_key: &str, status: &str| json!({ "op": "bitzoom_status", "api_key": api_key, "status": status });
        match self {
            KeysAction::Create { account, permissions, allow_ip, label } => json!({
                "op": "bitzoom_create", "account": account, "permissions": permissions,
                "allowed_ips": allow_ip, "label": label,
            }),
            KeysAction::List { account } => json!({ "op": "bitzoom_list", "account": account }),
            KeysAction::Disable { api_key } => status(api_key, "disabled"),
            KeysAction::Enable { api_key } => status(api_key, "active"),
            KeysAction::Revoke { api_key } => status(api_key, "revoked"),
        }
    }
}

/// Runs `signet bitzoom keys`.
pub fn run(args: KeysArgs, ctx: &Context<'_>) -> Result<()> {
    let answer = args.store.request(&args.action.request())?;
    if answer.get("ok") != Some(&Value::Bool(true)) {
        return Err(answer.get("error").and_then(Value::as_str).unwrap_or("refused").to_owned().into());
    }
    let line = |k: &Value| {
        let field =
            |n: &str| k.get(n).map(|v| v.to_string().trim_matches('"').to_owned()).unwrap_or_default();
        format!(
            "{}  {}  {}  {}  allow {}  {}",
            field("apiKey"),
            field("account"),
            field("status"),
            field("permissions"),
            field("allowedIps"),
            field("label")
        )
    };
    match &args.action {
        KeysAction::List { .. } => {
            let keys = answer.get("keys").cloned().unwrap_or_default();
            let text = keys
                .as_array()
                .map(|ks| ks.iter().map(line).collect::<Vec<_>>().join("\n"))
                .unwrap_or_default();
            ctx.output(&keys, if text.is_empty() { "no keys" } else { &text });
        }
        KeysAction::Create { .. } => {
            let key = answer.get("key").cloned().unwrap_or_default();
            let field = |n: &str| key.get(n).and_then(Value::as_str).unwrap_or_default().to_owned();
            ctx.output(
                &key,
                &format!(
                    "BITZOOM_API_KEY={}\nBITZOOM_API_SECRET={}\n# shown once: store it now ({}; {})",
                    field("apiKey"),
                    field("secret"),
                    field("permissions"),
                    field("account")
                ),
            );
        }
        _ => {
            let key = answer.get("key").cloned().unwrap_or_default();
            ctx.output(&key, &line(&key));
        }
    }
    Ok(())
}
