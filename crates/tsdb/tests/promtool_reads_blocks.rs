//! Block format compatibility with Prometheus, both ways, through Debian's `promtool` 2.42
//! (installed by `scripts/install-test-deps.sh`; the test fails without it):
//! - a block Vigil writes is listed by `promtool tsdb list`, analysed by `promtool tsdb analyze`
//!   and dumped sample for sample by `promtool tsdb dump`, as is a block the database cuts from
//!   its head;
//! - blocks that `promtool tsdb create-blocks-from openmetrics` writes open in Vigil's reader and
//!   give back every sample of the input.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use vigil_model::Labels;
use vigil_tsdb::block::{Block, BlockChunk, BlockSeries, write_block};
use vigil_tsdb::chunk::{XorChunk, XorIter};

const PROMTOOL: &str = "/usr/bin/promtool";
const HOUR: i64 = 3_600_000;

/// Samples keyed by the series' `{…}` text as promtool prints it.
type Dataset = BTreeMap<String, Vec<(i64, f64)>>;

fn promtool(args: &[&str]) -> String {
    assert!(Path::new(PROMTOOL).exists(), "{PROMTOOL} missing: run scripts/install-test-deps.sh");
    let out = Command::new(PROMTOOL).args(args).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "promtool {args:?} failed: {}\n{text}", String::from_utf8_lossy(&out.stderr));
    text
}

/// Prometheus' text form of a label set: `{a="1", b="2"}`.
fn label_text(l: &Labels) -> String {
    let parts: Vec<String> = l.iter().map(|l| format!("{}=\"{}\"", l.name, l.value)).collect();
    format!("{{{}}}", parts.join(", "))
}

/// A value every float formatter prints exactly: integers, halves, big and negative ones.
fn value(series: usize, i: usize) -> f64 {
    match series % 4 {
        0 => i as f64,
        1 => i as f64 * 0.5 - 40.0,
        2 => 1e9 + (i * series) as f64,
        _ => 1.0 - i as f64 * 0.25,
    }
}

/// The samples of `promtool tsdb dump` output (`{labels} value timestamp` lines).
fn parse_dump(dump: &str) -> Dataset {
    let mut got = Dataset::new();
    for line in dump.lines() {
        let (labels, rest) = line.rsplit_once("} ").unwrap_or_else(|| panic!("odd dump line {line:?}"));
        let (v, t) = rest.split_once(' ').unwrap();
        got.entry(format!("{labels}}}")).or_default().push((t.parse().unwrap(), v.parse().unwrap()));
    }
    got
}

#[test]
fn promtool_lists_analyses_and_dumps_a_vigil_block() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = Vec::new();
    let mut want = Dataset::new();
    for s in 0..40 {
        let labels = Labels::from_pairs(&[
            ("__name__", if s % 2 == 0 { "http_requests_total" } else { "node_load1" }),
            ("instance", &format!("host-{s:02}:9100")),
            ("job", if s % 3 == 0 { "node" } else { "api" }),
        ]);
        // 200 samples every 15 s, in chunks of 120 as the head cuts them.
        let samples: Vec<(i64, f64)> = (0..200).map(|i| (i as i64 * 15_000 + s as i64, value(s, i))).collect();
        let chunks = samples
            .chunks(120)
            .map(|part| {
                let mut c = XorChunk::new();
                part.iter().for_each(|&(t, v)| c.append(t, v).unwrap());
                BlockChunk { mint: part[0].0, maxt: part[part.len() - 1].0, encoding: 1, data: c.bytes().to_vec() }
            })
            .collect();
        want.insert(label_text(&labels), samples);
        input.push(BlockSeries { labels, chunks });
    }
    let meta = write_block(dir.path(), input, 0, 2 * HOUR, 1, Vec::new()).unwrap();
    let data = dir.path().to_str().unwrap();

    let list = promtool(&["tsdb", "list", data]);
    let row = list.lines().find(|l| l.starts_with(&meta.ulid)).unwrap_or_else(|| panic!("block not listed:\n{list}"));
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert!(cols.contains(&"8000") && cols.contains(&"40") && cols.contains(&"80"), "samples, series, chunks: {row}");

    let analysis = promtool(&["tsdb", "analyze", data, &meta.ulid]);
    assert!(analysis.contains("Series: 40"), "{analysis}");
    assert!(analysis.contains("Label names: 3"), "{analysis}");
    assert!(analysis.contains("http_requests_total") && analysis.contains("host-"), "{analysis}");

    // `dump` opens the directory as a database, which has a WAL (an empty one here).
    std::fs::create_dir(dir.path().join("wal")).unwrap();
    let dump = promtool(&["tsdb", "dump", "--min-time=0", &format!("--max-time={}", 2 * HOUR), data]);
    let got = parse_dump(&dump);
    assert_eq!(got, want);
}

