//! `signet permit`, `signet approve`, `signet redeem`: the current SDK's relayer calls for curl
//! users, signed with the wallet key (TURBINE_PRIVATE_KEY) or on a signing device (`--device
//! PORT`), which shows each message and asks for a press (two for a dangerous one).

use core::time::Duration;
use std::path::PathBuf;

use clap::Args;
use serde_json::json;
use signet_core::eth::{Address, EthSignature, U256, WalletKey};
use signet_core::turbine::order::DEFAULT_CHAIN_ID;
use signet_core::turbine::permit::{ChainContracts, IndexSets, MessageSigner, TypedMessage};
use signet_std::device::{DEFAULT_DEVICE_TIMEOUT, DeviceToken, SerialDevice, open_serial};
use signet_std::turbine::{RelayerAnswer, RelayerAuth};
use signet_std::{ClientError, SignerError, TurbineApiKey, TurbineClient};

use crate::output::{Context, Result};

/// Where the server is, whose key posts, and who signs.
#[derive(Args)]
pub struct Common {
    /// The server (default: TURBINE_HOST).
    #[arg(long, value_parser = crate::output::host_url)]
    host: Option<String>,
    /// The chain (137 Polygon, 84532 Base Sepolia, 43114 Avalanche).
    #[arg(long = "chain-id", env = "SIGNET_CHAIN_ID", default_value_t = DEFAULT_CHAIN_ID)]
    chain_id: u64,
    /// Sign on the signing device on this serial port instead of with TURBINE_PRIVATE_KEY.
    #[arg(long, value_name = "PORT")]
    device: Option<PathBuf>,
    /// Seconds the device may take (it waits 30 s for each press).
    #[arg(long, default_value_t = DEFAULT_DEVICE_TIMEOUT.as_secs())]
    device_timeout: u64,
}

/// `signet permit`: a USDC permit (EIP-2612) for the chain's settlement contract, posted to
/// /api/v1/relayer/usdc-permit (the SDK's approve_usdc / approve_usdc_for_settlement), or with
/// --for-order printed as the permitSignature an order carries.
#[derive(Args)]
pub struct PermitArgs {
    #[command(flatten)]
    common: Common,
    /// USDC, e.g. 25 or 12.5 (6 decimals), or `unlimited` (2^256 - 1: the spender may take
    /// everything, for ever: a device warns).
    #[arg(long, value_parser = parse_amount)]
    value: U256,
    /// Unix seconds, or `never` (default: in one hour).
    #[arg(long, value_parser = parse_deadline)]
    deadline: Option<U256>,
    /// Print the signed permit (nonce, value, deadline, v, r, s) instead of posting it.
    #[arg(long)]
    for_order: bool,
}

/// `signet approve`: let the chain's settlement contract move every outcome token of the wallet
/// (SetApprovalForAll), posted to /api/v1/relayer/ctf-approval.
#[derive(Args)]
pub struct ApproveArgs {
    #[command(flatten)]
    common: Common,
    /// Take the approval back instead.
    #[arg(long)]
    revoke: bool,
    /// Unix seconds (default: in one hour).
    #[arg(long, value_parser = parse_deadline)]
    deadline: Option<U256>,
}

/// `signet redeem`: redeem resolved positions for USDC (RedeemPositions), posted to
/// /api/v1/relayer/ctf-redemption.
#[derive(Args)]
pub struct RedeemArgs {
    #[command(flatten)]
    common: Common,
    /// The market's condition id (0x and 64 hex digits).
    #[arg(long, value_parser = parse_bytes32)]
    condition: [u8; 32],
    /// Index sets, comma-separated (at most 8): 1 for YES, 2 for NO.
    #[arg(long, value_delimiter = ',', value_parser = |t: &str| U256::parse_decimal(t.as_bytes()).ok_or("a decimal number"), required = true)]
    index_sets: Vec<U256>,
    /// The market contract (for the relayer's records).
    #[arg(long)]
    market: Option<Address>,
}

/// Which call.
pub enum Call {
    /// `signet permit`.
    Permit(PermitArgs),
    /// `signet approve`.
    Approve(ApproveArgs),
    /// `signet redeem`.
    Redeem(RedeemArgs),
}

/// USDC with at most six decimals, or `unlimited`.
fn parse_amount(text: &str) -> core::result::Result<U256, String> {
    if text.eq_ignore_ascii_case("unlimited") {
        return Ok(U256::MAX);
    }
    crate::order::parse_decimal(text).map(U256::from_u128)
}

fn parse_deadline(text: &str) -> core::result::Result<U256, String> {
    if text.eq_ignore_ascii_case("never") {
        return Ok(U256::MAX);
    }
    U256::parse_decimal(text.as_bytes()).ok_or_else(|| format!("{text:?} is not Unix seconds or `never`"))
}

fn parse_bytes32(text: &str) -> core::result::Result<[u8; 32], String> {
    let mut out = [0u8; 32];
    let digits = text.strip_prefix("0x").ok_or("0x and 64 hex digits")?;
    hex::decode_to_slice(digits, &mut out).map_err(|_| "0x and 64 hex digits".to_owned())?;
    Ok(out)
}

