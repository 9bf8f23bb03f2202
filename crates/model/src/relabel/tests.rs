//! Relabeling tests: every action against hand-computed outputs.
//!
//! Hashmod expectations were computed independently with Python's `hashlib.md5`
//! (`int.from_bytes(digest[8:], "big") % modulus`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

use super::*;

fn spec(action: &str) -> RuleSpec {
    RuleSpec::new(action.parse().unwrap())
}

fn labels(s: &[(&str, &str)]) -> Labels {
    Labels::from_pairs(s)
}

/// Runs `rules` over `input` and compares with `want` (`None` = dropped).
fn check(input: &[(&str, &str)], rules: Vec<RuleSpec>, want: Option<&[(&str, &str)]>) {
    let rules: Vec<RelabelRule> = rules.into_iter().map(|s| RelabelRule::new(s).unwrap()).collect();
    let got = process(&labels(input), &rules);
    assert_eq!(got, want.map(labels), "input {input:?}");
}

fn invalid(s: RuleSpec, needle: &str) {
    let err = RelabelRule::new(s).unwrap_err().to_string();
    assert!(err.contains(needle), "{err:?} does not contain {needle:?}");
}

#[test]
fn replace_with_defaults_copies_source() {
    let r = RuleSpec { source_labels: vec!["a".into()], target_label: "b".into(), ..spec("replace") };
    check(&[("a", "x")], vec![r], Some(&[("a", "x"), ("b", "x")]));
}

#[test]
fn replace_joins_with_separator_and_expands_groups() {
    let r = RuleSpec {
        source_labels: vec!["__address__".into(), "port".into()],
        regex: r"([^:]+)(?::\d+)?;(\d+)".into(),
        replacement: "$1:$2".into(),
        target_label: "__address__".into(),
        ..spec("replace")
    };
    check(
        &[("__address__", "10.1.2.3:8080"), ("port", "9100")],
        vec![r],
        Some(&[("__address__", "10.1.2.3:9100"), ("port", "9100")]),
    );
}

#[test]
fn replace_without_match_changes_nothing() {
    let r = RuleSpec {
        source_labels: vec!["a".into()],
        regex: "y".into(),
        target_label: "b".into(),
        replacement: "z".into(),
        ..spec("replace")
    };
    check(&[("a", "x")], vec![r], Some(&[("a", "x")]));
}

#[test]
fn replace_regex_is_anchored() {
    let r = RuleSpec {
        source_labels: vec!["a".into()],
        regex: "b".into(),
        target_label: "t".into(),
        replacement: "hit".into(),
        ..spec("replace")
    };
    check(&[("a", "abc")], vec![r], Some(&[("a", "abc")]));
}

#[test]
fn replace_with_empty_result_deletes_target() {
    let r = RuleSpec { source_labels: vec!["missing".into()], target_label: "a".into(), ..spec("replace") };
    check(&[("a", "x"), ("b", "y")], vec![r], Some(&[("b", "y")]));
}

#[test]
fn replace_target_label_can_be_a_template() {
    let r = RuleSpec {
        source_labels: vec!["k".into(), "v".into()],
        regex: "(.+);(.+)".into(),
        target_label: "tag_${1}".into(),
        replacement: "$2".into(),
        ..spec("replace")
    };
    check(&[("k", "env"), ("v", "prod")], vec![r], Some(&[("k", "env"), ("tag_env", "prod"), ("v", "prod")]));
}

#[test]
fn replace_expanding_to_invalid_target_is_skipped() {
    // The regex matches the empty joined value; `$1` expands to "" which is no label name.
    let r = RuleSpec {
        source_labels: vec!["missing".into()],
        target_label: "$1".into(),
        replacement: "v".into(),
        ..spec("replace")
    };
    check(&[("a", "x")], vec![r.clone()], Some(&[("a", "x")]));
    let legacy = RuleSpec {
        source_labels: vec!["a".into()],
        target_label: "$1".into(),
        replacement: "v".into(),
        name_validation: NameValidation::Legacy,
        ..spec("replace")
    };
    check(&[("a", "1bad")], vec![legacy], Some(&[("a", "1bad")]));
}

