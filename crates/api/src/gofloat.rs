//! Float formatting that matches Go's `strconv.FormatFloat` with precision -1 (shortest digits
//! that round-trip), which is what Prometheus clients see on the wire.
//!
//! Two formats are needed by the JSON API: `'f'` (scalars, timestamps) and `'e'` (very small or
//! large sample values). The text format's `'g'` layout lives in `vigil_exposition::encode`.
//! Rust's `{:e}` already yields the shortest round-trip digits, so only the layout differs from Go.

/// Shortest decimal digits of a finite, non-zero `abs` and the position of the decimal point:
/// `abs = 0.d1d2d3... * 10^dp`.
fn shortest_digits(abs: f64) -> (String, i32) {
    let s = format!("{abs:e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((s.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exp + 1)
}

fn special(v: f64) -> Option<&'static str> {
    if v.is_nan() {
        Some("NaN")
    } else if v == f64::INFINITY {
        Some("+Inf")
    } else if v == f64::NEG_INFINITY {
        Some("-Inf")
    } else {
        None
    }
}

fn push_sign(out: &mut String, v: f64) {
    if v.is_sign_negative() {
        out.push('-');
    }
}

fn layout_f(out: &mut String, digits: &str, dp: i32) {
    let nd = digits.len() as i32;
    if dp <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-dp) as usize));
        out.push_str(digits);
    } else if dp >= nd {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', (dp - nd) as usize));
    } else {
        out.push_str(&digits[..dp as usize]);
        out.push('.');
        out.push_str(&digits[dp as usize..]);
    }
}

fn layout_e(out: &mut String, digits: &str, dp: i32) {
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    let exp = dp - 1;
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
}

/// Appends `v` like Go's `strconv.AppendFloat(v, 'f', -1, 64)`.
pub fn push_f(out: &mut String, v: f64) {
    if let Some(s) = special(v) {
        out.push_str(s);
        return;
    }
    push_sign(out, v);
    if v == 0.0 {
        out.push('0');
        return;
    }
    let (digits, dp) = shortest_digits(v.abs());
    layout_f(out, &digits, dp);
}

/// Appends `v` like Go's `strconv.AppendFloat(v, 'e', -1, 64)`.
pub fn push_e(out: &mut String, v: f64) {
    if let Some(s) = special(v) {
        out.push_str(s);
        return;
    }
    push_sign(out, v);
    if v == 0.0 {
        out.push_str("0e+00");
        return;
    }
    let (digits, dp) = shortest_digits(v.abs());
    layout_e(out, &digits, dp);
}

/// Appends a sample value the way Prometheus' JSON encoder does: `'f'` layout, switching to `'e'`
/// below 1e-6 and from 1e21 in magnitude.
pub fn push_sample_value(out: &mut String, v: f64) {
    let abs = v.abs();
    if abs != 0.0 && abs.is_finite() && !(1e-6..1e21).contains(&abs) {
        push_e(out, v);
    } else {
        push_f(out, v);
    }
}

#[cfg(test)]
mod tests;
