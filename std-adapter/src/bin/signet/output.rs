//! The smaller subcommands.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::{Value, json};
use signet_core::ed25519_dalek::VerifyingKey;
use signet_core::eth::{EthSignature, WalletKey, recover_address};
use signet_core::request_signing::SignedRequest;
use signet_core::{
    Clock, HmacKey, IssuedApiKey, KeyId, KeyRecord, KeyRing, NonceCache, UnixTime, Verifier,
    registration_message,
};
use signet_std::{
    BitzoomClient, Credentials, RedbRegistry, Secret, SystemClock, TurbineClient, os_rng, token_expires_in,
};

use crate::Command;

pub type Result<T> = core::result::Result<T, Box<dyn core::error::Error>>;

/// `signet keys …`
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

/// `signet wallet …`
#[derive(Subcommand)]
pub enum WalletAction {
    /// Create a new wallet key; prints its private key and address.
    New,
    /// The address of TURBINE_PRIVATE_KEY.
    Address,
    /// personal_sign a message with TURBINE_PRIVATE_KEY (default: the registration message).
    Sign {
        /// The message (default: "Register API key for Turbine: <address>").
        message: Option<String>,
    },
    /// Recover the address that signed a message.
    Recover {
        /// The message.
        message: String,
        /// The 0x-prefixed 65-byte signature.
        signature: String,
    },
}

/// `signet bitzoom …`
#[derive(Subcommand)]
pub enum BitzoomAction {
    /// Fetch a test token (GET /api/servermanage/testtoken?userid=ID).
    Token {
        /// The server.
        #[arg(long)]
        host: String,
        /// The user id.
        #[arg(long)]
        user: String,
    },
    /// A bearer GET with BITZOOM_API_TOKEN (or a test token for --user, refreshed as needed).
    Get {
        /// The path, e.g. /api/v1/balance.
        path: String,
        /// The server.
        #[arg(long)]
        host: String,
        /// Fetch and refresh test tokens for this user.
        #[arg(long)]
        user: Option<String>,
    },
    /// Print the X-BZ-* headers of a request signed with BITZOOM_API_KEY / BITZOOM_API_SECRET.
    Sign {
        /// HTTP method.
        #[arg(long, default_value = "GET")]
        method: String,
        /// Path.
        #[arg(long)]
        path: String,
        /// Raw query string, without `?`.
        #[arg(long, default_value = "")]
        query: String,
        /// Body.
        #[arg(long, default_value = "")]
        body: String,
        /// X-BZ-RECVWINDOW in ms (omitted if not given).
        #[arg(long)]
        recv_window: Option<u64>,
    },
}

pub fn credentials(file: Option<&Path>) -> Result<Credentials> {
    Ok(match file {
        Some(path) => Credentials::from_file(path)?,
        None => Credentials::from_env()?,
    })
}

/// Prints `value` as JSON, or `text` for people.
pub fn output(json_mode: bool, value: &Value, text: &str) {
    if json_mode {
        println!("{value}");
    } else {
        println!("{text}");
    }
}

pub fn hex_str(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs a command other than `demo` and `serve`.
pub fn run(command: Command, json_mode: bool, file: Option<&Path>) -> Result<ExitCode> {
    match command {
        Command::Token => {
            let api = credentials(file)?
                .turbine_api
                .ok_or("TURBINE_API_KEY_ID and TURBINE_API_PRIVATE_KEY are not set")?;
            println!("{}", TurbineClient::bearer(&api).trim_start_matches("Bearer "));
        }
        Command::Keys { action, data } => keys(action, &data, json_mode)?,
        Command::Verify(args) => return verify(args, json_mode),
        Command::Keygen => {
            let issued = IssuedApiKey::generate(&mut os_rng());
            let secret = issued.secret.to_hex();
            let secret = core::str::from_utf8(secret.as_ref())?;
            let public = hex_str(issued.secret.verifying_key().as_bytes());
            output(
                json_mode,
                &json!({ "api_key_id": issued.kid.as_str(), "api_private_key": secret, "public_key": public }),
                &format!(
                    "TURBINE_API_KEY_ID={}\nTURBINE_API_PRIVATE_KEY={secret}\n# public key: {public}",
                    issued.kid
                ),
            );
        }
        Command::Wallet { action } => wallet(action, json_mode, file)?,
        Command::Register { host, name, out } => {
            let mut creds = credentials(file)?;
            let host =
                host.or_else(|| creds.turbine_host.clone()).ok_or("give --host or set TURBINE_HOST")?;
            let wallet = creds.wallet.clone().ok_or("TURBINE_PRIVATE_KEY is not set")?;
            let api = TurbineClient::new(&host).register_api_key(&wallet, name.as_deref())?;
            let kid = api.key_id.clone();
            creds.turbine_host = Some(host);
            creds.turbine_api = Some(api);
            creds.write_file(&out)?;
            output(
                json_mode,
                &json!({ "api_key_id": kid.as_str(), "credentials": out }),
                &format!("registered API key {kid}; credentials written to {} (mode 600)", out.display()),
            );
        }
        Command::Bitzoom { action } => bitzoom(action, json_mode, file)?,
        Command::Device(args) => crate::device::run(args, json_mode, file)?,
        Command::Demo | Command::Serve { .. } => return Err("handled by main".into()),
    }
    Ok(ExitCode::SUCCESS)
}

fn keys(action: KeysAction, data: &Path, json_mode: bool) -> Result<()> {
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
            output(json_mode, &Value::from(rows), if text.is_empty() { "no keys" } else { &text });
        }
        KeysAction::Revoke { kid } => {
            let entry = registry.revoke(&kid_of(&kid)?)?;
            output(
                json_mode,
                &json!({ "api_key_id": kid, "status": "inactive" }),
                &format!("revoked {}", entry.kid),
            );
        }
        KeysAction::Expire { kid, at, never } => {
            let when = (!never).then(|| UnixTime(at.unwrap_or(SystemClock.now().0)));
            registry.set_expiry(&kid_of(&kid)?, when)?;
            output(
                json_mode,
                &json!({ "api_key_id": kid, "expires_at": when.map(|t| t.0) }),
                &when.map_or_else(|| format!("{kid} never expires"), |t| format!("{kid} expires at {t}")),
            );
        }
    }
    Ok(())
}

