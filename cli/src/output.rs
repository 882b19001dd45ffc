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
    hex::encode(bytes)
}

/// Bytes from hex, with or without `0x`.
pub fn hex_decode(text: &str) -> Result<Vec<u8>> {
    let text = text.trim();
    hex::decode(text.strip_prefix("0x").unwrap_or(text)).map_err(|e| e.to_string().into())
}
