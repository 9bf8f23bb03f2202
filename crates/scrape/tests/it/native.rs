//! Protobuf scrapes end to end: negotiation headers, native histograms stored as histogram
//! samples (with or without their classic series), bucket limits, fallback protocols, staleness.

use crate::harness::{Harness, Seen, job_config, serve};
use axum::Router;
use axum::http::{HeaderMap, header};
use std::sync::{Arc, Mutex};
use vigil_exposition::MetricType;
use vigil_exposition::protobuf::{Family, Histogram, Metric, NativeHistogram, PROTOBUF_CONTENT_TYPE, Value, encode};
use vigil_model::Matcher;
use vigil_storage::{Queryable, SelectHints};

/// A histogram with 4 native buckets at schema 3 (indices 0..4) and two classic buckets.
fn histogram_family(name: &str) -> Family {
    let h = Histogram {
        count: 12.0,
        sum: 12.5,
        buckets: vec![(1.0, 4.0), (2.0, 9.0)],
        native: Some(NativeHistogram {
            schema: 3,
            zero_threshold: 0.001,
            zero_count: 1.0,
            float: false,
            positive_spans: vec![(0, 4)],
            positive_deltas: vec![3, 0, -1, 1],
            positive_counts: vec![],
            negative_spans: vec![],
            negative_deltas: vec![],
            negative_counts: vec![],
        }),
    };
    Family {
        name: name.into(),
        help: "Request latency.".into(),
        kind: MetricType::Histogram,
        unit: String::new(),
        metrics: vec![Metric {
            labels: vec![("path".into(), "/".into())],
            timestamp_ms: None,
            value: Value::Histogram(h),
        }],
    }
}

fn gauge_family() -> Family {
    Family {
        name: "temperature".into(),
        help: String::new(),
        kind: MetricType::Gauge,
        unit: String::new(),
        metrics: vec![Metric { labels: vec![], timestamp_ms: None, value: Value::Gauge(21.5) }],
    }
}

fn body(families: &[Family]) -> Vec<u8> {
    let mut out = Vec::new();
    encode(families, &mut out);
    out
}

