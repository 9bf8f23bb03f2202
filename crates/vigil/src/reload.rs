//! Configuration loading and reloading (SIGHUP and `POST /-/reload`).
//!
//! A reload loads and validates the new file completely before touching anything running; a bad
//! file keeps the old configuration in force, answers the reload with the error and sets
//! `prometheus_config_last_reload_successful` to 0, as Prometheus does.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc;
use vigil_config::Config;
use vigil_instrument::prometheus_client::metrics::gauge::Gauge;
use vigil_instrument::prometheus_client::registry::Registry;
use vigil_model::TargetGroup;
use vigil_scrape::ScrapeManager;

/// Where the configuration comes from.
#[derive(Debug, Clone)]
pub enum ConfigSource {
    /// `--config.file`.
    File(PathBuf),
    /// The embedded default, already rendered with the listen addresses.
    Embedded(String),
}

impl ConfigSource {
    /// Loads and validates the configuration.
    pub fn load(&self) -> vigil_config::Result<Config> {
        match self {
            ConfigSource::File(path) => Config::load(path),
            ConfigSource::Embedded(text) => Config::from_yaml_str(text, "<embedded default>"),
        }
    }
}

/// Reload metrics with Prometheus' names.
#[derive(Clone)]
struct ReloadMetrics {
    successful: Gauge,
    success_timestamp: Gauge,
}

/// Told the outcome of every reload: the applied config and its effective YAML, or the error.
pub type OutcomeFn = Box<dyn Fn(Result<(&Config, &str), &str>) + Send + Sync>;

/// Applies configurations to the running components.
pub struct Reloader {
    source: ConfigSource,
    scrape: Arc<ScrapeManager>,
    target_sets: mpsc::Sender<HashMap<String, Vec<TargetGroup>>>,
    query_log: Arc<vigil_api::QueryLogFile>,
    metrics: ReloadMetrics,
    on_outcome: OutcomeFn,
    lock: tokio::sync::Mutex<()>,
}

impl Reloader {
    /// A reloader; `on_outcome` hears about every reload, successful or not.
    pub fn new(
        source: ConfigSource,
        scrape: Arc<ScrapeManager>,
        target_sets: mpsc::Sender<HashMap<String, Vec<TargetGroup>>>,
        query_log: Arc<vigil_api::QueryLogFile>,
        registry: &mut Registry,
        on_outcome: OutcomeFn,
    ) -> Self {
        let metrics = ReloadMetrics { successful: Gauge::default(), success_timestamp: Gauge::default() };
        registry.register(
            "prometheus_config_last_reload_successful",
            "Whether the last configuration reload attempt was successful",
            metrics.successful.clone(),
        );
        registry.register(
            "prometheus_config_last_reload_success_timestamp_seconds",
            "Timestamp of the last successful configuration reload",
            metrics.success_timestamp.clone(),
        );
        Self { source, scrape, target_sets, query_log, metrics, on_outcome, lock: tokio::sync::Mutex::new(()) }
    }

    /// Loads the configuration and applies it; on error nothing changes.
    pub async fn reload(&self) -> Result<(), String> {
        let _serial = self.lock.lock().await;
        let result = self.try_reload().await;
        match &result {
            Ok(()) => {
                self.metrics.successful.set(1);
                let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
                self.metrics.success_timestamp.set(i64::try_from(now.as_secs()).unwrap_or(i64::MAX));
                tracing::info!("Completed loading of configuration file.");
            }
            Err(e) => {
                self.metrics.successful.set(0);
                (self.on_outcome)(Err(e));
                tracing::error!(error = %e, "Error reloading config.");
            }
        }
        result
    }

    async fn try_reload(&self) -> Result<(), String> {
        let source = self.source.clone();
        let config = tokio::task::spawn_blocking(move || source.load())
            .await
            .map_err(|e| format!("loading configuration: {e}"))?
            .map_err(|e| e.to_string())?;
        for (job, mechanism) in vigil_discovery::unsupported_mechanisms(&config) {
            tracing::warn!(job = %job, mechanism, "Service discovery mechanism is not supported yet; its targets are not scraped.");
        }
        let yaml = config.to_yaml().map_err(|e| e.to_string())?;
        // Like Prometheus: the file is (re)opened on every reload, relative to the config file.
        let log_path = config.resolve_path(&config.global.query_log_file);
        self.query_log
            .set_path(&log_path.to_string_lossy())
            .map_err(|e| format!("opening query log file {}: {e}", log_path.display()))?;
        self.scrape.apply_config(&config).map_err(|e| format!("applying scrape configuration: {e}"))?;
        self.target_sets
            .send(vigil_discovery::static_target_sets(&config))
            .await
            .map_err(|_| "scrape manager is not running".to_owned())?;
        (self.on_outcome)(Ok((&config, &yaml)));
        Ok(())
    }
}
