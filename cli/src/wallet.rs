//! `signet wallet …`: a wallet key, its address, `personal_sign` and recovery.

use clap::Subcommand;
use serde_json::json;
use signet_core::eth::{EthSignature, WalletKey, recover_address};
use signet_core::turbine::registration_message;
use signet_std::os_rng;

use crate::output::{Context, Result, hex_str};

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

/// Runs `signet wallet`.
pub fn run(action: WalletAction, ctx: &Context<'_>) -> Result<()> {
    let key = || -> Result<WalletKey> {
        ctx.credentials()?.wallet.ok_or_else(|| "TURBINE_PRIVATE_KEY is not set".into())
    };
    match action {
        WalletAction::New => {
            let wallet = WalletKey::generate(&mut os_rng());
            let private = format!("0x{}", hex_str(wallet.to_bytes().as_ref()));
            ctx.output(
                &json!({ "private_key": private, "address": wallet.address().to_string() }),
                &format!("TURBINE_PRIVATE_KEY={private}\n# address: {}", wallet.address()),
            );
        }
        WalletAction::Address => {
            let address = key()?.address().to_string();
            ctx.output(&json!({ "address": address }), &address);
        }
        WalletAction::Sign { message } => {
            let wallet = key()?;
            let message = match message {
                Some(m) => m,
                None => registration_message(&wallet.address().to_string())?.to_string(),
            };
            let signature = wallet.personal_sign(message.as_bytes()).to_hex().to_string();
            ctx.output(
                &json!({ "address": wallet.address().to_string(), "message": message, "signature": signature }),
                &signature,
            );
        }
        WalletAction::Recover { message, signature } => {
            let address =
                recover_address(message.as_bytes(), &EthSignature::parse_hex(signature.as_bytes())?)?;
            ctx.output(&json!({ "address": address.to_string() }), &address.to_string());
        }
    }
    Ok(())
}
