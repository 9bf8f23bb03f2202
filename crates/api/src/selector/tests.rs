//! Selector parsing: accepted forms, and errors worded and placed as Prometheus 2.42 answers
//! them on `/api/v1/series` (checked against the real server).

use super::*;

fn parse_selector(src: &str) -> Result<Vec<Matcher>, String> {
    parse_metric_selector(src, &ParseOptions::default()).map_err(|e| e.to_string())
}

fn check(input: &str, want: Result<&str, &str>) {
    let got = parse_selector(input).map(|ms| ms.iter().map(ToString::to_string).collect::<Vec<_>>().join(","));
    assert_eq!(got, want.map(str::to_owned).map_err(str::to_owned), "{input}");
}

#[test]
fn accepted_forms() {
    check("up", Ok("__name__=\"up\""));
    check("  job:rate5m ", Ok("__name__=\"job:rate5m\""));
    check("sum", Ok("__name__=\"sum\""));
    check("up{job=\"api\"}", Ok("__name__=\"up\",job=\"api\""));
    check("up{a=\"b\",}", Ok("__name__=\"up\",a=\"b\""));
    check("{job=~'a.*', code!=\"500\",}", Ok("job=~\"a.*\",code!=\"500\""));
    check("{a!~`x\\.y`}", Ok("a!~\"x\\\\.y\""));
    check("{\"my.metric\", a=\"b\"}", Ok("__name__=\"my.metric\",a=\"b\""));
    check("{a=\"b\", \"my.metric\"}", Ok("__name__=\"my.metric\",a=\"b\""));
    check("{\"odd name\"=\"v\"}", Ok("odd name=\"v\""));
    check("{a=\"\\n\\x41\\u00e9\\101\"}", Ok("a=\"\\nAéA\""));
    check("up{}", Ok("__name__=\"up\""));
}

#[test]
fn positioned_errors() {
    check("up{", Err("1:4: parse error: unexpected end of input inside braces"));
    check("rate(x[5m])", Err("1:5: parse error: unexpected \"(\""));
    check("up offset 5m", Err("1:4: parse error: unexpected <offset>"));
    check("up[5m]", Err("1:3: parse error: unexpected \"[\""));
    check("up{a=}", Err("1:6: parse error: unexpected \"}\" in label matching, expected string"));
    check("{a=\"x}", Err("1:4: parse error: unterminated quoted string"));
    let e = parse_selector("{a=~\"(\"}").map(|_| ()).unwrap_err();
    assert!(e.starts_with("1:2: parse error: "), "{e}");
    assert!(e.contains("regular expression"), "{e}");
    check("", Err("1:1: parse error: unexpected end of input"));
    check("{a=\"\\q\"}", Err("1:4: parse error: unknown escape sequence U+0071 'q'"));
}

#[test]
fn match_params_need_a_non_empty_matcher() {
    for empty in ["{a=~\".*\"}", "{a!~\"x\"}", "{}"] {
        let e = parse_match_params(&[empty]).map(|_| ()).map_err(|e| e.to_string());
        assert_eq!(
            e,
            Err("invalid parameter \"match[]\": match[] must contain at least one non-empty matcher".into()),
            "{empty}"
        );
    }
    assert!(parse_match_params(&["up", "{job=\"a\"}"]).is_ok());
}

#[test]
fn match_params_share_one_regex_limit() {
    let half = vec!["{a=~\"x\"}"; DEFAULT_MAX_REGEX_MATCHERS / 2];
    let mut all = half.clone();
    all.extend(half.iter());
    assert!(parse_match_params(&all).is_ok());
    all.push("{b=~\"y\"}");
    let e = parse_match_params(&all).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("too many regex matchers"), "{e}");
}
