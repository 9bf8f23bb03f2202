//! `--enable-feature` against the real binary: experimental PromQL is refused by default with
//! an error naming the flag, works once the flag names it, and unknown names only get a warning.

use crate::support::{TestServer, api_get, write_file};

const FILL: &str =
    r#"label_replace(vector(1), "k", "a", "", "") + fill(10) label_replace(vector(2), "k", "b", "", "")"#;

fn answer(server: &TestServer, q: &str) -> serde_json::Value {
    api_get(&server.url(), "/api/v1/query", &[("query", q), ("time", "1000")])
}

#[test]
fn experimental_promql_needs_enable_feature() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write_file(dir.path(), "prometheus.yml", "scrape_configs: []\n");
    let cfg_arg = format!("--config.file={}", cfg.display());

    let plain = TestServer::start(&[&cfg_arg]);
    for (q, flag) in [(FILL, "promql-binop-fill-modifiers"), ("limitk(1, vector(1))", "promql-experimental-functions")]
    {
        let v = answer(&plain, q);
        assert_eq!(v["errorType"], "bad_data", "{q}: {v}");
        let err = v["error"].as_str().unwrap_or_default();
        assert!(err.contains("parse error") && err.contains(flag), "{q}: {err}");
    }
    drop(plain);

    let enabled = TestServer::start(&[
        &cfg_arg,
        "--enable-feature=promql-binop-fill-modifiers,exemplar-storage",
        "--enable-feature=promql-experimental-functions",
    ]);
    let v = answer(&enabled, &format!("sort({FILL})"));
    assert_eq!(v["status"], "success", "{v}");
    let got: Vec<(String, String)> = v["data"]["result"]
        .as_array()
        .expect("vector")
        .iter()
        .map(|s| {
            (
                s["metric"]["k"].as_str().unwrap_or_default().to_owned(),
                s["value"][1].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    // Neither side matches: each series meets the other side's fill value.
    assert_eq!(got, [("a".to_owned(), "11".to_owned()), ("b".to_owned(), "12".to_owned())]);
    assert_eq!(answer(&enabled, "limitk(1, vector(1))")["status"], "success");
    let flags = enabled.get_json("/api/v1/status/flags");
    assert_eq!(
        flags["data"]["enable-feature"],
        "promql-binop-fill-modifiers,exemplar-storage,promql-experimental-functions"
    );
    assert!(enabled.log().contains("exemplar-storage"), "unknown feature names are logged");
}
