//! `signet device …`: a hardware signing device on a serial port.

use core::time::Duration;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::json;
use signet_core::Clock;
use signet_core::eth::Address;
use signet_core::link::DeviceError;
use signet_std::device::{DeviceClientError, open_serial};
use signet_std::{ClientError, SystemClock, TurbineClient};

use crate::device_pin::{self, PinAction};
use crate::order::{ChainArgs, OrderSpec, body_json, summary};
use crate::output::{Context, Result, hex_str};

/// `signet device …`
#[derive(Args)]
pub struct DeviceArgs {
    #[command(subcommand)]
    action: DeviceAction,
    /// The device's serial port, e.g. /dev/ttyACM0.
    #[arg(long, global = true, default_value = "/dev/ttyACM0")]
    port: PathBuf,
    /// Serial speed.
    #[arg(long, global = true, default_value_t = 115_200)]
    baud: u32,
    /// Seconds to wait for an answer; longer than the device's button timeout (30 s).
    #[arg(long, global = true, default_value_t = 40)]
    timeout: u64,
}

#[derive(Subcommand)]
enum DeviceAction {
    /// The device's wallet (address, derivation path, how it was made, whether its backup was
    /// confirmed) and API key.
    Info,
    /// Make a wallet on the device: it shows its words a few at a time (write them down, press
    /// after each screen), then asks two of them back (press when the right word shows).
    Init {
        /// 12, 15, 18, 21 or 24 words.
        #[arg(long, default_value_t = 24)]
        words: u8,
        /// Make the wallet without a PIN (the device states what that means and asks a press);
        /// otherwise a device without a PIN gets one first.
        #[arg(long)]
        no_pin: bool,
    },
    /// Restore a wallet on the device from its words (stdin or --words-file, never the command
    /// line) and passphrase (SIGNET_PASSPHRASE or --ask-passphrase). Less safe than making one
    /// on the device: this computer sees the words. The device asks for a press.
    Restore {
        #[command(flatten)]
        words: crate::wallet::MnemonicInput,
        /// Restore without a PIN (the device states what that means and asks a press);
        /// otherwise a device without a PIN gets one first (positions from the terminal).
        #[arg(long)]
        no_pin: bool,
    },
    /// Unlock the device with its PIN: it shows a scrambled grid of digits; type the positions
    /// of your PIN's digits (never echoed). The 16th wrong PIN in a row wipes the device.
    Unlock,
    /// Set, change or remove (nothing, twice) the device's PIN: the current PIN first, then the
    /// new one twice, each on a fresh grid, then a press.
    ChangePin,
    /// Set or remove (nothing, twice) a wipe code: entered instead of the PIN, it wipes the
    /// device.
    WipeCode,
    /// Lock the device now.
    Lock,
    /// Lock the unlocked device after this many idle seconds (0: never).
    AutoLock {
        /// Idle seconds.
        secs: u32,
    },
    /// Erase the device's wallet, API key and state (two presses on the device).
    Wipe,
    /// A fresh Turbine token minted by the device (the token only).
    Token,
    /// Set the device's clock to this computer's.
    SetTime,
    /// Have the device sign the registration message (press its button); with --host (or
    /// TURBINE_HOST) register it with Turbine and install the issued key on the device (press
    /// again), else print the address and signature.
    Register {
        /// The Turbine server.
        #[arg(long, value_parser = crate::output::host_url)]
        host: Option<String>,
        /// A friendly name for the key.
        #[arg(long)]
        name: Option<String>,
    },
    /// Have the device sign an order for its wallet: it shows the order and waits for its
    /// button. Prints the SDK's body; with --host (or TURBINE_HOST) posts it with a token the
    /// device mints, signed in the market's domain as the server states it.
    SignOrder {
        #[command(flatten)]
        spec: OrderSpec,
        #[command(flatten)]
        chain: ChainArgs,
        /// Post the order to this Turbine server.
        #[arg(long, value_parser = crate::output::host_url)]
        host: Option<String>,
    },
}

