//! Federation rendering: grouping, ordering, external labels, escaping and value layout.

use super::*;

type SeriesSpec<'a> = (&'a [(&'a str, &'a str)], Timestamp, f64);

fn check(series: &[SeriesSpec<'_>], external: &[(&str, &str)], want: &str) {
    let latest = series.iter().map(|(l, t, v)| (Labels::from_pairs(l), (*t, *v))).collect();
    assert_eq!(render_federation(latest, &Labels::from_pairs(external)), want);
}

#[test]
fn groups_by_name_and_adds_missing_external_labels() {
    check(
        &[
            (&[("__name__", "up"), ("job", "b")], 1000, 1.0),
            (&[("__name__", "http_requests_total"), ("code", "200"), ("replica", "x")], 2000, 2.8161288e7),
            (&[("__name__", "up"), ("job", "a"), ("path", "a\"b\\c\nd")], 1000, 0.0),
            (&[("job", "nameless")], 1000, 1.0),
        ],
        &[("replica", "r1")],
        "# TYPE http_requests_total untyped\n\
         http_requests_total{code=\"200\",replica=\"x\"} 2.8161288e+07 2000\n\
         # TYPE up untyped\n\
         up{job=\"a\",path=\"a\\\"b\\\\c\\nd\",replica=\"r1\"} 0 1000\n\
         up{job=\"b\",replica=\"r1\"} 1 1000\n",
    );
}

#[test]
fn series_without_labels_have_no_braces() {
    check(&[(&[("__name__", "x")], 5, f64::INFINITY)], &[], "# TYPE x untyped\nx +Inf 5\n");
}
