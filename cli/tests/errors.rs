//! Errors a new user meets name what is wrong: the flag, the path or the URL, and the cause.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::Command;

use support::SIGNET;

/// `signet ARGS…` that must fail: its stderr.
fn fails(args: &[&str], env: &[(&str, &str)]) -> String {
    let out =
        Command::new(SIGNET).args(args).envs(env.iter().copied()).env_remove("SIGNET_DATA").output().unwrap();
    assert!(!out.status.success(), "{args:?} succeeded");
    String::from_utf8(out.stderr).unwrap()
}

const WALLET: &str = "1111111111111111111111111111111111111111111111111111111111111111";

#[test]
fn a_public_key_that_is_not_hex_names_the_flag() {
    let text = fails(&["verify", "Bearer a.b", "--public-key", "zz12", "--kid", "k"], &[]);
    assert!(text.contains("--public-key: not hex (Invalid character 'z' at position 0)"), "{text}");
    let text = fails(&["verify", "Bearer a.b", "--public-key", "abcd", "--kid", "k"], &[]);
    assert!(text.contains("--public-key: 2 bytes, an Ed25519 public key is 32"), "{text}");
}

#[test]
fn a_host_that_is_not_a_url_is_said_to_be_one() {
    let text = fails(&["register", "--host", "not-a-url"], &[("TURBINE_PRIVATE_KEY", WALLET)]);
    assert!(
        text.contains("--host") && text.contains("\"not-a-url\" is not a URL: give http://HOST[:PORT]"),
        "{text}"
    );
    let text =
        fails(&["register"], &[("TURBINE_PRIVATE_KEY", WALLET), ("TURBINE_HOST", "api.turbinefi.com")]);
    assert!(text.contains("TURBINE_HOST: \"api.turbinefi.com\" is not a URL"), "{text}");
}

#[test]
fn a_missing_data_folder_is_named_and_never_made() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nonexistent-dir");
    let text = fails(&["verify", "Bearer a.b", "--data", missing.to_str().unwrap()], &[]);
    assert!(text.contains(&format!("no key registry at {}", missing.join("keys.redb").display())), "{text}");
    let text = fails(&["keys", "revoke", "X", "--data", missing.to_str().unwrap()], &[]);
    assert!(
        text.contains(&missing.join("keys.redb").display().to_string()) && text.contains("check --data"),
        "{text}"
    );
    assert!(text.contains(&format!("there is no folder {}", missing.display())), "{text}");
    assert!(!text.contains("earlier one"), "a folder that does not exist held no earlier start: {text}");
    assert!(!text.starts_with("signet: --key-store"), "the default key store is not to blame: {text}");
    assert!(!missing.exists(), "nothing was created");
}

#[test]
fn an_unreachable_postgres_says_where_and_why_without_the_password() {
    let text = fails(&["keys", "list", "--key-store", "postgres://signet:hunter2@127.0.0.1:1/keys"], &[]);
    assert!(text.contains("postgres://signet@…/keys (password not shown): key store unavailable"), "{text}");
    assert!(text.contains("127.0.0.1:1: Connection refused"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}
