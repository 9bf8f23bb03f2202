//! Tests for the scalar types: sizes, durations, secrets, label sets.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

use super::*;

fn check_size(input: &str, want: Option<u64>) {
    assert_eq!(parse_size(input).ok(), want, "{input:?}");
}

#[test]
fn sizes_are_powers_of_two() {
    check_size("0", Some(0));
    check_size("0B", Some(0));
    check_size("512B", Some(512));
    check_size("1KB", Some(1024));
    check_size("1KiB", Some(1024));
    check_size("10MB", Some(10 << 20));
    check_size("10MiB", Some(10 << 20));
    check_size("2GB", Some(2 << 30));
    check_size("1TB", Some(1 << 40));
    check_size("1PiB", Some(1 << 50));
    check_size("1EB", Some(1 << 60));
    check_size("1.5MB", Some(3 << 19));
    check_size("1GB512MB", Some((1 << 30) + (512 << 20)));
}

#[test]
fn bad_sizes_are_errors() {
    for bad in ["", "10", "MB", "10mb", "10XB", "1..5MB", "8EB", "99999999999999999999999EB", "-1MB", "1 MB"] {
        check_size(bad, None);
    }
    let msg = parse_size("10XB").unwrap_err().to_string();
    assert_eq!(msg, "invalid size \"10XB\": unknown unit \"XB\"");
}

#[test]
fn sizes_print_in_the_largest_exact_unit() {
    for (n, want) in [(0, "0B"), (1536, "1536B"), (10 << 20, "10MiB"), (1 << 30, "1GiB")] {
        let shown = ByteSize(n).to_string();
        assert_eq!(shown, want);
        assert_eq!(parse_size(&shown).unwrap(), n, "round trip");
    }
}

#[test]
fn durations_print_like_prometheus() {
    assert_eq!(Duration(90_000).to_string(), "1m30s");
    assert_eq!(Duration(0).to_string(), "0s");
    assert_eq!(Duration::from_secs(15).to_std(), std::time::Duration::from_secs(15));
    assert_eq!(Duration(-5).to_std(), std::time::Duration::ZERO);
}

#[test]
fn secrets_never_print() {
    let s = Secret::new("p4ss");
    assert_eq!(format!("{s:?}"), "<secret>");
    assert_eq!(s.expose(), "p4ss");
}

#[test]
fn label_sets_reject_empty_names_and_convert() {
    #[derive(serde::Deserialize)]
    struct W {
        l: LabelSet,
    }
    let w: W = serde_saphyr::from_str("l: {b: '2', a: '1', c: ''}").unwrap();
    assert_eq!(w.l.to_labels().to_string(), r#"{a="1", b="2"}"#);
    let err = serde_saphyr::from_str::<W>("l: {'': x}").err().unwrap().to_string();
    assert!(err.contains("\"\" is not a valid label name"), "{err}");
    let null: W = serde_saphyr::from_str("l:").unwrap();
    assert!(null.l.is_empty());
}
