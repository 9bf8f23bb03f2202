//! Tests for `honor_labels` merging.

use super::merge;
use std::borrow::Cow;
use vigil_model::Labels;

fn check(scraped: &[(&str, &str)], honor: bool, want: &str) {
    let scraped: Vec<(Cow<'_, str>, Cow<'_, str>)> =
        scraped.iter().map(|(n, v)| (Cow::Borrowed(*n), Cow::Borrowed(*v))).collect();
    let target = Labels::from_pairs(&[("job", "api"), ("instance", "h:1")]);
    assert_eq!(merge(&scraped, &target, honor).to_string(), want);
}

#[test]
fn target_labels_are_added() {
    check(&[("__name__", "m"), ("a", "1")], false, r#"{__name__="m", a="1", instance="h:1", job="api"}"#);
    check(&[("__name__", "m")], true, r#"{__name__="m", instance="h:1", job="api"}"#);
}

#[test]
fn honor_labels_false_renames_conflicts() {
    check(&[("__name__", "m"), ("job", "x")], false, r#"{__name__="m", exported_job="x", instance="h:1", job="api"}"#);
    check(
        &[("__name__", "m"), ("job", "x"), ("exported_job", "y")],
        false,
        r#"{__name__="m", exported_exported_job="x", exported_job="y", instance="h:1", job="api"}"#,
    );
    // An empty scraped value is no conflict.
    check(&[("__name__", "m"), ("job", "")], false, r#"{__name__="m", instance="h:1", job="api"}"#);
}

#[test]
fn honor_labels_true_keeps_scraped_values() {
    check(&[("__name__", "m"), ("job", "x")], true, r#"{__name__="m", instance="h:1", job="x"}"#);
    // An empty scraped value wins and removes the label.
    check(&[("__name__", "m"), ("job", "")], true, r#"{__name__="m", instance="h:1"}"#);
}
