//! End-to-end scrape tests: real HTTP targets on 127.0.0.1:0 (small axum servers), a real
//! `ScrapeManager` fed target groups, and `MemStorage` underneath.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

mod harness;
mod http;
mod lifecycle;
mod native;
