//! Parser unit tests, all routed through [`check`].

use super::*;

/// Renders every entry (one per line), ending with `ERROR line:col: message` on failure.
pub(crate) fn render(input: &[u8], format: Format) -> String {
    let mut p = Parser::new(input, format);
    let mut out = String::new();
    loop {
        match p.next() {
            Ok(Some(e)) => out.push_str(&format!("{e}\n")),
            Ok(None) => break,
            Err(e) => {
                let pos = e.position();
                out.push_str(&format!("ERROR {}:{}: {}\n", pos.line, pos.column, e.message()));
                break;
            }
        }
    }
    out
}

fn check(format: Format, input: &str, expected: &str) {
    let got = render(input.as_bytes(), format);
    let want: String = expected.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| format!("{l}\n")).collect();
    assert_eq!(got, want, "input:\n{input}");
}

fn text(input: &str, expected: &str) {
    check(Format::Text, input, expected);
}

fn om(input: &str, expected: &str) {
    check(Format::OpenMetrics, input, expected);
}

#[test]
fn text_basic_lines() {
    text(
        "# HELP up Whether \\\\ the\\n target is up.\n# TYPE up gauge\nup{job=\"a\",instance=\"x:1\"} 1 1700000000000\n\n# just a comment\nother -3e3\n",
        r#"
        HELP "up" "Whether \\ the\n target is up."
        TYPE "up" gauge
        SERIES {__name__="up", instance="x:1", job="a"} 1 @1700000000000
        COMMENT "just a comment"
        SERIES {__name__="other"} -3000
        "#,
    );
}

#[test]
fn text_lenient_whitespace_and_commas() {
    text(
        " # HELP  name2  \tdoc str\"ing 2\n  #    TYPE    name2 gauge\nname2{labelname=\"val2\"\t,basename   =   \"basevalue2\"\t\t} +Inf 54321\nname2{ labelname = \"val1\" , }-Inf\nname {a=\"b\\\"c\"} NaN\n",
        r#"
        HELP "name2" "doc str\"ing 2"
        TYPE "name2" gauge
        SERIES {__name__="name2", basename="basevalue2", labelname="val2"} +Inf @54321
        SERIES {__name__="name2", labelname="val1"} -Inf
        SERIES {__name__="name", a="b\"c"} NaN
        "#,
    );
}

#[test]
fn text_bare_help_is_a_comment() {
    text("# HELP \n# HELP\n# TYPE\n", "COMMENT \"HELP \"\nCOMMENT \"HELP\"\nCOMMENT \"TYPE\"");
}

#[test]
fn text_utf8_quoted_names() {
    text(
        "# TYPE \"my.metric\" counter\n{\"my.metric\", \"a.b\"=\"x\"} 1\n{__name__=\"n\"} 2\n",
        r#"
        TYPE "my.metric" counter
        SERIES {__name__="my.metric", a.b="x"} 1
        SERIES {__name__="n"} 2
        "#,
    );
}

#[test]
fn text_errors_name_the_position() {
    text("bla 3.14", "ERROR 1:9: expected timestamp or end of line, found end of input");
    text(
        "a 1\nmetric{label=\"bla\"} 3.14 2 3\n",
        "SERIES {__name__=\"a\"} 1\nERROR 2:28: expected end of line after timestamp, found '3'",
    );
    text("metric{label=\"bla\"} blubb\n", "ERROR 1:21: invalid sample value \"blubb\"");
    text("metric{label=\"bla\"} 3.14 2.72\n", "ERROR 1:26: invalid timestamp \"2.72\" (expected integer milliseconds)");
    text("metric{label=\"new\nline\"} 3.14\n", "ERROR 1:18: expected closing '\"' of quoted string, found end of line");
    text("metric{@=\"bla\"} 3.14\n", "ERROR 1:8: expected label name or '}', found '@'");
    text("metric{__name__=\"bla\"} 3.14\n", "ERROR 1:8: metric name given more than once");
    text("metric{label+=\"bla\"} 3.14\n", "ERROR 1:13: expected '=' after label name, found '+'");
    text("metric{label=bla} 3.14\n", "ERROR 1:14: expected '\"' to open label value, found 'b'");
    text("metric{label=\"bla\"+} 3.14\n", "ERROR 1:19: expected ',' or '}' after label, found '+'");
    text("@invalidmetric{label=\"bla\"} 3.14 2\n", "ERROR 1:1: expected metric name, '{' or '#', found '@'");
    text("{label=\"bla\"} 3.14 2\n", "ERROR 1:1: metric name missing");
    text(
        "# TYPE metric bla\n",
        "ERROR 1:15: unknown metric type \"bla\" (expected counter, gauge, histogram, summary or untyped)",
    );
    text("# TYPE met-ric\n", "ERROR 1:11: expected blank and metric type after metric name, found '-'");
    text("a{x=\"1\",x=\"2\"} 1\n", "ERROR 1:9: duplicate label name \"x\"");
    text("a\n", "ERROR 1:2: expected label set or blank before value, found end of line");
    text("a \n", "ERROR 1:3: expected sample value, found end of line");
}

