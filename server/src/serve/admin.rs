//! Key administration while the server runs: a Unix socket in the data folder, so that
//! `signet keys revoke` works without stopping `signet serve` (which holds the redb file).
//!
//! The socket lives in `<data>/admin/` (mode 700) and is itself mode 600, and the server also
//! checks each caller's uid against the data folder's owner: nobody but that owner can change
//! keys. The one secret that crosses it is a new Bitzoom key's, once, back to the owner who
//! asked for it; otherwise key ids and public facts only. One JSON request per line, one JSON
//! answer per line.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};
use signet_core::turbine::{KeyId, KeyStatus};
use signet_core::{Clock, UnixTime};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

use crate::bitzoom::keys::{BitzoomKey, BitzoomKeyStatus, MAX_ALLOWED_IPS, Permissions, parse_network};
use signet_std::SystemClock;

use crate::Registry;
use crate::VerifierService;
use crate::serve::log::escape;
use crate::store::{BitzoomKeyStore, Entry, KeyRegistry};

/// Longest request line the socket reads (64 KiB: a request is a few hundred bytes); a longer
/// one is answered with an error and the connection closed, never buffered whole.
pub const MAX_ADMIN_LINE_BYTES: usize = 64 * 1024;

/// The socket's path for a data folder.
#[must_use]
pub fn socket_path(data: &Path) -> PathBuf {
    data.join("admin").join("signet.sock")
}

/// A key as `signet keys` shows it.
#[must_use]
pub fn entry_json(entry: &Entry, now: UnixTime) -> Value {
    let status = if entry.is_usable(now) {
        "active"
    } else if entry.record.status == KeyStatus::Inactive {
        "inactive"
    } else {
        "expired"
    };
    json!({
        "api_key_id": entry.kid.as_str(),
        "wallet": entry.wallet.to_string(),
        "status": status,
        "expires_at": entry.record.expires_at.map(|t| t.0),
        "created_at": entry.created_at.0,
        // Names come from whoever registered: escaped before they reach a terminal.
        "name": entry.name.as_deref().map(escape),
    })
}

/// Answers one request against the service (so its key cache forgets changed keys at once).
pub async fn handle(service: &VerifierService<Registry>, request: &Value) -> Value {
    let kid = || {
        request
            .get("kid")
            .and_then(Value::as_str)
            .and_then(|k| KeyId::new(k).ok())
            .ok_or("a valid kid is needed".to_owned())
    };
    let now = SystemClock.now();
    let outcome = match request.get("op").and_then(Value::as_str) {
        Some("list") => service
            .keys()
            .list()
            .await
            .map(|entries| json!({ "keys": entries.iter().map(|e| entry_json(e, now)).collect::<Vec<_>>() }))
            .map_err(|e| e.to_string()),
        Some("revoke") => match kid() {
            Ok(kid) => service
                .revoke_async(&kid)
                .await
                .map(|e| json!({ "key": entry_json(&e, now) }))
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        },
        Some("expire") => match kid() {
            Ok(kid) => {
                let at = request.get("at").and_then(Value::as_i64).map(UnixTime);
                service
                    .set_expiry_async(&kid, at)
                    .await
                    .map(|e| json!({ "key": entry_json(&e, now) }))
                    .map_err(|e| e.to_string())
            }
            Err(e) => Err(e),
        },
        Some(op) if op.starts_with("bitzoom_") => bitzoom(service, op, request).await,
        _ => Err("unknown operation".to_owned()),
    };
    match outcome {
        Ok(mut answer) => {
            if let Some(fields) = answer.as_object_mut() {
                fields.insert("ok".to_owned(), Value::Bool(true));
            }
            answer
        }
        Err(error) => json!({ "ok": false, "error": error }),
    }
}

