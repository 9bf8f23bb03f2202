//! Token kinds produced by the lexer, each with the byte span it covers.

/// What a token is. Keywords (`by`, `offset`, `and`, ...) stay [`TokenKind::Ident`]; the parser
/// decides by context, as PromQL keywords are valid label names.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind {
    /// A name: metric, label, function, aggregation or keyword. May contain `:`.
    Ident(String),
    /// A number literal, already converted (decimal, hex, exponent, `Inf`, `NaN`).
    Number(f64),
    /// A duration literal such as `1h30m`, in milliseconds.
    Duration(i64),
    /// A string literal with escapes resolved.
    Str(String),
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// `:` outside an identifier (subquery step separator).
    Colon,
    /// `=`
    Assign,
    /// `=~`
    RegexMatch,
    /// `!~`
    RegexNoMatch,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `^`
    Pow,
    /// `==`
    Eql,
    /// `!=`
    Neq,
    /// `>`
    Gtr,
    /// `<`
    Lss,
    /// `>=`
    Gte,
    /// `<=`
    Lte,
    /// `</`: trims a native histogram above a bound (Prometheus 3.x).
    TrimUpper,
    /// `>/`: trims a native histogram below a bound (Prometheus 3.x).
    TrimLower,
    /// `@`
    At,
    /// End of input.
    Eof,
}

/// A token and where it is in the query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    /// The kind, with its value.
    pub kind: TokenKind,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl TokenKind {
    /// How Prometheus names the token in `unexpected <token>` messages; `text` is its source.
    pub(crate) fn describe(&self, text: &str) -> String {
        match self {
            // Prometheus' lexer makes these tokens of their own, named in angle brackets.
            TokenKind::Ident(s) if is_keyword(s) => format!("<{}>", s.to_ascii_lowercase()),
            TokenKind::Ident(s) if crate::AggregateOp::from_name(&s.to_ascii_lowercase()).is_some() => {
                format!("<aggr:{text}>")
            }
            TokenKind::Ident(s) if s.eq_ignore_ascii_case("atan2") => format!("<op:{text}>"),
            TokenKind::Ident(s) if s.contains(':') => format!("metric identifier {s:?}"),
            TokenKind::Ident(s) => format!("identifier {s:?}"),
            TokenKind::Number(_) => format!("number {}", go_quote_short(text)),
            TokenKind::Duration(_) => format!("duration {}", go_quote_short(text)),
            TokenKind::Str(_) => format!("string {}", go_quote_short(text)),
            TokenKind::Eof => "end of input".to_string(),
            _ => format!("{text:?}"),
        }
    }
}

/// `text` quoted, cut to its first 10 characters plus `...` when longer, as Go's `%.10q...`
/// prints literals in Prometheus' messages.
fn go_quote_short(text: &str) -> String {
    if text.len() > 10 {
        let head: String = text.chars().take(10).collect();
        format!("{head:?}...")
    } else {
        format!("{text:?}")
    }
}

/// Words Prometheus' lexer always reads as keywords (outside braces), whatever the context.
fn is_keyword(word: &str) -> bool {
    const KEYWORDS: [&str; 8] = ["bool", "by", "group_left", "group_right", "ignoring", "offset", "on", "without"];
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}
