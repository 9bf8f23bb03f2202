//! Tests for series descriptions and their expansion notation.

use super::*;
use vigil_model::is_stale_nan;

/// One expanded slot written compactly: a float, `_`, `stale` or a histogram literal.
fn show(values: &[Option<SlotValue>]) -> String {
    values
        .iter()
        .map(|v| match v {
            None => "_".to_owned(),
            Some(SlotValue::Float(f)) if is_stale_nan(*f) => "stale".to_owned(),
            Some(SlotValue::Float(f)) => format!("{f}"),
            Some(SlotValue::Histogram(h)) => h.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses `input` and compares `labels => values` (or `error: <substring>`).
fn check(input: &str, expected: &str) {
    let got = match parse_series_line(input) {
        Ok(SeriesLine::Series(d)) => format!("{} => {}", d.labels, show(&d.values)),
        Ok(SeriesLine::StartTimestamps { labels, offsets }) => {
            let o: Vec<String> = offsets.iter().map(|o| o.map_or("_".into(), |v| v.to_string())).collect();
            format!("{labels} @st {}", o.join(" "))
        }
        Err(e) => format!("error: {e}"),
    };
    if let Some(want) = expected.strip_prefix("error: ") {
        assert!(
            got.starts_with("error: ") && got.contains(want),
            "{input}\n got: {got}\nwant error containing: {want}"
        );
    } else {
        assert_eq!(got, expected, "{input}");
    }
}

#[test]
fn plain_values() {
    check("up 1 2 3", r#"{__name__="up"} => 1 2 3"#);
    check(r#"up{job="a", instance='b'} 1"#, r#"{__name__="up", instance="b", job="a"} => 1"#);
    check("{} 42", "{} => 42");
    check(r#"{a="x",} -1.5"#, r#"{a="x"} => -1.5"#);
    check("m\t1\t\t2", r#"{__name__="m"} => 1 2"#);
    check("m Inf -Inf NaN", r#"{__name__="m"} => inf -inf NaN"#);
    check("m 5m", r#"{__name__="m"} => 300"#);
    check("m", r#"{__name__="m"} => "#);
}

#[test]
fn expansion_notation() {
    check("m 1+2x3", r#"{__name__="m"} => 1 3 5 7"#);
    check("m -2+4x3", r#"{__name__="m"} => -2 2 6 10"#);
    check("m 1-2x4", r#"{__name__="m"} => 1 -1 -3 -5 -7"#);
    check("m 3x2", r#"{__name__="m"} => 3 3 3"#);
    check("m 0x3", r#"{__name__="m"} => 0 0 0 0"#);
    check("m 1 _ stale _x2 4", r#"{__name__="m"} => 1 _ stale _ _ 4"#);
    check("m 0+10x0", r#"{__name__="m"} => 0"#);
    check("m 0.1+0.1x2", r#"{__name__="m"} => 0.1 0.2 0.30000000000000004"#);
}

#[test]
fn labels_and_strings() {
    check(r#"m{a="x\"y", b="\\n"} 1"#, r#"{__name__="m", a="x\"y", b="\\n"} => 1"#);
    check("m{a=`raw\\n`} 1", r#"{__name__="m", a="raw\\n"} => 1"#);
    check(r#"m{a="tab\there"} 1"#, "{__name__=\"m\", a=\"tab\there\"} => 1");
    check(r#"{"my.metric", job="x"} 1"#, r#"{__name__="my.metric", job="x"} => 1"#);
    check(r#"m{v="{count:20, sum:10}"} 2"#, r#"{__name__="m", v="{count:20, sum:10}"} => 2"#);
    check(r#"m{a="\u00e9\x41"} 1"#, r#"{__name__="m", a="éA"} => 1"#);
}

#[test]
fn histograms() {
    check("m {{schema:0 sum:5 count:4 buckets:[1 2 1]}}", r#"{__name__="m"} => {{count:4 sum:5 buckets:[1 2 1]}}"#);
    check(
        "m {{count:1}}x2 _ {{sum:1}}+{{sum:2 count:1}}x1",
        r#"{__name__="m"} => {{count:1}} {{count:1}} {{count:1}} _ {{sum:1}} {{count:1 sum:3}}"#,
    );
    check(
        "m {{schema:0 sum:4 count:4 buckets:[1 2 1]}}+{{sum:2 count:1 buckets:[1] offset:1}}x2",
        r#"{__name__="m"} => {{count:4 sum:4 buckets:[1 2 1]}} {{count:5 sum:6 buckets:[1 3 1]}} {{count:6 sum:8 buckets:[1 4 1]}}"#,
    );
    check("m {{count:9}}-{{count:2}}x1", r#"{__name__="m"} => {{count:9}} {{count:7}}"#);
    check(
        "m {{counter_reset_hint:gauge schema:-53 custom_values:[1 5]}}",
        r#"{__name__="m"} => {{schema:-53 custom_values:[1 5] counter_reset_hint:gauge}}"#,
    );
    check("m {{schema:1}}+{{schema:0}}x1", "error: col 3: cannot combine a histogram of schema 1");
    check("m {{bogus:1}}", "error: col 5: unknown histogram key");
    check("m {{count:abc}}", "error: col 11: invalid number");
    check("m {{count:1}}+{{sum:x}}x1", "error: col 21: invalid number");
    check("m {{count:1", "error: unterminated");
}

#[test]
fn start_timestamp_lines() {
    check("c{t=\"a\"}@st _ _ -30s-1mx2 0", r#"{__name__="c", t="a"} @st _ _ -30000 -90000 -150000 0"#);
    check("c@st -1msx1 +1m", r#"{__name__="c"} @st -1 -1 60000"#);
}

#[test]
fn errors_name_the_column() {
    check("m 1 foo", "error: col 5: invalid value");
    check("m 1+x3", "error: col 3: invalid increment");
    check("m 1+2", "error: col 3: expected 'x<count>'");
    check("m 1x99999999", "error: too large");
    check(r#"m{a="x} 1"#, "error: unterminated string");
    check("m{a=x} 1", "error: col 5: expected a quoted label value");
    check("m{a=\"x\" b=\"y\"} 1", "error: expected ',' or '}'");
    check(" 1 2", "error: col 2: expected a metric name");
    check("m{1=\"a\"} 1", "error: expected a label name");
    check("m_1x5", r#"{__name__="m_1x5"} => "#);
    // Multi-byte characters inside an item must not split a UTF-8 sequence.
    check("m 0+10x100é0", "error: col 3: invalid repeat count");
    check("m é{{count:1}}", "error: col 3: invalid value");
    check("m{é=\"1\"} 1", "error: col 3: expected a label name");
}
