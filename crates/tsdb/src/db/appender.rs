//! The appender: buffers a batch, logs it to the WAL on commit, then applies it to the head.

use super::{Db, Inner};
use crate::chunk::HistSample;
use crate::head::Verdict;
use crate::wal::RecordBuf;
use crate::wal::record::{
    FLOAT_HISTOGRAM_SAMPLES, HISTOGRAM_SAMPLES, HistogramsEncoder, SAMPLES, SERIES, SamplesEncoder, put_series,
};
use std::sync::atomic::Ordering;
use vigil_model::{FloatHistogram, Labels, Sample, Timestamp};
use vigil_storage::{Appendable, Appender, Error, Result, SeriesRef};

/// The largest encoded histogram sample a head chunk record can hold (its length is 16 bits;
/// the head cuts a chunk before appending past 1 KiB, so the first sample bounds the size).
const MAX_HISTOGRAM_SAMPLE_BYTES: usize = u16::MAX as usize - 64;

/// One kind of histogram record being built for a commit (type 6 or 7).
#[derive(Default)]
struct HistogramRecord {
    record: RecordBuf,
    encoder: HistogramsEncoder,
}

impl HistogramRecord {
    /// Opens the record on first use.
    fn open(&mut self, record_type: u8) {
        if self.encoder.is_empty() && !self.record.is_open() {
            self.record.start(record_type);
        }
    }

    fn push_int(&mut self, id: u32, t: Timestamp, h: &vigil_model::Histogram) {
        self.open(HISTOGRAM_SAMPLES);
        self.encoder.push_int(&mut self.record.buf, id, t, h);
    }

    fn push_float(&mut self, id: u32, t: Timestamp, h: &FloatHistogram) {
        self.open(FLOAT_HISTOGRAM_SAMPLES);
        self.encoder.push_float(&mut self.record.buf, id, t, h);
    }

    /// Closes the record (if any) and appends its framed bytes to `batch`.
    fn finish_into(&mut self, batch: &mut Vec<u8>) {
        if !self.encoder.is_empty() {
            self.record.finish();
            batch.extend_from_slice(&self.record.buf);
        }
    }
}

/// A batch of samples for one commit. Samples are WAL-encoded as they are appended, so commit is
/// one CRC, one write and the head updates.
struct DbAppender<'a> {
    db: &'a Inner,
    samples: Vec<(u32, Timestamp, f64)>,
    record: RecordBuf,
    encoder: SamplesEncoder,
    histograms: Vec<(u32, Timestamp, HistSample)>,
    int_record: HistogramRecord,
    float_record: HistogramRecord,
    scratch: Vec<u8>,
    min_valid: Timestamp,
    /// The oldest sample queued, checked again at commit against the database's append floor.
    oldest: Timestamp,
}

