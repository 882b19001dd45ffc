//! HTTP load benchmark: `signet serve` with the memory store, with one Redis, with a Redis
//! master and replica and `--replay-redis-replicas 1` (each token waits for the replica's
//! acknowledgement), with a six-node Redis Cluster (with and without `WAIT`), a
//! straightforward axum + `verify_strict` + `Mutex<HashMap>` server, and a Go net/http +
//! crypto/ed25519 server (`benches/go-peer`), one after the other in one run, on loopback.
//! Each gets freshly registered keys and tokens pre-minted before the clock starts (all unique
//! and valid), sent as `GET /auth` over keep-alive connections for a fixed time, by wrk
//! (default) or an in-process hyper client. Prints accepted tokens a second, refusals, p50 and
//! p99 latency, the **server's CPU per accepted token** (from /proc) against a raw
//! `verify_strict` measured in the same run on the same backend, and the ratios the docs quote.
//!
//! Tokens are valid for 300 s after their `ts` (and 60 s before it), so for runs longer than
//! that the tokens of each 60-second slot of the run are stamped with that slot's middle and
//! sent only during it: every token is fresh when sent, however long the run.
//!
//! ```text
//! cargo build --release -p signet-cli --bin signet -p signet-benches --bin loadbench --bin baseline_server
//! target/release/loadbench --duration 20 --servers memory,redis,baseline,go
//! target/release/loadbench --generator hyper --duration 380      # longer than the 300 s window
//! target/release/loadbench --pin --servers memory,baseline,go    # servers on CPU 0, wrk on the rest
//! ```

use core::net::SocketAddr;
use core::sync::atomic::{AtomicUsize, Ordering};
use core::time::Duration;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use signet_core::eth::WalletKey;
use signet_core::turbine::{Claims, IssuedApiKey, KeyId, MAX_TOKEN_LEN, PreparedSigningKey, mint};
use signet_core::{Clock, UnixTime};
use signet_std::{SystemClock, TurbineClient, os_rng};

mod cpu;
mod wrk;

/// Load benchmark of `signet serve` against a straightforward verifier.
#[derive(Parser)]
struct Args {
    /// Servers to run, in order: memory, redis, redis-wait, cluster, cluster-wait, baseline, go.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "memory,redis,redis-wait,cluster,cluster-wait,baseline,go"
    )]
    servers: Vec<String>,
    /// What sends the load: `wrk` (2 threads; runs up to 240 s) or `hyper` (one thread of this
    /// process; any length).
    #[arg(long, default_value = "wrk")]
    generator: String,
    /// Seconds of load per server.
    #[arg(long, default_value_t = 60)]
    duration: u64,
    /// Keep-alive connections.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Highest rate the tokens are minted for, per second (each 60-second slot gets 60 times
    /// this many); more than the machine verifies.
    #[arg(long, default_value_t = 80_000)]
    max_rate: usize,
    /// API keys the tokens are spread over.
    #[arg(long, default_value_t = 16)]
    keys: usize,
    /// `--replay-capacity` of the signet servers (enough for the max rate over the window).
    #[arg(long, default_value_t = 16 << 20)]
    replay_capacity: usize,
    /// `--log-level` of the signet servers (`info`, the default, logs every request).
    #[arg(long, default_value = "info")]
    log_level: String,
    /// The `signet` binary.
    #[arg(long, default_value = "target/release/signet")]
    signet: PathBuf,
    /// The baseline server binary.
    #[arg(long, default_value = "target/release/baseline_server")]
    baseline: PathBuf,
    /// The Go peer's source folder (built with `go build`; Debian package golang-go).
    #[arg(long, default_value = "benches/go-peer")]
    go_peer: PathBuf,
    /// Also sample each server with `perf record -e cpu-clock -g` into `<DIR>/<server>.data`.
    #[arg(long, value_name = "DIR")]
    profile: Option<PathBuf>,
    /// Give the server CPU 0 and the load generator (and Redis) the others (`taskset`), so the
    /// client's work and wake-ups are not charged to the server; each server then runs one
    /// worker (Go: GOMAXPROCS 1), as it sizes itself by the CPUs it may use.
    #[arg(long)]
    pin: bool,
}

