//! Block round trips and hostile inputs.

use super::*;
use crate::chunk::{XorChunk, XorIter};
use vigil_model::{Labels, Matcher};

fn xor(samples: &[(i64, f64)]) -> BlockChunk {
    let mut c = XorChunk::new();
    for &(t, v) in samples {
        c.append(t, v).unwrap();
    }
    BlockChunk { mint: samples[0].0, maxt: samples[samples.len() - 1].0, encoding: 1, data: c.bytes().to_vec() }
}

fn series(pairs: &[(&str, &str)], chunks: Vec<BlockChunk>) -> BlockSeries {
    BlockSeries { labels: Labels::from_pairs(pairs), chunks }
}

fn sample_block(dir: &std::path::Path) -> BlockMeta {
    let a: Vec<(i64, f64)> = (0..120).map(|i| (i * 15_000, i as f64)).collect();
    let b: Vec<(i64, f64)> = (120..200).map(|i| (i * 15_000, i as f64 * 0.5)).collect();
    let input = vec![
        series(&[("__name__", "up"), ("job", "api")], vec![xor(&a), xor(&b)]),
        series(&[("__name__", "up"), ("job", "db")], vec![xor(&a[..10])]),
        series(&[("__name__", "http_requests_total"), ("job", "api"), ("code", "200")], vec![xor(&b)]),
        series(&[("__name__", "empty")], vec![]),
    ];
    write_block(dir, input, 0, 7_200_000, 1, Vec::new()).unwrap()
}

fn decode(block: &Block, c: &ChunkMeta) -> Vec<(i64, f64)> {
    let (enc, bytes) = block.chunk(c).unwrap();
    assert_eq!(enc, 1);
    XorIter::new(bytes).unwrap().collect::<Result<_, _>>().unwrap()
}

#[test]
fn a_written_block_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let meta = sample_block(dir.path());
    assert_eq!(meta.stats.num_series, 3);
    assert_eq!(meta.stats.num_chunks, 4);
    assert_eq!(meta.stats.num_samples, 120 + 80 + 10 + 80);
    assert_eq!(meta.compaction.sources, vec![meta.ulid.clone()]);
    let block = Block::open(&dir.path().join(&meta.ulid)).unwrap();
    assert_eq!(block.meta(), &meta);

    let up = block.select(&[Matcher::equal("__name__", "up")], 0, 7_200_000).unwrap();
    assert_eq!(up.len(), 2);
    assert_eq!(up[0].1.get("job"), Some("api"));
    let all: Vec<(i64, f64)> = up[0].2.iter().flat_map(|c| decode(&block, c)).collect();
    assert_eq!(all.len(), 200);
    assert_eq!(all[150], (150 * 15_000, 75.0));

    // Time pruning keeps only overlapping chunks; negative and regex matchers.
    let late = block.select(&[Matcher::equal("__name__", "up")], 2_000_000, 7_200_000).unwrap();
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].2.len(), 1);
    let not_api = block.select(&[Matcher::new(vigil_model::MatchOp::NotEqual, "job", "api").unwrap()], 0, i64::MAX);
    assert_eq!(not_api.unwrap().len(), 1);
    let no_code = block.select(&[Matcher::equal("code", "")], 0, i64::MAX).unwrap();
    assert_eq!(no_code.len(), 2);
    let re = block.select(&[Matcher::regex("__name__", "http_.*").unwrap()], 0, i64::MAX).unwrap();
    assert_eq!(re.len(), 1);
    assert!(block.select(&[], 8_000_000, 9_000_000).unwrap().is_empty());

    let names: Vec<&str> = block.index().label_names().collect();
    assert_eq!(names, ["__name__", "code", "job"]);
    let jobs: Vec<&str> = block.index().label_values("job").collect();
    assert_eq!(jobs, ["api", "db"]);
    assert!(dir.path().read_dir().unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().contains("tmp")));
}

#[test]
fn many_symbols_resolve_past_the_sampling_stride() {
    let dir = tempfile::tempdir().unwrap();
    let input: Vec<BlockSeries> =
        (0..300).map(|i| series(&[("__name__", "m"), ("id", &format!("{i:04}"))], vec![xor(&[(i, 1.0)])])).collect();
    let meta = write_block(dir.path(), input, 0, 1_000, 1, Vec::new()).unwrap();
    let block = Block::open(&dir.path().join(&meta.ulid)).unwrap();
    for i in [0, 31, 32, 33, 150, 299] {
        let got = block.select(&[Matcher::equal("id", format!("{i:04}"))], 0, 1_000).unwrap();
        assert_eq!(got.len(), 1, "id {i}");
        assert_eq!(got[0].1.get("id"), Some(format!("{i:04}").as_str()));
        assert_eq!(decode(&block, &got[0].2[0]), vec![(i, 1.0)]);
    }
}

#[test]
fn tombstones_round_trip_and_merge() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tombstones::default();
    t.add(3, 10, 20);
    t.add(3, 21, 30);
    t.add(3, 50, 60);
    t.add(1, -5, 5);
    assert_eq!(t.intervals(3), &[(10, 30), (50, 60)]);
    write_tombstones(dir.path(), &t).unwrap();
    let back = read_tombstones(dir.path()).unwrap();
    assert_eq!(back, t);
    assert!(back.is_deleted(1, 0) && !back.is_deleted(1, 6) && back.is_deleted(3, 55));
    assert!(read_tombstones(&dir.path().join("nowhere")).unwrap().is_empty());
}

/// Every single-byte corruption and every truncation of a block's files is an error or a read
/// that still verifies, never a panic.
#[test]
fn corrupted_and_truncated_files_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let meta = sample_block(dir.path());
    let block_dir = dir.path().join(&meta.ulid);
    for file in ["index", "chunks/000001", "tombstones"] {
        let path = block_dir.join(file);
        let original = std::fs::read(&path).unwrap();
        for at in (0..original.len()).step_by(7) {
            let mut bad = original.clone();
            bad[at] ^= 0x5A;
            std::fs::write(&path, &bad).unwrap();
            exercise(&block_dir);
        }
        for len in (0..original.len()).step_by(11) {
            std::fs::write(&path, &original[..len]).unwrap();
            exercise(&block_dir);
        }
        std::fs::write(&path, &original).unwrap();
    }
    std::fs::write(block_dir.join("meta.json"), b"{\"ulid\": 1").unwrap();
    let err = Block::open(&block_dir).unwrap_err().to_string();
    assert!(err.contains("meta.json:1:"), "{err}");
}

/// Opens and reads everything; errors are fine, panics are not.
fn exercise(dir: &std::path::Path) {
    let Ok(block) = Block::open(dir) else { return };
    let Ok(found) = block.select(&[], i64::MIN, i64::MAX) else { return };
    for (_, _, chunks) in found {
        for c in chunks {
            if let Ok((1, bytes)) = block.chunk(&c)
                && let Ok(it) = XorIter::new(bytes)
            {
                let _ = it.count();
            }
        }
    }
}
