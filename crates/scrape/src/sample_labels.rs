//! Attaching target labels to scraped series, like Prometheus' `honor_labels`.
//!
//! With `honor_labels: true` the scraped labels win and target labels fill the gaps; a scraped
//! label with an empty value still wins, which removes the label. With `honor_labels: false` the
//! target labels win, and a conflicting non-empty scraped label is kept as `exported_<name>`
//! (`exported_exported_<name>` if that is taken too; shorter names are placed first).

use std::borrow::Cow;
use vigil_model::{Label, Labels};

const EXPORTED_PREFIX: &str = "exported_";

/// Merges `scraped` (name/value pairs as exposed, empty values allowed, `__name__` included) with
/// `target` labels. Later duplicates in `scraped` win.
pub(crate) fn merge(scraped: &[(Cow<'_, str>, Cow<'_, str>)], target: &Labels, honor_labels: bool) -> Labels {
    let mut out: Vec<(String, String)> = Vec::with_capacity(scraped.len() + target.len());
    for (n, v) in scraped {
        match out.iter_mut().find(|(name, _)| name == n) {
            Some(slot) => slot.1 = v.to_string(),
            None => out.push((n.to_string(), v.to_string())),
        }
    }
    if honor_labels {
        for t in target {
            if !out.iter().any(|(n, _)| *n == t.name) {
                out.push((t.name.clone(), t.value.clone()));
            }
        }
    } else {
        let mut conflicts: Vec<(String, String)> = Vec::new();
        for t in target {
            match out.iter_mut().find(|(n, _)| *n == t.name) {
                Some(slot) => {
                    if !slot.1.is_empty() {
                        conflicts.push((t.name.clone(), std::mem::take(&mut slot.1)));
                    }
                    slot.1.clone_from(&t.value);
                }
                None => out.push((t.name.clone(), t.value.clone())),
            }
        }
        conflicts.sort_by_key(|(n, _)| n.len());
        for (name, value) in conflicts {
            let mut new_name = name;
            loop {
                new_name.insert_str(0, EXPORTED_PREFIX);
                match out.iter_mut().find(|(n, _)| *n == new_name) {
                    Some(slot) if !slot.1.is_empty() => continue,
                    Some(slot) => slot.1 = value,
                    None => out.push((new_name, value)),
                }
                break;
            }
        }
    }
    out.retain(|(_, v)| !v.is_empty());
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Labels::from_sorted(out.into_iter().map(|(name, value)| Label { name, value }).collect())
}

#[cfg(test)]
mod tests;
