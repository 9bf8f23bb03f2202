//! The "model": a hand-written, deterministic Iris classifier.
//!
//! The class comes from the classic two-threshold decision tree on petal length and width; the
//! confidence is the predicted class's share of a softmax over negative squared distances to
//! the class centroids (the per-species means of Fisher's Iris data). Points near a centroid
//! get a confidence close to 1, points between versicolor and virginica get less, and points
//! where the tree and the centroids disagree get less than 0.5.

use std::fmt;

/// Feature names, in the order of the `features` array.
pub const FEATURE_NAMES: [&str; 4] = ["sepal_length", "sepal_width", "petal_length", "petal_width"];

/// Largest accepted measurement, in centimetres; real Iris flowers stay well below.
const MAX_CM: f64 = 100.0;

/// An Iris species.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Species {
    /// Iris setosa.
    Setosa,
    /// Iris versicolor.
    Versicolor,
    /// Iris virginica.
    Virginica,
}

impl Species {
    /// All species, in centroid order.
    pub const ALL: [Species; 3] = [Species::Setosa, Species::Versicolor, Species::Virginica];

    /// The lowercase name used in responses and in the `predicted_class` label.
    pub fn as_str(self) -> &'static str {
        match self {
            Species::Setosa => "setosa",
            Species::Versicolor => "versicolor",
            Species::Virginica => "virginica",
        }
    }

    /// Mean measurements of the species, in [`FEATURE_NAMES`] order.
    pub fn centroid(self) -> [f64; 4] {
        match self {
            Species::Setosa => [5.006, 3.428, 1.462, 0.246],
            Species::Versicolor => [5.936, 2.770, 4.260, 1.326],
            Species::Virginica => [6.588, 2.974, 5.552, 2.026],
        }
    }
}

impl fmt::Display for Species {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A classification result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    /// The predicted species.
    pub species: Species,
    /// Confidence in `0.0..=1.0`.
    pub confidence: f64,
}

/// A measurement the classifier refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("feature {index} ({name}) must be a length in cm between 0 and {MAX_CM}, got {value}")]
pub struct InvalidFeature {
    /// Position in the `features` array.
    pub index: usize,
    /// Name of the feature at that position.
    pub name: &'static str,
    /// The refused value.
    pub value: f64,
}

/// Classifies one flower, given in [`FEATURE_NAMES`] order.
pub fn classify(features: [f64; 4]) -> Result<Prediction, InvalidFeature> {
    for (index, (&value, name)) in features.iter().zip(FEATURE_NAMES).enumerate() {
        if !(0.0..=MAX_CM).contains(&value) {
            return Err(InvalidFeature { index, name, value });
        }
    }
    let [_, _, petal_length, petal_width] = features;
    let species = if petal_length < 2.45 {
        Species::Setosa
    } else if petal_width < 1.75 && petal_length < 4.95 {
        Species::Versicolor
    } else {
        Species::Virginica
    };
    Ok(Prediction { species, confidence: confidence(features, species) })
}

/// Softmax weight of `species` over `exp(-d²)`, computed relative to the nearest centroid so
/// that far-away points do not underflow to 0/0.
fn confidence(features: [f64; 4], species: Species) -> f64 {
    let distances = Species::ALL.map(|s| squared_distance(features, s.centroid()));
    let nearest = distances.iter().copied().fold(f64::INFINITY, f64::min);
    let weights = distances.map(|d| (nearest - d).exp());
    let total: f64 = weights.iter().sum();
    let own = weights[Species::ALL.iter().position(|&s| s == species).unwrap_or(0)];
    (own / total).clamp(0.0, 1.0)
}

fn squared_distance(a: [f64; 4], b: [f64; 4]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

#[cfg(test)]
mod tests;
