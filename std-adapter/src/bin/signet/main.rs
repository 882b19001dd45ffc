//! `signet`: signed API credentials for Turbine and Bitzoom from the command line.
//!
//! `signet demo` runs the whole protocol against a local server; `signet token` prints a fresh
//! Turbine token for `curl -H "Authorization: Bearer $(signet token)"`; `signet serve` runs the
//! documented endpoints locally. `signet --help` lists every command.

mod commands;
mod demo;
mod device;
mod serve;

use core::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Signed API credentials for Turbine (Ed25519 bearer tokens, wallet registration) and Bitzoom
/// (JWT bearer tokens, HMAC request signing).
#[derive(Parser)]
#[command(name = "signet", version, about, long_about = None)]
struct Cli {
    /// Machine-readable JSON output.
    #[arg(long, global = true)]
    json: bool,
    /// Read credentials from this file (NAME=value lines, mode 600) instead of the environment.
    #[arg(long, global = true, value_name = "FILE")]
    credentials: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole protocol against a local server and show each step.
    Demo,
    /// Print a fresh Turbine bearer token (nothing else) from the credentials.
    Token,
    /// Serve the Turbine and Bitzoom endpoints locally.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        /// Folder for the key registry.
        #[arg(long, default_value = "signet-data")]
        data: PathBuf,
        /// Lifetime of Bitzoom test tokens, in seconds.
        #[arg(long, default_value_t = 86_400)]
        token_lifetime: i64,
        /// A Bitzoom HMAC API key, NAME=SECRET (repeatable).
        #[arg(long = "bitzoom-api-key", value_name = "NAME=SECRET")]
        bitzoom_api_keys: Vec<String>,
    },
    /// Manage the keys of a local registry (stop `signet serve` first: the file is locked).
    Keys {
        #[command(subcommand)]
        action: commands::KeysAction,
        /// Folder of the key registry.
        #[arg(long, default_value = "signet-data", global = true)]
        data: PathBuf,
    },
    /// Check an Authorization header value; prints the claims or the documented error.
    Verify(commands::VerifyArgs),
    /// Issue a new API key (id and Ed25519 private key), as the server does at registration.
    Keygen,
    /// Ethereum wallet operations (personal_sign).
    Wallet {
        #[command(subcommand)]
        action: commands::WalletAction,
    },
    /// Register an API key with a Turbine server and save the credentials file.
    Register {
        /// The server, e.g. https://api.turbinefi.com (default: TURBINE_HOST).
        #[arg(long)]
        host: Option<String>,
        /// A friendly name for the key.
        #[arg(long)]
        name: Option<String>,
        /// Where to write the credentials (mode 600).
        #[arg(long, default_value = "signet-credentials")]
        out: PathBuf,
    },
    /// A hardware signing device on a serial port: info, token, set-time, register.
    Device(device::DeviceArgs),
    /// Bitzoom: test tokens, bearer requests, HMAC signatures.
    Bitzoom {
        #[command(subcommand)]
        action: commands::BitzoomAction,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo => demo::run().map(|ok| if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }),
        Command::Serve { listen, data, token_lifetime, bitzoom_api_keys } => {
            let options =
                serve::ServeOptions { listen, data, token_lifetime_secs: token_lifetime, bitzoom_api_keys };
            serve::serve(&options, |addr| eprintln!("signet serve: listening on http://{addr}"))
                .map(|()| ExitCode::SUCCESS)
        }
        command => commands::run(command, cli.json, cli.credentials.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("signet: {e}");
            ExitCode::from(2)
        }
    }
}