/// The CPUs the servers get with `--pin`, and those the client and Redis get.
const SERVER_CPUS: &str = "0";

/// `program` as a command, run on `cpus` (through `taskset`, util-linux) when given.
fn command(program: impl AsRef<std::ffi::OsStr>, cpus: Option<&str>) -> Command {
    match cpus {
        Some(cpus) => {
            let mut command = Command::new("taskset");
            command.args(["-c", cpus]).arg(program);
            command
        }
        None => Command::new(program),
    }
}

/// The CPUs the client gets with `--pin`: all but the servers'.
fn client_cpus() -> String {
    let n = std::thread::available_parallelism().map_or(2, usize::from);
    if n < 2 { SERVER_CPUS.to_owned() } else { format!("1-{}", n - 1) }
}

type Error = Box<dyn core::error::Error>;

/// A child process killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `command` and waits for a line `<prefix>http://ADDR` on the stream it writes to.
fn start(mut command: Command, prefix: &str, on_stderr: bool) -> Result<(Process, SocketAddr), Error> {
    if on_stderr {
        command.stderr(Stdio::piped()).stdout(Stdio::null());
    } else {
        command.stdout(Stdio::piped()).stderr(Stdio::null());
    }
    let mut child = command.spawn()?;
    let stream: Box<dyn std::io::Read + Send> = if on_stderr {
        Box::new(child.stderr.take().ok_or("no stderr")?)
    } else {
        Box::new(child.stdout.take().ok_or("no stdout")?)
    };
    let process = Process(child);
    let mut lines = BufReader::new(stream).lines();
    let addr = loop {
        let line = lines.next().ok_or("server exited before listening")??;
        if let Some(addr) = line.strip_prefix(prefix) {
            break addr.trim().parse()?;
        }
    };
    // Keep reading (and discarding) so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Ok((process, addr))
}

/// Waits until the Redis on `port` has `replicas` replicas in sync.
fn wait_for_replicas(port: u16, replicas: usize) -> Result<(), Error> {
    for _ in 0..500 {
        let out =
            Command::new("redis-cli").args(["-p", &port.to_string(), "INFO", "replication"]).output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        if text.lines().filter(|l| l.starts_with("slave") && l.contains("state=online")).count() >= replicas {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err("the replica did not come online".into())
}

fn redis_server() -> Result<(Process, u16), Error> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("redis-server (Debian package redis-server): {e}"))?;
    let process = Process(child);
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok((process, port));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err("redis-server did not start".into())
}

/// Mints `count` unique bearer headers for `key`, on every core.
/// Seconds each slot of pre-minted tokens is sent during.
const SLOT_SECS: u64 = 60;

