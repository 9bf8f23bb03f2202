//! Unit tests for parsing, conversion, type-checking and error positions.

use crate::*;

/// Parses `q` and compares the debug rendering of a summary, or the error text.
fn check(q: &str, expected: &str) {
    let got = match parse(q) {
        Ok(e) => summary(&e),
        Err(e) => format!("ERR {e}"),
    };
    assert_eq!(got, expected, "query {q:?}");
}

fn summary(e: &Expr) -> String {
    match e {
        Expr::Number(n) => format!("{n}"),
        Expr::String(s) => format!("{s:?}"),
        Expr::VectorSelector(vs) => {
            let ms: Vec<String> = vs.matchers.iter().map(|m| m.to_string()).collect();
            format!("sel{{{}}} off={} at={:?}", ms.join(","), vs.offset_ms, vs.at)
        }
        Expr::MatrixSelector { vs, range_ms } => {
            format!("{}[{range_ms}]", summary(&Expr::VectorSelector(vs.clone())))
        }
        Expr::Subquery(s) => {
            format!("sq({})[{}:{:?}] off={} at={:?}", summary(&s.expr), s.range_ms, s.step_ms, s.offset_ms, s.at)
        }
        Expr::Neg(e) => format!("-({})", summary(e)),
        Expr::Paren(e) => format!("({})", summary(e)),
        Expr::Binary(b) => format!(
            "{} {}{} {} {:?}",
            summary(&b.lhs),
            b.op.as_str(),
            if b.return_bool { " bool" } else { "" },
            summary(&b.rhs),
            b.matching.as_ref().map(|m| (m.card, m.on, m.labels.clone(), m.include.clone()))
        ),
        Expr::Aggregate(a) => format!(
            "{:?}[{}{:?}]({}{})",
            a.op,
            if a.grouping.without { "without" } else { "by" },
            a.grouping.labels,
            a.param.as_ref().map(|p| format!("{}, ", summary(p))).unwrap_or_default(),
            summary(&a.expr)
        ),
        Expr::Call(c) => {
            let args: Vec<String> = c.args.iter().map(summary).collect();
            format!("{}({}):{}", c.func.name, args.join(", "), c.func.return_type.as_str())
        }
    }
}

