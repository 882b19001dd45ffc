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

/// A server's base URL as `--host` takes it: `http://` or `https://`, a host, an optional
/// port; said plainly when it is not one (the HTTP client's own error names neither).
///
/// # Errors
/// What is wrong with `text`.
pub fn host_url(text: &str) -> core::result::Result<String, String> {
    let text = text.trim().trim_end_matches('/');
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .ok_or_else(|| format!("{text:?} is not a URL: give http://HOST[:PORT] or https://HOST[:PORT]"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || authority.starts_with('[') => (host, Some(port)),
        _ => (authority, None),
    };
    let host_ok = !host.is_empty()
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '[' | ']' | ':'));
    if !host_ok {
        return Err(format!("{text:?} is not a URL: no host name after the scheme"));
    }
    if port.is_some_and(|p| p.parse::<u16>().is_err()) {
        return Err(format!("{text:?} is not a URL: the port is not a number from 0 to 65535"));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_urls_are_checked_with_a_reason() {
        assert_eq!(host_url("https://api.turbinefi.com/").as_deref(), Ok("https://api.turbinefi.com"));
        assert!(host_url("http://127.0.0.1:8787").is_ok());
        assert!(host_url("http://[::1]:8787").is_ok());
        assert!(host_url("not-a-url").unwrap_err().contains("give http://HOST[:PORT]"));
        assert!(host_url("http:///orders").unwrap_err().contains("no host name"));
        assert!(host_url("http://h:99999").unwrap_err().contains("port"));
    }
}
