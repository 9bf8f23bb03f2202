//! Vigil's TSDB: a head of compressed in-memory series over a write-ahead log, with retention.
//!
//! - [`Db`] opens a data directory (taking its `lock` file), replays the WAL into the head and
//!   implements [`vigil_storage::Appendable`] and [`vigil_storage::Queryable`].
//! - The head ([`head`]) keeps one open XOR chunk per series in RAM ([`chunk`], bit-compatible with
//!   Prometheus) and writes sealed chunks to `chunks_head/`; an inverted index resolves matchers.
//! - The WAL ([`wal`]) makes each commit durable with one write; checkpoints keep it bounded.
//!
//! The on-disk formats are specified in `docs/format/`.
//!
//! ```
//! use vigil_model::{Labels, Matcher, Sample};
//! use vigil_storage::{Appendable, Queryable, SelectHints};
//! use vigil_tsdb::{Db, Options};
//! let dir = tempfile::tempdir().unwrap();
//! let opts = Options { retention_ms: 0, maintenance_interval: None, ..Options::default() };
//! let db = Db::open(dir.path(), opts).unwrap();
//! let mut app = db.appender();
//! app.append(0, &Labels::from_pairs(&[("__name__", "up")]), Sample::Float { t: 1000, v: 1.0 }).unwrap();
//! app.commit().unwrap();
//! let q = db.querier(0, 2000).unwrap();
//! let set = q.select(&SelectHints::default(), &[Matcher::equal("__name__", "up")]).unwrap();
//! assert_eq!(set[0].samples.values, vec![1.0]);
//! drop(q);
//! db.close().unwrap();
//! ```

pub mod block;
pub mod chunk;
mod db;
pub mod encoding;
mod error;
pub mod head;
mod options;
pub mod wal;

pub use db::{Db, Stats};
pub use error::{Error, Result};
pub use head::Cardinality;
pub use options::{Clock, Options, system_clock};
