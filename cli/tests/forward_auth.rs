//! Forward authentication behind a real nginx (`auth_request`, Debian package `nginx-light`,
//! started here on a free loopback port): a valid token reaches a small upstream with the
//! verified key id in `X-Signet-Kid`; a replay, a forgery or no token never reaches it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use core::time::Duration;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use signet_core::eth::WalletKey;
use signet_std::{TurbineClient, os_rng};
use support::{SIGNET, SignetServer, free_port, request, server_binary, wait_for};

/// A one-route upstream that records the `X-Signet-Kid` of every request it gets.
fn upstream() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut kid = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("x-signet-kid:") {
                    kid = value.trim().to_owned();
                }
            }
            log.lock().unwrap().push(kid.clone());
            let body = format!("upstream: kid {kid}");
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, seen)
}

struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn nginx(dir: &std::path::Path, port: u16, signet: u16, upstream: u16) -> Nginx {
    let binary = server_binary("nginx", &["/usr/sbin", "/usr/local/sbin"], "nginx-light");
    let d = dir.display();
    let config = format!(
        r#"daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location = /_signet_auth {{
            internal;
            proxy_pass http://127.0.0.1:{signet}/auth;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
        }}
        location / {{
            auth_request /_signet_auth;
            auth_request_set $signet_kid $upstream_http_x_signet_kid;
            proxy_set_header X-Signet-Kid $signet_kid;
            proxy_pass http://127.0.0.1:{upstream};
        }}
    }}
}}
"#
    );
    std::fs::write(dir.join("nginx.conf"), config).unwrap();
    let child = Command::new(binary)
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .arg("-e")
        .arg(dir.join("error.log"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nginx");
    let nginx = Nginx(child);
    wait_for("nginx", Duration::from_secs(10), || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    nginx
}

#[test]
fn nginx_auth_request_lets_valid_tokens_through_once_and_nothing_else() {
    let data = tempfile::tempdir().unwrap();
    let signet = SignetServer::start(SIGNET, data.path(), &["--log-level", "warn"], &[]);
    let (upstream_port, seen) = upstream();
    let nginx_dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let _nginx = nginx(nginx_dir.path(), port, signet.addr.port(), upstream_port);
    let base = format!("http://127.0.0.1:{port}");
    let key = TurbineClient::new(&signet.base())
        .register_api_key(&WalletKey::generate(&mut os_rng()), None)
        .unwrap();

    let header = TurbineClient::bearer(&key);
    let (status, body) = request("POST", &format!("{base}/api/v1/orders"), Some(&header), Some("{}"));
    assert_eq!((status, body.as_str()), (200, format!("upstream: kid {}", key.key_id).as_str()));
    // The same token again, a forged one, none: refused by nginx, never passed on.
    let mut forged = header.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    for attempt in [Some(header.as_str()), Some(forged.as_str()), Some("Bearer nonsense"), None] {
        let (status, _) = request("POST", &format!("{base}/api/v1/orders"), attempt, Some("{}"));
        assert_eq!(status, 401, "{attempt:?}");
    }
    assert_eq!(*seen.lock().unwrap(), [key.key_id.to_string()], "only the valid token reached the upstream");
    // Fresh tokens keep working through the proxy.
    for _ in 0..5 {
        assert_eq!(
            request("GET", &format!("{base}/anything"), Some(&TurbineClient::bearer(&key)), None).0,
            200
        );
    }
    assert_eq!(seen.lock().unwrap().len(), 6);
}
