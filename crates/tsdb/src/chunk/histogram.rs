//! Prometheus' native histogram chunks (`docs/format/chunks.md`): encoding 2 (`EncHistogram`,
//! integer histograms) and 3 (`EncFloatHistogram`), byte-compatible with Prometheus 2.42+ and 3.x.
//!
//! [`HistogramChunk`] is appendable in place and implements Prometheus' appendable check
//! ([`HistogramChunk::check`]): new buckets recode the chunk to the wider layout, buckets that
//! disappear empty are filled with zeros, and a reset, a schema or zero-threshold change, or a
//! stale marker followed by a real sample ask for a new chunk with the returned header.
//! [`decode_histograms_into`] decodes any chunk for queries (integer samples become
//! [`FloatHistogram`]s only then), [`HistIter`] yields the samples in their own kind (WAL
//! replay), [`histogram_chunk_cost`] reads only the header and layout.

mod float;
mod int;
mod layout;
mod legacy;
mod varbit;

pub use legacy::ENCODING_LEGACY_FLOAT_HISTOGRAM;

use crate::chunk::bits::BitReader;
use crate::{Error, Result};
use layout::{Layout, indexes, spans_of, union, widen};
use std::sync::Arc;
use varbit::BitWriter;
use vigil_model::histogram::{CounterResetHint, Span};
use vigil_model::{FloatHistogram, Histogram, Timestamp};

/// Encoding byte of integer histogram chunks (Prometheus' `EncHistogram`).
pub const ENCODING_HISTOGRAM: u8 = 2;
/// Encoding byte of float histogram chunks (Prometheus' `EncFloatHistogram`).
pub const ENCODING_FLOAT_HISTOGRAM: u8 = 3;

/// Prometheus cuts histogram chunks at about this size; so do we.
pub const MAX_HISTOGRAM_CHUNK_BYTES: usize = 1024;

/// A recode that would make a chunk larger than this starts a new chunk instead (head chunk
/// records have a 16-bit length).
const MAX_RECODED_BYTES: usize = 48 * 1024;

/// One histogram sample in its own kind: integer histograms stay integer in the head.
#[derive(Debug, Clone, PartialEq)]
pub enum HistSample {
    /// An integer histogram (chunk encoding 2, WAL record 6).
    Int(Arc<Histogram>),
    /// A float histogram (chunk encoding 3, WAL record 7).
    Float(Arc<FloatHistogram>),
}

impl HistSample {
    /// The chunk encoding this kind is stored with.
    pub fn encoding(&self) -> u8 {
        match self {
            Self::Int(_) => ENCODING_HISTOGRAM,
            Self::Float(_) => ENCODING_FLOAT_HISTOGRAM,
        }
    }

    /// Whether this is a stale marker.
    pub fn is_stale(&self) -> bool {
        match self {
            Self::Int(h) => h.is_stale(),
            Self::Float(h) => h.is_stale(),
        }
    }

    /// The producer's counter-reset hint.
    pub fn hint(&self) -> CounterResetHint {
        match self {
            Self::Int(h) => h.counter_reset_hint,
            Self::Float(h) => h.counter_reset_hint,
        }
    }

    /// The sample as a float histogram.
    pub fn to_float(&self) -> Arc<FloatHistogram> {
        match self {
            Self::Int(h) => Arc::new(h.to_float()),
            Self::Float(h) => h.clone(),
        }
    }

    /// The stale marker of this kind.
    pub fn stale_like(&self) -> Self {
        match self {
            Self::Int(_) => Self::Int(Arc::new(Histogram::stale())),
            Self::Float(_) => Self::Float(Arc::new(FloatHistogram::stale())),
        }
    }

