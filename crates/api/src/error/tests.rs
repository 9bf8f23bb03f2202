//! The error table: each error kind against Prometheus' errorType and status.

use super::*;

fn check(err: Error, kind: &str, status: u16) {
    let got = err.classify();
    assert_eq!((got.as_str(), got.status().as_u16()), (kind, status), "{err}");
}

#[test]
fn every_error_maps_to_prometheus_type_and_status() {
    use vigil_promql::Error as Q;
    check(Error::param("start", "x"), "bad_data", 400);
    check(Error::BadData("x".into()), "bad_data", 400);
    check(Error::from_query(Q::Parse(vigil_promql_syntax::Error::at("x", 0, "x"))), "bad_data", 400);
    check(Error::Query(Q::BadData("x".into())), "bad_data", 400);
    check(Error::Query(Q::Execution("x".into())), "execution", 422);
    check(Error::Query(Q::TooManySamples), "execution", 422);
    check(Error::Query(Q::Timeout("eval")), "timeout", 503);
    check(Error::Query(Q::Canceled("eval")), "canceled", 499);
    check(Error::Query(Q::Storage(vigil_storage::Error::Closed)), "internal", 500);
    check(Error::Query(Q::Storage(vigil_storage::Error::EmptyMatchers)), "bad_data", 400);
    check(Error::Storage(vigil_storage::Error::TooManySamples), "execution", 422);
    check(Error::Storage(vigil_storage::Error::OutOfOrder), "internal", 500);
    check(Error::Canceled("x".into()), "canceled", 499);
    check(Error::NotFound("x".into()), "not_found", 404);
    check(Error::Unavailable("admin APIs disabled".into()), "unavailable", 500);
    check(Error::Internal("x".into()), "internal", 500);
}

#[test]
fn parse_errors_name_the_query_parameter() {
    let e = Error::from_query(vigil_promql::Error::Parse(vigil_promql_syntax::Error::at(
        "foo(",
        4,
        "unclosed left parenthesis",
    )));
    assert_eq!(e.to_string(), "invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis");
}
