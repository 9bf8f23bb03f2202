//! Numeric helpers with Prometheus' exact float behaviour (Kahan sums, Go's NaN-propagating
//! min/max, quantile interpolation) and UTC calendar arithmetic for the date functions.

/// One step of Kahan-Babuska summation (the model's, shared with histogram sums).
pub(crate) use vigil_model::histogram::kahan_inc;

/// Compensated sum of `vals`.
pub(crate) fn kahan_sum(vals: &[f64]) -> f64 {
    let (mut s, mut c) = (0.0, 0.0);
    for &v in vals {
        (s, c) = kahan_inc(v, s, c);
    }
    if s.is_infinite() { s } else { s + c }
}

/// Mean that falls back to an incremental mean when the plain sum overflows, like Prometheus.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Mean {
    sum: f64,
    c: f64,
    mean: f64,
    count: f64,
    incremental: bool,
}

impl Mean {
    pub(crate) fn add(&mut self, v: f64) {
        self.count += 1.0;
        if !self.incremental {
            let (s, c) = kahan_inc(v, self.sum, self.c);
            if self.count == 1.0 || !s.is_infinite() {
                self.sum = s;
                self.c = c;
                return;
            }
            self.incremental = true;
            self.mean = self.sum / (self.count - 1.0);
            self.c /= self.count - 1.0;
        }
        let q = (self.count - 1.0) / self.count;
        let (m, c) = kahan_inc(v / self.count, q * self.mean, q * self.c);
        self.mean = m;
        self.c = c;
    }

    pub(crate) fn get(&self) -> f64 {
        if self.incremental { self.mean + self.c } else { self.sum / self.count + self.c / self.count }
    }
}

/// Welford variance with Kahan-compensated accumulators (as `stdvar_over_time`).
pub(crate) fn variance(vals: &[f64]) -> f64 {
    let (mut count, mut mean, mut cm, mut aux, mut ca) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for &v in vals {
        count += 1.0;
        let delta = v - (mean + cm);
        (mean, cm) = kahan_inc(delta / count, mean, cm);
        (aux, ca) = kahan_inc(delta * (v - (mean + cm)), aux, ca);
    }
    (aux + ca) / count
}

/// Go's `math.Max`: NaN if either side is NaN.
#[inline]
pub(crate) fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() { f64::NAN } else { a.max(b) }
}

/// Go's `math.Min`: NaN if either side is NaN.
#[inline]
pub(crate) fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() { f64::NAN } else { a.min(b) }
}

/// The φ-quantile of `vals` (sorted in place) with linear interpolation.
pub(crate) fn quantile(q: f64, vals: &mut [f64]) -> f64 {
    if vals.is_empty() || q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    // Go's sort.Float64s order: NaNs first, then ascending.
    vals.sort_by(|a, b| match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        _ => a.total_cmp(b),
    });
    let n = vals.len() as f64;
    let rank = q * (n - 1.0);
    let lower = rank.floor().max(0.0);
    let upper = (lower + 1.0).min(n - 1.0);
    let w = rank - rank.floor();
    vals[lower as usize] * (1.0 - w) + vals[upper as usize] * w
}

/// Days since the epoch to (year, month 1-12, day 1-31), proleptic Gregorian.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub(crate) fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub(crate) fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Formats like Go's `strconv.FormatFloat(v, 'f', -1, 64)`.
pub(crate) fn format_go_float(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v}")
    }
}

/// Formats like Go's `strconv.FormatFloat(v, 'g', -1, 64)`, with `.0` added to integral values
/// as OpenMetrics writes floats (`le="1.0"`, `q="0.25"`, `1e-05`, `+Inf`).
pub(crate) fn format_openmetrics_float(v: f64) -> String {
    let out = vigil_model::histogram::notation::format_go_float(v);
    if !v.is_finite() || out.contains(['.', 'e']) { out } else { out + ".0" }
}

#[cfg(test)]
mod format_tests {
    use super::format_openmetrics_float as f;

    #[test]
    fn openmetrics_floats_look_like_go_g_with_a_decimal_point() {
        let cases = [
            (0.0, "0.0"),
            (1.0, "1.0"),
            (0.25, "0.25"),
            (-0.1, "-0.1"),
            (1.01, "1.01"),
            (123456.0, "123456.0"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
        ];
        for (v, want) in cases {
            assert_eq!(f(v), want, "{v}");
        }
    }
}
