//! Bitzoom's private WebSocket: log on with an HMAC key, subscribe to the balance channel, print
//! each event as it comes, and stop after a number of updates.
//!
//! ```sh
//! SIGNET_BITZOOM_API_KEYS=bot=a-long-random-secret signet serve &
//! BITZOOM_API_KEY=bot BITZOOM_API_SECRET=a-long-random-secret \
//!   cargo run -p signet-std --features ws --example bitzoom_stream -- http://127.0.0.1:8787 1
//! ```
//!
//! The stream reconnects by itself (with backoff) and logs on again after every disconnect;
//! private channels are subscribed only once that connection's logon succeeded.

use core::time::Duration;
use std::process::ExitCode;

use serde_json::json;
use signet_std::Credentials;
use signet_std::bitzoom::ws::{PrivateStream, StreamConfig, StreamEvent};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let host = args.next().unwrap_or_else(|| "http://127.0.0.1:8787".to_owned());
    let updates: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    match run(&host, updates) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bitzoom_stream: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(host: &str, updates: usize) -> Result<(), Box<dyn core::error::Error>> {
    let credentials = Credentials::from_env()?;
    let (Some(api_key), Some(secret)) = (credentials.bitzoom_api_key, credentials.bitzoom_api_secret) else {
        return Err("set BITZOOM_API_KEY and BITZOOM_API_SECRET".into());
    };
    let config = StreamConfig {
        url: StreamConfig::url_for(host),
        api_key,
        secret,
        recv_window_ms: None,
        backoff_initial: Duration::from_secs(2),
        backoff_max: Duration::from_secs(60),
    };
    let stream = PrivateStream::new(config).subscribe("Balance", json!({}));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let (events, mut received) = tokio::sync::mpsc::channel(16);
        let task = tokio::spawn(stream.run(events));
        let mut seen = 0;
        let deadline = tokio::time::sleep(Duration::from_secs(30));
        tokio::pin!(deadline);
        loop {
            let event = tokio::select! {
                event = received.recv() => event.ok_or("the stream ended")?,
                () = &mut deadline => return Err("no update within 30 s".into()),
            };
            println!("{event:?}");
            match event {
                StreamEvent::LogonRefused { code, msg } => {
                    return Err(format!("logon refused: {code} {msg}").into());
                }
                StreamEvent::Update { .. } => {
                    seen += 1;
                    if seen >= updates {
                        break;
                    }
                }
                _ => {}
            }
        }
        // The stream would notice the dropped receiver at its next event; stop it now.
        task.abort();
        Ok::<(), Box<dyn core::error::Error>>(())
    })
}
