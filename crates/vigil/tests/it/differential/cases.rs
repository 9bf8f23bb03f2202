//! The query set, its tolerances, and the named list of differences the test tolerates (mirrored
//! in `docs/compatibility.md`).

/// Relative tolerance for results computed from identical stored samples: only floating-point
/// evaluation order may differ (Kahan vs plain summation, operation order in extrapolation).
pub const EXACT: f64 = 1e-9;

/// Relative tolerance for rates of the `worker` target's wall-clock counters, which the two servers
/// scrape at different moments: each sample's value is read a few ms after its timestamp is taken,
/// and a delayed scrape can change how far `rate` extrapolates (by up to one interval in a 15 s
/// window). A semantic difference (a missing extrapolation rule, a wrong window) is far larger.
pub const SCRAPE_PHASE: f64 = 0.1;

/// A difference between Vigil and Prometheus 2.42 that the test knows about, and how it handles it.
#[derive(Debug)]
pub struct Exception {
    /// Short name, also used in `docs/compatibility.md`.
    pub name: &'static str,
    /// What differs.
    pub difference: &'static str,
    /// What the test does about it.
    pub handling: &'static str,
}

/// Every difference this test tolerates.
pub const EXCEPTIONS: &[Exception] = &[
    Exception {
        name: "left-open-range-windows",
        difference: "Vigil (like Prometheus 3.x) selects range windows (t - r, t]; Prometheus 2.42 selects [t - r, t].",
        handling: "evaluation times never put a sample on a window edge (all `api` samples end in 1 ms, \
                   scrape phases are measured); `window_edge_difference` checks the documented difference on an edge.",
    },
    Exception {
        name: "counter-zero-point-extrapolation",
        difference: "when a window starts long before a counter's first sample, Vigil (like Prometheus 3.x) \
                     extrapolates half a sample interval, or less if the counter's zero point is nearer; \
                     Prometheus 2.42 extrapolates to the zero point whenever it is nearer than 1.1 intervals \
                     (changed in 2.51, prometheus/prometheus#13725).",
        handling: "the differential data never starts a counter inside a window; the compliance test lists \
                   the two queries it affects (`rate`/`increase` over `[1h]`) in compliance/known-failures.txt.",
    },
    Exception {
        name: "left-open-lookback",
        difference: "an instant selector does not see a sample exactly `lookback` old in Vigil; Prometheus 2.42 does.",
        handling: "not reachable: the data spans less than the 5 m lookback.",
    },
    Exception {
        name: "subquery-first-step",
        difference: "Vigil starts subquery steps strictly after `t - range`; Prometheus 2.42 at or after it.",
        handling: "evaluation times are never a multiple of a subquery step (T mod 1 s is not 0).",
    },
    Exception {
        name: "annotations",
        difference: "Vigil returns 3.x info/warning annotations (quantile φ outside [0, 1], histogram bucket fixes); 2.42 fewer.",
        handling: "only `data` is compared, never `warnings`/`infos`.",
    },
    Exception {
        name: "experimental-functions",
        difference: "3.x-only functions (`first_over_time`, `mad_over_time`, `limitk`, ...) are parse errors in 2.42.",
        handling: "not in the query set.",
    },
    Exception {
        name: "regex-error-text",
        difference: "an invalid regex is reported in the words of each regex engine (Go's `missing closing )`, Rust's `unclosed group`).",
        handling: "`PARSE_ERRORS` holds no invalid regex; Vigil's one-line wording is a unit test of vigil-model.",
    },
    Exception {
        name: "3.x-syntax",
        difference: "3.x accepts what 2.42 refuses: quoted label names (`{\"a.b\"=\"x\"}`), plain numbers as durations (`x[5]`), trailing commas in calls.",
        handling: "`PARSE_ERRORS` holds only queries both versions refuse.",
    },
    Exception {
        name: "scrape-phase",
        difference: "not a semantic difference: the two servers scrape the `worker` target at different moments.",
        handling: "rates of `worker` counters are compared with the SCRAPE_PHASE tolerance; raw values of them are not compared.",
    },
];

