//! String literals: `"..."` and `'...'` with Go escapes, and raw `` `...` `` strings.

/// Scans the string literal starting at `s[0]` (a quote) and returns its decoded value and its
/// length in bytes. `Err((offset, message))` is relative to `s` and, as in Prometheus, points at
/// the opening quote whatever is wrong inside.
pub(crate) fn scan_string(s: &str) -> Result<(String, usize), (usize, String)> {
    let mut chars = s.char_indices();
    let Some((_, quote)) = chars.next() else {
        return Err((0, "unterminated quoted string".to_string()));
    };
    if quote == '`' {
        let mut out = String::new();
        for (i, c) in chars {
            if c == '`' {
                return Ok((out, i + 1));
            }
            out.push(c);
        }
        return Err((0, "unterminated raw string".to_string()));
    }
    // Byte escapes make bytes, as in Go: `"\xc3\xa9"` is `é`, and bytes that do not form UTF-8
    // are kept as raw-byte characters (see `RAW_BYTE_BASE`).
    let mut out = Bytes::default();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == quote => return Ok((out.finish(), i + 1)),
            '\n' => return Err((0, "unterminated quoted string".to_string())),
            '\\' => {
                let Some((j, e)) = chars.next() else { break };
                let simple = match e {
                    'a' => Some('\u{7}'),
                    'b' => Some('\u{8}'),
                    'f' => Some('\u{c}'),
                    'n' => Some('\n'),
                    'r' => Some('\r'),
                    't' => Some('\t'),
                    'v' => Some('\u{b}'),
                    '\\' => Some('\\'),
                    c if c == quote => Some(c),
                    _ => None,
                };
                if let Some(c) = simple {
                    out.push(c);
                    continue;
                }
                let (digits, radix) = match e {
                    'x' => (2, 16),
                    'u' => (4, 16),
                    'U' => (8, 16),
                    '0'..='7' => (3, 8),
                    c => return Err((0, format!("unknown escape sequence {}", go_rune(c)))),
                };
                let start = if radix == 8 { j } else { j + 1 };
                let end = start + digits;
                let text = s.get(start..end).unwrap_or("");
                let Ok(value) = u32::from_str_radix(text, radix) else {
                    let bad = s[start..].chars().take(digits).find(|c| !c.is_digit(radix));
                    return Err(match bad {
                        Some(c) => (0, format!("illegal character {} in escape sequence", go_rune(c))),
                        None => (0, "escape sequence not terminated".to_string()),
                    });
                };
                if e == 'x' || radix == 8 {
                    if value > 255 {
                        return Err((0, "escape sequence is an invalid Unicode code point".to_string()));
                    }
                    out.push_byte(value as u8);
                } else {
                    match char::from_u32(value) {
                        Some(c) => out.push(c),
                        None => return Err((0, "escape sequence is an invalid Unicode code point".to_string())),
                    }
                }
                // Skip the digits already consumed from `text` (one of them is `e` for octal).
                let skip = if radix == 8 { digits - 1 } else { digits };
                for _ in 0..skip {
                    chars.next();
                }
            }
            c => out.push(c),
        }
    }
    Err((0, "unterminated quoted string".to_string()))
}

/// Raw-byte characters stand for bytes of a string literal that are not UTF-8 (Go strings may
/// hold any bytes, Rust's may not): byte `b` is the private-use character `RAW_BYTE_BASE + b`.
/// They print back as `\xNN` and make a label name invalid, as the bytes do in Prometheus.
pub const RAW_BYTE_BASE: u32 = 0x10_FF00;

/// The byte a raw-byte character stands for.
pub fn raw_byte(c: char) -> Option<u8> {
    u32::from(c).checked_sub(RAW_BYTE_BASE).and_then(|b| u8::try_from(b).ok())
}

/// `s` quoted as Go's `%q` does for the strings of Prometheus' messages, raw bytes as `\xNN`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match raw_byte(c) {
            Some(b) => out.push_str(&format!("\\x{b:02x}")),
            None if c == '\'' => out.push(c),
            None => out.extend(c.escape_debug()),
        }
    }
    out.push('"');
    out
}

/// The decoded bytes of a quoted literal.
#[derive(Default)]
struct Bytes(Vec<u8>);

impl Bytes {
    fn push(&mut self, c: char) {
        let mut buf = [0; 4];
        self.0.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }

    fn push_byte(&mut self, b: u8) {
        self.0.push(b);
    }

    /// The text, with raw-byte characters for bytes that are not UTF-8.
    fn finish(self) -> String {
        let mut out = String::with_capacity(self.0.len());
        for chunk in self.0.utf8_chunks() {
            out.push_str(chunk.valid());
            for &b in chunk.invalid() {
                out.extend(char::from_u32(RAW_BYTE_BASE + u32::from(b)));
            }
        }
        out
    }
}

/// A character as Go's `%#U` prints it in Prometheus' messages: `U+0071 'q'`.
fn go_rune(c: char) -> String {
    format!("U+{:04X} '{c}'", u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings() {
        assert_eq!(scan_string(r#""a\nb" x"#), Ok(("a\nb".to_string(), 6)));
        assert_eq!(scan_string(r#"'it\'s'"#), Ok(("it's".to_string(), 7)));
        assert_eq!(scan_string(r"`a\n`"), Ok((r"a\n".to_string(), 5)));
        assert_eq!(scan_string(r#""\x41\101\u00e9\U0001F600""#).map(|r| r.0), Ok("AAé😀".to_string()));
        assert_eq!(scan_string(r#""\xc3\xa9\303\251""#).map(|r| r.0), Ok("éé".to_string()));
        let raw = scan_string(r#""a\xc5z""#).unwrap().0;
        assert_eq!(raw.chars().filter_map(raw_byte).collect::<Vec<_>>(), [0xc5]);
        assert_eq!(go_quote(&raw), r#""a\xc5z""#);
        assert_eq!(go_quote("é\"\n"), r#""é\"\n""#);
        assert_eq!(scan_string("\"ü\"").map(|r| r.1), Ok(4));
        assert!(scan_string(r#""abc"#).is_err());
        assert!(scan_string(r#""\q""#).is_err());
        assert!(scan_string(r#""\uD800""#).is_err());
    }
}
