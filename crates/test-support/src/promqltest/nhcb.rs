//! The native histograms a `load_with_nhcb` block adds: each classic histogram of the block
//! (`_bucket` series sharing their labels but `le`, plus `_count` and `_sum`) becomes one series
//! of custom-bucket histograms under the base name, one sample per timestamp where any of its
//! series has a float sample, as upstream's `appendCustomHistogram` does.

use super::script::Load;
use super::series::SlotValue;
use std::collections::{BTreeMap, HashMap};
use vigil_model::histogram::ClassicHistogram;
use vigil_model::{FloatHistogram, Labels, METRIC_NAME, Timestamp};

/// One converted histogram series: its labels and samples in time order.
pub type NhcbSeries = (Labels, Vec<(Timestamp, FloatHistogram)>);

/// Which part of a classic histogram a series is.
enum Part {
    Bucket(f64),
    Count,
    Sum,
}

/// The converted series of `load`, in the order their first series appear; an error (a bucket
/// that breaks the conversion rules) fails the whole block, as upstream's load fails.
pub fn convert_load(load: &Load) -> Result<Vec<NhcbSeries>, String> {
    let mut groups: Vec<(Labels, BTreeMap<Timestamp, ClassicHistogram>)> = Vec::new();
    let mut index: HashMap<Labels, usize> = HashMap::new();
    for series in &load.series {
        let Some((base, part)) = classify(&series.labels) else { continue };
        let gi = *index.entry(base.clone()).or_insert_with(|| {
            groups.push((base, BTreeMap::new()));
            groups.len() - 1
        });
        let by_time = &mut groups[gi].1;
        for (slot, value) in series.values.iter().enumerate() {
            let Some(SlotValue::Float(v)) = value else { continue };
            let t =
                i64::try_from(slot).ok().and_then(|s| s.checked_mul(load.step_ms)).ok_or("sample time overflows")?;
            let h = by_time.entry(t).or_default();
            // Errors stick to the histogram and surface from `convert` below.
            let _ = match part {
                Part::Bucket(le) => h.set_bucket(le, *v),
                Part::Count => h.set_count(*v),
                Part::Sum => {
                    h.set_sum(*v);
                    Ok(())
                }
            };
        }
    }
    groups
        .into_iter()
        .map(|(labels, by_time)| {
            let samples = by_time
                .into_iter()
                .map(|(t, h)| {
                    let h = h.convert().map_err(|e| format!("cannot convert {labels} at {t}ms to NHCB: {e}"))?;
                    Ok((t, h.into_float()))
                })
                .collect::<Result<Vec<_>, String>>()?;
            Ok((labels, samples))
        })
        .collect()
}

/// The base labels (name without suffix, no `le`) and the part of a classic histogram series;
/// `None` for other series and for buckets without a numeric `le`.
fn classify(labels: &Labels) -> Option<(Labels, Part)> {
    let name = labels.metric_name()?;
    let (base, part) = if let Some(base) = name.strip_suffix("_bucket") {
        let le = labels.get("le")?.parse::<f64>().ok().filter(|le| !le.is_nan())?;
        (base, Part::Bucket(le))
    } else if let Some(base) = name.strip_suffix("_sum") {
        (base, Part::Sum)
    } else if let Some(base) = name.strip_suffix("_count") {
        (base, Part::Count)
    } else {
        return None;
    };
    let mut b = labels.builder();
    b.del("le").set(METRIC_NAME, base);
    Some((b.build(), part))
}