/// One query of the set.
#[derive(Debug, Clone)]
pub struct Case {
    /// PromQL text, sent to both servers unchanged.
    pub query: &'static str,
    /// Also run as a range query over the last 10 s at a 1 s step.
    pub range: bool,
    /// Relative tolerance.
    pub tol: f64,
    /// Compare the order of an instant vector (`sort*`).
    pub ordered: bool,
    /// Prometheus answers nothing, and so must Vigil; every other case must have an answer.
    pub empty: bool,
}

const fn instant(query: &'static str) -> Case {
    Case { query, range: false, tol: EXACT, ordered: false, empty: false }
}

const fn both(query: &'static str) -> Case {
    Case { query, range: true, tol: EXACT, ordered: false, empty: false }
}

const fn sorted(query: &'static str) -> Case {
    Case { query, range: false, tol: EXACT, ordered: true, empty: false }
}

/// An instant case whose answer is empty on both servers.
const fn empty_instant(query: &'static str) -> Case {
    Case { query, range: false, tol: EXACT, ordered: false, empty: true }
}

/// A case whose answer is empty on both servers, over a range too.
const fn empty(query: &'static str) -> Case {
    Case { query, range: true, tol: EXACT, ordered: false, empty: true }
}

const fn phase(query: &'static str) -> Case {
    Case { query, range: true, tol: SCRAPE_PHASE, ordered: false, empty: false }
}

