//! The data folder: created owner-only, and refused (as ssh refuses its folders and keys) when
//! anything in it is open to other users of the machine. It holds the key registry with the
//! sealed Bitzoom secrets, the secrets key, the JWT secret, the replay journal and the admin
//! socket.

use std::path::Path;

use signet_std::private_file::{PrivateFileError, check_private, create_private_dir_all};

use crate::serve::error::ServeError;

/// What a data folder held when a server started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// Nothing: a new or empty folder (a first start).
    Nothing,
    /// Files of an earlier start.
    Files,
}

/// Checks the data folder and everything in it (recursively, links not followed) is
/// owner-only, and says whether it held anything. A missing folder is made (mode 700) only for
/// a `first_start` (`signet serve --init`): otherwise a mistyped path would quietly become a
/// new, empty server.
///
/// # Errors
/// [`ServeError::Config`] for a missing folder without `first_start`, or naming the first path
/// open to others and the `chmod` that closes it; [`ServeError::Io`] if the folder cannot be
/// made or read.
pub fn prepare(data: &Path, first_start: bool) -> Result<Found, ServeError> {
    if !data.exists() {
        if !first_start {
            return Err(ServeError::Config(format!(
                "data folder {} does not exist: check --data, or start with --init to make it (a first start)",
                data.display()
            )));
        }
        create_private_dir_all(data)
            .map_err(|e| ServeError::io(format!("data folder {}", data.display()), e))?;
    }
    let mut entries =
        std::fs::read_dir(data).map_err(|e| ServeError::io(format!("data folder {}", data.display()), e))?;
    let found = if entries.next().is_some() { Found::Files } else { Found::Nothing };
    let mut pending = vec![data.to_path_buf()];
    while let Some(path) = pending.pop() {
        check(&path)?;
        let meta =
            std::fs::symlink_metadata(&path).map_err(|e| ServeError::io(path.display().to_string(), e))?;
        if meta.is_dir() {
            let entries =
                std::fs::read_dir(&path).map_err(|e| ServeError::io(path.display().to_string(), e))?;
            for entry in entries {
                pending.push(entry.map_err(|e| ServeError::io(path.display().to_string(), e))?.path());
            }
        }
    }
    Ok(found)
}

fn check(path: &Path) -> Result<(), ServeError> {
    match check_private(path) {
        Ok(()) => Ok(()),
        Err(PrivateFileError::TooOpen { mode }) => {
            let is_dir = path.is_dir();
            Err(ServeError::Config(format!(
                "{} is open to other users (mode {mode:o}); it holds keys and secrets: run `chmod {} {}`",
                path.display(),
                if is_dir { "700" } else { "600" },
                path.display()
            )))
        }
        Err(PrivateFileError::Io(e)) => Err(ServeError::io(path.display().to_string(), e)),
        Err(e) => Err(ServeError::Config(format!("{}: {e}", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_new_folder_is_private_and_anything_open_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        assert!(prepare(&data, false).unwrap_err().to_string().contains("does not exist"));
        assert!(!data.exists(), "made without --init");
        assert_eq!(prepare(&data, true).unwrap(), Found::Nothing);
        assert_eq!(std::fs::metadata(&data).unwrap().permissions().mode() & 0o777, 0o700);
        let file = data.join("keys.redb");
        std::fs::write(&file, b"x").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let refused = prepare(&data, false).unwrap_err().to_string();
        assert!(refused.contains("keys.redb") && refused.contains("chmod 600"), "{refused}");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(prepare(&data, false).unwrap_err().to_string().contains("chmod 700"));
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(prepare(&data, false).unwrap(), Found::Files);
    }
}
