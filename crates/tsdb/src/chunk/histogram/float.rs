//! Float histogram samples in a chunk of encoding 3 (`EncFloatHistogram`): timestamps as varbit
//! raw value, delta, then delta-of-deltas; count, zero count, sum and every bucket as its own
//! XOR field (raw 64 bits in the first sample).

use super::layout::Layout;
use super::varbit::{BitWriter, XorField, put_varbit_int, read_varbit_int};
use crate::Result;
use crate::chunk::bits::BitReader;
use vigil_model::FloatHistogram;

/// The writer's state after the last sample.
#[derive(Debug, Clone)]
pub struct FloatState {
    t: i64,
    t_delta: i64,
    cnt: XorField,
    zcnt: XorField,
    sum: XorField,
    p: Vec<XorField>,
    n: Vec<XorField>,
}

/// Writes the first sample (after the layout) and returns the state.
pub fn put_first(w: &mut BitWriter, layout: &Layout, t: i64, h: &FloatHistogram) -> FloatState {
    let stale = h.is_stale();
    let (count, zcount) = if stale { (0.0, 0.0) } else { (h.count, h.zero_count) };
    put_varbit_int(w, t);
    for v in [count, zcount, h.sum] {
        w.write_bits(v.to_bits(), 64);
    }
    let take = |b: &[f64], n: usize| -> Vec<XorField> {
        let mut v: Vec<XorField> =
            if stale { Vec::new() } else { b.iter().take(n).map(|&x| XorField::new(x)).collect() };
        v.resize(n, XorField::new(0.0));
        v
    };
    let p = take(&h.positive_buckets, layout.num_positive());
    let n = take(&h.negative_buckets, layout.num_negative());
    if !stale {
        for f in p.iter().chain(&n) {
            w.write_bits(f.bits, 64);
        }
    }
    FloatState {
        t,
        t_delta: 0,
        cnt: XorField::new(count),
        zcnt: XorField::new(zcount),
        sum: XorField::new(h.sum),
        p,
        n,
    }
}

impl FloatState {
    /// Writes a later sample; `h` has the chunk's layout (or is a stale marker: zero counts,
    /// no buckets).
    pub fn put(&mut self, w: &mut BitWriter, t: i64, h: &FloatHistogram) {
        let stale = h.is_stale();
        let (count, zcount) = if stale { (0.0, 0.0) } else { (h.count, h.zero_count) };
        let t_delta = t.wrapping_sub(self.t);
        put_varbit_int(w, t_delta.wrapping_sub(self.t_delta));
        self.cnt.write(w, count);
        self.zcnt.write(w, zcount);
        self.sum.write(w, h.sum);
        if !stale {
            for (side, fields) in [(&h.positive_buckets, &mut self.p), (&h.negative_buckets, &mut self.n)] {
                for (k, f) in fields.iter_mut().enumerate() {
                    f.write(w, side.get(k).copied().unwrap_or(0.0));
                }
            }
        }
        self.t = t;
        self.t_delta = t_delta;
    }

    /// The last sample's positive and negative bucket counts.
    pub fn buckets(&self) -> (Vec<f64>, Vec<f64>) {
        let vals = |v: &[XorField]| v.iter().map(XorField::value).collect();
        (vals(&self.p), vals(&self.n))
    }

    /// The last sample's count and zero count.
    pub fn counts(&self) -> (f64, f64) {
        (self.cnt.value(), self.zcnt.value())
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of::<XorField>() * (self.p.capacity() + self.n.capacity())
    }
}

/// The reader's running state over one chunk of encoding 3.
pub struct FloatReader {
    st: FloatState,
    read: u16,
}

impl FloatReader {
    /// A reader positioned after the layout.
    pub fn new(layout: &Layout) -> Self {
        let z = XorField::new_reading(0);
        let st = FloatState {
            t: 0,
            t_delta: 0,
            cnt: z,
            zcnt: z,
            sum: z,
            p: vec![z; layout.num_positive()],
            n: vec![z; layout.num_negative()],
        };
        Self { st, read: 0 }
    }

    /// Decodes the next sample; returns its time and whether it is a stale marker.
    pub fn next(&mut self, r: &mut BitReader<'_>) -> Result<(i64, bool)> {
        let st = &mut self.st;
        if self.read == 0 {
            st.t = read_varbit_int(r)?;
            st.cnt = XorField::new_reading(r.read_bits(64)?);
            st.zcnt = XorField::new_reading(r.read_bits(64)?);
            st.sum = XorField::new_reading(r.read_bits(64)?);
            let stale = vigil_model::is_stale_nan(st.sum.value());
            if !stale {
                for f in st.p.iter_mut().chain(st.n.iter_mut()) {
                    *f = XorField::new_reading(r.read_bits(64)?);
                }
            }
            self.read = 1;
            return Ok((st.t, stale));
        }
        st.t_delta = st.t_delta.wrapping_add(read_varbit_int(r)?);
        st.t = st.t.wrapping_add(st.t_delta);
        st.cnt.read(r)?;
        st.zcnt.read(r)?;
        st.sum.read(r)?;
        let stale = vigil_model::is_stale_nan(st.sum.value());
        if !stale {
            for f in st.p.iter_mut().chain(st.n.iter_mut()) {
                f.read(r)?;
            }
        }
        self.read = self.read.saturating_add(1);
        Ok((st.t, stale))
    }

    /// The current sample's counts, sum and buckets written into `h`.
    pub fn fill(&self, h: &mut FloatHistogram) {
        h.count = self.st.cnt.value();
        h.zero_count = self.st.zcnt.value();
        h.sum = self.st.sum.value();
        for (dst, src) in [(&mut h.positive_buckets, &self.st.p), (&mut h.negative_buckets, &self.st.n)] {
            dst.clear();
            dst.extend(src.iter().map(XorField::value));
        }
    }
}