    /// Whether both are the same kind and the same histogram (as Prometheus' duplicate check).
    pub fn same_value(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Int(a), Self::Int(b)) => a.to_float().equals(&b.to_float()),
            (Self::Float(a), Self::Float(b)) => a.equals(b),
            _ => false,
        }
    }

    /// An upper bound of the bytes this sample takes as the first of a chunk (header and
    /// layout included): 9 bytes per varbit or float field, 18 per span.
    pub fn max_encoded_bytes(&self) -> usize {
        let (spans, buckets, bounds) = match self {
            Self::Int(h) => (
                h.positive_spans.len() + h.negative_spans.len(),
                h.positive_buckets.len() + h.negative_buckets.len(),
                h.custom_values.len(),
            ),
            Self::Float(h) => (
                h.positive_spans.len() + h.negative_spans.len(),
                h.positive_buckets.len() + h.negative_buckets.len(),
                h.custom_values.len(),
            ),
        };
        3 + 9 * 9 + 18 * spans + 9 * (buckets + bounds)
    }

    fn layout(&self) -> Layout {
        if self.is_stale() {
            return Layout::default();
        }
        // Bounds belong to the layout only under the custom-buckets schema (as on disk).
        let l = |schema, zero_threshold, p: &[Span], n: &[Span], c: &[f64]| Layout {
            schema,
            zero_threshold,
            positive: p.to_vec(),
            negative: n.to_vec(),
            custom_values: if vigil_model::histogram::is_custom_buckets_schema(schema) {
                c.to_vec()
            } else {
                Vec::new()
            },
        };
        match self {
            Self::Int(h) => l(h.schema, h.zero_threshold, &h.positive_spans, &h.negative_spans, &h.custom_values),
            Self::Float(h) => l(h.schema, h.zero_threshold, &h.positive_spans, &h.negative_spans, &h.custom_values),
        }
    }
}

#[derive(Debug, Clone)]
enum State {
    Int(int::IntState),
    Float(float::FloatState),
}

/// The bucket layouts an accepted sample is written with: `None` when it has the chunk's own,
/// otherwise the union of both (ascending bucket indexes, positive then negative).
pub type Plan = Option<(Vec<i32>, Vec<i32>)>;

/// An appendable histogram chunk of encoding 2 or 3.
#[derive(Debug, Clone)]
pub struct HistogramChunk {
    w: BitWriter,
    num: u16,
    header: CounterResetHint,
    first_t: Timestamp,
    last_t: Timestamp,
    layout: Layout,
    state: State,
    /// The last sample as appended (for duplicates and the stale rule).
    last: HistSample,
}

impl HistogramChunk {
    /// A chunk whose first sample is `h` at `t`, with counter-reset header `header`; the
    /// encoding follows `h`'s kind and the layout is `h`'s.
    pub fn new(t: Timestamp, h: HistSample, header: CounterResetHint) -> Self {
        let layout = h.layout();
        let mut w = BitWriter::with_header(&[0, 1, header_bits(header)]);
        layout.write(&mut w);
        let state = match &h {
            HistSample::Int(x) => State::Int(int::put_first(&mut w, &layout, t, x)),
            HistSample::Float(x) => State::Float(float::put_first(&mut w, &layout, t, x)),
        };
        Self { w, num: 1, header, first_t: t, last_t: t, layout, state, last: h }
    }

    /// The encoding byte (2 or 3).
    pub fn encoding(&self) -> u8 {
        match self.state {
            State::Int(_) => ENCODING_HISTOGRAM,
            State::Float(_) => ENCODING_FLOAT_HISTOGRAM,
        }
    }

