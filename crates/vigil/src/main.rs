//! The `vigil` binary: command line, wiring of the components, ordered shutdown.
//!
//! `main` only parses flags and dispatches. [`server`] builds the whole stack; it is the one place
//! that knows every component, connects them, reloads configuration and fixes the shutdown order.

mod adapters;
mod check;
mod cli;
mod default_config;
mod demo_cmd;
mod logging;
mod reload;
mod server;
mod settings;
mod tsdb_metrics;

use clap::Parser;
use cli::{CheckCommand, Cli, Command};
use std::process::ExitCode;

#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::Check { what: CheckCommand::Config { files } }) => return check::check_config(files),
        Some(Command::Demo { no_traffic }) => {
            logging::init(&cli.log);
            return report(demo_cmd::run(&cli.server, !no_traffic));
        }
        Some(Command::Run) | None => {}
    }
    logging::init(&cli.log);
    report(server::run(&cli))
}

fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "Vigil stopped with an error.");
            eprintln!("vigil: {e:#}");
            ExitCode::FAILURE
        }
    }
}
