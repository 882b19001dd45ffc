//! Real servers for signet's tests: throwaway Redis, PostgreSQL and `signet serve` instances on
//! free loopback ports, stopped when dropped, and the small helpers the tests of several crates
//! share. A missing server binary fails the test with the Debian package to install; nothing is
//! skipped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod cluster;
mod process;

pub use cluster::RedisCluster;
pub use process::{free_port, server_binary, wait_for};

use core::net::SocketAddr;
use core::time::Duration;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Instant;

/// A `redis-server` on a free loopback port: without persistence, or with the settings given.
pub struct RedisServer {
    pub port: u16,
    child: Option<Child>,
    dir: tempfile::TempDir,
    persistence: Vec<String>,
}

impl RedisServer {
    /// No persistence (`--save '' --appendonly no`): a restart starts empty.
    pub fn start() -> Self {
        Self::start_with(&["--save", "", "--appendonly", "no"])
    }

    /// With these persistence settings (e.g. `--appendonly yes --appendfsync everysec`); its
    /// folder is kept across restarts.
    pub fn start_with(persistence: &[&str]) -> Self {
        let mut server = RedisServer {
            port: free_port(),
            child: None,
            dir: tempfile::tempdir().unwrap(),
            persistence: persistence.iter().map(|&a| a.to_owned()).collect(),
        };
        server.restart();
        server
    }

    /// Stops it with SIGTERM (Redis writes what its persistence keeps) and waits.
    pub fn terminate(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            let _ = child.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Its data folder (`--dir`), kept across restarts.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Sends one inline command (e.g. `SAVE`) and returns the first line of the answer.
    pub fn command(&self, line: &str) -> String {
        redis_inline(self.port, line)
    }

    /// Starts it (again) on the same port.
    pub fn restart(&mut self) {
        self.stop();
        let binary = server_binary("redis-server", &["/usr/bin", "/usr/local/bin"], "redis-server");
        let child = Command::new(binary)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(&self.persistence)
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        let port = self.port;
        wait_for("redis-server", Duration::from_secs(10), || redis_ping(port));
    }

    /// Stops it with SIGKILL (the port then refuses connections; what it did not persist is
    /// lost).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One inline command to the Redis on `port`; the first line of its answer (empty on failure).
fn redis_inline(port: u16, line: &str) -> String {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return String::new() };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    if stream.write_all(format!("{line}\r\n").as_bytes()).is_err() {
        return String::new();
    }
    let mut answer = String::new();
    let _ = BufReader::new(stream).read_line(&mut answer);
    answer.trim_end().to_owned()
}

fn redis_ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut answer = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok() && stream.read_exact(&mut answer).is_ok() && &answer == b"+PONG\r\n"
}

/// A `signet serve` process; stderr lines are collected for the tests to read.
pub struct SignetServer {
    pub addr: SocketAddr,
    child: Option<Child>,
    lines: mpsc::Receiver<String>,
    pub log: Vec<String>,
}

impl SignetServer {
    /// Starts `BINARY serve --listen 127.0.0.1:0 --data DATA ARGS…` (`binary` is the `signet`
    /// command: `env!("CARGO_BIN_EXE_signet")` in signet-cli's tests) and waits for its address.
    pub fn start(binary: &str, data: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        Self::start_at(binary, "127.0.0.1:0", data, args, env)
    }

    /// [`SignetServer::start`] on a given address (to come back on the same port).
    ///
    /// An existing `data` folder is first made owner-only (mode 700), as an operator would:
    /// `signet serve` refuses a folder others can read, and `tempfile::tempdir()` makes them
    /// with the process's umask. A missing one is a first start: `--init` is passed.
    pub fn start_at(binary: &str, listen: &str, data: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        #[cfg(unix)]
        if data.is_dir() {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(data, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let first_start: &[&str] = if data.exists() { &[] } else { &["--init"] };
        let mut child = Command::new(binary)
            .args(["serve", "--listen", listen, "--data"])
            .arg(data)
            .args(first_start)
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start signet serve");
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server =
            SignetServer { addr: "127.0.0.1:0".parse().unwrap(), child: Some(child), lines, log: Vec::new() };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let line = server
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("signet serve did not start: {:?}", server.log));
            server.log.push(line.clone());
            if let Some(addr) = line.strip_prefix("signet serve: listening on http://") {
                server.addr = addr.trim().parse().unwrap();
                return server;
            }
        }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Resident memory of the process now, in KiB (`VmRSS` of `/proc/PID/status`).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/PID/status")
    }

    /// Lines written so far.
    pub fn drain_log(&mut self) -> &[String] {
        while let Ok(line) = self.lines.try_recv() {
            self.log.push(line);
        }
        &self.log
    }

    /// Sends a signal (`TERM`, `KILL`, …) and waits for the exit status.
    pub fn signal(&mut self, signal: &str) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        let status =
            Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let exit = child.wait().unwrap();
        self.drain_log();
        exit
    }
}

