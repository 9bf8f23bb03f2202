//! OpenMetrics family-level rules, checked while streaming.
//!
//! The rules follow the reference parser of the OpenMetrics test suite: metadata comes before a
//! family's samples and at most once; a family's names may not clash with another family's;
//! samples of one group (one label set, ignoring `le`/`quantile`/the state label) are contiguous
//! with non-decreasing timestamps; counters, buckets and counts are non-negative and not NaN;
//! histograms have ordered buckets ending in `+Inf` that agrees with `_count`; exemplars only on
//! buckets and counter totals. Sets of seen names and groups hold 64-bit hashes, so the checks
//! allocate per family at most, never per sample.

use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hasher};

use crate::escaped::Escaped;
use crate::parser::MetricType;
use crate::series::Series;

type Check = Result<(), String>;

/// Streaming validator state for one exposition.
#[derive(Debug, Default)]
pub(crate) struct Validator<'a> {
    /// When false only `# EOF` is tracked.
    enabled: bool,
    eof: bool,
    family: Option<Family<'a>>,
    /// Hashes of every name claimed by a finished family.
    seen_names: HashSet<u64>,
    /// Hashes of the groups seen in the current family.
    seen_groups: HashSet<u64>,
    /// Hashes of the series seen in the current group at its current timestamp.
    group_series: HashSet<u64>,
    /// Scratch for sorting a line's labels.
    pairs: Vec<(&'a str, &'a str)>,
}

#[derive(Debug)]
struct Family<'a> {
    name: Cow<'a, str>,
    /// `None` until a `# TYPE` line (or a sample) fixes it; checks treat `None` as unknown.
    kind: Option<MetricType>,
    help: bool,
    unit: Option<&'a str>,
    has_samples: bool,
    group: Option<u64>,
    group_ts: Option<i64>,
    histogram: HistogramCheck,
}

impl Family<'_> {
    fn kind(&self) -> MetricType {
        self.kind.unwrap_or(MetricType::Unknown)
    }

    /// Whether `name` is a sample name of this family; returns the suffix if so.
    fn suffix_of<'n>(&self, name: &'n str) -> Option<&'n str> {
        let suffix = name.strip_prefix(self.name.as_ref())?;
        let allowed = if self.kind.is_none() { &[""][..] } else { suffixes(self.kind()) };
        allowed.contains(&suffix).then_some(suffix)
    }
}

/// The sample-name suffixes each type allows.
fn suffixes(kind: MetricType) -> &'static [&'static str] {
    match kind {
        MetricType::Counter => &["_total", "_created"],
        MetricType::Summary => &["", "_count", "_sum", "_created"],
        MetricType::Histogram => &["_count", "_sum", "_bucket", "_created"],
        MetricType::GaugeHistogram => &["_gcount", "_gsum", "_bucket"],
        MetricType::Info => &["_info"],
        MetricType::Gauge | MetricType::StateSet | MetricType::Unknown => &[""],
    }
}

fn is_histogram(kind: MetricType) -> bool {
    matches!(kind, MetricType::Histogram | MetricType::GaugeHistogram)
}

impl<'a> Validator<'a> {
    pub(crate) fn new(enabled: bool) -> Self {
        Self { enabled, ..Self::default() }
    }

    pub(crate) fn eof_seen(&self) -> bool {
        self.eof
    }

    /// `# EOF`: finishes the last family.
    pub(crate) fn eof(&mut self) -> Check {
        self.finish_family()?;
        self.eof = true;
        Ok(())
    }

    pub(crate) fn help(&mut self, name: Escaped<'a>) -> Check {
        if !self.enabled {
            return Ok(());
        }
        let fam = self.metadata_family(name, "HELP")?;
        if std::mem::replace(&mut fam.help, true) {
            return Err(format!("more than one HELP for metric {:?}", fam.name));
        }
        Ok(())
    }

    pub(crate) fn kind(&mut self, name: Escaped<'a>, kind: MetricType) -> Check {
        if !self.enabled {
            return Ok(());
        }
        let fam = self.metadata_family(name, "TYPE")?;
        if fam.kind.is_some() {
            return Err(format!("more than one TYPE for metric {:?}", fam.name));
        }
        fam.kind = Some(kind);
        Ok(())
    }

    pub(crate) fn unit(&mut self, name: Escaped<'a>, unit: &'a str) -> Check {
        if !self.enabled {
            return Ok(());
        }
        let fam = self.metadata_family(name, "UNIT")?;
        if fam.unit.is_some() {
            return Err(format!("more than one UNIT for metric {:?}", fam.name));
        }
        fam.unit = Some(unit);
        Ok(())
    }

