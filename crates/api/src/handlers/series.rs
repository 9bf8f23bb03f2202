//! `/api/v1/series`, `/api/v1/labels` and `/api/v1/label/{name}/values`, answered from the
//! storage's querier without the PromQL engine.

use super::client::Client;
use super::{TRUNCATED_WARNING, blocking, json_response};
use crate::error::Error;
use crate::json;
use crate::params::{MAX_TIME, MIN_TIME, Params};
use crate::selector::parse_match_params;
use crate::state::ApiState;
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::BTreeSet;
use vigil_model::{Labels, Matcher};
use vigil_storage::{Cancel, LabelHints, SelectHints};

struct MetaQuery {
    start: i64,
    end: i64,
    limit: usize,
    sets: Vec<Vec<Matcher>>,
}

fn meta_query(p: &Params) -> Result<MetaQuery, Error> {
    let start = p.time_or("start", MIN_TIME)?;
    let end = p.time_or("end", MAX_TIME)?;
    let limit = p.limit()?;
    let sets = parse_match_params(&p.all("match[]"))?;
    Ok(MetaQuery { start, end, limit, sets })
}

/// One more than `limit` (0 stays "no limit"), so a cut result can be told from an exact fit.
fn limit_plus_one(limit: usize) -> usize {
    limit.saturating_add(usize::from(limit > 0))
}

fn truncate<T>(items: &mut Vec<T>, limit: usize) -> Vec<String> {
    if limit > 0 && items.len() > limit {
        items.truncate(limit);
        vec![TRUNCATED_WARNING.to_owned()]
    } else {
        Vec::new()
    }
}

/// `GET|POST /api/v1/series`
pub(crate) async fn series(State(state): State<ApiState>, client: Client, p: Params) -> Result<Response, Error> {
    if p.all("match[]").is_empty() {
        return Err(Error::BadData("no match[] parameter provided".to_owned()));
    }
    let q = meta_query(&p)?;
    // Stops at the query timeout, or as soon as the client hangs up.
    let (cancel, _guard) = client.storage_cancel(state.inner.engine.options().timeout);
    blocking(&state, move |st| {
        let querier = st.inner.storage.querier(q.start, q.end)?;
        // One more than the limit, to tell a cut result from an exact fit.
        let hints = SelectHints {
            start: Some(q.start),
            end: Some(q.end),
            labels_only: true,
            limit: limit_plus_one(q.limit),
            cancel,
            ..SelectHints::default()
        };
        let mut all: BTreeSet<Labels> = BTreeSet::new();
        for set in &q.sets {
            hints.cancel.check()?;
            all.extend(querier.select(&hints, set)?.into_iter().map(|s| s.labels));
        }
        hints.cancel.check()?;
        let mut list: Vec<Labels> = all.into_iter().collect();
        let warnings = truncate(&mut list, q.limit);
        let body = json::success_envelope(
            list.len() * 64,
            |out| {
                out.push('[');
                for (i, l) in list.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json::push_labels(out, l);
                }
                out.push(']');
            },
            &warnings,
            &[],
        );
        Ok(json_response(body))
    })
    .await
}

fn strings_response(mut items: Vec<String>, limit: usize) -> Response {
    let warnings = truncate(&mut items, limit);
    json_response(json::success_envelope(items.len() * 16, |out| json::push_str_array(out, &items), &warnings, &[]))
}

/// Label names (`values == None`) or the values of one label over every `match[]` set, united
/// and sorted; at most one more than the limit, so truncation shows. `cancel` is checked
/// between sets, and by the storage while it reads.
fn names_or_values(
    querier: &dyn vigil_storage::Querier,
    q: &MetaQuery,
    values: Option<&str>,
    cancel: Cancel,
) -> Result<Vec<String>, Error> {
    let hints = LabelHints { limit: limit_plus_one(q.limit), cancel };
    let read = |set: &[Matcher]| match values {
        None => querier.label_names(&hints, set),
        Some(name) => querier.label_values(&hints, name, set),
    };
    let items = if q.sets.is_empty() {
        read(&[])?
    } else {
        let mut all = BTreeSet::new();
        for set in &q.sets {
            hints.cancel.check()?;
            all.extend(read(set)?);
        }
        all.into_iter().collect()
    };
    hints.cancel.check()?;
    Ok(items)
}

/// `GET|POST /api/v1/labels`
pub(crate) async fn labels(State(state): State<ApiState>, client: Client, p: Params) -> Result<Response, Error> {
    let q = meta_query(&p)?;
    // Stops at the query timeout, or as soon as the client hangs up.
    let (cancel, _guard) = client.storage_cancel(state.inner.engine.options().timeout);
    blocking(&state, move |st| {
        let querier = st.inner.storage.querier(q.start, q.end)?;
        let names = names_or_values(querier.as_ref(), &q, None, cancel)?;
        Ok(strings_response(names, q.limit))
    })
    .await
}

/// `GET /api/v1/label/{name}/values`
pub(crate) async fn label_values(
    State(state): State<ApiState>,
    Path(name): Path<String>,
    client: Client,
    p: Params,
) -> Result<Response, Error> {
    let name = unescape_label_name(&name);
    if name.is_empty() {
        return Err(Error::BadData("invalid label name: \"\"".to_owned()));
    }
    let q = meta_query(&p)?;
    // Stops at the query timeout, or as soon as the client hangs up.
    let (cancel, _guard) = client.storage_cancel(state.inner.engine.options().timeout);
    blocking(&state, move |st| {
        let querier = st.inner.storage.querier(q.start, q.end)?;
        let values = names_or_values(querier.as_ref(), &q, Some(&name), cancel)?;
        Ok(strings_response(values, q.limit))
    })
    .await
}

/// Prometheus 3 lets clients send UTF-8 label names in the path escaped as `U__` + name where
/// `_` is `__` and other characters are `_<hex>_`. Names without the prefix pass through.
fn unescape_label_name(name: &str) -> String {
    let Some(rest) = name.strip_prefix("U__") else { return name.to_owned() };
    let mut out = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '_' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'_') {
            chars.next();
            out.push('_');
            continue;
        }
        let hex: String = chars.by_ref().take_while(|&c| c != '_').collect();
        match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
            Some(c) => out.push(c),
            None => return name.to_owned(),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unescape_label_name;

    #[test]
    fn utf8_label_names_unescape() {
        assert_eq!(unescape_label_name("job"), "job");
        assert_eq!(unescape_label_name("U__my_2e_label"), "my.label");
        assert_eq!(unescape_label_name("U__a__b"), "a_b");
        assert_eq!(unescape_label_name("U__bad_zz_"), "U__bad_zz_");
    }
}
