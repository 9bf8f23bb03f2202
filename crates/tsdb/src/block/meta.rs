//! `meta.json`: a block's identity, time range, statistics and compaction history, in Prometheus'
//! JSON shape (`docs/format/blocks.md`). Unknown keys that other tools add (Thanos' `thanos`) are
//! ignored when reading.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// The file name inside a block directory.
pub const META_FILE: &str = "meta.json";

/// The contents of `meta.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockMeta {
    /// The block's ULID, also its directory name.
    pub ulid: String,
    /// First timestamp covered, inclusive.
    pub min_time: i64,
    /// End of the covered range, exclusive.
    pub max_time: i64,
    /// Counts of what the block holds.
    #[serde(default)]
    pub stats: BlockStats,
    /// Compaction level and ancestry.
    pub compaction: Compaction,
    /// Format version of the block (1).
    pub version: u32,
    /// Vigil's own additions; absent in blocks that other tools wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vigil: Option<VigilMeta>,
}

/// Counts of what a block holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockStats {
    /// Samples of every kind.
    #[serde(default)]
    pub num_samples: u64,
    /// Float samples.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub num_float_samples: u64,
    /// Native histogram samples.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub num_histogram_samples: u64,
    /// Series.
    #[serde(default)]
    pub num_series: u64,
    /// Chunks.
    #[serde(default)]
    pub num_chunks: u64,
    /// Deleted intervals recorded in `tombstones`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub num_tombstones: u64,
}

/// A block's place in the compaction history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compaction {
    /// 1 for a block cut from the head, one more than the highest parent's for a merge.
    pub level: u32,
    /// ULIDs of the level-1 blocks whose data this block holds.
    #[serde(default)]
    pub sources: Vec<String>,
    /// The blocks merged into this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<BlockDesc>,
    /// Set on a block that a merge replaced; it is deleted at the next reload.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deletable: bool,
}

/// A parent block in [`Compaction::parents`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockDesc {
    /// The parent's ULID.
    pub ulid: String,
    /// Its first timestamp.
    pub min_time: i64,
    /// Its exclusive end.
    pub max_time: i64,
}

/// Vigil's key in `meta.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VigilMeta {
    /// Chunk encodings the block uses (a block with Vigil's own encodings needs converting before
    /// Prometheus' tools can read it).
    #[serde(default)]
    pub encodings: Vec<u8>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl BlockMeta {
    /// Reads `<dir>/meta.json`.
    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(META_FILE);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::corrupt(
                format!("{}:{}:{}", path.display(), e.line(), e.column()),
                format!("meta.json does not parse: {e}"),
            )
        })
    }

    /// Writes `<dir>/meta.json` atomically: a temporary file, fsynced, renamed over.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(META_FILE);
        let tmp = dir.join(format!("{META_FILE}.tmp"));
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::io("encoding meta.json", std::io::Error::other(e.to_string())))?;
        let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io(format!("creating {}", tmp.display()), e))?;
        f.write_all(&json)
            .and_then(|()| f.write_all(b"\n"))
            .and_then(|()| f.sync_all())
            .map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
        std::fs::rename(&tmp, &path).map_err(|e| Error::io(format!("renaming {}", tmp.display()), e))
    }
}
