//! The scrape manager: one pool per job, fed target groups by the binary.

use crate::append::MetricMetadata;
use crate::pool::ScrapePool;
use crate::pool_config::PoolConfig;
use crate::scrape_loop::LoopDeps;
use crate::target::{ActiveTarget, DroppedTarget};
use crate::{Clock, Metrics, Result, SystemClock};
use parking_lot::Mutex;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use tokio::sync::{mpsc, watch};
use vigil_model::TargetGroup;
use vigil_storage::Appendable;

/// How the manager is set up.
#[derive(Debug, Clone)]
pub struct ScrapeOptions {
    /// Source of sample timestamps.
    pub clock: Arc<dyn Clock>,
    /// Self-metrics (register them with [`Metrics::new`]).
    pub metrics: Metrics,
    /// Mixed into every target's scrape offset, so that two servers scraping the same targets
    /// (an HA pair) do not scrape at the same instant. Derive it from something stable per
    /// process, such as the hostname and external labels.
    pub offset_seed: u64,
}

impl Default for ScrapeOptions {
    fn default() -> Self {
        Self { clock: Arc::new(SystemClock), metrics: Metrics::default(), offset_seed: 0 }
    }
}

struct State {
    pools: BTreeMap<String, ScrapePool>,
    /// The last target groups per job, so a new or reloaded pool starts with targets.
    target_sets: HashMap<String, Vec<TargetGroup>>,
    /// Loops of pools that were removed, awaited at shutdown.
    stopping: Vec<tokio::task::JoinHandle<()>>,
}

/// Runs scrape pools for the jobs of the config. See the crate docs for the lifecycle.
pub struct ScrapeManager {
    deps: LoopDeps,
    state: Mutex<State>,
}

impl std::fmt::Debug for ScrapeManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScrapeManager").field("pools", &self.scrape_pools()).finish()
    }
}

impl ScrapeManager {
    /// A manager appending into `appendable`. It scrapes nothing until configured and fed targets.
    pub fn new(appendable: Arc<dyn Appendable>, options: ScrapeOptions) -> Self {
        let deps = LoopDeps {
            storage: appendable,
            clock: options.clock,
            metrics: options.metrics,
            offset_seed: options.offset_seed,
        };
        Self {
            deps,
            state: Mutex::new(State { pools: BTreeMap::new(), target_sets: HashMap::new(), stopping: Vec::new() }),
        }
    }

    /// Creates, updates and removes pools to match `config.scrape_configs`. Unchanged pools keep
    /// running; changed ones restart their loops (targets that survive the change get no stale
    /// markers); removed ones stop and mark their series stale. Needs a Tokio runtime when it
    /// has to start loops. A pool that cannot be built (unreadable TLS files, ...) is reported
    /// before any running pool is touched.
    pub fn apply_config(&self, config: &vigil_config::Config) -> Result<()> {
        let wanted: Vec<PoolConfig> = config.scrape_configs.iter().map(PoolConfig::from_scrape_config).collect();
        self.apply_pool_configs(wanted)
    }

    pub(crate) fn apply_pool_configs(&self, wanted: Vec<PoolConfig>) -> Result<()> {
        let mut st = self.state.lock();
        // Build every new pool first, so that a bad config leaves the running ones untouched.
        let mut fresh: Vec<ScrapePool> = Vec::new();
        for cfg in &wanted {
            let unchanged = st.pools.get(&cfg.job_name).is_some_and(|p| *p.config == *cfg);
            if !unchanged {
                fresh.push(ScrapePool::new(cfg.clone(), self.deps.clone())?);
            }
        }
        let keep: BTreeSet<&str> = wanted.iter().map(|c| c.job_name.as_str()).collect();
        let removed: Vec<String> = st.pools.keys().filter(|j| !keep.contains(j.as_str())).cloned().collect();
        for job in removed {
            if let Some(mut pool) = st.pools.remove(&job) {
                pool.stop(|_| true);
                let handles = pool.take_join_handles();
                st.stopping.extend(handles);
                self.deps.metrics.remove_pool(&job);
                tracing::info!(job = %job, "Scrape pool removed.");
            }
        }
        for mut pool in fresh {
            let job = pool.config.job_name.clone();
            if let Some(groups) = st.target_sets.get(&job) {
                pool.sync(groups)?;
            }
            if let Some(mut old) = st.pools.remove(&job) {
                old.stop(|hash| !pool.has_target(hash));
                let handles = old.take_join_handles();
                st.stopping.extend(handles);
                tracing::info!(job = %job, "Scrape pool reloaded.");
            }
            st.pools.insert(job, pool);
        }
        st.stopping.retain(|j| !j.is_finished());
        Ok(())
    }