/// The query set: the seeds' dashboard and alert queries, then one or more per language feature.
pub const CASES: &[Case] = &[
    // Dashboards and alerts from the seeds.
    both("sum(rate(http_requests_total[15s]))"),
    both("sum by (status) (rate(http_requests_total[15s]))"),
    both("sum by (handler, status) (rate(http_requests_total[10s]))"),
    both("histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[15s])))"),
    both("histogram_quantile(0.5, sum by (le, instance) (rate(http_request_duration_seconds_bucket[15s])))"),
    instant("histogram_quantile(0.99, rate(http_request_duration_seconds_bucket[15s]))"),
    both("sum(rate(http_requests_total{status=~\"5..\"}[15s])) / sum(rate(http_requests_total[15s]))"),
    empty_instant("sum(rate(http_requests_total{status=~\"5..\"}[15s])) / sum(rate(http_requests_total[15s])) > 0.05"),
    both("rate(http_request_duration_seconds_sum[15s]) / rate(http_request_duration_seconds_count[15s])"),
    instant("topk(3, rate(http_requests_total[15s]))"),
    instant("bottomk(2, http_requests_in_flight)"),
    both("up"),
    empty_instant("up == 0"),
    both("count by (job) (up)"),
    // Raw samples (identical on both sides for the `api` job).
    instant("http_requests_total"),
    instant("http_requests_total offset 3s"),
    instant("http_requests_in_flight[5s]"),
    instant("model_confidence[4s] offset 2s"),
    instant("worker_queue_capacity"),
    // Range functions.
    both("avg_over_time(http_requests_in_flight[15s])"),
    both("max_over_time(http_requests_in_flight[15s])"),
    instant("min_over_time(model_confidence[10s])"),
    instant("sum_over_time(model_loaded[10s])"),
    instant("count_over_time(http_requests_in_flight[10s])"),
    instant("stddev_over_time(http_requests_in_flight[10s])"),
    instant("quantile_over_time(0.9, http_requests_in_flight[10s])"),
    instant("last_over_time(http_requests_in_flight[10s])"),
    both("predict_linear(model_confidence[15s], 3600)"),
    instant("predict_linear(http_requests_in_flight[10s], 60)"),
    both("deriv(http_requests_in_flight[10s])"),
    both("increase(http_requests_total[15s])"),
    instant("irate(http_requests_total[10s])"),
    instant("delta(http_requests_in_flight[10s])"),
    instant("idelta(http_requests_in_flight[10s])"),
    both("rate(api_errors_total[15s])"),
    instant("increase(api_errors_total[10s])"),
    instant("resets(api_errors_total[15s])"),
    instant("changes(http_requests_in_flight[10s])"),
    instant("holt_winters(http_requests_in_flight[10s], 0.5, 0.5)"),
    instant("absent_over_time(nonexistent_metric[10s])"),
    instant("present_over_time(model_loaded[10s])"),
    // Subqueries (explicit steps).
    instant("max_over_time(rate(http_requests_total[5s])[10s:1s])"),
    instant("avg_over_time(sum(http_requests_in_flight)[8s:2s])"),
    // Labels.
    both("label_replace(rate(http_requests_total[15s]), \"route\", \"$1\", \"handler\", \"/(.*)\")"),
    instant("label_join(model_info, \"id\", \"-\", \"model\", \"version\")"),
    instant("absent(nonexistent_metric)"),
    instant("absent(nonexistent_metric{job=\"x\", instance=~\"y\"})"),
    empty_instant("absent(model_loaded)"),
    // Operators.
    both("http_requests_in_flight > bool 5"),
    instant("http_requests_in_flight > 5"),
    instant("http_requests_in_flight > 5 < 20"),
    instant("model_confidence >= bool on (instance) group_left model_loaded"),
    both("sum by (instance) (rate(http_requests_total[15s])) * on (instance) group_left (version) model_info"),
    instant(
        "rate(http_requests_total{status=\"500\"}[15s]) / ignoring (status) rate(http_requests_total{status=\"200\"}[15s])",
    ),
    instant("http_requests_total unless http_requests_total{status=\"500\"}"),
    instant("model_loaded or nonexistent_metric"),
    instant("vector(1) and on () absent(nonexistent_metric)"),
    instant("-http_requests_in_flight + 2 * model_loaded"),
    instant("http_requests_in_flight % 2"),
    instant("2 ^ model_confidence"),
    instant("http_requests_in_flight atan2 on (instance) model_loaded"),
    instant("1 / (model_loaded - 1)"),
    instant("-1 / (model_loaded - 1)"),
    instant("0 / (model_loaded - 1)"),
    // Aggregations.
    instant("count_values(\"inflight\", round(http_requests_in_flight))"),
    both("quantile(0.9, rate(http_requests_total[15s]))"),
    instant("quantile(1.5, http_requests_in_flight)"),
    sorted("sort_desc(sum by (handler) (rate(http_requests_total[15s])))"),
    sorted("sort(http_requests_total)"),
    instant("stddev(http_requests_in_flight)"),
    instant("stdvar by (handler) (http_requests_total)"),
    instant("avg by (job) (http_requests_in_flight)"),
    instant("group by (instance) (http_requests_total)"),
    instant("max without (status) (http_requests_total)"),
    instant("count without (instance) (http_requests_total)"),
    instant("scalar(sum(model_loaded))"),
    instant("scalar(http_requests_total)"),
    // Math and time functions.
    instant("clamp_max(http_requests_in_flight, 6)"),
    instant("clamp(http_requests_in_flight, 4, 6)"),
    instant("abs(-http_requests_in_flight)"),
    instant("ln(http_requests_in_flight)"),
    instant("sqrt(http_requests_total)"),
    instant("exp(model_confidence)"),
    instant("round(http_requests_in_flight, 0.25)"),
    instant("sgn(http_requests_in_flight - 6)"),
    instant("timestamp(http_requests_total)"),
    instant("hour(vector(0))"),
    instant("day_of_week(vector(86400 * 3))"),
    instant("minute(vector(3600 * 1.5 + 60 * 7))"),
    instant("days_in_month(vector(1709251200))"),
    instant("month(vector(1709251200))"),
    instant("year()"),
    instant("time()"),
    instant("vector(time())"),
    instant("pi()"),
    both("scalar(sum(up)) * 2"),
    // NaN and infinities, stored and computed.
    both("special_values"),
    instant("special_values[4s]"),
    both("sum(special_values)"),
    instant("sum by (kind) (special_values)"),
    instant("max(special_values)"),
    instant("min(special_values)"),
    instant("avg(special_values)"),
    instant("stddev(special_values)"),
    instant("quantile(0.5, special_values)"),
    instant("topk(2, special_values)"),
    instant("bottomk(2, special_values)"),
    sorted("sort_desc(special_values)"),
    sorted("sort(special_values)"),
    instant("count_values(\"v\", special_values)"),
    instant("special_values > 0"),
    instant("special_values == bool special_values"),
    instant("special_values != special_values"),
    instant("clamp_max(special_values, 10)"),
    instant("round(special_values)"),
    instant("-special_values"),
    both("avg_over_time(special_values[5s])"),
    both("max_over_time(special_values[5s])"),
    instant("min_over_time(special_values[5s])"),
    instant("sum_over_time(special_values[5s])"),
    instant("stddev_over_time(special_values[5s])"),
    instant("quantile_over_time(0.5, special_values[5s])"),
    both("rate(special_values{kind=\"mixed\"}[10s])"),
    instant("delta(special_values[10s])"),
    instant("deriv(special_values{kind=\"mixed\"}[10s])"),
    instant("changes(special_values[10s])"),
    instant("resets(special_values[10s])"),
    instant("histogram_quantile(0.5, label_replace(special_values, \"le\", \"+Inf\", \"kind\", \".*\"))"),
    // A series with gaps: present in half of the scrapes (no stale markers, explicit timestamps).
    both("api_flapping"),
    both("count_over_time(api_flapping[3s])"),
    both("rate(api_flapping[3s])"),
    instant("api_flapping[10s]"),
    both("absent_over_time(api_flapping[2s])"),
    instant("last_over_time(api_flapping[10s])"),
    // A series that went away: stale in both.
    empty("worker_gone"),
    instant("absent(worker_gone)"),
    instant("last_over_time(worker_gone[10m])"),
    instant("present_over_time(worker_gone[10m])"),
    // The worker target, scraped without explicit timestamps.
    phase("rate(worker_jobs_processed_total[15s])"),
    phase("sum(rate(worker_jobs_processed_total[15s]))"),
    both("sum by (queue) (worker_queue_capacity)"),
];

