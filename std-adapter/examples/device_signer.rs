//! A signing device as the bot's signer: the wallet key and the API key live on the device, which
//! signs the registration, mints the tokens and signs each order after showing it and a press.
//!
//! ```sh
//! signet serve &
//! cargo run -p signet-std --features device --example simulated_device &   # or a real device
//! cargo run -p signet-std --features device --example device_signer -- /dev/pts/N http://127.0.0.1:8787
//! ```

use core::time::Duration;
use std::process::ExitCode;

use signet_core::Clock;
use signet_core::turbine::order::{MarketId, Outcome, Side};
use signet_std::device::{DEFAULT_DEVICE_TIMEOUT, open_serial};
use signet_std::turbine::NewOrder;
use signet_std::{ClientError, SystemClock, TurbineClient};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(port) = args.next() else {
        eprintln!("usage: device_signer PORT [HOST]");
        return ExitCode::from(2);
    };
    let host = args.next().unwrap_or_else(|| "http://127.0.0.1:8787".to_owned());
    match run(&port, &host) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("device_signer: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(port: &str, host: &str) -> Result<(), Box<dyn core::error::Error>> {
    let mut device = open_serial(port, 115_200, DEFAULT_DEVICE_TIMEOUT)?;
    let client = TurbineClient::with_timeout(host, Duration::from_secs(30));
    // A device's clock may have stopped (a new board, a flat cell): it mints no token until set.
    device.set_time(SystemClock.now())?;
    let info = device.info()?;
    println!("device wallet {}", info.address);
    if info.api_key.is_none() {
        println!("press the device's button to sign the registration");
        let request = device.sign_registration()?;
        let key = match client.register_signed(&request, Some("device")) {
            Ok(key) => key,
            Err(ClientError::RegisteredBefore) => {
                let now = SystemClock.now();
                return Err(format!(
                    "the wallet registered before: sign the timestamped message for {now} on the device"
                )
                .into());
            }
            Err(e) => return Err(e.into()),
        };
        println!("registered {}; press again to install it on the device", key.key_id);
        device.install_api_key(&key)?;
    }

    let order = NewOrder {
        market_id: MarketId::parse(b"0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928")?,
        side: Side::Sell,
        outcome: Outcome::No,
        price: 358_000,
        size: 2_000_000,
        expiration: None,
        nonce: None,
        maker_fee_recipient: None,
    };
    let domain = client.order_domain(&order.market_id)?;
    let order = order.build(info.address, SystemClock.now())?;
    println!("check the device's display and press: {}", order.summary(&domain));
    let signed = device.sign_order(order, domain)?;
    let token = device.mint_token()?;
    let accepted = client.post_order_with(&format!("Bearer {token}"), &signed)?;
    println!("order {} accepted ({})", accepted.order_hash, accepted.order.status);
    Ok(())
}