/// Bitzoom HMAC keys: `bitzoom_create` (`account`, `permissions`, `allowed_ips`, `label`; the
/// answer carries the secret), `bitzoom_list` (`account`), `bitzoom_status` (`api_key`,
/// `status`).
async fn bitzoom(service: &VerifierService<Registry>, op: &str, request: &Value) -> Result<Value, String> {
    let text = |name: &str| request.get(name).and_then(Value::as_str);
    let registry = service.keys();
    match op {
        "bitzoom_create" => {
            let account = text("account").filter(|a| !a.is_empty()).ok_or("an account is needed")?;
            let permissions: Permissions = text("permissions").unwrap_or_default().parse()?;
            let allowed = request.get("allowed_ips").and_then(Value::as_array).cloned().unwrap_or_default();
            if allowed.len() > MAX_ALLOWED_IPS {
                return Err(format!("at most {MAX_ALLOWED_IPS} addresses or networks"));
            }
            let allowed = allowed
                .iter()
                .map(|n| parse_network(n.as_str().unwrap_or_default()))
                .collect::<Result<Vec<_>, _>>()?;
            let label = text("label").map(|l| escape(l).chars().take(64).collect());
            let key = BitzoomKey::generate(account, permissions, allowed, label, SystemClock.now());
            registry.create_bitzoom_key(&key).await.map_err(|e| e.to_string())?;
            let mut answer = key.public_json();
            if let Some(fields) = answer.as_object_mut() {
                fields.insert("secret".to_owned(), Value::from(key.secret.expose()));
            }
            Ok(json!({ "key": answer }))
        }
        "bitzoom_list" => {
            let keys = registry.bitzoom_keys(text("account")).await.map_err(|e| e.to_string())?;
            Ok(json!({ "keys": keys.iter().map(BitzoomKey::public_json).collect::<Vec<_>>() }))
        }
        "bitzoom_status" => {
            let api_key = text("api_key").ok_or("an api_key is needed")?;
            let status = text("status")
                .and_then(BitzoomKeyStatus::parse)
                .ok_or("status: active, disabled or revoked")?;
            let key = registry.set_bitzoom_key_status(api_key, status).await.map_err(|e| e.to_string())?;
            Ok(json!({ "key": key.public_json() }))
        }
        _ => Err("unknown operation".to_owned()),
    }
}

/// Listens on the data folder's admin socket until the task is dropped.
///
/// # Errors
/// If the socket cannot be made, or another server already answers on it.
pub async fn listen(
    data: &Path,
    service: Arc<VerifierService<Registry>>,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let owner = std::fs::metadata(data)?.uid();
    let path = socket_path(data);
    let dir = path.parent().unwrap_or(data);
    std::fs::create_dir_all(dir)?;
    // The folder is closed to others before the socket appears in it.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    if path.exists() {
        if std::os::unix::net::UnixStream::connect(&path).is_ok() {
            return Err(std::io::Error::other(format!("another server answers on {}", path.display())));
        }
        std::fs::remove_file(&path)?;
    }
    let listener = tokio::net::UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    Ok(tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            // Only the data folder's owner may administer its keys.
            if !stream.peer_cred().is_ok_and(|c| c.uid() == owner) {
                continue;
            }
            let service = Arc::clone(&service);
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut reader = BufReader::new(read);
                let mut line = Vec::new();
                loop {
                    line.clear();
                    // At most one byte past the limit is read: a longer line is refused
                    // without being buffered.
                    let limit = u64::try_from(MAX_ADMIN_LINE_BYTES + 1).unwrap_or(u64::MAX);
                    match (&mut reader).take(limit).read_until(b'\n', &mut line).await {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                    if line.len() > MAX_ADMIN_LINE_BYTES && line.last() != Some(&b'\n') {
                        let refusal = json!({
                            "ok": false,
                            "error": format!("request line longer than {MAX_ADMIN_LINE_BYTES} bytes")
                        });
                        let _ = write.write_all(format!("{refusal}\n").as_bytes()).await;
                        break;
                    }
                    let answer = match serde_json::from_slice::<Value>(&line) {
                        Ok(request) => handle(&service, &request).await,
                        Err(_) => json!({ "ok": false, "error": "not JSON" }),
                    };
                    if write.write_all(format!("{answer}\n").as_bytes()).await.is_err() {
                        break;
                    }
                }
            });
        }
    }))
}

/// Sends one request to a running server's admin socket; `None` if no server answers there.
///
/// # Errors
/// If a server answers but the exchange fails.
pub fn call(data: &Path, request: &Value) -> Option<std::io::Result<Value>> {
    use std::io::{BufRead, Write};
    let stream = match std::os::unix::net::UnixStream::connect(socket_path(data)) {
        Ok(stream) => stream,
        // A server is there, but not for this user.
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => return Some(Err(e)),
        Err(_) => return None,
    };
    let exchange = || -> std::io::Result<Value> {
        let mut writer = stream.try_clone()?;
        writer.write_all(format!("{request}\n").as_bytes())?;
        let mut line = String::new();
        std::io::BufReader::new(stream.try_clone()?).read_line(&mut line)?;
        if line.is_empty() {
            return Err(std::io::Error::other(
                "the server closed the admin connection (not the data folder's owner?)",
            ));
        }
        serde_json::from_str(&line).map_err(std::io::Error::other)
    };
    Some(exchange())
}
