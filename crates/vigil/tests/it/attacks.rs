//! Hostile queries against the real binary: every attack gets an answer (an error, or the right
//! result for valid but extreme input) within a second, peak RSS stays within 200 MB of the
//! embedded default's, and the server keeps serving after each one.

use crate::support::{TestServer, http, rss};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// What an attack must get back.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// A `status: "error"` JSON answer with a 4xx/5xx code (not a dropped connection).
    Error,
    /// A `status: "success"` answer.
    Success,
}

/// Time within which every attack is answered.
const ANSWER_WITHIN: Duration = Duration::from_secs(1);
/// Peak RSS the attacks may add over the idle server's.
const RSS_BUDGET_BYTES: u64 = 200 << 20;

fn chain(term: &str, op: &str, n: usize) -> String {
    let mut q = String::with_capacity((term.len() + op.len() + 2) * n);
    for i in 0..n {
        if i > 0 {
            q.push(' ');
            q.push_str(op);
            q.push(' ');
        }
        q.push_str(term);
    }
    q
}

/// `n` alternatives of `pattern` with `{}` replaced by their number, joined by `|`.
fn alternation(pattern: &str, n: usize) -> String {
    (0..n).map(|i| pattern.replace("{}", &i.to_string())).collect::<Vec<_>>().join("|")
}

fn nested(open: &str, inner: &str, close: &str, n: usize) -> String {
    format!("{}{inner}{}", open.repeat(n), close.repeat(n))
}