#[test]
fn text_invalid_utf8_is_reported_where_it_is() {
    let mut input = b"a 1\nb{x=\"".to_vec();
    input.extend_from_slice(&[0xff, b'"', b'}', b' ', b'1', b'\n']);
    assert_eq!(render(&input, Format::Text), "SERIES {__name__=\"a\"} 1\nERROR 2:6: invalid UTF-8\n");
    assert_eq!(render(b"# c\xff\n", Format::Text), "ERROR 1:4: invalid UTF-8\n");
}

#[test]
fn text_after_error_the_parser_is_exhausted() {
    let mut p = Parser::new(b"a x\nb 1\n", Format::Text);
    assert!(p.next().is_err());
    assert_eq!(p.next(), Ok(None));
}

#[test]
fn series_accessors() {
    let input = b"x{b=\"2\\n\",a=\"1\"} 7 8\n";
    let mut p = Parser::new(input, Format::Text);
    let Ok(Some(Entry::Series(s))) = p.next() else { panic!("no series") };
    assert_eq!(s.raw(), "x{b=\"2\\n\",a=\"1\"}");
    assert_eq!(s.raw_hash(), xxhash_rust::xxh3::xxh3_64(s.raw().as_bytes()));
    assert_eq!(s.label("b").map(|v| v.unescape().into_owned()), Some("2\n".to_owned()));
    assert!(s.label("c").is_none());
    let names: Vec<_> = s.labels().map(|(n, _)| n.raw()).collect();
    assert_eq!(names, ["b", "a"]);
    assert_eq!((s.value(), s.timestamp()), (7.0, Some(8)));
}

#[test]
fn om_full_example() {
    om(
        "# TYPE a histogram\n# HELP a help\n# UNIT a \na_bucket{le=\"1.0\"} 0 # {a=\"b\"} 0.5\na_bucket{le=\"+Inf\"} 3 123.5 # {a=\"d\"} 4 123\na_count 3 123.5\na_sum 2 123.5\n# EOF\n",
        r#"
        TYPE "a" histogram
        HELP "a" "help"
        UNIT "a" ""
        SERIES {__name__="a_bucket", le="1.0"} 0 # {a="b"} 0.5
        ERROR 5:1: some samples of a group have timestamps and some do not
        "#,
    );
    om(
        "# TYPE a counter\na_total{a=\"1\"} 1 1.5 # {t=\"x\"} 1 2\na_created{a=\"1\"} 10 1.5\n# EOF",
        r#"
        TYPE "a" counter
        SERIES {__name__="a_total", a="1"} 1 @1500 # {t="x"} 1 @2000
        SERIES {__name__="a_created", a="1"} 10 @1500
        EOF
        "#,
    );
}

#[test]
fn om_utf8_names() {
    om(
        "# TYPE \"my.metric\" gauge\n{\"my.metric\", \"a.b\"=\"x\"} 1\n# EOF\n",
        "TYPE \"my.metric\" gauge\nSERIES {__name__=\"my.metric\", a.b=\"x\"} 1\nEOF",
    );
}

#[test]
fn om_errors() {
    om("a 1\n", "SERIES {__name__=\"a\"} 1\nERROR 2:1: unexpected end of input (expected \"# EOF\" as the last line)");
    om("a 1\n\n# EOF\n", "SERIES {__name__=\"a\"} 1\nERROR 2:1: blank line (not allowed in OpenMetrics)");
    om("# EOF\nx", "EOF\nERROR 2:1: unexpected content after \"# EOF\"");
    om("# some comment\n# EOF\n", "ERROR 1:3: expected HELP, TYPE, UNIT or EOF after '# ', found \"some\"");
    om("a  1\n# EOF\n", "ERROR 1:3: expected sample value, found ' '");
    om("a 1 \n# EOF\n", "ERROR 1:5: expected timestamp or '#', found end of line");
    om("a{a=\"1\",} 1\n# EOF\n", "ERROR 1:9: trailing comma in label set");
    om(
        "# TYPE a untyped\n# EOF\n",
        "ERROR 1:10: unknown metric type \"untyped\" (expected counter, gauge, histogram, gaugehistogram, summary, info, stateset or unknown)",
    );
    om(
        "# TYPE a gauge\na 1\n# HELP a x\n# EOF\n",
        "TYPE \"a\" gauge\nSERIES {__name__=\"a\"} 1\nERROR 3:1: HELP for metric \"a\" after its samples",
    );
    om("# TYPE a counter\na_total -1\n# EOF\n", "TYPE \"a\" counter\nERROR 2:1: _total sample cannot be negative");
    om("a 1 # {a=\"b\"} 1\n# EOF\n", "ERROR 1:1: exemplars are only allowed on histogram buckets and counter totals");
    om(
        "a 1 1\na 1\n# EOF\n",
        "SERIES {__name__=\"a\"} 1 @1000\nERROR 2:1: some samples of a group have timestamps and some do not",
    );
}
