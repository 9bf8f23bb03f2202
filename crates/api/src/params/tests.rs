//! Time and duration parameter parsing, with Prometheus' error wording.

use super::*;

fn check_time(input: &str, want: Result<Timestamp, &str>) {
    assert_eq!(parse_time(input), want.map_err(str::to_owned), "{input}");
}

#[test]
fn times() {
    check_time("1435781451.781", Ok(1_435_781_451_781));
    check_time("1500.010", Ok(1_500_010));
    check_time("-1.5", Ok(-1500));
    check_time("0", Ok(0));
    check_time("1e3", Ok(1_000_000));
    check_time("2015-07-01T20:10:51.781Z", Ok(1_435_781_451_781));
    check_time(MIN_TIME_FORMATTED, Ok(MIN_TIME));
    check_time(MAX_TIME_FORMATTED, Ok(MAX_TIME));
    check_time("abc", Err("cannot parse \"abc\" to a valid timestamp"));
    check_time("", Err("cannot parse \"\" to a valid timestamp"));
    check_time("NaN", Err("cannot parse \"NaN\" to a valid timestamp"));
}

#[test]
fn sentinels_match_prometheus() {
    assert_eq!(MIN_TIME, -9_223_309_901_257_974_000);
    assert_eq!(MAX_TIME, 9_223_309_901_257_974_999);
}

#[test]
fn durations() {
    assert_eq!(parse_duration("15"), Ok(15_000));
    assert_eq!(parse_duration("0.5"), Ok(500));
    assert_eq!(parse_duration("1m"), Ok(60_000));
    assert_eq!(parse_duration("-1"), Ok(-1000));
    assert_eq!(parse_duration("-1s"), Err("cannot parse \"-1s\" to a valid duration".to_owned()));
    assert_eq!(parse_duration("x"), Err("cannot parse \"x\" to a valid duration".to_owned()));
}

#[test]
fn form_values_come_before_url_values_and_empty_means_absent() {
    let p = Params::from_pairs(vec![
        ("query".into(), "body".into()),
        ("match[]".into(), "a".into()),
        ("query".into(), "url".into()),
        ("match[]".into(), "b".into()),
        ("time".into(), String::new()),
    ]);
    assert_eq!(p.get("query"), Some("body"));
    assert_eq!(p.all("match[]"), vec!["a", "b"]);
    assert_eq!(p.get("time"), None);
    assert_eq!(p.time_or("time", 7).ok(), Some(7));
}

#[test]
fn limits() {
    let p = |v: &str| Params::from_pairs(vec![("limit".into(), v.into())]);
    assert_eq!(p("5").limit().ok(), Some(5));
    assert_eq!(
        p("-1").limit().map_err(|e| e.to_string()),
        Err("invalid parameter \"limit\": limit must be non-negative".into())
    );
    assert!(p("x").limit().is_err());
}
