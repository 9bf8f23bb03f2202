//! Series selectors for `match[]` parameters (`up{job="api"}`, `{__name__=~"http_.*"}`).
//!
//! `/api/v1/series`, `/api/v1/labels` and `/federate` accept only selectors, not full PromQL, so a
//! small parser here keeps these endpoints independent of the PromQL front end. Errors carry the
//! position like Prometheus' parser: `1:4: parse error: unexpected end of input inside braces`.

use vigil_model::{METRIC_NAME, MatchOp, Matcher};

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl<'a> Parser<'a> {
    fn err(&self, at: usize, msg: impl std::fmt::Display) -> String {
        // Line and column are 1-based; columns count characters, as in Prometheus' messages.
        let before = &self.src[..at.min(self.src.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{line}:{col}: parse error: {msg}")
    }

    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if !c.is_whitespace() {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    fn ident(&mut self, metric: bool) -> Option<&'a str> {
        let start = self.pos;
        let mut chars = self.src[start..].char_indices();
        match chars.next() {
            Some((_, c)) if is_name_start(c) || (metric && c == ':') => {}
            _ => return None,
        }
        let mut end = self.src.len();
        for (i, c) in chars {
            if !(is_name_char(c) || (metric && c == ':')) {
                end = start + i;
                break;
            }
        }
        self.pos = end;
        Some(&self.src[start..end])
    }

    fn string(&mut self) -> Result<String, String> {
        let start = self.pos;
        let Some(quote) = self.peek() else {
            return Err(self.err(start, "unexpected end of input"));
        };
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.err(start, "unterminated quoted string"));
            };
            self.pos += c.len_utf8();
            if c == quote {
                return Ok(out);
            }
            if c == '\\' && quote != '`' {
                out.push(self.escape(start)?);
            } else if c == '\n' && quote != '`' {
                return Err(self.err(start, "unterminated quoted string"));
            } else {
                out.push(c);
            }
        }
    }

    fn hex(&mut self, n: usize, at: usize) -> Result<char, String> {
        let digits = self.src.get(self.pos..self.pos + n).ok_or_else(|| self.err(at, "invalid escape sequence"))?;
        let code = u32::from_str_radix(digits, 16).map_err(|_| self.err(at, "invalid escape sequence"))?;
        self.pos += n;
        char::from_u32(code).ok_or_else(|| self.err(at, "invalid escape sequence"))
    }

    fn escape(&mut self, at: usize) -> Result<char, String> {
        let Some(c) = self.peek() else {
            return Err(self.err(at, "unterminated quoted string"));
        };
        self.pos += c.len_utf8();
        Ok(match c {
            'a' => '\u{7}',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\u{b}',
            '\\' | '"' | '\'' => c,
            'x' => self.hex(2, at)?,
            'u' => self.hex(4, at)?,
            'U' => self.hex(8, at)?,
            '0'..='7' => {
                let digits =
                    self.src.get(self.pos - 1..self.pos + 2).ok_or_else(|| self.err(at, "invalid escape sequence"))?;
                let code = u32::from_str_radix(digits, 8).map_err(|_| self.err(at, "invalid escape sequence"))?;
                self.pos += 2;
                char::from_u32(code).ok_or_else(|| self.err(at, "invalid escape sequence"))?
            }
            other => return Err(self.err(at, format!("unknown escape sequence {other:?}"))),
        })
    }

    fn op(&mut self) -> Result<MatchOp, String> {
        let rest = &self.src[self.pos..];
        let (op, len) = if rest.starts_with("=~") {
            (MatchOp::Regex, 2)
        } else if rest.starts_with("!~") {
            (MatchOp::NotRegex, 2)
        } else if rest.starts_with("!=") {
            (MatchOp::NotEqual, 2)
        } else if rest.starts_with('=') {
            (MatchOp::Equal, 1)
        } else {
            return Err(match self.peek() {
                None => self.err(self.pos, "unexpected end of input inside braces"),
                Some(c) => self.err(self.pos, format!("unexpected character inside braces: {c:?}")),
            });
        };
        self.pos += len;
        Ok(op)
    }

    fn matchers(&mut self, out: &mut Vec<Matcher>) -> Result<(), String> {
        // After '{'.
        loop {
            self.skip_ws();
            match self.peek() {
                None => return Err(self.err(self.pos, "unexpected end of input inside braces")),
                Some('}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => {}
            }
            let at = self.pos;
            let name = match self.peek() {
                Some('"' | '\'' | '`') => self.string()?,
                _ => match self.ident(false) {
                    Some(n) => n.to_owned(),
                    None => {
                        let c = self.peek().unwrap_or(' ');
                        return Err(self.err(at, format!("unexpected character inside braces: {c:?}")));
                    }
                },
            };
            self.skip_ws();
            if matches!(self.peek(), Some(',' | '}')) && self.src[at..].starts_with(['"', '\'', '`']) {
                // A lone quoted string is a metric name: {"my.metric"}.
                out.push(Matcher::equal(METRIC_NAME, name));
            } else {
                let op = self.op()?;
                self.skip_ws();
                let vat = self.pos;
                if !matches!(self.peek(), Some('"' | '\'' | '`')) {
                    return Err(match self.peek() {
                        None => self.err(vat, "unexpected end of input inside braces"),
                        Some(c) => self.err(vat, format!("unexpected character inside braces: {c:?}")),
                    });
                }
                let value = self.string()?;
                let m = Matcher::new(op, name, value).map_err(|e| self.err(vat, e))?;
                out.push(m);
            }
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some('}') => {}
                None => return Err(self.err(self.pos, "unexpected end of input inside braces")),
                Some(c) => return Err(self.err(self.pos, format!("unexpected character inside braces: {c:?}"))),
            }
        }
    }
}

