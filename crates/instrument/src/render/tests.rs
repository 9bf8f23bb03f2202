//! Tests for format negotiation and the OpenMetrics → text 0.0.4 rewrite.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry, Unit};

use super::*;

fn check_negotiate(accept: Option<&str>, expected: Format) {
    assert_eq!(Format::negotiate(accept), expected, "Accept: {accept:?}");
}

fn check(openmetrics: &str, expected: &str) {
    assert_eq!(openmetrics_to_text(openmetrics), expected);
}

#[test]
fn negotiation() {
    check_negotiate(None, Format::Text);
    check_negotiate(Some("*/*"), Format::Text);
    check_negotiate(Some("text/plain;version=0.0.4"), Format::Text);
    // What Prometheus 2.x sends.
    check_negotiate(
        Some(
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;\
             version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
        ),
        Format::OpenMetrics,
    );
    check_negotiate(Some("application/openmetrics-text; q=0.3, text/plain"), Format::Text);
    check_negotiate(Some("application/openmetrics-text;q=0"), Format::Text);
    check_negotiate(Some("Application/OpenMetrics-Text"), Format::OpenMetrics);
    check_negotiate(Some("application/json"), Format::Text);
}

#[test]
fn content_types() {
    assert_eq!(Format::Text.content_type(), "text/plain; version=0.0.4; charset=utf-8");
    assert_eq!(Format::OpenMetrics.content_type(), "application/openmetrics-text; version=1.0.0; charset=utf-8");
}

#[test]
fn rewrites_families() {
    check(
        "# HELP reqs Requests.\n# TYPE reqs counter\nreqs_total{code=\"200\"} 3\n# EOF\n",
        "# HELP reqs_total Requests.\n# TYPE reqs_total counter\nreqs_total{code=\"200\"} 3\n",
    );
    check(
        "# HELP build Build.\n# TYPE build info\nbuild_info{v=\"1\"} 1\n# EOF\n",
        "# HELP build_info Build.\n# TYPE build_info gauge\nbuild_info{v=\"1\"} 1\n",
    );
    check("# HELP x X.\n# TYPE x unknown\nx 1\n", "# HELP x X.\n# TYPE x untyped\nx 1\n");
    check(
        "# HELP up_s Up.\n# TYPE up_s gauge\n# UNIT up_s s\nup_s 1\n",
        "# HELP up_s Up.\n# TYPE up_s gauge\nup_s 1\n",
    );
    // A HELP for another family is not attached to this TYPE.
    check("# HELP a A.\n# TYPE b gauge\nb 1\n", "# TYPE b gauge\nb 1\n");
}

#[test]
fn strips_exemplars_but_not_hashes_in_label_values() {
    check("c_total 2 # {trace=\"x\"} 1.0\n", "c_total 2\n");
    check("c_total{path=\"/a#b\"} 2\n", "c_total{path=\"/a#b\"} 2\n");
    check("c_total{path=\"q\\\"#\"} 2 # {t=\"#\"} 1\n", "c_total{path=\"q\\\"#\"} 2\n");
}

#[test]
fn renders_a_registry_in_both_formats() {
    let mut registry = Registry::default();
    let requests = Family::<[(&'static str, &'static str); 1], Counter>::default();
    registry.register("http_requests", "Requests", requests.clone());
    requests.get_or_create(&[("status", "500")]).inc_by(2);
    let latency = Histogram::new([0.1, 1.0]);
    registry.register_with_unit("latency", "Latency", Unit::Seconds, latency.clone());
    latency.observe(0.5);
    let in_flight = Gauge::<i64>::default();
    registry.register("in_flight", "In flight", in_flight.clone());
    in_flight.set(-3);
    registry.register("build", "Build", Info::new([("version", "1.0")]));

    let text = render(&registry, Format::Text).unwrap();
    assert_eq!(
        text,
        "# HELP http_requests_total Requests.\n\
         # TYPE http_requests_total counter\n\
         http_requests_total{status=\"500\"} 2\n\
         # HELP latency_seconds Latency.\n\
         # TYPE latency_seconds histogram\n\
         latency_seconds_sum 0.5\n\
         latency_seconds_count 1\n\
         latency_seconds_bucket{le=\"0.1\"} 0\n\
         latency_seconds_bucket{le=\"1.0\"} 1\n\
         latency_seconds_bucket{le=\"+Inf\"} 1\n\
         # HELP in_flight In flight.\n\
         # TYPE in_flight gauge\n\
         in_flight -3\n\
         # HELP build_info Build.\n\
         # TYPE build_info gauge\n\
         build_info{version=\"1.0\"} 1\n"
    );

    let openmetrics = render(&registry, Format::OpenMetrics).unwrap();
    assert!(openmetrics.starts_with("# HELP http_requests Requests.\n# TYPE http_requests counter\n"));
    assert!(openmetrics.contains("# UNIT latency_seconds seconds\n"));
    assert!(openmetrics.ends_with("# EOF\n"));
}
