//! The `signet` binary, command by command.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::process::{Command, Output};

use serde_json::Value;

fn signet(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_signet"));
    command.args(args);
    for name in signet_std::VARIABLES {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    command.output().unwrap()
}

fn json_of(output: &Output) -> Value {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap().trim().to_owned()
}

#[test]
fn demo_runs_every_step() {
    let out = signet(&["demo"], &[]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).ends_with("steps behaved as expected"));
}

#[test]
fn help_is_everywhere() {
    for args in [
        &["--help"][..],
        &["demo", "--help"],
        &["token", "--help"],
        &["serve", "--help"],
        &["keys", "list", "--help"],
        &["verify", "--help"],
        &["keygen", "--help"],
        &["wallet", "sign", "--help"],
        &["register", "--help"],
        &["bitzoom", "sign", "--help"],
    ] {
        let out = signet(args, &[]);
        assert!(out.status.success() && stdout(&out).contains("Usage"), "{args:?}");
    }
}

#[test]
fn keygen_token_and_verify_round_trip() {
    let key = json_of(&signet(&["keygen", "--json"], &[]));
    let (kid, secret, public) = (
        key["api_key_id"].as_str().unwrap(),
        key["api_private_key"].as_str().unwrap(),
        key["public_key"].as_str().unwrap(),
    );
    let env = [("TURBINE_API_KEY_ID", kid), ("TURBINE_API_PRIVATE_KEY", secret)];
    let token = stdout(&signet(&["token"], &env));
    assert_eq!(token.split('.').count(), 2, "only the token on stdout: {token}");
    let header = format!("Bearer {token}");
    let ok = json_of(&signet(&["verify", &header, "--public-key", public, "--kid", kid, "--json"], &[]));
    assert_eq!((ok["valid"].as_bool(), ok["kid"].as_str()), (Some(true), Some(kid)));
    let refused = signet(&["verify", "Bearer x.y", "--public-key", public, "--kid", kid], &[]);
    assert!(!refused.status.success());
    assert_eq!(stdout(&refused), "refused: invalid token format");
    // Credentials are required, and the error names the variable only.
    let missing = signet(&["token"], &[("TURBINE_API_KEY_ID", kid)]);
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(!missing.status.success() && err.contains("TURBINE_API_PRIVATE_KEY") && !err.contains(secret));
}

#[test]
fn wallet_commands_round_trip() {
    let wallet = json_of(&signet(&["wallet", "new", "--json"], &[]));
    let (private, address) = (wallet["private_key"].as_str().unwrap(), wallet["address"].as_str().unwrap());
    let env = [("TURBINE_PRIVATE_KEY", private)];
    assert_eq!(stdout(&signet(&["wallet", "address"], &env)), address);
    let signed = json_of(&signet(&["wallet", "sign", "--json"], &env));
    assert_eq!(signed["message"], format!("Register API key for Turbine: {address}"));
    let signature = signed["signature"].as_str().unwrap();
    assert_eq!(
        stdout(&signet(&["wallet", "recover", signed["message"].as_str().unwrap(), signature], &[])),
        address
    );
    assert!(signet_core::turbine::verify_registration(address, signature).is_ok());
    let bad = signet(&["wallet", "recover", "m", "0x12"], &[]);
    assert!(
        !bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("invalid signature encoding")
    );
}

