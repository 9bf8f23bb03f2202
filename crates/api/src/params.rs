//! Request parameters: the `Params` extractor (URL query plus form-encoded POST body, as Grafana
//! sends) and Prometheus' parsers for times, durations and limits.

use crate::error::Error;
use crate::timefmt::parse_rfc3339_ms;
use axum::extract::{Form, FromRequest, Query, Request};
use axum::http::Method;
use vigil_model::Timestamp;

/// Prometheus' smallest timestamp (`MinTime`, year -292273086), the default `start` of metadata
/// queries, in milliseconds.
pub const MIN_TIME: Timestamp = (i64::MIN / 1000 + 62_135_596_801) * 1000;
/// Prometheus' largest timestamp (`MaxTime`, year 292277025), the default `end`, in milliseconds.
pub const MAX_TIME: Timestamp = (i64::MAX / 1000 - 62_135_596_801) * 1000 + 999;
/// How Go prints [`MIN_TIME`]; clients echo it back (Prometheus' UI does).
const MIN_TIME_FORMATTED: &str = "-292273086-05-16T16:47:06Z";
/// How Go prints [`MAX_TIME`].
const MAX_TIME_FORMATTED: &str = "292277025-08-18T07:12:54.999999999Z";

/// All parameters of a request in Go's `r.Form` order: POST body values before URL values.
#[derive(Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Builds from pairs (body pairs first).
    #[cfg(test)]
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self { pairs }
    }

    /// The first value of `name`, or `None` when absent or empty (Go's `FormValue` semantics).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }

    /// Every value of `name` in order (for `match[]`).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Query(mut url_pairs): Query<Vec<(String, String)>> =
            Query::try_from_uri(req.uri()).map_err(|e| Error::BadData(format!("invalid query string: {e}")))?;
        if req.method() != Method::POST && req.method() != Method::PUT {
            return Ok(Self { pairs: url_pairs });
        }
        let is_form = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Ok(Self { pairs: url_pairs });
        }
        let Form(mut pairs): Form<Vec<(String, String)>> =
            Form::from_request(req, state).await.map_err(|e| Error::BadData(format!("invalid form body: {e}")))?;
        pairs.append(&mut url_pairs);
        Ok(Self { pairs })
    }
}

/// Parses a time parameter value: Unix seconds (float) or RFC 3339, like Prometheus' `parseTime`.
pub fn parse_time(s: &str) -> Result<Timestamp, String> {
    if let Ok(secs) = s.parse::<f64>()
        && secs.is_finite()
    {
        // Whole seconds and milliseconds separately so that 1435781451.781 stays exact.
        let whole = secs.trunc();
        let ms = ((secs - whole) * 1000.0).round();
        let t = whole * 1000.0 + ms;
        return Ok(t.clamp(MIN_TIME as f64, MAX_TIME as f64) as Timestamp);
    }
    if let Some(t) = parse_rfc3339_ms(s) {
        return Ok(t);
    }
    match s {
        MIN_TIME_FORMATTED => Ok(MIN_TIME),
        MAX_TIME_FORMATTED => Ok(MAX_TIME),
        _ => Err(format!("cannot parse {s:?} to a valid timestamp")),
    }
}

/// Parses a duration parameter value into milliseconds: float seconds or a Prometheus duration.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    if let Ok(secs) = s.parse::<f64>()
        && secs.is_finite()
    {
        let ms = secs * 1000.0;
        if ms.abs() >= 9.2e15 {
            return Err(format!("cannot parse {s:?} to a valid duration. It overflows int64"));
        }
        return Ok(ms as i64);
    }
    vigil_model::duration::parse_duration_ms(s).map_err(|_| format!("cannot parse {s:?} to a valid duration"))
}

impl Params {
    /// A required time parameter (`start`/`end` of range queries): errors name the parameter.
    pub fn required_time(&self, name: &str) -> Result<Timestamp, Error> {
        parse_time(self.get(name).unwrap_or("")).map_err(|m| Error::param(name, m))
    }

    /// An optional time parameter with a default, with Prometheus' `parseTimeParam` wording.
    pub fn time_or(&self, name: &str, default: Timestamp) -> Result<Timestamp, Error> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => parse_time(v).map_err(|m| Error::param(name, format!("invalid time value for '{name}': {m}"))),
        }
    }

    /// An optional duration parameter in milliseconds.
    pub fn duration(&self, name: &str) -> Result<Option<i64>, Error> {
        self.get(name).map(|v| parse_duration(v).map_err(|m| Error::param(name, m))).transpose()
    }

    /// The optional non-negative `limit` parameter (0 means no limit).
    pub fn limit(&self) -> Result<usize, Error> {
        let Some(v) = self.get("limit") else { return Ok(0) };
        let n: i64 = v.parse().map_err(|_| Error::param("limit", format!("cannot parse {v:?} to a valid limit")))?;
        usize::try_from(n).map_err(|_| Error::param("limit", "limit must be non-negative"))
    }
}

#[cfg(test)]
mod tests;
