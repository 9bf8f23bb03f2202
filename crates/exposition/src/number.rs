//! Number parsing for sample values and timestamps.
//!
//! Values accept what Prometheus accepts: decimal floats with optional exponent, and `NaN`,
//! `Inf`, `Infinity` in any case with an optional sign. Hex floats and `_` separators are
//! rejected. Short decimals take an exact fast path (an integer mantissa below 2^53 divided by an
//! exact power of ten is correctly rounded), everything else goes to the standard library.

/// Exact powers of ten representable as `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// Parses a sample value.
#[inline]
pub(crate) fn parse_value(s: &str) -> Option<f64> {
    if let Some(v) = fast_decimal(s.as_bytes()) {
        return Some(v);
    }
    slow_float(s)
}

/// `[+-]?digits(.digits)?` with at most 15 digits in total.
#[inline]
fn fast_decimal(b: &[u8]) -> Option<f64> {
    let (neg, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut frac_digits = 0usize;
    let mut seen_dot = false;
    let mut count = 0usize;
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(c - b'0');
                count += 1;
                if seen_dot {
                    frac_digits += 1;
                }
            }
            b'.' if !seen_dot => seen_dot = true,
            _ => return None,
        }
    }
    if count == 0 || count > 15 {
        return None;
    }
    // Both operands are exact, so one division rounds correctly.
    #[allow(clippy::cast_precision_loss)]
    let v = mantissa as f64 / POW10[frac_digits];
    Some(if neg { -v } else { v })
}

#[cold]
fn slow_float(s: &str) -> Option<f64> {
    // Rust's parser accepts exactly the decimal/inf/nan grammar we want and nothing like hex or
    // underscores; it only needs a guard against empty strings and stray whitespace.
    if s.is_empty() || s.bytes().any(|b| b.is_ascii_whitespace()) {
        return None;
    }
    s.parse::<f64>().ok()
}

/// A text-format timestamp: a signed 64-bit integer of milliseconds.
#[inline]
pub(crate) fn parse_int_timestamp(s: &str) -> Option<i64> {
    s.parse::<i64>().ok()
}

/// An OpenMetrics timestamp: finite seconds as a decimal or float, converted to milliseconds.
///
/// Plain decimals are converted exactly (sub-millisecond digits are truncated, as Prometheus
/// truncates); other spellings go through `f64` and are rounded to the nearest millisecond.
pub(crate) fn parse_om_timestamp(s: &str) -> Option<i64> {
    if let Some(ms) = exact_decimal_ms(s.as_bytes()) {
        return Some(ms);
    }
    let secs = slow_float(s)?;
    if !secs.is_finite() {
        return None;
    }
    #[allow(clippy::cast_possible_truncation)]
    Some((secs * 1000.0).round() as i64)
}

fn exact_decimal_ms(b: &[u8]) -> Option<i64> {
    let (neg, rest) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    let (int_part, frac_part) = match rest.iter().position(|&c| c == b'.') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.iter().chain(frac_part).all(u8::is_ascii_digit) {
        return None;
    }
    let mut ms: i64 = 0;
    for &c in int_part {
        ms = ms.checked_mul(10)?.checked_add(i64::from(c - b'0'))?;
    }
    ms = ms.checked_mul(1000)?;
    let mut scale = 100;
    for &c in frac_part.iter().take(3) {
        ms = ms.checked_add(i64::from(c - b'0') * scale)?;
        scale /= 10;
    }
    Some(if neg { -ms } else { ms })
}

#[cfg(test)]
mod tests;
