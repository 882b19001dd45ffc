//! What the command's tests share: the workspace's test support and the `signet` binary.
#![allow(dead_code, unused_imports)]

pub use signet_testing::*;

/// The `signet` command these tests run.
pub const SIGNET: &str = env!("CARGO_BIN_EXE_signet");