impl Appendable for Db {
    fn appender(&self) -> Box<dyn Appender + '_> {
        let min_valid = self.inner.head_cutoff();
        Box::new(DbAppender {
            db: &self.inner,
            samples: Vec::new(),
            record: RecordBuf::new(),
            encoder: SamplesEncoder::default(),
            histograms: Vec::new(),
            int_record: HistogramRecord::default(),
            float_record: HistogramRecord::default(),
            scratch: Vec::new(),
            min_valid,
            oldest: Timestamp::MAX,
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

impl DbAppender<'_> {
    /// The series for `labels` (trying `series_ref` first) and what the head says about a sample
    /// at `t`, judged by `check`.
    fn target(
        &mut self,
        series_ref: SeriesRef,
        labels: &Labels,
        check: impl Fn(&crate::head::Head, u32) -> Option<Result<Verdict>>,
    ) -> Result<(u32, Verdict)> {
        let hinted = series_ref
            .checked_sub(1)
            .and_then(|r| u32::try_from(r).ok())
            .and_then(|id| check(&self.db.head, id).map(|verdict| (id, verdict)));
        let (id, verdict) = match hinted {
            Some(x) => x,
            None => {
                let id = self.resolve(labels)?;
                (id, check(&self.db.head, id).unwrap_or(Ok(Verdict::Append)))
            }
        };
        Ok((id, verdict?))
    }

    /// Validates and queues one histogram sample (logged as record type 6 when integer, 7
    /// when float).
    fn append_histogram(
        &mut self,
        series_ref: SeriesRef,
        labels: &Labels,
        t: Timestamp,
        h: HistSample,
    ) -> Result<SeriesRef> {
        let size = h.max_encoded_bytes();
        if size > MAX_HISTOGRAM_SAMPLE_BYTES {
            return Err(Error::InvalidSample(format!(
                "histogram of up to {size} encoded bytes is larger than a head chunk can hold ({MAX_HISTOGRAM_SAMPLE_BYTES})"
            )));
        }
        if t < self.min_valid {
            return Err(Error::OutOfBounds { t, min_valid: self.min_valid });
        }
        let (id, verdict) = self.target(series_ref, labels, |head, id| head.check_histogram(id, t, &h))?;
        if verdict == Verdict::Append {
            match &h {
                HistSample::Int(x) => self.int_record.push_int(id, t, x),
                HistSample::Float(x) => self.float_record.push_float(id, t, x),
            }
            self.histograms.push((id, t, h));
            self.oldest = self.oldest.min(t);
        }
        Ok(SeriesRef::from(id) + 1)
    }
}

impl Appender for DbAppender<'_> {
    fn append(&mut self, series_ref: SeriesRef, labels: &Labels, sample: Sample) -> Result<SeriesRef> {
        let (t, v) = match sample {
            Sample::Float { t, v } => (t, v),
            Sample::Histogram { t, h } => {
                h.validate().map_err(|e| Error::InvalidSample(e.to_string()))?;
                return self.append_histogram(series_ref, labels, t, HistSample::Int(h));
            }
            Sample::FloatHistogram { t, h } => {
                h.validate().map_err(|e| Error::InvalidSample(e.to_string()))?;
                return self.append_histogram(series_ref, labels, t, HistSample::Float(h));
            }
            _ => return Err(Error::Unsupported("this sample kind")),
        };
        if t < self.min_valid {
            return Err(Error::OutOfBounds { t, min_valid: self.min_valid });
        }
        let (id, verdict) = self.target(series_ref, labels, |head, id| head.check(id, t, v))?;
        if verdict == Verdict::Append {
            if self.encoder.is_empty() {
                self.record.start(SAMPLES);
            }
            self.encoder.push(&mut self.record.buf, id, t, v);
            self.samples.push((id, t, v));
            self.oldest = self.oldest.min(t);
        }
        Ok(SeriesRef::from(id) + 1)
    }

    fn commit(mut self: Box<Self>) -> Result<()> {
        if self.samples.is_empty() && self.histograms.is_empty() {
            return Ok(());
        }
        let mut batch = Vec::new();
        if !self.samples.is_empty() {
            self.record.finish();
            batch = std::mem::take(&mut self.record.buf);
        }
        // Floats first, then histograms: replay applies the records in this order too.
        self.int_record.finish_into(&mut batch);
        self.float_record.finish_into(&mut batch);
        let _g = self.db.gate.read();
        if self.db.closed.load(Ordering::SeqCst) {
            return Err(Error::Closed);
        }
        // A block was cut since this appender was made: its range is closed to appends.
        let floor = self.db.append_floor.load(Ordering::SeqCst);
        if self.oldest < floor {
            return Err(Error::OutOfBounds { t: self.oldest, min_valid: floor });
        }
        self.db.wal.lock().write_batch(&batch)?;
        self.db.head.append_batch(&mut self.samples);
        self.db.head.append_histograms(&mut self.histograms);
        Ok(())
    }

    fn rollback(self: Box<Self>) -> Result<()> {
        // Series created by this appender stay in the head; their records are already queued.
        Ok(())
    }
}
