//! `vigil run`: builds the whole stack, serves it, reloads it, and shuts it down in order.
//!
//! Start-up: bind the listeners (so the embedded default can name the real addresses), load the
//! configuration (a bad one is fatal at start), open the TSDB, start scrape, the demo API and the
//! HTTP API, then mark the server ready.
//!
//! Shutdown (SIGINT, SIGTERM or `/-/quit`): stop scraping first so no appender is open, stop the
//! demo API and the HTTP server, then close the TSDB, which flushes and syncs its WAL.

use crate::adapters::{DbStats, ScrapeTargets};
use crate::cli::{Cli, ServerFlags};
use crate::reload::{ConfigSource, Reloader};
use crate::settings::Settings;
use crate::tsdb_metrics::TsdbMetrics;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use vigil_api::{ApiMetrics, ApiOptions, ApiState, BuildInfo, ImportOptions, RemoteWriteOptions};
use vigil_instrument::prometheus_client::registry::Registry;
use vigil_promql::{Engine, EngineOptions};
use vigil_scrape::{ScrapeManager, ScrapeOptions};
use vigil_storage::{Appendable, Queryable};
use vigil_tsdb::Db;

/// Runs the server until it is asked to stop.
pub fn run(cli: &Cli) -> Result<()> {
    let settings = Settings::from_flags(&cli.server)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("vigil")
        // Queries are parsed and evaluated on the blocking pool: the parser's limits are sized so
        // that the deepest accepted query fits this stack (pages are only committed when used).
        .thread_stack_size(vigil_promql_syntax::QUERY_STACK_SIZE)
        .build()
        .context("starting the runtime")?;
    rt.block_on(serve(cli.server.clone(), settings, flag_map(cli)))
}

async fn serve(flags: ServerFlags, settings: Settings, flag_map: BTreeMap<String, String>) -> Result<()> {
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "Starting Vigil.");
    for name in &settings.unknown_features {
        tracing::warn!(option = %name, "Unknown option for --enable-feature, ignored.");
    }
    let listener = TcpListener::bind(&flags.listen_address)
        .await
        .with_context(|| format!("listening on --web.listen-address={}", flags.listen_address))?;
    let self_addr = listener.local_addr().context("reading the listen address")?;

    // Without --config.file, Vigil monitors itself and its built-in demo API.
    let (source, demo_listener) = match &flags.config_file {
        Some(path) => (ConfigSource::File(path.clone()), None),
        None => {
            let demo = TcpListener::bind(&flags.demo_listen_address)
                .await
                .with_context(|| format!("listening on --demo.listen-address={}", flags.demo_listen_address))?;
            let demo_addr = demo.local_addr().context("reading the demo address")?;
            tracing::info!(%demo_addr, "No --config.file given; using the embedded default configuration.");
            (ConfigSource::Embedded(crate::default_config::render(self_addr, demo_addr)), Some(demo))
        }
    };

    let db = open_tsdb(&flags, &settings).await?;
    let mut registry = Registry::default();
    let tsdb_metrics = TsdbMetrics::register(Arc::clone(&db), &mut registry);
    let scrape_metrics = vigil_scrape::Metrics::new(&mut registry);
    let api_metrics = ApiMetrics::register(&mut registry);
    let scrape = Arc::new(ScrapeManager::new(
        Arc::clone(&db) as Arc<dyn Appendable>,
        ScrapeOptions { metrics: scrape_metrics, offset_seed: offset_seed(self_addr), ..ScrapeOptions::default() },
    ));

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let (target_tx, target_rx) = mpsc::channel(16);
    let scrape_task = tokio::spawn(Arc::clone(&scrape).run(target_rx, shutdown_rx.clone()));

    // The API state exists before the first config is applied, so the reloader can update it.
    let query_log = Arc::new(vigil_api::QueryLogFile::register(&mut registry));
    let engine = Engine::new(EngineOptions {
        lookback_delta_ms: settings.lookback_delta_ms,
        timeout: settings.query_timeout,
        max_samples: flags.query_max_samples,
        features: settings.features,
    })
    .with_query_logger(Arc::clone(&query_log) as Arc<dyn vigil_promql::QueryLogger>);
    let evaluation_interval = engine.evaluation_interval();
    let handle_slot: Arc<parking_lot::Mutex<Option<vigil_api::ApiHandle>>> = Arc::default();
    let slot = Arc::clone(&handle_slot);
    let reloader = Arc::new(Reloader::new(
        source,
        Arc::clone(&scrape),
        target_tx,
        query_log,
        &mut registry,
        Box::new(move |outcome| {
            if let Ok((config, _)) = &outcome {
                // Subqueries without a step use it, as in Prometheus.
                evaluation_interval.set(config.global.evaluation_interval.to_std());
            }
            let slot = slot.lock();
            let Some(h) = slot.as_ref() else { return };
            match outcome {
                Ok((config, yaml)) => {
                    h.set_config(yaml.to_owned(), config.global.external_labels.to_labels(), vigil_api::system_now_ms())
                }
                Err(_) => h.set_reload_failed(),
            }
        }),
    ));

    let state = api_state(ApiStateParts {
        db: Arc::clone(&db),
        engine,
        flags: &flags,
        import_idle_timeout: settings.import_idle_timeout,
        flag_map,
        scrape: Arc::clone(&scrape),
        registry: Arc::new(registry),
        tsdb_metrics: Arc::new(tsdb_metrics),
        api_metrics,
        reloader: Arc::clone(&reloader),
        shutdown: shutdown_tx.clone(),
    });
    let handle = state.handle();
    *handle_slot.lock() = Some(handle.clone());

    // The first load uses the reload path, so start-up and reload behave the same; at start-up a
    // bad configuration is fatal.
    if let Err(e) = reloader.reload().await {
        anyhow::bail!("loading the configuration: {e}");
    }

    let demo_task = demo_listener.map(|l| {
        let cfg = vigil_demo::DemoConfig::default();
        tokio::spawn(vigil_demo::serve(l, cfg, wait_for(shutdown_rx.clone())))
    });
    let api_task = tokio::spawn(vigil_api::serve_limited(
        listener,
        flags.max_connections,
        vigil_api::router(state),
        wait_for(shutdown_rx.clone()),
    ));
    handle.set_ready(true);
    tracing::info!(address = %self_addr, "Server is ready to receive web requests.");

    supervise(&reloader, &shutdown_tx, shutdown_rx).await;

    tracing::info!("Stopping scrape manager...");
    let _ = shutdown_tx.send(true);
    let _ = scrape_task.await;
    tracing::info!("Scrape manager stopped.");
    if let Some(t) = demo_task {
        let _ = t.await;
    }
    match api_task.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!(error = %e, "HTTP server failed."),
        Err(e) => tracing::error!(error = %e, "HTTP server task failed."),
    }
    // Release every other holder of the storage so it can be closed (and its WAL synced).
    // The reloader and the API state refer to each other through `handle_slot`; break the cycle.
    handle_slot.lock().take();
    drop((handle, handle_slot, reloader, scrape));
    close_tsdb(db).await;
    tracing::info!("See you next time!");
    Ok(())
}

