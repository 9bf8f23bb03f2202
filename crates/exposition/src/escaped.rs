//! Borrowed strings that are unescaped only when they contain a backslash.

use std::borrow::Cow;

/// Which escape sequences a string uses, decided while scanning so that unescaping is free for
/// the common case of no backslash at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Escapes {
    /// No backslash: the raw text is the value.
    None,
    /// Label values and quoted names: `\\`, `\"` and `\n`.
    Quoted,
    /// HELP text: `\\` and `\n`.
    Help,
}

/// A piece of the input as written (without surrounding quotes), plus how to unescape it.
///
/// Unknown escape sequences such as `\t` are kept verbatim, backslash included, as Prometheus does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escaped<'a> {
    raw: &'a str,
    escapes: Escapes,
}

impl<'a> Escaped<'a> {
    /// A string that needs no unescaping.
    pub(crate) fn plain(raw: &'a str) -> Self {
        Self { raw, escapes: Escapes::None }
    }

    /// A quoted string's contents; `has_backslash` comes from the scan.
    pub(crate) fn quoted(raw: &'a str, has_backslash: bool) -> Self {
        Self { raw, escapes: if has_backslash { Escapes::Quoted } else { Escapes::None } }
    }

    /// HELP text.
    pub(crate) fn help(raw: &'a str) -> Self {
        let escapes = if raw.as_bytes().contains(&b'\\') { Escapes::Help } else { Escapes::None };
        Self { raw, escapes }
    }

    /// The text exactly as it appears in the input (escape sequences not resolved).
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// Whether [`Escaped::unescape`] would allocate.
    pub fn needs_unescape(&self) -> bool {
        self.escapes != Escapes::None
    }

    /// The value with escape sequences resolved; borrows when there were none.
    pub fn unescape(&self) -> Cow<'a, str> {
        match self.escapes {
            Escapes::None => Cow::Borrowed(self.raw),
            Escapes::Quoted => Cow::Owned(unescape(self.raw, true)),
            Escapes::Help => Cow::Owned(unescape(self.raw, false)),
        }
    }

    /// Whether the unescaped value equals `s`, without allocating in the common case.
    pub fn eq_str(&self, s: &str) -> bool {
        match self.escapes {
            Escapes::None => self.raw == s,
            _ => self.unescape() == s,
        }
    }
}

fn unescape(raw: &str, quote: bool) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('"') if quote => out.push('"'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests;
