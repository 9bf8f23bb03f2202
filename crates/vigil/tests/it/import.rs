//! `POST /api/v1/import/prometheus` on the real binary: a day of history imported and queried
//! back, gzip and `extra_label`, and hostile bodies (bad and huge lines, a gzip bomb, a stalled
//! body, a client that hangs up), each answered in bounded time and memory while the server
//! keeps serving.

use crate::support::{TestServer, api_get, http, rss};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const PATH: &str = "/api/v1/import/prometheus";

fn now_ms() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

fn server(extra: &[&str]) -> TestServer {
    let mut args = vec!["--demo.listen-address=127.0.0.1:0", "--web.enable-import"];
    args.extend_from_slice(extra);
    TestServer::start(&args)
}

fn post(s: &TestServer, query: &str, body: Vec<u8>, gzip: bool) -> (u16, String) {
    let mut req = http().post(format!("{}{PATH}{query}", s.url())).body(body);
    if gzip {
        req = req.header("Content-Encoding", "gzip");
    }
    let r = req.send().expect("import request");
    (r.status().as_u16(), r.text().unwrap_or_default())
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// The scalar of an instant query at `t` (ms), or `None` for an empty result.
fn scalar_at(s: &TestServer, q: &str, t: i64) -> Option<f64> {
    let time = format!("{}.{:03}", t / 1000, t % 1000);
    let v = api_get(&s.url(), "/api/v1/query", &[("query", q), ("time", &time)]);
    assert_eq!(v["status"], "success", "{q}: {v}");
    v["data"]["result"].get(0).map(|r| r["value"][1].as_str().unwrap().parse().unwrap())
}

fn assert_serving(s: &TestServer, after: &str) {
    let ok = http().get(format!("{}/api/v1/query?query=1%2B1", s.url())).send().is_ok_and(|r| r.status().is_success());
    assert!(ok, "server stopped serving after {after}; log:\n{}", s.log());
}

/// A day of 15 s samples for `series` new series, series after series as the benchmark sends it:
/// each series starts 24 h back after the previous one already reached now.
fn day_of_history(series: usize, end: i64) -> (Vec<u8>, usize) {
    let steps = 24 * 3600 / 15;
    let mut body = Vec::new();
    writeln!(body, "# TYPE backfill_total counter").unwrap();
    for s in 0..series {
        for i in 0..steps {
            let t = end - (steps - 1 - i) as i64 * 15_000;
            writeln!(body, "backfill_total{{series=\"{s}\",job=\"bf\"}} {} {t}", i * (s + 1)).unwrap();
        }
    }
    (body, steps)
}

#[test]
fn imported_history_is_queryable_and_the_endpoint_is_opt_in() {
    let s = server(&[]);
    let end = now_ms() / 15_000 * 15_000 - 60_000;
    let (body, steps) = day_of_history(20, end);
    let (status, text) = post(&s, "", body, false);
    assert_eq!(status, 204, "{text}\n{}", s.log());
    let total = 20 * steps;
    let count = format!("sum(count_over_time(backfill_total[{}s]))", 24 * 3600);
    assert_eq!(scalar_at(&s, &count, end), Some(total as f64));
    // The oldest sample of the last series, a day back, and a value from the middle.
    let oldest = end - (steps as i64 - 1) * 15_000;
    assert_eq!(scalar_at(&s, "backfill_total{series=\"19\"}", oldest), Some(0.0));
    assert_eq!(scalar_at(&s, "backfill_total{series=\"3\"}", oldest + 100 * 15_000), Some(400.0));
    let range = api_get(
        &s.url(),
        "/api/v1/query_range",
        &[
            ("query", "sum(rate(backfill_total[5m]))"),
            ("start", &(oldest / 1000 + 600).to_string()),
            ("end", &(end / 1000).to_string()),
            ("step", "60"),
        ],
    );
    assert_eq!(range["status"], "success", "{range}");
    let points = range["data"]["result"][0]["values"].as_array().unwrap().len();
    assert!(points > 1400, "{points} points");

    // Gzip, extra_label, lines without timestamps (stored at the request's time).
    let t0 = now_ms();
    let lines = format!("gz_metric{{a=\"1\"}} 7 {}\ngz_metric{{a=\"2\"}} 8\n", t0 - 3_600_000);
    let (status, text) = post(&s, "?extra_label=job=imported&extra_label=zone=z1", gzip(lines.as_bytes()), true);
    assert_eq!(status, 204, "{text}");
    assert_eq!(scalar_at(&s, "gz_metric{a=\"1\",job=\"imported\",zone=\"z1\"}", t0 - 3_600_000), Some(7.0));
    assert_eq!(scalar_at(&s, "gz_metric{a=\"2\",job=\"imported\"}", now_ms() + 1000), Some(8.0));

    let off = TestServer::start(&["--demo.listen-address=127.0.0.1:0"]);
    let (status, text) = post(&off, "", b"x 1\n".to_vec(), false);
    assert_eq!(status, 404, "{text}");
    assert!(text.contains("--web.enable-import"), "{text}");
}

/// Writes a raw HTTP/1.1 import request head announcing `length` body bytes.
fn raw_request(s: &TestServer, length: usize) -> TcpStream {
    let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(c, "POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n").unwrap();
    c
}

#[test]
fn hostile_bodies_get_bounded_answers_and_the_server_keeps_serving() {
    let s = server(&[
        "--web.import.max-line-bytes=65536",
        "--web.import.max-body-bytes=67108864",
        "--web.import.idle-timeout=1s",
    ]);
    let t = now_ms() - 60_000;
    let (baseline, _) = rss(s.pid());

    // A bad line after good ones: 400 naming line and column; the lines before it are imported.
    let body = format!("ok_a 1 {t}\nok_a 2 {}\nok_a{{x=\"1\" 3 {t}\n", t + 1);
    let started = Instant::now();
    let (status, text) = post(&s, "", body.into_bytes(), false);
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("cannot parse line 3:"), "{text}");
    assert!(text.contains("2 samples of the lines before it were imported"), "{text}");
    assert_eq!(scalar_at(&s, "count_over_time(ok_a[1m])", t + 1), Some(2.0));

    // A 2 MiB line: refused once 64 KiB of it are buffered.
    let mut huge = b"huge{l=\"".to_vec();
    huge.resize(2 << 20, b'a');
    let (status, text) = post(&s, "", huge, false);
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("line 1 is longer than 65536 bytes"), "{text}");

    // A gzip bomb: 1 GiB of newlines in about a megabyte stops at the 64 MiB body limit.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![b'\n'; 1 << 20];
    for _ in 0..1024 {
        enc.write_all(&block).unwrap();
    }
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < 2 << 20, "{}", bomb.len());
    let (status, text) = post(&s, "", bomb, true);
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("the request body exceeds 67108864 bytes"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    assert_serving(&s, "bad bodies");

    // A body that stalls: aborted after the 1 s idle timeout with an answer.
    let mut c = raw_request(&s, 1 << 20);
    write!(c, "slow_a 1 {t}\nslow_a 2 {}\n", t + 1).unwrap();
    let started = Instant::now();
    let mut answer = String::new();
    let _ = c.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("the request body stalled"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(scalar_at(&s, "count_over_time(slow_a[1m])", t + 1), Some(2.0));

    // A client that hangs up half-way: the complete lines before are kept, the server goes on.
    let mut c = raw_request(&s, 1 << 20);
    write!(c, "gone_a 1 {t}\ngone_a 2 {}\ngone_a 3", t + 1).unwrap();
    drop(c);
    let kept = crate::support::eventually(Duration::from_secs(5), || {
        scalar_at(&s, "count_over_time(gone_a[1m])", t + 1).filter(|&n| n == 2.0)
    });
    assert_eq!(kept, Some(2.0), "log:\n{}", s.log());
    assert_serving(&s, "a client that hung up");

    let (_, peak) = rss(s.pid());
    assert!(peak < baseline + (200 << 20), "peak RSS {peak} over baseline {baseline}");
}