/// Waits for SIGHUP (reload), SIGINT/SIGTERM or `/-/quit` (stop).
async fn supervise(
    reloader: &Arc<Reloader>,
    shutdown_tx: &watch::Sender<bool>,
    mut shutdown_rx: watch::Receiver<bool>,
) {
    let mut hup = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!(error = %e, "Cannot listen for SIGHUP; reload via /-/reload only.");
            None
        }
    };
    let term = termination_signal();
    tokio::pin!(term);
    loop {
        tokio::select! {
            _ = &mut term => {
                tracing::warn!("Received termination signal, exiting gracefully...");
                break;
            }
            Some(()) = async { match hup.as_mut() { Some(s) => s.recv().await, None => std::future::pending().await } } => {
                // The outcome reaches the API through the reloader's callback.
                let _ = reloader.reload().await;
            }
            changed = shutdown_rx.changed() => {
                if changed.is_err() || *shutdown_rx.borrow() {
                    tracing::warn!("Received quit request via web, exiting gracefully...");
                    break;
                }
            }
        }
    }
    let _ = shutdown_tx.send(true);
}

/// Completes on SIGINT or SIGTERM.
pub async fn termination_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

async fn wait_for(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

async fn open_tsdb(flags: &ServerFlags, settings: &Settings) -> Result<Arc<Db>> {
    let path = flags.tsdb_path.clone();
    let opts = vigil_tsdb::Options {
        retention_ms: settings.retention_ms,
        block_range_ms: settings.block_range_ms,
        chunk_range_ms: settings.block_range_ms,
        ..vigil_tsdb::Options::default()
    };
    let shown = path.display().to_string();
    tracing::info!(path = %shown, "Opening storage...");
    let db = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Db::open(&path, opts).with_context(|| format!("opening storage at {}", path.display()))
    })
    .await
    .context("opening storage")??;
    tracing::info!(path = %shown, "Storage opened.");
    Ok(Arc::new(db))
}

async fn close_tsdb(db: Arc<Db>) {
    let result = tokio::task::spawn_blocking(move || match Arc::try_unwrap(db) {
        Ok(db) => db.close().map_err(|e| e.to_string()),
        // Something still holds the storage (a query in flight): its WAL writes are already
        // durable, and the process exit releases the lock.
        Err(_) => Err("storage still in use at shutdown".to_owned()),
    })
    .await;
    match result {
        Ok(Ok(())) => tracing::info!("Storage closed."),
        Ok(Err(e)) => tracing::warn!(error = %e, "Storage not closed cleanly."),
        Err(e) => tracing::warn!(error = %e, "Closing storage failed."),
    }
}

struct ApiStateParts<'a> {
    db: Arc<Db>,
    engine: Engine,
    flags: &'a ServerFlags,
    import_idle_timeout: std::time::Duration,
    flag_map: BTreeMap<String, String>,
    scrape: Arc<ScrapeManager>,
    registry: Arc<Registry>,
    tsdb_metrics: Arc<TsdbMetrics>,
    api_metrics: ApiMetrics,
    reloader: Arc<Reloader>,
    shutdown: watch::Sender<bool>,
}

