//! Counter-reset hints worked out while reading, for selectors whose histograms only feed
//! `histogram_count`, `histogram_sum` or `histogram_avg`.
//!
//! Prometheus reads such selectors through an iterator that decodes only count and sum and,
//! since the buckets are gone afterwards, decides each sample's counter reset on the way: a
//! sample with an unknown hint gets `CounterReset` or `NotCounterReset` by comparison with the
//! sample read before it (the first one read stays unknown; stale markers are skipped). The
//! hints are visible to what sits between the selector and the function, e.g. the "conflicting
//! counter resets" warning of `sum`. Vigil keeps decoding whole histograms and only reproduces
//! the hints, for the same selectors: a subquery, a function that needs the buckets
//! (`histogram_quantile(s)`, `histogram_fraction`) or a trim operator anywhere above the
//! selector rules it out, because those need the stored hints (a subquery detects resets itself).

use std::collections::HashSet;
use std::sync::Arc;
use vigil_model::histogram::CounterResetHint;
use vigil_model::{FloatHistogram, Timestamp};
use vigil_promql_syntax::{Expr, VectorSelector};

/// The selectors of a query read in stats mode, by address in the query's tree.
#[derive(Debug, Default)]
pub(crate) struct StatsSelectors(HashSet<usize>);

/// What the path from the root says about the selectors below it.
#[derive(Clone, Copy)]
struct Path {
    /// Some stats function is above.
    stats: bool,
    /// A subquery, bucket function or trim operator is above: stats mode is ruled out.
    vetoed: bool,
}

impl StatsSelectors {
    /// Finds the selectors of `root` read in stats mode, walking the tree with an explicit stack.
    pub fn find(root: &Expr) -> Self {
        let mut found = HashSet::new();
        let mut stack = vec![(root, Path { stats: false, vetoed: false })];
        while let Some((e, path)) = stack.pop() {
            if path.vetoed {
                continue;
            }
            let below = match e {
                Expr::VectorSelector(vs) | Expr::MatrixSelector { vs, .. } => {
                    if path.stats {
                        found.insert(address(vs));
                    }
                    continue;
                }
                Expr::Subquery(_) => Path { vetoed: true, ..path },
                Expr::Binary(b) if b.op.is_trim() => Path { vetoed: true, ..path },
                Expr::Call(c) => match c.func.name {
                    "histogram_count" | "histogram_sum" | "histogram_avg" => Path { stats: true, ..path },
                    "histogram_quantile" | "histogram_quantiles" | "histogram_fraction" => {
                        Path { vetoed: true, ..path }
                    }
                    _ => path,
                },
                _ => path,
            };
            stack.extend(e.children().into_iter().map(|c| (c, below)));
        }
        Self(found)
    }

    /// Whether `vs` is read in stats mode.
    pub fn contains(&self, vs: &VectorSelector) -> bool {
        !self.0.is_empty() && self.0.contains(&address(vs))
    }
}

fn address(vs: &VectorSelector) -> usize {
    std::ptr::from_ref(vs) as usize
}

/// Gives the histograms of one series, read in time order (possibly over several calls), the
/// hints a stats-mode read gives them.
#[derive(Default)]
pub(crate) struct ResetHints {
    last: Option<Arc<FloatHistogram>>,
}

impl ResetHints {
    /// Decides the unknown hints of `hists`, which follow those of the previous calls.
    pub fn apply(&mut self, hists: &mut [(Timestamp, Arc<FloatHistogram>)]) {
        for (_, h) in hists {
            if h.is_stale() {
                continue;
            }
            if h.counter_reset_hint == CounterResetHint::Unknown
                && let Some(last) = &self.last
            {
                let hint = if h.detect_reset(last) {
                    CounterResetHint::CounterReset
                } else {
                    CounterResetHint::NotCounterReset
                };
                Arc::make_mut(h).counter_reset_hint = hint;
            }
            self.last = Some(h.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selectors(q: &str) -> usize {
        let e = vigil_promql_syntax::parse(q).unwrap();
        StatsSelectors::find(&e).0.len()
    }

    #[test]
    fn stats_mode_needs_a_stats_function_and_nothing_needing_buckets_above() {
        assert_eq!(selectors("histogram_count(sum(m))"), 1);
        assert_eq!(selectors("histogram_sum(sum_over_time(m[5m])) + histogram_avg(x)"), 2);
        assert_eq!(selectors("sum(m)"), 0);
        assert_eq!(selectors("histogram_count(sum_over_time(rate(m[5m])[10m:1m]))"), 0);
        assert_eq!(selectors("max_over_time(histogram_count(m)[10m:1m])"), 0);
        assert_eq!(selectors("histogram_quantile(0.5, histogram_count(m))"), 0);
        assert_eq!(selectors("histogram_count(m </ 3)"), 0);
    }

    fn hist(count: f64) -> Arc<FloatHistogram> {
        Arc::new(FloatHistogram { count, sum: count, ..FloatHistogram::default() })
    }

    #[test]
    fn hints_follow_the_previous_sample_read_and_skip_stale_markers() {
        let mut known = (*hist(5.0)).clone();
        known.counter_reset_hint = CounterResetHint::Gauge;
        let mut hs = [(0, hist(3.0)), (1, hist(2.0)), (2, Arc::new(FloatHistogram::stale())), (3, hist(4.0))];
        let mut r = ResetHints::default();
        r.apply(&mut hs[..2]);
        r.apply(&mut hs[2..]);
        let hints: Vec<_> = hs.iter().map(|(_, h)| h.counter_reset_hint).collect();
        use CounterResetHint::*;
        assert_eq!(hints, [Unknown, CounterReset, Unknown, NotCounterReset]);
        let mut more = [(4, Arc::new(known)), (5, hist(1.0))];
        r.apply(&mut more);
        assert_eq!(more[0].1.counter_reset_hint, Gauge, "explicit hints are kept");
        assert_eq!(more[1].1.counter_reset_hint, CounterReset);
    }
}
