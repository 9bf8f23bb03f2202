//! Protobuf bodies: decoded into owned families (the text path stays zero-copy), then every
//! float series and native histogram goes through the same [`Sink`] as text samples.
//!
//! What is stored from a histogram follows Prometheus' protobuf parser: with
//! `scrape_native_histograms`, its native part as one histogram sample, and its classic series
//! (`_bucket`, `_sum`, `_count`) only with `always_scrape_classic_histograms` or when it has no
//! native part; without it, always the classic series.

use super::{Metadata, Pending, Sink, set_if_changed};
use crate::{Error, Result};
use std::borrow::Cow;
use vigil_exposition::MetricType;
use vigil_exposition::protobuf::{self as pb, FlatSample, Value};
use vigil_model::METRIC_NAME;
use vigil_storage::Appender;

/// Marks a cache key as a native histogram series, so it never meets a float series' key.
const HISTOGRAM_KEY: u8 = b'h';
/// Marks a cache key as a float series of a protobuf body.
const FLOAT_KEY: u8 = b'f';

pub(super) fn append(
    sink: &mut Sink<'_>,
    mut metadata: Metadata<'_>,
    app: &mut dyn Appender,
    body: &[u8],
) -> Result<()> {
    let families = pb::decode(body).map_err(|e| Error::Parse(e.to_string()))?;
    let hist = sink.options.histograms;
    let classic_too = hist.always_classic || !hist.native;
    let mut key_buf = Vec::new();
    let mut flat: Vec<FlatSample> = Vec::new();
    for f in &families {
        metadata.update(&f.name, |m| {
            set_if_changed(&mut m.metric_type, f.kind.as_str())
                | set_if_changed(&mut m.help, &f.help)
                | set_if_changed(&mut m.unit, &f.unit)
        });
        if hist.native {
            let gauge = f.kind == MetricType::GaugeHistogram;
            for m in &f.metrics {
                let Value::Histogram(h) = &m.value else { continue };
                let Some(native) = h.native_sample(gauge) else { continue };
                let key = key(&mut key_buf, HISTOGRAM_KEY, &f.name, &m.labels);
                let mut scratch = Vec::new();
                let labels = |out: &mut Vec<_>| push_labels(out, &f.name, &m.labels);
                sink.add(app, key, &mut scratch, labels, m.timestamp_ms, Pending::Histogram(native))?;
            }
        }
        flat.clear();
        f.flat_samples(classic_too, &mut flat);
        let mut scratch = Vec::new();
        for s in &flat {
            let key = key(&mut key_buf, FLOAT_KEY, &s.name, &s.labels);
            let labels = |out: &mut Vec<_>| push_labels(out, &s.name, &s.labels);
            sink.add(app, key, &mut scratch, labels, s.timestamp_ms, Pending::Float(s.value))?;
        }
    }
    Ok(())
}

fn push_labels<'a>(out: &mut Vec<(Cow<'a, str>, Cow<'a, str>)>, name: &'a str, labels: &'a [(String, String)]) {
    out.push((Cow::Borrowed(METRIC_NAME), Cow::Borrowed(name)));
    out.extend(labels.iter().map(|(n, v)| (Cow::Borrowed(n.as_str()), Cow::Borrowed(v.as_str()))));
}

/// The cache key of a series: a hash over its kind, name and labels with separators no UTF-8
/// text contains.
fn key(buf: &mut Vec<u8>, kind: u8, name: &str, labels: &[(String, String)]) -> u128 {
    buf.clear();
    buf.push(kind);
    buf.extend_from_slice(name.as_bytes());
    for (n, v) in labels {
        buf.push(0xff);
        buf.extend_from_slice(n.as_bytes());
        buf.push(0xfe);
        buf.extend_from_slice(v.as_bytes());
    }
    xxhash_rust::xxh3::xxh3_128(buf)
}
