//! Reading YAML: options, error positions, `scrape_config_files`, and writing the effective
//! config back.

use crate::config::{Config, ScrapeConfigsFile};
use crate::error::{Error, Pos, Result};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// Parser options: no snippets in messages (we format `file:line:col: message` ourselves);
/// duplicate keys are errors; merge keys (`<<: *anchor`) are expanded.
fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        with_snippet: false,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        merge_keys: serde_saphyr::MergeKeyPolicy::Merge,
    }
}

/// Whether the text holds no YAML content (blank or comments only); Prometheus accepts that
/// as an empty config.
fn is_blank(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
    })
}

/// Deserializes one YAML document, mapping errors to `file:line:col: message`.
pub(crate) fn parse_yaml<T: DeserializeOwned + Default>(text: &str, file: &str) -> Result<T> {
    if is_blank(text) {
        return Ok(T::default());
    }
    serde_saphyr::from_str_with_options::<T>(text, options()).map_err(|e| yaml_error(&e, file))
}

fn yaml_error(e: &serde_saphyr::Error, file: &str) -> Error {
    let pos = e.location().map(|l| Pos::from_location(&l)).unwrap_or_default();
    let mut message = e.without_snippet().render_with_formatter(&serde_saphyr::UserMessageFormatter);
    // The rendered message ends with " at line L, column C"; we print the position first.
    let suffix = format!(" at line {}, column {}", pos.line, pos.column);
    if let Some(stripped) = message.strip_suffix(&suffix) {
        message = stripped.to_owned();
    }
    Error::Parse { file: file.to_owned(), pos, message: explain_unsupported_sd(message) }
}

/// Replaces serde's list of expected fields with a hint when the unknown field is a discovery
/// mechanism Vigil does not implement (`consul_sd_configs`, `ec2_sd_configs`, ...).
fn explain_unsupported_sd(message: String) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else { return message };
    let Some((field, _)) = rest.split_once('`') else { return message };
    if !field.ends_with("_sd_configs") {
        return message;
    }
    format!(
        "unknown field `{field}`: this service discovery mechanism is not supported \
         (supported: static_configs, file_sd_configs, http_sd_configs, kubernetes_sd_configs, dns_sd_configs)"
    )
}

impl Config {
    /// Reads and validates the config at `path`; relative paths inside resolve against its
    /// directory.
    pub fn load(path: impl AsRef<Path>) -> Result<Config> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        Config::from_yaml_str(&text, &path.display().to_string())
    }

    /// Parses and validates `text`. `source_name` appears in errors; if it is a path, its
    /// directory is the base for relative paths (else the current directory).
    pub fn from_yaml_str(text: &str, source_name: &str) -> Result<Config> {
        let mut cfg: Config = parse_yaml(text, source_name)?;
        cfg.source = source_name.to_owned();
        cfg.base_dir = Path::new(source_name).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
        if cfg.base_dir.as_os_str().is_empty() {
            cfg.base_dir = PathBuf::from(".");
        }
        let mut files: Vec<String> = vec![source_name.to_owned(); cfg.scrape_configs.len()];
        for pattern in cfg.scrape_config_files.clone() {
            for f in crate::glob::glob(&cfg.resolve_path(&pattern)) {
                let name = f.display().to_string();
                let text = std::fs::read_to_string(&f).map_err(|source| Error::Io { path: f.clone(), source })?;
                let extra: ScrapeConfigsFile = if is_blank(&text) {
                    ScrapeConfigsFile { scrape_configs: Vec::new() }
                } else {
                    serde_saphyr::from_str_with_options(&text, options()).map_err(|e| yaml_error(&e, &name))?
                };
                files.extend(std::iter::repeat_n(name, extra.scrape_configs.len()));
                cfg.scrape_configs.extend(extra.scrape_configs);
            }
        }
        cfg.validate(&files)?;
        Ok(cfg)
    }

    /// The effective config as YAML: defaults and inherited values filled in, secrets shown as
    /// `<secret>` (what `/api/v1/status/config` returns).
    pub fn to_yaml(&self) -> Result<String> {
        serde_saphyr::to_string(self).map_err(|e| Error::Value(format!("cannot serialize config: {e}")))
    }
}
