//! The appender: buffers a batch, logs it to the WAL on commit, then applies it to the head.

use super::{Db, Inner};
use crate::chunk::MAX_HISTOGRAM_CHUNK_BYTES;
use crate::head::Verdict;
use crate::wal::RecordBuf;
use crate::wal::record::{
    FLOAT_HISTOGRAM_SAMPLES, HISTOGRAM_SAMPLES, HistogramsEncoder, SAMPLES, SERIES, SamplesEncoder, put_series,
};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use vigil_model::{FloatHistogram, Labels, Sample, Timestamp};
use vigil_storage::{Appendable, Appender, Error, Result, SeriesRef};

/// The largest histogram a head chunk can hold (chunk records have a 16-bit length): a sample
/// is 24 bytes plus 8 per bucket, and its layout as much again.
const MAX_HISTOGRAM_BUCKETS: usize = (u16::MAX as usize - 2 * MAX_HISTOGRAM_CHUNK_BYTES) / 16;

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
    histograms: Vec<(u32, Timestamp, Arc<FloatHistogram>)>,
    int_record: HistogramRecord,
    float_record: HistogramRecord,
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
            histograms: Vec::new(),
            int_record: HistogramRecord::default(),
            float_record: HistogramRecord::default(),
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

    /// Validates and queues one histogram sample: `int` is the integer form to log (record type
    /// 6), `None` for a float histogram (type 7).
    fn append_histogram(
        &mut self,
        series_ref: SeriesRef,
        labels: &Labels,
        t: Timestamp,
        float: Arc<FloatHistogram>,
        int: Option<&vigil_model::Histogram>,
    ) -> Result<SeriesRef> {
        let buckets = float.positive_buckets.len() + float.negative_buckets.len() + float.custom_values.len();
        if buckets > MAX_HISTOGRAM_BUCKETS {
            return Err(Error::InvalidSample(format!(
                "histogram with {buckets} buckets and bounds is larger than a head chunk can hold ({MAX_HISTOGRAM_BUCKETS})"
            )));
        }
        if t < self.min_valid {
            return Err(Error::OutOfBounds { t, min_valid: self.min_valid });
        }
        let (id, verdict) = self.target(series_ref, labels, |head, id| head.check_histogram(id, t, &float))?;
        if verdict == Verdict::Append {
            match int {
                Some(h) => self.int_record.push_int(id, t, h),
                None => self.float_record.push_float(id, t, &float),
            }
            self.histograms.push((id, t, float));
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
                return self.append_histogram(series_ref, labels, t, Arc::new(h.to_float()), Some(&h));
            }
            Sample::FloatHistogram { t, h } => {
                h.validate().map_err(|e| Error::InvalidSample(e.to_string()))?;
                return self.append_histogram(series_ref, labels, t, h, None);
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