/// The wallet in this process, or a device.
enum Signer {
    Wallet(Box<WalletKey>),
    Device(Box<SerialDevice>),
}

impl MessageSigner for Signer {
    type Error = SignerError;

    fn owner(&mut self) -> core::result::Result<Address, SignerError> {
        match self {
            Signer::Wallet(wallet) => Ok(wallet.address()),
            Signer::Device(device) => MessageSigner::owner(device.as_mut()).map_err(Into::into),
        }
    }

    fn sign_message(
        &mut self,
        chain: &ChainContracts,
        message: &TypedMessage,
    ) -> core::result::Result<EthSignature, SignerError> {
        match self {
            Signer::Wallet(wallet) => message.sign(chain, wallet).map_err(Into::into),
            Signer::Device(device) => {
                MessageSigner::sign_message(device.as_mut(), chain, message).map_err(Into::into)
            }
        }
    }
}

fn answer_text(what: &str, answer: &RelayerAnswer) -> String {
    let tx = answer
        .tx_hash
        .as_deref()
        .map_or_else(|| "no transaction: signet serve submits nothing".to_owned(), |t| format!("tx {t}"));
    let nonce =
        answer.message.as_ref().and_then(|m| m["nonce"].as_str().map(str::to_owned)).unwrap_or_default();
    format!("{what} accepted ({}), nonce {nonce}; {tx}", answer.status.as_deref().unwrap_or("ok"))
}

fn signer(common: &Common, wallet: Option<&WalletKey>) -> Result<Signer> {
    Ok(match &common.device {
        Some(port) => Signer::Device(Box::new(open_serial(
            &port.to_string_lossy(),
            115_200,
            Duration::from_secs(common.device_timeout.max(1)),
        )?)),
        None => Signer::Wallet(Box::new(
            wallet.cloned().ok_or("TURBINE_PRIVATE_KEY is not set (or give --device)")?,
        )),
    })
}

/// The API key in the environment, or else the device's own (installed by `signet device
/// register`), which mints the token once it has signed.
struct Auth(Option<TurbineApiKey>);

impl RelayerAuth<Signer> for Auth {
    fn authorization(&mut self, signer: &mut Signer) -> core::result::Result<String, ClientError> {
        match (&self.0, signer) {
            (Some(key), signer) => {
                let mut key = key;
                key.authorization(signer)
            }
            (None, Signer::Device(device)) => DeviceToken.authorization(device),
            (None, Signer::Wallet(_)) => Err(ClientError::NotConfigured(
                "TURBINE_API_KEY_ID and TURBINE_API_PRIVATE_KEY (or --device)",
            )),
        }
    }
}

/// Runs `signet permit|approve|redeem`.
pub fn run(call: Call, ctx: &Context<'_>) -> Result<()> {
    let creds = ctx.credentials()?;
    let common = match &call {
        Call::Permit(a) => &a.common,
        Call::Approve(a) => &a.common,
        Call::Redeem(a) => &a.common,
    };
    let host = match &common.host {
        Some(host) => host.clone(),
        None => {
            crate::output::host_url(creds.turbine_host.as_deref().ok_or("give --host or set TURBINE_HOST")?)
                .map_err(|e| format!("TURBINE_HOST: {e}"))?
        }
    };
    let client = TurbineClient::new(&host).with_chain_id(common.chain_id);
    let mut signer = signer(common, creds.wallet.as_ref())?;
    let auth = || Auth(creds.turbine_api.clone());
    let show = |what: &str, answer: &RelayerAnswer| {
        ctx.output(
            &json!({ "status": answer.status, "txHash": answer.tx_hash, "message": answer.message }),
            &answer_text(what, answer),
        );
    };
    match call {
        Call::Permit(PermitArgs { value, deadline, for_order: true, .. }) => {
            let permit = client.sign_usdc_permit(&mut signer, value, deadline)?;
            let bytes = permit.signature.to_bytes();
            let (rs, v) = bytes.split_at(64);
            let (r, s) = rs.split_at(32);
            let body = json!({
                "nonce": permit.nonce.to_string(),
                "value": permit.value.to_string(),
                "deadline": permit.deadline.to_string(),
                "v": v.first().copied().unwrap_or_default(),
                "r": format!("0x{}", hex::encode(r)),
                "s": format!("0x{}", hex::encode(s)),
            });
            ctx.output(&body, &body.to_string());
        }
        Call::Permit(PermitArgs { value, deadline, .. }) => {
            show("permit", &client.approve_usdc(auth(), &mut signer, value, deadline)?);
        }
        Call::Approve(ApproveArgs { revoke, deadline, .. }) => {
            let answer = client.approve_ctf(auth(), &mut signer, !revoke, deadline)?;
            show(if revoke { "revocation" } else { "approval" }, &answer);
        }
        Call::Redeem(RedeemArgs { condition, index_sets, market, .. }) => {
            let mut sets = IndexSets::new();
            for set in index_sets {
                sets.push(set).map_err(|_| "at most 8 --index-sets")?;
            }
            show("redemption", &client.redeem(auth(), &mut signer, condition, sets, market)?);
        }
    }
    Ok(())
}
