//! Signs a message with `personal_sign` and recovers its signer, for cross-checking against
//! eth-account: `cargo run -p signet-core --example eth_sign -- <private key hex> <message hex>`.

use std::process::ExitCode;

use signet_core::eth::{WalletKey, eip191_hash, recover_address};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(key), Some(message)) = (args.first(), args.get(1)) else {
        eprintln!("usage: eth_sign <private key hex> <message hex>");
        return ExitCode::FAILURE;
    };
    let (Ok(wallet), Ok(message)) = (WalletKey::from_hex(key), hex::decode(message)) else {
        eprintln!("error: bad key or message hex");
        return ExitCode::FAILURE;
    };
    let signature = wallet.personal_sign(&message);
    println!("address: {}", wallet.address());
    println!("hash: {}", hex::encode(eip191_hash(&message)));
    println!("signature: {signature}");
    match recover_address(&message, &signature) {
        Ok(signer) => println!("recovered: {signer}"),
        Err(e) => println!("recovered: error {e}"),
    }
    ExitCode::SUCCESS
}
