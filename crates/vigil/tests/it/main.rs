//! Vigil's one integration-test binary: each module boots the real `vigil` binary on loopback and
//! talks to it with real clients (reqwest, Debian's `promtool` and `prometheus`).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test harness code")]

mod compare;
mod prometheus;
mod support;
mod targets;

mod attacks;
mod check_config;
mod compliance;
mod crash_safety;
mod default_stack;
mod differential;
mod features;
mod import;
mod isolation;
mod promtool;
mod query_log;
mod reload;
