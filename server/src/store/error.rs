//! Why a registry refused or failed.

use core::fmt;

use signet_core::turbine::KeyId;

/// Why the registry refused or failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum RegistryError {
    /// The wallet already has a usable key (HTTP 409 with its id).
    WalletHasKey(KeyId),
    /// No key has that id.
    NotFound,
    /// The key id is already taken.
    DuplicateKeyId,
    /// The wallet has had a key: the documented (untimed) registration, which a captured body
    /// could replay, is not accepted again; the timestamped one is.
    WalletRegisteredBefore,
    /// The timestamped registration's time is not recent, or not newer than the wallet's last.
    StaleTimestamp,
    /// The stored record named here is damaged (refused, never guessed at).
    Corrupt(String),
    /// The store cannot be reached in time (a database down): answer 503. The driver's error
    /// is not kept: its text may quote the connection string, password included.
    Unavailable,
    /// The database failed or refused a statement (detail for logs, the driver's error as the
    /// source).
    Database(DatabaseError),
    /// A Bitzoom secret could not be sealed or opened (no secrets key, a key not held, a
    /// damaged value).
    Sealing(crate::store::SealError),
    /// No registry exists at this path (making one is an explicit first start).
    Missing(std::path::PathBuf),
    /// The registry file at this path is empty: its keys are gone (a truncated or replaced
    /// file), so it is refused rather than taken as a new, empty registry.
    Empty(std::path::PathBuf),
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::WalletHasKey(kid) => write!(f, "wallet already has an active API key ({kid})"),
            RegistryError::NotFound => f.write_str("API key not found"),
            RegistryError::DuplicateKeyId => f.write_str("key id already registered"),
            RegistryError::WalletRegisteredBefore => f.write_str(
                "this wallet has registered before: sign the timestamped registration message \
                 (\"Register API key for Turbine: <address>\\nTimestamp: <unix seconds>\") and send its timestamp",
            ),
            RegistryError::StaleTimestamp => f.write_str(
                "registration timestamp is not within 300 s of the server's time, or not newer than this wallet's last",
            ),
            RegistryError::Corrupt(what) => write!(f, "the stored record of {what} is damaged"),
            RegistryError::Unavailable => f.write_str("key store unavailable"),
            RegistryError::Database(e) => write!(f, "key registry error: {e}"),
            RegistryError::Sealing(e) => e.fmt(f),
            RegistryError::Missing(path) => write!(f, "no key registry at {}", path.display()),
            RegistryError::Empty(path) => write!(
                f,
                "key registry {} is empty (0 bytes): its keys, orders and Bitzoom keys are gone; restore it from a \
                 backup, or move it away to start afresh",
                path.display()
            ),
        }
    }
}

impl core::error::Error for RegistryError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            RegistryError::Database(e) => Some(e),
            RegistryError::Sealing(e) => Some(e),
            _ => None,
        }
    }
}

impl From<crate::store::SealError> for RegistryError {
    fn from(e: crate::store::SealError) -> Self {
        RegistryError::Sealing(e)
    }
}

impl From<DatabaseError> for RegistryError {
    fn from(e: DatabaseError) -> Self {
        RegistryError::Database(e)
    }
}

/// A database's own failure: one line for logs (without the connection string) and the
/// driver's error behind it.
#[derive(Debug)]
pub struct DatabaseError {
    detail: String,
    source: Option<Box<dyn core::error::Error + Send + Sync>>,
}

impl DatabaseError {
    /// A failure described by `detail`, caused by `source`.
    pub fn new(
        detail: impl Into<String>,
        source: impl Into<Box<dyn core::error::Error + Send + Sync>>,
    ) -> Self {
        DatabaseError { detail: detail.into(), source: Some(source.into()) }
    }

    /// A failure with no underlying error (a value the database should never have held).
    pub fn message(detail: impl Into<String>) -> Self {
        DatabaseError { detail: detail.into(), source: None }
    }

    /// A database error whose own text is the detail.
    pub fn of<E: core::error::Error + Send + Sync + 'static>(error: E) -> Self {
        DatabaseError { detail: error.to_string(), source: Some(Box::new(error)) }
    }

    /// The detail, as logged.
    #[must_use]
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl core::error::Error for DatabaseError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn core::error::Error + 'static))
    }
}