    /// Prometheus' appendable check for `h` after the last sample: `Ok` with the layouts to
    /// write it with, or `Err` with the counter-reset header of the chunk to start instead.
    pub fn check(&self, h: &HistSample) -> std::result::Result<Plan, CounterResetHint> {
        let gauge = self.header == CounterResetHint::Gauge;
        let hint = h.hint();
        if gauge != (hint == CounterResetHint::Gauge) || h.encoding() != self.encoding() {
            return Err(hint);
        }
        let other = if gauge { CounterResetHint::Gauge } else { CounterResetHint::Unknown };
        let reset = if gauge { CounterResetHint::Gauge } else { CounterResetHint::CounterReset };
        if hint == CounterResetHint::CounterReset {
            return Err(CounterResetHint::CounterReset);
        }
        if h.is_stale() {
            return Ok(None);
        }
        if self.last.is_stale() {
            return Err(other);
        }
        let l = h.layout();
        let (count_down, zero_down) = match (&self.state, h) {
            (State::Int(s), HistSample::Int(x)) => (x.count < s.counts().0, x.zero_count < s.counts().1),
            (State::Float(s), HistSample::Float(x)) => (x.count < s.counts().0, x.zero_count < s.counts().1),
            _ => return Err(hint),
        };
        if !gauge && count_down {
            return Err(reset);
        }
        #[allow(clippy::float_cmp)]
        if l.schema != self.layout.schema || l.zero_threshold != self.layout.zero_threshold {
            return Err(other);
        }
        if l.custom_values != self.layout.custom_values {
            return Err(reset);
        }
        if !gauge && zero_down {
            return Err(reset);
        }
        if l.positive == self.layout.positive && l.negative == self.layout.negative {
            if !gauge && self.buckets_decreased(h) {
                return Err(reset);
            }
            return Ok(None);
        }
        let (ap, an) = (indexes(&self.layout.positive), indexes(&self.layout.negative));
        let (bp, bn) = (indexes(&l.positive), indexes(&l.negative));
        if !gauge {
            let ok = match (&self.state, h) {
                (State::Int(s), HistSample::Int(x)) => {
                    let (pa, na) = s.absolute();
                    grows(&ap, &pa, &bp, &x.positive_counts()) && grows(&an, &na, &bn, &x.negative_counts())
                }
                (State::Float(s), HistSample::Float(x)) => {
                    let (pa, na) = s.buckets();
                    grows(&ap, &pa, &bp, &x.positive_buckets) && grows(&an, &na, &bn, &x.negative_buckets)
                }
                _ => false,
            };
            if !ok {
                return Err(reset);
            }
        }
        let (up, un) = (union(&ap, &bp), union(&an, &bn));
        Ok(if up == ap && un == an && up == bp && un == bn { None } else { Some((up, un)) })
    }

    /// With identical spans: whether any bucket of `h` is below the last sample's.
    fn buckets_decreased(&self, h: &HistSample) -> bool {
        match (&self.state, h) {
            (State::Int(s), HistSample::Int(x)) => {
                let (pa, na) = s.absolute();
                below(&pa, &x.positive_counts()) || below(&na, &x.negative_counts())
            }
            (State::Float(s), HistSample::Float(x)) => {
                let (pa, na) = s.buckets();
                below(&pa, &x.positive_buckets) || below(&na, &x.negative_buckets)
            }
            _ => true,
        }
    }

    /// Appends `h` at `t` with the plan [`Self::check`] returned, recoding the chunk when the
    /// plan adds buckets to its layout. `Err(())` (nothing changed) when the time does not
    /// increase, the chunk is full, or a recode would make it too large.
    #[allow(clippy::result_unit_err)]
    pub fn append(&mut self, t: Timestamp, h: HistSample, plan: Plan) -> std::result::Result<(), ()> {
        if t <= self.last_t || self.num == u16::MAX {
            return Err(());
        }
        let h = match plan {
            None => h,
            Some((up, un)) => {
                let l = h.layout();
                let (ap, an) = (indexes(&self.layout.positive), indexes(&self.layout.negative));
                let (bp, bn) = (indexes(&l.positive), indexes(&l.negative));
                let pick = |u: &[i32], a: &[i32], sa: &[Span], b: &[i32], sb: &[Span]| {
                    if u == a {
                        sa.to_vec()
                    } else if u == b {
                        sb.to_vec()
                    } else {
                        spans_of(u)
                    }
                };
                let ps = pick(&up, &ap, &self.layout.positive, &bp, &l.positive);
                let ns = pick(&un, &an, &self.layout.negative, &bn, &l.negative);
                if up != ap || un != an {
                    let recoded = self.recoded(&(ap, an), &(up.clone(), un.clone()), &ps, &ns).ok_or(())?;
                    *self = recoded;
                }
                widen_sample(&h, &(bp, bn), &(up, un), &ps, &ns)
            }
        };
        match (&mut self.state, &h) {
            (State::Int(s), HistSample::Int(x)) => s.put(&mut self.w, t, x),
            (State::Float(s), HistSample::Float(x)) => s.put(&mut self.w, t, x),
            _ => return Err(()),
        }
        self.num += 1;
        self.w.bytes[..2].copy_from_slice(&self.num.to_be_bytes());
        self.last_t = t;
        self.last = h;
        Ok(())
    }

