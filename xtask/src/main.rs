//! Repository checks, run by the test script: `cargo run -p xtask -- check`.
//!
//! - **Dependency direction**: each `vigil-*` crate may depend only on the crates its layer allows
//!   (the table in ARCHITECTURE.md). Checked from `cargo metadata`, so a new edge fails CI.
//! - **Tidy**: every Rust source file starts with a `//!` module doc.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Allowed internal dependencies per crate (normal dependencies only; dev-dependencies are free).
const ALLOWED: &[(&str, &[&str])] = &[
    ("vigil-model", &[]),
    ("vigil-exposition", &["vigil-model"]),
    ("vigil-promql-syntax", &["vigil-model"]),
    ("vigil-config", &["vigil-model"]),
    ("vigil-storage", &["vigil-model"]),
    ("vigil-instrument", &[]),
    ("vigil-tsdb", &["vigil-model", "vigil-storage"]),
    ("vigil-promql", &["vigil-model", "vigil-promql-syntax", "vigil-storage"]),
    ("vigil-discovery", &["vigil-model", "vigil-config"]),
    ("vigil-scrape", &["vigil-model", "vigil-config", "vigil-exposition", "vigil-storage", "vigil-instrument"]),
    ("vigil-demo", &["vigil-instrument"]),
    (
        "vigil-api",
        &[
            "vigil-model",
            "vigil-exposition",
            "vigil-storage",
            "vigil-promql",
            "vigil-promql-syntax",
            "vigil-instrument",
        ],
    ),
    ("vigil-test-support", &["vigil-model", "vigil-storage", "vigil-promql", "vigil-promql-syntax", "vigil-tsdb"]),
    (
        "vigil",
        &[
            "vigil-model",
            "vigil-exposition",
            "vigil-promql-syntax",
            "vigil-config",
            "vigil-storage",
            "vigil-instrument",
            "vigil-tsdb",
            "vigil-promql",
            "vigil-discovery",
            "vigil-scrape",
            "vigil-demo",
            "vigil-api",
        ],
    ),
];

fn main() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().context("xtask has no parent dir")?.to_path_buf();
    let mut failures = Vec::new();
    check_dependency_direction(&root, &mut failures)?;
    check_module_docs(&root.join("crates"), &mut failures)?;
    check_module_docs(&root.join("xtask"), &mut failures)?;
    if failures.is_empty() {
        eprintln!("xtask: dependency direction and tidy checks passed");
        return Ok(());
    }
    for f in &failures {
        eprintln!("xtask: {f}");
    }
    bail!("{} check(s) failed", failures.len())
}

fn check_dependency_direction(root: &Path, failures: &mut Vec<String>) -> Result<()> {
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(root)
        .output()
        .context("running cargo metadata")?;
    if !out.status.success() {
        bail!("cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).context("parsing cargo metadata")?;
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let packages = meta["packages"].as_array().context("metadata has no packages")?;
    for pkg in packages {
        let name = pkg["name"].as_str().unwrap_or_default();
        if name == "xtask" {
            continue;
        }
        let Some(ok) = allowed.get(name) else {
            failures.push(format!("crate {name} is not in the layer table (xtask/src/main.rs and ARCHITECTURE.md)"));
            continue;
        };
        for dep in pkg["dependencies"].as_array().into_iter().flatten() {
            let dep_name = dep["name"].as_str().unwrap_or_default();
            let is_dev = dep["kind"].as_str() == Some("dev");
            if dep_name.starts_with("vigil") && !is_dev && !ok.contains(&dep_name) {
                failures.push(format!("{name} must not depend on {dep_name} (see ARCHITECTURE.md, layers)"));
            }
        }
    }
    Ok(())
}

fn check_module_docs(dir: &Path, failures: &mut Vec<String>) -> Result<()> {
    for file in rust_files(dir)? {
        let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
        if !first.starts_with("//!") {
            failures.push(format!("{} does not start with a //! module doc", file.display()));
        }
    }
    Ok(())
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("listing {}", d.display()))? {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if path.is_dir() {
                if name != "target" && name != "testdata" {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") {
                out.push(path);
            }
        }
    }
    Ok(out)
}
