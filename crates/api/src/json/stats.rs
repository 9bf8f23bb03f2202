//! Query statistics in Prometheus' `stats` shape, shared by the query API (`stats` parameter)
//! and the query log: `{"timings":{...},"samples":{...}}`, times in seconds.

use super::push_timestamp;
use crate::gofloat::push_sample_value;
use std::time::Duration;
use vigil_promql::QueryStats;

fn push_seconds(out: &mut String, name: &str, d: Duration) {
    out.push('"');
    out.push_str(name);
    out.push_str("\":");
    push_sample_value(out, d.as_secs_f64());
}

/// Appends `stats` as a JSON object; `per_step` adds `totalQueryableSamplesPerStep`.
pub fn push_query_stats(out: &mut String, stats: &QueryStats, per_step: bool) {
    let t = &stats.timings;
    out.push_str("{\"timings\":{");
    let timings = [
        ("evalTotalTime", t.eval_total),
        ("resultSortTime", t.result_sort),
        ("queryPreparationTime", t.query_preparation),
        ("innerEvalTime", t.inner_eval),
        ("execQueueTime", t.exec_queue),
        ("execTotalTime", t.exec_total),
    ];
    for (i, (name, d)) in timings.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_seconds(out, name, d);
    }
    out.push_str("},\"samples\":{");
    if per_step {
        out.push_str("\"totalQueryableSamplesPerStep\":[");
        for (i, &(ts, n)) in stats.per_step.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('[');
            push_timestamp(out, ts);
            out.push(',');
            out.push_str(&n.to_string());
            out.push(']');
        }
        out.push_str("],");
    }
    out.push_str("\"totalQueryableSamples\":");
    out.push_str(&stats.total_queryable_samples.to_string());
    out.push_str(",\"peakSamples\":");
    out.push_str(&stats.peak_samples.to_string());
    out.push_str("}}");
}
