//! Secrets at rest: files only their owner can read, written so that a crash or a full disk
//! never leaves a partial one behind.

use std::io::{self, Write};
use std::path::Path;

use zeroize::Zeroizing;

/// Replaces `path` with `bytes` atomically: a new file (mode 600 on Unix) in the same folder,
/// written and synced, then renamed over `path`, then the folder synced. Readers see the old
/// file or the whole new one, never a part.
///
/// # Errors
/// The I/O error; the temporary file is removed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name =
        path.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
    let mut tag = [0u8; 8];
    rand_core::Rng::fill_bytes(&mut crate::platform::os_rng(), &mut tag);
    let tmp = dir.join(format!(".{}.{:016x}.tmp", name.to_string_lossy(), u64::from_le_bytes(tag)));
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        // The rename itself is durable only once the folder is.
        #[cfg(unix)]
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Why a private file was refused.
#[derive(Debug)]
#[non_exhaustive]
pub enum PrivateFileError {
    /// Its group or others may read or write it (Unix permission bits).
    TooOpen {
        /// The permission bits.
        mode: u32,
    },
    /// It could not be read.
    Io(io::Error),
}

impl core::fmt::Display for PrivateFileError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            PrivateFileError::TooOpen { mode } => {
                write!(f, "accessible by others (mode {mode:o}); only its owner may read it (chmod 600)")
            }
            PrivateFileError::Io(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for PrivateFileError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            PrivateFileError::TooOpen { .. } => None,
            PrivateFileError::Io(e) => Some(e),
        }
    }
}

/// Reads a file that only its owner may access; the bytes are wiped when dropped.
///
/// # Errors
/// [`PrivateFileError::TooOpen`] for a file its group or others can access,
/// [`PrivateFileError::Io`] if it cannot be read.
pub fn read_private(path: &Path) -> Result<Zeroizing<Vec<u8>>, PrivateFileError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_err(PrivateFileError::Io)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(PrivateFileError::TooOpen { mode });
        }
    }
    // Sized from the file's length up front, so no reallocation leaves a copy behind.
    let len = std::fs::metadata(path).map_err(PrivateFileError::Io)?.len();
    let mut bytes = Zeroizing::new(Vec::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1)));
    std::io::Read::read_to_end(&mut std::fs::File::open(path).map_err(PrivateFileError::Io)?, &mut bytes)
        .map_err(PrivateFileError::Io)?;
    Ok(bytes)
}

/// Creates `path` and any missing parents, each owner-only (mode 700 on Unix).
///
/// # Errors
/// The I/O error.
pub fn create_private_dir_all(path: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// Opens `path` for appending, creating it owner-only (mode 600 on Unix) if missing.
///
/// # Errors
/// The I/O error.
pub fn open_private_append(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// `Ok` if neither the group nor others may access `path` (a file or a folder), as ssh
/// requires of its keys and folders.
///
/// # Errors
/// [`PrivateFileError::TooOpen`] with its mode, [`PrivateFileError::Io`] if it cannot be read.
pub fn check_private(path: &Path) -> Result<(), PrivateFileError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            std::fs::symlink_metadata(path).map_err(PrivateFileError::Io)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(PrivateFileError::TooOpen { mode });
        }
    }
    #[cfg(not(unix))]
    std::fs::symlink_metadata(path).map_err(PrivateFileError::Io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_files_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(read_private(&path).unwrap().as_slice(), b"second");
        // Nothing but the file itself is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
            assert!(matches!(read_private(&path), Err(PrivateFileError::TooOpen { mode: 0o640 })));
        }
        assert!(write_atomic(&dir.path().join("missing/secret"), b"x").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn folders_and_appended_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        create_private_dir_all(&nested).unwrap();
        for path in [dir.path().join("a"), nested.clone()] {
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o700);
            check_private(&path).unwrap();
        }
        let log = nested.join("log");
        open_private_append(&log).unwrap();
        assert_eq!(std::fs::metadata(&log).unwrap().permissions().mode() & 0o777, 0o600);
        std::fs::set_permissions(&nested, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(matches!(check_private(&nested), Err(PrivateFileError::TooOpen { mode: 0o755 })));
    }
}
