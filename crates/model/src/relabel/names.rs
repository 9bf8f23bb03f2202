//! Label name validation: Prometheus' legacy charset and the UTF-8 scheme of Prometheus 3.

/// Which label names are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NameValidation {
    /// Any non-empty UTF-8 string (Prometheus 3's default, `metric_name_validation_scheme: utf8`).
    #[default]
    Utf8,
    /// `[a-zA-Z_][a-zA-Z0-9_]*` (`metric_name_validation_scheme: legacy`).
    Legacy,
}

impl NameValidation {
    /// Whether `name` is a valid label name under this scheme.
    pub fn is_valid(self, name: &str) -> bool {
        match self {
            NameValidation::Utf8 => is_valid_label_name(name),
            NameValidation::Legacy => is_valid_legacy_label_name(name),
        }
    }
}

/// `[a-zA-Z_][a-zA-Z0-9_]*`.
pub fn is_valid_legacy_label_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    match bytes.next() {
        Some(b) if b.is_ascii_alphabetic() || b == b'_' => {}
        _ => return false,
    }
    bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The UTF-8 scheme: any non-empty string (a `&str` is always valid UTF-8).
pub fn is_valid_label_name(name: &str) -> bool {
    !name.is_empty()
}

/// Prometheus' legacy check for templates used as label names:
/// one or more of (`[a-zA-Z_]` or `$name` or `${name}`), each followed by `\w*`.
pub(crate) fn is_valid_legacy_template(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() {
        return false;
    }
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_alphabetic() || b[i] == b'_' {
            i += 1;
        } else if b[i] == b'$' {
            i += 1;
            if i < b.len() && b[i] == b'{' {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && word(b[j]) {
                    j += 1;
                }
                if j == start || j >= b.len() || b[j] != b'}' {
                    return false;
                }
                i = j + 1;
            } else {
                let start = i;
                while i < b.len() && word(b[i]) {
                    i += 1;
                }
                if i == start {
                    return false;
                }
            }
        } else {
            return false;
        }
        while i < b.len() && word(b[i]) {
            i += 1;
        }
    }
    true
}