    /// This chunk re-encoded with every sample widened from layouts `from` to `to` (spans
    /// `ps`/`ns`), the header kept; `None` if it would grow past [`MAX_RECODED_BYTES`].
    fn recoded(
        &self,
        from: &(Vec<i32>, Vec<i32>),
        to: &(Vec<i32>, Vec<i32>),
        ps: &[Span],
        ns: &[Span],
    ) -> Option<Self> {
        let mut it = HistIter::new(self.encoding(), self.bytes()).ok()?;
        let mut out: Option<Self> = None;
        while let Some(s) = it.next_native() {
            let (t, h) = s.ok()?;
            let h = widen_sample(&h, from, to, ps, ns);
            match out.as_mut() {
                None => out = Some(Self::new(t, h, self.header)),
                Some(c) => match (&mut c.state, &h) {
                    (State::Int(st), HistSample::Int(x)) => {
                        st.put(&mut c.w, t, x);
                        c.bump(t, h);
                    }
                    (State::Float(st), HistSample::Float(x)) => {
                        st.put(&mut c.w, t, x);
                        c.bump(t, h);
                    }
                    _ => return None,
                },
            }
            if out.as_ref().is_some_and(|c| c.w.bytes.len() > MAX_RECODED_BYTES) {
                return None;
            }
        }
        let mut c = out?;
        // The recoded chunk keeps the sample that was appended, not its decoded copy.
        c.last = self.last.clone();
        Some(c)
    }

    fn bump(&mut self, t: Timestamp, h: HistSample) {
        self.num += 1;
        self.w.bytes[..2].copy_from_slice(&self.num.to_be_bytes());
        self.last_t = t;
        self.last = h;
    }

    /// Number of samples.
    pub fn num_samples(&self) -> u16 {
        self.num
    }

    /// The encoded bytes, header included.
    pub fn bytes(&self) -> &[u8] {
        &self.w.bytes
    }

    /// The chunk's counter-reset header.
    pub fn header(&self) -> CounterResetHint {
        self.header
    }

    /// Timestamp of the first sample (a chunk is never empty; `Option` to match `XorChunk`).
    pub fn first_t(&self) -> Option<Timestamp> {
        Some(self.first_t)
    }

    /// Timestamp of the last sample.
    pub fn last_t(&self) -> Timestamp {
        self.last_t
    }

    /// The last sample as appended.
    pub fn last(&self) -> &HistSample {
        &self.last
    }

    /// Heap bytes held by the encoder (chunk bytes, layout and per-bucket state; the last
    /// sample is shared with the caller).
    pub fn capacity(&self) -> usize {
        let layout = std::mem::size_of::<Span>() * (self.layout.positive.capacity() + self.layout.negative.capacity())
            + 8 * self.layout.custom_values.capacity();
        let state = match &self.state {
            State::Int(s) => s.heap_bytes(),
            State::Float(s) => s.heap_bytes(),
        };
        self.w.capacity() + layout + state
    }
}

/// `h` with its buckets moved from index lists `from` to the wider `to` (spans `ps`/`ns`);
/// stale markers are unchanged.
fn widen_sample(
    h: &HistSample,
    from: &(Vec<i32>, Vec<i32>),
    to: &(Vec<i32>, Vec<i32>),
    ps: &[Span],
    ns: &[Span],
) -> HistSample {
    if h.is_stale() {
        return h.clone();
    }
    match h {
        HistSample::Int(x) => {
            let mut y = Histogram::clone(x);
            y.positive_buckets = layout::deltas(&widen(&from.0, &x.positive_counts(), &to.0));
            y.negative_buckets = layout::deltas(&widen(&from.1, &x.negative_counts(), &to.1));
            y.positive_spans = ps.to_vec();
            y.negative_spans = ns.to_vec();
            HistSample::Int(Arc::new(y))
        }
        HistSample::Float(x) => {
            let mut y = FloatHistogram::clone(x);
            y.positive_buckets = widen(&from.0, &x.positive_buckets, &to.0);
            y.negative_buckets = widen(&from.1, &x.negative_buckets, &to.1);
            y.positive_spans = ps.to_vec();
            y.negative_spans = ns.to_vec();
            HistSample::Float(Arc::new(y))
        }
    }
}

