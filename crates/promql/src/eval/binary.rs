//! Binary operators: scalar/scalar, vector/scalar and vector/vector with `on`/`ignoring`,
//! `group_left`/`group_right` and the set operators.
//!
//! Float samples take the loops they always took; a series with histogram values (or a "one"
//! side that has some) takes a second path through [`hist::apply`], decided once per series.
//! The histogram trim operators (`</`, `>/`) apply to histograms only: their float samples go
//! with an info annotation, and vector/vector trims take the histogram path throughout.

mod hist;

use super::{Ctx, Grid, Series, StepSet, Val};
use crate::{Error, Result};
use hist::{Elem, Notes};
use std::collections::HashMap;
use std::ops::Range;
use vigil_model::{Labels, METRIC_NAME};
use vigil_promql_syntax::{BinaryExpr, BinaryOp, Cardinality, VectorMatching};

/// Applies `op`; returns the value and, for comparisons, whether the comparison holds.
#[inline]
fn apply(op: BinaryOp, l: f64, r: f64) -> (f64, bool) {
    match op {
        BinaryOp::Add => (l + r, true),
        BinaryOp::Sub => (l - r, true),
        BinaryOp::Mul => (l * r, true),
        BinaryOp::Div => (l / r, true),
        BinaryOp::Mod => (l % r, true),
        BinaryOp::Pow => (l.powf(r), true),
        BinaryOp::Atan2 => (l.atan2(r), true),
        BinaryOp::Eq => (l, l == r),
        BinaryOp::Ne => (l, l != r),
        BinaryOp::Gt => (l, l > r),
        BinaryOp::Lt => (l, l < r),
        BinaryOp::Ge => (l, l >= r),
        BinaryOp::Le => (l, l <= r),
        // Set operators filter whole series; trims apply to histograms only (`hist::apply`).
        BinaryOp::And | BinaryOp::Or | BinaryOp::Unless | BinaryOp::TrimUpper | BinaryOp::TrimLower => {
            (f64::NAN, false)
        }
    }
}

/// Combines one pair of values the way the operator and `bool` say; `None` filters the sample.
#[inline]
fn combine(op: BinaryOp, return_bool: bool, l: f64, r: f64) -> Option<f64> {
    let (v, keep) = apply(op, l, r);
    if op.is_comparison() {
        if return_bool {
            Some(if keep { 1.0 } else { 0.0 })
        } else if keep {
            Some(v)
        } else {
            None
        }
    } else {
        Some(v)
    }
}

/// The matching signature of a series.
fn signature(l: &Labels, m: &VectorMatching) -> Labels {
    let names: Vec<&str> = m.labels.iter().map(String::as_str).collect();
    if m.on {
        l.keep_only(&names)
    } else {
        let mut names = names;
        names.push(METRIC_NAME);
        l.without(&names)
    }
}

