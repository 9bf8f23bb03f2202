//! Numbers and times as the DSL writes them: series values, bare scalar expectations, eval times.

use vigil_model::duration::parse_duration_ms;

/// Scans one number at the start of `s` as the series-description lexer does: an optional sign,
/// then `Inf`/`NaN` (any case), a decimal float (`1`, `1.5e3`, `.5`), or a duration used as a
/// number of seconds (`5m` = 300). Returns the value and the number of bytes consumed.
///
/// Hexadecimal is not accepted here: `0x3` means "0 repeated", as in `0x10`.
pub fn scan_series_number(s: &str) -> Option<(f64, usize)> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut negative = false;
    if let Some(&c) = bytes.first()
        && (c == b'+' || c == b'-')
    {
        negative = c == b'-';
        i = 1;
    }
    let rest = &s[i..];
    for (word, value) in [("inf", f64::INFINITY), ("nan", f64::NAN)] {
        if rest.get(..3).is_some_and(|w| w.eq_ignore_ascii_case(word)) {
            let v = if negative { -value } else { value };
            return Some((v, i + 3));
        }
    }
    let start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    let int_end = i;
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i == start || (i == start + 1 && bytes[start] == b'.') {
        return None;
    }
    if int_end == i && i < bytes.len() && b"smhdwy".contains(&bytes[i]) {
        // A duration such as `5m` or `1m30s`: digits and unit letters, never `x`.
        let mut j = i;
        while j < bytes.len() && (bytes[j].is_ascii_digit() || b"smhdwy".contains(&bytes[j])) {
            j += 1;
        }
        let ms = parse_duration_ms(&s[start..j]).ok()?;
        let v = ms as f64 / 1000.0;
        return Some((if negative { -v } else { v }, j));
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let mut j = i + 1;
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            j += 1;
        }
        let digits = j;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        if j > digits {
            i = j;
        }
    }
    let v: f64 = s[start..i].parse().ok()?;
    Some((if negative { -v } else { v }, i))
}

/// Parses a bare scalar expectation like Go's `ParseInt(s, 0, 64)` with a `ParseFloat` fallback:
/// base prefixes `0x`, `0o`, `0b` and a leading `0` for octal, then any float including `Inf` and
/// `NaN`.
pub fn parse_scalar(s: &str) -> Option<f64> {
    if let Some(v) = parse_go_int(s) {
        return Some(v as f64);
    }
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let v = match lower.as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        // Rust's parser also takes "infinity"/"nan"; anything else must look numeric.
        _ if body.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-')) => {
            body.parse().ok()?
        }
        _ => return None,
    };
    Some(if negative { -v } else { v })
}

fn parse_go_int(s: &str) -> Option<i64> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = i64::from_str_radix(digits, radix).ok()?;
    Some(if negative { -v } else { v })
}

/// Parses an eval time or step into milliseconds: a Prometheus duration, optionally negative, or
/// a plain number of seconds (`0`, `10`, `1.5`).
pub fn parse_time_ms(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (negative, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let ms = match parse_duration_ms(body) {
        Ok(ms) => ms,
        Err(_) => {
            let secs: f64 = body
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && body.bytes().all(|c| c.is_ascii_digit() || c == b'.'))
                .ok_or_else(|| format!("invalid time or duration {s:?}"))?;
            let ms = (secs * 1000.0).round();
            if ms.abs() > 9.0e15 {
                return Err(format!("time {s:?} is out of range"));
            }
            ms as i64
        }
    };
    Ok(if negative { -ms } else { ms })
}

#[cfg(test)]
mod tests;