/// Tokens for each 60-second slot of a run starting at `start`, stamped with the slot's
/// middle, spread over `keys`, minted on every core.
fn mint_slots(
    keys: &[(KeyId, PreparedSigningKey)],
    start: UnixTime,
    slots: usize,
    per_slot: usize,
) -> Vec<Vec<String>> {
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    (0..slots)
        .map(|slot| {
            let offset = slot as u64 * SLOT_SECS + SLOT_SECS / 2;
            let ts = start.saturating_add_secs(i64::try_from(offset).unwrap_or(0));
            std::thread::scope(|scope| {
                let parts: Vec<_> = (0..threads)
                    .map(|t| {
                        scope.spawn(move || {
                            let mut rng = os_rng();
                            (t..per_slot)
                                .step_by(threads)
                                .filter_map(|i| keys.get(i % keys.len()))
                                .map(|(kid, signer)| {
                                    let claims = Claims::generate(kid.clone(), ts, &mut rng);
                                    let mut buf = [0u8; MAX_TOKEN_LEN];
                                    format!("Bearer {}", mint(signer, &claims, &mut buf).unwrap_or_default())
                                })
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                parts.into_iter().flat_map(|p| p.join().unwrap_or_default()).collect()
            })
        })
        .collect()
}

/// What one run measured.
#[derive(Default)]
struct Outcome {
    accepted: usize,
    refusals: BTreeMap<String, usize>,
    latencies_us: Vec<u32>,
    /// Percentiles as wrk reports them (the hyper generator keeps every latency instead).
    p50_ms: Option<f64>,
    p99_ms: Option<f64>,
    elapsed: Duration,
    exhausted: bool,
    /// The server process's CPU time (user and system) during the load.
    server_cpu: Option<Duration>,
}

impl Outcome {
    fn rate(&self) -> f64 {
        self.accepted as f64 / self.elapsed.as_secs_f64()
    }

    /// Server CPU microseconds per accepted token.
    fn cpu_us(&self) -> Option<f64> {
        let cpu = self.server_cpu?;
        (self.accepted > 0).then(|| cpu.as_secs_f64() * 1e6 / self.accepted as f64)
    }

    fn percentile(&self, p: f64) -> f64 {
        let reported = if p < 0.9 { self.p50_ms } else { self.p99_ms };
        if let Some(ms) = reported {
            return ms;
        }
        let n = self.latencies_us.len();
        if n == 0 {
            return 0.0;
        }
        let index = ((n as f64 * p).ceil() as usize).clamp(1, n) - 1;
        f64::from(self.latencies_us.get(index).copied().unwrap_or(0)) / 1000.0
    }
}

/// The pre-minted tokens of a run and a cursor per slot.
struct Schedule {
    slots: Vec<Vec<String>>,
    cursors: Vec<AtomicUsize>,
    started: Instant,
}

impl Schedule {
    /// The next token of the current slot, `None` once the run is past its slots or the
    /// current slot has run out.
    fn next(&self) -> Option<&str> {
        let slot = usize::try_from(self.started.elapsed().as_secs() / SLOT_SECS).ok()?;
        let index = self.cursors.get(slot)?.fetch_add(1, Ordering::Relaxed);
        self.slots.get(slot)?.get(index).map(String::as_str)
    }
}

async fn connection(
    addr: SocketAddr,
    schedule: Arc<Schedule>,
    deadline: Instant,
) -> Result<Outcome, Box<dyn core::error::Error + Send + Sync>> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut out = Outcome::default();
    while Instant::now() < deadline {
        let Some(header) = schedule.next() else {
            out.exhausted = true;
            break;
        };
        let request = hyper::Request::get("/auth")
            .header("host", addr.to_string())
            .header("authorization", header)
            .body(Empty::<Bytes>::new())?;
        let started = Instant::now();
        let response = sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        out.latencies_us.push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
        if status.is_success() {
            out.accepted += 1;
        } else {
            let text = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
                .unwrap_or_default();
            *out.refusals.entry(format!("{} {text}", status.as_u16())).or_default() += 1;
        }
    }
    Ok(out)
}

/// Sends the slots' tokens to `addr` over `connections` keep-alive connections for
/// `duration`, starting at `start` (the time the first slot is stamped from).
fn load(
    addr: SocketAddr,
    slots: Vec<Vec<String>>,
    start: UnixTime,
    connections: usize,
    duration: Duration,
) -> Result<Outcome, Error> {
    // One thread for the generator, so the server keeps the rest of the machine.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async move {
        let wait = start.saturating_secs_since(SystemClock.now());
        tokio::time::sleep(Duration::from_secs(u64::try_from(wait).unwrap_or(0))).await;
        let started = Instant::now();
        let cursors = slots.iter().map(|_| AtomicUsize::new(0)).collect();
        let schedule = Arc::new(Schedule { slots, cursors, started });
        let deadline = started + duration;
        let tasks: Vec<_> = (0..connections)
            .map(|_| tokio::spawn(connection(addr, Arc::clone(&schedule), deadline)))
            .collect();
        let mut total = Outcome::default();
        for task in tasks {
            let part = task.await?.map_err(|e| e.to_string())?;
            total.accepted += part.accepted;
            total.exhausted |= part.exhausted;
            total.latencies_us.extend(part.latencies_us);
            for (text, n) in part.refusals {
                *total.refusals.entry(text).or_default() += n;
            }
        }
        total.elapsed = started.elapsed();
        total.latencies_us.sort_unstable();
        Ok(total)
    })
}

/// Runs one server: start it, get keys, mint, load.
fn bench(name: &str, args: &Args) -> Result<Outcome, Error> {
    let data = tempfile_dir()?;
    let mut keep_alive: Vec<Box<dyn core::any::Any>> = Vec::new();
    let (server, addr, keys) = match name {
        "memory" | "redis" | "redis-wait" | "cluster" | "cluster-wait" => {
            let mut command = command(&args.signet, args.pin.then_some(SERVER_CPUS));
            command.args(["serve", "--listen", "127.0.0.1:0", "--data"]).arg(&data);
            command.args([
                "--log-level",
                &args.log_level,
                "--replay-capacity",
                &args.replay_capacity.to_string(),
            ]);
            match name {
                "redis" => {
                    let (redis, port) = redis_server()?;
                    keep_alive.push(Box::new(redis));
                    command.args(["--replay-store", &format!("redis://127.0.0.1:{port}/")]);
                }
                "redis-wait" => {
                    let master = signet_testing::RedisServer::start();
                    let port = master.port.to_string();
                    let replica = signet_testing::RedisServer::start_with(&[
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--replicaof",
                        "127.0.0.1",
                        &port,
                    ]);
                    command.args(["--replay-store", &master.url()]);
                    command.args(["--replay-redis-replicas", "1", "--replay-redis-wait-ms", "1000"]);
                    wait_for_replicas(master.port, 1)?;
                    keep_alive.push(Box::new((master, replica)));
                }
                "cluster" | "cluster-wait" => {
                    let cluster = signet_testing::RedisCluster::start();
                    command.args(["--replay-store", &cluster.url(), "--replay-timeout-ms", "1000"]);
                    if name == "cluster-wait" {
                        command.args(["--replay-redis-replicas", "1", "--replay-redis-wait-ms", "1000"]);
                    }
                    keep_alive.push(Box::new(cluster));
                }
                _ => {}
            }
            let (server, addr) = start(command, "signet serve: listening on http://", true)?;
            let client = TurbineClient::new(&format!("http://{addr}"));
            let keys = (0..args.keys.max(1))
                .map(|_| {
                    let api =
                        client.register_api_key(&WalletKey::generate(&mut os_rng()), Some("loadbench"))?;
                    Ok((api.key_id.clone(), PreparedSigningKey::new(&api.secret.signing_key())))
                })
                .collect::<Result<Vec<_>, signet_std::ClientError>>()?;
            (server, addr, keys)
        }
        "baseline" | "go" => {
            let issued: Vec<_> =
                (0..args.keys.max(1)).map(|_| IssuedApiKey::generate(&mut os_rng())).collect();
            let cpus = args.pin.then_some(SERVER_CPUS);
            let mut command = if name == "go" {
                command(go_peer(&args.go_peer)?, cpus)
            } else {
                command(&args.baseline, cpus)
            };
            command.arg("127.0.0.1:0");
            for key in &issued {
                command.args([key.kid.as_str(), &hex::encode(key.secret.verifying_key().as_bytes())]);
            }
            let (server, addr) = start(command, "listening on http://", false)?;
            let keys = issued
                .iter()
                .map(|k| (k.kid.clone(), PreparedSigningKey::new(&k.secret.signing_key())))
                .collect();
            (server, addr, keys)
        }
        other => return Err(format!("unknown server {other}").into()),
    };
    let use_wrk = args.generator == "wrk";
    if use_wrk && args.duration > 240 {
        return Err("wrk runs send tokens of one time stamp: at most 240 s (or --generator hyper)".into());
    }
    let slots = if use_wrk { 1 } else { usize::try_from(args.duration.div_ceil(SLOT_SECS))?.max(1) };
    let per_slot =
        args.max_rate * usize::try_from(if use_wrk { args.duration } else { SLOT_SECS.min(args.duration) })?;
    // Time to mint, measured on a sample, with room to spare: the run starts after it.
    let sample = Instant::now();
    mint_slots(&keys, SystemClock.now(), 1, 2_000);
    let estimate = sample.elapsed().as_secs_f64() * (slots * per_slot) as f64 / 2_000.0;
    let start = SystemClock.now().saturating_add_secs(estimate.mul_add(1.3, 3.0) as i64);
    let minting = Instant::now();
    let tokens = mint_slots(&keys, start, slots, per_slot);
    eprintln!(
        "loadbench {name}: {} tokens over {} keys minted in {:.1} s; loading {addr} for {} s",
        slots * per_slot,
        keys.len(),
        minting.elapsed().as_secs_f64(),
        args.duration
    );
    let perf = match &args.profile {
        Some(dir) => Some(Process({
            // perf fails quietly (its output is discarded) when the folder is missing.
            std::fs::create_dir_all(dir)?;
            Command::new("perf")
                .args(["record", "-e", "cpu-clock", "-g", "-p", &server.0.id().to_string(), "-o"])
                .arg(dir.join(format!("{name}.data")))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()?
        })),
        None => None,
    };
    let pid = server.0.id();
    let duration = Duration::from_secs(args.duration);
    let mut outcome = if use_wrk {
        let dir = tempfile_dir()?;
        wrk::prepare(&dir, tokens.first().map_or(&[][..], Vec::as_slice))?;
        drop(tokens);
        let before = cpu::process(pid);
        let cpus = args.pin.then(client_cpus);
        let outcome = wrk::run(addr, &dir, args.connections, duration, cpus.as_deref());
        let after = cpu::process(pid);
        let _ = std::fs::remove_dir_all(&dir);
        let mut outcome = outcome?;
        outcome.server_cpu = after.zip(before).and_then(|(a, b)| a.checked_sub(b));
        outcome
    } else {
        let before = cpu::process(pid);
        let mut outcome = load(addr, tokens, start, args.connections, duration)?;
        outcome.server_cpu = cpu::process(pid).zip(before).and_then(|(a, b)| a.checked_sub(b));
        outcome
    };
    outcome.latencies_us.shrink_to_fit();
    if let Some(mut perf) = perf {
        // perf writes its file on SIGINT.
        let _ = Command::new("kill").args(["-INT", &perf.0.id().to_string()]).status();
        let _ = perf.0.wait();
    }
    drop(server);
    drop(keep_alive);
    let _ = std::fs::remove_dir_all(&data);
    Ok(outcome)
}

/// Builds the Go peer into the target folder; its path.
fn go_peer(source: &std::path::Path) -> Result<PathBuf, Error> {
    let out = std::env::current_dir()?.join("target").join("go-peer");
    let status = Command::new("go")
        .args(["build", "-o"])
        .arg(&out)
        .arg(".")
        .current_dir(source)
        .status()
        .map_err(|e| format!("go (Debian package golang-go): {e}"))?;
    if !status.success() {
        return Err("go build of the Go peer failed".into());
    }
    Ok(out)
}

fn tempfile_dir() -> Result<PathBuf, Error> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos();
    let dir = std::env::temp_dir().join(format!("loadbench-{}-{nanos}", std::process::id()));
    // Owner-only: signet serve refuses a data folder others can read.
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&dir)?;
    Ok(dir)
}

