//! Token scanners shared by both formats: names, quoted strings and label sets.
//!
//! Scanners work on the whole input and stop at the end of the current line; they never
//! allocate. Errors carry the byte offset and what was expected; the parser adds line and column.

use crate::escaped::Escaped;

/// A scanning failure at a byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LexError {
    /// Byte offset into the input.
    pub at: usize,
    /// What went wrong.
    pub kind: LexErrorKind,
}

/// The two shapes of scanner messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LexErrorKind {
    /// "expected X, found <what is at the offset>".
    Expected(&'static str),
    /// A self-contained message.
    Invalid(&'static str),
}

pub(crate) type LexResult<T> = Result<T, LexError>;

pub(crate) fn expected<T>(at: usize, what: &'static str) -> LexResult<T> {
    Err(LexError { at, kind: LexErrorKind::Expected(what) })
}

pub(crate) fn invalid<T>(at: usize, what: &'static str) -> LexResult<T> {
    Err(LexError { at, kind: LexErrorKind::Invalid(what) })
}

const METRIC_START: u8 = 1;
const METRIC_CONT: u8 = 2;
const LABEL_START: u8 = 4;
const LABEL_CONT: u8 = 8;

/// Character classes for legacy metric and label names, indexed by byte.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        let alpha = c.is_ascii_alphabetic() || c == b'_';
        let mut v = 0;
        if alpha || c == b':' {
            v |= METRIC_START | METRIC_CONT;
        }
        if c.is_ascii_digit() {
            v |= METRIC_CONT | LABEL_CONT;
        }
        if alpha {
            v |= LABEL_START | LABEL_CONT;
        }
        t[i] = v;
        i += 1;
    }
    t
};

/// Whether `s` is a legacy metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
pub(crate) fn is_legacy_metric_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && CLASS[usize::from(b[0])] & METRIC_START != 0
        && b.iter().all(|&c| CLASS[usize::from(c)] & METRIC_CONT != 0)
}

/// Whether `s` is a legacy label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
pub(crate) fn is_legacy_label_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && CLASS[usize::from(b[0])] & LABEL_START != 0
        && b.iter().all(|&c| CLASS[usize::from(c)] & LABEL_CONT != 0)
}

/// Scans a legacy metric name at `pos`; returns its end, or `pos` if there is none.
#[inline]
pub(crate) fn scan_metric_name(b: &[u8], pos: usize) -> usize {
    match b.get(pos) {
        Some(&c) if CLASS[usize::from(c)] & METRIC_START != 0 => {}
        _ => return pos,
    }
    scan_class(b, pos + 1, METRIC_CONT)
}

/// Advances while bytes are in `class`, four at a time where possible (names are long and this
/// loop is the hottest in the parser).
#[inline]
fn scan_class(b: &[u8], mut i: usize, class: u8) -> usize {
    while let Some(chunk) = b.get(i..i + 4) {
        let all = CLASS[usize::from(chunk[0])]
            & CLASS[usize::from(chunk[1])]
            & CLASS[usize::from(chunk[2])]
            & CLASS[usize::from(chunk[3])];
        if all & class == 0 {
            break;
        }
        i += 4;
    }
    while i < b.len() && CLASS[usize::from(b[i])] & class != 0 {
        i += 1;
    }
    i
}

/// Scans a legacy label name at `pos`; returns its end, or `pos` if there is none.
#[inline]
fn scan_label_name(b: &[u8], pos: usize) -> usize {
    match b.get(pos) {
        Some(&c) if CLASS[usize::from(c)] & LABEL_START != 0 => {}
        _ => return pos,
    }
    scan_class(b, pos + 1, LABEL_CONT)
}

/// Scans a quoted string whose opening quote is at `open`. Returns the contents and the offset
/// just past the closing quote. A raw newline or the end of input before the closing quote is an
/// error; any character may follow a backslash except a newline.
#[inline]
pub(crate) fn scan_quoted(s: &str, open: usize) -> LexResult<(Escaped<'_>, usize)> {
    let b = s.as_bytes();
    let start = open + 1;
    let mut i = start;
    let mut backslash = false;
    loop {
        // One table lookup per ordinary byte; the three special bytes are rare.
        while i < b.len() && !QUOTED_SPECIAL[usize::from(b[i])] {
            i += 1;
        }
        match b.get(i) {
            Some(b'"') => return Ok((Escaped::quoted(&s[start..i], backslash), i + 1)),
            Some(b'\\') => {
                backslash = true;
                match b.get(i + 1) {
                    Some(b'\n') | None => return expected(i + 1, "escaped character"),
                    Some(_) => i += 2,
                }
            }
            _ => return expected(i, "closing '\"' of quoted string"),
        }
    }
}

