//! Credentials from the environment variables the official clients use, or from a file that
//! only its owner can read.

use core::fmt;
use std::path::{Path, PathBuf};

use signet_core::eth::WalletKey;
use signet_core::turbine::{ApiSecret, KeyId};
use zeroize::Zeroizing;

/// A secret string (a bearer token, an HMAC secret): zeroized on drop, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a secret.
    #[must_use]
    pub fn new(value: String) -> Self {
        Secret(Zeroizing::new(value))
    }

    /// The secret itself, for the one place that must send or use it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A Turbine API key: its id and Ed25519 private key.
#[derive(Clone, Debug)]
pub struct TurbineApiKey {
    /// `TURBINE_API_KEY_ID`.
    pub key_id: KeyId,
    /// `TURBINE_API_PRIVATE_KEY`.
    pub secret: ApiSecret,
}

/// Everything signet's clients may need; each part is optional until a command needs it.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    /// `TURBINE_HOST`: the Turbine API base URL.
    pub turbine_host: Option<String>,
    /// `TURBINE_PRIVATE_KEY`: the wallet that registers API keys.
    pub wallet: Option<WalletKey>,
    /// `TURBINE_API_KEY_ID` and `TURBINE_API_PRIVATE_KEY`.
    pub turbine_api: Option<TurbineApiKey>,
    /// `BITZOOM_API_TOKEN`: a JWT bearer token.
    pub bitzoom_token: Option<Secret>,
    /// `BITZOOM_API_KEY`: the key id sent in `X-BZ-APIKEY`.
    pub bitzoom_api_key: Option<String>,
    /// `BITZOOM_API_SECRET`: the HMAC secret.
    pub bitzoom_api_secret: Option<Secret>,
}