impl Drop for SignetServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The value of the metric line starting with `name_and_labels` (name, labels, then a space) in
/// a Prometheus text scrape; 0 when absent.
pub fn metric(text: &str, name_and_labels: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name_and_labels).and_then(|rest| rest.trim().parse().ok()))
        .unwrap_or(0.0)
}

/// One HTTP request with `ureq`, returning status and body.
pub fn request(method: &str, url: &str, authorization: Option<&str>, body: Option<&str>) -> (u16, String) {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .new_agent();
    let mut response = match method {
        "GET" => {
            let mut r = agent.get(url);
            if let Some(a) = authorization {
                r = r.header("Authorization", a);
            }
            r.call()
        }
        _ => {
            let mut r = agent.post(url).header("Content-Type", "application/json");
            if let Some(a) = authorization {
                r = r.header("Authorization", a);
            }
            r.send(body.unwrap_or("{}"))
        }
    }
    .unwrap();
    let status = response.status().as_u16();
    (status, response.body_mut().read_to_string().unwrap())
}

/// Whether this process runs as root (servers that refuse root, PostgreSQL, then run as
/// another user).
pub fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A throwaway PostgreSQL cluster (`initdb` + `pg_ctl`) on a free loopback port, trusting
/// local connections; run as the `postgres` user when the tests run as root.
pub struct PostgresServer {
    pub port: u16,
    dir: tempfile::TempDir,
    bin: PathBuf,
    running: bool,
}

impl PostgresServer {
    pub fn start() -> Self {
        let initdb = server_binary(
            "initdb",
            &["/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"],
            "postgresql",
        );
        let bin = initdb.parent().unwrap().to_owned();
        let dir = tempfile::tempdir().unwrap();
        if running_as_root() {
            let status =
                Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir.path()).status().unwrap();
            assert!(status.success(), "chown the PostgreSQL folder to the postgres user");
        }
        let mut server = PostgresServer { port: free_port(), dir, bin, running: false };
        let data = server.dir.path().join("data");
        let out = server
            .command("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
            .output()
            .unwrap();
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        server.restart();
        server
    }

    fn command(&self, name: &str) -> Command {
        let program = self.bin.join(name);
        if running_as_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts it (again) on the same port and data.
    pub fn restart(&mut self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        let out = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-o", &options, "-l"])
            .arg(self.dir.path().join("log"))
            .args(["-w", "-t", "30", "start"])
            .output()
            .unwrap();
        assert!(out.status.success(), "pg_ctl start: {}", String::from_utf8_lossy(&out.stderr));
        self.running = true;
    }

    /// Stops it (connections are then refused).
    pub fn stop(&mut self) {
        if self.running {
            let _ = self
                .command("pg_ctl")
                .arg("-D")
                .arg(self.dir.path().join("data"))
                .args(["-m", "immediate", "-w", "stop"])
                .output();
            self.running = false;
        }
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Serves `app` on a free loopback port from a background runtime; returns the base URL.
pub fn serve_router(app: axum::Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    base
}

/// One end of an in-memory duplex byte stream (a host and a device on two threads).
pub struct End {
    tx: mpsc::Sender<Vec<u8>>,
    rx: mpsc::Receiver<Vec<u8>>,
    pending: Vec<u8>,
}

/// Two connected ends.
pub fn duplex() -> (End, End) {
    let (a_tx, b_rx) = mpsc::channel();
    let (b_tx, a_rx) = mpsc::channel();
    (End { tx: a_tx, rx: a_rx, pending: Vec::new() }, End { tx: b_tx, rx: b_rx, pending: Vec::new() })
}

impl Read for End {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() {
            match self.rx.recv() {
                Ok(bytes) => self.pending = bytes,
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

impl Write for End {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tx.send(buf.to_vec()).map_err(|_| std::io::ErrorKind::BrokenPipe)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `op(i)` for `i` in `0..n` on `n` threads released together (a barrier), each with a
/// runtime of its own; the outcomes in order.
pub fn at_once<T: Send + 'static>(
    n: usize,
    op: impl Fn(usize, &tokio::runtime::Runtime) -> T + Send + Sync + 'static,
) -> Vec<T> {
    let op = std::sync::Arc::new(op);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(n));
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let (op, barrier) = (std::sync::Arc::clone(&op), std::sync::Arc::clone(&barrier));
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                barrier.wait();
                op(i, &runtime)
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

/// Runs `future` on a runtime of its own: the store tests call async stores from plain threads.
pub fn block<F: core::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

/// The repository's README, whose Rust snippets run as this crate's doctests (so the examples
/// people read first are compiled and run like every crate's own).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The pages under `docs/`: any Rust snippet in them runs as a doctest too.
#[cfg(doctest)]
#[doc = include_str!("../../docs/server.md")]
#[doc = include_str!("../../docs/security.md")]
#[doc = include_str!("../../docs/performance.md")]
#[doc = include_str!("../../docs/device.md")]
#[doc = include_str!("../../docs/testing.md")]
#[doc = include_str!("../../docs/redis.md")]
#[doc = include_str!("../../docs/python.md")]
#[doc = include_str!("../../docs/pico.md")]
#[doc = include_str!("../../ARCHITECTURE.md")]
pub struct DocsDoctests;
