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

#[test]
fn upper_case_label_names_do_not_change_series_order() {
    // Ordered by the labels other than `__name__`: `{A="1"}` before `{A="1",B="2"}`.
    check(
        &[(&[("__name__", "x"), ("A", "1"), ("B", "2")], 1, 2.0), (&[("__name__", "x"), ("A", "1")], 1, 1.0)],
        &[],
        "# TYPE x untyped\nx{A=\"1\"} 1 1\nx{A=\"1\",B=\"2\"} 2 1\n",
    );
}

#[test]
fn large_and_small_values_use_go_g_layout() {
    check(
        &[(&[("__name__", "a")], 7, 1e6), (&[("__name__", "b")], 7, -0.0), (&[("__name__", "c")], 7, 1e-5)],
        &[],
        "# TYPE a untyped\na 1e+06 7\n# TYPE b untyped\nb 0 7\n# TYPE c untyped\nc 1e-05 7\n",
    );
}

#[test]
fn external_labels_follow_the_series_own_labels() {
    // Observed from Prometheus 2.42's /federate with external labels a_ext and zz_ext.
    check(
        &[(&[("__name__", "up"), ("instance", "127.0.0.1:19391"), ("job", "p")], 1795263785457, 1.0)],
        &[("a_ext", "x"), ("zz_ext", "y")],
        "# TYPE up untyped\nup{instance=\"127.0.0.1:19391\",job=\"p\",a_ext=\"x\",zz_ext=\"y\"} 1 1795263785457\n",
    );
}
