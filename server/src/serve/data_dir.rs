//! The data folder: created owner-only, and refused (as ssh refuses its folders and keys) when
//! anything in it is open to other users of the machine. It holds the key registry with the
//! sealed Bitzoom secrets, the secrets key, the JWT secret, the replay journal and the admin
//! socket.

use std::path::Path;

use signet_std::private_file::{PrivateFileError, check_private, create_private_dir_all};

use crate::serve::error::ServeError;

/// Creates `data` (mode 700) if missing; then checks the folder and everything in it
/// (recursively, links not followed) is owner-only.
///
/// # Errors
/// [`ServeError::Config`] naming the first path open to others and the `chmod` that closes it;
/// [`ServeError::Io`] if the folder cannot be made or read.
pub fn prepare(data: &Path) -> Result<(), ServeError> {
    if !data.exists() {
        create_private_dir_all(data)
            .map_err(|e| ServeError::io(format!("data folder {}", data.display()), e))?;
    }
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
    Ok(())
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
        prepare(&data).unwrap();
        assert_eq!(std::fs::metadata(&data).unwrap().permissions().mode() & 0o777, 0o700);
        let file = data.join("keys.redb");
        std::fs::write(&file, b"x").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let refused = prepare(&data).unwrap_err().to_string();
        assert!(refused.contains("keys.redb") && refused.contains("chmod 600"), "{refused}");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(prepare(&data).unwrap_err().to_string().contains("chmod 700"));
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
        prepare(&data).unwrap();
    }
}
