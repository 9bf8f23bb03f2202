//! Targets: turning a discovered label set into a scrape target, and what the API shows of it.
//!
//! Label computation follows Prometheus: group labels under target labels, then `job`,
//! `__scheme__`, `__metrics_path__`, `__scrape_interval__`, `__scrape_timeout__` and
//! `__param_<name>` unless already set (these are the "discovered labels"); then `relabel_configs`;
//! then checks (`__address__` present and free of `/`, interval/timeout labels valid); the scrape
//! URL is built from the `__` labels before they are removed; finally `instance` defaults to
//! `__address__` and every `__`-prefixed label is removed.

use crate::pool_config::PoolConfig;
use parking_lot::Mutex;
use std::sync::Arc;
use vigil_model::duration::{format_duration_ms, parse_duration_ms};
use vigil_model::relabel::process;
use vigil_model::{Labels, LabelsBuilder, Timestamp};

pub(crate) const ADDRESS: &str = "__address__";
pub(crate) const SCHEME: &str = "__scheme__";
pub(crate) const METRICS_PATH: &str = "__metrics_path__";
pub(crate) const SCRAPE_INTERVAL: &str = "__scrape_interval__";
pub(crate) const SCRAPE_TIMEOUT: &str = "__scrape_timeout__";
pub(crate) const PARAM_PREFIX: &str = "__param_";

/// Whether the last scrape of a target succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Health {
    /// Not scraped yet.
    #[default]
    Unknown,
    /// The last scrape succeeded.
    Up,
    /// The last scrape failed.
    Down,
}

impl Health {
    /// `"up"`, `"down"` or `"unknown"`, as in Prometheus' API.
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Unknown => "unknown",
            Health::Up => "up",
            Health::Down => "down",
        }
    }
}

/// What the last scrape of a target left behind; written by its loop, read by the API.
#[derive(Debug, Clone, Default)]
pub(crate) struct TargetStatus {
    pub health: Health,
    pub last_error: String,
    pub last_scrape_ms: Option<Timestamp>,
    pub last_scrape_duration_seconds: f64,
}

/// A snapshot of an active target for `/api/v1/targets`.
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveTarget {
    /// Labels before relabeling (including `__` and `__meta_` labels).
    pub discovered_labels: Labels,
    /// Labels after relabeling, attached to every scraped series.
    pub labels: Labels,
    /// The job name.
    pub scrape_pool: String,
    /// The URL scraped.
    pub scrape_url: String,
    /// The error of the last scrape, empty when it succeeded.
    pub last_error: String,
    /// Start of the last scrape (ms), if any.
    pub last_scrape_ms: Option<Timestamp>,
    /// How long the last scrape took.
    pub last_scrape_duration_seconds: f64,
    /// Health of the last scrape.
    pub health: Health,
    /// Scrape interval in ms.
    pub interval_ms: i64,
    /// Scrape timeout in ms.
    pub timeout_ms: i64,
}

/// A target dropped by relabeling (or unusable), kept for `/api/v1/targets?state=dropped`.
#[derive(Debug, Clone, PartialEq)]
pub struct DroppedTarget {
    /// Labels before relabeling.
    pub discovered_labels: Labels,
    /// The job name.
    pub scrape_pool: String,
}

/// A target ready to be scraped.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub discovered: Labels,
    pub labels: Labels,
    pub url: String,
    pub interval_ms: i64,
    pub timeout_ms: i64,
    /// Identity of the target within its pool: labels and URL.
    pub hash: u64,
    pub status: Arc<Mutex<TargetStatus>>,
}

impl Target {
    pub fn snapshot(&self, pool: &str) -> ActiveTarget {
        let s = self.status.lock().clone();
        ActiveTarget {
            discovered_labels: self.discovered.clone(),
            labels: self.labels.clone(),
            scrape_pool: pool.to_owned(),
            scrape_url: self.url.clone(),
            last_error: s.last_error,
            last_scrape_ms: s.last_scrape_ms,
            last_scrape_duration_seconds: s.last_scrape_duration_seconds,
            health: s.health,
            interval_ms: self.interval_ms,
            timeout_ms: self.timeout_ms,
        }
    }
}

/// The outcome of computing a target from discovered labels.
#[derive(Debug)]
pub(crate) enum Populated {
    Active(Target),
    /// Dropped by relabeling or unusable; the reason is `None` for a relabel drop.
    Dropped(Labels, Option<String>),
}

