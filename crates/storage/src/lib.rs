//! Storage traits that decouple scrape, rules and query from the storage engine.
//!
//! Writers see only [`Appendable`]/[`Appender`]; readers see only [`Queryable`]/[`Querier`].
//! This crate knows no engine: `vigil-tsdb` implements the traits, and [`MemStorage`] is a small
//! in-memory implementation for tests and the PromQL test runner.
//!
//! ```
//! use vigil_model::{Labels, Matcher, Sample};
//! use vigil_storage::{Appendable, MemStorage, Queryable, SelectHints};
//! let db = MemStorage::new();
//! let mut app = db.appender();
//! app.append(0, &Labels::from_pairs(&[("__name__", "up")]), Sample::Float { t: 1000, v: 1.0 }).unwrap();
//! app.commit().unwrap();
//! let q = db.querier(0, 2000).unwrap();
//! let set = q.select(&SelectHints::default(), &[Matcher::equal("__name__", "up")]).unwrap();
//! assert_eq!(set.len(), 1);
//! assert_eq!(set[0].samples.values, vec![1.0]);
//! ```
#![deny(missing_docs)]

mod budget;
mod error;
mod iter;
mod memory;
mod series;

pub use budget::{Cancel, CancelEvery, HeldChunk, SampleBudget};
pub use error::{Error, Result};
pub use iter::{
    ChunkIterator, ChunkSamples, InMemoryChunks, LazySeries, MergeIterator, Point, SampleIterator, SampleValue,
    SamplesIterator, collect,
};
pub use memory::MemStorage;
pub use series::{HPoint, Samples, Series, SeriesSet};

use vigil_model::{Labels, Matcher, Sample, Timestamp};

/// A reference to a series handed out by an appender, valid for the lifetime of the storage it
/// came from. `0` means "unknown": the appender looks the series up by labels.
pub type SeriesRef = u64;

/// Something that hands out appenders. Implementations are `Send + Sync` and cheap to call.
pub trait Appendable: Send + Sync {
    /// A new appender. Appenders are independent: each commits or rolls back on its own.
    fn appender(&self) -> Box<dyn Appender + '_>;
}

/// A batch of samples that becomes visible and durable atomically on [`Appender::commit`].
///
/// Contract:
/// - nothing appended is visible to queriers before `commit`, and everything is after it;
/// - when `commit` returns `Ok`, the batch is durable: it survives the process being killed
///   (written to the WAL, not necessarily fsynced);
/// - dropping an appender without committing rolls it back;
/// - an appender is used by one thread at a time (`Send`, not `Sync`).
pub trait Appender: Send {
    /// Adds one sample for the series `labels`. `series_ref` is a hint returned by an earlier
    /// `append` on the same storage (`0` if unknown); the returned ref may be cached by the caller.
    ///
    /// Errors are per sample (out of order, out of bounds, duplicate with a different value, empty
    /// labels, invalid histogram, unsupported sample kind) and do not poison the batch: the
    /// caller may continue.
    ///
    /// Histogram samples are validated ([`vigil_model::Histogram::validate`]) before they are
    /// accepted. A series may switch between float and histogram samples over time. A float
    /// [`vigil_model::STALE_NAN`] appended to a series whose last sample is a histogram is stored
    /// as a stale histogram, as Prometheus does, so scrapers mark any series stale the same way.
    fn append(&mut self, series_ref: SeriesRef, labels: &Labels, sample: Sample) -> Result<SeriesRef>;

    /// [`Self::append`] with the sample's start timestamp (ms; `0` = unknown): when the counter
    /// it belongs to started, which `rate`, `increase`, `irate` and `resets` read as a reset.
    /// The default drops the start timestamp: storages that do not keep them (the TSDB today)
    /// answer as if it had never been given.
    fn append_with_start(
        &mut self,
        series_ref: SeriesRef,
        labels: &Labels,
        sample: Sample,
        start: Timestamp,
    ) -> Result<SeriesRef> {
        let _ = start;
        self.append(series_ref, labels, sample)
    }

    /// Makes the batch visible and durable.
    fn commit(self: Box<Self>) -> Result<()>;

    /// Discards the batch.
    fn rollback(self: Box<Self>) -> Result<()>;
}

