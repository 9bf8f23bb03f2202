//! `relabel_configs` entries: the YAML shape, compiled into [`vigil_model::relabel::RelabelRule`].

use crate::error::Pos;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
use vigil_model::relabel::{
    Action, DEFAULT_REGEX, DEFAULT_REPLACEMENT, DEFAULT_SEPARATOR, NameValidation, RelabelRule, RuleSpec,
};

/// One relabel entry with Prometheus' defaults filled in. Deserializing validates it and
/// compiles the rule (under the UTF-8 name scheme; the legacy scheme is re-checked by
/// [`RelabelConfig::recompile`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Spanned<RawRelabelConfig>")]
pub struct RelabelConfig {
    /// Labels whose values are joined.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub source_labels: Vec<String>,
    /// Separator for the joined values.
    pub separator: String,
    /// Target label.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub target_label: String,
    /// Regex as written (anchored when compiled).
    pub regex: String,
    /// Modulus for hashmod.
    #[serde(skip_serializing_if = "is_zero")]
    pub modulus: u64,
    /// Replacement template.
    pub replacement: String,
    /// Action name (lower case).
    pub action: String,
    #[serde(skip)]
    rule: Option<RelabelRule>,
    #[serde(skip)]
    pos: Pos,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The YAML as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRelabelConfig {
    #[serde(default, deserialize_with = "crate::types::null_as_default")]
    source_labels: Vec<String>,
    separator: Option<String>,
    target_label: Option<String>,
    regex: Option<String>,
    modulus: Option<u64>,
    replacement: Option<String>,
    action: Option<String>,
}

impl TryFrom<Spanned<RawRelabelConfig>> for RelabelConfig {
    type Error = String;

    fn try_from(raw: Spanned<RawRelabelConfig>) -> Result<Self, String> {
        let pos = Pos::from_location(&raw.referenced);
        let r = raw.value;
        let action = match r.action.as_deref() {
            None => Action::Replace,
            Some("") => return Err("relabel action cannot be empty".into()),
            Some(a) => a.parse::<Action>().map_err(relabel_message)?,
        };
        let mut cfg = RelabelConfig {
            source_labels: r.source_labels,
            separator: r.separator.unwrap_or_else(|| DEFAULT_SEPARATOR.to_owned()),
            target_label: r.target_label.unwrap_or_default(),
            regex: r.regex.unwrap_or_else(|| DEFAULT_REGEX.to_owned()),
            modulus: r.modulus.unwrap_or(0),
            replacement: r.replacement.unwrap_or_else(|| DEFAULT_REPLACEMENT.to_owned()),
            action: action.as_str().to_owned(),
            rule: None,
            pos,
        };
        cfg.recompile(NameValidation::Utf8)?;
        Ok(cfg)
    }
}

impl RelabelConfig {
    /// The compiled rule.
    pub fn rule(&self) -> Option<&RelabelRule> {
        self.rule.as_ref()
    }

    /// Where the entry starts in its file.
    pub fn pos(&self) -> Pos {
        self.pos
    }

    /// Validates and compiles again under `scheme`.
    pub fn recompile(&mut self, scheme: NameValidation) -> Result<(), String> {
        let action = self.action.parse::<Action>().map_err(relabel_message)?;
        let spec = RuleSpec {
            source_labels: self.source_labels.clone(),
            separator: self.separator.clone(),
            target_label: self.target_label.clone(),
            regex: self.regex.clone(),
            modulus: self.modulus,
            replacement: self.replacement.clone(),
            action,
            name_validation: scheme,
        };
        self.rule = Some(RelabelRule::new(spec).map_err(relabel_message)?);
        Ok(())
    }
}

/// The model's message without its generic "invalid relabel config" prefix (the position and
/// field path already say where).
fn relabel_message(e: vigil_model::Error) -> String {
    match e {
        vigil_model::Error::Relabel(m) => m,
        other => other.to_string(),
    }
}

/// The compiled rules of a list of entries, ready for [`vigil_model::relabel::process`].
pub fn compile_rules(configs: &[RelabelConfig]) -> Vec<RelabelRule> {
    configs.iter().filter_map(|c| c.rule().cloned()).collect()
}