#[test]
fn replace_with_named_groups_and_literal_dollar() {
    let r = RuleSpec {
        source_labels: vec!["a".into()],
        regex: "(?P<host>[^.]+)\\..*".into(),
        target_label: "h".into(),
        replacement: "$host-$$-${host}x-$hostx-$9".into(),
        ..spec("replace")
    };
    // `$hostx` names a group that does not exist, `$9` is unmatched: both expand to "".
    check(&[("a", "db.example")], vec![r], Some(&[("a", "db.example"), ("h", "db-$-dbx--")]));
}

#[test]
fn replace_dot_matches_newline() {
    let r = RuleSpec { source_labels: vec!["a".into()], target_label: "b".into(), ..spec("replace") };
    check(&[("a", "x\ny")], vec![r], Some(&[("a", "x\ny"), ("b", "x\ny")]));
}

#[test]
fn keep_and_drop() {
    let keep = RuleSpec { source_labels: vec!["env".into()], regex: "prod|staging".into(), ..spec("keep") };
    check(&[("env", "prod")], vec![keep.clone()], Some(&[("env", "prod")]));
    check(&[("env", "dev")], vec![keep.clone()], None);
    check(&[("other", "x")], vec![keep], None);
    let drop = RuleSpec { source_labels: vec!["env".into()], regex: "dev".into(), ..spec("drop") };
    check(&[("env", "dev")], vec![drop.clone()], None);
    check(&[("env", "devel")], vec![drop], Some(&[("env", "devel")]));
}

#[test]
fn drop_on_missing_label_matches_empty_string() {
    let drop = RuleSpec { source_labels: vec!["absent".into()], regex: "".into(), ..spec("drop") };
    check(&[("a", "1")], vec![drop], None);
}

#[test]
fn keepequal_and_dropequal() {
    let keq = RuleSpec { source_labels: vec!["__meta_port".into()], target_label: "port".into(), ..spec("keepequal") };
    check(&[("__meta_port", "80"), ("port", "80")], vec![keq.clone()], Some(&[("__meta_port", "80"), ("port", "80")]));
    check(&[("__meta_port", "80"), ("port", "81")], vec![keq], None);
    let deq = RuleSpec { source_labels: vec!["a".into()], target_label: "b".into(), ..spec("dropequal") };
    check(&[("a", "1"), ("b", "1")], vec![deq.clone()], None);
    check(&[("a", "1"), ("b", "2")], vec![deq.clone()], Some(&[("a", "1"), ("b", "2")]));
    // Both absent: "" == "" drops.
    check(&[("c", "1")], vec![deq], None);
}

#[test]
fn hashmod_matches_md5_reference_values() {
    for (value, modulus, want) in
        [("foo", 10, "6"), ("10.0.0.1:9100", 3, "2"), ("", 7, "1"), ("node-1", 1u64 << 32, "1634462286")]
    {
        let r = RuleSpec { source_labels: vec!["a".into()], target_label: "shard".into(), modulus, ..spec("hashmod") };
        let input: Vec<(&str, &str)> = if value.is_empty() { vec![] } else { vec![("a", value)] };
        let mut want_labels = input.clone();
        want_labels.push(("shard", want));
        check(&input, vec![r], Some(&want_labels));
    }
    // Two sources joined with ";": md5("a;b") -> 74 mod 1000.
    let r = RuleSpec {
        source_labels: vec!["x".into(), "y".into()],
        target_label: "s".into(),
        modulus: 1000,
        ..spec("hashmod")
    };
    check(&[("x", "a"), ("y", "b")], vec![r], Some(&[("s", "74"), ("x", "a"), ("y", "b")]));
}

