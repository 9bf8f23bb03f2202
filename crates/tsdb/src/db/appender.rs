//! The appender: buffers a batch, logs it to the WAL on commit, then applies it to the head.

use super::{Db, Inner};
use crate::head::Verdict;
use crate::wal::RecordBuf;
use crate::wal::record::{SAMPLES, SERIES, SamplesEncoder, put_series};
use std::sync::atomic::Ordering;
use vigil_model::{Labels, Sample, Timestamp};
use vigil_storage::{Appendable, Appender, Error, Result, SeriesRef};

/// Why histogram samples are refused, until the head stores histogram chunks.
const NO_HISTOGRAMS: &str = "native histograms (the tsdb head does not store them yet)";

/// A batch of samples for one commit. Samples are WAL-encoded as they are appended, so commit is
/// one CRC, one write and the head updates.
struct DbAppender<'a> {
    db: &'a Inner,
    samples: Vec<(u32, Timestamp, f64)>,
    record: RecordBuf,
    encoder: SamplesEncoder,
    scratch: Vec<u8>,
    min_valid: Timestamp,
}

impl Appendable for Db {
    fn appender(&self) -> Box<dyn Appender + '_> {
        let min_valid = super::retention_cutoff(&self.inner.opts);
        Box::new(DbAppender {
            db: &self.inner,
            samples: Vec::new(),
            record: RecordBuf::new(),
            encoder: SamplesEncoder::default(),
            scratch: Vec::new(),
            min_valid,
        })
    }
}

impl DbAppender<'_> {
    fn resolve(&mut self, labels: &Labels) -> Result<u32> {
        if labels.is_empty() {
            return Err(Error::InvalidLabels("empty label set".into()));
        }
        let hash = labels.hash_xxh64();
        let wal = &self.db.wal;
        Ok(self.db.head.get_or_create(labels, hash, &mut self.scratch, |id| {
            // Queued under the shard lock: the record reaches the WAL before any sample of the series.
            let mut w = wal.lock();
            let pending = w.pending_series();
            pending.start(SERIES);
            put_series(&mut pending.buf, id, labels);
            pending.finish();
        }))
    }
}

impl Appender for DbAppender<'_> {
    fn append(&mut self, series_ref: SeriesRef, labels: &Labels, sample: Sample) -> Result<SeriesRef> {
        let (t, v) = match sample {
            Sample::Float { t, v } => (t, v),
            // Validated first so a caller learns about a malformed histogram either way; the
            // head has no histogram chunks yet (`docs/format/chunks.md`).
            Sample::Histogram { h, .. } => {
                h.validate().map_err(|e| Error::InvalidSample(e.to_string()))?;
                return Err(Error::Unsupported(NO_HISTOGRAMS));
            }
            Sample::FloatHistogram { h, .. } => {
                h.validate().map_err(|e| Error::InvalidSample(e.to_string()))?;
                return Err(Error::Unsupported(NO_HISTOGRAMS));
            }
            _ => return Err(Error::Unsupported("this sample kind")),
        };
        if t < self.min_valid {
            return Err(Error::OutOfBounds { t, min_valid: self.min_valid });
        }
        let hinted = series_ref
            .checked_sub(1)
            .and_then(|r| u32::try_from(r).ok())
            .and_then(|id| self.db.head.check(id, t, v).map(|verdict| (id, verdict)));
        let (id, verdict) = match hinted {
            Some(x) => x,
            None => {
                let id = self.resolve(labels)?;
                (id, self.db.head.check(id, t, v).unwrap_or(Ok(Verdict::Append)))
            }
        };
        if verdict? == Verdict::Append {
            if self.encoder.is_empty() {
                self.record.start(SAMPLES);
            }
            self.encoder.push(&mut self.record.buf, id, t, v);
            self.samples.push((id, t, v));
        }
        Ok(SeriesRef::from(id) + 1)
    }

    fn commit(mut self: Box<Self>) -> Result<()> {
        if self.samples.is_empty() {
            return Ok(());
        }
        self.record.finish();
        let _g = self.db.gate.read();
        if self.db.closed.load(Ordering::SeqCst) {
            return Err(Error::Closed);
        }
        self.db.wal.lock().write_batch(&self.record.buf)?;
        self.db.head.append_batch(&mut self.samples);
        Ok(())
    }

    fn rollback(self: Box<Self>) -> Result<()> {
        // Series created by this appender stay in the head; their records are already queued.
        Ok(())
    }
}
