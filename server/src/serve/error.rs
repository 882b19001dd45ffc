//! Why a server could not start.

use core::fmt;

use crate::store::RegistryError;

/// Why `signet serve` could not start (once serving, failures are answers, not errors).
#[derive(Debug)]
#[non_exhaustive]
pub enum ServeError {
    /// A setting that cannot work, as the flag's text says.
    Config(String),
    /// The key store could not be opened or reached.
    KeyStore(RegistryError),
    /// A file, folder or socket could not be used.
    Io {
        /// What was being done.
        what: String,
        /// The operating system's error.
        source: std::io::Error,
    },
}

impl ServeError {
    /// An I/O failure while doing `what`.
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        ServeError::Io { what: what.into(), source }
    }
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::Config(text) => f.write_str(text),
            ServeError::KeyStore(e) => write!(f, "--key-store: {e}"),
            ServeError::Io { what, source } => write!(f, "{what}: {source}"),
        }
    }
}

impl core::error::Error for ServeError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            ServeError::Config(_) => None,
            ServeError::KeyStore(e) => Some(e),
            ServeError::Io { source, .. } => Some(source),
        }
    }
}