fn main() -> Result<(), Error> {
    let args = Args::parse();
    let mut results = Vec::new();
    let mut exhausted = false;
    for name in &args.servers {
        let outcome = bench(name, &args)?;
        if outcome.exhausted {
            exhausted = true;
            eprintln!("loadbench {name}: ran out of pre-minted tokens in a slot; pass a larger --max-rate");
        }
        results.push((name.clone(), outcome));
    }
    // The floor, measured now on this CPU with the backend the servers use.
    let raw = cpu::raw_verify_us(20_000).ok_or("the raw verification failed")?;
    let backend = signet_std::Ed25519Backend::detect();
    println!(
        "\n{} s per server, {} keep-alive connections ({}), {} keys, GET /auth with a fresh valid token each; signet serve --log-level {}",
        args.duration,
        args.connections,
        if args.generator == "wrk" { "wrk, 2 threads" } else { "hyper, 1 thread" },
        args.keys,
        args.log_level
    );
    println!(
        "raw ed25519-dalek verify_strict of a token's payload, one thread, {backend} backend: {raw:.2} µs CPU\n"
    );
    println!(
        "| server | accepted tokens/s | refused | p50 latency | p99 latency | server CPU per accepted token | / raw verify_strict |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|");
    for (name, o) in &results {
        let refused = if o.refusals.is_empty() {
            "none".to_owned()
        } else {
            o.refusals.iter().map(|(t, n)| format!("{t}: {n}")).collect::<Vec<_>>().join("; ")
        };
        let label = match name.as_str() {
            "memory" => "signet serve, memory store",
            "redis" => "signet serve, Redis store",
            "redis-wait" => "signet serve, Redis + replica, --replay-redis-replicas 1",
            "cluster" => "signet serve, Redis Cluster (3 masters, 3 replicas)",
            "cluster-wait" => "signet serve, Redis Cluster, --replay-redis-replicas 1",
            "go" => "Go net/http + crypto/ed25519 (benches/go-peer)",
            _ => "baseline: axum + verify_strict + Mutex<HashMap>",
        };
        let cpu = o.cpu_us().map_or_else(|| "-".to_owned(), |us| format!("{us:.1} µs"));
        let ratio = o.cpu_us().map_or_else(|| "-".to_owned(), |us| format!("{:.2}×", us / raw));
        println!(
            "| {label} | {:.0} | {refused} | {:.2} ms | {:.2} ms | {cpu} | {ratio} |",
            o.rate(),
            o.percentile(0.5),
            o.percentile(0.99)
        );
    }
    let find = |n: &str| results.iter().find(|(name, _)| name == n).map(|(_, o)| o);
    let rate = |n: &str| find(n).map(Outcome::rate);
    let cpu_us = |n: &str| find(n).and_then(Outcome::cpu_us);
    println!();
    if let Some(m) = cpu_us("memory") {
        println!("memory store: server CPU per token / raw verify_strict: {:.2}x (target <= 1.25)", m / raw);
    }
    if let Some(r) = cpu_us("redis") {
        println!("Redis store: server CPU per token / raw verify_strict: {:.2}x (target <= 1.6)", r / raw);
    }
    if let (Some(m), Some(g)) = (rate("memory"), rate("go")) {
        println!("memory store / Go peer, tokens/s: {:.2}x (target >= 2)", m / g);
    }
    if let (Some(m), Some(b)) = (rate("memory"), rate("baseline")) {
        println!("memory store / baseline, tokens/s: {:.2}x", m / b);
    }
    for (name, against) in
        [("redis", "memory"), ("redis-wait", "redis"), ("cluster", "redis"), ("cluster-wait", "cluster")]
    {
        if let (Some(a), Some(b)) = (cpu_us(name), cpu_us(against)) {
            println!("{name} / {against}, server CPU per token: {:.2}x", a / b);
        }
    }
    let refused: usize = results.iter().map(|(_, o)| o.refusals.values().sum::<usize>()).sum();
    println!("valid tokens refused: {refused}");
    // A refused valid token is a failure of the server, and running out of tokens makes the
    // rates meaningless: either fails the run (CI's smoke run relies on it).
    if refused > 0 || exhausted {
        return Err(format!("{refused} valid tokens refused; tokens exhausted: {exhausted}").into());
    }
    Ok(())
}
