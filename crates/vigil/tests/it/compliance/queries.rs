//! The PromQL compliance tester's query list (`shared/conformance/promql-compliance`), read and
//! expanded as upstream expands it: every `{{.placeholder}}` of a template's `variant_args` takes
//! each of its values in turn (the value lists are upstream's, recorded in `HOW.md` there).

use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct File {
    test_cases: Vec<Template>,
}

#[derive(Debug, Deserialize)]
struct Template {
    query: String,
    #[serde(default)]
    variant_args: Vec<String>,
    #[serde(default)]
    should_fail: bool,
    #[serde(default)]
    skip_comparison: bool,
}

/// One concrete query of the list.
#[derive(Debug, Clone)]
pub struct Case {
    pub query: String,
    /// Both systems must answer with an error.
    pub should_fail: bool,
    /// Both must succeed; their answers are not compared.
    pub skip_comparison: bool,
}

/// The values upstream substitutes for each placeholder.
fn values(placeholder: &str) -> &'static [&'static str] {
    match placeholder {
        "range" => &["1s", "15s", "1m", "5m", "15m", "1h"],
        "offset" => &["1m", "5m", "10m"],
        "simpleAggrOp" => &["sum", "avg", "max", "min", "count", "stddev", "stdvar"],
        "simpleTimeAggrOp" => &["sum", "avg", "max", "min", "count", "stddev", "stdvar", "absent", "last"],
        "topBottomOp" => &["topk", "bottomk"],
        "quantile" => &["-0.5", "0.1", "0.5", "0.75", "0.95", "0.90", "0.99", "1", "1.5"],
        "arithBinOp" => &["+", "-", "*", "/", "%", "^"],
        "compBinOp" => &["==", "!=", "<", ">", "<=", ">="],
        "binOp" => &["+", "-", "*", "/", "%", "^", "==", "!=", "<", ">", "<=", ">="],
        "simpleMathFunc" => &["abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10", "round"],
        "extrapolatedRateFunc" => &["delta", "rate", "increase"],
        "clampFunc" => &["clamp_min", "clamp_max"],
        "instantRateFunc" => &["idelta", "irate"],
        "dateFunc" => &["day_of_month", "day_of_week", "days_in_month", "hour", "minute", "month", "year"],
        "smoothingFactor" | "trendFactor" => &["0.1", "0.5", "0.8"],
        other => panic!("unknown placeholder {other:?} in the compliance query list"),
    }
}

/// Every concrete query of the list at `path`, in list order.
pub fn load(path: &std::path::Path) -> Vec<Case> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: File = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for t in file.test_cases {
        let mut queries = vec![t.query.clone()];
        for arg in &t.variant_args {
            let marker = format!("{{{{.{arg}}}}}");
            let marker = marker.as_str();
            queries = queries.iter().flat_map(|q| values(arg).iter().map(move |v| q.replace(marker, v))).collect();
        }
        for query in queries {
            assert!(!query.contains("{{"), "unexpanded placeholder in {query:?}");
            out.push(Case { query, should_fail: t.should_fail, skip_comparison: t.skip_comparison });
        }
    }
    out
}
