//! End-to-end scrape tests: real HTTP targets on 127.0.0.1:0 (small axum servers), a real
//! `ScrapeManager` fed target groups, and `MemStorage` underneath.

mod harness;
mod http;
mod lifecycle;
