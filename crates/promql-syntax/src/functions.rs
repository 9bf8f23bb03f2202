//! The function signature table: argument types, optional arguments and return types.

use crate::ValueType::{self, Matrix as M, Scalar as S, String as Str, Vector as V};

/// A function's signature.
#[derive(Debug, PartialEq, Eq)]
pub struct FunctionSig {
    /// The name as written in PromQL.
    pub name: &'static str,
    /// Argument types in order; with `variadic != 0` the last ones are optional or repeated.
    pub arg_types: &'static [ValueType],
    /// 0: exactly `arg_types`; n > 0: up to n trailing arguments may be omitted;
    /// n < 0: the last argument type repeats without bound (and may be omitted).
    pub variadic: i32,
    /// The type of the result.
    pub return_type: ValueType,
}

macro_rules! sigs {
    ($($name:literal: [$($a:ident),*] $var:literal -> $ret:ident;)*) => {
        &[$(FunctionSig { name: $name, arg_types: &[$($a),*], variadic: $var, return_type: $ret }),*]
    };
}

/// Every function Vigil knows, sorted by name.
pub static FUNCTIONS: &[FunctionSig] = sigs! {
    "abs": [V] 0 -> V;
    "absent": [V] 0 -> V;
    "absent_over_time": [M] 0 -> V;
    "acos": [V] 0 -> V;
    "acosh": [V] 0 -> V;
    "asin": [V] 0 -> V;
    "asinh": [V] 0 -> V;
    "atan": [V] 0 -> V;
    "atanh": [V] 0 -> V;
    "avg_over_time": [M] 0 -> V;
    "ceil": [V] 0 -> V;
    "changes": [M] 0 -> V;
    "clamp": [V, S, S] 0 -> V;
    "clamp_max": [V, S] 0 -> V;
    "clamp_min": [V, S] 0 -> V;
    "cos": [V] 0 -> V;
    "cosh": [V] 0 -> V;
    "count_over_time": [M] 0 -> V;
    "day_of_month": [V] 1 -> V;
    "day_of_week": [V] 1 -> V;
    "day_of_year": [V] 1 -> V;
    "days_in_month": [V] 1 -> V;
    "deg": [V] 0 -> V;
    "delta": [M] 0 -> V;
    "deriv": [M] 0 -> V;
    "double_exponential_smoothing": [M, S, S] 0 -> V;
    "end": [] 0 -> S;
    "exp": [V] 0 -> V;
    "first_over_time": [M] 0 -> V;
    "floor": [V] 0 -> V;
    "histogram_avg": [V] 0 -> V;
    "histogram_count": [V] 0 -> V;
    "histogram_fraction": [S, S, V] 0 -> V;
    "histogram_quantile": [S, V] 0 -> V;
    "histogram_quantiles": [V, Str, S] -1 -> V;
    "histogram_stddev": [V] 0 -> V;
    "histogram_stdvar": [V] 0 -> V;
    "histogram_sum": [V] 0 -> V;
    "holt_winters": [M, S, S] 0 -> V;
    "hour": [V] 1 -> V;
    "idelta": [M] 0 -> V;
    "increase": [M] 0 -> V;
    "info": [V, V] 1 -> V;
    "irate": [M] 0 -> V;
    "label_join": [V, Str, Str, Str] -1 -> V;
    "label_replace": [V, Str, Str, Str, Str] 0 -> V;
    "last_over_time": [M] 0 -> V;
    "ln": [V] 0 -> V;
    "log10": [V] 0 -> V;
    "log2": [V] 0 -> V;
    "mad_over_time": [M] 0 -> V;
    "max_of": [S, S] 0 -> S;
    "max_over_time": [M] 0 -> V;
    "min_of": [S, S] 0 -> S;
    "min_over_time": [M] 0 -> V;
    "minute": [V] 1 -> V;
    "month": [V] 1 -> V;
    "pi": [] 0 -> S;
    "predict_linear": [M, S] 0 -> V;
    "present_over_time": [M] 0 -> V;
    "quantile_over_time": [S, M] 0 -> V;
    "rad": [V] 0 -> V;
    "range": [] 0 -> S;
    "rate": [M] 0 -> V;
    "resets": [M] 0 -> V;
    "round": [V, S] 1 -> V;
    "scalar": [V] 0 -> S;
    "sgn": [V] 0 -> V;
    "sin": [V] 0 -> V;
    "sinh": [V] 0 -> V;
    "sort": [V] 0 -> V;
    "sort_by_label": [V, Str] -1 -> V;
    "sort_by_label_desc": [V, Str] -1 -> V;
    "sort_desc": [V] 0 -> V;
    "sqrt": [V] 0 -> V;
    "start": [] 0 -> S;
    "start_timestamp": [V] 0 -> V;
    "stddev_over_time": [M] 0 -> V;
    "stdvar_over_time": [M] 0 -> V;
    "step": [] 0 -> S;
    "sum_over_time": [M] 0 -> V;
    "tan": [V] 0 -> V;
    "tanh": [V] 0 -> V;
    "time": [] 0 -> S;
    "timestamp": [V] 0 -> V;
    "ts_of_first_over_time": [M] 0 -> V;
    "ts_of_last_over_time": [M] 0 -> V;
    "ts_of_max_over_time": [M] 0 -> V;
    "ts_of_min_over_time": [M] 0 -> V;
    "vector": [S] 0 -> V;
    "year": [V] 1 -> V;
};

/// Looks a function up by name.
pub fn lookup_function(name: &str) -> Option<&'static FunctionSig> {
    FUNCTIONS.binary_search_by(|f| f.name.cmp(name)).ok().map(|i| &FUNCTIONS[i])
}

/// Functions Prometheus only evaluates with `--enable-feature=promql-experimental-functions`.
/// `holt_winters`, the 2.x spelling of `double_exponential_smoothing`, stays available without
/// it, as it was in 2.x, so that old rule files keep loading.
const EXPERIMENTAL: &[&str] = &[
    "double_exponential_smoothing",
    "end",
    "first_over_time",
    "histogram_quantiles",
    "info",
    "integral",
    "mad_over_time",
    "range",
    "sort_by_label",
    "sort_by_label_desc",
    "start",
    "start_timestamp",
    "step",
    "ts_of_first_over_time",
    "ts_of_last_over_time",
    "ts_of_max_over_time",
    "ts_of_min_over_time",
];

impl FunctionSig {
    /// Whether the function is experimental upstream (see [`crate::Features`]).
    pub fn is_experimental(&self) -> bool {
        EXPERIMENTAL.contains(&self.name)
    }

    /// Checks the number of arguments, returning Prometheus' message on mismatch.
    pub fn check_arity(&self, n: usize) -> Result<(), String> {
        let fixed = self.arg_types.len();
        let ok = match self.variadic {
            0 => n == fixed,
            v if v > 0 => n <= fixed && n + v as usize >= fixed,
            _ => n + 1 >= fixed,
        };
        if ok {
            return Ok(());
        }
        let expected = match self.variadic {
            0 => fixed.to_string(),
            v if v > 0 => format!("at most {fixed}"),
            _ => format!("at least {}", fixed.saturating_sub(1)),
        };
        Err(format!("expected {expected} argument(s) in call to {:?}, got {n}", self.name))
    }

    /// The expected type of argument `i` (the last type repeats for unbounded functions).
    pub fn arg_type(&self, i: usize) -> Option<ValueType> {
        self.arg_types.get(i).copied().or_else(|| if self.variadic < 0 { self.arg_types.last().copied() } else { None })
    }
}
