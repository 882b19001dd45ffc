//! `signet serve` as a production server, through the built binary over loopback: keep-alive
//! and pipelining under refusals, body and header limits, slow clients, shutdown during a
//! burst, what the logs hold (and never hold), metrics, readiness, secrets at rest, and
//! repeated `Authorization` headers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use core::time::Duration;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Instant;

use signet_core::eth::WalletKey;
use signet_std::{TurbineApiKey, TurbineClient, os_rng};
use support::{RedisServer, SIGNET, SignetServer, metric, request};

fn register(server: &SignetServer) -> TurbineApiKey {
    TurbineClient::new(&server.base())
        .register_api_key(&WalletKey::generate(&mut os_rng()), Some("server-test"))
        .unwrap()
}

/// One HTTP/1.1 response read off a keep-alive connection.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Reads one response (status line, headers, a Content-Length body); `None` at end of stream.
fn read_answer(reader: &mut BufReader<TcpStream>) -> Option<Answer> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let status = line.split_whitespace().nth(1)?.parse().ok()?;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    Some(Answer { status, headers, body: String::from_utf8_lossy(&body).into_owned() })
}

fn post(path: &str, authorization: Option<&str>, body: &str) -> String {
    let auth = authorization.map(|a| format!("Authorization: {a}\r\n")).unwrap_or_default();
    format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn keep_alive_survives_thousands_of_refused_and_accepted_requests_and_pipelining() {
    let dir = tempfile::tempdir().unwrap();
    let server = SignetServer::start(SIGNET, dir.path(), &["--log-level", "warn"], &[]);
    let key = register(&server);
    let stream = TcpStream::connect(server.addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.set_nodelay(true).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let order = r#"{"market":"0x01","side":"buy","size":"1"}"#;
    let (mut refused, mut accepted) = (0, 0);
    for i in 0..3_000 {
        // A refused POST whose body the handler never reads, then now and then an accepted one.
        let valid = i % 10 == 0;
        let header = valid.then(|| TurbineClient::bearer(&key));
        let path = if valid { "/auth" } else { "/api/v1/orders" };
        // Headers and body in two writes, as Python's requests sends them: the body may
        // arrive after the server has answered.
        let request = post(path, header.as_deref(), order);
        let (head, body) = request.split_at(request.len() - order.len());
        writer.write_all(head.as_bytes()).unwrap();
        if i % 2 == 0 {
            std::thread::sleep(Duration::from_micros(300));
        }
        writer.write_all(body.as_bytes()).unwrap();
        let answer =
            read_answer(&mut reader).unwrap_or_else(|| panic!("connection closed under request {i}"));
        assert_ne!(answer.header("connection"), Some("close"), "request {i}");
        match answer.status {
            200 => accepted += 1,
            401 => refused += 1,
            other => panic!("request {i}: {other} {}", answer.body),
        }
    }
    assert_eq!((accepted, refused), (300, 2_700));
    // Twenty requests written before any answer is read: twenty answers, in order.
    let mut burst = String::new();
    for i in 0..20 {
        burst.push_str(&post("/api/v1/orders", None, &format!("{{\"i\":{i}}}")));
    }
    writer.write_all(burst.as_bytes()).unwrap();
    for i in 0..20 {
        let answer = read_answer(&mut reader).unwrap_or_else(|| panic!("pipelined request {i} unanswered"));
        assert_eq!(answer.status, 401, "{answer:?}");
    }
}

#[test]
fn bodies_over_64_kib_get_413_and_headers_over_16_kib_get_431() {
    let dir = tempfile::tempdir().unwrap();
    let server = SignetServer::start(SIGNET, dir.path(), &["--log-level", "warn"], &[]);
    let big = "x".repeat(70 * 1024);
    let (status, body) = request("POST", &format!("{}/api/v1/orders", server.base()), None, Some(&big));
    assert_eq!((status, body.as_str()), (413, r#"{"error":"request body too large"}"#));
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let padding = "a".repeat(20 * 1024);
    stream
        .write_all(format!("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: {padding}\r\n\r\n").as_bytes())
        .unwrap();
    let answer = read_answer(&mut BufReader::new(stream)).unwrap();
    assert_eq!(answer.status, 431);
    // Limits are settings.
    let dir = tempfile::tempdir().unwrap();
    let roomy =
        SignetServer::start(SIGNET, dir.path(), &["--log-level", "warn", "--max-body-bytes", "100000"], &[]);
    assert_eq!(request("POST", &format!("{}/api/v1/orders", roomy.base()), None, Some(&big)).0, 401);
}

#[test]
fn two_thousand_slow_clients_do_not_hold_the_server() {
    rlimit::increase_nofile_limit(u64::MAX).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = SignetServer::start(SIGNET, dir.path(), &["--log-level", "warn"], &[]);
    let started = Instant::now();
    let mut slow = Vec::new();
    for i in 0..2_000 {
        let mut stream = TcpStream::connect(server.addr).unwrap();
        // Half send nothing, half an endless header, a byte at a time.
        if i % 2 == 1 {
            stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").unwrap();
        }
        slow.push(stream);
    }
    for round in 0..5 {
        for stream in slow.iter_mut().skip(1).step_by(2) {
            let _ = stream.write_all(b"a");
        }
        let asked = Instant::now();
        let (status, _) = request("GET", &format!("{}/healthz", server.base()), None, None);
        let took = asked.elapsed();
        assert_eq!(status, 200);
        assert!(took < Duration::from_millis(100), "round {round}: a valid request took {took:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn sigterm_during_a_burst_answers_every_request_sent_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = SignetServer::start(SIGNET, dir.path(), &["--log-level", "warn", "--workers", "2"], &[]);
    let key = Arc::new(register(&server));
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let addr = server.addr;
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let (key, stop, answered) = (Arc::clone(&key), Arc::clone(&stop), Arc::clone(&answered));
            std::thread::spawn(move || -> Result<(), String> {
                let deadline = Instant::now() + Duration::from_secs(15);
                'connect: while Instant::now() < deadline {
                    // Refused at connect: nothing was sent, which is a clean refusal.
                    let Ok(stream) = TcpStream::connect(addr) else { return Ok(()) };
                    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                    let mut writer = stream.try_clone().unwrap();
                    let mut reader = BufReader::new(stream);
                    loop {
                        if stop.load(Ordering::Relaxed) && Instant::now() > deadline {
                            return Ok(());
                        }
                        let request = post("/auth", Some(&TurbineClient::bearer(&key)), "{}");
                        if writer.write_all(request.as_bytes()).is_err() {
                            return Err("the connection broke while sending".into());
                        }
                        let Some(answer) = read_answer(&mut reader) else {
                            return Err(format!(
                                "a request was sent and never answered (stop {}, {} answered)",
                                stop.load(Ordering::Relaxed),
                                answered.load(Ordering::Relaxed)
                            ));
                        };
                        if answer.status != 200 {
                            return Err(format!("refused: {answer:?}"));
                        }
                        answered.fetch_add(1, Ordering::Relaxed);
                        if answer.header("connection") == Some("close") {
                            continue 'connect;
                        }
                    }
                }
                Ok(())
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(700));
    let before = answered.load(Ordering::Relaxed);
    let status = server.signal("TERM");
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.join().unwrap().unwrap();
    }
    assert!(before > 50, "the burst was running ({before} answered)");
    assert!(status.success(), "exit status {status:?}");
    assert!(server.log.iter().any(|l| l.contains("signet serve: stopped")), "{:?}", server.log);
}

#[test]
fn sigterm_closes_idle_keep_alive_connections_and_exits_within_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = SignetServer::start(SIGNET, dir.path(), &["--log-level", "warn", "--workers", "2"], &[]);
    let key = register(&server);
    // Clients that keep their connections open and say nothing more, as pools do.
    let idle: Vec<_> = (0..6)
        .map(|_| {
            let stream = TcpStream::connect(server.addr).unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut writer = stream.try_clone().unwrap();
            let mut reader = BufReader::new(stream);
            writer.write_all(post("/auth", Some(&TurbineClient::bearer(&key)), "{}").as_bytes()).unwrap();
            let answer = read_answer(&mut reader).unwrap();
            assert_eq!((answer.status, answer.header("connection")), (200, None), "kept alive");
            reader
        })
        .collect();
    let started = Instant::now();
    let status = server.signal("TERM");
    let took = started.elapsed();
    assert!(status.success(), "exit status {status:?}");
    assert!(took < Duration::from_secs(1), "idle connections held the shutdown for {took:?}");
    for mut reader in idle {
        assert!(read_answer(&mut reader).is_none(), "each idle connection was closed");
    }
}

#[test]
fn logs_escape_paths_and_never_hold_a_secret_or_token() {
    let dir = tempfile::tempdir().unwrap();
    let hmac_secret = "bz-secret-4f9a1c2e7d";
    let env = [("SIGNET_BITZOOM_API_KEYS", "bz-key=bz-secret-4f9a1c2e7d")];
    let mut server = SignetServer::start(SIGNET, dir.path(), &["--bitzoom-test-tokens"], &env);
    let base = server.base();
    let wallet = WalletKey::generate(&mut os_rng());
    let key = TurbineClient::new(&base).register_api_key(&wallet, Some("bot \u{202e}name")).unwrap();
    let mut used = vec![key.secret.to_hex().iter().map(|&b| char::from(b)).collect::<String>()];
    for _ in 0..3 {
        let header = TurbineClient::bearer(&key);
        assert_eq!(request("GET", &format!("{base}/auth"), Some(&header), None).0, 200);
        assert_eq!(request("GET", &format!("{base}/auth"), Some(&header), None).0, 401);
        used.push(header.trim_start_matches("Bearer ").to_owned());
    }
    let jwt = signet_std::BitzoomClient::new(&base).fetch_test_token("42").unwrap();
    used.push(jwt.expose().to_owned());
    assert_eq!(
        request("GET", &format!("{base}/api/v1/balance"), Some(&format!("Bearer {}", jwt.expose())), None).0,
        200
    );
    let signed = signet_std::BitzoomClient::new(&base)
        .with_api_key("bz-key", &signet_std::Secret::new(hmac_secret.into()));
    signed.signed_get("/api/v1/balance", "").unwrap();
    used.push(hmac_secret.to_owned());
    used.push(
        std::fs::read(dir.path().join("bitzoom-jwt.secret"))
            .unwrap()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    );
    // A path with a C1 control, a right-to-left override and an escape sequence, raw on the
    // wire: refused by the HTTP parser before anything logs it.
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .write_all(
            b"GET /api/v1/x\xc2\x85\xe2\x80\xae\x1b[31m HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
    let mut raw = String::new();
    let _ = BufReader::new(stream).read_line(&mut raw);
    assert!(raw.starts_with("HTTP/1.1 400"), "{raw}");
    // Percent-encoded, they are logged as sent.
    request("GET", &format!("{base}/api/v1/x%C2%85%E2%80%AE%1B[31m"), None, None);
    let long = format!("{base}/api/v1/{}", "y".repeat(12_000));
    request("GET", &long, None, None);
    server.signal("TERM");
    let log = server.log.join("\n");
    for secret in &used {
        assert!(!log.contains(secret.as_str()), "the log holds a secret or token: {secret}");
    }
    assert!(log.contains("kid=") && log.contains(key.key_id.as_str()), "the log names verified keys");
    assert!(log.contains("refusal=token already used"));
    assert!(log.contains("path=/api/v1/x%C2%85%E2%80%AE%1B[31m"), "{log}");
    assert!(
        !log.chars().any(|c| matches!(c, '\u{80}'..='\u{9f}' | '\u{202e}' | '\u{1b}')),
        "raw control or bidi characters in the log"
    );
    assert!(server.log.iter().all(|line| line.len() < 1_024), "a log line is too long");
}

#[test]
fn metrics_count_what_was_sent() {
    let dir = tempfile::tempdir().unwrap();
    let server = SignetServer::start(SIGNET, dir.path(), &["--log-level", "warn"], &[]);
    let base = server.base();
    let key = register(&server);
    let mut tokens = Vec::new();
    for _ in 0..7 {
        let header = TurbineClient::bearer(&key);
        assert_eq!(request("GET", &format!("{base}/auth"), Some(&header), None).0, 200);
        tokens.push(header);
    }
    for header in tokens.iter().take(3) {
        assert_eq!(request("GET", &format!("{base}/auth"), Some(header), None).0, 401);
    }
    for _ in 0..2 {
        assert_eq!(request("GET", &format!("{base}/auth"), None, None).0, 401);
    }
    assert_eq!(request("POST", &format!("{base}/api/v1/api-keys"), None, Some("{}")).0, 422);
    let (status, text) = request("GET", &format!("{base}/metrics"), None, None);
    assert_eq!(status, 200);
    assert_eq!(metric(&text, r#"signet_verifications_total{outcome="accepted"}"#), 7.0, "{text}");
    assert_eq!(metric(&text, r#"signet_verifications_total{outcome="token already used"}"#), 3.0);
    assert_eq!(metric(&text, r#"signet_verifications_total{outcome="missing authorization header"}"#), 2.0);
    assert_eq!(metric(&text, "signet_verification_duration_seconds_count"), 12.0);
    assert_eq!(metric(&text, r#"signet_registrations_total{outcome="issued"}"#), 1.0);
    assert_eq!(metric(&text, "signet_replay_store_entries"), 7.0);
    assert!(metric(&text, "signet_replay_store_capacity") >= 3_600_000.0);
    // 7 accepted auth + 1 registration; 5 refused; 1 unprocessable.
    assert_eq!(metric(&text, r#"signet_http_requests_total{status="200"}"#), 8.0);
    assert_eq!(metric(&text, r#"signet_http_requests_total{status="401"}"#), 5.0);
    // The 10 verifications that got to the key looked it up: once at the store, then cached.
    let (hits, misses) =
        (metric(&text, "signet_key_cache_hits_total"), metric(&text, "signet_key_cache_misses_total"));
    assert_eq!((hits + misses, misses), (10.0, 1.0), "{text}");
}

#[test]
fn health_and_readiness() {
    let mut redis = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let url = redis.url();
    let server =
        SignetServer::start(SIGNET, dir.path(), &["--log-level", "warn", "--replay-store", &url], &[]);
    let base = server.base();
    for path in ["/health", "/healthz"] {
        assert_eq!(
            request("GET", &format!("{base}{path}"), None, None),
            (200, r#"{"status":"ok"}"#.to_owned())
        );
    }
    assert_eq!(
        request("GET", &format!("{base}/readyz"), None, None),
        (200, r#"{"status":"ready"}"#.to_owned())
    );
    redis.stop();
    let (status, body) = request("GET", &format!("{base}/readyz"), None, None);
    assert_eq!((status, body.as_str()), (503, r#"{"status":"unavailable","unavailable":["replay store"]}"#));
    assert_eq!(request("GET", &format!("{base}/healthz"), None, None).0, 200, "alive while a store is down");
    redis.restart();
    support::wait_for("readiness", Duration::from_secs(10), || {
        request("GET", &format!("{base}/readyz"), None, None).0 == 200
    });
}

#[test]
fn a_bad_signing_secret_file_is_refused_at_start() {
    use std::os::unix::fs::PermissionsExt;
    for (content, mode, expected) in [
        (&b""[..], 0o600, "0 bytes, at least 32 needed"),
        (&[7u8; 16][..], 0o600, "16 bytes, at least 32 needed"),
        // Caught by the data folder's check, before the file is read.
        (&[7u8; 32][..], 0o644, "open to other users (mode 644)"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        let path = dir.path().join("bitzoom-jwt.secret");
        std::fs::write(&path, content).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_signet"))
            .args(["serve", "--init", "--listen", "127.0.0.1:0", "--data"])
            .arg(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "started with a bad secret file");
        assert!(stderr.contains("bitzoom-jwt.secret") && stderr.contains(expected), "{stderr}");
    }
    // The secret made on first start: 32 bytes, mode 600, nothing else left in the folder.
    let dir = tempfile::tempdir().unwrap();
    drop(SignetServer::start(SIGNET, dir.path(), &["--log-level", "warn"], &[]));
    let meta = std::fs::metadata(dir.path().join("bitzoom-jwt.secret")).unwrap();
    assert_eq!((meta.len(), meta.permissions().mode() & 0o777), (32, 0o600));
    assert!(
        std::fs::read_dir(dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".tmp"))
    );
}

#[test]
fn repeated_authorization_headers_and_the_removed_secret_flag_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = SignetServer::start(SIGNET, dir.path(), &["--log-level", "warn"], &[]);
    let key = register(&server);
    let good = TurbineClient::bearer(&key);
    for (first, second) in [(good.as_str(), "Bearer bad"), ("Bearer bad", good.as_str())] {
        let mut stream = TcpStream::connect(server.addr).unwrap();
        let request = format!(
            "GET /auth HTTP/1.1\r\nHost: x\r\nAuthorization: {first}\r\nAuthorization: {second}\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).unwrap();
        let answer = read_answer(&mut BufReader::new(stream)).unwrap();
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (400, r#"{"error":"repeated authorization header"}"#)
        );
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(["serve", "--listen", "127.0.0.1:0", "--bitzoom-api-key", "k=s", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bitzoom-api-key was removed"));
}