/// Bytes that end the fast scan of a quoted string.
static QUOTED_SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[b'\n' as usize] = true;
    t
};

/// Skips spaces and tabs.
#[inline]
pub(crate) fn skip_blanks(b: &[u8], mut pos: usize) -> usize {
    while pos < b.len() && (b[pos] == b' ' || b[pos] == b'\t') {
        pos += 1;
    }
    pos
}

/// Skips spaces only (OpenMetrics separates tokens with single spaces).
#[inline]
fn skip_spaces(b: &[u8], mut pos: usize) -> usize {
    while pos < b.len() && b[pos] == b' ' {
        pos += 1;
    }
    pos
}

/// One item inside `{...}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Term<'a> {
    /// A quoted string standing alone: the metric name (`{"my.metric"}`).
    Name(Escaped<'a>),
    /// `name="value"`; the name is the raw (possibly quoted) name's contents.
    Label(Escaped<'a>, Escaped<'a>),
}

/// Lexes the terms of a label set. Text mode allows blanks around every token and a trailing
/// comma; OpenMetrics mode allows spaces only before a term and after a value, and no trailing
/// comma.
#[derive(Debug, Clone)]
pub(crate) struct LabelLexer<'a> {
    s: &'a str,
    pos: usize,
    openmetrics: bool,
    after_comma: bool,
    done: bool,
}

impl<'a> LabelLexer<'a> {
    /// Starts lexing just after the `{` (`pos` is the offset following it).
    pub(crate) fn new(s: &'a str, pos: usize, openmetrics: bool) -> Self {
        Self { s, pos, openmetrics, after_comma: false, done: false }
    }

    /// The offset just past the closing `}` once [`LabelLexer::next_term`] returned `None`.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The next term, or `None` after the closing `}`.
    #[inline]
    pub(crate) fn next_term(&mut self) -> LexResult<Option<Term<'a>>> {
        if self.done {
            return Ok(None);
        }
        let b = self.s.as_bytes();
        let mut p = if self.openmetrics { skip_spaces(b, self.pos) } else { skip_blanks(b, self.pos) };
        match b.get(p) {
            Some(b'}') => {
                if self.after_comma && self.openmetrics {
                    return invalid(p, "trailing comma in label set");
                }
                self.pos = p + 1;
                self.done = true;
                return Ok(None);
            }
            Some(b'"') => {
                let (name, end) = scan_quoted(self.s, p)?;
                p = end;
                if !self.openmetrics {
                    p = skip_blanks(b, p);
                }
                if b.get(p) != Some(&b'=') {
                    self.separator(p)?;
                    return Ok(Some(Term::Name(name)));
                }
                let value = self.value(p)?;
                return Ok(Some(Term::Label(name, value)));
            }
            _ => {}
        }
        let end = scan_label_name(b, p);
        if end == p {
            return expected(p, if self.after_comma { "label name" } else { "label name or '}'" });
        }
        let name = Escaped::plain(&self.s[p..end]);
        p = if self.openmetrics { end } else { skip_blanks(b, end) };
        if b.get(p) != Some(&b'=') {
            return expected(p, "'=' after label name");
        }
        let value = self.value(p)?;
        Ok(Some(Term::Label(name, value)))
    }

    /// Parses `="value"` starting at the `=` and the separator after it.
    #[inline]
    fn value(&mut self, eq: usize) -> LexResult<Escaped<'a>> {
        let b = self.s.as_bytes();
        let p = if self.openmetrics { eq + 1 } else { skip_blanks(b, eq + 1) };
        if b.get(p) != Some(&b'"') {
            return expected(p, "'\"' to open label value");
        }
        let (value, end) = scan_quoted(self.s, p)?;
        self.separator(end)?;
        Ok(value)
    }

    /// Consumes a `,` (or leaves a `}` for the next call) after a term.
    #[inline]
    fn separator(&mut self, pos: usize) -> LexResult<()> {
        let b = self.s.as_bytes();
        let p = if self.openmetrics { skip_spaces(b, pos) } else { skip_blanks(b, pos) };
        match b.get(p) {
            Some(b',') => {
                self.pos = p + 1;
                self.after_comma = true;
                Ok(())
            }
            Some(b'}') => {
                self.pos = p;
                self.after_comma = false;
                Ok(())
            }
            _ => expected(p, "',' or '}' after label"),
        }
    }
}

#[cfg(test)]
mod tests;
