//! Lexer tests, all through one `check` helper that renders the token stream.

use super::tokenize;
use crate::parse::token::TokenKind;

/// Renders the tokens of `q` (without the final EOF) or the error as `ERR offset: message`.
fn check(q: &str, expected: &str) {
    let got = match tokenize(q) {
        Ok(tokens) => tokens
            .iter()
            .filter(|t| t.kind != TokenKind::Eof)
            .map(|t| format!("{:?}@{}", t.kind, t.start))
            .collect::<Vec<_>>()
            .join(" "),
        Err((offset, message)) => format!("ERR {offset}: {message}"),
    };
    assert_eq!(got, expected, "query {q:?}");
}

#[test]
fn numbers_and_durations() {
    check(
        "1 0x1F 1.5e3 .5 Inf -nan",
        "Number(1.0)@0 Number(31.0)@2 Number(1500.0)@7 Number(0.5)@13 Number(inf)@16 Sub@20 Number(NaN)@21",
    );
    check("x[1h30m:5s]", r#"Ident("x")@0 LBracket@1 Duration(5400000)@2 Colon@7 Duration(5000)@8 RBracket@10"#);
    check("1e", r#"ERR 0: bad number or duration syntax: "1e""#);
    check("5min", r#"ERR 0: bad number or duration syntax: "5min""#);
    check("foo[99999999999999999999y]", r#"ERR 4: duration out of range: "99999999999999999999y""#);
}

#[test]
fn operators_and_identifiers() {
    check(
        "a:b{c=~\"x\",d!~'y',e!=`z`} >= bool 1",
        r#"Ident("a:b")@0 LBrace@3 Ident("c")@4 RegexMatch@5 Str("x")@7 Comma@10 Ident("d")@11 RegexNoMatch@12 Str("y")@14 Comma@17 Ident("e")@18 Neq@19 Str("z")@21 RBrace@24 Gte@26 Ident("bool")@29 Number(1.0)@34"#,
    );
    check("a # comment\n+ b", r#"Ident("a")@0 Add@12 Ident("b")@14"#);
    check("{\"my.metric\"}", r#"LBrace@0 Str("my.metric")@1 RBrace@12"#);
    check("a ! b", "ERR 2: unexpected character after '!':  ");
    check("a $ b", "ERR 2: unexpected character: '$'");
    check("\"ü", "ERR 0: unterminated quoted string");
}

#[test]
fn trim_operators_are_one_token() {
    check("h</2>/1", r#"Ident("h")@0 TrimUpper@1 Number(2.0)@3 TrimLower@4 Number(1.0)@6"#);
    // Only `/` right after `<` or `>` makes a trim operator; everything else lexes as before.
    check("a < -1 > /b", r#"Ident("a")@0 Lss@2 Sub@4 Number(1.0)@5 Gtr@7 Div@9 Ident("b")@10"#);
    check("a<=/b >=/", r#"Ident("a")@0 Lte@1 Div@3 Ident("b")@4 Gte@6 Div@8"#);
    check(r#"a{b="</"} # </"#, r#"Ident("a")@0 LBrace@1 Ident("b")@2 Assign@3 Str("</")@4 RBrace@8"#);
}