/// Something that hands out queriers over a time range.
pub trait Queryable: Send + Sync {
    /// A querier over samples with `mint <= t <= maxt` (milliseconds, inclusive).
    fn querier(&self, mint: Timestamp, maxt: Timestamp) -> Result<Box<dyn Querier + '_>>;
}

/// Hints that let a querier do less work. Purely advisory.
#[derive(Debug, Clone, Default)]
pub struct SelectHints {
    /// Start of the data actually needed (ms), if narrower than the querier's range.
    pub start: Option<Timestamp>,
    /// End of the data actually needed (ms), if narrower than the querier's range.
    pub end: Option<Timestamp>,
    /// Only labels are needed, not samples (for `/api/v1/series`).
    pub labels_only: bool,
    /// Stop after this many series (0 means no limit).
    pub limit: usize,
    /// Samples the query may still load. Implementations charge each chunk by its sample count
    /// before decoding it and fail with [`Error::TooManySamples`] when it runs out. A float
    /// sample costs 1, a histogram sample [`vigil_model::FloatHistogram::sample_cost`] (its size
    /// in 16-byte float points, as Prometheus counts `max_samples`; a histogram chunk's samples
    /// share one bucket layout, so its header gives the cost before decoding).
    pub budget: SampleBudget,
    /// Checked at least once per chunk; a cancelled select fails with [`Error::Cancelled`].
    pub cancel: Cancel,
}

/// Hints for [`Querier::label_names`] and [`Querier::label_values`], like [`SelectHints`] for
/// a select.
#[derive(Debug, Clone, Default)]
pub struct LabelHints {
    /// At most this many names or values are needed (0 means no limit). An implementation may
    /// stop after the first `limit` of the sorted result; it never returns any other subset, so
    /// a caller asking for one more than it shows can tell a cut result from an exact fit.
    pub limit: usize,
    /// Checked periodically while series and postings are visited; a cancelled call fails with
    /// [`Error::Cancelled`].
    pub cancel: Cancel,
}

impl LabelHints {
    /// The first `limit` of the sorted `items` (all of them for 0).
    pub fn cut(&self, mut items: Vec<String>) -> Vec<String> {
        if self.limit > 0 {
            items.truncate(self.limit);
        }
        items
    }
}

/// Read access to a consistent view of the storage over a fixed time range.
///
/// Isolation: a querier sees every commit that finished before it was created and nothing of a
/// later or unfinished one, in all of its selects, so one query never mixes two scrapes.
pub trait Querier: Send + Sync {
    /// Series matching all `matchers`, sorted by labels, with their samples in the querier's range
    /// (or the narrower range in `hints`). At least one matcher must not match the empty string.
    /// Float samples fill `Samples::timestamps`/`values`, native histogram samples
    /// `Samples::histograms`; a series with only histograms has empty float arrays.
    fn select(&self, hints: &SelectHints, matchers: &[Matcher]) -> Result<SeriesSet>;

    /// Like [`Self::select`], but each series' samples are decoded only when its
    /// [`ChunkIterator`] asks for the next chunk, so a consumer that walks series one at a time
    /// holds one decoded chunk, not the whole range. `hints.budget` is charged for the chunk a
    /// series holds ([`HeldChunk`]): the next chunk replaces the previous one's charge, and a
    /// dropped series returns it.
    /// Series may turn out to have no sample. The default decodes eagerly through `select`.
    fn select_lazy<'a>(&'a self, hints: &SelectHints, matchers: &[Matcher]) -> Result<Vec<LazySeries<'a>>> {
        Ok(self
            .select(hints, matchers)?
            .into_iter()
            .map(|s| LazySeries { labels: s.labels, chunks: Box::new(InMemoryChunks::new(s.samples)) })
            .collect())
    }

    /// Sorted label names of series matching `matchers` (all series if `matchers` is empty),
    /// possibly only the first `hints.limit` of them.
    fn label_names(&self, hints: &LabelHints, matchers: &[Matcher]) -> Result<Vec<String>>;

    /// Sorted values of label `name` on series matching `matchers` (all series if empty),
    /// possibly only the first `hints.limit` of them.
    fn label_values(&self, hints: &LabelHints, name: &str, matchers: &[Matcher]) -> Result<Vec<String>>;
}