/// Parses a series selector into matchers (the metric name becomes a `__name__` matcher).
pub fn parse_selector(src: &str) -> Result<Vec<Matcher>, String> {
    let mut p = Parser { src, pos: 0 };
    let mut out = Vec::new();
    p.skip_ws();
    if let Some(name) = p.ident(true) {
        out.push(Matcher::equal(METRIC_NAME, name));
        p.skip_ws();
    }
    if p.peek() == Some('{') {
        p.pos += 1;
        p.matchers(&mut out)?;
        p.skip_ws();
    }
    match p.peek() {
        None if out.is_empty() && !src.contains('{') => Err(p.err(p.pos, "no expression found in input")),
        None => Ok(out),
        Some(c) => Err(p.err(p.pos, format!("unexpected {:?}", c.to_string()))),
    }
}

/// Parses every `match[]` value; each must select something non-empty, as in Prometheus. All of
/// them together hold at most as many regex matchers as one query may
/// ([`vigil_promql_syntax::DEFAULT_MAX_REGEX_MATCHERS`]): each is compiled here.
pub fn parse_match_params(values: &[&str]) -> Result<Vec<Vec<Matcher>>, crate::Error> {
    let max = vigil_promql_syntax::DEFAULT_MAX_REGEX_MATCHERS;
    let mut regexes = 0usize;
    values
        .iter()
        .map(|v| {
            let ms = parse_selector(v).map_err(|m| crate::Error::param("match[]", m))?;
            regexes += ms.iter().filter(|m| matches!(m.op, MatchOp::Regex | MatchOp::NotRegex)).count();
            if regexes > max {
                return Err(crate::Error::param("match[]", format!("too many regex matchers (more than {max})")));
            }
            if ms.iter().all(Matcher::matches_empty) {
                return Err(crate::Error::param("match[]", "match[] must contain at least one non-empty matcher"));
            }
            Ok(ms)
        })
        .collect()
}

#[cfg(test)]
mod tests;