/// Whether counts `b` (at indexes `bi`) can follow `a` (at `ai`) without a reset: no shared
/// bucket decreased and no bucket missing from `b` was in use in `a`.
fn grows<T: Copy + PartialOrd + Default>(ai: &[i32], a: &[T], bi: &[i32], b: &[T]) -> bool {
    let mut j = 0;
    for (k, &i) in ai.iter().enumerate() {
        while j < bi.len() && bi[j] < i {
            j += 1;
        }
        let prev = a.get(k).copied().unwrap_or_default();
        if j < bi.len() && bi[j] == i {
            if prev > b.get(j).copied().unwrap_or_default() {
                return false;
            }
        } else if prev != T::default() {
            return false;
        }
    }
    true
}

fn below<T: Copy + PartialOrd>(a: &[T], b: &[T]) -> bool {
    a.iter().zip(b).any(|(x, y)| y < x)
}

/// The flags byte for a counter-reset header: Prometheus' bits (`10` reset, `01` not a reset,
/// `11` gauge, `00` unknown) in the two high bits.
fn header_bits(h: CounterResetHint) -> u8 {
    match h {
        CounterResetHint::Unknown => 0b0000_0000,
        CounterResetHint::CounterReset => 0b1000_0000,
        CounterResetHint::NotCounterReset => 0b0100_0000,
        CounterResetHint::Gauge => 0b1100_0000,
    }
}

fn header_from_bits(flags: u8) -> CounterResetHint {
    match flags & 0b1100_0000 {
        0b1000_0000 => CounterResetHint::CounterReset,
        0b0100_0000 => CounterResetHint::NotCounterReset,
        0b1100_0000 => CounterResetHint::Gauge,
        _ => CounterResetHint::Unknown,
    }
}

/// The hint a reader reports for sample `k` of a chunk with header `header`, as Prometheus'
/// iterators do: `Gauge` throughout a gauge chunk; `NotCounterReset` after the first sample;
/// the first sample `CounterReset` if the header says so, otherwise `Unknown` (a chunk cut
/// without a reset cannot vouch for its predecessor, which may be gone).
pub fn read_hint(header: CounterResetHint, k: u16) -> CounterResetHint {
    match header {
        CounterResetHint::Gauge => CounterResetHint::Gauge,
        _ if k > 0 => CounterResetHint::NotCounterReset,
        CounterResetHint::CounterReset => CounterResetHint::CounterReset,
        _ => CounterResetHint::Unknown,
    }
}

enum Reader {
    Int(int::IntReader),
    Float(float::FloatReader),
}

/// Decodes a histogram chunk (encoding 2 or 3) sample by sample.
pub struct HistIter<'a> {
    r: BitReader<'a>,
    layout: Layout,
    header: CounterResetHint,
    num: u16,
    read: u16,
    reader: Reader,
    failed: bool,
}

impl<'a> HistIter<'a> {
    /// An iterator over chunk `bytes` of `encoding`; reads the header and layout.
    pub fn new(encoding: u8, bytes: &'a [u8]) -> Result<Self> {
        let [a, b, flags, stream @ ..] = bytes else {
            return Err(Error::corrupt("histogram chunk", "shorter than its 3-byte header"));
        };
        let num = u16::from_be_bytes([*a, *b]);
        let mut r = BitReader::new(stream);
        let layout = if num == 0 { Layout::default() } else { Layout::read(&mut r)? };
        let reader = match encoding {
            ENCODING_HISTOGRAM => Reader::Int(int::IntReader::new(&layout)),
            ENCODING_FLOAT_HISTOGRAM => Reader::Float(float::FloatReader::new(&layout)),
            e => return Err(Error::corrupt("histogram chunk", format!("unknown encoding {e}"))),
        };
        Ok(Self { r, layout, header: header_from_bits(*flags), num, read: 0, reader, failed: false })
    }

    /// Samples the header announces.
    pub fn len_hint(&self) -> u16 {
        self.num
    }

    /// The chunk's counter-reset header.
    pub fn header(&self) -> CounterResetHint {
        self.header
    }

    /// Advances; returns the sample's time and whether it is a stale marker.
    fn step(&mut self) -> Option<Result<(Timestamp, bool)>> {
        if self.failed || self.read >= self.num {
            return None;
        }
        let r = match &mut self.reader {
            Reader::Int(x) => x.next(&mut self.r),
            Reader::Float(x) => x.next(&mut self.r),
        };
        self.read += 1;
        if r.is_err() {
            self.failed = true;
        }
        Some(r)
    }

