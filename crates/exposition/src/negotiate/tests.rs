//! The negotiation matrix: Accept headers from `scrape_protocols`, and every kind of
//! `Content-Type` with and without a fallback.

use super::*;
use ScrapeProtocol as P;

#[test]
fn accept_header_weights_count_down_as_prometheus_writes_them() {
    let default = [P::OpenMetricsText1_0_0, P::OpenMetricsText0_0_1, P::PrometheusText1_0_0, P::PrometheusText0_0_4];
    assert_eq!(
        accept_header(&default, "allow-utf-8"),
        "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,\
         application/openmetrics-text;version=0.0.1;q=0.5,\
         text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,\
         text/plain;version=0.0.4;q=0.3,*/*;q=0.2"
    );
    let proto_first = [P::PrometheusProto, P::OpenMetricsText1_0_0, P::PrometheusText0_0_4];
    assert_eq!(
        accept_header(&proto_first, "underscores"),
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,\
         application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.5,\
         text/plain;version=0.0.4;q=0.4,*/*;q=0.3"
    );
    let all = [
        P::PrometheusProto,
        P::OpenMetricsText1_0_0,
        P::OpenMetricsText0_0_1,
        P::PrometheusText1_0_0,
        P::PrometheusText0_0_4,
    ];
    assert!(accept_header(&all, "allow-utf-8").ends_with("text/plain;version=0.0.4;q=0.2,*/*;q=0.1"));
}

#[test]
fn names_round_trip() {
    for p in ScrapeProtocol::ALL {
        assert_eq!(ScrapeProtocol::from_name(p.name()), Some(p));
    }
    assert_eq!(ScrapeProtocol::from_name("prometheusproto"), None, "names are case-sensitive");
}

fn check(content_type: Option<&str>, fallback: Option<P>, expected: Result<(BodyFormat, bool), &str>) {
    let got = negotiate(content_type, fallback).map(|n| (n.format, n.fallback_reason.is_some()));
    assert_eq!(got, expected.map_err(str::to_owned), "{content_type:?} with fallback {fallback:?}");
}

#[test]
fn known_media_types_select_their_parser_whatever_the_fallback() {
    let om = BodyFormat::Text(Format::OpenMetrics);
    let text = BodyFormat::Text(Format::Text);
    for fallback in [None, Some(P::PrometheusProto)] {
        check(Some("application/openmetrics-text; version=1.0.0; charset=utf-8"), fallback, Ok((om, false)));
        check(Some("Application/OpenMetrics-Text"), fallback, Ok((om, false)));
        check(Some("text/plain; version=0.0.4; charset=utf-8"), fallback, Ok((text, false)));
        check(Some("text/plain;"), fallback, Ok((text, false)));
        check(Some(crate::protobuf::PROTOBUF_CONTENT_TYPE), fallback, Ok((BodyFormat::Protobuf, false)));
    }
}

#[test]
fn missing_unknown_and_unparsable_types_need_the_fallback() {
    check(
        None,
        None,
        Err(
            "non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target",
        ),
    );
    check(Some(""), Some(P::PrometheusText0_0_4), Ok((BodyFormat::Text(Format::Text), true)));
    check(
        Some("application/json"),
        None,
        Err(
            "received unsupported Content-Type \"application/json\" and no fallback_scrape_protocol specified for target",
        ),
    );
    check(Some("application/json"), Some(P::OpenMetricsText1_0_0), Ok((BodyFormat::Text(Format::OpenMetrics), true)));
    check(
        Some("garbage;;;"),
        None,
        Err(
            "cannot parse Content-Type \"garbage;;;\" and no fallback_scrape_protocol for target\nmime: invalid media parameter",
        ),
    );
    check(Some("text/;x"), Some(P::PrometheusProto), Ok((BodyFormat::Protobuf, true)));
    let reason = negotiate(None, Some(P::PrometheusText1_0_0)).unwrap().fallback_reason.unwrap();
    assert_eq!(
        reason,
        "non-compliant scrape target sending blank Content-Type, using fallback_scrape_protocol \"text/plain\""
    );
}
