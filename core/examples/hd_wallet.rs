//! BIP-39 and BIP-32 for cross-checking against the reference implementations (trezor's
//! `mnemonic`, eth-account): reads lines of `<entropy hex> <passphrase UTF-8 hex> <index>` on
//! stdin and answers each with `<words>\t<seed hex>\t<address at m/44'/60'/0'/0/index>`, or
//! `error: <why>`. The passphrase is NFKD-normalised here, as a std caller does before the core;
//! lines of `check <words>` answer `ok` or `error: <why>` for a phrase as typed.
//!
//! `cargo run -p signet-core --example hd_wallet < cases.txt`

use std::io::{BufRead, Write};

use signet_core::eth::{MAX_PHRASE_LEN, Mnemonic, Passphrase, WalletKey};
use unicode_normalization::UnicodeNormalization as _;

fn answer(line: &str) -> Result<String, String> {
    if let Some(words) = line.strip_prefix("check ") {
        return Mnemonic::parse(words).map(|_| "ok".to_owned()).map_err(|e| e.to_string());
    }
    let mut fields = line.split(' ');
    let (Some(entropy), Some(passphrase), Some(index)) = (fields.next(), fields.next(), fields.next()) else {
        return Err("expected: <entropy hex> <passphrase hex> <index>".into());
    };
    let entropy = hex::decode(entropy).map_err(|e| e.to_string())?;
    let passphrase =
        String::from_utf8(hex::decode(passphrase).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    let index: u32 = index.parse().map_err(|e: core::num::ParseIntError| e.to_string())?;
    let mnemonic = Mnemonic::from_entropy(&entropy).map_err(|e| e.to_string())?;
    let mut buf = [0u8; MAX_PHRASE_LEN];
    let words = mnemonic.write_phrase(&mut buf).map_err(|e| e.to_string())?.to_owned();
    let normalized: String = passphrase.nfkd().collect();
    let passphrase = Passphrase::new(&normalized).map_err(|e| e.to_string())?;
    let seed = mnemonic.to_seed(&passphrase);
    let key =
        WalletKey::from_mnemonic(&Mnemonic::parse(&words).map_err(|e| e.to_string())?, &passphrase, index)
            .map_err(|e| e.to_string())?;
    Ok(format!("{words}\t{}\t{}", hex::encode(seed.as_bytes()), key.address()))
}

fn main() {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let reply = answer(line.trim_end_matches('\r')).unwrap_or_else(|e| format!("error: {e}"));
        if writeln!(out, "{reply}").and_then(|()| out.flush()).is_err() {
            return;
        }
    }
}