/// Runs `signet device`.
pub fn run(args: DeviceArgs, ctx: &Context<'_>) -> Result<()> {
    let mut device = open_serial(&args.port.to_string_lossy(), args.baud, Duration::from_secs(args.timeout))
        .map_err(|e| format!("{}: {e}", args.port.display()))?;
    match args.action {
        DeviceAction::Unlock => return device_pin::run(&mut device, PinAction::Unlock, ctx),
        DeviceAction::ChangePin => return device_pin::run(&mut device, PinAction::ChangePin, ctx),
        DeviceAction::WipeCode => return device_pin::run(&mut device, PinAction::WipeCode, ctx),
        DeviceAction::Lock => return device_pin::run(&mut device, PinAction::Lock, ctx),
        DeviceAction::AutoLock { secs } => {
            return device_pin::run(&mut device, PinAction::AutoLock(secs), ctx);
        }
        DeviceAction::Info => {
            let status = device.wallet_info()?;
            // Firmware that predates PINs does not know the request.
            let pin = device.pin_status().ok();
            let (kid, public_key) = match &status.api_key {
                Some((kid, key)) => (Some(kid.as_str()), Some(hex_str(key))),
                None => (None, None),
            };
            let wallet = status.wallet.as_ref();
            let address = wallet.map(|w| Address::from_bytes(w.address).to_checksummed().to_string());
            let origin = wallet.map(|w| format!("{:?}", w.origin).to_lowercase());
            let mut text = match wallet {
                Some(w) => format!(
                    "address: {}\npath: {}\nwallet: {}, backup {}",
                    address.as_deref().unwrap_or_default(),
                    if w.path.is_empty() { "(provisioned key)" } else { w.path.as_str() },
                    origin.as_deref().unwrap_or_default(),
                    if w.backup_confirmed { "confirmed" } else { "NOT confirmed: run `signet device init`" }
                ),
                None => "no wallet: run `signet device init` (or `signet device restore`)".to_owned(),
            };
            text.push_str(&match (kid, &public_key) {
                (Some(kid), Some(key)) => format!("\napi key id: {kid}\npublic key: {key}"),
                _ => "\napi key: none installed".to_owned(),
            });
            if let Some(pin) = &pin {
                text.push('\n');
                text.push_str(&device_pin::describe(pin));
            }
            ctx.output(
                &json!({
                    "address": address,
                    "path": wallet.map(|w| w.path.as_str()),
                    "origin": origin,
                    "backup_confirmed": wallet.map(|w| w.backup_confirmed),
                    "api_key_id": kid,
                    "public_key": public_key,
                    "pin": pin.as_ref().map(device_pin::status_json),
                }),
                &text,
            );
        }
        DeviceAction::Init { words, no_pin } => {
            set_pin_first(&mut device, no_pin)?;
            eprintln!(
                "the device shows the wallet's words a few at a time: write them down, in order, and \
                 press its button after each screen; then it asks two of them back: press when the \
                 right word shows"
            );
            let address = device.init_wallet(words)?.to_checksummed();
            ctx.output(
                &json!({ "address": address.as_str() }),
                &format!("wallet {address} made on the device; backup confirmed"),
            );
        }
        DeviceAction::Restore { words, no_pin } => {
            let mnemonic = words.read()?;
            let passphrase = words.passphrase()?;
            set_pin_first(&mut device, no_pin)?;
            eprintln!(
                "this computer sees the words: making the wallet on the device (`signet device init`) is safer"
            );
            eprintln!("check the address on the device's display and press its button to accept");
            let address = device.restore_wallet(&mnemonic, &passphrase.as_passphrase()?)?.to_checksummed();
            ctx.output(
                &json!({ "address": address.as_str() }),
                &format!("wallet {address} restored on the device"),
            );
        }
        DeviceAction::Wipe => {
            eprintln!("press the device's button twice to erase its wallet, API key and state");
            device.wipe()?;
            ctx.output(&json!({ "wiped": true }), "the device is wiped");
        }
        DeviceAction::Token => {
            let token = device.mint_token().map_err(|e| match e {
                DeviceClientError::Device(DeviceError::Clock) => {
                    format!("{e} (set it with `signet device set-time`)").into()
                }
                e => Box::<dyn core::error::Error>::from(e),
            })?;
            ctx.output(&json!({ "token": token }), &token);
        }
        DeviceAction::SetTime => {
            eprintln!("moving the device clock by more than 300 s in all needs a press on the device");
            let now = SystemClock.now();
            device.set_time(now)?;
            ctx.output(&json!({ "time": now.0 }), &format!("device clock set to {now}"));
        }
        DeviceAction::Register { host, name } => {
            eprintln!("press the button on the device to sign the registration");
            let request = device.sign_registration()?;
            let address = request.address.to_checksummed();
            let signature = request.signature.to_hex();
            let host = match host {
                Some(host) => Some(host),
                None => ctx.credentials().ok().and_then(|c| c.turbine_host),
            };
            let Some(host) = host else {
                let text = format!("address: {address}\nsignature: {signature}");
                ctx.output(&json!({ "address": address.as_str(), "signature": signature.as_str() }), &text);
                return Ok(());
            };
            let client = TurbineClient::new(&host);
            let api_key = match client.register_signed(&request, name.as_deref()) {
                Err(ClientError::RegisteredBefore) => {
                    // The wallet had a key before: the server wants the timestamped message.
                    let now = SystemClock.now();
                    eprintln!(
                        "the wallet registered before: check the time on the device and press again ({})",
                        now.utc()
                    );
                    let request = device.sign_reregistration(now)?;
                    client.register_timestamped(&request, now, name.as_deref())?
                }
                other => other?,
            };
            eprintln!("registered as {}; press the button again to install the key", api_key.key_id);
            device.install_api_key(&api_key)?;
            let kid = api_key.key_id.as_str();
            ctx.output(
                &json!({ "address": address.as_str(), "api_key_id": kid }),
                &format!("registered API key {kid} for {address}; installed on the device"),
            );
        }
        DeviceAction::SignOrder { spec, chain, host } => {
            let host = host.or_else(|| ctx.credentials().ok().and_then(|c| c.turbine_host));
            let client = host.as_deref().map(|h| TurbineClient::new(h).with_chain_id(chain.chain_id));
            let domain = match &client {
                Some(client) => client.order_domain(&spec.new_order().market_id)?,
                None => chain.domain()?,
            };
            let order = spec.new_order().build(device.info()?.address, SystemClock.now())?;
            eprintln!(
                "check the order on the device's display, then press its button:\n  {}",
                order.summary(&domain)
            );
            let signed = device.sign_order(order, domain)?;
            let text = summary(&signed, &domain);
            let Some(client) = client else {
                ctx.output(
                    &json!({ "summary": text, "body": body_json(&signed)? }),
                    &serde_json::to_string(&body_json(&signed)?)?,
                );
                return Ok(());
            };
            let token = device.mint_token()?;
            let accepted = client.post_order_with(&format!("Bearer {token}"), &signed)?;
            let hash = accepted.order_hash;
            ctx.output(
                &json!({ "orderHash": hash.to_string(), "status": accepted.order.status, "summary": text }),
                &format!("order {hash} accepted ({})\n{text}", accepted.order.status),
            );
        }
    }
    Ok(())
}

/// Before a wallet is made or restored: a device without a PIN (and no choice made) gets one,
/// unless `no_pin`; then the device itself asks to confirm having none.
fn set_pin_first<T: std::io::Read + std::io::Write>(
    device: &mut signet_std::device::DeviceClient<T>,
    no_pin: bool,
) -> Result<()> {
    let status = match device.pin_status() {
        Ok(status) => status,
        // Firmware that predates PINs.
        Err(DeviceClientError::Device(DeviceError::BadRequest)) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    if no_pin {
        if !status.pin_set && !status.no_pin_chosen {
            eprintln!("no PIN: the device says what that means; press its button to confirm");
        }
        return Ok(());
    }
    if status.pin_set || status.no_pin_chosen {
        return Ok(());
    }
    eprintln!("first, a PIN for the device (4 to 9 digits, typed twice, then a press on the device)");
    device.change_pin(device_pin::read_positions)?;
    Ok(())
}