/// The attacks, each with what it must get back.
fn attacks() -> Vec<(String, String, Expect)> {
    let mut v: Vec<(String, String, Expect)> = Vec::new();
    let mut add = |name: &str, q: String, e: Expect| v.push((name.to_owned(), q, e));

    // Long flat chains of every binary operator: valid PromQL, answered correctly.
    for op in ["+", "-", "*", "/", "%", "atan2", "== bool", "!= bool", "> bool", "< bool", ">= bool", "<= bool"] {
        add(&format!("2,000-term scalar chain of {op}"), chain("1", op, 2_000), Expect::Success);
    }
    add("2,000-term right-associative ^ chain", chain("1", "^", 2_000), Expect::Success);
    for op in ["and", "or", "unless", "+", "/ on(job) group_left", "> bool"] {
        add(&format!("2,000-term vector chain of {op}"), chain("up", op, 2_000), Expect::Success);
    }
    // Over `DEFAULT_MAX_BINARY_OPS` (4,096): a positioned error (Prometheus has no such limit;
    // docs/compatibility.md).
    add("100,000-term scalar chain", chain("1", "+", 100_000), Expect::Error);

    // Deep nesting: a clear error, never a stack overflow.
    add("30,000 nested parentheses", nested("(", "1", ")", 30_000), Expect::Error);
    add("30,000 nested calls", nested("abs(", "up", ")", 30_000), Expect::Error);
    add("30,000 unary minus", format!("{}1", "-".repeat(30_000)), Expect::Error);
    add("30,000 nested aggregations", nested("sum(", "up", ")", 30_000), Expect::Error);
    add("10,000 nested subqueries", nested("max_over_time((", "up", ")[1m:])", 10_000), Expect::Error);
    add("30,000 nested binary right operands", nested("1 + (", "1", ")", 30_000), Expect::Error);

    // Huge ranges and tiny steps: refused before the memory is spent.
    add("10y subquery at 1ms", "count_over_time(vector(1)[10y:1ms])".into(), Expect::Error);
    add("nested subqueries at 1ms", "max_over_time(count_over_time(vector(1)[1d:1ms])[1d:1ms])".into(), Expect::Error);
    add("subquery inside a range function at 1ms", "rate((up)[100y:1ms])".into(), Expect::Error);
    add("huge duration literal", "rate(up[99999999999999999999y])".into(), Expect::Error);
    add("100y range selector", "count_over_time(up[100y])".into(), Expect::Success);

    // Absurd parameters: no allocation proportional to them.
    add("topk 1e18", "topk(1e18, up)".into(), Expect::Success);
    add("bottomk 1e18", "bottomk(1e18, up)".into(), Expect::Success);
    add("limitk 1e18", "limitk(1e18, up)".into(), Expect::Success);
    add("quantile 1e18", "quantile(1e18, up)".into(), Expect::Success);
    add("topk NaN", "topk(NaN, up)".into(), Expect::Error);

    // Regexes of catastrophic shapes: linear-time engine, size-limited compilation.
    add("nested quantifiers", r#"up{job=~"(a+)+$"}"#.into(), Expect::Success);
    add("alternation blowup", r#"up{job=~"(a|aa)*(a|aa)*(a|aa)*b"}"#.into(), Expect::Success);
    add("huge counted repetition", r#"up{job=~"((a{1000}){1000}){1000}"}"#.into(), Expect::Error);
    add("50 KB regex", format!(r#"up{{job=~"{}"}}"#, "a|".repeat(25_000) + "a"), Expect::Success);
    // Under the 1 MiB query cap: parse time bounded by the regex-matcher limit.
    add(
        "900 KB literal alternation",
        format!(r#"up{{job=~"{}"}}"#, alternation(r"host{}\\.example\\.com", 40_000)),
        Expect::Success,
    );
    // Not literals: over the 64 KiB compiled-regex cap, refused before the parser spends memory.
    add("900 KB regex", format!(r#"up{{job=~"{}"}}"#, "a.|".repeat(300_000) + "a"), Expect::Error);
    add("6 KB regex", format!(r#"up{{job=~"{}"}}"#, "a.|".repeat(2_000) + "a"), Expect::Success);
    // Under the length cap but over the regex engine's 10 MB compiled-program limit.
    add("60 KB regex", format!(r#"up{{job=~"{}"}}"#, "a.|".repeat(20_000) + "a"), Expect::Error);
    add("1,024 regex matchers", format!("up{{{}}}", vec![r#"a=~"x.*""#; 1_024].join(",")), Expect::Success);
    add("1,025 regex matchers", format!("up{{{}}}", vec![r#"a=~"x.*""#; 1_025].join(",")), Expect::Error);
    add("900 KB of equality matchers", format!("up{{{}}}", vec![r#"a="x""#; 120_000].join(",")), Expect::Success);
    add("900 KB string", format!(r#"label_replace(up, "a", "{}", "b", "")"#, "x".repeat(900_000)), Expect::Success);
    add("every series", r#"{__name__=~".+"}"#.into(), Expect::Success);
    add("over the query length cap", format!(r#"up{{job=~"{}"}}"#, "a|".repeat(600_000) + "a"), Expect::Error);
    add("empty-matching selector", r#"{job=~".*"}"#.into(), Expect::Error);

    // The experimental syntax (enabled for this test): durations, fill modifiers, anchored.
    add("2,000-term duration sum", format!("count_over_time(up[{}])", chain("1s", "+", 2_000)), Expect::Success);
    add("4,000-term ^ chain in a range", format!("count_over_time(up[{}])", chain("2", "^", 4_000)), Expect::Error);
    add("30,000 nested duration parentheses", format!("up[{}]", nested("(", "1", ")", 30_000)), Expect::Error);
    add("10,000 nested min_of", format!("up[{}]", nested("min_of(1s, ", "1", ")", 10_000)), Expect::Error);
    add("offset overflowing at resolution", "up offset ((step() + 1) * 1e300)".into(), Expect::Error);
    add("range of step() in an instant query", "count_over_time(up[step()])".into(), Expect::Error);
    add("2,000-term fill chain", chain("up", "+ fill(0)", 2_000), Expect::Success);
    add("fill with a huge value", "up * on(job) group_left fill(1e308) up".into(), Expect::Success);
    add("anchored 100y window", "increase(up[100y] anchored)".into(), Expect::Success);
    add("smoothed 100y window", "rate(up[100y] smoothed)".into(), Expect::Success);
    // info() joining every series with every series, nested, and with a huge label selector.
    add("info of everything by everything", r#"info({__name__=~".+"}, {__name__=~".+"})"#.into(), Expect::Success);
    add("200 nested info", nested("info(", "up", ")", 200), Expect::Success);
    add(
        "info with 1,000 data matchers",
        format!("info(up, {{{}}})", vec![r#"a!="x""#; 1_000].join(",")),
        Expect::Success,
    );
    add("info with a named second argument", "info(up, up)".into(), Expect::Error);
    // Classic histogram functions over every series (no `le`: a warning each) and many quantiles.
    add(
        "histogram_fraction of everything",
        r#"histogram_fraction(-Inf, +Inf, {__name__=~".+"})"#.into(),
        Expect::Success,
    );
    add(
        "histogram_quantiles with 2,000 quantiles",
        format!(
            r#"histogram_quantiles(rate(http_request_duration_seconds_bucket[1m]), "q", {})"#,
            (0..2_000).map(|i| (f64::from(i) / 2_000.0).to_string()).collect::<Vec<_>>().join(", ")
        ),
        Expect::Success,
    );
    v
}

/// URL-encodes `pairs` as an `application/x-www-form-urlencoded` body.
fn form_body(pairs: &[(&str, &str)]) -> String {
    let mut u = reqwest::Url::parse("http://form/").expect("static URL");
    u.query_pairs_mut().extend_pairs(pairs);
    u.query().unwrap_or_default().to_owned()
}

/// POSTs a form to `url`.
fn post_form(url: &str, pairs: &[(&str, &str)]) -> reqwest::Result<reqwest::blocking::Response> {
    http().post(url).header("content-type", "application/x-www-form-urlencoded").body(form_body(pairs)).send()
}

/// Sends `query` as a form POST to `/api/v1/query` and returns (status, status field, elapsed).
fn post_query(base: &str, query: &str) -> (u16, String, Duration) {
    let started = Instant::now();
    let r = post_form(&format!("{base}/api/v1/query"), &[("query", query)]);
    let elapsed = started.elapsed();
    match r {
        Ok(r) => {
            let code = r.status().as_u16();
            let body: serde_json::Value = r.json().unwrap_or_default();
            (code, body["status"].as_str().unwrap_or("<no status>").to_owned(), elapsed)
        }
        Err(e) => (0, format!("request failed: {e}"), elapsed),
    }
}

fn assert_serving(server: &TestServer, after: &str) {
    let r = http().get(format!("{}/api/v1/query?query=1%2B1", server.url())).send();
    let ok = r.is_ok_and(|r| r.status().is_success());
    assert!(ok, "server stopped serving after {after}; log:\n{}", server.log());
}

#[test]
fn hostile_queries_get_bounded_answers_and_the_server_keeps_serving() {
    // Every experimental feature on: `limitk`, duration expressions and fill modifiers are attacked.
    let server = TestServer::start(&[
        "--demo.listen-address=127.0.0.1:0",
        "--enable-feature=promql-experimental-functions,promql-duration-expr,promql-binop-fill-modifiers",
        "--enable-feature=promql-extended-range-selectors",
    ]);
    let base = server.url();
    // Warm up: a few ordinary queries so that the baseline includes the query path's normal state.
    for _ in 0..3 {
        post_query(&base, "sum(rate(http_requests_total[1m]))");
    }
    let (baseline, _) = rss(server.pid());
    let mut failures = Vec::new();
    for (name, query, expect) in attacks() {
        let (code, status, elapsed) = post_query(&base, &query);
        let got = match status.as_str() {
            "success" => Some(Expect::Success),
            "error" if code >= 400 => Some(Expect::Error),
            _ => None,
        };
        if got != Some(expect) {
            failures.push(format!("{name}: expected {expect:?}, got HTTP {code} status {status}"));
        }
        if elapsed > ANSWER_WITHIN {
            failures.push(format!("{name}: answered in {elapsed:?} (limit {ANSWER_WITHIN:?})"));
        }
        assert_serving(&server, &name);
    }
    let (_, peak) = rss(server.pid());
    let grown = peak.saturating_sub(baseline);
    // Recorded in docs/benchmarks.md: run with `-- --nocapture attacks` to see it.
    eprintln!("attacks: RSS before {} MB, peak {} MB (grown {} MB)", baseline >> 20, peak >> 20, grown >> 20);
    assert!(grown < RSS_BUDGET_BYTES, "peak RSS grew by {} MB during the attacks", grown >> 20);
    assert!(failures.is_empty(), "{} attacks misbehaved:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn short_lived_series_are_answered_and_spread_ones_bounded_by_the_sample_budget() {
    // Series present at one step each of 11,000: each holds only its own step, so they are
    // answered as Prometheus answers them; values that recur far apart hold the steps between,
    // charged to the budget, so memory stays within 16 bytes × `--query.max-samples` (80 MB).
    let server = TestServer::start(&["--demo.listen-address=127.0.0.1:0", "--query.max-samples=5000000"]);
    let base = server.url();
    let (baseline, _) = rss(server.pid());
    let per_step = r#"count_values("v", vector(time()))"#;
    let range = |q: &str| {
        let started = Instant::now();
        let r = post_form(
            &format!("{base}/api/v1/query_range"),
            &[("query", q), ("start", "0"), ("end", "10999"), ("step", "1")],
        );
        (r.map(|r| r.status().as_u16()).unwrap_or(0), started.elapsed())
    };
    let mut failures = Vec::new();
    let spread = r#"count_values("v", vector(time() % 5000))"#;
    for (q, want) in [
        (per_step.to_owned(), 200),
        (format!("vector(1) * on() group_left(v) {per_step}"), 200),
        (format!("sum by (v) ({per_step})"), 200),
        (format!("count_over_time(({per_step})[1m:1s])"), 200),
        // 5,000 series spanning 6,000 steps or more each: 17 M samples' worth of spans.
        (spread.to_owned(), 422),
        (format!("sum by (v) ({spread})"), 422),
        (format!("vector(1) * on() group_left(v) {spread}"), 422),
    ] {
        let (code, elapsed) = range(&q);
        if code != want || elapsed > ANSWER_WITHIN {
            failures.push(format!("range {q}: HTTP {code} after {elapsed:?}, want {want}"));
        }
        assert_serving(&server, &q);
    }
    // A day of one-second steps inside an instant query: 86,400 series of one value each.
    let q = format!("count_over_time(({per_step})[1d:1s])");
    let (code, status, elapsed) = post_query(&base, &q);
    if code != 200 || status != "success" || elapsed > ANSWER_WITHIN {
        failures.push(format!("{q}: HTTP {code} {status} after {elapsed:?}"));
    }
    assert_serving(&server, &q);
    let (_, peak) = rss(server.pid());
    let grown = peak.saturating_sub(baseline);
    eprintln!("short-lived and spread series: RSS grown {} MB", grown >> 20);
    assert!(grown < RSS_BUDGET_BYTES, "peak RSS grew by {} MB", grown >> 20);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn label_and_series_endpoints_bound_their_selectors() {
    // The metadata endpoints parse `match[]` with the query parser's limits and answer in time.
    let server = TestServer::start(&["--demo.listen-address=127.0.0.1:0"]);
    let base = server.url();
    let (baseline, _) = rss(server.pid());
    let hosts = alternation(r"host{}\\.example\\.com", 40_000);
    let cases = [
        (format!(r#"up{{job=~"{hosts}"}}"#), 200),
        (r#"{__name__=~".+"}"#.to_owned(), 200),
        (format!("up{{{}}}", vec![r#"a=~"x.*""#; 1_025].join(",")), 400),
        (format!(r#"up{{job=~"{}"}}"#, "a.|".repeat(300_000) + "a"), 400),
        (nested("(", "up", ")", 30_000), 400),
    ];
    let mut failures = Vec::new();
    for path in ["/api/v1/labels", "/api/v1/label/job/values", "/api/v1/series"] {
        for (selector, want) in &cases {
            // Huge URLs are refused by the HTTP layer before the handler (noted on issue 5).
            if path.contains("/values") && selector.len() > 16 << 10 {
                continue;
            }
            let started = Instant::now();
            // `/api/v1/label/{name}/values` is GET only, as in Prometheus.
            let r = if path.contains("/values") {
                http().get(format!("{base}{path}?{}", form_body(&[("match[]", selector.as_str())]))).send()
            } else {
                post_form(&format!("{base}{path}"), &[("match[]", selector.as_str())])
            };
            let code = r.map(|r| r.status().as_u16()).unwrap_or(0);
            let elapsed = started.elapsed();
            if code != *want || elapsed > ANSWER_WITHIN {
                let shown: String = selector.chars().take(40).collect();
                failures.push(format!("{path} {shown}…: HTTP {code} (want {want}) after {elapsed:?}"));
            }
        }
        assert_serving(&server, path);
    }
    let (_, peak) = rss(server.pid());
    let grown = peak.saturating_sub(baseline);
    assert!(grown < RSS_BUDGET_BYTES, "peak RSS grew by {} MB", grown >> 20);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn huge_range_queries_are_refused_fast() {
    let server = TestServer::start(&["--demo.listen-address=127.0.0.1:0"]);
    let cases = [
        // 10 years at 1 ms steps: the API's point limit.
        ("vector(1)", "0", "315360000", "0.001"),
        // A subquery that rules could also send: bounded inside the engine.
        ("count_over_time(vector(1)[10y:1ms])", "0", "60", "15"),
    ];
    for (q, start, end, step) in cases {
        let started = Instant::now();
        let r = post_form(
            &format!("{}/api/v1/query_range", server.url()),
            &[("query", q), ("start", start), ("end", end), ("step", step)],
        )
        .expect("request");
        let elapsed = started.elapsed();
        let code = r.status().as_u16();
        assert!(code == 400 || code == 422, "{q}: not refused (HTTP {code})");
        assert!(elapsed < ANSWER_WITHIN, "{q}: refused after {elapsed:?}");
    }
    assert_serving(&server, "huge range queries");
}

#[test]
fn oversized_bodies_and_slow_clients_do_not_take_the_server_down() {
    let server = TestServer::start(&["--demo.listen-address=127.0.0.1:0"]);
    let addr = format!("127.0.0.1:{}", server.port);
    let (baseline, _) = rss(server.pid());

    // A form body over Prometheus' 10 MB: refused without being buffered whole, and quickly.
    let body = format!("query={}1", "1%2B".repeat(3 << 20));
    let started = Instant::now();
    let r = http()
        .post(format!("{}/api/v1/query", server.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send();
    if let Ok(r) = r {
        assert!(r.status().is_client_error(), "12 MB body answered {}", r.status());
    }
    assert!(started.elapsed() < Duration::from_secs(5), "12 MB body took {:?}", started.elapsed());
    assert_serving(&server, "a 12 MB body");

    // Request lines and headers past the HTTP layer's limits get a status, not a dropped
    // connection: 414 for a URI over 64 KiB, 431 for a head well over the read buffer (about 400 KB; how much fits depends on how the
    // bytes arrive, so 2 MB).
    for (what, head, status) in [
        ("a 70 KB URI", format!("GET /api/v1/query?query={} HTTP/1.1\r\nHost: x\r\n", "1%2B".repeat(17_500)), 414),
        (
            "a 2 MB header",
            format!("GET /api/v1/query?query=up HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n", "a".repeat(2_000_000)),
            431,
        ),
    ] {
        // The server answers before reading the rest and then closes, so the kernel may reset
        // the connection and drop an answer not yet read: a reader runs while the head is
        // written, and a reset before any byte arrived is tried again.
        let mut answer = String::new();
        for _ in 0..3 {
            let mut s = TcpStream::connect(&addr).expect("connect");
            s.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
            let mut r = s.try_clone().expect("clone socket");
            let reader = std::thread::spawn(move || {
                let mut got = Vec::new();
                let _ = r.read_to_end(&mut got);
                got
            });
            let _ = s.write_all(format!("{head}Connection: close\r\n\r\n").as_bytes());
            answer = String::from_utf8_lossy(&reader.join().expect("reader")).into_owned();
            if !answer.is_empty() {
                break;
            }
        }
        assert!(answer.starts_with(&format!("HTTP/1.1 {status} ")), "{what}: {:?}", &answer[..answer.len().min(200)]);
        assert_serving(&server, what);
    }

    // Slow clients: many connections that send half a request and then stall, plus one that
    // trickles a byte at a time. Others are still served meanwhile.
    let mut stalled = Vec::new();
    for _ in 0..200 {
        if let Ok(mut s) = TcpStream::connect(&addr) {
            let _ = s.write_all(b"POST /api/v1/query HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nquery=");
            stalled.push(s);
        }
    }
    let mut trickle = TcpStream::connect(&addr).expect("connect");
    for b in b"GET /api/v1/query?query=up HTTP/1.1\r\n" {
        let _ = trickle.write_all(&[*b]);
        std::thread::sleep(Duration::from_millis(5));
    }
    let started = Instant::now();
    assert_serving(&server, "200 stalled connections");
    assert!(started.elapsed() < ANSWER_WITHIN, "served after {:?} with stalled clients", started.elapsed());

    // A client that hangs up on a heavy query does not leave it running.
    let mut s = TcpStream::connect(&addr).expect("connect");
    let q = "query=count_over_time(vector(1)%5B30d%3A1s%5D)";
    let req = format!(
        "POST /api/v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{q}",
        q.len()
    );
    s.write_all(req.as_bytes()).expect("send");
    std::thread::sleep(Duration::from_millis(50));
    drop(s);
    drop(stalled);
    let mut buf = [0u8; 1];
    let _ = trickle.set_read_timeout(Some(Duration::from_millis(10)));
    let _ = trickle.read(&mut buf);
    assert_serving(&server, "a client that hung up");
    let (_, peak) = rss(server.pid());
    let grown = peak.saturating_sub(baseline);
    assert!(grown < RSS_BUDGET_BYTES, "peak RSS grew by {} MB", grown >> 20);
}

/// CPU time (user + system) `pid` has used so far, from /proc (clock ticks of 10 ms).
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let fields: Vec<u64> =
        stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().map(|f| f.parse().unwrap_or(0)).collect();
    let ticks = fields.get(11).copied().unwrap_or(0) + fields.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// A query that runs for many seconds on one thread with little memory: the median of a 3-day
/// window at 1 s resolution for each of 10,000 steps.
fn heavy_range_query(timeout: &str) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let q = format!(
        "query=quantile_over_time(0.5%2C%20vector(1)%5B3d%3A1s%5D)&start={}&end={now}&step=60&timeout={timeout}",
        now - 600_000
    );
    format!(
        "POST /api/v1/query_range HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{q}",
        q.len()
    )
}

#[test]
fn a_client_that_hangs_up_cancels_its_query_within_100ms_of_cpu() {
    let server = TestServer::start(&["--query.timeout=2m", "--demo.listen-address=127.0.0.1:0"]);
    let addr = format!("127.0.0.1:{}", server.port);
    // The query is heavy: with a 1 s timeout it times out (inside the range function's loop).
    let mut s = TcpStream::connect(&addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).expect("read timeout");
    s.write_all(heavy_range_query("1s").as_bytes()).expect("send");
    let started = Instant::now();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.contains("query timed out"), "expected a timeout: {answer}");
    assert!(started.elapsed() < Duration::from_secs(3), "the timeout took {:?}", started.elapsed());

    // Idle CPU of the default stack over the measuring window, for comparison.
    let window = Duration::from_millis(1500);
    let before = cpu_time(server.pid());
    std::thread::sleep(window);
    let idle = cpu_time(server.pid()) - before;

    // The same query with the full two minutes, abandoned after 300 ms.
    let mut s = TcpStream::connect(&addr).expect("connect");
    s.write_all(heavy_range_query("2m").as_bytes()).expect("send");
    std::thread::sleep(Duration::from_millis(300));
    let running = cpu_time(server.pid());
    drop(s);
    std::thread::sleep(window);
    let after = cpu_time(server.pid()) - running;
    eprintln!("hang-up: idle {idle:?} per {window:?}, {after:?} after the client left");
    assert!(
        after <= idle + Duration::from_millis(100),
        "the query kept running after its client left: {after:?} of CPU in {window:?} (idle: {idle:?})"
    );
    assert_serving(&server, "a client that hung up on a heavy query");
}