#[test]
fn selectors() {
    check("up", r#"sel{__name__="up"} off=0 at=None"#);
    check(
        r#"up{job=~"a.*",x!="y"} offset 5m @ 100"#,
        r#"sel{__name__="up",job=~"a.*",x!="y"} off=300000 at=Some(Timestamp(100000))"#,
    );
    check("up offset -1m @ start()", r#"sel{__name__="up"} off=-60000 at=Some(Start)"#);
    check("up[5m] @ end()", r#"sel{__name__="up"} off=0 at=Some(End)[300000]"#);
    check(r#"{__name__="up"}"#, r#"sel{__name__="up"} off=0 at=None"#);
}

#[test]
fn subqueries_and_operators() {
    check(
        "rate(x[1m])[5m:30s] offset 1m",
        r#"sq(rate(sel{__name__="x"} off=0 at=None[60000]):vector)[300000:Some(30000)] off=60000 at=None"#,
    );
    check("-(1)", "-((1))");
    check(
        "a > bool on(j) group_left(k) b",
        r#"sel{__name__="a"} off=0 at=None > bool sel{__name__="b"} off=0 at=None Some((ManyToOne, true, ["j"], ["k"]))"#,
    );
    check(
        "a and ignoring(x) b",
        r#"sel{__name__="a"} off=0 at=None and sel{__name__="b"} off=0 at=None Some((ManyToMany, false, ["x"], []))"#,
    );
    check("1 + 2", "1 + 2 None");
}

#[test]
fn aggregations_and_calls() {
    check("sum without (a) (x)", r#"Sum[without["a"]](sel{__name__="x"} off=0 at=None)"#);
    check("topk(3, x) by (j)", r#"Topk[by["j"]](3, sel{__name__="x"} off=0 at=None)"#);
    check("count_values(\"v\", x)", r#"CountValues[by[]]("v", sel{__name__="x"} off=0 at=None)"#);
    check("time()", "time():scalar");
    check("round(x)", r#"round(sel{__name__="x"} off=0 at=None):vector"#);
    check(
        "label_join(x, \"d\", \",\", \"a\", \"b\")",
        r#"label_join(sel{__name__="x"} off=0 at=None, "d", ",", "a", "b"):vector"#,
    );
}

#[test]
fn errors_have_positions() {
    check("foo bar", r#"ERR 1:5: parse error: unexpected identifier "bar""#);
    check("sum(foo", "ERR 1:8: parse error: unclosed left parenthesis");
    check("foo +", "ERR 1:6: parse error: unexpected end of input");
    check("", "ERR 1:1: parse error: no expression found in input");
    check("rate(1)", "ERR 1:6: parse error: expected type range vector in call to function \"rate\", got scalar");
    check("1 + rate(1)", "ERR 1:10: parse error: expected type range vector in call to function \"rate\", got scalar");
    check("foo{a=\"b\"} $", "ERR 1:12: parse error: unexpected character: '$'");
    check("nosuchfn(x)", "ERR 1:1: parse error: unknown function with name \"nosuchfn\"");
}

#[test]
fn length_cap_is_fast() {
    let q = "1".repeat(DEFAULT_MAX_QUERY_LEN + 1);
    let start = std::time::Instant::now();
    let err = parse(&q).unwrap_err();
    assert!(matches!(err, Error::TooLong { .. }));
    assert!(start.elapsed().as_millis() < 50);
    let small = ParseOptions { max_query_len: 3, ..ParseOptions::default() };
    assert!(parse_with("1+1+1", &small).is_err());
    assert!(parse_with("1+1", &small).is_ok());
}

#[test]
fn regex_matchers_are_bounded_and_positioned() {
    let list = |n: usize| format!("up{{{}}}", vec![r#"a=~"x.*""#; n].join(","));
    assert!(parse(&list(DEFAULT_MAX_REGEX_MATCHERS)).is_ok());
    let err = parse(&list(DEFAULT_MAX_REGEX_MATCHERS + 1)).unwrap_err().to_string();
    let at = "up{".len() + DEFAULT_MAX_REGEX_MATCHERS * r#"a=~"x.*","#.len() + 2;
    assert_eq!(err, format!("1:{at}: parse error: too many regex matchers (more than {DEFAULT_MAX_REGEX_MATCHERS})"));
    // `!~` counts too; `=~` outside braces is not a matcher (and not valid PromQL).
    assert!(parse(&format!("up{{{}}}", vec![r#"a!~"x""#; DEFAULT_MAX_REGEX_MATCHERS + 1].join(","))).is_err());
}

#[test]
fn formats() {
    assert_eq!(format_query("sum by(job)(rate(x[5m]))").unwrap(), "sum by (job) (rate(x[5m]))");
    assert!(format_query("sum(").is_err());
}

#[test]
fn function_table_is_sorted_so_every_function_is_found() {
    // `lookup_function` binary-searches FUNCTIONS; one misplaced entry hides its neighbours.
    for pair in crate::FUNCTIONS.windows(2) {
        assert!(pair[0].name < pair[1].name, "{} must come after {}", pair[0].name, pair[1].name);
    }
    for f in crate::FUNCTIONS {
        assert!(crate::lookup_function(f.name).is_some(), "{} not found", f.name);
    }
}

#[test]
fn experimental_functions_need_their_feature() {
    let off = ParseOptions::default();
    let on = ParseOptions { features: Features { experimental_functions: true, ..Features::default() }, ..off.clone() };
    for q in ["mad_over_time(x[5m])", "sort_by_label(x, \"a\")", "limitk(2, x)", "limit_ratio(0.5, x)"] {
        let err = parse_with(q, &off).expect_err(q).to_string();
        assert!(err.starts_with("1:1: parse error") && err.contains("promql-experimental-functions"), "{q}: {err}");
        parse_with(q, &on).unwrap_or_else(|e| panic!("{q}: {e}"));
    }
    // Stable functions and the 2.x spelling of double_exponential_smoothing need nothing.
    for q in ["rate(x[5m])", "holt_winters(x[5m], 0.5, 0.5)", "sort_desc(x)"] {
        parse_with(q, &off).unwrap_or_else(|e| panic!("{q}: {e}"));
    }
}

#[test]
fn info_takes_a_label_selector_that_may_match_everything() {
    for q in
        [r#"info(m, {data=~".*"})"#, "info(m, {})", r#"info(m, {__name__=~".+_info", x!=""} offset 5m)"#, "info(m)"]
    {
        parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    }
    for (q, want) in [
        ("info(m, up)", "1:9: parse error: expected label selectors only, got vector selector instead"),
        (r#"info(m, sum({a="b"}))"#, "1:9: parse error: expected label selectors only"),
        ("info(m, 1)", r#"1:9: parse error: expected type instant vector in call to function "info", got scalar"#),
        // Only the second argument of info itself is a label selector.
        (r#"info({a=~".*"})"#, "1:6: parse error: vector selector must contain at least one non-empty matcher"),
        (
            r#"info(m, {a="b"} + {c=~".*"})"#,
            "1:19: parse error: vector selector must contain at least one non-empty matcher",
        ),
        (r#"{a=~".*"}"#, "1:1: parse error: vector selector must contain at least one non-empty matcher"),
    ] {
        assert_eq!(parse(q).expect_err(q).to_string(), want, "{q}");
    }
    let off = ParseOptions::default();
    let err = parse_with("info(m)", &off).expect_err("experimental").to_string();
    assert!(err.contains("promql-experimental-functions"), "{err}");
}

#[test]
fn feature_names_are_prometheus_flags() {
    let mut f = Features::default();
    for name in Features::NAMES {
        assert!(f.enable(name), "{name}");
    }
    assert_eq!(f, Features::all());
    assert!(!f.enable("exemplar-storage"));
}

#[test]
fn fill_modifiers() {
    let fill_of = |q: &str| match parse(q) {
        Ok(Expr::Binary(b)) => b.matching.map(|m| (m.fill.lhs, m.fill.rhs)),
        other => panic!("{q}: {other:?}"),
    };
    assert_eq!(fill_of("a + fill(0) b"), Some((Some(0.0), Some(0.0))));
    assert_eq!(fill_of("a + on(x) group_left fill_left(5) fill_right(-7) b"), Some((Some(5.0), Some(-7.0))));
    assert_eq!(fill_of("a == bool fill_right(30) b"), Some((None, Some(30.0))));
    // Names that look like the modifiers are metrics unless a parenthesis follows.
    assert_eq!(fill_of("other + fill"), Some((None, None)));
    assert_eq!(fill_of("fill + fill(1) fill_left"), Some((Some(1.0), Some(1.0))));
    for (q, printed) in [
        ("a + fill(0) b", "a + fill(0) b"),
        (
            "a + on (x) group_left () fill_left(5) fill_right(7) b",
            "a + on (x) group_left () fill_left(5) fill_right(7) b",
        ),
        ("a+fill_left(1)fill_right(1)b", "a + fill(1) b"),
        ("a / fill(NaN) b", "a / fill(NaN) b"),
    ] {
        assert_eq!(parse(q).map(|e| e.to_string()).as_deref(), Ok(printed), "{q}");
    }
    for (q, err) in [
        ("a and fill(0) b", "1:7: parse error: fill modifiers not allowed for \"and\" operation"),
        ("1 + fill(0) b", "1:3: parse error: fill modifiers only allowed between instant vectors"),
        ("a + fill(0) fill_left(1) b", "1:13: parse error: duplicate fill modifier"),
        ("a + fill(x) b", "1:10: parse error: unexpected identifier \"x\" in fill modifier"),
    ] {
        assert_eq!(parse(q).map_err(|e| e.to_string()).err().as_deref(), Some(err), "{q}");
    }
    let off = parse_with("a + fill(0) b", &ParseOptions::default()).expect_err("feature off").to_string();
    assert!(off.contains("--enable-feature=promql-binop-fill-modifiers"), "{off}");
}

#[test]
fn vector_matching_needs_two_vectors() {
    // Placed at the whole expression, as Prometheus 2.42 answers it.
    let err = parse("1 + on(a) b").expect_err("matching labels on a scalar").to_string();
    assert_eq!(err, "1:1: parse error: vector matching only allowed between instant vectors");
    // Empty matching clauses are accepted and dropped, as Prometheus does.
    assert!(parse("1 + on() b").is_ok());
}

#[test]
fn anchored_and_smoothed() {
    let extended = |q: &str| match parse(q) {
        Ok(Expr::VectorSelector(vs)) | Ok(Expr::MatrixSelector { vs, .. }) => vs.extended,
        Ok(Expr::Call(c)) => match &c.args[0] {
            Expr::MatrixSelector { vs, .. } => vs.extended,
            other => panic!("{q}: {other:?}"),
        },
        other => panic!("{q}: {other:?}"),
    };
    assert_eq!(extended("rate(x[5m] anchored)"), Some(Extended::Anchored));
    assert_eq!(extended("x[5m] offset 1m smoothed"), Some(Extended::Smoothed));
    assert_eq!(extended("x @ 100 smoothed"), Some(Extended::Smoothed));
    assert_eq!(extended("x[5m]"), None);
    for (q, printed) in [
        ("increase(x[1m]  anchored)", "increase(x[1m] anchored)"),
        ("x offset -100 smoothed", "x offset -1m40s smoothed"),
        ("x[5m] @ 10 smoothed", "x[5m] @ 10.000 smoothed"),
    ] {
        assert_eq!(parse(q).map(|e| e.to_string()).as_deref(), Ok(printed), "{q}");
    }
    for (q, err) in [
        ("x anchored", "1:3: parse error: anchored modifier must be preceded by a range vector selector"),
        ("x[1m] anchored smoothed", "1:16: parse error: anchored or smoothed may only be set once"),
        ("(x)[1m:] smoothed", "1:10: parse error: smoothed modifier must be preceded by a range vector selector"),
    ] {
        assert_eq!(parse(q).map_err(|e| e.to_string()).err().as_deref(), Some(err), "{q}");
    }
    let off = parse_with("rate(x[5m] smoothed)", &ParseOptions::default()).expect_err("feature off").to_string();
    assert!(off.contains("--enable-feature=promql-extended-range-selectors"), "{off}");
}

#[test]
fn duration_expressions() {
    let range_of = |q: &str| match parse(q) {
        Ok(Expr::Call(c)) => match &c.args[0] {
            Expr::MatrixSelector { range_ms, vs } => (*range_ms, vs.durations.is_some()),
            other => panic!("{q}: {other:?}"),
        },
        other => panic!("{q}: {other:?}"),
    };
    // Constant expressions are folded at parse time.
    for q in ["rate(x[26m+4m])", "rate(x[60*30])", "rate(x[2m*(10+5)])", "rate(x[-5m+35m])", "rate(x[1h30m % 1h])"] {
        assert_eq!(range_of(q), (1_800_000, false), "{q}");
    }
    // step() and range() wait for the query.
    assert_eq!(range_of("rate(x[step()*2])"), (0, true));
    let mut e = parse("rate(x[max_of(step()*2, 1m)] offset -range())").unwrap();
    e.resolve_durations(45_000, 3_600_000).unwrap();
    assert_eq!(e.to_string(), "rate(x[max_of(step() * 2, 1m)] offset -range())");
    let Expr::Call(c) = &e else { panic!("{e:?}") };
    let Expr::MatrixSelector { vs, range_ms } = &c.args[0] else { panic!("{e:?}") };
    assert_eq!((*range_ms, vs.offset_ms), (90_000, -3_600_000));
    // An instant query's step is 0: a range of step() cannot be positive.
    let mut e = parse("x[step()]").unwrap();
    assert_eq!(e.resolve_durations(0, 0), Err("range must be greater than 0, got 0ms".to_owned()));
    // After `offset`, only a signed term: the operator belongs to the outer expression.
    let Ok(Expr::Binary(b)) = parse("x offset -2 ^ 2") else { panic!() };
    assert_eq!(b.op, BinaryOp::Pow);
    // Printed forms parse back to the same tree.
    for q in ["x[(9m30s + 30s) * 3:step()] offset min_of(range(), 1s)", "x offset (-2 ^ 2)", "x[1 + (step() - 5) * 2]"]
    {
        let e = parse(q).unwrap();
        assert_eq!(parse(&e.to_string()).as_ref(), Ok(&e), "{q} printed as {e}");
    }
    // Plain literals need no feature; expressions do.
    let off = ParseOptions::default();
    for q in ["x[5m]", "x[300]", "x offset -5m", "x[5m:1m] offset 1h"] {
        parse_with(q, &off).unwrap_or_else(|e| panic!("{q}: {e}"));
    }
    let err = parse_with("x[5m+30s]", &off).expect_err("feature off").to_string();
    assert_eq!(
        err,
        "1:3: parse error: duration expressions are experimental and must be enabled with --enable-feature=promql-duration-expr"
    );
}

#[test]
fn trim_operators() {
    let sel = |n: &str| format!(r#"sel{{__name__="{n}"}} off=0 at=None"#);
    check("h </ 0.5", &format!("{} </ 0.5 None", sel("h")));
    check("h>/-1", &format!("{} >/ -1 None", sel("h")));
    // As binding as the comparisons, left-associative: the bound may be an arithmetic expression.
    check("h </ 2 * 3", &format!("{} </ 2 * 3 None None", sel("h")));
    check("a + h >/ 1", &format!("{} + {} Some((OneToOne, false, [], [])) >/ 1 None", sel("a"), sel("h")));
    check("h </ 1 >/ 0", &format!("{} </ 1 None >/ 0 None", sel("h")));
    check("h >/ 1 and b", &format!("{} >/ 1 None and {} Some((ManyToMany, false, [], []))", sel("h"), sel("b")));
    check(
        "h >/ on(l) group_left(m) f",
        &format!(r#"{} >/ {} Some((ManyToOne, true, ["l"], ["m"]))"#, sel("h"), sel("f")),
    );
    // A vector of bounds on the right is matched like any other operand.
    check("h </ f", &format!("{} </ {} Some((OneToOne, false, [], []))", sel("h"), sel("f")));
    check("h </ bool 1", "ERR 1:6: parse error: bool modifier can only be used on comparison operators");
    for q in ["1 </ 2", "1 >/ h"] {
        let op = &q[2..4];
        check(
            q,
            &format!(
                "ERR 1:1: parse error: trim operator {op:?} needs an instant vector on its left-hand side, got scalar"
            ),
        );
    }
    check(
        "(1) </ h",
        "ERR 1:1: parse error: trim operator \"</\" needs an instant vector on its left-hand side, got scalar",
    );
    check("h </", "ERR 1:5: parse error: unexpected end of input");
    check("</ h", "ERR 1:1: parse error: unexpected \"</\"");
    // Printed forms, single-line and pretty, parse back to the same tree.
    for (q, printed) in [
        ("h</2", "h </ 2"),
        ("h >/ on (l) f", "h >/ on (l) f"),
        ("(h >/ 1) </ 2 + 1", "(h >/ 1) </ 2 + 1"),
        ("h>/-Inf", "h >/ -Inf"),
    ] {
        let e = parse(q).unwrap();
        assert_eq!(e.to_string(), printed, "{q}");
        assert_eq!(parse(printed).as_ref(), Ok(&e), "{q}");
        assert_eq!(format_query(q).as_deref(), Ok(printed), "{q}");
    }
    // The operator-count bound sees one operator per trim, not `<` then `/`.
    let limits = ParseOptions { max_binary_ops: 2, ..ParseOptions::default() };
    assert!(parse_with("h </ 1 >/ 0", &limits).is_ok());
    assert!(parse_with("h </ 1 >/ 0 </ 2", &limits).is_err());
}