/// Range queries over an end that is not on a step (`end()` is the requested end, not the last
/// step), run from 10 s before the evaluation time to 1 s before it at a 2 s step.
pub const OFF_STEP_RANGES: &[&str] = &[
    "http_requests_in_flight @ end()",
    "http_requests_in_flight @ start()",
    "rate(http_requests_total[5s] @ end())",
    "max_over_time(http_requests_in_flight[5s] @ start())",
    "http_requests_in_flight offset 2s @ end()",
    "time()",
];

/// Queries that do not parse or type-check: both servers must answer the same error, word for
/// word, position included.
pub const PARSE_ERRORS: &[&str] = &[
    "1 1",
    "up 5m",
    "up \"abc\"",
    "up \"abcdefghijklmn\"",
    "up 0x1FFFFFFFFFF",
    "up sum",
    "up SUM",
    "up by",
    "up a:b",
    "(atan2)",
    "up (",
    "sum(up) up",
    "up +",
    "1 +- ",
    "rate(up[5m] 1)",
    "up[5m",
    "up[5m:",
    "x{a=\"b\"}[5m",
    "(up",
    "1 + (2",
    "up)",
    "up]",
    "up}",
    "up[5m:1m]]",
    "foo(",
    "foo(1)",
    "up @",
    "up @ foo",
    "up[5m] @ start",
    "up offset",
    "up offset foo",
    "up[5m] offset",
    "sum by (a",
    "sum(up) by (a b)",
    "sum(up) by (1)",
    "sum(up) by a",
    "sum(x) without",
    "sum without(a) by(b) (up)",
    "up == on(a",
    "up{a=\"b\" c=\"d\"}",
    "up{a}",
    "up{a=}",
    "{",
    "up{a=\"b\"",
    "{a=\"\"}",
    "{a=\"x}",
    "{a=\"\\q\"}",
    "label_replace(up)",
    "label_replace(up, \"a\", \"b\", \"c\", 1)",
    "rate(up)",
    "rate(up[5m], 1)",
    "abs(up[5m])",
    "up and 1",
    "1 == 1",
    "1 + on(a) up",
    "\"a\" + 1",
    "up == \"a\"",
    "up[5m] + 1",
    "-\"a\"",
    "topk(up)",
    "sum(up[5m])",
    "count_values(1, up)",
    "topk(\"a\", up)",
    "quantile(up, up)",
    "up @ 1 @ 2",
    "up offset 5m offset 1m",
    "sum(up) offset 5m",
    "sum(up) @ 5",
    "(up) @ 5",
    "1 + rate(up[5m]) offset 1m",
    "rate(up[5m])[5m]",
    "time()[5m:1m]",
];
