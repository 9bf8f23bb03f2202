//! Integer histogram samples in a chunk of encoding 2 (`EncHistogram`): timestamps, counts and
//! delta-encoded buckets as varbit raw values, then deltas, then delta-of-deltas; the sum XORed.

use super::layout::{Layout, absolute};
use super::varbit::{BitWriter, XorField, put_varbit_int, put_varbit_uint, read_varbit_int, read_varbit_uint};
use crate::Result;
use crate::chunk::bits::BitReader;
use vigil_model::Histogram;

/// The writer's state after the last sample (what the next sample's deltas are taken against).
#[derive(Debug, Clone)]
pub struct IntState {
    t: i64,
    t_delta: i64,
    cnt: u64,
    zcnt: u64,
    cnt_delta: i64,
    zcnt_delta: i64,
    /// The last sample's bucket entries (each the difference to the previous bucket).
    p: Vec<i64>,
    n: Vec<i64>,
    /// How much each bucket entry changed at the last sample.
    pd: Vec<i64>,
    nd: Vec<i64>,
    sum: XorField,
}

/// Writes the first sample (after the layout) and returns the state.
pub fn put_first(w: &mut BitWriter, layout: &Layout, t: i64, h: &Histogram) -> IntState {
    let stale = h.is_stale();
    let (count, zcount) = if stale { (0, 0) } else { (h.count, h.zero_count) };
    put_varbit_int(w, t);
    put_varbit_uint(w, count);
    put_varbit_uint(w, zcount);
    w.write_bits(h.sum.to_bits(), 64);
    let take = |b: &[i64], n: usize| -> Vec<i64> {
        let mut v: Vec<i64> = if stale { Vec::new() } else { b.iter().copied().take(n).collect() };
        v.resize(n, 0);
        v
    };
    let p = take(&h.positive_buckets, layout.num_positive());
    let n = take(&h.negative_buckets, layout.num_negative());
    if !stale {
        for &b in p.iter().chain(&n) {
            put_varbit_int(w, b);
        }
    }
    IntState {
        t,
        t_delta: 0,
        cnt: count,
        zcnt: zcount,
        cnt_delta: 0,
        zcnt_delta: 0,
        pd: vec![0; p.len()],
        nd: vec![0; n.len()],
        p,
        n,
        sum: XorField::new(h.sum),
    }
}

impl IntState {
    /// Writes a later sample; `h` has the chunk's layout (or is a stale marker, which writes
    /// no buckets and zero count changes).
    pub fn put(&mut self, w: &mut BitWriter, t: i64, h: &Histogram) {
        let stale = h.is_stale();
        let (count, zcount) = if stale { (0, 0) } else { (h.count, h.zero_count) };
        let t_delta = t.wrapping_sub(self.t);
        let cnt_delta = (count as i64).wrapping_sub(self.cnt as i64);
        let zcnt_delta = (zcount as i64).wrapping_sub(self.zcnt as i64);
        put_varbit_int(w, t_delta.wrapping_sub(self.t_delta));
        let (cnt_dod, zcnt_dod) = if stale {
            (0, 0)
        } else {
            (cnt_delta.wrapping_sub(self.cnt_delta), zcnt_delta.wrapping_sub(self.zcnt_delta))
        };
        put_varbit_int(w, cnt_dod);
        put_varbit_int(w, zcnt_dod);
        self.sum.write(w, h.sum);
        if !stale {
            for (side, (prev, change)) in
                [(&h.positive_buckets, (&mut self.p, &mut self.pd)), (&h.negative_buckets, (&mut self.n, &mut self.nd))]
            {
                for (k, (p, d)) in prev.iter_mut().zip(change.iter_mut()).enumerate() {
                    let b = side.get(k).copied().unwrap_or(0);
                    let delta = b.wrapping_sub(*p);
                    put_varbit_int(w, delta.wrapping_sub(*d));
                    *d = delta;
                    *p = b;
                }
            }
        }
        self.t = t;
        self.t_delta = t_delta;
        self.cnt = count;
        self.zcnt = zcount;
        self.cnt_delta = cnt_delta;
        self.zcnt_delta = zcnt_delta;
    }