type Shared = Arc<Mutex<(Vec<u8>, Option<&'static str>)>>;

/// A router answering `/metrics` with whatever `shared` holds (body, Content-Type).
fn target(shared: &Shared) -> (Router, Seen) {
    let seen: Seen = Arc::default();
    let (s, shared) = (Arc::clone(&seen), Arc::clone(shared));
    let router = Router::new().route(
        "/metrics",
        axum::routing::get(move |headers: HeaderMap| {
            s.lock().unwrap().push(headers);
            let (body, ct) = shared.lock().unwrap().clone();
            async move {
                let mut h = HeaderMap::new();
                // An empty value rather than none: axum would add `application/octet-stream`.
                h.insert(header::CONTENT_TYPE, ct.unwrap_or("").parse().unwrap());
                (h, body)
            }
        }),
    );
    (router, seen)
}

async fn start(shared: &Shared, extra: &str) -> (Harness, Seen) {
    let (router, seen) = target(shared);
    let addr = serve(router).await;
    let h = Harness::start(&job_config(extra));
    h.set_targets(&[&[("__address__", &addr.to_string())]]).await;
    (h, seen)
}

/// The histogram samples of series `name`, as `{{...}}` notation (`stale` for markers).
fn histograms(h: &Harness, name: &str) -> Vec<String> {
    let q = h.db.querier(i64::MIN, i64::MAX).unwrap();
    let set = q.select(&SelectHints::default(), &[Matcher::equal("__name__", name)]).unwrap();
    set.iter()
        .flat_map(|s| s.samples.histograms.iter())
        .map(|(_, h)| if h.is_stale() { "stale".to_owned() } else { h.to_string() })
        .collect()
}

fn last_error(h: &Harness) -> String {
    h.manager.active_targets().first().map(|t| t.last_error.clone()).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_histograms_are_negotiated_and_stored_without_their_classic_series() {
    let shared: Shared =
        Arc::new(Mutex::new((body(&[histogram_family("rpc"), gauge_family()]), Some(PROTOBUF_CONTENT_TYPE))));
    let (h, seen) = start(&shared, "    scrape_native_histograms: true\n").await;
    h.wait_for("a histogram", |h| !histograms(h, "rpc").is_empty()).await;
    let accept = seen.lock().unwrap()[0][header::ACCEPT].to_str().unwrap().to_owned();
    assert!(
        accept.starts_with(
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,"
        ),
        "{accept}"
    );
    assert_eq!(
        histograms(&h, "rpc")[0],
        "{{schema:3 count:12 sum:12.5 z_bucket:1 z_bucket_w:0.001 buckets:[3 3 2 3]}}"
    );
    assert!(h.values("rpc_bucket").is_empty(), "classic series are not kept beside native ones");
    assert_eq!(h.values("temperature")[0], 21.5);
    // One histogram sample plus one gauge.
    assert_eq!(h.values("scrape_samples_scraped")[0], 2.0);

    // The histogram disappears: its series gets a stale histogram.
    shared.lock().unwrap().0 = body(&[gauge_family()]);
    h.wait_for("a stale histogram", |h| histograms(h, "rpc").last().is_some_and(|s| s == "stale")).await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn classic_series_are_kept_when_asked_for_or_when_native_scraping_is_off() {
    let shared: Shared = Arc::new(Mutex::new((body(&[histogram_family("rpc")]), Some(PROTOBUF_CONTENT_TYPE))));
    let (h, _) =
        start(&shared, "    scrape_native_histograms: true\n    always_scrape_classic_histograms: true\n").await;
    h.wait_for("both kinds", |h| !histograms(h, "rpc").is_empty() && !h.values("rpc_count").is_empty()).await;
    // le="1.0", le="2.0", le="+Inf", _sum, _count and the histogram.
    assert_eq!(h.values("scrape_samples_scraped")[0], 6.0);
    assert_eq!(h.dump("rpc_bucket").len(), 3);
    h.stop().await;

    let (h, seen) = start(&shared, "").await;
    h.wait_for("classic series", |h| !h.values("rpc_count").is_empty()).await;
    assert!(histograms(&h, "rpc").is_empty(), "native scraping is off by default");
    assert_eq!(h.values("rpc_count")[0], 12.0);
    let accept = seen.lock().unwrap()[0][header::ACCEPT].to_str().unwrap().to_owned();
    assert!(accept.starts_with("application/openmetrics-text;version=1.0.0"), "{accept}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bucket_limit_reduces_resolution_or_fails_the_scrape() {
    let shared: Shared = Arc::new(Mutex::new((body(&[histogram_family("rpc")]), Some(PROTOBUF_CONTENT_TYPE))));
    let (h, _) = start(&shared, "    scrape_native_histograms: true\n    native_histogram_bucket_limit: 2\n").await;
    h.wait_for("a histogram", |h| !histograms(h, "rpc").is_empty()).await;
    // Schema 3 → 2 merges buckets into (0)(1 2)(3), still 3; schema 1 into (0)(1 2 3).
    assert_eq!(histograms(&h, "rpc")[0], "{{schema:1 count:12 sum:12.5 z_bucket:1 z_bucket_w:0.001 buckets:[3 8]}}");
    h.stop().await;

    let mut wide = histogram_family("rpc");
    if let Value::Histogram(hist) = &mut wide.metrics[0].value {
        let native = hist.native.as_mut().unwrap();
        // Buckets far apart stay apart even at schema -4.
        native.positive_spans = vec![(0, 1), (100, 1), (100, 1), (100, 1)];
    }
    shared.lock().unwrap().0 = body(&[wide]);
    let (h, _) = start(&shared, "    scrape_native_histograms: true\n    native_histogram_bucket_limit: 2\n").await;
    h.wait_for("a failed scrape", |h| h.values("up").first() == Some(&0.0)).await;
    assert_eq!(last_error(&h), "histogram bucket limit exceeded");
    assert!(histograms(&h, "rpc").is_empty());
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_content_type_needs_a_fallback_protocol() {
    let shared: Shared = Arc::new(Mutex::new((body(&[gauge_family()]), None)));
    let (h, _) = start(&shared, "").await;
    h.wait_for("a failed scrape", |h| h.values("up").first() == Some(&0.0)).await;
    assert_eq!(
        last_error(&h),
        "non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target"
    );
    h.stop().await;

    let (h, _) = start(&shared, "    fallback_scrape_protocol: PrometheusProto\n").await;
    h.wait_for("the gauge", |h| !h.values("temperature").is_empty()).await;
    assert_eq!(h.values("up")[0], 1.0);
    h.stop().await;
}
