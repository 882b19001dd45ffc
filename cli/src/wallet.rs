//! `signet wallet …`: a wallet key, its address, `personal_sign` and recovery.

use clap::Subcommand;
use serde_json::json;
use std::path::PathBuf;

use clap::Args;
use signet_core::eth::{DerivationPath, EthSignature, Mnemonic, WalletKey, recover_address};
use signet_core::turbine::registration_message;
use signet_std::os_rng;
use signet_std::wallet::{NormalizedPassphrase, parse_mnemonic};

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
    /// The address of a BIP-39 mnemonic's account at m/44'/60'/0'/0/INDEX (MetaMask's and
    /// eth-account's), from words on stdin or in a file, never the command line.
    FromMnemonic {
        #[command(flatten)]
        words: MnemonicInput,
        /// The account index.
        #[arg(long, default_value_t = 0)]
        index: u32,
        /// Also print the account's private key (as TURBINE_PRIVATE_KEY).
        #[arg(long)]
        private_key: bool,
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
        WalletAction::FromMnemonic { words, index, private_key } => {
            let mnemonic = words.read()?;
            let passphrase = words.passphrase()?;
            let path = DerivationPath::ethereum(index)?;
            let key = WalletKey::from_seed(&mnemonic.to_seed(&passphrase.as_passphrase()?), &path)?;
            let address = key.address().to_string();
            let secret = private_key.then(|| format!("0x{}", hex_str(key.to_bytes().as_ref())));
            let mut text = format!("{address}  {path}");
            if let Some(secret) = &secret {
                text = format!("TURBINE_PRIVATE_KEY={secret}\n# address: {address} ({path})");
            }
            ctx.output(
                &json!({ "address": address, "path": path.to_string(), "private_key": secret }),
                &text,
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

/// Where a mnemonic and its passphrase come from: never the command line (`ps` shows argv).
#[derive(Args)]
pub struct MnemonicInput {
    /// Read the words from this file (default: stdin).
    #[arg(long, value_name = "FILE")]
    words_file: Option<PathBuf>,
    /// Ask for the passphrase on the terminal (default: SIGNET_PASSPHRASE, or none).
    #[arg(long)]
    ask_passphrase: bool,
}

impl MnemonicInput {
    /// The mnemonic, read and checked.
    pub fn read(&self) -> Result<Mnemonic> {
        let text = zeroize::Zeroizing::new(match &self.words_file {
            Some(path) => std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?,
            None => std::io::read_to_string(std::io::stdin())?,
        });
        Ok(parse_mnemonic(&text)?)
    }

    /// The passphrase, NFKD-normalised.
    pub fn passphrase(&self) -> Result<NormalizedPassphrase> {
        if self.ask_passphrase {
            let text = zeroize::Zeroizing::new(rpassword::prompt_password("BIP-39 passphrase: ")?);
            return Ok(NormalizedPassphrase::new(&text));
        }
        let text = zeroize::Zeroizing::new(std::env::var("SIGNET_PASSPHRASE").unwrap_or_default());
        Ok(NormalizedPassphrase::new(&text))
    }
}