#[test]
fn labelmap_copies_matching_names() {
    let r = RuleSpec { regex: "__meta_kubernetes_pod_label_(.+)".into(), ..spec("labelmap") };
    check(
        &[("__meta_kubernetes_pod_label_app", "api"), ("__meta_kubernetes_pod_label_tier", "web"), ("job", "k")],
        vec![r],
        Some(&[
            ("__meta_kubernetes_pod_label_app", "api"),
            ("__meta_kubernetes_pod_label_tier", "web"),
            ("app", "api"),
            ("job", "k"),
            ("tier", "web"),
        ]),
    );
    let prefixed = RuleSpec { regex: "a(.)".into(), replacement: "x_${1}".into(), ..spec("labelmap") };
    check(&[("ab", "1"), ("abc", "2")], vec![prefixed], Some(&[("ab", "1"), ("abc", "2"), ("x_b", "1")]));
}

#[test]
fn labeldrop_and_labelkeep() {
    let drop = RuleSpec { regex: "tmp_.*".into(), ..spec("labeldrop") };
    check(&[("tmp_a", "1"), ("tmp_b", "2"), ("keep", "3")], vec![drop], Some(&[("keep", "3")]));
    let keep = RuleSpec { regex: "__name__|job".into(), ..spec("labelkeep") };
    check(
        &[("__name__", "up"), ("job", "j"), ("instance", "i")],
        vec![keep],
        Some(&[("__name__", "up"), ("job", "j")]),
    );
}

#[test]
fn lowercase_and_uppercase() {
    let lo = RuleSpec { source_labels: vec!["a".into(), "b".into()], target_label: "l".into(), ..spec("lowercase") };
    check(&[("a", "FoO"), ("b", "ÄB")], vec![lo], Some(&[("a", "FoO"), ("b", "ÄB"), ("l", "foo;äb")]));
    let up = RuleSpec { source_labels: vec!["a".into()], target_label: "a".into(), ..spec("uppercase") };
    check(&[("a", "mixed")], vec![up], Some(&[("a", "MIXED")]));
}

#[test]
fn rules_apply_in_order_and_stop_at_drop() {
    let set = RuleSpec { target_label: "env".into(), replacement: "prod".into(), ..spec("replace") };
    let drop = RuleSpec { source_labels: vec!["env".into()], regex: "prod".into(), ..spec("drop") };
    check(&[("a", "1")], vec![set.clone()], Some(&[("a", "1"), ("env", "prod")]));
    check(&[("a", "1")], vec![set, drop], None);
}

#[test]
fn action_names_are_case_insensitive() {
    assert_eq!("LabelMap".parse::<Action>().unwrap(), Action::LabelMap);
    assert!("replce".parse::<Action>().unwrap_err().to_string().contains("unknown relabel action \"replce\""));
    for a in Action::ALL {
        assert_eq!(a.as_str().parse::<Action>().unwrap(), a);
    }
}

