//! Runs the shared conformance corpora (read in place from `../shared/conformance`, beside the
//! repository) through both parsers.
//!
//! - OpenMetrics: every case of the OpenMetrics test suite must get the verdict its `test.json`
//!   states, except cases listed in `testdata/openmetrics-known-failures.txt`.
//! - Text format: every valid sample from Prometheus and `prometheus/common` must parse; the
//!   `from_test_parse_error_N` inputs must be rejected, except those that only Prometheus' own
//!   scrape parser accepts (listed in `TEXTPARSE_LENIENT` with the reason).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use vigil_exposition::{Format, Parser, Validation};

fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance")
}

/// Parses everything; `Err` carries the first error's text.
fn parse_all(input: &[u8], format: Format) -> Result<usize, String> {
    parse_with(input, format, Validation::Full)
}

fn parse_with(input: &[u8], format: Format, validation: Validation) -> Result<usize, String> {
    let mut p = Parser::with_validation(input, format, validation);
    let mut n = 0;
    loop {
        match p.next() {
            Ok(Some(_)) => n += 1,
            Ok(None) => return Ok(n),
            Err(e) => return Err(e.to_string()),
        }
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn openmetrics_suite() {
    let root = conformance_dir().join("openmetrics/parsers");
    let known_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/openmetrics-known-failures.txt");
    let known: BTreeSet<String> = String::from_utf8_lossy(&read(&known_path))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", root.display()))
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    cases.sort();
    assert_eq!(cases.len(), 211, "the suite has 211 cases");

    let (mut passed, mut failed) = (0, 0);
    let mut unexpected = Vec::new();
    for case in &cases {
        let name = case.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let spec = String::from_utf8_lossy(&read(&case.join("test.json"))).into_owned();
        let should_parse = spec.replace(' ', "").contains("\"shouldParse\":true");
        let metrics = read(&case.join("metrics"));
        let verdict = parse_all(&metrics, Format::OpenMetrics);
        if should_parse {
            // What the full checks accept, syntax-only checking accepts too.
            let lenient = parse_with(&metrics, Format::OpenMetrics, Validation::SyntaxOnly);
            assert!(lenient.is_ok(), "{name}: syntax-only rejected a valid case: {lenient:?}");
        }
        let ok = verdict.is_ok() == should_parse;
        if ok {
            passed += 1;
        } else {
            failed += 1;
        }
        if ok == known.contains(&name) {
            unexpected.push(format!("{name}: shouldParse={should_parse}, got {verdict:?}"));
        }
    }
    println!("openmetrics: {passed} passed, {failed} failed");
    assert!(
        unexpected.is_empty(),
        "unexpected verdicts (update the known-failures list only by removing):\n{}",
        unexpected.join("\n")
    );
}

/// Rejected by `prometheus/common/expfmt` but accepted by Prometheus' scrape parser
/// (`model/textparse`), which Vigil follows so that targets Prometheus scrapes keep working.
const TEXTPARSE_LENIENT: &[(&str, &str)] = &[
    ("from_test_parse_error_7", "summary quantile label values are not validated"),
    ("from_test_parse_error_12", "a repeated HELP line is not an error"),
    ("from_test_parse_error_13", "a repeated TYPE line is not an error"),
    ("from_test_parse_error_14", "a TYPE line after the family's samples is not an error"),
    ("from_test_parse_error_19", "histogram le label values are not validated"),
];

/// Files Prometheus accepts that break an OpenMetrics 1.0 rule, so [`Validation::Full`] rejects
/// them and [`Validation::SyntaxOnly`] accepts them.
const OPENMETRICS_1_0_VIOLATIONS: &[(&str, &str)] = &[(
    "textparse/alltypes.5mfs.om.txt",
    "line 33: a histogram with negative buckets has a (negative) _sum; OpenMetrics 1.0 forbids both",
)];

#[test]
fn text_corpus() {
    let dir = conformance_dir().join("exposition");
    let mut valid: Vec<(PathBuf, Format)> = vec![
        (dir.join("textparse/alltypes.237mfs.prom.txt"), Format::Text),
        (dir.join("textparse/alltypes.237mfs.nometa.prom.txt"), Format::Text),
        (dir.join("textparse/1histogram.om.txt"), Format::OpenMetrics),
        (dir.join("promtool/metrics-test.prom"), Format::Text),
        (dir.join("promtool/dump-openmetrics-test.prom"), Format::OpenMetrics),
        (dir.join("promtool/dump-openmetrics-roundtrip-test.prom"), Format::OpenMetrics),
        (dir.join("common-expfmt/testdata/text"), Format::Text),
        (dir.join("common-expfmt/fuzz-corpus/minimal"), Format::Text),
    ];
    for i in 0..5 {
        valid.push((dir.join(format!("common-expfmt/fuzz-corpus/from_test_parse_{i}")), Format::Text));
    }
    let (mut passed, mut failed) = (0, 0);
    let mut problems = Vec::new();
    for (path, format) in &valid {
        match parse_all(&read(path), *format) {
            Ok(n) if n > 0 || path.ends_with("from_test_parse_0") => passed += 1,
            other => {
                failed += 1;
                problems.push(format!("{}: expected to parse, got {other:?}", path.display()));
            }
        }
    }
    for i in 0..20 {
        let name = format!("from_test_parse_error_{i}");
        let verdict = parse_all(&read(&dir.join("common-expfmt/fuzz-corpus").join(&name)), Format::Text);
        let lenient = TEXTPARSE_LENIENT.iter().any(|(n, _)| *n == name);
        if verdict.is_ok() == lenient {
            passed += 1;
        } else {
            failed += 1;
            problems.push(format!("{name}: lenient={lenient}, got {verdict:?}"));
        }
    }
    // Valid for Prometheus, but not OpenMetrics 1.0: must fail full checks and pass syntax-only.
    for (file, reason) in OPENMETRICS_1_0_VIOLATIONS {
        let input = read(&dir.join(file));
        let full = parse_all(&input, Format::OpenMetrics);
        let lenient = parse_with(&input, Format::OpenMetrics, Validation::SyntaxOnly);
        if full.is_err() && lenient.is_ok() {
            passed += 1;
        } else {
            failed += 1;
            problems.push(format!("{file} ({reason}): full {full:?}, syntax-only {lenient:?}"));
        }
    }
    println!("exposition corpus: {passed} passed, {failed} failed");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
