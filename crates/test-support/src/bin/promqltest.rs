//! `promqltest`: runs PromQL acceptance `.test` files against Vigil's engine.
//!
//! ```text
//! promqltest [-v] [--no-range-check] [--no-step-check] [--timeout SECS] [--write-known-failures PATH] FILE...
//! ```
//! Prints `FILE: N passed, M failed` per file and the totals `N passed, M failed` last. Exits 0
//! whenever the files ran, 2 on usage errors or unreadable files.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use vigil_test_support::promqltest::{FileReport, RunConfig, render_known_failures, run_file};

const USAGE: &str = "usage: promqltest [-v] [--no-range-check] [--no-step-check] [--timeout SECS] [--write-known-failures PATH] FILE...";

struct Args {
    verbose: bool,
    config: RunConfig,
    write_known_failures: Option<PathBuf>,
    files: Vec<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { verbose: false, config: RunConfig::default(), write_known_failures: None, files: Vec::new() };
    let mut it = std::env::args_os().skip(1);
    while let Some(arg) = it.next() {
        match arg.to_str() {
            Some("-v" | "--verbose") => args.verbose = true,
            Some("--no-range-check") => args.config.range_mode_check = false,
            Some("--no-step-check") => args.config.step_invariance_check = false,
            Some("--timeout") => {
                let secs = it.next().and_then(|s| s.to_str().and_then(|s| s.parse::<u64>().ok()));
                let secs = secs.filter(|s| *s > 0).ok_or("--timeout needs a positive number of seconds")?;
                args.config.timeout = Duration::from_secs(secs);
            }
            Some("--write-known-failures") => {
                args.write_known_failures = Some(it.next().ok_or("--write-known-failures needs a path")?.into());
            }
            Some("-h" | "--help") => return Err(String::new()),
            Some(s) if s.starts_with('-') => return Err(format!("unknown option {s}")),
            _ => args.files.push(arg.into()),
        }
    }
    if args.files.is_empty() {
        return Err("no test files given".into());
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("promqltest: {msg}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Engine panics are caught and reported per eval; keep the default hook from spamming stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let mut stdout = std::io::stdout().lock();
    let mut reports: Vec<FileReport> = Vec::new();
    for path in &args.files {
        let report = match run_file(path, &args.config) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("promqltest: {e}");
                return ExitCode::from(2);
            }
        };
        let _ = writeln!(stdout, "{}: {} passed, {} failed", path.display(), report.passed(), report.failed());
        if args.verbose {
            for o in report.outcomes.iter() {
                if let Some(why) = &o.failure {
                    let _ = writeln!(stdout, "  {}:{}: {}\n    {}", report.name, o.line, o.query, why);
                }
            }
        }
        let _ = stdout.flush();
        reports.push(report);
    }
    if let Some(path) = &args.write_known_failures
        && let Err(e) = std::fs::write(path, render_known_failures(&reports))
    {
        eprintln!("promqltest: {}: {e}", path.display());
        return ExitCode::from(2);
    }
    let passed: usize = reports.iter().map(FileReport::passed).sum();
    let failed: usize = reports.iter().map(FileReport::failed).sum();
    let _ = writeln!(stdout, "{passed} passed, {failed} failed");
    ExitCode::SUCCESS
}