fn api_state(p: ApiStateParts<'_>) -> ApiState {
    let options = ApiOptions {
        enable_lifecycle: p.flags.enable_lifecycle,
        enable_admin_api: p.flags.enable_admin_api,
        storage_retention: p.flags.retention_time.clone(),
        max_concurrent_queries: p.flags.query_max_concurrency.max(1),
        import: ImportOptions {
            enabled: p.flags.enable_import,
            max_body_bytes: p.flags.import_max_body_bytes,
            max_line_bytes: p.flags.import_max_line_bytes.max(1),
            max_samples: p.flags.import_max_samples,
            idle_timeout: p.import_idle_timeout,
            ..ImportOptions::default()
        },
        remote_write: RemoteWriteOptions {
            enabled: p.flags.enable_remote_write_receiver,
            max_body_bytes: p.flags.remote_write_max_body_bytes,
            max_decoded_bytes: p.flags.remote_write_max_decoded_bytes,
            ..RemoteWriteOptions::default()
        },
        ..ApiOptions::default()
    };
    let reloader = p.reloader;
    let shutdown = p.shutdown;
    let registry = p.registry;
    let tsdb_metrics = p.tsdb_metrics;
    ApiState::builder(Arc::clone(&p.db) as Arc<dyn Queryable>, p.engine)
        .options(options)
        .appendable(Arc::clone(&p.db) as Arc<dyn Appendable>)
        .targets(Arc::new(ScrapeTargets { scrape: p.scrape }))
        .tsdb_stats(Arc::new(DbStats(p.db)))
        .on_reload(Arc::new(move || {
            let reloader = Arc::clone(&reloader);
            Box::pin(async move { reloader.reload().await })
        }))
        .on_quit(Arc::new(move || {
            let _ = shutdown.send(true);
        }))
        .format_query(Arc::new(|q| vigil_promql_syntax::format_query(q).map_err(|e| e.to_string())))
        .metrics_render(Arc::new(move || {
            tsdb_metrics.refresh();
            let format = vigil_instrument::Format::Text;
            vigil_instrument::render(&registry, format)
                .map(|body| (body, format.content_type()))
                .map_err(|e| e.to_string())
        }))
        .metrics(p.api_metrics)
        .flags(p.flag_map)
        .build_info(BuildInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            revision: option_env!("VIGIL_GIT_REVISION").unwrap_or("unknown").to_owned(),
            branch: "main".to_owned(),
            build_user: "vigil".to_owned(),
            build_date: String::new(),
            go_version: format!("rust (vigil {})", env!("CARGO_PKG_VERSION")),
        })
        .build()
}

/// The flags as `/api/v1/status/flags` shows them: every flag name with its effective value.
fn flag_map(cli: &Cli) -> BTreeMap<String, String> {
    let f = &cli.server;
    let mut m = BTreeMap::new();
    let mut put = |k: &str, v: String| {
        m.insert(k.to_owned(), v);
    };
    put("config.file", f.config_file.as_ref().map(|p| p.display().to_string()).unwrap_or_default());
    put("storage.tsdb.path", f.tsdb_path.display().to_string());
    put("storage.tsdb.retention.time", f.retention_time.clone());
    put("web.listen-address", f.listen_address.clone());
    put("web.enable-lifecycle", f.enable_lifecycle.to_string());
    put("web.enable-admin-api", f.enable_admin_api.to_string());
    put("web.max-connections", f.max_connections.to_string());
    put("web.enable-import", f.enable_import.to_string());
    put("web.enable-remote-write-receiver", f.enable_remote_write_receiver.to_string());
    put("web.import.max-body-bytes", f.import_max_body_bytes.to_string());
    put("web.import.max-line-bytes", f.import_max_line_bytes.to_string());
    put("web.import.max-samples", f.import_max_samples.to_string());
    put("web.import.idle-timeout", f.import_idle_timeout.clone());
    put("web.external-url", f.external_url.clone().unwrap_or_default());
    put("query.lookback-delta", f.lookback_delta.clone());
    put("query.timeout", f.query_timeout.clone());
    put("query.max-samples", f.query_max_samples.to_string());
    put("query.max-concurrency", f.query_max_concurrency.to_string());
    put("enable-feature", f.enable_feature.join(","));
    put("log.level", format!("{:?}", cli.log.level).to_lowercase());
    put("log.format", format!("{:?}", cli.log.format).to_lowercase());
    m
}

/// A per-process seed for scrape offsets, so two replicas scraping the same targets spread out.
fn offset_seed(addr: SocketAddr) -> u64 {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    xxhash_seed(format!("{}{addr}", host.trim()).as_bytes())
}

fn xxhash_seed(bytes: &[u8]) -> u64 {
    // FNV-1a: stable and dependency-free; quality is irrelevant for spreading offsets.
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}
