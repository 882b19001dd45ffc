//! `signet keys …`: list, revoke and expire registered keys, while the server runs or not:
//! through a running server's admin socket (redb in the data folder), straight in the redb
//! file (no server), or in PostgreSQL (`--key-store postgres://…`, shared by every instance).

use core::time::Duration;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::{Value, json};
use signet_core::turbine::KeyId;
use signet_core::{Clock, UnixTime};
use signet_server::VerifierService;
use signet_server::serve::{SecretsOptions, StoreCreation, admin, open_registry};
use signet_std::Secret;
use signet_std::SystemClock;

use crate::output::{Context, Result};

/// `signet keys …`
#[derive(Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    action: KeysAction,
    #[command(flatten)]
    store: StoreArgs,
}

/// Where the keys are: the flags `signet keys` and `signet bitzoom keys` share.
#[derive(Args)]
pub struct StoreArgs {
    /// Folder of the key registry (and of a running server's admin socket).
    #[arg(long, env = "SIGNET_DATA", default_value = "signet-data", global = true)]
    data: PathBuf,
    /// The key store, as `signet serve --key-store` takes it (`postgres://…` for a shared one).
    #[arg(
        long = "key-store",
        env = "SIGNET_KEY_STORE",
        default_value = "redb:",
        hide_env_values = true,
        hide_default_value = true,
        global = true
    )]
    key_store: String,
    /// The file of the key Bitzoom secrets are sealed with (default: secrets.key in the data
    /// folder, made on first use). SIGNET_SECRETS_KEY (64 hex digits) overrides it.
    #[arg(long, env = "SIGNET_SECRETS_KEY_FILE", global = true)]
    secrets_key_file: Option<PathBuf>,
    /// During a rotation, the file of the key being replaced (SIGNET_PREVIOUS_SECRETS_KEY, 64
    /// hex digits, also works): secrets it sealed are resealed with the current key.
    #[arg(long, env = "SIGNET_PREVIOUS_SECRETS_KEY_FILE", global = true)]
    previous_secrets_key_file: Option<PathBuf>,
}

/// The secrets key options: the files from flags, the keys themselves only from the
/// environment (never the command line, which other users can read).
///
/// # Errors
/// If a key variable is not UTF-8.
pub fn secrets_options(
    key_file: Option<PathBuf>,
    previous_key_file: Option<PathBuf>,
) -> Result<SecretsOptions> {
    let var = |name: &str| -> Result<Option<Secret>> {
        match std::env::var(name) {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(format!("{name} is not UTF-8").into()),
        }
    };
    Ok(SecretsOptions {
        key: var("SIGNET_SECRETS_KEY")?,
        key_file,
        previous_key: var("SIGNET_PREVIOUS_SECRETS_KEY")?,
        previous_key_file,
        create_key_file: true,
    })
}

impl StoreArgs {
    /// Answers an admin request: through the admin socket of a server running on the data
    /// folder (it holds the redb file), else against the key store directly.
    pub fn request(&self, request: &Value) -> Result<Value> {
        // Only a server makes the secrets key: a command without one can still manage Turbine
        // keys, and is told it needs the key for Bitzoom ones.
        let secrets = SecretsOptions {
            create_key_file: false,
            ..secrets_options(self.secrets_key_file.clone(), self.previous_secrets_key_file.clone())?
        };
        admin_request(&self.data, &self.key_store, &secrets, request)
    }
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

impl KeysAction {
    /// The admin request for this action.
    fn request(&self) -> Result<Value> {
        let kid_of = |kid: &str| KeyId::new(kid).map(|_| kid.to_owned()).map_err(|e| format!("{kid:?}: {e}"));
        Ok(match self {
            KeysAction::List => json!({ "op": "list" }),
            KeysAction::Revoke { kid } => json!({ "op": "revoke", "kid": kid_of(kid)? }),
            KeysAction::Expire { kid, at, never } => {
                let when = (!never).then(|| at.unwrap_or(SystemClock.now().0));
                json!({ "op": "expire", "kid": kid_of(kid)?, "at": when })
            }
        })
    }
}

/// Runs `signet keys`.
pub fn run(args: KeysArgs, ctx: &Context<'_>) -> Result<()> {
    let request = args.action.request()?;
    let answer = args.store.request(&request)?;
    show(&args.action, &answer, ctx)
}

fn admin_request(
    data: &std::path::Path,
    key_store: &str,
    secrets: &SecretsOptions,
    request: &Value,
) -> Result<Value> {
    let is_redb_in_data = key_store == "redb:";
    match is_redb_in_data.then(|| admin::call(data, request)).flatten() {
        Some(answer) => {
            Ok(answer.map_err(|e| format!("admin socket {}: {e}", admin::socket_path(data).display()))?)
        }
        None => {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(async {
                // Checked, never made: a command does not create a server's folder.
                if data.exists() {
                    signet_server::serve::data_dir::prepare(data, false)?;
                }
                let registry =
                    open_registry(key_store, data, Duration::from_secs(5), secrets, StoreCreation::Existing)
                        .await?;
                let service = VerifierService::new(registry);
                Ok(admin::handle(&service, request).await)
            })
        }
    }
}

fn show(action: &KeysAction, answer: &Value, ctx: &Context<'_>) -> Result<()> {
    if answer.get("ok") != Some(&Value::Bool(true)) {
        return Err(answer.get("error").and_then(Value::as_str).unwrap_or("refused").to_owned().into());
    }
    let field =
        |v: &Value, name: &str| v.get(name).map(|f| f.to_string().replace('"', "")).unwrap_or_default();
    match action {
        KeysAction::List => {
            let rows = answer.get("keys").cloned().unwrap_or_default();
            let text = rows
                .as_array()
                .map(|rows| {
                    rows.iter()
                        .map(|r| {
                            let [kid, status, wallet, name] =
                                ["api_key_id", "status", "wallet", "name"].map(|n| field(r, n));
                            format!("{kid}  {status}  {wallet}  {name}")
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default();
            ctx.output(&rows, if text.is_empty() { "no keys" } else { &text });
        }
        KeysAction::Revoke { kid } => {
            ctx.output(&json!({ "api_key_id": kid, "status": "inactive" }), &format!("revoked {kid}"));
        }
        KeysAction::Expire { kid, .. } => {
            let key = answer.get("key").cloned().unwrap_or_default();
            let when = key.get("expires_at").and_then(Value::as_i64).map(UnixTime);
            ctx.output(
                &json!({ "api_key_id": kid, "expires_at": when.map(|t| t.0) }),
                &when.map_or_else(|| format!("{kid} never expires"), |t| format!("{kid} expires at {t}")),
            );
        }
    }
    Ok(())
}
