//! The lexer: turns a query into [`Token`]s in one linear pass, skipping `#` comments.

use super::duration::{parse_duration, scan_duration};
use super::strings::scan_string;
use super::token::{Token, TokenKind};

/// A lexing failure: byte offset and Prometheus-style message.
pub(crate) type LexError = (usize, String);

/// Splits `query` into tokens, ending with [`TokenKind::Eof`].
pub(crate) fn tokenize(query: &str) -> Result<Vec<Token>, LexError> {
    let bytes = query.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if b == b'#' {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        let rest = &query[i..];
        let (kind, len) = match b {
            b'(' => (TokenKind::LParen, 1),
            b')' => (TokenKind::RParen, 1),
            b'{' => (TokenKind::LBrace, 1),
            b'}' => (TokenKind::RBrace, 1),
            b'[' => (TokenKind::LBracket, 1),
            b']' => (TokenKind::RBracket, 1),
            b',' => (TokenKind::Comma, 1),
            b':' => (TokenKind::Colon, 1),
            b'@' => (TokenKind::At, 1),
            b'+' => (TokenKind::Add, 1),
            b'-' => (TokenKind::Sub, 1),
            b'*' => (TokenKind::Mul, 1),
            b'/' => (TokenKind::Div, 1),
            b'%' => (TokenKind::Mod, 1),
            b'^' => (TokenKind::Pow, 1),
            b'=' => match bytes.get(i + 1) {
                Some(b'=') => (TokenKind::Eql, 2),
                Some(b'~') => (TokenKind::RegexMatch, 2),
                _ => (TokenKind::Assign, 1),
            },
            b'!' => match bytes.get(i + 1) {
                Some(b'=') => (TokenKind::Neq, 2),
                Some(b'~') => (TokenKind::RegexNoMatch, 2),
                _ => return Err((i, "unexpected character after '!': ".to_string() + char_at(query, i + 1))),
            },
            // `</` and `>/` are one token, as in Prometheus' lexer: no valid query had `<` or `>`
            // followed by `/` (an operand cannot start with `/`), so nothing lexes differently.
            b'>' => match bytes.get(i + 1) {
                Some(b'=') => (TokenKind::Gte, 2),
                Some(b'/') => (TokenKind::TrimLower, 2),
                _ => (TokenKind::Gtr, 1),
            },
            b'<' => match bytes.get(i + 1) {
                Some(b'=') => (TokenKind::Lte, 2),
                Some(b'/') => (TokenKind::TrimUpper, 2),
                _ => (TokenKind::Lss, 1),
            },
            b'"' | b'\'' | b'`' => {
                let (value, len) = scan_string(rest).map_err(|(o, m)| (i + o, m))?;
                (TokenKind::Str(value), len)
            }
            b'0'..=b'9' | b'.' => lex_number(rest).map_err(|(o, m)| (i + o, m))?,
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let len = rest.bytes().take_while(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b':').count();
                let word = &rest[..len];
                let kind = if word.eq_ignore_ascii_case("inf") {
                    TokenKind::Number(f64::INFINITY)
                } else if word.eq_ignore_ascii_case("nan") {
                    TokenKind::Number(f64::NAN)
                } else {
                    TokenKind::Ident(word.to_string())
                };
                (kind, len)
            }
            _ => return Err((i, format!("unexpected character: '{}'", char_at(query, i)))),
        };
        tokens.push(Token { kind, start, end: start + len });
        i += len;
    }
    tokens.push(Token { kind: TokenKind::Eof, start: bytes.len(), end: bytes.len() });
    Ok(tokens)
}

/// The character at byte `i` as a string slice, or `""` at the end.
fn char_at(query: &str, i: usize) -> &str {
    query.get(i..).and_then(|r| r.chars().next().map(|c| &r[..c.len_utf8()])).unwrap_or("")
}

/// Lexes a number or duration at the start of `s`.
fn lex_number(s: &str) -> Result<(TokenKind, usize), LexError> {
    if let Some(len) = scan_duration(s) {
        let ms = parse_duration(&s[..len]).map_err(|m| (0, m))?;
        return Ok((TokenKind::Duration(ms), len));
    }
    let bytes = s.as_bytes();
    if bytes.len() > 1 && bytes[0] == b'0' && (bytes[1] == b'x' || bytes[1] == b'X') {
        let len = 2 + s[2..].bytes().take_while(u8::is_ascii_hexdigit).count();
        let value = u64::from_str_radix(&s[2..len], 16).map_err(|_| (0, format!("bad number: {:?}", &s[..len])))?;
        return Ok((TokenKind::Number(value as f64), len));
    }
    let mut i = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        i += bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let digits = bytes[j..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 {
            i = j + digits;
        }
    }
    if bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_') {
        let len = i + s[i..].bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
        return Err((0, format!("bad number or duration syntax: {:?}", &s[..len])));
    }
    let value: f64 = s[..i].parse().map_err(|_| (0, format!("bad number or duration syntax: {:?}", &s[..i])))?;
    Ok((TokenKind::Number(value), i))
}

#[cfg(test)]
mod tests;