#[test]
fn validation_errors() {
    invalid(RuleSpec { target_label: "t".into(), ..spec("hashmod") }, "requires non-zero modulus");
    invalid(spec("replace"), "replace action requires 'target_label'");
    invalid(spec("lowercase"), "lowercase action requires 'target_label'");
    invalid(spec("keepequal"), "keepequal action requires 'target_label'");
    invalid(
        RuleSpec { target_label: "1x".into(), name_validation: NameValidation::Legacy, ..spec("replace") },
        "\"1x\" is invalid 'target_label' for replace action",
    );
    invalid(
        RuleSpec { target_label: "a-b".into(), name_validation: NameValidation::Legacy, ..spec("uppercase") },
        "invalid 'target_label' for uppercase",
    );
    invalid(
        RuleSpec { target_label: "t".into(), replacement: "x".into(), ..spec("lowercase") },
        "'replacement' can not be set for lowercase action",
    );
    invalid(
        RuleSpec { target_label: "t".into(), regex: "x".into(), ..spec("dropequal") },
        "dropequal action requires only 'source_labels' and `target_label`",
    );
    invalid(
        RuleSpec { source_labels: vec!["a".into()], ..spec("labeldrop") },
        "labeldrop action requires only 'regex'",
    );
    invalid(RuleSpec { target_label: "t".into(), ..spec("labelkeep") }, "labelkeep action requires only 'regex'");
    invalid(
        RuleSpec { replacement: "1$1".into(), name_validation: NameValidation::Legacy, ..spec("labelmap") },
        "is invalid 'replacement' for labelmap action",
    );
    invalid(RuleSpec { replacement: "".into(), ..spec("labelmap") }, "invalid 'replacement'");
    invalid(RuleSpec { regex: "(".into(), ..spec("keep") }, "invalid regular expression \"(\"");
    invalid(
        RuleSpec { source_labels: vec!["a b".into()], name_validation: NameValidation::Legacy, ..spec("keep") },
        "\"a b\" is not a valid label name",
    );
}

#[test]
fn valid_templates_and_names() {
    RelabelRule::new(RuleSpec {
        target_label: "${1}_x$2".into(),
        name_validation: NameValidation::Legacy,
        ..spec("replace")
    })
    .unwrap();
    RelabelRule::new(RuleSpec { target_label: "a-b".into(), ..spec("replace") }).unwrap();
    assert!(is_valid_legacy_label_name("_a9"));
    assert!(!is_valid_legacy_label_name("9a"));
    assert!(!is_valid_legacy_label_name(""));
    assert!(!is_valid_legacy_label_name("é"));
    assert!(is_valid_label_name("é.x-y"));
    assert!(!is_valid_label_name(""));
    for (t, ok) in [
        ("a", true),
        ("$1", true),
        ("${1}", true),
        ("a$1b", true),
        ("$", false),
        ("${}", false),
        ("${1", false),
        ("1a", false),
        ("a-b", false),
    ] {
        assert_eq!(names::is_valid_legacy_template(t), ok, "{t}");
    }
}

#[test]
fn expand_follows_go_semantics() {
    let re = Regex::new("(?P<first>a)(b)?(c)").unwrap();
    let caps = re.captures("ac").unwrap();
    for (tpl, want) in [
        ("$1", "a"),
        ("${1}x", "ax"),
        ("$1x", ""), // named group "1x" does not exist
        ("$first$3", "ac"),
        ("$2", ""),  // unmatched group
        ("$01", ""), // leading zero: a name, not a number
        ("$$1", "$1"),
        ("a$", "a$"), // malformed reference kept as text
        ("${first", "${first"),
        ("$-", "$-"),
    ] {
        assert_eq!(expand(tpl, &re, &caps), want, "{tpl}");
    }
}

#[test]
fn long_keep_lists_from_the_configuration_are_not_capped() {
    // A keep-list of 5,000 metric names (about 120 KB): query matchers this long and not plain
    // literals are refused, relabeling regexes from the operator's configuration are not.
    // Optional groups make the DFA large: at the regex crate's default cache size the first
    // match took 94 s in the test profile (see `DFA_CACHE_LIMIT`).
    let names: Vec<String> = (0..5_000).map(|i| format!("app_metric_{i}_total(_sum)?")).collect();
    let regex = names.join("|");
    assert!(regex.len() > crate::matcher::MAX_COMPILED_REGEX_LEN);
    let r = RuleSpec { source_labels: vec!["__name__".into()], regex, ..spec("keep") };
    let kept = [("__name__", "app_metric_4999_total_sum")];
    check(&kept, vec![r.clone()], Some(&kept));
    check(&[("__name__", "app_metric_17_total")], vec![r.clone()], Some(&[("__name__", "app_metric_17_total")]));
    check(&[("__name__", "other")], vec![r], None);
}
