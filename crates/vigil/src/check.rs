//! `vigil check config FILE...`: validates configuration files like `promtool check config`.

use std::path::PathBuf;
use std::process::ExitCode;

/// Checks each file, printing `SUCCESS`/`FAILED` lines like promtool; fails if any file fails.
pub fn check_config(files: &[PathBuf]) -> ExitCode {
    let mut ok = true;
    for file in files {
        eprintln!("Checking {}", file.display());
        match vigil_config::check::check_config(file) {
            Ok(report) if report.is_ok() => {
                eprintln!("  SUCCESS: {} is valid prometheus config file syntax", file.display());
                print_report(&report);
            }
            Ok(report) => {
                ok = false;
                print_report(&report);
                eprintln!("  FAILED: {}", file.display());
            }
            Err(e) => {
                ok = false;
                eprintln!("  FAILED: {e}");
            }
        }
        eprintln!();
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn print_report(report: &vigil_config::check::CheckReport) {
    for rf in &report.rule_files {
        eprintln!("  SUCCESS: {} rule files found ({} groups, {} rules)", rf.path.display(), rf.groups, rf.rules);
    }
    for w in &report.warnings {
        eprintln!("  WARNING: {w}");
    }
    for p in &report.problems {
        eprintln!("  FAILED: {p}");
    }
}
