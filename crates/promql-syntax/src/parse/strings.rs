//! String literals: `"..."` and `'...'` with Go escapes, and raw `` `...` `` strings.

/// Scans the string literal starting at `s[0]` (a quote) and returns its decoded value and its
/// length in bytes. `Err((offset, message))` is relative to `s` and, as in Prometheus, points at
/// the opening quote whatever is wrong inside.
pub(crate) fn scan_string(s: &str) -> Result<(String, usize), (usize, String)> {
    let mut chars = s.char_indices();
    let Some((_, quote)) = chars.next() else {
        return Err((0, "unterminated quoted string".to_string()));
    };
    let mut out = String::new();
    if quote == '`' {
        for (i, c) in chars {
            if c == '`' {
                return Ok((out, i + 1));
            }
            out.push(c);
        }
        return Err((0, "unterminated raw string".to_string()));
    }
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == quote => return Ok((out, i + 1)),
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
                    // Go's byte escapes; bytes above 0x7f are kept as the matching code point.
                    out.push(char::from(value as u8));
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
        assert_eq!(scan_string("\"ü\"").map(|r| r.1), Ok(4));
        assert!(scan_string(r#""abc"#).is_err());
        assert!(scan_string(r#""\q""#).is_err());
        assert!(scan_string(r#""\uD800""#).is_err());
    }
}
