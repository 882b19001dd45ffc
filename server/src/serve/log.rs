//! Logs: one line per request, human-readable or JSON, gathered in memory and written in
//! batches by a background thread (see [`crate::serve::log_writer`]), so a request never waits
//! on the terminal or a pipe and never wakes another thread. Nothing secret is ever logged: no header
//! value, token, signature or key; text from the request (its path) is escaped and cut short.

use core::fmt::Write as _;

/// How log lines look.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// `2026-11-24T16:00:00.000000Z  INFO request: id=… method=GET path=/auth status=200 …`
    #[default]
    Human,
    /// One JSON object per line.
    Json,
}

impl core::str::FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "human" | "text" => Ok(LogFormat::Human),
            "json" => Ok(LogFormat::Json),
            _ => Err(format!("log format {s:?}: expected human or json")),
        }
    }
}

/// Starts logging to stderr at `filter` (an `EnvFilter` directive such as `info` or `warn`).
/// Keep the returned guard alive: dropping it writes what is still gathered.
///
/// # Errors
/// If `filter` is not a valid directive, or logging was already set up.
pub fn init(format: LogFormat, filter: &str) -> Result<crate::serve::log_writer::LogGuard, String> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter).map_err(|e| e.to_string())?;
    // Lossy only if stderr stops taking lines: then they are dropped (and counted) rather than
    // requests slowed down.
    let (writer, guard) = crate::serve::log_writer::batched(std::io::stderr()).map_err(|e| e.to_string())?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(move || writer.clone())
        .with_target(false);
    let result = match format {
        LogFormat::Human => builder.with_ansi(false).try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    result.map_err(|e| e.to_string())?;
    Ok(guard)
}

/// Longest piece of request text written to a log line, in characters.
pub const MAX_LOGGED_CHARS: usize = 200;

/// `text` safe for a terminal and a log file: control characters (C0, DEL, C1) and the
/// characters that reorder or hide text (bidi overrides and isolates, marks, zero widths) are
/// written as `\u{…}`, backslashes doubled, and the whole cut to [`MAX_LOGGED_CHARS`].
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_LOGGED_CHARS + 8));
    for (i, ch) in text.chars().enumerate() {
        if i == MAX_LOGGED_CHARS {
            out.push('…');
            break;
        }
        let hidden = matches!(
            ch,
            '\u{0}'..='\u{1f}'
                | '\u{7f}'..='\u{9f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{061c}'
                | '\u{feff}'
        );
        match ch {
            '\\' => out.push_str("\\\\"),
            _ if hidden => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(ch));
            }
            _ => out.push(ch),
        }
    }
    out
}

/// The request path as bytes arrived (percent-decoding is not done, so what is logged is what
/// was sent), escaped for the log.
#[must_use]
pub fn escape_bytes(bytes: &[u8]) -> String {
    escape(&String::from_utf8_lossy(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_could_fool_a_terminal_and_cuts_long_text() {
        assert_eq!(escape("/api/v1/orders"), "/api/v1/orders");
        assert_eq!(escape("/a\u{1b}[31m\u{85}\u{202e}b\\"), "/a\\u{1b}[31m\\u{85}\\u{202e}b\\\\");
        assert_eq!(escape(&"x".repeat(1_000)).chars().count(), MAX_LOGGED_CHARS + 1);
        assert_eq!(escape_bytes(b"/\xff"), "/\u{fffd}");
    }
}
