//! `match[]` parameters: series selectors (`up{job="api"}`, `{__name__=~"http_.*"}`).
//!
//! `/api/v1/series`, the label endpoints and `/federate` take bare selectors, parsed by the PromQL
//! parser's selector entry point so both accept the same names, strings and escapes and report
//! errors with the same positions (`1:4: parse error: …`).

use vigil_model::{MatchOp, Matcher};
use vigil_promql_syntax::{DEFAULT_MAX_REGEX_MATCHERS, ParseOptions, parse_metric_selector};

/// Parses every `match[]` value; each must select something non-empty, as in Prometheus. All of
/// them together hold at most as many regex matchers as one query may
/// ([`DEFAULT_MAX_REGEX_MATCHERS`]): each is compiled while parsing.
pub fn parse_match_params(values: &[&str]) -> Result<Vec<Vec<Matcher>>, crate::Error> {
    let mut left = DEFAULT_MAX_REGEX_MATCHERS;
    values
        .iter()
        .map(|v| {
            let opts = ParseOptions { max_regex_matchers: left, ..ParseOptions::default() };
            let ms = parse_metric_selector(v, &opts).map_err(|e| crate::Error::param("match[]", e.to_string()))?;
            left -= ms.iter().filter(|m| matches!(m.op, MatchOp::Regex | MatchOp::NotRegex)).count().min(left);
            if ms.iter().all(Matcher::matches_empty) {
                return Err(crate::Error::param("match[]", "match[] must contain at least one non-empty matcher"));
            }
            Ok(ms)
        })
        .collect()
}

#[cfg(test)]
mod tests;
