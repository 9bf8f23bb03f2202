//! RFC 3339 round trips and rejections.

use super::*;

fn check(input: &str, want: Option<Timestamp>) {
    assert_eq!(parse_rfc3339_ms(input), want, "{input}");
}

#[test]
fn parses_rfc3339() {
    check("2015-07-01T20:10:51.781Z", Some(1_435_781_451_781));
    check("2015-07-01T20:10:51Z", Some(1_435_781_451_000));
    check("2015-07-01T22:10:51.7+02:00", Some(1_435_781_451_700));
    check("2015-07-01T20:10:51.781999999Z", Some(1_435_781_451_781));
    check("1970-01-01T00:00:00Z", Some(0));
    check("1969-12-31T23:59:59.5Z", Some(-500));
    check("2024-02-29T00:00:00Z", Some(1_709_164_800_000));
}

#[test]
fn rejects_malformed() {
    for bad in [
        "",
        "2015-07-01",
        "2015-07-01T20:10:51",
        "2015-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2015-07-01T20:10:51.Z",
        "2015-07-01 20:10:51Z",
        "2015-07-01T25:10:51Z",
        "2015-07-01T20:10:51+0200",
    ] {
        check(bad, None);
    }
}

#[test]
fn formats_like_go() {
    assert_eq!(format_rfc3339_ms(1_435_781_451_781), "2015-07-01T20:10:51.781Z");
    assert_eq!(format_rfc3339_ms(1_435_781_451_000), "2015-07-01T20:10:51Z");
    assert_eq!(format_rfc3339_ms(1_435_781_451_500), "2015-07-01T20:10:51.5Z");
    assert_eq!(format_rfc3339_ms(-500), "1969-12-31T23:59:59.5Z");
    assert_eq!(format_rfc3339(0, 420_602_247), "1970-01-01T00:00:00.420602247Z");
}

#[test]
fn round_trips_over_many_days() {
    for day in (-719_000i64..2_900_000).step_by(997) {
        let ms = day * 86_400_000 + 12_345;
        assert_eq!(parse_rfc3339_ms(&format_rfc3339_ms(ms)), Some(ms), "{ms}");
    }
}
