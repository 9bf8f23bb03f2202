//! Native histograms in aggregations, as Prometheus 3.x treats them: `sum` and `avg` add them
//! (compensated, like floats), `count` and `group` count them, `count_values` counts their text,
//! `limitk` and `limit_ratio` keep them, the other operators ignore them with an info.
//!
//! The float results come from the float code unchanged; the passes here run only for vectors
//! that hold histograms and put the histogram results beside the float ones.

use super::super::{Ctx, Series, span_cost};
use crate::{Error, Result};
use std::ops::Range;
use std::sync::Arc;
use vigil_model::histogram::notation::format_go_float;
use vigil_model::histogram::{CounterResetHint, HistogramSum};
use vigil_model::{FloatHistogram, METRIC_NAME};
use vigil_promql_syntax::AggregateOp;

/// The steps from a series' first to its last value of either kind.
pub(super) fn value_span(s: &Series) -> Range<usize> {
    let floats = s.span();
    let (Some(first), Some(last)) = (s.hists().first(), s.hists().last()) else { return floats };
    let hists = first.0..last.0 + 1;
    if floats.is_empty() { hists } else { floats.start.min(hists.start)..floats.end.max(hists.end) }
}

/// The name Prometheus gives an operator in its "ignored histogram" info.
pub(super) fn op_name(op: AggregateOp) -> &'static str {
    match op {
        AggregateOp::Min => "min",
        AggregateOp::Max => "max",
        AggregateOp::Stddev => "stddev",
        AggregateOp::Stdvar => "stdvar",
        AggregateOp::Quantile => "quantile",
        AggregateOp::Topk => "topk",
        AggregateOp::Bottomk => "bottomk",
        _ => "",
    }
}

/// Go's `FloatHistogram.String()`, the label value `count_values` gives a histogram: count,
/// sum and the non-empty buckets from the lowest to the highest.
pub(super) fn label_value(h: &FloatHistogram) -> String {
    let mut out = format!("{{count:{}, sum:{}", format_go_float(h.count), format_go_float(h.sum));
    for b in h.buckets().filter(|b| b.count != 0.0) {
        out.push_str(&format!(
            ", {}{},{}{}:{}",
            if b.lower_inclusive { '[' } else { '(' },
            format_go_float(b.lower),
            format_go_float(b.upper),
            if b.upper_inclusive { ']' } else { ')' },
            format_go_float(b.count)
        ));
    }
    out.push('}');
    out
}

/// What went wrong in one group at one step, for the annotations.
#[derive(Default)]
struct Trouble {
    mixed: bool,
    collision: bool,
    reconciled: bool,
    /// Metric names of series whose histograms could not be added.
    incompatible: Vec<String>,
}

/// One step of one group: the input series and histograms there, in input order.
type Run<'a> = [(usize, usize, &'a Arc<FloatHistogram>)];

impl Ctx<'_> {
    /// `sum`/`avg`: puts the histogram results of every group into `out` (the float results,
    /// one series per group); a step where a group holds both kinds loses its float result and
    /// gets none, with a warning.
    pub(super) fn aggregate_hists(
        &mut self,
        op: AggregateOp,
        vs: &[Series],
        members: &[Vec<usize>],
        out: &mut [Series],
        expr_at: usize,
    ) -> Result<()> {
        let room = self.room();
        let mut made = 0usize;
        let mut trouble = Trouble::default();
        let mut steps: Vec<(usize, usize, &Arc<FloatHistogram>)> = Vec::new();
        for (m, dst) in members.iter().zip(out.iter_mut()) {
            self.check("aggregation")?;
            steps.clear();
            for &i in m {
                steps.extend(vs[i].hists().iter().map(|(k, h)| (*k, i, h)));
            }
            // Stable: within a step, the input order.
            steps.sort_by_key(|s| s.0);
            let mut mixed_at: Vec<usize> = Vec::new();
            for run in steps.chunk_by(|a, b| a.0 == b.0) {
                let k = run[0].0;
                if dst.has(k) {
                    mixed_at.push(k);
                    continue;
                }
                if let Some(h) = step_result(op, run, vs, &mut trouble) {
                    made = made.saturating_add(dst.set_hist(k, Arc::new(h)));
                    if made > room {
                        return Err(Error::TooManySamples);
                    }
                }
            }
            if !mixed_at.is_empty() {
                trouble.mixed = true;
                dst.filter_map_values(|k, v| mixed_at.binary_search(&k).is_err().then_some(v));
            }
        }
        if trouble.mixed {
            self.warn_at_offset("PromQL warning: encountered a mix of histograms and floats for aggregation", expr_at);
        }
        for name in &trouble.incompatible {
            self.warn_at_offset(
                &format!("PromQL warning: vector contains a mix of histograms with exponential and custom buckets schemas for metric name {name:?}"),
                expr_at,
            );
        }
        if trouble.reconciled {
            self.info_at_offset("PromQL info: mismatched custom buckets were reconciled during aggregation", expr_at);
        }
        if trouble.collision {
            self.warn_at_offset("PromQL warning: conflicting counter resets during histogram aggregation", expr_at);
        }
        Ok(())
    }

    /// `count`/`group`: adds the histograms to the float results (one series per group).
    pub(super) fn count_hists(
        &mut self,
        op: AggregateOp,
        vs: &[Series],
        members: &[Vec<usize>],
        out: &mut [Series],
    ) -> Result<()> {
        let room = self.room();
        let mut grown = 0usize;
        let mut steps: Vec<usize> = Vec::new();
        for (m, dst) in members.iter().zip(out.iter_mut()) {
            self.check("aggregation")?;
            steps.clear();
            for &i in m {
                steps.extend(vs[i].hists().iter().map(|h| h.0));
            }
            steps.sort_unstable();
            for run in steps.chunk_by(|a, b| a == b) {
                let k = run[0];
                let v = if op == AggregateOp::Group { 1.0 } else { dst.get(k).unwrap_or(0.0) + run.len() as f64 };
                grown = grown.saturating_add(dst.set(k, v));
                if span_cost(grown) > room {
                    return Err(Error::TooManySamples);
                }
            }
        }
        Ok(())
    }
}

/// The `sum` or `avg` of one group's histograms at one step, `None` when they do not add up.
fn step_result(op: AggregateOp, run: &Run<'_>, vs: &[Series], trouble: &mut Trouble) -> Option<FloatHistogram> {
    let (mut reset, mut not_reset) = (false, false);
    let mut seen = |h: &FloatHistogram| match h.counter_reset_hint {
        CounterResetHint::CounterReset => reset = true,
        CounterResetHint::NotCounterReset => not_reset = true,
        _ => {}
    };
    let (_, _, first) = run[0];
    seen(first);
    let mut acc = HistogramSum::new(first);
    let mut incremental = false;
    for (n, &(_, i, h)) in run.iter().enumerate().skip(1) {
        seen(h);
        let added =
            if op == AggregateOp::Avg { acc.add_to_mean(h, (n + 1) as f64, &mut incremental) } else { acc.add(h) };
        if added.is_err() {
            trouble.incompatible.push(vs[i].labels.get(METRIC_NAME).unwrap_or("").to_owned());
            return None;
        }
    }
    trouble.reconciled |= acc.reconciled();
    trouble.collision |= reset && not_reset;
    let divisor = if op == AggregateOp::Avg && !incremental { run.len() as f64 } else { 1.0 };
    Some(acc.finish(divisor))
}
