//! Tests for content-type negotiation.

use super::*;

fn check(content_type: &str, expected: Format) {
    assert_eq!(Format::from_content_type(content_type), expected, "{content_type:?}");
}

#[test]
fn openmetrics_versions() {
    check("application/openmetrics-text; version=1.0.0; charset=utf-8", Format::OpenMetrics);
    check("application/openmetrics-text;version=0.0.1", Format::OpenMetrics);
    check("Application/OpenMetrics-Text", Format::OpenMetrics);
}

#[test]
fn text_and_fallback() {
    check("text/plain; version=0.0.4; charset=utf-8", Format::Text);
    check("text/plain", Format::Text);
    check("", Format::Text);
    check("application/json", Format::Text);
    check("garbage;;;", Format::Text);
}

#[test]
fn accept_header_prefers_openmetrics() {
    assert!(SCRAPE_ACCEPT_HEADER.starts_with("application/openmetrics-text;version=1.0.0,"));
    assert!(SCRAPE_ACCEPT_HEADER.ends_with("*/*;q=0.1"));
}
