//! Reads criterion's results (run `cargo bench -p signet-benches` first) and prints the
//! medians and the ratios that matter, with the goals they are held to.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn median_ns(root: &Path, id: &str) -> Option<f64> {
    let text = std::fs::read_to_string(root.join(id).join("new/estimates.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("median")?.get("point_estimate")?.as_f64()
}

/// (label, numerator, denominator, goal: ratio must be at most this)
const RATIOS: [(&str, &str, &str, Option<f64>); 19] = [
    ("mint / raw SigningKey::sign", "turbine/mint", "turbine/raw-sign", None),
    ("mint (prepared key) / raw SigningKey::sign", "turbine/mint-prepared", "turbine/raw-sign", Some(1.00)),
    (
        "mint (prepared key) / hazmat::raw_sign",
        "turbine/mint-prepared",
        "turbine/raw-sign-expanded",
        Some(1.01),
    ),
    ("verify (full header) / raw verify_strict", "turbine/verify", "turbine/raw-verify", Some(1.01)),
    ("signet EdDSA mint / jsonwebtoken encode", "jwt/eddsa-mint", "jwt/jsonwebtoken-eddsa-encode", Some(0.5)),
    (
        "signet EdDSA verify / jsonwebtoken decode",
        "jwt/eddsa-verify",
        "jwt/jsonwebtoken-eddsa-decode",
        Some(1.0),
    ),
    ("signet HS256 mint / jsonwebtoken encode", "jwt/hs256-mint", "jwt/jsonwebtoken-hs256-encode", None),
    ("signet HS256 verify / jsonwebtoken decode", "jwt/hs256-verify", "jwt/jsonwebtoken-hs256-decode", None),
    ("signet EdDSA mint / jwt-compact encode", "jwt/eddsa-mint", "jwt/jwt-compact-eddsa-encode", None),
    ("signet EdDSA verify / jwt-compact decode", "jwt/eddsa-verify", "jwt/jwt-compact-eddsa-decode", None),
    ("order digest / alloy eip712_signing_hash", "order/digest", "order/alloy-signing-hash", Some(1.0)),
    ("order sign / raw k256 prehash sign", "order/sign", "order/raw-sign-prehash", Some(1.05)),
    ("order body read + verify / raw recover", "order/verify-body", "order/raw-recover", Some(1.05)),
    (
        "permit digest / alloy eip712_signing_hash",
        "permit/permit-digest",
        "permit/alloy-permit-hash",
        Some(0.5),
    ),
    (
        "approval digest / alloy eip712_signing_hash",
        "permit/approval-digest",
        "permit/alloy-approval-hash",
        Some(0.5),
    ),
    (
        "redemption digest / alloy eip712_signing_hash",
        "permit/redemption-digest",
        "permit/alloy-redemption-hash",
        Some(0.5),
    ),
    ("permit body read + verify / raw recover", "permit/permit-verify-body", "permit/raw-recover", Some(1.1)),
    (
        "approval body read + verify / raw recover",
        "permit/approval-verify-body",
        "permit/raw-recover",
        Some(1.1),
    ),
    (
        "redemption body read + verify / raw recover",
        "permit/redemption-verify-body",
        "permit/raw-recover",
        Some(1.1),
    ),
];

fn main() -> ExitCode {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let root = target.join("criterion");
    let mut ids: Vec<String> = Vec::new();
    for group in ["turbine", "eth", "order", "permit", "jwt"] {
        let Ok(entries) = std::fs::read_dir(root.join(group)) else { continue };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join("new/estimates.json").exists())
            .map(|e| format!("{group}/{}", e.file_name().to_string_lossy()))
            .collect();
        names.sort();
        ids.extend(names);
    }
    if ids.is_empty() {
        eprintln!("no results under {}: run `cargo bench -p signet-benches` first", root.display());
        return ExitCode::FAILURE;
    }
    println!("| benchmark | median |\n|---|---:|");
    for id in &ids {
        if let Some(ns) = median_ns(&root, id) {
            println!("| {id} | {:.2} µs |", ns / 1000.0);
        }
    }
    println!("\n| ratio | value | goal |\n|---|---:|---|");
    let mut missing = false;
    for (label, num, den, goal) in RATIOS {
        match (median_ns(&root, num), median_ns(&root, den)) {
            (Some(n), Some(d)) => {
                let r = n / d;
                let verdict = goal.map_or_else(String::new, |g| {
                    format!("≤ {g:.2}: {}", if r <= g { "met" } else { "missed" })
                });
                println!("| {label} | {r:.3}× | {verdict} |");
            }
            _ => {
                missing = true;
                println!("| {label} | (no result) | |");
            }
        }
    }
    if missing { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
