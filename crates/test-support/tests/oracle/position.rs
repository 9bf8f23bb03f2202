//! Locating the point of failure: `promql-parser` reports errors as plain strings without
//! positions, so we re-lex the query ourselves and find the offending token.

use vigil_promql_syntax::Error;

/// Upper bound on the number of prefix re-parses spent on locating one error.
const MAX_PREFIX_PARSES: usize = 96;

/// One token of our approximate lexer: its byte span and a description for messages.
#[derive(Debug, Clone)]
struct Token {
    start: usize,
    end: usize,
    kind: &'static str,
}

/// Splits `q` into tokens roughly like the PromQL lexer (exact enough to point at a token).
fn tokens(q: &str) -> Vec<Token> {
    let b = q.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        let kind = if c.is_ascii_whitespace() {
            i += 1;
            continue;
        } else if c == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b':' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b':') {
                i += 1;
            }
            "identifier"
        } else if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
            "number"
        } else if c == b'"' || c == b'\'' || c == b'`' {
            i += 1;
            while i < b.len() && b[i] != c {
                if b[i] == b'\\' && c != b'`' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(b.len());
            "string"
        } else if i + 1 < b.len() && matches!(&b[i..i + 2], b"==" | b"!=" | b">=" | b"<=" | b"=~" | b"!~") {
            i += 2;
            "operator"
        } else {
            // One character, whole even if multi-byte.
            i += q[i..].chars().next().map_or(1, char::len_utf8);
            "character"
        };
        out.push(Token { start, end: i, kind });
    }
    out
}

fn parses(q: &str) -> bool {
    std::panic::catch_unwind(|| promql_parser::parser::parse(q).is_ok()).unwrap_or(false)
}

/// Builds a positioned error for `query` from the parser's message `msg`.
pub(crate) fn locate(query: &str, msg: &str) -> Error {
    // Lexer messages quote the offending character: find it.
    if msg.starts_with("unexpected character")
        && let Some(c) = quoted_char(msg)
    {
        let off = query.find(c).unwrap_or(0);
        return Error::at(query, off, msg);
    }
    if msg.starts_with("unterminated") {
        let off = query.rfind(['"', '\'', '`']).unwrap_or(query.len());
        return Error::at(query, off, msg);
    }
    if msg.starts_with("unclosed") {
        return Error::at(query, query.len(), msg);
    }
    if msg == "invalid promql query" {
        return grammar_error(query);
    }
    // Semantic errors usually name a function or label in quotes: point at it.
    let quoted = msg.split('"').nth(1).or_else(|| msg.split('\'').nth(1));
    if let Some(name) = quoted.filter(|n| !n.is_empty())
        && let Some(off) = query.find(name)
    {
        return Error::at(query, off, msg);
    }
    Error::at(query, 0, msg)
}

fn quoted_char(msg: &str) -> Option<char> {
    let rest = &msg[msg.find('\'')? + 1..];
    rest.chars().next()
}

/// Finds the token after the longest prefix that parses on its own.
fn grammar_error(query: &str) -> Error {
    let toks = tokens(query);
    if toks.is_empty() {
        return Error::at(query, 0, "no expression found in input");
    }
    let mut parsed_upto = None;
    let mut budget = MAX_PREFIX_PARSES;
    for k in (1..toks.len()).rev() {
        if budget == 0 {
            break;
        }
        budget -= 1;
        if parses(&query[..toks[k - 1].end]) {
            parsed_upto = Some(k);
            break;
        }
    }
    let bad = match parsed_upto {
        Some(k) => &toks[k],
        None => {
            let first = &toks[0];
            let text = &query[first.start..first.end];
            if matches!(text, ")" | "]" | "}" | "," | "*" | "/" | "^" | "%" | "==" | "!=" | ">" | "<" | ">=" | "<=") {
                first
            } else {
                return Error::at(query, query.len(), "unexpected end of input");
            }
        }
    };
    let text = &query[bad.start..bad.end];
    let is_last = toks.last().is_some_and(|t| t.start == bad.start);
    let wants_more = !matches!(text, ")" | "]" | "}") && bad.kind != "identifier" && bad.kind != "number";
    if is_last && wants_more {
        return Error::at(query, query.len(), "unexpected end of input");
    }
    Error::at(query, bad.start, format!("unexpected {} {text:?}", bad.kind))
}