/// Why credentials could not be loaded. Names the variable or file, never a value.
#[derive(Debug)]
#[non_exhaustive]
pub enum CredentialsError {
    /// The variable is set but its value is not valid.
    Invalid {
        /// The variable's name.
        variable: &'static str,
    },
    /// Only one of a pair that belongs together is set.
    Incomplete {
        /// The variable that is missing.
        missing: &'static str,
    },
    /// The credentials file can be read by others (like ssh, signet refuses to use it).
    FileTooOpen {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A line of the credentials file is not `NAME=value`.
    FileSyntax {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
    },
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        error: std::io::Error,
    },
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialsError::Invalid { variable } => write!(f, "{variable} is not valid"),
            CredentialsError::Incomplete { missing } => write!(f, "{missing} is not set"),
            CredentialsError::FileTooOpen { path, mode } => write!(
                f,
                "{} is accessible by others (mode {mode:o}); run `chmod 600 {}`",
                path.display(),
                path.display()
            ),
            CredentialsError::FileSyntax { path, line } => {
                write!(f, "{} line {line}: expected NAME=value", path.display())
            }
            CredentialsError::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl core::error::Error for CredentialsError {}

/// The variables signet reads, in the order they are documented.
pub const VARIABLES: [&str; 7] = [
    "TURBINE_HOST",
    "TURBINE_PRIVATE_KEY",
    "TURBINE_API_KEY_ID",
    "TURBINE_API_PRIVATE_KEY",
    "BITZOOM_API_TOKEN",
    "BITZOOM_API_KEY",
    "BITZOOM_API_SECRET",
];

impl Credentials {
    /// Reads the process environment.
    ///
    /// # Errors
    /// [`CredentialsError`] naming the first invalid or incomplete variable.
    pub fn from_env() -> Result<Self, CredentialsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads a credentials file of `NAME=value` lines (blank lines and `#` comments allowed),
    /// refusing a file that its group or others can access.
    ///
    /// # Errors
    /// [`CredentialsError`] for an unreadable, too open or malformed file, or invalid values.
    pub fn from_file(path: &Path) -> Result<Self, CredentialsError> {
        let io = |error| CredentialsError::Io { path: path.to_owned(), error };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(CredentialsError::FileTooOpen { path: path.to_owned(), mode });
            }
        }
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(io)?);
        let mut values: Vec<(String, Zeroizing<String>)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (name, value) = line
                .split_once('=')
                .ok_or(CredentialsError::FileSyntax { path: path.to_owned(), line: i + 1 })?;
            values.push((name.trim().to_owned(), Zeroizing::new(value.trim().to_owned())));
        }
        Self::from_lookup(|name| values.iter().find(|(n, _)| n == name).map(|(_, v)| v.to_string()))
    }

    /// Reads the variables through `lookup` (the environment, a file, or a test's map).
    ///
    /// # Errors
    /// [`CredentialsError`] naming the first invalid or incomplete variable.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, CredentialsError> {
        let get = |name: &'static str| lookup(name).map(Zeroizing::new).filter(|v| !v.trim().is_empty());
        let wallet = get("TURBINE_PRIVATE_KEY")
            .map(|v| {
                WalletKey::from_hex(v.trim())
                    .map_err(|_| CredentialsError::Invalid { variable: "TURBINE_PRIVATE_KEY" })
            })
            .transpose()?;
        let turbine_api = match (get("TURBINE_API_KEY_ID"), get("TURBINE_API_PRIVATE_KEY")) {
            (Some(id), Some(secret)) => Some(TurbineApiKey {
                key_id: KeyId::new(id.trim())
                    .map_err(|_| CredentialsError::Invalid { variable: "TURBINE_API_KEY_ID" })?,
                secret: ApiSecret::from_hex(&secret)
                    .map_err(|_| CredentialsError::Invalid { variable: "TURBINE_API_PRIVATE_KEY" })?,
            }),
            (Some(_), None) => {
                return Err(CredentialsError::Incomplete { missing: "TURBINE_API_PRIVATE_KEY" });
            }
            (None, Some(_)) => return Err(CredentialsError::Incomplete { missing: "TURBINE_API_KEY_ID" }),
            (None, None) => None,
        };
        let secret = |name| get(name).map(|v| Secret::new(v.trim().to_owned()));
        Ok(Credentials {
            turbine_host: get("TURBINE_HOST").map(|v| v.trim().trim_end_matches('/').to_owned()),
            wallet,
            turbine_api,
            bitzoom_token: secret("BITZOOM_API_TOKEN"),
            bitzoom_api_key: get("BITZOOM_API_KEY").map(|v| v.trim().to_owned()),
            bitzoom_api_secret: secret("BITZOOM_API_SECRET"),
        })
    }

    /// Writes the credentials as a file only its owner can read (mode 600), in the format
    /// [`Credentials::from_file`] reads. The file is replaced atomically (temporary file, sync,
    /// rename): a failed write leaves the old one, never a partial one.
    ///
    /// # Errors
    /// [`CredentialsError::Io`] if the file cannot be written.
    pub fn write_file(&self, path: &Path) -> Result<(), CredentialsError> {
        crate::private_file::write_atomic(path, &self.to_file_text())
            .map_err(|error| CredentialsError::Io { path: path.to_owned(), error })
    }

    /// The text [`Credentials::write_file`] writes, in one buffer sized before it is filled (so
    /// no reallocation leaves a copy of a secret in freed memory) and wiped when dropped.
    #[must_use]
    pub fn to_file_text(&self) -> Zeroizing<Vec<u8>> {
        const HEADER: &[u8] = b"# signet credentials: keep this file private (mode 600)\n";
        let mut wallet_hex = Zeroizing::new([0u8; 66]);
        let wallet = self.wallet.as_ref().map(|wallet| {
            let (prefix, digits) = wallet_hex.split_at_mut(2);
            prefix.copy_from_slice(b"0x");
            // 32 bytes always fill 64 hex digits.
            let _ = hex::encode_to_slice(wallet.to_bytes().as_ref(), digits);
            &wallet_hex[..]
        });
        let api_secret = self.turbine_api.as_ref().map(|api| api.secret.to_hex());
        let lines: [(&str, Option<&[u8]>); 7] = [
            ("TURBINE_HOST", self.turbine_host.as_deref().map(str::as_bytes)),
            ("TURBINE_PRIVATE_KEY", wallet),
            ("TURBINE_API_KEY_ID", self.turbine_api.as_ref().map(|api| api.key_id.as_str().as_bytes())),
            ("TURBINE_API_PRIVATE_KEY", api_secret.as_ref().map(|hex| &hex[..])),
            ("BITZOOM_API_TOKEN", self.bitzoom_token.as_ref().map(|t| t.expose().as_bytes())),
            ("BITZOOM_API_KEY", self.bitzoom_api_key.as_deref().map(str::as_bytes)),
            ("BITZOOM_API_SECRET", self.bitzoom_api_secret.as_ref().map(|s| s.expose().as_bytes())),
        ];
        let present = || lines.iter().filter_map(|(name, value)| value.map(|v| (name.as_bytes(), v)));
        let len = HEADER.len() + present().map(|(name, value)| name.len() + value.len() + 2).sum::<usize>();
        let mut text = Zeroizing::new(Vec::with_capacity(len));
        text.extend_from_slice(HEADER);
        for (name, value) in present() {
            for part in [name, b"=", value, b"\n"] {
                text.extend_from_slice(part);
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const SEED: &str = "cf407e66539b5c0b96ff81b98dded008c2f270861f43b8df94f72ecef5b71b68";
    const PUBLIC: &str = "d05e8cca76fbf0244be361946095562c7797c1a461bb4bef5e077103ae8b7860";
    const WALLET: &str = "027cb2e1d4e39879160c20c822b63e2db67f79c11e61aecb39ef555f9b5bb696";

    fn from(pairs: &[(&str, &str)]) -> Result<Credentials, CredentialsError> {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Credentials::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn reads_every_documented_form() {
        for secret in
            [SEED.to_owned(), format!("0x{SEED}"), format!("{SEED}{PUBLIC}"), format!("0x{SEED}{PUBLIC}")]
        {
            let c = from(&[("TURBINE_API_KEY_ID", "e792e6d8c4bd2122"), ("TURBINE_API_PRIVATE_KEY", &secret)])
                .unwrap();
            let api = c.turbine_api.unwrap();
            assert_eq!(hex::encode(api.secret.verifying_key().as_bytes()), PUBLIC);
        }
        let c =
            from(&[("TURBINE_PRIVATE_KEY", &format!("0x{WALLET}")), ("TURBINE_HOST", "https://h/")]).unwrap();
        assert_eq!(c.wallet.unwrap().address().to_string(), "0x076f4c6bBD34AF0015adc9D5168e69a1428b66De");
        assert_eq!(c.turbine_host.as_deref(), Some("https://h"));
    }

    #[test]
    fn errors_name_the_variable_never_the_value() {
        let bad = "not-a-secret-value-123";
        for (pairs, variable) in [
            (vec![("TURBINE_PRIVATE_KEY", bad)], "TURBINE_PRIVATE_KEY"),
            (vec![("TURBINE_API_KEY_ID", "k"), ("TURBINE_API_PRIVATE_KEY", bad)], "TURBINE_API_PRIVATE_KEY"),
            (vec![("TURBINE_API_KEY_ID", "k")], "TURBINE_API_PRIVATE_KEY"),
        ] {
            let text = from(&pairs).unwrap_err().to_string();
            assert!(text.contains(variable) && !text.contains(bad), "{text}");
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let c = from(&[
            ("TURBINE_PRIVATE_KEY", WALLET),
            ("TURBINE_API_KEY_ID", "kid"),
            ("TURBINE_API_PRIVATE_KEY", SEED),
            ("BITZOOM_API_TOKEN", "eyJtoken"),
            ("BITZOOM_API_SECRET", "hmac-secret"),
        ])
        .unwrap();
        let shown = format!("{c:?}");
        for secret in [WALLET, SEED, "eyJtoken", "hmac-secret", &SEED[..16]] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn file_round_trip_and_permission_check() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        let c = from(&[
            ("TURBINE_PRIVATE_KEY", WALLET),
            ("TURBINE_API_KEY_ID", "kid"),
            ("TURBINE_API_PRIVATE_KEY", SEED),
            ("BITZOOM_API_SECRET", "s"),
        ])
        .unwrap();
        c.write_file(&path).unwrap();
        let read = Credentials::from_file(&path).unwrap();
        assert_eq!(read.wallet.unwrap().address(), c.wallet.unwrap().address());
        assert_eq!(read.turbine_api.unwrap().key_id.as_str(), "kid");
        assert_eq!(read.bitzoom_api_secret.unwrap().expose(), "s");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(
                Credentials::from_file(&path),
                Err(CredentialsError::FileTooOpen { mode: 0o644, .. })
            ));
        }
    }
}
