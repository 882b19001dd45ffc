//! `signet`: signed API credentials for Turbine and Bitzoom from the command line.
//!
//! `signet demo` runs the whole protocol against a local server; `signet token` prints a fresh
//! Turbine token for `curl -H "Authorization: Bearer $(signet token)"`; `signet serve` runs the
//! documented endpoints locally. `signet --help` lists every command.

// Doc comments here are `--help` text (clap), written for a terminal rather than rustdoc.
#![allow(rustdoc::bare_urls, rustdoc::invalid_html_tags)]

mod bitzoom;
mod bitzoom_keys;
mod demo;
mod device;
mod device_pin;
mod keys;
mod order;
mod output;
mod relayer;
mod replay_args;
mod serve;
mod turbine;
mod verify;
mod wallet;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::output::Context;

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
    Serve(Box<serve::ServeArgs>),
    /// List, revoke and expire keys (while `signet serve` runs, too).
    Keys(keys::KeysArgs),
    /// Check an Authorization header value; prints the claims or the documented error.
    Verify(verify::VerifyArgs),
    /// Issue a new API key (id and Ed25519 private key), as the server does at registration.
    Keygen,
    /// Ethereum wallet operations (personal_sign).
    Wallet {
        #[command(subcommand)]
        action: wallet::WalletAction,
    },
    /// Register an API key with a Turbine server and save the credentials file.
    Register(turbine::RegisterArgs),
    /// Turbine orders: create (signed with the wallet key), list, show, cancel.
    Order(order::OrderArgs),
    /// Sign a USDC permit for the settlement contract and post it to the relayer endpoint (or
    /// print it for an order), with the wallet key or on a device.
    Permit(relayer::PermitArgs),
    /// Approve (or revoke) the settlement contract for every outcome token, via the relayer.
    Approve(relayer::ApproveArgs),
    /// Redeem resolved positions for USDC, via the relayer.
    Redeem(relayer::RedeemArgs),
    /// A hardware signing device on a serial port: info, token, set-time, register, sign-order.
    Device(device::DeviceArgs),
    /// Bitzoom: test tokens, bearer requests, HMAC signatures.
    Bitzoom {
        #[command(subcommand)]
        action: bitzoom::BitzoomAction,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ctx = Context { json: cli.json, credentials: cli.credentials.as_deref() };
    let done = |r: output::Result<()>| r.map(|()| ExitCode::SUCCESS);
    let result = match cli.command {
        Command::Demo => demo::run().map(|ok| if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }),
        Command::Serve(args) => done(serve::run(*args, &ctx)),
        Command::Token => done(turbine::token(&ctx)),
        Command::Keys(args) => done(keys::run(args, &ctx)),
        Command::Verify(args) => verify::run(args, &ctx),
        Command::Keygen => done(turbine::keygen(&ctx)),
        Command::Wallet { action } => done(wallet::run(action, &ctx)),
        Command::Register(args) => done(turbine::register(args, &ctx)),
        Command::Order(args) => done(order::run(args, &ctx)),
        Command::Device(args) => done(device::run(args, &ctx)),
        Command::Permit(args) => done(relayer::run(relayer::Call::Permit(args), &ctx)),
        Command::Approve(args) => done(relayer::run(relayer::Call::Approve(args), &ctx)),
        Command::Redeem(args) => done(relayer::run(relayer::Call::Redeem(args), &ctx)),
        Command::Bitzoom { action } => done(bitzoom::run(action, &ctx)),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("signet: {e}");
            ExitCode::from(2)
        }
    }
}
