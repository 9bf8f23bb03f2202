//! Native histogram limits of a scrape config, applied before a histogram is appended, as
//! Prometheus' scrape appenders apply them: first `native_histogram_min_bucket_factor` caps the
//! schema, then `native_histogram_bucket_limit` lowers it further until the buckets fit (and
//! fails the scrape when even the coarsest schema does not fit).

use crate::{Error, Result};
use vigil_exposition::protobuf::NativeSample;
use vigil_model::histogram::{MAX_EXPONENTIAL_SCHEMA, MIN_EXPONENTIAL_SCHEMA, is_exponential_schema};

/// The finest schema whose bucket growth factor `2^(2^-schema)` is at least `factor`; a factor
/// of at most 1 means no minimum (Prometheus' `pickSchema`).
pub(crate) fn pick_schema(factor: f64) -> i32 {
    // 1.00271 is just above the growth factor of schema 8, the finest there is.
    let factor = if factor <= 1.0 || factor.is_nan() { 1.00271 } else { factor };
    let floor = (-factor.log2().log2()).floor();
    if floor >= f64::from(MAX_EXPONENTIAL_SCHEMA) {
        MAX_EXPONENTIAL_SCHEMA
    } else if floor <= f64::from(MIN_EXPONENTIAL_SCHEMA) {
        MIN_EXPONENTIAL_SCHEMA
    } else {
        floor as i32
    }
}

fn buckets(h: &NativeSample) -> usize {
    match h {
        NativeSample::Int(h) => h.positive_buckets.len() + h.negative_buckets.len(),
        NativeSample::Float(h) => h.positive_buckets.len() + h.negative_buckets.len(),
    }
}

fn schema(h: &NativeSample) -> i32 {
    match h {
        NativeSample::Int(h) => h.schema,
        NativeSample::Float(h) => h.schema,
    }
}

fn reduce(h: NativeSample, target: i32) -> Result<NativeSample> {
    let invalid = |e: vigil_model::Error| Error::Parse(e.to_string());
    Ok(match h {
        NativeSample::Int(h) => NativeSample::Int(h.reduce_resolution(target).map_err(invalid)?),
        NativeSample::Float(h) => NativeSample::Float(h.reduce_resolution(target).map_err(invalid)?),
    })
}

/// Applies the schema cap (`max_schema`, from [`pick_schema`]) and the bucket limit (`0` = none).
pub(crate) fn limit(mut h: NativeSample, max_schema: i32, bucket_limit: usize) -> Result<NativeSample> {
    if is_exponential_schema(schema(&h)) && schema(&h) > max_schema {
        h = reduce(h, max_schema)?;
    }
    if bucket_limit == 0 {
        return Ok(h);
    }
    while buckets(&h) > bucket_limit {
        let s = schema(&h);
        // Custom bounds cannot merge, and schema -4 is as coarse as it gets.
        if !is_exponential_schema(s) || s <= MIN_EXPONENTIAL_SCHEMA {
            return Err(Error::BucketLimit);
        }
        h = reduce(h, s - 1)?;
    }
    Ok(h)
}

#[cfg(test)]
mod tests;
