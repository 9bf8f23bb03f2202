//! Integration tests for `vigil-config`: the testdata corpus, seeds, promtool agreement,
//! serialization and `check config`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

mod check;
mod corpus;
mod prometheus_relabel;
mod promtool;
mod relabel;
mod robustness;
mod serialize;

use std::path::{Path, PathBuf};

/// `crates/config/testdata/<sub>`.
pub fn testdata(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata").join(sub)
}

/// The `*.yml` files directly in `dir`, sorted.
pub fn yml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    out.sort();
    out
}