/// A child process that does not outlive a failing test.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_register_keys_and_credentials_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let listen = format!("127.0.0.1:{port}");
    let mut server = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_signet"))
            .args(["serve", "--init", "--listen", &listen, "--data", data.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let host = format!("http://{listen}");
    let client = signet_std::TurbineClient::new(&host);
    for _ in 0..100 {
        if client.markets().is_ok() {
            break;
        }
        std::thread::sleep(core::time::Duration::from_millis(50));
    }
    let wallet = json_of(&signet(&["wallet", "new", "--json"], &[]));
    let creds = dir.path().join("creds");
    let env = [("TURBINE_PRIVATE_KEY", wallet["private_key"].as_str().unwrap())];
    let registered =
        json_of(&signet(&["register", "--host", &host, "--out", creds.to_str().unwrap(), "--json"], &env));
    let kid = registered["api_key_id"].as_str().unwrap().to_owned();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&creds).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let token = stdout(&signet(&["--credentials", creds.to_str().unwrap(), "token"], &[]));
    let (status, _) = client.send_raw("GET", "/api/v1/orders", Some(&format!("Bearer {token}"))).unwrap();
    assert_eq!(status, 200);

    // Orders from the command line: signed with the wallet in the credentials, in the market's
    // domain, listed, shown and cancelled.
    let order_cmd = |args: &[&str]| {
        let mut all = vec!["--credentials", creds.to_str().unwrap(), "order"];
        all.extend_from_slice(args);
        signet(&all, &[])
    };
    let order = |args: &[&str]| json_of(&order_cmd(&[args, &["--json"]].concat()));
    let market = "0x7be846659c9670a8ed0bf3a3e8e1ea8e3b1a96f938e04a9137019135a496e928";
    let spec = |price| {
        ["create", "--market", market, "--side", "buy", "--outcome", "no", "--price", price, "--size", "12.5"]
    };
    let created = order(&spec("0.35"));
    let hash = created["orderHash"].as_str().unwrap().to_owned();
    assert_eq!(created["status"], "open");
    let body = serde_json::to_string(&created["body"]).unwrap();
    let signed = signet_core::turbine::order::SignedOrder::parse_body(body.as_bytes()).unwrap();
    assert_eq!((signed.order.price, signed.order.size), (350_000, 12_500_000));
    assert_eq!(signed.verify(&signet_core::turbine::order::OrderDomain::for_chain(137).unwrap()), Ok(()));
    let listed = order(&["list", "--status", "open"]);
    assert_eq!(
        listed.as_array().unwrap().iter().map(|o| o["orderHash"].as_str().unwrap()).collect::<Vec<_>>(),
        [hash.as_str()]
    );
    // The same units as `order create` prints: shares and a price as a fraction of the payout.
    let text = stdout(&order_cmd(&["list", "--status", "open"]));
    assert!(text.contains("open      BUY NO 12.5 @ 0.3500 market 0x7be8…e928 exp "), "{text}");
    assert_eq!(order(&["show", &hash])["outcome"], 1);
    assert_eq!(order(&["cancel", &hash, "--market", market])["cancelled"], 1);
    assert_eq!(order(&["show", &hash])["status"], "cancelled");
    let bad = order_cmd(&spec("1.5"));
    let text = String::from_utf8_lossy(&bad.stderr);
    assert!(
        !bad.status.success() && text.contains("invalid order: price must be between 1 and 999999"),
        "{text}"
    );
    server.0.kill().unwrap();
    server.0.wait().unwrap();

    let data = data.to_str().unwrap();
    let listed = json_of(&signet(&["keys", "list", "--data", data, "--json"], &[]));
    assert_eq!(
        (listed[0]["api_key_id"].as_str(), listed[0]["status"].as_str()),
        (Some(kid.as_str()), Some("active"))
    );
    json_of(&signet(&["keys", "revoke", &kid, "--data", data, "--json"], &[]));
    let fresh = stdout(&signet(&["--credentials", creds.to_str().unwrap(), "token"], &[]));
    let refused = signet(&["verify", &format!("Bearer {fresh}"), "--data", data], &[]);
    assert!(!refused.status.success());
    assert_eq!(stdout(&refused), "refused: API key is inactive");
    json_of(&signet(&["keys", "expire", &kid, "--at", "1", "--data", data, "--json"], &[]));
    assert!(stdout(&signet(&["keys", "list", "--data", data], &[])).contains("inactive"));
}

#[test]
fn bitzoom_sign_headers_verify() {
    let env = [("BITZOOM_API_KEY", "bz-key"), ("BITZOOM_API_SECRET", "demo_secret_7f3b9c2d")];
    let headers = json_of(&signet(
        &[
            "bitzoom",
            "sign",
            "--method",
            "post",
            "--path",
            "/api/v1/order",
            "--body",
            "{}",
            "--recv-window",
            "6000",
            "--json",
        ],
        &env,
    ));
    let request = signet_core::bitzoom::request_signing::SignedRequest {
        timestamp: headers["X-BZ-TIMESTAMP"].as_str().unwrap(),
        nonce: headers["X-BZ-NONCE"].as_str().unwrap(),
        recv_window: headers["X-BZ-RECVWINDOW"].as_str().unwrap(),
        method: "POST",
        path: "/api/v1/order",
        query: "",
        body: b"{}",
    };
    let key = signet_core::HmacKey::new(b"demo_secret_7f3b9c2d");
    assert_eq!(request.sign(&key).unwrap().to_hex().as_str(), headers["X-BZ-SIGNATURE"].as_str().unwrap());
}
