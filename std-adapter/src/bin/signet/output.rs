//! Helpers every command shares: the result type, credentials, output in text or JSON, hex.
//! Imports no command module, so no command depends on another through it.

use std::path::Path;

use serde_json::Value;
use signet_std::Credentials;

/// What commands return: any error, printed by `main` as `signet: <error>` with exit code 2.
pub type Result<T> = core::result::Result<T, Box<dyn core::error::Error>>;

/// Options every command takes.
pub struct Context<'a> {
    /// Machine-readable JSON output.
    pub json: bool,
    /// A credentials file instead of the environment.
    pub credentials: Option<&'a Path>,
}

impl Context<'_> {
    /// The credentials from the file or the environment.
    pub fn credentials(&self) -> Result<Credentials> {
        credentials(self.credentials)
    }

    /// Prints `value` as JSON, or `text` for people.
    pub fn output(&self, value: &Value, text: &str) {
        output(self.json, value, text);
    }
}

/// The credentials from `file`, or from the environment without one.
pub fn credentials(file: Option<&Path>) -> Result<Credentials> {
    Ok(match file {
        Some(path) => Credentials::from_file(path)?,
        None => Credentials::from_env()?,
    })
}

/// Prints `value` as JSON, or `text` for people.
pub fn output(json_mode: bool, value: &Value, text: &str) {
    if json_mode {
        println!("{value}");
    } else {
        println!("{text}");
    }
}

pub fn hex_str(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes from hex, with or without `0x`.
pub fn hex_decode(text: &str) -> Result<Vec<u8>> {
    let digits = text.trim().trim_start_matches("0x");
    if digits.len() % 2 != 0 {
        return Err("odd number of hex digits".into());
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(digits.get(i..i + 2).unwrap_or("zz"), 16).map_err(Into::into))
        .collect()
}
