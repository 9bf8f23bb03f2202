//! Duration literals (`1h30m`, `500ms`, `2y`): units in descending order, each at most once.

/// Milliseconds per unit, largest first, as Prometheus' `model.ParseDuration` orders them.
const UNITS: &[(&str, i64)] = &[
    ("y", 365 * 24 * 3_600_000),
    ("w", 7 * 24 * 3_600_000),
    ("d", 24 * 3_600_000),
    ("h", 3_600_000),
    ("ms", 1),
    ("m", 60_000),
    ("s", 1_000),
];

/// The rank of a unit in the required order (`ms` comes after `s`).
fn rank(unit: &str) -> usize {
    match unit {
        "y" => 0,
        "w" => 1,
        "d" => 2,
        "h" => 3,
        "m" => 4,
        "s" => 5,
        _ => 6,
    }
}

/// Parses a whole duration literal into milliseconds. `Err` carries Prometheus' wording.
pub(crate) fn parse_duration(s: &str) -> Result<i64, String> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut total: i64 = 0;
    let mut last_rank: Option<usize> = None;
    if s.is_empty() {
        return Err(format!("not a valid duration string: {s:?}"));
    }
    while i < bytes.len() {
        let digits_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == digits_start {
            return Err(format!("not a valid duration string: {s:?}"));
        }
        let unit = UNITS.iter().find(|(u, _)| s[i..].starts_with(u));
        let Some(&(unit, ms)) = unit else {
            return Err(format!("not a valid duration string: {s:?}"));
        };
        let r = rank(unit);
        if last_rank.is_some_and(|l| l >= r) {
            return Err(format!("not a valid duration string: {s:?}"));
        }
        last_rank = Some(r);
        let n: i64 = s[digits_start..i].parse().map_err(|_| format!("duration out of range: {s:?}"))?;
        total = n
            .checked_mul(ms)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("duration out of range: {s:?}"))?;
        i += unit.len();
    }
    Ok(total)
}

/// Length of the duration literal at the start of `s`, if one starts there.
pub(crate) fn scan_duration(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut any = false;
    loop {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            break;
        }
        match UNITS.iter().find(|(u, _)| s[i..].starts_with(u)) {
            Some((u, _)) => {
                i += u.len();
                any = true;
            }
            None => {
                i = start;
                break;
            }
        }
    }
    // A trailing identifier character means this was not a duration (e.g. `5min`).
    if !any || bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_') {
        return None;
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000));
        assert_eq!(parse_duration("500ms"), Ok(500));
        assert_eq!(parse_duration("1m1s1ms"), Ok(61_001));
        assert!(parse_duration("1m1h").is_err());
        assert!(parse_duration("99999999999999999999y").is_err());
        assert!(parse_duration("9999999999y").is_err());
        assert_eq!(scan_duration("5m]"), Some(2));
        assert_eq!(scan_duration("1h30m:"), Some(5));
        assert_eq!(scan_duration("5min"), None);
        assert_eq!(scan_duration("5"), None);
    }
}
