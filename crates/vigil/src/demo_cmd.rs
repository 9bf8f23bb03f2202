//! `vigil demo`: the built-in demo API alone, as a scrape target for any server.

use crate::cli::ServerFlags;
use anyhow::Context;

/// Serves the demo API on `--demo.listen-address` until SIGINT/SIGTERM.
pub fn run(flags: &ServerFlags, traffic: bool) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(&flags.demo_listen_address)
            .await
            .with_context(|| format!("listening on {}", flags.demo_listen_address))?;
        let mut cfg = vigil_demo::DemoConfig::default();
        if !traffic {
            cfg.traffic = None;
        }
        vigil_demo::serve(listener, cfg, crate::server::termination_signal()).await.context("demo API")
    })
}
