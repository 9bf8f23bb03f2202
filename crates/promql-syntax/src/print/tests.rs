//! Printer tests: expected outputs (single- and multi-line) and print → parse round trips.

use crate::{Expr, format_query, parse, pretty};

/// Parses `q`, checks that both printed forms parse back to the same tree, returns them.
fn round_trip(q: &str) -> (String, String) {
    let tree = parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    let (flat, multi) = (tree.to_string(), pretty(&tree));
    for printed in [&flat, &multi] {
        let back = parse(printed).unwrap_or_else(|e| panic!("{q} printed as {printed}: {e}"));
        // Debug, not `==`: NaN literals must compare equal.
        assert_eq!(format!("{back:?}"), format!("{tree:?}"), "{q} printed as {printed}");
    }
    (flat, multi)
}

#[test]
fn single_line_forms() {
    for (q, want) in [
        ("sum by(job)(rate(x[5m]))", "sum by (job) (rate(x[5m]))"),
        ("sum(rate(x[5m])) without (a,b)", "sum without (a, b) (rate(x[5m]))"),
        ("sum without () (x)", "sum without () (x)"),
        ("sum by () (x)", "sum(x)"),
        ("topk(3,x) by (j)", "topk by (j) (3, x)"),
        ("count_values('v', x)", r#"count_values("v", x)"#),
        ("a+on(x)group_left(y)b", "a + on (x) group_left (y) b"),
        ("a * ignoring(x) group_right b", "a * ignoring (x) group_right () b"),
        ("a > bool on() b", "a > bool on () b"),
        ("a and ignoring() b", "a and b"),
        ("1 > bool 2", "1 > bool 2"),
        ("x offset 5m", "x offset 5m"),
        ("x offset -90m", "x offset -1h30m"),
        ("x @ 100", "x @ 100.000"),
        ("x @ -1.5 offset 1m", "x @ -1.500 offset 1m"),
        ("x offset 1m @ start()", "x @ start() offset 1m"),
        ("x[1h30m] @ end()", "x[1h30m] @ end()"),
        ("x[300]", "x[5m]"),
        ("rate(x[5m])[1h:] offset 2d", "rate(x[5m])[1h:] offset 2d"),
        ("(x)[5m:30s]", "(x)[5m:30s]"),
        (r#"x{job="a",y=~"b",z!~'c',w!="d"}"#, r#"x{job="a",y=~"b",z!~"c",w!="d"}"#),
        (r#"{__name__="up"}"#, r#"{__name__="up"}"#),
        (r#"{"my.metric"}"#, r#"{"my.metric"}"#),
        (r#"{"my.metric", "my.label"="v"}"#, r#"{"my.metric","my.label"="v"}"#),
        (r#"x{a="b", __name__="x"}"#, r#"x{a="b",__name__="x"}"#),
        (r#"sum by ("a.b", c) (x)"#, r#"sum by ("a.b", c) (x)"#),
        (r#"x{"inf"="1"}"#, r#"x{"inf"="1"}"#),
        ("1", "1"),
        ("0.5", "0.5"),
        ("-0.25e1", "-2.5"),
        // Prometheus 3 prints numbers in plain decimals (2.x used Go's `%v`: `1e+21`).
        ("1e21", "1000000000000000000000"),
        ("1e20", "100000000000000000000"),
        ("0.0001", "0.0001"),
        ("0.000015", "0.000015"),
        ("0x10", "16"),
        ("Inf", "+Inf"),
        ("-inf", "-Inf"),
        ("NaN", "NaN"),
        ("1m", "60"),
        (r#""a\"b\\c\n\t\x01é""#, r#""a\"b\\c\n\t\x01é""#),
        (r#""\xc3\xa9\xc5""#, r#""é\xc5""#),
        ("`raw\\`", r#""raw\\""#),
        ("-x", "-x"),
        ("-(1)", "-(1)"),
        ("--x", "--x"),
        ("-a ^ b", "-a ^ b"),
        ("2 ^ 3 ^ 2", "2 ^ 3 ^ 2"),
        ("(2 ^ 3) ^ 2", "(2 ^ 3) ^ 2"),
        ("a - -1", "a - -1"),
        ("holt_winters(x[5m], 0.5, 0.5)", "double_exponential_smoothing(x[5m], 0.5, 0.5)"),
        ("time()", "time()"),
        ("label_join(x,'d',',','a')", r#"label_join(x, "d", ",", "a")"#),
        ("sum # comment\n(x)", "sum(x)"),
    ] {
        assert_eq!(round_trip(q).0, want, "{q}");
    }
}

/// A selector whose printed form is exactly `n` bytes long (`n` >= 3).
fn metric(n: usize) -> String {
    format!("m{}", "_".repeat(n - 1))
}

#[test]
fn multi_line_forms() {
    let long = metric(60);
    let cases = [
        // 100 bytes exactly still fit on one line.
        (format!("{} + {}", metric(50), metric(47)), format!("{} + {}", metric(50), metric(47))),
        (format!("{long} + {long}"), format!("  {long}\n+\n  {long}")),
        (format!("{long} * on(a) group_left(b) {long}"), format!("  {long}\n* on (a) group_left (b)\n  {long}")),
        (format!("sum by (job) ({long} + {long})"), format!("sum by (job) (\n    {long}\n  +\n    {long}\n)")),
        (format!("topk(5, {long} + {long})"), format!("topk(\n  5,\n    {long}\n  +\n    {long}\n)")),
        (
            format!("label_replace({long}, \"dst\", \"$1\", \"src\", \"(.*)\")"),
            format!("label_replace(\n  {long},\n  \"dst\",\n  \"$1\",\n  \"src\",\n  \"(.*)\"\n)"),
        ),
        (format!("({long} + {long})"), format!("(\n    {long}\n  +\n    {long}\n)")),
        (format!("-({long} + {long})"), format!("-(\n    {long}\n  +\n    {long}\n)")),
        (format!("rate({long}[5m]) / rate({long}[5m])"), format!("  rate({long}[5m])\n/\n  rate({long}[5m])")),
        (
            format!("max_over_time(({long} + {long})[5m:1m])"),
            format!("max_over_time(\n  (\n      {long}\n    +\n      {long}\n  )[5m:1m]\n)"),
        ),
        (format!("{long} > bool {long} + {long}"), format!("  {long}\n> bool\n    {long}\n  +\n    {long}")),
    ];
    for (q, want) in cases {
        let (_, multi) = round_trip(&q);
        assert_eq!(multi, want, "{q}\n--- got:\n{multi}\n--- want:\n{want}");
        assert_eq!(format_query(&q).as_ref(), Ok(&want));
    }
}

#[test]
fn format_query_reports_our_parse_errors() {
    assert_eq!(format_query("sum by(job)(rate(x[5m]))").as_deref(), Ok("sum by (job) (rate(x[5m]))"));
    assert_eq!(
        format_query("foo bar").map_err(|e| e.to_string()),
        Err(r#"1:5: parse error: unexpected identifier "bar""#.to_string())
    );
    assert!(format_query("sum(").is_err());
}

/// xorshift64*, as in the parser's differential test.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

#[test]
fn hand_picked_round_trips() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let atoms = [
        "x",
        r#"y{a="1"}"#,
        "rate(z[5m])",
        "sum by (j) (x)",
        "(x)",
        "-x",
        "1",
        "NaN",
        "x offset 1m",
        "rate(z[5m] anchored)",
        "x smoothed",
        "sum_over_time(x[step() * 2:1m + 1] offset -range())",
    ];
    let ops = [
        " + ",
        " * on (a) ",
        " > bool ",
        " and ",
        " or ",
        " ^ ",
        " / ignoring (b) group_left (c) ",
        " - fill(0) ",
        " < bool on (a) fill_left(-1) ",
    ];
    for _ in 0..2_000 {
        let terms = 1 + next(&mut state) as usize % 12;
        let mut q = String::new();
        for i in 0..terms {
            if i > 0 {
                q.push_str(ops[next(&mut state) as usize % ops.len()]);
            }
            q.push_str(atoms[next(&mut state) as usize % atoms.len()]);
        }
        for q in [format!("sum(({q}) * 2)"), q] {
            if parse(&q).is_ok() {
                round_trip(&q);
            }
        }
    }
}

#[test]
fn long_chains_print_without_deep_recursion() {
    let chain = vec!["a"; 4097].join("+");
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let tree = parse(&chain).map_err(|e| e.to_string())?;
            let flat = tree.to_string();
            let multi = pretty(&tree);
            // The tree's derived drop glue recurses over the chain; keep that off this stack.
            std::mem::forget(tree);
            Ok::<_, String>((flat, multi))
        })
        .map_err(|e| e.to_string());
    let (flat, multi) = handle.and_then(|h| h.join().map_err(|_| "printer overflowed".to_string())).unwrap().unwrap();
    assert_eq!(flat, vec!["a"; 4097].join(" + "));
    assert_eq!(multi.lines().filter(|l| l.trim() == "+").count(), 4096 - 24);
    assert!(multi.starts_with(&format!("{}a + a", "  ".repeat(4096 - 24))), "{}", &multi[..200]);
}

#[test]
fn display_is_the_single_line_form() {
    let e: Expr = parse("sum by(job)(rate(x[5m]))").unwrap();
    assert_eq!(format!("{e}"), "sum by (job) (rate(x[5m]))");
}
