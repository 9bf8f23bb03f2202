//! Target groups: what discovery produces and scrape consumes.

use crate::Labels;

/// A set of targets sharing labels, as produced by one discovery source.
///
/// Mirrors Prometheus' `targetgroup.Group`: each target is a label set that contains at least
/// `__address__`; `labels` apply to every target unless the target sets the same name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TargetGroup {
    /// Per-target label sets (each has `__address__`).
    pub targets: Vec<Labels>,
    /// Labels common to all targets of the group.
    pub labels: Labels,
    /// Identifies the group within its provider, so updates can replace it.
    pub source: String,
}
