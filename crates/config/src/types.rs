//! Scalar value types shared by the config structs: durations, secrets, byte sizes, label sets.

use crate::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use std::collections::BTreeMap;
use std::fmt;
use vigil_model::duration::{format_duration_ms, parse_duration_ms};
use vigil_model::relabel::is_valid_label_name;

/// A Prometheus duration (`1m30s`) in milliseconds. Zero means "unset" where a value is inherited
/// (scrape interval/timeout), as in Prometheus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(pub i64);

impl Duration {
    /// From seconds.
    pub const fn from_secs(s: i64) -> Self {
        Self(s * 1000)
    }

    /// Milliseconds.
    pub fn as_millis(self) -> i64 {
        self.0
    }

    /// As a std duration (negative values clamp to zero).
    pub fn to_std(self) -> std::time::Duration {
        std::time::Duration::from_millis(u64::try_from(self.0).unwrap_or(0))
    }

    /// Whether the duration is zero (unset).
    pub fn is_zero(&self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration_ms(self.0))
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_duration_ms(&s).map(Duration).map_err(de::Error::custom)
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// A secret (password, credentials). Serializes and prints as `<secret>`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The secret value, for the component that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty (not configured).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What a secret serializes as.
pub const REDACTED: &str = "<secret>";

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

/// A byte size written like Prometheus' `units.Base2Bytes` (`10MB`, `512KiB`, `0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ByteSize(pub u64);

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_size(&s).map(ByteSize).map_err(de::Error::custom)
    }
}

impl Serialize for ByteSize {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl fmt::Display for ByteSize {
    /// The largest power-of-two unit that divides the size exactly (`10MiB`, `1536B`, `0B`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut n = self.0;
        let mut unit = 0;
        while n != 0 && n.is_multiple_of(1024) && unit < UNITS.len() - 1 {
            n /= 1024;
            unit += 1;
        }
        let suffix = if unit == 0 { "B" } else { UNITS[unit].1 };
        write!(f, "{n}{suffix}")
    }
}

/// (SI-looking unit, IEC unit), both meaning powers of 1024, by exponent.
const UNITS: [(&str, &str); 7] =
    [("B", "B"), ("KB", "KiB"), ("MB", "MiB"), ("GB", "GiB"), ("TB", "TiB"), ("PB", "PiB"), ("EB", "EiB")];

/// Parses a size like Prometheus' `units.ParseBase2Bytes`: one or more `<number><unit>` parts
/// (`1GB512MB`), units `B KB MB GB TB PB EB` or `KiB … EiB`, all powers of 1024; fractions are
/// allowed (`1.5MB`); `"0"` alone is zero. Case-sensitive, like Prometheus.
pub fn parse_size(s: &str) -> Result<u64> {
    let bad = |why: &str| Error::Value(format!("invalid size {s:?}: {why}"));
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(bad("empty"));
    }
    let mut rest = s;
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 {
            return Err(bad("expected a number"));
        }
        let (num, after) = rest.split_at(num_len);
        let unit_len = after.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        if unit.is_empty() {
            return Err(bad("missing unit (B, KB, MB, GB, TB, PB, EB or KiB ... EiB)"));
        }
        let exp = UNITS
            .iter()
            .position(|(si, iec)| *si == unit || *iec == unit)
            .ok_or_else(|| bad(&format!("unknown unit {unit:?}")))?;
        let mult: u128 = 1u128 << (10 * exp);
        let (int_part, frac_part) = num.split_once('.').unwrap_or((num, ""));
        if int_part.is_empty() && frac_part.is_empty() || frac_part.contains('.') {
            return Err(bad("malformed number"));
        }
        let int: u128 = if int_part.is_empty() { 0 } else { int_part.parse().map_err(|_| bad("number too large"))? };
        let mut value = int.checked_mul(mult).ok_or_else(|| bad("too large"))?;
        if !frac_part.is_empty() {
            let digits = frac_part.len().min(18);
            let frac: u128 = frac_part[..digits].parse().map_err(|_| bad("malformed number"))?;
            value += frac * mult / 10u128.pow(digits as u32);
        }
        total = total.checked_add(value).ok_or_else(|| bad("too large"))?;
        rest = after;
    }
    u64::try_from(total).ok().filter(|t| i64::try_from(*t).is_ok()).ok_or_else(|| bad("too large"))
}

/// A label set written as a YAML mapping. Names must be non-empty (the UTF-8 scheme); the
/// legacy scheme is checked later, when the scheme in force is known.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct LabelSet(pub BTreeMap<String, String>);

impl<'de> Deserialize<'de> for LabelSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = Option::<BTreeMap<String, String>>::deserialize(d)?.unwrap_or_default();
        if let Some(name) = map.keys().find(|n| !is_valid_label_name(n)) {
            return Err(de::Error::custom(format!("{name:?} is not a valid label name")));
        }
        Ok(LabelSet(map))
    }
}

impl LabelSet {
    /// Whether there are no labels.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As model labels (empty values dropped).
    pub fn to_labels(&self) -> vigil_model::Labels {
        let pairs: Vec<(&str, &str)> = self.0.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        vigil_model::Labels::from_pairs(&pairs)
    }
}

/// Accepts a YAML null as the type's default (Go's YAML decoder treats `key:` that way).
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests;
