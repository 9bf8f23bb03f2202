//! Matcher semantics against the index, including empty values and the set-regex fast path.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

use super::*;
use vigil_model::{MatchOp, Matcher};

fn index() -> (Symbols, Index) {
    let series: &[&[(&str, &str)]] = &[
        &[("__name__", "up"), ("job", "a")],
        &[("__name__", "up"), ("job", "b"), ("env", "prod")],
        &[("__name__", "down"), ("job", "a")],
        &[("__name__", "up"), ("env", "dev")],
    ];
    let mut sy = Symbols::default();
    let mut ix = Index::default();
    for (id, pairs) in series.iter().enumerate() {
        let p: Vec<(u32, u32)> = pairs.iter().map(|(n, v)| (sy.intern(n), sy.intern(v))).collect();
        ix.add(id as u32, &p);
    }
    (sy, ix)
}

fn check(matchers: &[(&str, MatchOp, &str)], want: &[u32]) {
    let (sy, ix) = index();
    let ms: Vec<Matcher> = matchers.iter().map(|(n, op, v)| Matcher::new(*op, *n, *v).unwrap()).collect();
    assert_eq!(ix.select(&sy, &ms), want, "{matchers:?}");
}

use MatchOp::{Equal as Eq, NotEqual as Ne, NotRegex as Nre, Regex as Re};

#[test]
fn equality_and_empty_values() {
    check(&[("job", Eq, "a")], &[0, 2]);
    check(&[("job", Eq, "")], &[3]);
    check(&[("job", Ne, "")], &[0, 1, 2]);
    check(&[("job", Eq, "zzz")], &[]);
    check(&[("foo", Eq, "")], &[0, 1, 2, 3]);
    check(&[], &[0, 1, 2, 3]);
}

#[test]
fn negative_matchers_include_absent_labels() {
    check(&[("env", Ne, "prod")], &[0, 2, 3]);
    check(&[("env", Nre, "d.*")], &[0, 1, 2]);
    check(&[("__name__", Eq, "up"), ("job", Nre, "a")], &[1, 3]);
    check(&[("__name__", Ne, "up"), ("job", Eq, "a")], &[2]);
}

#[test]
fn regexes_and_sets() {
    check(&[("env", Re, "prod|dev")], &[1, 3]);
    check(&[("env", Re, "prod|nope")], &[1]);
    check(&[("env", Re, "p.*")], &[1]);
    check(&[("env", Re, "|dev")], &[0, 2, 3]);
    check(&[("env", Re, ".*")], &[0, 1, 2, 3]);
    check(&[("env", Re, ".+")], &[1, 3]);
    check(&[("__name__", Eq, "up"), ("foo", Re, ".*")], &[0, 1, 3]);
}

#[test]
fn removal_drops_postings() {
    let (sy, mut ix) = index();
    let up = (sy.get("__name__").unwrap(), sy.get("up").unwrap());
    let job_b = (sy.get("job").unwrap(), sy.get("b").unwrap());
    let env_prod = (sy.get("env").unwrap(), sy.get("prod").unwrap());
    ix.remove(&[1], &[up, job_b, env_prod]);
    assert_eq!(ix.all(), &[0, 2, 3]);
    assert_eq!(ix.select(&sy, &[Matcher::equal("env", "prod")]), Vec::<u32>::new());
    assert!(ix.values(job_b.0).all(|(v, _)| v != job_b.1), "empty lists disappear");
    assert_eq!(ix.select(&sy, &[Matcher::equal("__name__", "up")]), vec![0, 3]);
}
