//! File globs with Go `filepath.Glob` syntax (`*`, `?`, `[a-z]`, `[^x]`, `\` escapes), matched
//! one path element at a time. Enough for `rule_files`, `scrape_config_files` and file SD.

use std::path::{Component, Path, PathBuf};

/// Checks the syntax of `pattern` (unclosed `[` or a trailing `\` are errors).
pub fn validate_pattern(pattern: &str) -> Result<(), String> {
    for part in pattern.split('/') {
        match_element(part, "").map_err(str::to_owned)?;
    }
    Ok(())
}

/// Deserializes a list of glob patterns (null = empty), rejecting bad syntax at the element.
pub(crate) fn pattern_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct Pattern(String);
    impl<'de> serde::Deserialize<'de> for Pattern {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let s = String::deserialize(d)?;
            validate_pattern(&s).map_err(|m| serde::de::Error::custom(format!("invalid path pattern {s:?}: {m}")))?;
            Ok(Pattern(s))
        }
    }
    let list = <Option<Vec<Pattern>> as serde::Deserialize>::deserialize(d)?.unwrap_or_default();
    Ok(list.into_iter().map(|p| p.0).collect())
}

/// The files matching `pattern`, sorted. A pattern without metacharacters yields itself if it
/// exists. Unreadable directories are skipped.
pub fn glob(pattern: &Path) -> Vec<PathBuf> {
    let mut current: Vec<PathBuf> = vec![PathBuf::new()];
    for comp in pattern.components() {
        let mut next = Vec::new();
        match comp {
            Component::Normal(part) => {
                let part = part.to_string_lossy();
                if !has_meta(&part) {
                    for dir in &current {
                        next.push(dir.join(part.as_ref()));
                    }
                } else {
                    for dir in &current {
                        let read_from = if dir.as_os_str().is_empty() { Path::new(".") } else { dir.as_path() };
                        let Ok(entries) = std::fs::read_dir(read_from) else { continue };
                        let mut names: Vec<String> = entries
                            .filter_map(|e| e.ok())
                            .map(|e| e.file_name().to_string_lossy().into_owned())
                            .collect();
                        names.sort();
                        for name in names {
                            if match_element(&part, &name).unwrap_or(false) {
                                next.push(dir.join(&name));
                            }
                        }
                    }
                }
            }
            other => {
                for dir in &current {
                    next.push(dir.join(other.as_os_str()));
                }
            }
        }
        current = next;
    }
    current.retain(|p| p.exists());
    current.sort();
    current
}

fn has_meta(s: &str) -> bool {
    s.contains(['*', '?', '[', '\\'])
}

/// Matches one path element; errors on bad syntax like Go's `filepath.Match`.
fn match_element(pattern: &str, name: &str) -> Result<bool, &'static str> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Syntax check first, so errors do not depend on the name.
    check_syntax(&p)?;
    Ok(match_from(&p, &n))
}

fn check_syntax(p: &[char]) -> Result<(), &'static str> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => {
                if i + 1 >= p.len() {
                    return Err("syntax error in pattern: trailing backslash");
                }
                i += 2;
            }
            '[' => {
                let (_, end) = class_end(p, i)?;
                i = end;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Returns (negated, index after `]`) for a class starting at `p[start] == '['`.
fn class_end(p: &[char], start: usize) -> Result<(bool, usize), &'static str> {
    let mut i = start + 1;
    let negated = i < p.len() && p[i] == '^';
    if negated {
        i += 1;
    }
    if p.get(i) == Some(&']') {
        return Err("syntax error in pattern: empty character class");
    }
    while i < p.len() {
        match p[i] {
            ']' => return Ok((negated, i + 1)),
            '\\' => i += 2,
            _ => i += 1,
        }
    }
    Err("syntax error in pattern: unclosed '['")
}

fn class_matches(p: &[char], start: usize, c: char) -> bool {
    let mut i = start + 1;
    let negated = i < p.len() && p[i] == '^';
    if negated {
        i += 1;
    }
    let mut matched = false;
    while i < p.len() && p[i] != ']' {
        let mut lo = p[i];
        if lo == '\\' && i + 1 < p.len() {
            i += 1;
            lo = p[i];
        }
        i += 1;
        let mut hi = lo;
        if i + 1 < p.len() && p[i] == '-' && p[i + 1] != ']' {
            i += 1;
            if p[i] == '\\' && i + 1 < p.len() {
                i += 1;
            }
            hi = p[i];
            i += 1;
        }
        if lo <= c && c <= hi {
            matched = true;
        }
    }
    matched != negated
}

fn match_from(p: &[char], n: &[char]) -> bool {
    if p.is_empty() {
        return n.is_empty();
    }
    match p[0] {
        '*' => (0..=n.len()).any(|k| match_from(&p[1..], &n[k..])),
        '?' => !n.is_empty() && match_from(&p[1..], &n[1..]),
        '[' => {
            let Ok((_, end)) = class_end(p, 0) else { return false };
            !n.is_empty() && class_matches(p, 0, n[0]) && match_from(&p[end..], &n[1..])
        }
        '\\' if p.len() > 1 => !n.is_empty() && n[0] == p[1] && match_from(&p[2..], &n[1..]),
        c => !n.is_empty() && n[0] == c && match_from(&p[1..], &n[1..]),
    }
}

#[cfg(test)]
mod tests;
