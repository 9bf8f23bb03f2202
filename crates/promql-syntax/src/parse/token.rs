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
    /// How Prometheus names the token in `unexpected <token>` messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            // Prometheus' lexer makes these keywords tokens of their own, named in angle brackets.
            TokenKind::Ident(s) if is_keyword(s) => format!("<{}>", s.to_ascii_lowercase()),
            TokenKind::Ident(s) => format!("identifier {s:?}"),
            TokenKind::Number(_) => "number".to_string(),
            TokenKind::Duration(_) => "duration".to_string(),
            TokenKind::Str(s) => format!("string {s:?}"),
            TokenKind::LParen => "\"(\"".to_string(),
            TokenKind::RParen => "\")\"".to_string(),
            TokenKind::LBrace => "\"{\"".to_string(),
            TokenKind::RBrace => "\"}\"".to_string(),
            TokenKind::LBracket => "\"[\"".to_string(),
            TokenKind::RBracket => "\"]\"".to_string(),
            TokenKind::Comma => "\",\"".to_string(),
            TokenKind::Colon => "\":\"".to_string(),
            TokenKind::Assign => "\"=\"".to_string(),
            TokenKind::RegexMatch => "\"=~\"".to_string(),
            TokenKind::RegexNoMatch => "\"!~\"".to_string(),
            TokenKind::Add => "\"+\"".to_string(),
            TokenKind::Sub => "\"-\"".to_string(),
            TokenKind::Mul => "\"*\"".to_string(),
            TokenKind::Div => "\"/\"".to_string(),
            TokenKind::Mod => "\"%\"".to_string(),
            TokenKind::Pow => "\"^\"".to_string(),
            TokenKind::Eql => "\"==\"".to_string(),
            TokenKind::Neq => "\"!=\"".to_string(),
            TokenKind::Gtr => "\">\"".to_string(),
            TokenKind::Lss => "\"<\"".to_string(),
            TokenKind::Gte => "\">=\"".to_string(),
            TokenKind::Lte => "\"<=\"".to_string(),
            TokenKind::At => "\"@\"".to_string(),
            TokenKind::Eof => "end of input".to_string(),
        }
    }
}

/// Words Prometheus' lexer always reads as keywords (outside braces), whatever the context.
fn is_keyword(word: &str) -> bool {
    const KEYWORDS: [&str; 8] = ["bool", "by", "group_left", "group_right", "ignoring", "offset", "on", "without"];
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}
