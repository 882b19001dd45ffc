//! The log's writer: lines gather in memory and one thread writes them out every
//! [`FLUSH_INTERVAL`] (sooner once [`FLUSH_BYTES`] gather), one `write` per batch. A request
//! appends its line under a lock held for a copy and never wakes another thread, which a
//! channel to a writer thread did for every line (a futex wake and a context switch per
//! request, the largest cost beside verification under load). Dropping the guard writes what
//! is left: nothing logged before SIGTERM is lost.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use core::time::Duration;
use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

/// Longest a line waits to be written.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(50);
/// Bytes that make the writer go at once.
pub const FLUSH_BYTES: usize = 64 * 1024;
/// Bytes waiting past which new lines are dropped (counted, and reported at the end) rather
/// than requests slowed down: only when the output does not keep up (a stalled pipe).
pub const MAX_PENDING_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Default)]
struct Shared {
    pending: Mutex<Vec<u8>>,
    wake: Condvar,
    stop: AtomicBool,
    dropped: AtomicU64,
}

/// A `tracing` writer appending to the batch (cheap to clone: one per event).
#[derive(Clone, Debug)]
pub struct BatchWriter(Arc<Shared>);

impl Write for BatchWriter {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        let mut pending = self.0.pending.lock().unwrap_or_else(PoisonError::into_inner);
        if pending.len().saturating_add(line.len()) > MAX_PENDING_BYTES {
            self.0.dropped.fetch_add(1, Ordering::Relaxed);
        } else {
            pending.extend_from_slice(line);
            if pending.len() >= FLUSH_BYTES {
                self.0.wake.notify_one();
            }
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Keeps the writer thread; dropping it writes what is pending and stops the thread.
#[derive(Debug)]
pub struct LogGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A batching writer over `out` (stderr, a file), and the guard of its thread.
///
/// # Errors
/// If the thread cannot be started.
pub fn batched<W: Write + Send + 'static>(mut out: W) -> std::io::Result<(BatchWriter, LogGuard)> {
    let shared = Arc::new(Shared::default());
    let writer = BatchWriter(Arc::clone(&shared));
    let thread = std::thread::Builder::new().name("signet-log".into()).spawn({
        let shared = Arc::clone(&shared);
        move || {
            // Two buffers swapped under the lock: the copy to the output happens outside it.
            let mut batch = Vec::with_capacity(FLUSH_BYTES);
            loop {
                let stopping = {
                    let pending = shared.pending.lock().unwrap_or_else(PoisonError::into_inner);
                    let (mut pending, _) = shared
                        .wake
                        .wait_timeout_while(pending, FLUSH_INTERVAL, |p| {
                            p.len() < FLUSH_BYTES && !shared.stop.load(Ordering::Acquire)
                        })
                        .unwrap_or_else(PoisonError::into_inner);
                    core::mem::swap(&mut *pending, &mut batch);
                    shared.stop.load(Ordering::Acquire)
                };
                if !batch.is_empty() {
                    let _ = out.write_all(&batch);
                    let _ = out.flush();
                    batch.clear();
                }
                if stopping {
                    break;
                }
            }
            let dropped = shared.dropped.load(Ordering::Relaxed);
            if dropped > 0 {
                let _ =
                    writeln!(out, "signet serve: {dropped} log lines dropped (the output did not keep up)");
            }
        }
    })?;
    Ok((writer, LogGuard { shared, thread: Some(thread) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<(Vec<u8>, usize)>>);

    impl Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            let mut s = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            s.0.extend_from_slice(b);
            s.1 += 1;
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_are_written_in_batches_and_none_lost_at_the_end() {
        let sink = Sink::default();
        let (writer, guard) = batched(sink.clone()).unwrap_or_else(|e| panic!("{e}"));
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let mut w = writer.clone();
                std::thread::spawn(move || {
                    for i in 0..2_500 {
                        let _ = w.write_all(format!("thread {t} line {i}\n").as_bytes());
                    }
                })
            })
            .collect();
        for t in threads {
            let _ = t.join();
        }
        drop(guard);
        let (bytes, writes) = sink.0.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let text = String::from_utf8(bytes).unwrap_or_default();
        assert_eq!(text.lines().count(), 10_000, "every line, whole");
        assert!(text.lines().all(|l| l.starts_with("thread ")));
        assert!(writes < 100, "{writes} writes for 10,000 lines");
    }
}