impl Ctx<'_> {
    pub(crate) fn eval_binary(&mut self, b: &BinaryExpr, g: &Grid) -> Result<Val> {
        let lhs = self.eval(&b.lhs, g)?;
        let rhs = self.eval(&b.rhs, g)?;
        // Filters keep the metric name: comparisons without `bool`, and trims (a trimmed
        // histogram is still the series it was).
        let drop_name = !(b.op.is_comparison() || b.op.is_trim()) || b.return_bool;
        match (lhs, rhs) {
            (Val::Scalar(l), Val::Scalar(r)) => Ok(Val::Scalar(
                l.iter().zip(&r).map(|(&a, &c)| combine(b.op, true, a, c).unwrap_or(f64::NAN)).collect(),
            )),
            (Val::Vector(mut vs), Val::Scalar(s)) | (Val::Scalar(s), Val::Vector(mut vs)) => {
                let scalar_left = matches!(b.lhs.value_type(), vigil_promql_syntax::ValueType::Scalar);
                let keep_value = b.op.is_comparison() && !b.return_bool;
                let mut notes = Notes::default();
                for series in &mut vs {
                    series.drop_name |= drop_name;
                    if b.op.is_trim() {
                        if series.points().next().is_some() {
                            notes.incompatible("float", "float");
                            series.filter_map_values(|_, _| None);
                        }
                    } else {
                        series.filter_map_values(|k, v| {
                            let (l, r) = if scalar_left { (s[k], v) } else { (v, s[k]) };
                            // A comparison keeps the vector's value even with the scalar on the left.
                            combine(b.op, b.return_bool, l, r).map(|x| if keep_value { v } else { x })
                        });
                    }
                    if series.has_hists() {
                        // No histogram/scalar operation yields a float, so results stay histograms.
                        series.filter_map_hists(|k, h| {
                            let (h, f) = (Elem::H(h.clone()), Elem::F(s[k]));
                            let (l, r) = if scalar_left { (&f, &h) } else { (&h, &f) };
                            match hist::apply(b.op, b.return_bool, l, r, &mut notes) {
                                Some(Elem::H(out)) => Some(out),
                                _ => None,
                            }
                        });
                    }
                }
                notes.emit(self, b);
                Ok(Val::Vector(vs.into_iter().filter(|s| !s.is_empty()).collect()))
            }
            (Val::Vector(l), Val::Vector(r)) => {
                let default = VectorMatching::one_to_one();
                let m = b.matching.as_ref().unwrap_or(&default);
                let out = match b.op {
                    BinaryOp::And | BinaryOp::Unless => set_filter(l, &r, m, b.op == BinaryOp::And),
                    BinaryOp::Or => set_or(l, r, m),
                    _ => {
                        let mut notes = Notes::default();
                        let out = self.vector_vector(b, m, l, r, drop_name, &mut notes);
                        notes.emit(self, b);
                        out?
                    }
                };
                Ok(Val::Vector(out))
            }
            _ => Err(Error::Execution("invalid operand types for a binary operation".into())),
        }
    }

    fn vector_vector(
        &mut self,
        b: &BinaryExpr,
        m: &VectorMatching,
        lhs: Vec<Series>,
        rhs: Vec<Series>,
        drop_name: bool,
        notes: &mut Notes,
    ) -> Result<Vec<Series>> {
        let swapped = m.card == Cardinality::OneToMany;
        let (many, one) = if swapped { (rhs, lhs) } else { (lhs, rhs) };
        let one_side = if swapped { "left" } else { "right" };
        let one_sigs: Vec<Labels> = one.iter().map(|s| signature(&s.labels, m)).collect();
        let mut one_map: HashMap<&Labels, Vec<usize>> = HashMap::new();
        for (j, sig) in one_sigs.iter().enumerate() {
            one_map.entry(sig).or_default().push(j);
        }
        // The "one" side must be unique per signature at every step.
        for (sig, js) in &one_map {
            if js.len() < 2 {
                continue;
            }
            for k in any_span(js.iter().map(|&j| &one[j])) {
                if js.iter().filter(|&&j| one[j].has_any(k)).count() > 1 {
                    return Err(Error::Execution(format!(
                        "found duplicate series for the match group {sig} on the {one_side} hand-side of the operation: [{}];many-to-many matching not allowed: matching labels must be unique on one side",
                        js.iter()
                            .filter(|&&j| one[j].has_any(k))
                            .map(|&j| one[j].labels.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
            }
        }
        if m.card == Cardinality::OneToOne {
            // Checked before comparisons filter anything, as Prometheus does.
            let mut many_map: HashMap<Labels, Vec<usize>> = HashMap::new();
            for (i, s) in many.iter().enumerate() {
                many_map.entry(signature(&s.labels, m)).or_default().push(i);
            }
            for (sig, is) in &many_map {
                let Some(js) = one_map.get(sig).filter(|_| is.len() > 1) else { continue };
                for k in any_span(is.iter().map(|&i| &many[i])) {
                    if js.iter().any(|&j| one[j].has_any(k)) && is.iter().filter(|&&i| many[i].has_any(k)).count() > 1 {
                        return Err(Error::Execution(
                            "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)".into(),
                        ));
                    }
                }
            }
        }
        let mut out = Output {
            series: Vec::new(),
            index: HashMap::new(),
            pairs: HashMap::new(),
            drop_name,
            made: 0,
            hist_made: 0,
            room: self.room(),
        };
        let one_has_hists = one.iter().any(Series::has_hists);
        // After the swap, `fill.lhs` stands in for a missing "many" sample, `fill.rhs` for a
        // missing "one" sample (Prometheus' reading of fill_left/fill_right with group_right).
        let fill = m.fill;
        let mut many_present: HashMap<Labels, StepSet> = HashMap::new();
        for (i, ms) in many.iter().enumerate() {
            if i % 256 == 0 {
                self.check("binary operation")?;
            }
            let sig = signature(&ms.labels, m);
            let js = one_map.get(&sig).map_or(&[][..], Vec::as_slice);
            if fill.lhs.is_some() {
                many_present.entry(sig.clone()).or_default().add_series(ms);
            }
            if js.is_empty() && fill.rhs.is_none() {
                continue;
            }
            if one_has_hists || ms.has_hists() || b.op.is_trim() {
                for (k, many_e) in elems(ms) {
                    let (j, one_e) = match js.iter().find_map(|&j| Some((j, elem_at(&one[j], k)?))) {
                        Some(found) => found,
                        None => match fill.rhs {
                            Some(v) => (FILLED, Elem::F(v)),
                            None => continue,
                        },
                    };
                    let (l, r) = if swapped { (&one_e, &many_e) } else { (&many_e, &one_e) };
                    let Some(v) = combine_elems(b, l, r, notes) else { continue };
                    let one_labels = if j == FILLED { &sig } else { &one[j].labels };
                    out.put((i, j), k, v, ms.drop_name, || result_labels(&ms.labels, one_labels, m), m)?;
                }
                continue;
            }
            for (k, many_v) in ms.points() {
                let (j, one_v) = match js.iter().find_map(|&j| Some((j, one[j].get(k)?))) {
                    Some(found) => found,
                    None => match fill.rhs {
                        Some(v) => (FILLED, v),
                        None => continue,
                    },
                };
                let (l, r) = if swapped { (one_v, many_v) } else { (many_v, one_v) };
                let Some(v) = combine(b.op, b.return_bool, l, r) else { continue };
                let one_labels = if j == FILLED { &sig } else { &one[j].labels };
                out.put((i, j), k, Elem::F(v), ms.drop_name, || result_labels(&ms.labels, one_labels, m), m)?;
            }
        }
        if let Some(fill_many) = fill.lhs {
            // "One" samples that no "many" sample matched at their step.
            for (j, os) in one.iter().enumerate() {
                let sig = &one_sigs[j];
                let present = many_present.get(sig);
                if os.has_hists() || b.op.is_trim() {
                    let fill_e = Elem::F(fill_many);
                    for (k, one_e) in elems(os) {
                        if present.is_some_and(|p| p.contains(k)) {
                            continue;
                        }
                        let (l, r) = if swapped { (&one_e, &fill_e) } else { (&fill_e, &one_e) };
                        let Some(v) = combine_elems(b, l, r, notes) else { continue };
                        out.put((FILLED, j), k, v, false, || result_labels(sig, &os.labels, m), m)?;
                    }
                    continue;
                }
                for (k, one_v) in os.points() {
                    if present.is_some_and(|p| p.contains(k)) {
                        continue;
                    }
                    let (l, r) = if swapped { (one_v, fill_many) } else { (fill_many, one_v) };
                    let Some(v) = combine(b.op, b.return_bool, l, r) else { continue };
                    out.put((FILLED, j), k, Elem::F(v), false, || result_labels(sig, &os.labels, m), m)?;
                }
            }
        }
        let out = out.series;
        self.add_samples(super::vector_cost(&out))?;
        Ok(out)
    }
}

/// Stands for the missing side's index when a fill modifier supplied its value.
const FILLED: usize = usize::MAX;

/// The result series of a vector/vector operation, keyed by labels and by matched pair.
struct Output {
    series: Vec<Series>,
    index: HashMap<Labels, usize>,
    pairs: HashMap<(usize, usize), usize>,
    drop_name: bool,
    /// The steps the spans of the series made so far cover, and what the query has left:
    /// checked as spans grow, since matching with one-side labels that change from step to step
    /// can make up to |many| × |one| series.
    made: usize,
    /// What the histogram values made so far cost.
    hist_made: usize,
    room: usize,
}

impl Output {
    /// Stores the value of pair `(many, one)` at step `k`, creating its series on first use.
    fn put(
        &mut self,
        pair: (usize, usize),
        k: usize,
        v: Elem,
        drop_name: bool,
        labels: impl FnOnce() -> Labels,
        m: &VectorMatching,
    ) -> Result<()> {
        let oi = match self.pairs.get(&pair) {
            Some(&oi) => oi,
            None => {
                let labels = labels();
                let oi = match self.index.get(&labels) {
                    Some(&oi) => oi,
                    None => {
                        let mut s = Series::new(labels.clone());
                        s.drop_name = self.drop_name || drop_name;
                        self.series.push(s);
                        self.index.insert(labels, self.series.len() - 1);
                        self.series.len() - 1
                    }
                };
                self.pairs.insert(pair, oi);
                oi
            }
        };
        let dst = &mut self.series[oi];
        if dst.has_any(k) {
            return Err(Error::Execution(if m.card == Cardinality::OneToOne {
                "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)".into()
            } else {
                "multiple matches for labels: grouping labels must ensure unique matches".into()
            }));
        }
        match v {
            Elem::F(v) => self.made = self.made.saturating_add(dst.set(k, v)),
            Elem::H(h) => self.hist_made = self.hist_made.saturating_add(dst.set_hist(k, h)),
        }
        if super::span_cost(self.made).saturating_add(self.hist_made) > self.room {
            return Err(Error::TooManySamples);
        }
        Ok(())
    }
}

/// The labels of a result sample: from the "many" side, reduced for one-to-one matching, plus
/// the `group_x(...)` labels copied from the "one" side.
fn result_labels(many: &Labels, one: &Labels, m: &VectorMatching) -> Labels {
    let names: Vec<&str> = m.labels.iter().map(String::as_str).collect();
    let base = if m.card == Cardinality::OneToOne {
        if m.on { many.keep_only(&names) } else { many.without(&names) }
    } else {
        many.clone()
    };
    if m.include.is_empty() {
        return base;
    }
    let mut b = base.builder();
    for n in &m.include {
        b.set(n, one.get(n).unwrap_or(""));
    }
    b.build()
}

/// The steps at which some series of each signature has a value.
fn steps_by_signature(series: &[Series], m: &VectorMatching) -> HashMap<Labels, StepSet> {
    let mut present: HashMap<Labels, StepSet> = HashMap::new();
    for s in series {
        present.entry(signature(&s.labels, m)).or_default().add_series(s);
    }
    present
}

/// `and` (keep = true) and `unless` (keep = false).
fn set_filter(mut lhs: Vec<Series>, rhs: &[Series], m: &VectorMatching, keep: bool) -> Vec<Series> {
    let present = steps_by_signature(rhs, m);
    for s in &mut lhs {
        let p = present.get(&signature(&s.labels, m));
        s.filter_map_values(|k, v| (p.is_some_and(|p| p.contains(k)) == keep).then_some(v));
        if s.has_hists() {
            s.filter_map_hists(|k, h| (p.is_some_and(|p| p.contains(k)) == keep).then(|| h.clone()));
        }
    }
    lhs.into_iter().filter(|s| !s.is_empty()).collect()
}

/// `or`: everything from the left, plus right-hand samples whose signature the left lacks.
fn set_or(lhs: Vec<Series>, rhs: Vec<Series>, m: &VectorMatching) -> Vec<Series> {
    let present = steps_by_signature(&lhs, m);
    let mut out = lhs;
    for mut s in rhs {
        if let Some(p) = present.get(&signature(&s.labels, m)) {
            s.filter_map_values(|k, v| (!p.contains(k)).then_some(v));
            if s.has_hists() {
                s.filter_map_hists(|k, h| (!p.contains(k)).then(|| h.clone()));
            }
        }
        if !s.is_empty() {
            out.push(s);
        }
    }
    out
}

/// `l op r` for values of either kind, with `bool` applied; `None` filters the sample.
fn combine_elems(b: &BinaryExpr, l: &Elem, r: &Elem, notes: &mut Notes) -> Option<Elem> {
    match (l, r) {
        (Elem::F(l), Elem::F(r)) if !b.op.is_trim() => combine(b.op, b.return_bool, *l, *r).map(Elem::F),
        _ => hist::apply(b.op, b.return_bool, l, r, notes),
    }
}

/// The value of either kind at step `k`.
fn elem_at(s: &Series, k: usize) -> Option<Elem> {
    match s.get(k) {
        Some(v) => Some(Elem::F(v)),
        None => s.hist(k).map(|h| Elem::H(h.clone())),
    }
}

/// Every value of the series, floats and histograms, in step order.
fn elems(s: &Series) -> Vec<(usize, Elem)> {
    let mut out: Vec<(usize, Elem)> = s.points().map(|(k, v)| (k, Elem::F(v))).collect();
    out.extend(s.hists().iter().map(|(k, h)| (*k, Elem::H(h.clone()))));
    out.sort_by_key(|e| e.0);
    out
}

/// The steps from the first value to the last of any of `series`, histograms included.
fn any_span<'a>(series: impl Iterator<Item = &'a Series>) -> Range<usize> {
    series
        .flat_map(|s| {
            let hists = match (s.hists().first(), s.hists().last()) {
                (Some(first), Some(last)) => first.0..last.0 + 1,
                _ => 0..0,
            };
            [s.span(), hists]
        })
        .filter(|r| !r.is_empty())
        .reduce(|a, b| a.start.min(b.start)..a.end.max(b.end))
        .unwrap_or(0..0)
}
