//! Prometheus durations: `1y2w3d4h5m6s7ms`, units in descending order, `y` = 365 days.

use crate::{Error, Result};

const UNITS: &[(&str, i64)] = &[
    ("y", 365 * 24 * 3600 * 1000),
    ("w", 7 * 24 * 3600 * 1000),
    ("d", 24 * 3600 * 1000),
    ("h", 3600 * 1000),
    ("m", 60 * 1000),
    ("s", 1000),
    ("ms", 1),
];

/// Parses a Prometheus duration into milliseconds. `"0"` is zero; an empty string is an error.
pub fn parse_duration_ms(s: &str) -> Result<i64> {
    let bad = || Error::Duration(s.to_owned());
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(bad());
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut total: i64 = 0;
    let mut last_unit = 0usize; // index into UNITS that the next unit must come after
    let mut first = true;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if start == i {
            return Err(bad());
        }
        let n: i64 = s[start..i].parse().map_err(|_| bad())?;
        let rest = &s[i..];
        // "ms" must be tried before "m".
        let unit = if rest.starts_with("ms") {
            6
        } else {
            UNITS.iter().position(|(u, _)| rest.starts_with(u)).ok_or_else(bad)?
        };
        if !first && unit <= last_unit {
            return Err(bad());
        }
        first = false;
        last_unit = unit;
        i += UNITS[unit].0.len();
        total = n.checked_mul(UNITS[unit].1).and_then(|v| total.checked_add(v)).ok_or_else(bad)?;
    }
    Ok(total)
}

/// Formats milliseconds the way Prometheus prints durations (`1h30m`, `15s`, `0s`).
pub fn format_duration_ms(ms: i64) -> String {
    if ms == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    let mut rest = ms;
    if rest < 0 {
        out.push('-');
        rest = -rest;
    }
    for (unit, size) in UNITS {
        if rest >= *size {
            out.push_str(&(rest / size).to_string());
            out.push_str(unit);
            rest %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        assert_eq!(parse_duration_ms("15s").unwrap(), 15_000);
        assert_eq!(parse_duration_ms("1h30m").unwrap(), 5_400_000);
        assert_eq!(parse_duration_ms("100ms").unwrap(), 100);
        assert_eq!(parse_duration_ms("1y").unwrap(), 365 * 86_400_000);
        assert_eq!(parse_duration_ms("0").unwrap(), 0);
        assert_eq!(parse_duration_ms("2w3d").unwrap(), 17 * 86_400_000);
    }

    #[test]
    fn rejects() {
        for bad in ["", "1", "s", "1m1h", "1.5s", "-1s", "1x", "5m5m"] {
            assert!(parse_duration_ms(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats() {
        assert_eq!(format_duration_ms(5_400_000), "1h30m");
        assert_eq!(format_duration_ms(15_000), "15s");
        assert_eq!(format_duration_ms(0), "0s");
        assert_eq!(format_duration_ms(86_400_000), "1d");
    }
}
