//! Relabeling: compiled rules and their application to a label set.
//!
//! The YAML shape lives in `vigil-config`, which builds a [`RelabelRule`] per entry through
//! [`RelabelRule::new`]. Semantics follow Prometheus' `model/relabel`: the source values are
//! joined with the separator, the regex is anchored at both ends (`.` matches newlines, as in
//! Prometheus 3), and `$1`, `${1}`, `$name`, `${name}` in `target_label` / `replacement` expand
//! like Go's `regexp.Expand`.
//!
//! ```
//! use vigil_model::Labels;
//! use vigil_model::relabel::{process, Action, RelabelRule, RuleSpec};
//! let rule = RelabelRule::new(RuleSpec {
//!     source_labels: vec!["__address__".into()],
//!     regex: "([^:]+):.*".into(),
//!     target_label: "host".into(),
//!     ..RuleSpec::new(Action::Replace)
//! })
//! .unwrap();
//! let out = process(&Labels::from_pairs(&[("__address__", "db1:9100")]), &[rule]).unwrap();
//! assert_eq!(out.get("host"), Some("db1"));
//! ```

mod expand;
mod names;

use crate::matcher::compile_anchored;
use crate::{Error, Labels, LabelsBuilder, Result};
use md5::{Digest, Md5};
use regex::Regex;
use std::fmt;
use std::str::FromStr;

pub use expand::expand;
pub use names::{NameValidation, is_valid_label_name, is_valid_legacy_label_name};

/// The default regex of a relabel rule.
pub const DEFAULT_REGEX: &str = "(.*)";
/// The default separator joining source label values.
pub const DEFAULT_SEPARATOR: &str = ";";
/// The default replacement.
pub const DEFAULT_REPLACEMENT: &str = "$1";

/// What a rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Sets `target_label` to the expanded replacement when the regex matches.
    Replace,
    /// Drops the label set unless the regex matches the joined source values.
    Keep,
    /// Drops the label set when the regex matches the joined source values.
    Drop,
    /// Drops the label set unless the joined source values equal `target_label`'s value.
    KeepEqual,
    /// Drops the label set when the joined source values equal `target_label`'s value.
    DropEqual,
    /// Sets `target_label` to MD5(joined values) mod `modulus`.
    HashMod,
    /// Copies labels whose name matches the regex to the expanded replacement name.
    LabelMap,
    /// Removes labels whose name matches the regex.
    LabelDrop,
    /// Removes labels whose name does not match the regex.
    LabelKeep,
    /// Sets `target_label` to the lower-cased joined values.
    Lowercase,
    /// Sets `target_label` to the upper-cased joined values.
    Uppercase,
}

impl Action {
    /// Every action, in documentation order.
    pub const ALL: [Action; 11] = [
        Action::Replace,
        Action::Keep,
        Action::Drop,
        Action::KeepEqual,
        Action::DropEqual,
        Action::HashMod,
        Action::LabelMap,
        Action::LabelDrop,
        Action::LabelKeep,
        Action::Lowercase,
        Action::Uppercase,
    ];

    /// The action's name as written in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Replace => "replace",
            Action::Keep => "keep",
            Action::Drop => "drop",
            Action::KeepEqual => "keepequal",
            Action::DropEqual => "dropequal",
            Action::HashMod => "hashmod",
            Action::LabelMap => "labelmap",
            Action::LabelDrop => "labeldrop",
            Action::LabelKeep => "labelkeep",
            Action::Lowercase => "lowercase",
            Action::Uppercase => "uppercase",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = Error;

    /// Case-insensitive, like Prometheus.
    fn from_str(s: &str) -> Result<Self> {
        let lower = s.to_ascii_lowercase();
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == lower)
            .ok_or_else(|| Error::Relabel(format!("unknown relabel action {s:?}")))
    }
}

/// The uncompiled fields of a rule, with Prometheus' defaults from [`RuleSpec::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSpec {
    /// Labels whose values are joined with `separator`.
    pub source_labels: Vec<String>,
    /// Joins the source values.
    pub separator: String,
    /// The label written by replace, hashmod, lowercase, uppercase (compared by keepequal/dropequal).
    pub target_label: String,
    /// The regex as written (anchored when compiled).
    pub regex: String,
    /// Modulus for hashmod.
    pub modulus: u64,
    /// Replacement template for replace and labelmap.
    pub replacement: String,
    /// The action.
    pub action: Action,
    /// Which label names are acceptable as targets.
    pub name_validation: NameValidation,
}

impl RuleSpec {
    /// A spec with every field at Prometheus' default and the given action.
    pub fn new(action: Action) -> Self {
        Self {
            source_labels: Vec::new(),
            separator: DEFAULT_SEPARATOR.to_owned(),
            target_label: String::new(),
            regex: DEFAULT_REGEX.to_owned(),
            modulus: 0,
            replacement: DEFAULT_REPLACEMENT.to_owned(),
            action,
            name_validation: NameValidation::Utf8,
        }
    }
}

/// A validated rule with its regex compiled.
#[derive(Debug, Clone)]
pub struct RelabelRule {
    spec: RuleSpec,
    regex: Regex,
}

impl PartialEq for RelabelRule {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}

impl RelabelRule {
    /// Validates `spec` like Prometheus' `relabel.Config.Validate` and compiles its regex.
    pub fn new(spec: RuleSpec) -> Result<Self> {
        validate(&spec)?;
        let regex = compile_anchored(&spec.regex)?;
        Ok(Self { spec, regex })
    }

    /// The fields the rule was built from.
    pub fn spec(&self) -> &RuleSpec {
        &self.spec
    }

    /// The action.
    pub fn action(&self) -> Action {
        self.spec.action
    }