    /// The next sample in its own kind (integer chunks yield integer histograms).
    pub fn next_native(&mut self) -> Option<Result<(Timestamp, HistSample)>> {
        let (t, stale) = match self.step()? {
            Ok(s) => s,
            Err(e) => return Some(Err(e)),
        };
        let hint = read_hint(self.header, self.read - 1);
        let l = &self.layout;
        Some(Ok((
            t,
            match &self.reader {
                Reader::Int(_) if stale => HistSample::Int(Arc::new(Histogram::stale())),
                Reader::Float(_) if stale => HistSample::Float(Arc::new(FloatHistogram::stale())),
                Reader::Int(x) => {
                    let mut h = Histogram {
                        counter_reset_hint: hint,
                        schema: l.schema,
                        zero_threshold: l.zero_threshold,
                        positive_spans: l.positive.clone(),
                        negative_spans: l.negative.clone(),
                        custom_values: l.custom_values.clone(),
                        ..Histogram::default()
                    };
                    x.fill(&mut h);
                    HistSample::Int(Arc::new(h))
                }
                Reader::Float(x) => {
                    let mut h = self.float_template(hint);
                    x.fill(&mut h);
                    HistSample::Float(Arc::new(h))
                }
            },
        )))
    }

    fn float_template(&self, hint: CounterResetHint) -> FloatHistogram {
        let l = &self.layout;
        FloatHistogram {
            counter_reset_hint: hint,
            schema: l.schema,
            zero_threshold: l.zero_threshold,
            positive_spans: l.positive.clone(),
            negative_spans: l.negative.clone(),
            custom_values: l.custom_values.clone(),
            ..FloatHistogram::default()
        }
    }

    /// The next sample's time, and with `keep` the sample as a float histogram.
    fn next_float(&mut self, keep: impl Fn(Timestamp) -> bool) -> Option<Result<(Timestamp, Option<FloatHistogram>)>> {
        let (t, stale) = match self.step()? {
            Ok(s) => s,
            Err(e) => return Some(Err(e)),
        };
        if !keep(t) {
            return Some(Ok((t, None)));
        }
        if stale {
            return Some(Ok((t, Some(FloatHistogram::stale()))));
        }
        let mut h = self.float_template(read_hint(self.header, self.read - 1));
        match &self.reader {
            Reader::Int(x) => x.fill_float(&mut h),
            Reader::Float(x) => x.fill(&mut h),
        }
        Some(Ok((t, Some(h))))
    }

    /// Cost of one sample of this chunk against the sample budget.
    fn sample_cost(&self) -> u64 {
        let mut h = self.float_template(CounterResetHint::Unknown);
        h.positive_buckets = vec![0.0; self.layout.num_positive()];
        h.negative_buckets = vec![0.0; self.layout.num_negative()];
        h.sample_cost()
    }
}

/// What decoding a histogram chunk costs against the sample budget (samples × the layout's
/// [`FloatHistogram::sample_cost`]), from the header and layout only; 0 if they are corrupt.
pub fn histogram_chunk_cost(encoding: u8, bytes: &[u8]) -> u64 {
    if encoding == ENCODING_LEGACY_FLOAT_HISTOGRAM {
        return legacy::chunk_cost(bytes);
    }
    HistIter::new(encoding, bytes).map_or(0, |it| u64::from(it.len_hint()) * it.sample_cost())
}

/// Decodes the samples with `mint <= t <= maxt` of a histogram chunk of `encoding` into `out`
/// as float histograms, with the hints of [`read_hint`].
pub fn decode_histograms_into(
    encoding: u8,
    bytes: &[u8],
    mint: Timestamp,
    maxt: Timestamp,
    out: &mut Vec<(Timestamp, Arc<FloatHistogram>)>,
) -> Result<()> {
    if encoding == ENCODING_LEGACY_FLOAT_HISTOGRAM {
        return legacy::decode_into(bytes, mint, maxt, out);
    }
    let mut it = HistIter::new(encoding, bytes)?;
    while let Some(s) = it.next_float(|t| t >= mint && t <= maxt) {
        let (t, h) = s?;
        if t > maxt {
            break;
        }
        if let Some(h) = h {
            out.push((t, Arc::new(h)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
