//! Tests for the Iris classifier.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

use super::*;

/// Checks the class and that the confidence lies in `confidence`.
fn check(features: [f64; 4], species: Species, confidence: std::ops::RangeInclusive<f64>) {
    let prediction = classify(features).unwrap();
    assert_eq!(prediction.species, species, "{features:?}");
    assert!(
        confidence.contains(&prediction.confidence),
        "{features:?}: confidence {} not in {confidence:?}",
        prediction.confidence
    );
}

#[test]
fn typical_flowers() {
    check([5.1, 3.5, 1.4, 0.2], Species::Setosa, 0.99..=1.0);
    check([5.9, 2.8, 4.2, 1.3], Species::Versicolor, 0.85..=0.99);
    check([6.6, 3.0, 5.6, 2.1], Species::Virginica, 0.9..=0.99);
}

#[test]
fn borderline_flowers_are_less_certain() {
    // Wide petals send this to virginica, but it is nearer the versicolor centroid.
    check([6.0, 2.9, 4.7, 1.8], Species::Virginica, 0.2..=0.5);
    // Long petals despite narrow width: the tree says virginica.
    check([6.0, 2.8, 5.0, 1.5], Species::Virginica, 0.3..=0.8);
    // A setosa-length petal on a virginica-sized flower: the tree and the centroids disagree.
    check([6.5, 3.0, 2.4, 2.0], Species::Setosa, 0.0..=0.5);
}

#[test]
fn confidence_grows_towards_the_centroid() {
    let near = classify([5.9, 2.8, 4.2, 1.3]).unwrap().confidence;
    let far = classify([6.2, 2.8, 4.8, 1.6]).unwrap().confidence;
    assert!(near > far, "near {near} should beat far {far}");
}

#[test]
fn centroids_classify_as_themselves() {
    for species in Species::ALL {
        check(species.centroid(), species, 0.5..=1.0);
    }
}

#[test]
fn far_away_points_stay_finite() {
    check([100.0, 100.0, 100.0, 100.0], Species::Virginica, 0.99..=1.0);
    check([0.0, 0.0, 0.0, 0.0], Species::Setosa, 0.99..=1.0);
}

#[test]
fn refuses_impossible_measurements() {
    let err = classify([5.1, -3.5, 1.4, 0.2]).unwrap_err();
    assert_eq!((err.index, err.name), (1, "sepal_width"));
    assert_eq!(err.to_string(), "feature 1 (sepal_width) must be a length in cm between 0 and 100, got -3.5");
    assert_eq!(classify([5.1, 3.5, 1.4, 100.5]).unwrap_err().name, "petal_width");
    assert_eq!(classify([f64::NAN, 3.5, 1.4, 0.2]).unwrap_err().index, 0);
    assert_eq!(classify([1.0, 3.5, f64::INFINITY, 0.2]).unwrap_err().index, 2);
}

#[test]
fn names() {
    let names: Vec<_> = Species::ALL.iter().map(|s| s.to_string()).collect();
    assert_eq!(names, ["setosa", "versicolor", "virginica"]);
}
