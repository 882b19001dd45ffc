//! A signing device on a pseudo-terminal, for trying the device client without hardware: the
//! real device loop (`signet-embedded`) over simulated hardware (a DS3231 register file, a button
//! that is pressed a moment after each prompt, a display that keeps the line it shows). Prints the
//! port's path on stdout, then serves until killed.
//!
//! ```sh
//! cargo run -p signet-std --features device --example simulated_device
//! /dev/pts/7
//! ```
//!
//! The wallet key is new each run unless `SIGNET_SIM_WALLET` holds one (hex). With
//! `SIGNET_SIM_SHOW=1` it prints each line its display shows (`display: …`) on stdout after the
//! port: a PIN grid among them, for a test or a person to read the positions off.

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    use std::io::Write as _;

    use embedded_io_adapters::std::FromStd;
    use signet_core::eth::WalletKey;
    use signet_embedded::sim::{NoDelay, SimulatedButton, SimulatedLed, SimulatedRtc};
    use signet_embedded::{Button, ButtonConfig, Device, DeviceKeys, RtcClock};

    let wallet = match std::env::var("SIGNET_SIM_WALLET") {
        Ok(hex) => match WalletKey::from_hex(&hex) {
            Ok(wallet) => wallet,
            Err(e) => {
                eprintln!("simulated_device: SIGNET_SIM_WALLET: {e}");
                return std::process::ExitCode::FAILURE;
            }
        },
        Err(_) => WalletKey::generate(&mut signet_std::os_rng()),
    };
    let (mut master, slave) = match serialport::TTYPort::pair() {
        Ok(pair) => pair,
        Err(e) => {
            eprintln!("simulated_device: no pseudo-terminal: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // A device waits for its host as long as it takes; the pair's default read timeout
    // (100 ms) would end the loop whenever a host paused between requests.
    if let Err(e) = serialport::SerialPort::set_timeout(&mut master, core::time::Duration::from_secs(86_400))
    {
        eprintln!("simulated_device: {e}");
        return std::process::ExitCode::FAILURE;
    }
    let name = serialport::SerialPort::name(&slave).unwrap_or_default();
    println!("{name}");
    let _ = std::io::stdout().flush();
    eprintln!("simulated device for wallet {} on {name}", wallet.address());
    let button = Button::new(
        SimulatedButton::presses_every(4),
        SimulatedLed::default(),
        NoDelay,
        ButtonConfig::default(),
    );
    let mut device = Device::new(
        DeviceKeys::new(wallet),
        RtcClock::new(SimulatedRtc::default()),
        button,
        signet_std::os_rng(),
    )
    .with_display(Display { print: std::env::var("SIGNET_SIM_SHOW").is_ok_and(|v| v == "1") });
    // The slave end stays open here, so the port lives while clients come and go.
    let _slave = slave;
    // The device loop ends only when the link does (which the open slave end prevents).
    let outcome = device.run(&mut FromStd::new(master));
    eprintln!("simulated_device: link ended: {outcome:?}");
    std::process::ExitCode::FAILURE
}

/// A display that prints what it shows when asked to.
#[cfg(unix)]
struct Display {
    print: bool,
}

#[cfg(unix)]
impl signet_embedded::TextDisplay for Display {
    type Error = std::io::Error;

    fn show(&mut self, line: &str) -> Result<(), Self::Error> {
        use std::io::Write as _;
        if self.print {
            let mut out = std::io::stdout().lock();
            writeln!(out, "display: {line}")?;
            out.flush()?;
        }
        Ok(())
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

#[cfg(not(unix))]
fn main() {
    eprintln!("simulated_device needs a Unix pseudo-terminal");
}