    /// The family a metadata line belongs to, starting a new one if the name changed.
    fn metadata_family(&mut self, name: Escaped<'a>, what: &str) -> Result<&mut Family<'a>, String> {
        let name = name.unescape();
        let same = self.family.as_ref().is_some_and(|f| f.name == name);
        if same {
            if self.family.as_ref().is_some_and(|f| f.has_samples) {
                return Err(format!("{what} for metric {name:?} after its samples"));
            }
        } else {
            self.finish_family()?;
            self.start_family(name, None);
        }
        self.family.as_mut().ok_or_else(|| "internal: no current family".to_owned())
    }

    fn start_family(&mut self, name: Cow<'a, str>, kind: Option<MetricType>) {
        self.seen_groups.clear();
        self.group_series.clear();
        self.family = Some(Family {
            name,
            kind,
            help: false,
            unit: None,
            has_samples: false,
            group: None,
            group_ts: None,
            histogram: HistogramCheck::default(),
        });
    }

    /// Checks that can only be made once a family is complete.
    fn finish_family(&mut self) -> Check {
        let Some(fam) = self.family.take() else {
            return Ok(());
        };
        let kind = fam.kind();
        for suffix in suffixes(kind).iter().filter(|s| !s.is_empty()).chain(std::iter::once(&"")) {
            let mut h = DefaultHasher::new();
            h.write(fam.name.as_bytes());
            h.write(suffix.as_bytes());
            if !self.seen_names.insert(h.finish()) {
                return Err(format!(
                    "metric name {:?} clashes with an earlier family",
                    format!("{}{suffix}", fam.name)
                ));
            }
        }
        if let Some(unit) = fam.unit.filter(|u| !u.is_empty()) {
            let matches = fam.name.strip_suffix(unit).is_some_and(|rest| rest.ends_with('_'));
            if !matches {
                return Err(format!("metric name {:?} does not end in its unit \"_{unit}\"", fam.name));
            }
            if matches!(kind, MetricType::Info | MetricType::StateSet) {
                return Err(format!("{} metric {:?} cannot have a unit", kind.as_str(), fam.name));
            }
        }
        if is_histogram(kind) {
            fam.histogram.finish(&fam.name)?;
        }
        Ok(())
    }

    /// Checks one sample against its family, starting a new family when the name changes.
    pub(crate) fn sample(&mut self, s: &Series<'a>) -> Check {
        if !self.enabled {
            return Ok(());
        }
        let sample_name = s.name.unescape();
        let belongs = self.family.as_ref().is_some_and(|f| f.suffix_of(&sample_name).is_some());
        if !belongs {
            self.finish_family()?;
            self.start_family(sample_name.clone(), Some(MetricType::Unknown));
        }
        let Some(fam) = self.family.as_mut() else {
            return Err("internal: no current family".to_owned());
        };
        let kind = fam.kind();
        let suffix = fam.suffix_of(&sample_name).unwrap_or("");
        let fam_name: &str = &fam.name;

        if kind == MetricType::StateSet && s.label(fam_name).is_none() {
            return Err(format!("stateset sample lacks the label {fam_name:?}"));
        }
        let mut le = None;
        if suffix == "_bucket" {
            le = Some(parse_bound(s.label("le"), "le")?);
            if !is_integer(s.value) {
                return Err(format!("bucket value {} is not an integer", s.value));
            }
        }
        if matches!(suffix, "_count" | "_gcount") && !is_integer(s.value) {
            return Err(format!("count value {} is not an integer", s.value));
        }
        if kind == MetricType::Summary && suffix.is_empty() {
            let q = parse_bound(s.label("quantile"), "quantile")?;
            if !(0.0..=1.0).contains(&q) {
                return Err(format!("quantile {q} is outside [0, 1]"));
            }
        }

        // Grouping: groups are contiguous and timestamps within a group do not go backwards.
        let special = match kind {
            MetricType::Summary if suffix.is_empty() => Some("quantile"),
            MetricType::StateSet => Some(fam_name),
            _ if suffix == "_bucket" => Some("le"),
            _ => None,
        };
        let (group, series_id) = group_hashes(&mut self.pairs, s, &sample_name, special, kind == MetricType::Info);
        let ts = s.timestamp;
        if fam.group.is_some() && fam.group != Some(group) && self.seen_groups.contains(&group) {
            return Err("samples of one group are not contiguous".to_owned());
        }
        if fam.group == Some(group) {
            if ts.is_some() != fam.group_ts.is_some() {
                return Err("some samples of a group have timestamps and some do not".to_owned());
            }
            if let (Some(prev), Some(now)) = (fam.group_ts, ts)
                && prev > now
                && kind != MetricType::Info
            {
                return Err(format!("timestamp {now} ms goes backwards within a group (previous {prev} ms)"));
            }
        } else {
            self.group_series.clear();
        }
        // A repeat of a series at the group's timestamp is a duplicate, not a new observation.
        let counted = ts != fam.group_ts || !self.group_series.contains(&series_id);
        self.group_series.insert(series_id);
        fam.group = Some(group);
        fam.group_ts = ts;
        self.seen_groups.insert(group);
        if counted && is_histogram(kind) {
            fam.histogram.observe(&fam.name, suffix, group, ts, le, s.value)?;
        }

        let v = s.value;
        match kind {
            MetricType::StateSet if v != 0.0 && v != 1.0 => {
                return Err(format!("stateset value {v} is not 0 or 1"));
            }
            MetricType::Info if v != 1.0 => return Err(format!("info value {v} is not 1")),
            MetricType::Summary if suffix.is_empty() && v < 0.0 => {
                return Err(format!("quantile value {v} is negative"));
            }
            _ => {}
        }
        let counter_like = matches!(suffix, "_total" | "_sum" | "_count" | "_bucket" | "_gcount" | "_gsum");
        if counter_like && v.is_nan() {
            return Err(format!("{suffix} sample cannot be NaN"));
        }
        if counter_like && suffix != "_gsum" && v < 0.0 {
            return Err(format!("{suffix} sample cannot be negative"));
        }
        if s.exemplar.is_some() {
            let allowed =
                (is_histogram(kind) && suffix == "_bucket") || (kind == MetricType::Counter && suffix == "_total");
            if !allowed {
                return Err("exemplars are only allowed on histogram buckets and counter totals".to_owned());
            }
        }
        fam.has_samples = true;
        Ok(())
    }
}

/// Hashes of the sample's group (labels without `special`) and of the series (name + labels).
fn group_hashes<'a>(
    pairs: &mut Vec<(&'a str, &'a str)>,
    s: &Series<'a>,
    name: &str,
    special: Option<&str>,
    info: bool,
) -> (u64, u64) {
    pairs.clear();
    pairs.extend(s.labels().map(|(n, v)| (n.raw(), v.raw())));
    pairs.sort_unstable();
    let mut group = DefaultHasher::new();
    let mut series = DefaultHasher::new();
    series.write(name.as_bytes());
    series.write_u8(0xff);
    for &(n, v) in pairs.iter() {
        write_pair(&mut series, n, v);
        if !info && special != Some(n) {
            write_pair(&mut group, n, v);
        }
    }
    (group.finish(), series.finish())
}

