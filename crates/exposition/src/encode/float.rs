//! Go-compatible float formatting (`strconv.FormatFloat(v, 'g', -1, 64)`).
//!
//! With precision -1, Go prints the shortest digits that round-trip, in exponent form (`e+06`,
//! at least two exponent digits) when the decimal exponent is below -4 or at least 6, and in
//! positional form otherwise; so `1e6` is `1e+06` and `123456` stays `123456`.

use std::fmt::Write as _;

/// Formats `v` like Prometheus' text encoder.
pub fn format_float(v: f64) -> String {
    let mut s = String::new();
    write_float(&mut s, v);
    s
}

/// Appends `v` formatted like Prometheus' text encoder.
pub fn write_float(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("NaN");
        return;
    }
    if v.is_infinite() {
        out.push_str(if v > 0.0 { "+Inf" } else { "-Inf" });
        return;
    }
    if v == 0.0 {
        // Prometheus writes both zeros as "0".
        out.push('0');
        return;
    }
    // Rust's `{:e}` yields the shortest round-tripping digits: "d[.ddd]e[-]x".
    let mut buf = StackBuf::default();
    let _ = write!(buf, "{:e}", v.abs());
    let sci = buf.as_str();
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits = [0u8; 24];
    let mut nd = 0;
    for &c in mantissa.as_bytes().iter().filter(|c| c.is_ascii_digit()) {
        if nd < digits.len() {
            digits[nd] = c;
            nd += 1;
        }
    }
    let digits = std::str::from_utf8(&digits[..nd]).unwrap_or("0");
    if v < 0.0 {
        out.push('-');
    }
    if !(-4..EXPONENT_THRESHOLD).contains(&exp) {
        out.push_str(&digits[..1]);
        if nd > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.unsigned_abs());
        return;
    }
    // Position of the decimal point relative to the digits.
    let dp = exp + 1;
    if dp <= 0 {
        out.push_str("0.");
        for _ in 0..-dp {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        let dp = dp.unsigned_abs() as usize;
        if dp >= nd {
            out.push_str(digits);
            for _ in nd..dp {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..dp]);
            out.push('.');
            out.push_str(&digits[dp..]);
        }
    }
}

/// Go uses exponent form from this decimal exponent on when the precision is "shortest".
const EXPONENT_THRESHOLD: i32 = 6;

/// A small fixed buffer so formatting does not allocate.
struct StackBuf {
    bytes: [u8; 40],
    len: usize,
}

impl Default for StackBuf {
    fn default() -> Self {
        Self { bytes: [0; 40], len: 0 }
    }
}

impl StackBuf {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl std::fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > self.bytes.len() {
            return Err(std::fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}
