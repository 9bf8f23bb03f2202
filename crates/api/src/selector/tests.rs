//! Selector parsing: accepted forms and positioned errors.

use super::*;

fn check(input: &str, want: Result<&str, &str>) {
    let got = parse_selector(input).map(|ms| ms.iter().map(ToString::to_string).collect::<Vec<_>>().join(","));
    assert_eq!(got, want.map(str::to_owned).map_err(str::to_owned), "{input}");
}

#[test]
fn accepted_forms() {
    check("up", Ok("__name__=\"up\""));
    check("  job:rate5m ", Ok("__name__=\"job:rate5m\""));
    check("up{job=\"api\"}", Ok("__name__=\"up\",job=\"api\""));
    check("{job=~'a.*', code!=\"500\",}", Ok("job=~\"a.*\",code!=\"500\""));
    check("{a!~`x\\.y`}", Ok("a!~\"x\\\\.y\""));
    check("{\"my.metric\", a=\"b\"}", Ok("__name__=\"my.metric\",a=\"b\""));
    check("{\"odd name\"=\"v\"}", Ok("odd name=\"v\""));
    check("{a=\"\\n\\x41\\u00e9\\101\"}", Ok("a=\"\\nAéA\""));
    check("up{}", Ok("__name__=\"up\""));
}

#[test]
fn positioned_errors() {
    check("up{", Err("1:4: parse error: unexpected end of input inside braces"));
    check("sum(up)", Err("1:4: parse error: unexpected \"(\""));
    check("up[5m]", Err("1:3: parse error: unexpected \"[\""));
    check("{a=}", Err("1:4: parse error: unexpected character inside braces: '}'"));
    check("{a=\"x}", Err("1:4: parse error: unterminated quoted string"));
    let e = parse_selector("{a=~\"(\"}").map(|_| ()).unwrap_err();
    assert!(e.starts_with("1:5: parse error: invalid regular expression \"(\""), "{e}");
    check("", Err("1:1: parse error: no expression found in input"));
    check("{a=\"\\q\"}", Err("1:4: parse error: unknown escape sequence 'q'"));
}

#[test]
fn match_params_need_a_non_empty_matcher() {
    let e = parse_match_params(&["{a=~\".*\"}"]).map(|_| ()).map_err(|e| e.to_string());
    assert_eq!(e, Err("invalid parameter \"match[]\": match[] must contain at least one non-empty matcher".into()));
    assert!(parse_match_params(&["up", "{job=\"a\"}"]).is_ok());
}
