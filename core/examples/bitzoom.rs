//! Bitzoom credentials from the command line, for cross-checking against PyJWT and Python's
//! `urllib`:
//!
//! ```text
//! bitzoom jwt-mint   <HS256|EdDSA|ES256K> <secret or private key hex> <exp> <iat> <uid> <uname>
//! bitzoom jwt-verify <HS256|EdDSA|ES256K> <secret or public key hex> <token> <now>
//! bitzoom hmac-sign  <secret> <timestamp> <nonce> <recvWindow> <method> <path> <query> <body hex>
//! ```

use std::process::ExitCode;

use signet_core::bitzoom::jwt::{JwtSigningKey, JwtVerifier, JwtVerifyingKey, MAX_JWT_LEN, encode};
use signet_core::bitzoom::request_signing::SignedRequest;
use signet_core::{HmacKey, UnixTime};

#[derive(serde::Serialize, serde::Deserialize)]
struct Claims {
    exp: i64,
    iat: i64,
    uid: heapless::String<64>,
    uname: heapless::String<64>,
}

type Error = Box<dyn core::error::Error>;

fn signing_key(alg: &str, key: &[u8]) -> Result<JwtSigningKey, Error> {
    Ok(match alg {
        "HS256" => JwtSigningKey::Hs256(HmacKey::new(key)),
        "EdDSA" => JwtSigningKey::EdDsa(signet_core::ed25519_dalek::SigningKey::from_bytes(
            key.try_into().map_err(|_| "EdDSA key: 32 bytes")?,
        )),
        "ES256K" => JwtSigningKey::Es256k(k256::ecdsa::SigningKey::from_slice(key)?),
        _ => return Err("unknown algorithm".into()),
    })
}

fn verifying_key(alg: &str, key: &[u8]) -> Result<JwtVerifyingKey, Error> {
    Ok(match alg {
        "HS256" => JwtVerifyingKey::Hs256(HmacKey::new(key)),
        "EdDSA" => JwtVerifyingKey::EdDsa(signet_core::ed25519_dalek::VerifyingKey::from_bytes(
            key.try_into().map_err(|_| "EdDSA key: 32 bytes")?,
        )?),
        "ES256K" => JwtVerifyingKey::Es256k(k256::ecdsa::VerifyingKey::from_sec1_bytes(key)?),
        _ => return Err("unknown algorithm".into()),
    })
}

fn run(args: &[String]) -> Result<(), Error> {
    match args {
        [cmd, alg, key, exp, iat, uid, uname] if cmd == "jwt-mint" => {
            let claims = Claims {
                exp: exp.parse()?,
                iat: iat.parse()?,
                uid: uid.as_str().try_into().map_err(|_| "uid too long")?,
                uname: uname.as_str().try_into().map_err(|_| "uname too long")?,
            };
            let mut buf = [0u8; MAX_JWT_LEN];
            println!("{}", encode(&signing_key(alg, &hex::decode(key)?)?, &claims, &mut buf)?);
        }
        [cmd, alg, key, token, now] if cmd == "jwt-verify" => {
            let verifier = JwtVerifier::new(verifying_key(alg, &hex::decode(key)?)?);
            match verifier.verify::<Claims>(token.as_bytes(), UnixTime(now.parse()?)) {
                Ok(v) => println!("ok {} {} {}", v.claims.exp, v.claims.uid, v.claims.uname),
                Err(e) => println!("error {} {e}", e.code()),
            }
        }
        [cmd, secret, timestamp, nonce, recv_window, method, path, query, body] if cmd == "hmac-sign" => {
            let body = hex::decode(body)?;
            let request = SignedRequest { timestamp, nonce, recv_window, method, path, query, body: &body };
            let mut buf = vec![0u8; 64 * 1024];
            let text = core::str::from_utf8(request.write_canonical(&mut buf)?)?.to_owned();
            println!("signature {}", request.sign(&HmacKey::new(secret.as_bytes()))?.to_hex());
            println!("query {}", text.split('\n').nth(5).unwrap_or_default());
        }
        _ => return Err("usage: see the example's doc comment".into()),
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
