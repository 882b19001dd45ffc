//! The load as the issue judging the server measured it: wrk (Debian package `wrk`), 2 threads,
//! keep-alive connections, each request `GET /auth` with the next of its thread's pre-minted
//! tokens (a Lua script reads them from a file per thread).

use core::net::SocketAddr;
use core::time::Duration;
use std::io::Write as _;
use std::path::Path;

use crate::{Error, Outcome};

/// wrk's threads.
pub const THREADS: usize = 2;

const SCRIPT: &str = r#"
local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
function init(args)
  tokens = {}
  for line in io.lines(DIR .. "/tokens-" .. id .. ".txt") do
    tokens[#tokens + 1] = line
  end
  i = 0
end
function request()
  i = i + 1
  return wrk.format("GET", "/auth", { ["Authorization"] = tokens[i] or "Bearer exhausted.exhausted" })
end
"#;

/// Writes `tokens` into `dir`, one file per wrk thread, and the script reading them.
pub fn prepare(dir: &Path, tokens: &[String]) -> Result<(), Error> {
    for thread in 0..THREADS {
        let mut file =
            std::io::BufWriter::new(std::fs::File::create(dir.join(format!("tokens-{thread}.txt")))?);
        for token in tokens.iter().skip(thread).step_by(THREADS) {
            writeln!(file, "{token}")?;
        }
        file.flush()?;
    }
    let dir_text = dir.to_str().ok_or("a temporary folder whose path is not UTF-8")?;
    std::fs::write(dir.join("load.lua"), format!("DIR = {dir_text:?}\n{SCRIPT}"))?;
    Ok(())
}

/// A duration as wrk prints it (`812.00us`, `1.23ms`, `2.10s`), in milliseconds.
fn millis(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => value / 1000.0,
        "ms" => value,
        "s" => value * 1000.0,
        "m" => value * 60_000.0,
        _ => return None,
    })
}

/// Runs wrk against `addr` for `duration` over `connections`; what it reports.
pub fn run(
    addr: SocketAddr,
    dir: &Path,
    connections: usize,
    duration: Duration,
    cpus: Option<&str>,
) -> Result<Outcome, Error> {
    let out = crate::command("wrk", cpus)
        .args(["-t", &THREADS.to_string(), "-c", &connections.max(THREADS).to_string()])
        .args(["-d", &format!("{}s", duration.as_secs().max(1)), "--latency", "-s"])
        .arg(dir.join("load.lua"))
        .arg(format!("http://{addr}/auth"))
        .output()
        .map_err(|e| format!("wrk (Debian package wrk): {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("wrk failed: {text}{}", String::from_utf8_lossy(&out.stderr)).into());
    }
    let mut outcome = Outcome::default();
    let (mut requests, mut refused, mut seconds) = (0usize, 0usize, duration.as_secs_f64());
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [n, "requests", "in", took, ..] => {
                requests = n.parse()?;
                seconds = millis(took.trim_end_matches(',')).map_or(seconds, |ms| ms / 1000.0);
            }
            ["Non-2xx", "or", "3xx", "responses:", n] => refused = n.parse()?,
            ["50%", p] => outcome.p50_ms = millis(p),
            ["99%", p] => outcome.p99_ms = millis(p),
            ["Socket", "errors:", ..] => return Err(format!("wrk: {line}").into()),
            _ => {}
        }
    }
    outcome.accepted = requests.saturating_sub(refused);
    if refused > 0 {
        outcome.refusals.insert("non-2xx (wrk does not say which)".to_owned(), refused);
    }
    outcome.elapsed = Duration::from_secs_f64(seconds);
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_durations_read_as_milliseconds() {
        assert_eq!(millis("812.00us"), Some(0.812));
        assert_eq!(millis("1.50ms"), Some(1.5));
        assert_eq!(millis("20.01s"), Some(20_010.0));
        assert_eq!(millis("fast"), None);
    }
}
