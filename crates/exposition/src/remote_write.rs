//! Remote-Write 1.0 requests (`prometheus.WriteRequest`, snappy block-compressed protobuf),
//! decoded by hand straight from the decompressed body: a label is a pair of `&str` into the
//! body instead of two `String`s, and one series' buffers are reused for the next, so decoding
//! allocates nothing per label or sample (only native histograms own their buckets).
//!
//! The messages read (field numbers of Prometheus' `prompb/remote.proto` and `types.proto`):
//! `WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3 }`,
//! `TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar
//! exemplars = 3; repeated Histogram histograms = 4 }`, `Label { string name = 1; string value
//! = 2 }`, `Sample { double value = 1; int64 timestamp = 2 }` and the native `Histogram`
//! (`histogram.rs`). Metadata and exemplars are skipped; unknown fields too, as protobuf wants.

mod histogram;
pub mod prompb;
mod wire;

#[cfg(test)]
mod tests;

use crate::protobuf::NativeSample;
use crate::{Error, Result};
use wire::{Field, Reader};

/// `Content-Type` of a Remote-Write 1.0 request.
pub const CONTENT_TYPE: &str = "application/x-protobuf";

/// One series of a request, borrowing from the decompressed body.
#[derive(Debug, Default)]
pub struct WriteSeries<'a> {
    /// Labels in the order sent (senders sort them; the receiver must not rely on it).
    pub labels: Vec<(&'a str, &'a str)>,
    /// Float samples: timestamp (ms) and value, in the order sent.
    pub samples: Vec<(i64, f64)>,
    /// Native histogram samples: timestamp (ms) and histogram.
    pub histograms: Vec<(i64, NativeSample)>,
    /// Byte offset of the series' message in the body, for errors.
    pub offset: usize,
}

impl WriteSeries<'_> {
    fn clear(&mut self) {
        self.labels.clear();
        self.samples.clear();
        self.histograms.clear();
    }
}

/// Decompresses a snappy block body, refusing one that says it decodes to more than
/// `max_decoded` bytes before allocating for it.
pub fn decompress(body: &[u8], max_decoded: usize) -> Result<Vec<u8>> {
    let len = snap::raw::decompress_len(body)
        .map_err(|e| Error::Protobuf { offset: 0, message: format!("invalid snappy header: {e}") })?;
    if len > max_decoded {
        return Err(Error::Protobuf {
            offset: 0,
            message: format!("the body decompresses to {len} bytes, more than the {max_decoded}-byte limit"),
        });
    }
    snap::raw::Decoder::new()
        .decompress_vec(body)
        .map_err(|e| Error::Protobuf { offset: 0, message: format!("invalid snappy data: {e}") })
}

/// Reads the series of a decompressed `WriteRequest` one at a time.
pub struct WriteRequestReader<'a> {
    request: Reader<'a>,
    series: WriteSeries<'a>,
}

impl<'a> WriteRequestReader<'a> {
    /// A reader over the decompressed message `body`.
    pub fn new(body: &'a [u8]) -> Self {
        Self { request: Reader::new(body, 0), series: WriteSeries::default() }
    }

    /// The next series, or `None` after the last. An error names the byte offset of the field
    /// at fault; the series before it were returned whole.
    pub fn next_series(&mut self) -> Result<Option<&WriteSeries<'a>>> {
        while let Some((number, field)) = self.request.field()? {
            if let (1, Field::Bytes(msg)) = (number, field) {
                self.series.clear();
                self.series.offset = msg.base();
                read_series(msg, &mut self.series)?;
                return Ok(Some(&self.series));
            }
        }
        Ok(None)
    }
}

fn read_series<'a>(mut r: Reader<'a>, out: &mut WriteSeries<'a>) -> Result<()> {
    while let Some((number, field)) = r.field()? {
        match (number, field) {
            (1, Field::Bytes(m)) => out.labels.push(read_label(m)?),
            (2, Field::Bytes(m)) => out.samples.push(read_sample(m)?),
            (4, Field::Bytes(m)) => out.histograms.push(histogram::read(m)?),
            (1 | 2 | 4, f) => return Err(r.wrong_type(number, f)),
            _ => {}
        }
    }
    Ok(())
}

fn read_label(mut r: Reader<'_>) -> Result<(&str, &str)> {
    let (mut name, mut value) = ("", "");
    while let Some((number, field)) = r.field()? {
        match (number, field) {
            (1, Field::Bytes(b)) => name = b.utf8()?,
            (2, Field::Bytes(b)) => value = b.utf8()?,
            (1 | 2, f) => return Err(r.wrong_type(number, f)),
            _ => {}
        }
    }
    Ok((name, value))
}

fn read_sample(mut r: Reader<'_>) -> Result<(i64, f64)> {
    let (mut t, mut v) = (0, 0.0);
    while let Some((number, field)) = r.field()? {
        match (number, field) {
            (1, Field::Fixed64(bits)) => v = f64::from_bits(bits),
            (2, Field::Varint(x)) => t = x as i64,
            (1 | 2, f) => return Err(r.wrong_type(number, f)),
            _ => {}
        }
    }
    Ok((t, v))
}