fn verify(args: VerifyArgs, json_mode: bool) -> Result<ExitCode> {
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
            let bytes: [u8; 32] =
                hex_decode(public)?.try_into().map_err(|_| "--public-key needs 32 bytes of hex")?;
            let mut ring = KeyRing::<1>::new();
            ring.insert(
                KeyId::new(kid).map_err(|e| e.to_string())?,
                KeyRecord::active(VerifyingKey::from_bytes(&bytes)?),
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
            output(
                json_mode,
                &json!({ "valid": true, "kid": claims.kid.as_str(), "ts": claims.ts.0, "n": claims.nonce.to_string() }),
                &format!("valid: kid={} ts={} n={}", claims.kid, claims.ts, claims.nonce),
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            output(
                json_mode,
                &json!({ "valid": false, "error": e.to_string(), "status": e.http_status() }),
                &format!("refused: {e}"),
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

fn hex_decode(text: &str) -> Result<Vec<u8>> {
    let digits = text.trim().trim_start_matches("0x");
    if digits.len() % 2 != 0 {
        return Err("odd number of hex digits".into());
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(digits.get(i..i + 2).unwrap_or("zz"), 16).map_err(Into::into))
        .collect()
}

fn wallet(action: WalletAction, json_mode: bool, file: Option<&Path>) -> Result<()> {
    let key = || -> Result<WalletKey> {
        credentials(file)?.wallet.ok_or_else(|| "TURBINE_PRIVATE_KEY is not set".into())
    };
    match action {
        WalletAction::New => {
            let wallet = WalletKey::generate(&mut os_rng());
            let private = format!("0x{}", hex_str(wallet.to_bytes().as_ref()));
            output(
                json_mode,
                &json!({ "private_key": private, "address": wallet.address().to_string() }),
                &format!("TURBINE_PRIVATE_KEY={private}\n# address: {}", wallet.address()),
            );
        }
        WalletAction::Address => {
            let address = key()?.address().to_string();
            output(json_mode, &json!({ "address": address }), &address);
        }
        WalletAction::Sign { message } => {
            let wallet = key()?;
            let message = match message {
                Some(m) => m,
                None => registration_message(&wallet.address().to_string())?.to_string(),
            };
            let signature = wallet.personal_sign(message.as_bytes()).to_hex().to_string();
            output(
                json_mode,
                &json!({ "address": wallet.address().to_string(), "message": message, "signature": signature }),
                &signature,
            );
        }
        WalletAction::Recover { message, signature } => {
            let address =
                recover_address(message.as_bytes(), &EthSignature::parse_hex(signature.as_bytes())?)?;
            output(json_mode, &json!({ "address": address.to_string() }), &address.to_string());
        }
    }
    Ok(())
}

fn bitzoom(action: BitzoomAction, json_mode: bool, file: Option<&Path>) -> Result<()> {
    match action {
        BitzoomAction::Token { host, user } => {
            let token = BitzoomClient::new(&host).fetch_test_token(&user)?;
            output(
                json_mode,
                &json!({ "token": token.expose(), "expires_in": token_expires_in(&token) }),
                token.expose(),
            );
        }
        BitzoomAction::Get { path, host, user } => {
            let mut client = BitzoomClient::new(&host);
            if let Some(token) = credentials(file)?.bitzoom_token {
                client = client.with_token(token);
            }
            if let Some(user) = &user {
                client = client.with_test_user(user);
            }
            let value = client.get(&path)?;
            output(json_mode, &value, &serde_json::to_string_pretty(&value)?);
        }
        BitzoomAction::Sign { method, path, query, body, recv_window } => {
            let creds = credentials(file)?;
            let api_key = creds.bitzoom_api_key.ok_or("BITZOOM_API_KEY is not set")?;
            let secret: Secret = creds.bitzoom_api_secret.ok_or("BITZOOM_API_SECRET is not set")?;
            let timestamp = SystemClock.now_ms().to_string();
            let nonce = signet_core::Nonce::generate(&mut os_rng()).to_string();
            let window = recv_window.map(|w| w.to_string()).unwrap_or_default();
            let request = SignedRequest {
                timestamp: &timestamp,
                nonce: &nonce,
                recv_window: &window,
                method: &method,
                path: &path,
                query: &query,
                body: body.as_bytes(),
            };
            let signature = request.sign(&HmacKey::new(secret.expose().as_bytes()))?.to_hex().to_string();
            let mut headers = vec![
                ("X-BZ-APIKEY", api_key),
                ("X-BZ-TIMESTAMP", timestamp),
                ("X-BZ-NONCE", nonce),
                ("X-BZ-SIGNATURE", signature),
            ];
            if !window.is_empty() {
                headers.push(("X-BZ-RECVWINDOW", window));
            }
            let value: Value = headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::from(v.as_str())))
                .collect::<serde_json::Map<_, _>>()
                .into();
            let text = headers.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n");
            output(json_mode, &value, &text);
        }
    }
    Ok(())
}
