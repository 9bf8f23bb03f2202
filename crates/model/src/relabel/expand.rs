//! Template expansion with Go `regexp.Expand` semantics, which Prometheus uses for
//! `replacement` and `target_label`.
//!
//! `$name` takes the longest run of letters, digits and `_`; `${name}` delimits it; a name made
//! only of digits (without a leading zero) is a group number; `$$` is a literal `$`; a `$` not
//! followed by a valid reference is kept as text; unknown or unmatched groups expand to nothing.

use regex::{Captures, Regex};

/// Expands `template` using the groups of `caps` (from `re`).
pub fn expand(template: &str, re: &Regex, caps: &Captures<'_>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            out.push('$');
            rest = after;
            continue;
        }
        let Some((name, after)) = extract(rest) else {
            out.push('$');
            continue;
        };
        rest = after;
        match group_number(name) {
            Some(n) => {
                if let Some(m) = caps.get(n) {
                    out.push_str(m.as_str());
                }
            }
            None => {
                let idx = re.capture_names().position(|n| n == Some(name));
                if let Some(m) = idx.and_then(|i| caps.get(i)) {
                    out.push_str(m.as_str());
                }
            }
        }
    }
    out.push_str(rest);
    out
}

/// Parses the reference after a `$`: returns the name and the remaining text.
fn extract(s: &str) -> Option<(&str, &str)> {
    let (brace, body) = match s.strip_prefix('{') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let end = body.char_indices().find(|&(_, c)| !(c.is_alphanumeric() || c == '_')).map_or(body.len(), |(i, _)| i);
    if end == 0 {
        return None;
    }
    let name = &body[..end];
    let rest = &body[end..];
    if brace {
        let rest = rest.strip_prefix('}')?;
        return Some((name, rest));
    }
    Some((name, rest))
}

/// A group number as Go parses it: ASCII digits, no leading zero, at most nine digits.
fn group_number(name: &str) -> Option<usize> {
    if !name.bytes().all(|b| b.is_ascii_digit()) || (name.len() > 1 && name.starts_with('0')) {
        return None;
    }
    if name.len() > 9 {
        return None;
    }
    name.parse().ok()
}