/// The labels a discovered target starts with: group labels under target labels, then defaults.
pub(crate) fn discovered_labels(group: &Labels, target: &Labels, cfg: &PoolConfig) -> Labels {
    let mut b = target.builder();
    for l in group {
        if b.get(&l.name).is_none() {
            b.set(&l.name, &l.value);
        }
    }
    let set_default = |b: &mut LabelsBuilder, name: &str, value: &str| {
        if b.get(name).is_none() {
            b.set(name, value);
        }
    };
    set_default(&mut b, "job", &cfg.job_name);
    set_default(&mut b, SCRAPE_INTERVAL, &format_duration_ms(cfg.interval_ms));
    set_default(&mut b, SCRAPE_TIMEOUT, &format_duration_ms(cfg.timeout_ms));
    set_default(&mut b, METRICS_PATH, &cfg.metrics_path);
    set_default(&mut b, SCHEME, &cfg.scheme);
    for (name, values) in &cfg.params {
        if let Some(first) = values.first() {
            set_default(&mut b, &format!("{PARAM_PREFIX}{name}"), first);
        }
    }
    b.build()
}

/// Computes the target for one discovered label set.
pub(crate) fn populate(group: &Labels, target: &Labels, cfg: &PoolConfig) -> Populated {
    let discovered = discovered_labels(group, target, cfg);
    let Some(relabeled) = process(&discovered, &cfg.relabel) else {
        return Populated::Dropped(discovered, None);
    };
    match finish(&relabeled, cfg) {
        Ok((labels, url, interval_ms, timeout_ms)) => {
            let hash = target_hash(&labels, &url);
            Populated::Active(Target { discovered, labels, url, interval_ms, timeout_ms, hash, status: Arc::default() })
        }
        Err(reason) => Populated::Dropped(discovered, Some(reason)),
    }
}

/// Checks the relabeled set and derives (public labels, URL, interval, timeout).
fn finish(relabeled: &Labels, cfg: &PoolConfig) -> Result<(Labels, String, i64, i64), String> {
    let address = relabeled.get(ADDRESS).ok_or("no address")?;
    if address.contains('/') {
        return Err(format!("{address} is not a valid hostname"));
    }
    let duration = |name: &str, default: i64| -> Result<i64, String> {
        match relabeled.get(name) {
            None => Ok(default),
            Some(v) => match parse_duration_ms(v) {
                Ok(0) => Err(format!("{name} must not be zero")),
                Ok(ms) => Ok(ms),
                Err(e) => Err(format!("error parsing {name}: {e}")),
            },
        }
    };
    let interval_ms = duration(SCRAPE_INTERVAL, cfg.interval_ms)?;
    let timeout_ms = duration(SCRAPE_TIMEOUT, cfg.timeout_ms)?;
    if timeout_ms > interval_ms {
        return Err(format!(
            "scrape timeout cannot be greater than scrape interval ({} > {})",
            format_duration_ms(timeout_ms),
            format_duration_ms(interval_ms)
        ));
    }
    let url = scrape_url(relabeled, cfg);
    let mut b = relabeled.builder();
    if b.get("instance").is_none() {
        b.set("instance", address);
    }
    b.retain(|l| !l.name.starts_with("__"));
    Ok((b.build(), url, interval_ms, timeout_ms))
}

/// `scheme://address/path?params`, where `__param_<name>` labels replace the first value of the
/// configured parameter of that name (or add it).
pub(crate) fn scrape_url(labels: &Labels, cfg: &PoolConfig) -> String {
    let scheme = labels.get(SCHEME).unwrap_or("http");
    let address = labels.get(ADDRESS).unwrap_or_default();
    let path = labels.get(METRICS_PATH).unwrap_or_default();
    let mut params: Vec<(String, Vec<String>)> = cfg.params.clone();
    for l in labels {
        if let Some(name) = l.name.strip_prefix(PARAM_PREFIX) {
            match params.iter_mut().find(|(n, _)| n == name) {
                Some((_, values)) if !values.is_empty() => values[0].clone_from(&l.value),
                Some((_, values)) => values.push(l.value.clone()),
                None => params.push((name.to_owned(), vec![l.value.clone()])),
            }
        }
    }
    params.sort_by(|a, b| a.0.cmp(&b.0));
    let mut url = format!("{scheme}://{address}");
    if !path.starts_with('/') {
        url.push('/');
    }
    url.push_str(path);
    let mut sep = '?';
    for (name, values) in &params {
        for v in values {
            url.push(sep);
            sep = '&';
            url.push_str(&query_escape(name));
            url.push('=');
            url.push_str(&query_escape(v));
        }
    }
    url
}

/// Percent-encodes like Go's `url.QueryEscape` (space becomes `+`).
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn target_hash(labels: &Labels, url: &str) -> u64 {
    let mut h = xxhash_rust::xxh64::Xxh64::new(0);
    h.update(&labels.hash_xxh64().to_le_bytes());
    h.update(url.as_bytes());
    h.digest()
}

#[cfg(test)]
mod tests;
