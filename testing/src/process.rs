//! Finding and waiting for the server processes the tests start.

use core::time::Duration;
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Instant;

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The path of a server binary, or a failure naming the package that provides it.
pub fn server_binary(name: &str, dirs: &[&str], package: &str) -> PathBuf {
    let path_dirs =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect::<Vec<_>>()).unwrap_or_default();
    path_dirs
        .into_iter()
        .chain(dirs.iter().map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!("`{name}` not found: install the Debian package `{package}` (apt-get install {package})")
        })
}

/// Waits until `ready` holds, or fails after `limit`.
pub fn wait_for(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < limit, "{what} did not come up within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
