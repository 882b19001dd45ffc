//! CPU time, from /proc: a whole process's (every thread's, those that ended included), and
//! this thread's, for the raw verification measured beside the servers.

use core::time::Duration;
use std::process::Command;

/// Clock ticks a second of /proc/PID/stat's times (`getconf CLK_TCK`; 100 on Linux).
fn ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100)
}

/// User and system CPU time of process `pid` so far.
pub fn process(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command, which may hold spaces, closed by the last ')'.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split(' ').collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the command.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let ticks = ticks_per_second();
    Some(Duration::from_nanos((utime + stime).saturating_mul(1_000_000_000 / ticks)))
}

/// CPU time of the calling thread so far (nanoseconds on the CPU, from schedstat).
pub fn this_thread() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(text.split(' ').next()?.parse().ok()?))
}

/// CPU microseconds per raw `verify_strict` of a token's payload on this CPU, with the backend
/// curve25519-dalek picks here (this binary is built as the servers are), one thread, `n` runs.
pub fn raw_verify_us(n: u32) -> Option<f64> {
    let fixture = signet_benches::Turbine::new();
    // Warm up: the first calls fill caches and take the CPUID decision.
    for _ in 0..n / 10 {
        core::hint::black_box(fixture.raw_verify());
    }
    let start = this_thread()?;
    let mut ok = true;
    for _ in 0..n {
        ok &= core::hint::black_box(&fixture).raw_verify();
    }
    let took = this_thread()?.checked_sub(start)?;
    ok.then(|| took.as_secs_f64() * 1e6 / f64::from(n))
}