#[test]
fn vigil_reads_blocks_that_promtool_creates() {
    let dir = tempfile::tempdir().unwrap();
    let mut om = String::new();
    let mut want = Dataset::new();
    // Five hours of data: promtool cuts it into 2 h blocks.
    for s in 0..6 {
        om.push_str(&format!("# TYPE m{s} gauge\n"));
        for i in 0..300 {
            let (t, v) = (i as i64 * 60_000, value(s, i));
            om.push_str(&format!("m{s}{{pod=\"p{s}\",zone=\"z{}\"}} {v} {}\n", s % 2, t as f64 / 1000.0));
            want.entry(format!("{{__name__=\"m{s}\", pod=\"p{s}\", zone=\"z{}\"}}", s % 2)).or_default().push((t, v));
        }
    }
    om.push_str("# EOF\n");
    let input = dir.path().join("in.om");
    std::fs::write(&input, om).unwrap();
    let out = dir.path().join("data");
    promtool(&["tsdb", "create-blocks-from", "openmetrics", input.to_str().unwrap(), out.to_str().unwrap()]);

    let mut got = Dataset::new();
    let mut blocks = 0;
    for e in std::fs::read_dir(&out).unwrap() {
        let block = Block::open(&e.unwrap().path()).unwrap();
        blocks += 1;
        for (_, labels, chunks) in block.select(&[], i64::MIN, i64::MAX).unwrap() {
            for c in chunks {
                let (encoding, bytes) = block.chunk(&c).unwrap();
                assert_eq!(encoding, 1);
                let samples = XorIter::new(bytes).unwrap().collect::<Result<Vec<_>, _>>().unwrap();
                got.entry(label_text(&labels)).or_default().extend(samples);
            }
        }
    }
    assert!(blocks >= 3, "promtool wrote {blocks} blocks");
    got.values_mut().for_each(|v| v.sort_by_key(|s| s.0));
    assert_eq!(got, want);
}

/// Copies directory `from` into `to`, files only one level down (a block's `chunks/`).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// The WAL and head chunk files are Vigil's own formats (`docs/format/wal.md`); the blocks the
/// database cuts are Prometheus', so promtool reads them once copied beside an empty WAL.
#[test]
fn promtool_dumps_the_blocks_a_vigil_database_cuts() {
    use vigil_model::Sample;
    use vigil_storage::Appendable;
    let dir = tempfile::tempdir().unwrap();
    let opts = vigil_tsdb::Options { retention_ms: 0, maintenance_interval: None, ..Default::default() };
    let db = vigil_tsdb::Db::open(dir.path(), opts).unwrap();
    let mut want = Dataset::new();
    // 4 h of one-minute samples: maintenance cuts [0, 2 h) into a block, the rest stays in the head.
    for i in 0..240 {
        let mut app = db.appender();
        for s in 0..3 {
            let labels = Labels::from_pairs(&[("__name__", "up"), ("instance", &format!("h{s}"))]);
            let (t, v) = (i as i64 * 60_000, value(s, i));
            app.append(0, &labels, Sample::Float { t, v }).unwrap();
            if t < 2 * HOUR {
                want.entry(label_text(&labels)).or_default().push((t, v));
            }
        }
        app.commit().unwrap();
    }
    db.run_maintenance().unwrap();
    db.close().unwrap();
    let blocks = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let e = e.unwrap();
        if e.file_name().to_string_lossy().starts_with("01") {
            copy_dir(&e.path(), &blocks.path().join(e.file_name()));
        }
    }
    std::fs::create_dir(blocks.path().join("wal")).unwrap();
    let data = blocks.path().to_str().unwrap();
    let list = promtool(&["tsdb", "list", data]);
    assert_eq!(list.lines().filter(|l| l.starts_with("01")).count(), 1, "one block:\n{list}");
    let dump = promtool(&["tsdb", "dump", "--min-time=0", &format!("--max-time={}", 4 * HOUR), data]);
    let mut got = parse_dump(&dump);
    got.values_mut().for_each(|v| v.sort_by_key(|s| s.0));
    assert_eq!(got, want);
}
