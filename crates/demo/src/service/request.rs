//! Decoding `/predict` bodies into the four features.
//!
//! Two shapes are accepted: `{"features": [sl, sw, pl, pw]}` and the named form
//! `{"sepal_length": …, "sepal_width": …, "petal_length": …, "petal_width": …}` used in the
//! seeds' curl examples. Malformed JSON is a 400; well-formed JSON of the wrong shape is a 422.

use axum::http::StatusCode;
use serde_json::Value;

use super::ApiError;
use crate::classifier::FEATURE_NAMES;

/// A `validation_error` answered with 422.
pub(super) fn invalid(detail: String) -> ApiError {
    ApiError { status: StatusCode::UNPROCESSABLE_ENTITY, error_type: "validation_error", detail }
}

/// Decodes a request body.
pub(super) fn parse_features(body: &[u8]) -> Result<[f64; 4], ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|error| ApiError {
        status: StatusCode::BAD_REQUEST,
        error_type: "validation_error",
        detail: format!("invalid JSON body: {error}"),
    })?;
    let Value::Object(object) = value else {
        return Err(invalid(format!("expected a JSON object, got {}", kind(&value))));
    };
    if let Some(features) = object.get("features") {
        let Value::Array(items) = features else {
            return Err(invalid(format!("\"features\" must be an array of 4 numbers, got {}", kind(features))));
        };
        if items.len() != FEATURE_NAMES.len() {
            return Err(invalid(format!("\"features\" must hold 4 numbers {FEATURE_NAMES:?}, got {}", items.len())));
        }
        let mut out = [0.0; 4];
        for (index, (slot, item)) in out.iter_mut().zip(items).enumerate() {
            *slot = number(item, &format!("features[{index}]"))?;
        }
        return Ok(out);
    }
    if FEATURE_NAMES.iter().any(|name| object.contains_key(*name)) {
        let mut out = [0.0; 4];
        for (slot, name) in out.iter_mut().zip(FEATURE_NAMES) {
            let item = object.get(name).ok_or_else(|| invalid(format!("missing field \"{name}\"")))?;
            *slot = number(item, &format!("\"{name}\""))?;
        }
        return Ok(out);
    }
    Err(invalid("expected {\"features\": [sepal_length, sepal_width, petal_length, petal_width]}".to_owned()))
}

fn number(value: &Value, what: &str) -> Result<f64, ApiError> {
    value.as_f64().ok_or_else(|| invalid(format!("{what} must be a number, got {}", kind(value))))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
