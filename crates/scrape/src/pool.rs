//! A scrape pool: the targets of one job, each with its loop, and the targets relabeling dropped.

use crate::append::MetricMetadata;
use crate::fetch::Fetcher;
use crate::pool_config::PoolConfig;
use crate::scrape_loop::{LoopDeps, LoopHandle, ScrapeLoop, SharedMetadata};
use crate::target::{ActiveTarget, DroppedTarget, Populated, Target, populate};
use crate::{Error, Result};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use vigil_model::TargetGroup;

/// A target with its running loop.
#[derive(Debug)]
struct Running {
    target: Target,
    handle: LoopHandle,
    metadata: SharedMetadata,
}

/// The targets of one job.
pub(crate) struct ScrapePool {
    pub config: Arc<PoolConfig>,
    fetcher: Arc<Fetcher>,
    deps: LoopDeps,
    active: HashMap<u64, Running>,
    dropped: Vec<DroppedTarget>,
    /// Loops told to stop, to be awaited at shutdown.
    stopping: Vec<tokio::task::JoinHandle<()>>,
}

impl ScrapePool {
    pub fn new(config: PoolConfig, deps: LoopDeps) -> Result<Self> {
        let fetcher = Arc::new(Fetcher::new(&config)?);
        deps.metrics.scrape_pools.inc();
        Ok(Self {
            config: Arc::new(config),
            fetcher,
            deps,
            active: HashMap::new(),
            dropped: Vec::new(),
            stopping: Vec::new(),
        })
    }

    /// Replaces the pool's targets with those of `groups`: starts loops for new targets, stops
    /// (with stale markers) loops of targets that are gone, keeps the others running.
    pub fn sync(&mut self, groups: &[TargetGroup]) -> Result<()> {
        let mut next: HashMap<u64, Target> = HashMap::new();
        let mut dropped = Vec::new();
        for group in groups {
            for t in &group.targets {
                match populate(&group.labels, t, &self.config) {
                    Populated::Active(target) => {
                        next.entry(target.hash).or_insert(target);
                    }
                    Populated::Dropped(discovered_labels, reason) => {
                        if let Some(reason) = reason {
                            tracing::debug!(job = %self.config.job_name, labels = %discovered_labels, %reason, "Target dropped.");
                        }
                        let keep = self.config.keep_dropped_targets;
                        if keep == 0 || dropped.len() < keep {
                            dropped
                                .push(DroppedTarget { discovered_labels, scrape_pool: self.config.job_name.clone() });
                        }
                    }
                }
            }
        }
        self.dropped = dropped;
        let limit = self.config.target_limit;
        if limit > 0 && next.len() > limit {
            self.deps.metrics.exceeded_target_limit.inc();
            let e = format!("target_limit exceeded (number of targets: {}, limit: {limit})", next.len());
            self.fetcher.set_forced_error(Some(e));
        } else {
            self.fetcher.set_forced_error(None);
        }
        let gone: Vec<u64> = self.active.keys().filter(|h| !next.contains_key(h)).copied().collect();
        for hash in gone {
            if let Some(r) = self.active.remove(&hash) {
                r.handle.stop(true);
                self.stopping.push(r.handle.join);
            }
        }
        let runtime = if next.keys().any(|h| !self.active.contains_key(h)) {
            Some(tokio::runtime::Handle::try_current().map_err(|_| Error::NoRuntime)?)
        } else {
            None
        };
        for (hash, target) in next {
            if let Some(r) = self.active.get_mut(&hash) {
                r.target.discovered = target.discovered;
                continue;
            }
            let Some(runtime) = &runtime else { continue };
            let metadata = SharedMetadata::default();
            let handle = ScrapeLoop::spawn(
                target.clone(),
                Arc::clone(&self.fetcher),
                Arc::clone(&self.config.samples),
                self.deps.clone(),
                Arc::clone(&metadata),
                runtime,
            );
            self.active.insert(hash, Running { target, handle, metadata });
        }
        self.deps.metrics.set_pool_targets(&self.config.job_name, self.active.len());
        self.stopping.retain(|j| !j.is_finished());
        Ok(())
    }

    /// Whether the pool runs a target with this hash.
    pub fn has_target(&self, hash: u64) -> bool {
        self.active.contains_key(&hash)
    }

    /// Stops every loop; `stale_markers` decides per target whether its series are marked stale.
    pub fn stop(&mut self, mut stale_markers: impl FnMut(u64) -> bool) {
        for (hash, r) in self.active.drain() {
            r.handle.stop(stale_markers(hash));
            self.stopping.push(r.handle.join);
        }
        self.dropped.clear();
    }

    /// Join handles of every loop, running or stopping (for an orderly shutdown).
    pub fn take_join_handles(&mut self) -> Vec<tokio::task::JoinHandle<()>> {
        std::mem::take(&mut self.stopping)
    }

    pub fn active_targets(&self) -> Vec<ActiveTarget> {
        let mut out: Vec<ActiveTarget> =
            self.active.values().map(|r| r.target.snapshot(&self.config.job_name)).collect();
        out.sort_by(|a, b| a.labels.cmp(&b.labels));
        out
    }

    pub fn dropped_targets(&self) -> &[DroppedTarget] {
        &self.dropped
    }

    /// Calls `f` with each target's labels and its metadata map.
    pub fn for_each_metadata(&self, mut f: impl FnMut(&BTreeMap<String, MetricMetadata>)) {
        for r in self.active.values() {
            let m = Arc::clone(&r.metadata.lock());
            f(&m);
        }
    }
}
