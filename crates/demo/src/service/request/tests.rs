//! Tests for `/predict` body decoding.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

use super::*;

fn check(body: &str, expected: Result<[f64; 4], (u16, &str)>) {
    let got = parse_features(body.as_bytes()).map_err(|e| {
        assert_eq!(e.error_type, "validation_error");
        (e.status.as_u16(), e.detail)
    });
    match (got, expected) {
        (Ok(got), Ok(expected)) => assert_eq!(got, expected, "{body}"),
        (Err((status, detail)), Err((want_status, want_detail))) => {
            assert_eq!(status, want_status, "{body}: {detail}");
            assert!(detail.contains(want_detail), "{body}: {detail:?} lacks {want_detail:?}");
        }
        (got, expected) => panic!("{body}: got {got:?}, expected {expected:?}"),
    }
}

#[test]
fn accepted_shapes() {
    check(r#"{"features":[5.1,3.5,1.4,0.2]}"#, Ok([5.1, 3.5, 1.4, 0.2]));
    check(r#"{"features":[5,3,1,0]}"#, Ok([5.0, 3.0, 1.0, 0.0]));
    check(r#"{"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}"#, Ok([5.1, 3.5, 1.4, 0.2]));
}

#[test]
fn malformed_json_is_a_400_with_a_position() {
    check("", Err((400, "EOF while parsing a value at line 1 column 0")));
    check("{\"features\": [5.1,\n 3.5,", Err((400, "line 2 column 5")));
    check("features=1", Err((400, "invalid JSON body")));
}

#[test]
fn wrong_shapes_are_a_422() {
    check(r#"{"features":[5.1,3.5,1.4]}"#, Err((422, "got 3")));
    check(r#"{"features":[5.1,3.5,1.4,0.2,9]}"#, Err((422, "got 5")));
    check(r#"{"features":"5.1,3.5,1.4,0.2"}"#, Err((422, "got a string")));
    check(r#"{"features":[5.1,"x",1.4,0.2]}"#, Err((422, "features[1] must be a number")));
    check(r#"[5.1,3.5,1.4,0.2]"#, Err((422, "expected a JSON object, got an array")));
    check(r#"{"sepal_length":5.1}"#, Err((422, "missing field \"sepal_width\"")));
    check(r#"{"petal":1}"#, Err((422, "expected {\"features\"")));
}
