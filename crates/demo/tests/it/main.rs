//! Integration tests: real demo servers on `127.0.0.1:0`, exercised over HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

mod metrics;
mod predict;
mod support;
mod traffic;
