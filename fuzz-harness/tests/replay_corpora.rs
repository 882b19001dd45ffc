//! Replays every committed fuzz corpus file through its target on stable Rust, so an input
//! that once crashed stays fixed without needing nightly or cargo-fuzz.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    let mut failed = 0;
    let mut total = 0;
    for (name, target) in signet_fuzz_harness::TARGETS {
        let dir = root.join(name);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("{name}: no corpus at {}", dir.display());
            failed += 1;
            continue;
        };
        let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        for file in &files {
            let data = std::fs::read(file).unwrap_or_default();
            if std::panic::catch_unwind(|| target(&data)).is_err() {
                eprintln!("{name}: {} panicked", file.display());
                failed += 1;
            }
        }
        total += files.len();
        println!("{name}: {} corpus files replayed", files.len());
    }
    println!("replay_corpora: {} passed, {failed} failed", total.saturating_sub(failed));
    if failed == 0 && total > 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