fn write_pair(h: &mut DefaultHasher, name: &str, value: &str) {
    h.write(name.as_bytes());
    h.write_u8(0xfe);
    h.write(value.as_bytes());
    h.write_u8(0xff);
}

/// Parses an `le` or `quantile` label: present, a number, not NaN, infinities spelled canonically.
fn parse_bound(label: Option<Escaped<'_>>, what: &str) -> Result<f64, String> {
    let Some(raw) = label else {
        return Err(format!("missing {what} label"));
    };
    let text = raw.unescape();
    let Ok(v) = text.parse::<f64>() else {
        return Err(format!("invalid {what} label {text:?}"));
    };
    if v.is_nan() || (v.is_infinite() && text != "+Inf" && text != "-Inf") {
        return Err(format!("invalid {what} label {text:?}"));
    }
    Ok(v)
}

fn is_integer(v: f64) -> bool {
    v.is_finite() && v.fract() == 0.0
}

/// Per-group histogram shape, checked when a group ends.
#[derive(Debug, Default)]
struct HistogramCheck {
    group: Option<u64>,
    ts: Option<i64>,
    count: Option<f64>,
    bucket: Option<f64>,
    last_bucket_value: f64,
    negative_buckets: bool,
    sum: bool,
    gsum: bool,
    negative_gsum: bool,
}

impl HistogramCheck {
    fn observe(&mut self, name: &str, suffix: &str, group: u64, ts: Option<i64>, le: Option<f64>, v: f64) -> Check {
        if self.group != Some(group) || self.ts != ts {
            self.finish(name)?;
            *self = HistogramCheck { group: Some(group), ts, ..HistogramCheck::default() };
        }
        match suffix {
            "_bucket" => {
                let le = le.unwrap_or(f64::NAN);
                if le < 0.0 {
                    self.negative_buckets = true;
                }
                if self.bucket.is_some_and(|b| le <= b) {
                    return Err(format!("histogram {name:?}: buckets out of order"));
                }
                if v < self.last_bucket_value {
                    return Err(format!("histogram {name:?}: bucket values decrease"));
                }
                self.bucket = Some(le);
                self.last_bucket_value = v;
            }
            "_count" | "_gcount" => self.count = Some(v),
            "_sum" => self.sum = true,
            "_gsum" => {
                self.gsum = true;
                self.negative_gsum |= v < 0.0;
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&self, name: &str) -> Check {
        if self.group.is_none() {
            return Ok(());
        }
        if self.bucket != Some(f64::INFINITY) {
            return Err(format!("histogram {name:?}: +Inf bucket missing"));
        }
        if self.count.is_some_and(|c| c != self.last_bucket_value) {
            return Err(format!("histogram {name:?}: count does not match the +Inf bucket"));
        }
        if self.sum && self.count.is_none() {
            return Err(format!("histogram {name:?}: _sum without _count"));
        }
        if self.gsum && self.count.is_none() {
            return Err(format!("histogram {name:?}: _gsum without _gcount"));
        }
        if !(self.sum || self.gsum) && self.count.is_some() {
            return Err(format!("histogram {name:?}: count without sum"));
        }
        if self.negative_buckets && self.sum {
            return Err(format!("histogram {name:?}: _sum with negative buckets"));
        }
        if !self.negative_buckets && self.negative_gsum {
            return Err(format!("histogram {name:?}: negative _gsum without negative buckets"));
        }
        Ok(())
    }
}
