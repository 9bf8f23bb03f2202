//! Tests for script parsing: blocks, commands and eval expectations.

use super::*;
use crate::promqltest::series::SlotValue;
use std::fmt::Write as _;

/// Renders commands compactly, one per line, so expectations read like the input.
fn render(script: &Script) -> String {
    let mut out = String::new();
    for c in &script.commands {
        match c {
            Command::Clear => out.push_str("clear\n"),
            Command::Load(l) => {
                let _ =
                    write!(out, "load@{} step={} nhcb={} series={}", l.line, l.step_ms, l.with_nhcb, l.series.len());
                if !l.start_timestamps.is_empty() {
                    let _ = write!(out, " st={}", l.start_timestamps.len());
                }
                out.push('\n');
            }
            Command::Broken { line, is_eval, message, .. } => {
                let _ = writeln!(out, "broken@{line} eval={is_eval}: {message}");
            }
            Command::Eval(e) => {
                let _ = write!(out, "eval@{} {:?} {:?}", e.line, e.kind, e.query);
                if let Some(f) = &e.fail {
                    let _ = write!(out, " fail({f})");
                }
                for w in &e.warn {
                    let _ = write!(out, " warn({w})");
                }
                for i in &e.info {
                    let _ = write!(out, " info({i})");
                }
                for (flag, name) in [
                    (e.no_warn, "no_warn"),
                    (e.no_info, "no_info"),
                    (e.legacy_warn, "legacy_warn"),
                    (e.legacy_info, "legacy_info"),
                    (e.ordered, "ordered"),
                ] {
                    if flag {
                        let _ = write!(out, " {name}");
                    }
                }
                if let Some(r) = e.range_vector {
                    let _ = write!(out, " range_vector({}..{} step {})", r.start_ms, r.end_ms, r.step_ms);
                }
                match &e.expected {
                    Expected::Scalar(v) => {
                        let _ = write!(out, " => scalar {v}");
                    }
                    Expected::String(s) => {
                        let _ = write!(out, " => string {s:?}");
                    }
                    Expected::Series(s) if s.is_empty() => out.push_str(" => empty"),
                    Expected::Series(s) => {
                        for series in s {
                            let vals: Vec<String> = series
                                .desc
                                .values
                                .iter()
                                .map(|v| match v {
                                    None => "_".into(),
                                    Some(SlotValue::Float(f)) => f.to_string(),
                                    Some(SlotValue::Histogram(_)) => "h".into(),
                                })
                                .collect();
                            let _ = write!(out, " => @{} {} {}", series.line, series.desc.labels, vals.join(" "));
                        }
                    }
                }
                out.push('\n');
            }
        }
    }
    out
}

/// Parses `input` and compares the rendered commands with `expected`, line by line. A `broken@`
/// expectation only needs to be a prefix of the actual message.
fn check(input: &str, expected: &str) {
    let got = render(&parse_script(input));
    let (got_lines, want_lines): (Vec<&str>, Vec<&str>) =
        (got.trim_end().lines().collect(), expected.trim().lines().collect());
    assert_eq!(got_lines.len(), want_lines.len(), "input:\n{input}\ngot:\n{got}");
    for (g, w) in got_lines.iter().zip(&want_lines) {
        if w.starts_with("broken@") {
            assert!(g.starts_with(w), "input:\n{input}\n got: {g}\nwant: {w}...");
        } else {
            assert_eq!(g, w, "input:\n{input}");
        }
    }
}

#[test]
fn patterns_compile() {
    for p in all_patterns() {
        assert!(p.as_ref().is_ok());
    }
}

#[test]
fn load_clear_and_comments() {
    check(
        "# header\nload 5m\n  a 1 2\n  b{x=\"y\"} 1\n  a 3\n\nclear\nload_with_nhcb 1m30s\n  h_bucket{le=\"1\"} 1\n",
        "load@2 step=300000 nhcb=false series=2\nclear\nload@8 step=90000 nhcb=true series=1",
    );
    // A comment inside a block ends it; the following line is then read as a command.
    check(
        "load 1m\n  a 1\n  # note\n  b 2\n",
        "load@1 step=60000 nhcb=false series=1\nbroken@4 eval=false: unknown command \"b 2\"",
    );
    check("load 1m\n  c@st _ -1m\n  c 1 2\n", "load@1 step=60000 nhcb=false series=1 st=1");
    check("load 1m\n  c@st _\n  c 1 2\n", "broken@1 eval=false: line 2: @st line does not match");
    check("load 1x\n  a 1\n", "broken@1 eval=false: invalid load step \"1x\"");
    check("load 1m\n  a 1 zz\n", "broken@1 eval=false: line 2: col 7: invalid value \"zz\"");
    check("bogus\n", "broken@1 eval=false: unknown command \"bogus\"");
}