    /// Replaces the targets of the jobs in `sets` (jobs not mentioned keep theirs). Target groups
    /// of jobs without a scrape config are remembered until the config has one.
    pub fn sync(&self, sets: HashMap<String, Vec<TargetGroup>>) -> Result<()> {
        let mut st = self.state.lock();
        let mut first_error = None;
        for (job, groups) in sets {
            if let Some(pool) = st.pools.get_mut(&job)
                && let Err(e) = pool.sync(&groups)
            {
                tracing::error!(job = %job, error = %e, "Syncing scrape pool failed.");
                first_error.get_or_insert(e);
            }
            st.target_sets.insert(job, groups);
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Applies target sets from `target_sets` until `shutdown` turns true (or its sender is
    /// dropped), then stops every loop without stale markers (a restart continues the series)
    /// and waits for them, so that storage can be closed afterwards.
    pub async fn run(
        self: Arc<Self>,
        mut target_sets: mpsc::Receiver<HashMap<String, Vec<TargetGroup>>>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let mut channel_open = true;
        loop {
            if *shutdown.borrow_and_update() {
                break;
            }
            tokio::select! {
                sets = target_sets.recv(), if channel_open => match sets {
                    // Errors were logged by sync; the pools that could sync did.
                    Some(sets) => { let _ = self.sync(sets); }
                    None => channel_open = false,
                },
                changed = shutdown.changed() => if changed.is_err() { break },
            }
        }
        let handles = {
            let mut st = self.state.lock();
            let mut handles = std::mem::take(&mut st.stopping);
            for pool in st.pools.values_mut() {
                pool.stop(|_| false);
                handles.extend(pool.take_join_handles());
            }
            handles
        };
        for h in handles {
            let _ = h.await;
        }
    }

    /// Job names with a pool, sorted.
    pub fn scrape_pools(&self) -> Vec<String> {
        self.state.lock().pools.keys().cloned().collect()
    }

    /// Snapshots of every active target, by pool then labels.
    pub fn active_targets(&self) -> Vec<ActiveTarget> {
        self.state.lock().pools.values().flat_map(ScrapePool::active_targets).collect()
    }

    /// Targets dropped by relabeling, with their discovered labels.
    pub fn dropped_targets(&self) -> Vec<DroppedTarget> {
        self.state.lock().pools.values().flat_map(|p| p.dropped_targets().iter().cloned()).collect()
    }

    /// Metric metadata from the last scrape of every target, for `/api/v1/metadata`: metric
    /// family name → its distinct (type, help, unit) entries. `metric` restricts it to one family.
    pub fn metadata(&self, metric: Option<&str>) -> BTreeMap<String, Vec<MetricMetadata>> {
        let mut sets: BTreeMap<String, BTreeSet<MetricMetadata>> = BTreeMap::new();
        let st = self.state.lock();
        for pool in st.pools.values() {
            pool.for_each_metadata(|m| match metric {
                Some(name) => {
                    if let Some(md) = m.get(name) {
                        sets.entry(name.to_owned()).or_default().insert(md.clone());
                    }
                }
                None => {
                    for (name, md) in m {
                        sets.entry(name.clone()).or_default().insert(md.clone());
                    }
                }
            });
        }
        sets.into_iter().map(|(k, v)| (k, v.into_iter().collect())).collect()
    }
}