    /// Applies the rule to `lb`; false means the label set is dropped.
    fn apply(&self, lb: &mut LabelsBuilder) -> bool {
        let s = &self.spec;
        let mut val = String::new();
        for (i, name) in s.source_labels.iter().enumerate() {
            if i > 0 {
                val.push_str(&s.separator);
            }
            val.push_str(lb.get(name).unwrap_or(""));
        }
        match s.action {
            Action::Drop => return !self.regex.is_match(&val),
            Action::Keep => return self.regex.is_match(&val),
            Action::DropEqual => return lb.get(&s.target_label).unwrap_or("") != val,
            Action::KeepEqual => return lb.get(&s.target_label).unwrap_or("") == val,
            Action::Replace => self.replace(lb, &val),
            Action::Lowercase => {
                lb.set(&s.target_label, &val.to_lowercase());
            }
            Action::Uppercase => {
                lb.set(&s.target_label, &val.to_uppercase());
            }
            Action::HashMod => {
                let digest = Md5::digest(val.as_bytes());
                let mut tail = [0u8; 8];
                tail.copy_from_slice(&digest[8..16]);
                // modulus > 0 is checked by validate().
                let m = u64::from_be_bytes(tail) % s.modulus.max(1);
                lb.set(&s.target_label, &m.to_string());
            }
            Action::LabelMap => {
                let snapshot: Vec<(String, String)> = lb.iter().map(|l| (l.name.clone(), l.value.clone())).collect();
                for (name, value) in snapshot {
                    if let Some(caps) = self.regex.captures(&name) {
                        let new_name = expand(&s.replacement, &self.regex, &caps);
                        if !new_name.is_empty() {
                            lb.set(&new_name, &value);
                        }
                    }
                }
            }
            Action::LabelDrop => {
                lb.retain(|l| !self.regex.is_match(&l.name));
            }
            Action::LabelKeep => {
                lb.retain(|l| self.regex.is_match(&l.name));
            }
        }
        true
    }

    fn replace(&self, lb: &mut LabelsBuilder, val: &str) {
        let s = &self.spec;
        let Some(caps) = self.regex.captures(val) else {
            return;
        };
        let target = expand(&s.target_label, &self.regex, &caps);
        if !s.name_validation.is_valid(&target) {
            return;
        }
        let value = expand(&s.replacement, &self.regex, &caps);
        // An empty value deletes the label (LabelsBuilder::set semantics).
        lb.set(&target, &value);
    }
}

/// Applies `rules` in order. `None` means a keep/drop rule dropped the label set.
pub fn process(labels: &Labels, rules: &[RelabelRule]) -> Option<Labels> {
    let mut lb = labels.builder();
    for rule in rules {
        if !rule.apply(&mut lb) {
            return None;
        }
    }
    Some(lb.build())
}

/// Prometheus' `varInRegexTemplate`: any `$` makes `target_label` a template.
fn has_template_var(s: &str) -> bool {
    s.contains('$')
}

fn validate(s: &RuleSpec) -> Result<()> {
    let bad = |m: String| Err(Error::Relabel(m));
    let a = s.action;
    let valid = |n: &str| s.name_validation.is_valid(n);
    if a == Action::HashMod && s.modulus == 0 {
        return bad("relabel configuration for hashmod requires non-zero modulus".into());
    }
    let needs_target = matches!(
        a,
        Action::Replace
            | Action::HashMod
            | Action::Lowercase
            | Action::Uppercase
            | Action::KeepEqual
            | Action::DropEqual
    );
    if needs_target && s.target_label.is_empty() {
        return bad(format!("relabel configuration for {a} action requires 'target_label' value"));
    }
    for name in &s.source_labels {
        if !valid(name) {
            return bad(format!("{name:?} is not a valid label name in 'source_labels'"));
        }
    }
    if a == Action::Replace && !has_template_var(&s.target_label) && !valid(&s.target_label) {
        return bad(format!("{:?} is invalid 'target_label' for {a} action", s.target_label));
    }
    if a == Action::Replace
        && s.name_validation == NameValidation::Legacy
        && !names::is_valid_legacy_template(&s.target_label)
    {
        return bad(format!("{:?} is invalid 'target_label' for {a} action", s.target_label));
    }
    let equal_or_case = matches!(a, Action::Lowercase | Action::Uppercase | Action::KeepEqual | Action::DropEqual);
    if (equal_or_case || a == Action::HashMod) && !valid(&s.target_label) {
        return bad(format!("{:?} is invalid 'target_label' for {a} action", s.target_label));
    }
    if equal_or_case && s.replacement != DEFAULT_REPLACEMENT {
        return bad(format!("'replacement' can not be set for {a} action"));
    }
    if a == Action::LabelMap {
        let ok = match s.name_validation {
            NameValidation::Legacy => names::is_valid_legacy_template(&s.replacement),
            NameValidation::Utf8 => !s.replacement.is_empty(),
        };
        if !ok {
            return bad(format!("{:?} is invalid 'replacement' for {a} action", s.replacement));
        }
    }
    if matches!(a, Action::KeepEqual | Action::DropEqual)
        && (s.regex != DEFAULT_REGEX
            || s.modulus != 0
            || s.separator != DEFAULT_SEPARATOR
            || s.replacement != DEFAULT_REPLACEMENT)
    {
        return bad(format!("{a} action requires only 'source_labels' and `target_label`, and no other fields"));
    }
    if matches!(a, Action::LabelDrop | Action::LabelKeep)
        && (!s.source_labels.is_empty()
            || !s.target_label.is_empty()
            || s.modulus != 0
            || s.separator != DEFAULT_SEPARATOR
            || s.replacement != DEFAULT_REPLACEMENT)
    {
        return bad(format!("{a} action requires only 'regex', and no other fields"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