#[test]
fn instant_and_range_evals() {
    check("eval instant at 50m sum(x)\n  {} 3\n", "eval@1 Instant { at_ms: 3000000 } \"sum(x)\" => @2 {} 3");
    check(
        "eval range from 0 to 10m step 5m rate(x[5m])\n  x{a=\"b\"} 1 _ 2x1\n  y 0+1x2\n",
        "eval@1 Range { start_ms: 0, end_ms: 600000, step_ms: 300000 } \"rate(x[5m])\" => @2 {__name__=\"x\", a=\"b\"} 1 _ 2 2 => @3 {__name__=\"y\"} 0 1 2",
    );
    check("eval instant at 1m x\n", "eval@1 Instant { at_ms: 60000 } \"x\" => empty");
    check("eval instant at 0 1 + 1\n  2\n", "eval@1 Instant { at_ms: 0 } \"1 + 1\" => scalar 2");
    check("eval instant at 0 x\n  -Inf\n", "eval@1 Instant { at_ms: 0 } \"x\" => scalar -inf");
    check(
        "eval range from 10m to 0 step 1m x\n",
        "broken@1 eval=true: invalid test definition, end timestamp (0) is before start timestamp (10m)",
    );
    check(
        "eval instant at 1m x\n  x 1 2\n",
        "broken@1 eval=true: line 2: expected exactly one value for an instant eval, got 2",
    );
    check("eval sometime x\n", "broken@1 eval=true: invalid eval command \"eval sometime x\"");
    check("eval instant at zz x\n", "broken@1 eval=true: invalid time or duration \"zz\"");
}

#[test]
fn expectations() {
    check(
        "eval instant at 0 x\n  expect fail msg: vector cannot contain metrics with the same labelset\n",
        "eval@1 Instant { at_ms: 0 } \"x\" fail(msg: vector cannot contain metrics with the same labelset) => empty",
    );
    check(
        "eval instant at 0 x\n  expect fail regex:  conflicting label \n",
        "eval@1 Instant { at_ms: 0 } \"x\" fail(regex: conflicting label) => empty",
    );
    check(
        "eval instant at 0 x\n  expect warn\n  expect info msg: PromQL info: hi (1:1)\n  expect ordered\n  x 1\n",
        "eval@1 Instant { at_ms: 0 } \"x\" warn(any message) info(msg: PromQL info: hi (1:1)) ordered => @5 {__name__=\"x\"} 1",
    );
    check(
        "eval instant at 0 x\n  expect no_warn\n  expect no_info\n",
        "eval@1 Instant { at_ms: 0 } \"x\" no_warn no_info => empty",
    );
    check(
        "eval instant at 0 x\n  expect warn\n  expect no_warn\n",
        "broken@1 eval=true: line 1: conflicting expect lines",
    );
    check(
        "eval instant at 0 x\n  expect fail\n  expect fail\n",
        "broken@1 eval=true: line 3: more than one expect fail",
    );
    check("eval instant at 0 x\n  expect bogus\n", "broken@1 eval=true: line 2: invalid expect line \"expect bogus\"");
    check("eval instant at 0 x\n  expect fail regex: (\n", "broken@1 eval=true: line 2: invalid regex");
    check(
        "eval instant at 1m x[1m]\n  expect range vector from 10s to 1m step 10s\n  x 1 2 _ 4\n",
        "eval@1 Instant { at_ms: 60000 } \"x[1m]\" range_vector(10000..60000 step 10000) => @3 {__name__=\"x\"} 1 2 _ 4",
    );
    check(
        "eval range from 0 to 1m step 1m x\n  expect range vector from 0 to 1m step 1m\n",
        "broken@1 eval=true: line 2: expect range vector is only allowed on instant evals",
    );
    check(
        "eval instant at 0 \"a\"\n  expect string \" Foo \"\n",
        "eval@1 Instant { at_ms: 0 } \"\\\"a\\\"\" => string \" Foo \"",
    );
    check(
        "eval instant at 0 `a`\n  expect string `F\\oo`\n",
        "eval@1 Instant { at_ms: 0 } \"`a`\" => string \"F\\\\oo\"",
    );
    check(
        "eval instant at 0 x\n  expect string \"a\" b\n",
        "broken@1 eval=true: line 2: unexpected text after the string",
    );
}

#[test]
fn legacy_modifiers() {
    check("eval_fail instant at 0 x\n", "eval@1 Instant { at_ms: 0 } \"x\" fail(any message) => empty");
    check(
        "eval_fail instant at 0 x\n  expected_fail_message boom\n",
        "eval@1 Instant { at_ms: 0 } \"x\" fail(msg: boom) => empty",
    );
    check(
        "eval_fail instant at 0 x\n  expected_fail_regexp bo+m\n",
        "eval@1 Instant { at_ms: 0 } \"x\" fail(regex: bo+m) => empty",
    );
    check("eval_warn instant at 0 x\n", "eval@1 Instant { at_ms: 0 } \"x\" legacy_warn => empty");
    check(
        "eval_info range from 0 to 1m step 1m x\n",
        "eval@1 Range { at_ms: 0 } \"x\" legacy_info => empty"
            .replace("Range { at_ms: 0 }", "Range { start_ms: 0, end_ms: 60000, step_ms: 60000 }")
            .as_str(),
    );
    check("eval_ordered instant at 0 x\n  x 1\n", "eval@1 Instant { at_ms: 0 } \"x\" ordered => @2 {__name__=\"x\"} 1");
    check("eval_ordered range from 0 to 1m step 1m x\n", "broken@1 eval=true: invalid eval command");
}

#[test]
fn scalar_ends_the_block() {
    check(
        "eval instant at 0 1\n  1\n  2\n",
        "eval@1 Instant { at_ms: 0 } \"1\" => scalar 1\nbroken@3 eval=false: unknown command \"2\"",
    );
}