    /// The last sample's absolute positive and negative bucket counts.
    pub fn absolute(&self) -> (Vec<i64>, Vec<i64>) {
        (absolute(&self.p), absolute(&self.n))
    }

    /// The last sample's count and zero count.
    pub fn counts(&self) -> (u64, u64) {
        (self.cnt, self.zcnt)
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        8 * (self.p.capacity() + self.n.capacity() + self.pd.capacity() + self.nd.capacity())
    }
}

/// The reader's running state over one chunk of encoding 2.
pub struct IntReader {
    st: IntState,
    read: u16,
}

impl IntReader {
    /// A reader positioned after the layout.
    pub fn new(layout: &Layout) -> Self {
        let (np, nn) = (layout.num_positive(), layout.num_negative());
        let st = IntState {
            t: 0,
            t_delta: 0,
            cnt: 0,
            zcnt: 0,
            cnt_delta: 0,
            zcnt_delta: 0,
            p: vec![0; np],
            n: vec![0; nn],
            pd: vec![0; np],
            nd: vec![0; nn],
            sum: XorField::new_reading(0),
        };
        Self { st, read: 0 }
    }

    /// Decodes the next sample; returns its time and whether it is a stale marker. The values
    /// are then in [`Self::fill`].
    pub fn next(&mut self, r: &mut BitReader<'_>) -> Result<(i64, bool)> {
        let st = &mut self.st;
        if self.read == 0 {
            st.t = read_varbit_int(r)?;
            st.cnt = read_varbit_uint(r)?;
            st.zcnt = read_varbit_uint(r)?;
            st.sum = XorField::new_reading(r.read_bits(64)?);
            let stale = vigil_model::is_stale_nan(st.sum.value());
            if !stale {
                for b in st.p.iter_mut().chain(st.n.iter_mut()) {
                    *b = read_varbit_int(r)?;
                }
            }
            self.read = 1;
            return Ok((st.t, stale));
        }
        st.t_delta = st.t_delta.wrapping_add(read_varbit_int(r)?);
        st.t = st.t.wrapping_add(st.t_delta);
        st.cnt_delta = st.cnt_delta.wrapping_add(read_varbit_int(r)?);
        st.cnt = (st.cnt as i64).wrapping_add(st.cnt_delta) as u64;
        st.zcnt_delta = st.zcnt_delta.wrapping_add(read_varbit_int(r)?);
        st.zcnt = (st.zcnt as i64).wrapping_add(st.zcnt_delta) as u64;
        st.sum.read(r)?;
        let stale = vigil_model::is_stale_nan(st.sum.value());
        if !stale {
            for (b, d) in st.p.iter_mut().zip(st.pd.iter_mut()).chain(st.n.iter_mut().zip(st.nd.iter_mut())) {
                *d = d.wrapping_add(read_varbit_int(r)?);
                *b = b.wrapping_add(*d);
            }
        }
        self.read = self.read.saturating_add(1);
        Ok((st.t, stale))
    }

    /// The current sample's counts, sum and bucket entries written into `h` (whose layout
    /// fields the caller sets).
    pub fn fill(&self, h: &mut Histogram) {
        h.count = self.st.cnt;
        h.zero_count = self.st.zcnt;
        h.sum = self.st.sum.value();
        h.positive_buckets.clone_from(&self.st.p);
        h.negative_buckets.clone_from(&self.st.n);
    }

    /// The current sample's counts, sum and absolute bucket counts as floats into `h`.
    pub fn fill_float(&self, h: &mut vigil_model::FloatHistogram) {
        h.count = self.st.cnt as f64;
        h.zero_count = self.st.zcnt as f64;
        h.sum = self.st.sum.value();
        for (dst, src) in [(&mut h.positive_buckets, &self.st.p), (&mut h.negative_buckets, &self.st.n)] {
            dst.clear();
            let mut acc = 0i64;
            dst.extend(src.iter().map(|&d| {
                acc = acc.wrapping_add(d);
                acc as f64
            }));
        }
    }
}
