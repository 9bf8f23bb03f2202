//! Series descriptions (`metric{l="v"} 1+2x3 _ stale {{count:1}}`), shared by `load` blocks and
//! expected-result lines, plus the `name{...}@st` start-timestamp lines.

use super::number::scan_series_number;
use vigil_model::histogram::{self, FloatHistogram};
use vigil_model::{Labels, LabelsBuilder, METRIC_NAME, STALE_NAN};

/// Upper bound on the values one description may expand to, so `1x999999999999` cannot exhaust
/// memory.
const MAX_VALUES: usize = 1_000_000;

/// One slot of an expanded series description.
#[derive(Debug, Clone, PartialEq)]
pub enum SlotValue {
    /// A float sample (possibly the stale marker).
    Float(f64),
    /// A native histogram (`{{…}}`), parsed.
    Histogram(FloatHistogram),
}

/// A parsed series description: labels plus one entry per slot (`None` for `_`).
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesDesc {
    /// The series labels, including `__name__` when a name was written.
    pub labels: Labels,
    /// Expanded values; `None` is an empty slot.
    pub values: Vec<Option<SlotValue>>,
}

/// What a line describing a series turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum SeriesLine {
    /// An ordinary series description.
    Series(SeriesDesc),
    /// A `name{...}@st` line: start-timestamp offsets (ms) for the series on the next line.
    StartTimestamps {
        /// Labels of the series the offsets belong to.
        labels: Labels,
        /// One offset per slot (`None` for `_`).
        offsets: Vec<Option<i64>>,
    },
}

/// Parses a series description. Errors name the 1-based column within `line`.
pub fn parse_series_line(line: &str) -> Result<SeriesLine, String> {
    let (labels, end) = parse_metric(line)?;
    let rest = &line[end..];
    if let Some(st) = rest.strip_prefix("@st") {
        let base = end + 3;
        let mut offsets = Vec::new();
        for (col, item) in split_items(st, base)? {
            expand_item(item, col, &mut offsets, &scan_signed_duration)?;
        }
        return Ok(SeriesLine::StartTimestamps {
            labels,
            offsets: offsets.into_iter().map(|o| o.map(|v| v as i64)).collect(),
        });
    }
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return Err(format!("col {}: expected whitespace after the series labels, found {rest:?}", end + 1));
    }
    let mut values = Vec::new();
    for (col, item) in split_items(rest, end)? {
        if item.starts_with("{{") {
            expand_histogram_item(item, col, &mut values)?;
            continue;
        }
        let mut floats = Vec::new();
        expand_item(item, col, &mut floats, &scan_series_number)?;
        values.extend(floats.into_iter().map(|v| v.map(SlotValue::Float)));
    }
    Ok(SeriesLine::Series(SeriesDesc { labels, values }))
}

/// Parses the metric part `name`, `name{l="v",...}` or `{...}`; returns the labels and the byte
/// offset just past it.
pub fn parse_metric(line: &str) -> Result<(Labels, usize), String> {
    let bytes = line.as_bytes();
    let mut i = skip_ws(bytes, 0);
    let mut b = LabelsBuilder::new();
    let name_start = i;
    while i < bytes.len() && is_ident_char(bytes[i], i == name_start, true) {
        i += 1;
    }
    let has_name = i > name_start;
    if has_name {
        b.set(METRIC_NAME, &line[name_start..i]);
    }
    if i >= bytes.len() || bytes[i] != b'{' {
        if !has_name {
            return Err(format!("col {}: expected a metric name or '{{'", i + 1));
        }
        return Ok((b.build(), i));
    }
    i += 1;
    loop {
        i = skip_ws(bytes, i);
        match bytes.get(i) {
            None => return Err(format!("col {}: unterminated label set", i + 1)),
            Some(b'}') => return Ok((b.build(), i + 1)),
            _ => {}
        }
        let (name, next) = if matches!(bytes[i], b'"' | b'\'' | b'`') {
            unquote(line, i)?
        } else {
            let start = i;
            while i < bytes.len() && is_ident_char(bytes[i], i == start, false) {
                i += 1;
            }
            if i == start {
                return Err(format!("col {}: expected a label name, found {:?}", i + 1, &line[i..]));
            }
            (line[start..i].to_owned(), i)
        };
        i = skip_ws(bytes, next);
        if bytes.get(i) == Some(&b'=') {
            i = skip_ws(bytes, i + 1);
            if !matches!(bytes.get(i), Some(b'"' | b'\'' | b'`')) {
                return Err(format!("col {}: expected a quoted label value", i + 1));
            }
            let (value, next) = unquote(line, i)?;
            b.set(&name, &value);
            i = next;
        } else {
            // A lone quoted string is the metric name (`{"my.metric", job="x"}`).
            b.set(METRIC_NAME, &name);
        }
        i = skip_ws(bytes, i);
        match bytes.get(i) {
            Some(b',') => i += 1,
            Some(b'}') => {}
            _ => return Err(format!("col {}: expected ',' or '}}' in label set", i + 1)),
        }
    }
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    i
}

fn is_ident_char(c: u8, first: bool, colon: bool) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || (colon && c == b':') || (!first && c.is_ascii_digit())
}

/// Decodes a Go-style quoted string starting at byte `start` (`"…"`, `'…'` or raw `` `…` ``);
/// returns the text and the offset just past the closing quote.
pub fn unquote(s: &str, start: usize) -> Result<(String, usize), String> {
    let quote = s.as_bytes().get(start).copied().ok_or_else(|| format!("col {}: expected a string", start + 1))?;
    let body = &s[start + 1..];
    let unterminated = || format!("col {}: unterminated string", start + 1);
    if quote == b'`' {
        let end = body.find('`').ok_or_else(unterminated)?;
        return Ok((body[..end].to_owned(), start + 1 + end + 1));
    }
    let mut out: Vec<u8> = Vec::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        if c as u32 == u32::from(quote) {
            return Ok((String::from_utf8_lossy(&out).into_owned(), start + 1 + i + 1));
        }
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let bad = || format!("col {}: invalid escape in string", start + 1 + i + 1);
        let (_, e) = chars.next().ok_or_else(unterminated)?;
        let simple = match e {
            'a' => Some(0x07),
            'b' => Some(0x08),
            'f' => Some(0x0c),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(0x0b),
            '\\' => Some(b'\\'),
            '"' => Some(b'"'),
            '\'' => Some(b'\''),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            continue;
        }
        let (digits, radix) = match e {
            'x' => (2, 16),
            'u' => (4, 16),
            'U' => (8, 16),
            '0'..='7' => (2, 8),
            _ => return Err(bad()),
        };
        let mut text = String::new();
        if radix == 8 {
            text.push(e);
        }
        for _ in 0..digits {
            text.push(chars.next().ok_or_else(unterminated)?.1);
        }
        let code = u32::from_str_radix(&text, radix).map_err(|_| bad())?;
        if e == 'x' || radix == 8 {
            out.push(u8::try_from(code).map_err(|_| bad())?);
        } else {
            let c = char::from_u32(code).ok_or_else(bad)?;
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    Err(unterminated())
}

/// Splits the value part into items on spaces and tabs, keeping `{{ … }}` together. Each item
/// comes with its 1-based column (`base` is the offset of `s` within the line).
fn split_items(s: &str, base: usize) -> Result<Vec<(usize, &str)>, String> {
    let bytes = s.as_bytes();
    let mut items = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b' ' || bytes[i] == b'\t' {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i] != b' ' && bytes[i] != b'\t' {
            if bytes[i..].starts_with(b"{{") {
                let close = s[i..].find("}}").ok_or_else(|| format!("col {}: unterminated '{{{{'", base + i + 1))?;
                i += close + 2;
            } else {
                i += 1;
            }
        }
        items.push((base + start + 1, &s[start..i]));
    }
    Ok(items)
}

fn scan_signed_duration(s: &str) -> Option<(f64, usize)> {
    let bytes = s.as_bytes();
    let sign = usize::from(matches!(bytes.first(), Some(b'-' | b'+')));
    let mut j = sign;
    while j < bytes.len() && (bytes[j].is_ascii_digit() || b"smhdwy".contains(&bytes[j])) {
        j += 1;
    }
    let ms = vigil_model::duration::parse_duration_ms(&s[sign..j]).ok()? as f64;
    Some((if bytes.first() == Some(&b'-') { -ms } else { ms }, j))
}

/// Parses `xN` at the start of `s` (the whole remainder) into N.
fn parse_repeat(s: &str, col: usize) -> Result<usize, String> {
    let digits = s.strip_prefix('x').ok_or_else(|| format!("col {col}: expected 'x<count>', found {s:?}"))?;
    let n: usize = digits.parse().map_err(|_| format!("col {col}: invalid repeat count {digits:?}"))?;
    if n >= MAX_VALUES {
        return Err(format!("col {col}: repeat count {n} is too large"));
    }
    Ok(n)
}

fn check_len(out_len: usize, col: usize) -> Result<(), String> {
    if out_len > MAX_VALUES {
        return Err(format!("col {col}: series expands to more than {MAX_VALUES} values"));
    }
    Ok(())
}

/// Expands one non-histogram item (`_`, `_xN`, `stale`, `a`, `axN`, `a+bxN`, `a-bxN`).
fn expand_item(
    item: &str,
    col: usize,
    out: &mut Vec<Option<f64>>,
    scan: &dyn Fn(&str) -> Option<(f64, usize)>,
) -> Result<(), String> {
    if item == "_" {
        out.push(None);
        return Ok(());
    }
    if let Some(rest) = item.strip_prefix('_') {
        let n = parse_repeat(rest, col)?;
        check_len(out.len() + n, col)?;
        out.extend(std::iter::repeat_n(None, n));
        return Ok(());
    }
    if item == "stale" {
        out.push(Some(STALE_NAN));
        return Ok(());
    }
    let (a, used) = scan(item).ok_or_else(|| format!("col {col}: invalid value {item:?}"))?;
    let rest = &item[used..];
    if rest.is_empty() {
        out.push(Some(a));
        return Ok(());
    }
    let (delta, rest) = match rest.as_bytes()[0] {
        b'+' | b'-' => {
            let (b, used_b) = scan(&rest[1..]).ok_or_else(|| format!("col {col}: invalid increment in {item:?}"))?;
            let b = if rest.starts_with('-') { -b } else { b };
            (b, &rest[1 + used_b..])
        }
        _ => (0.0, rest),
    };
    let n = parse_repeat(rest, col)?;
    check_len(out.len() + n + 1, col)?;
    // Repeated addition, not multiplication, to round exactly like upstream.
    let mut v = a;
    out.push(Some(v));
    for _ in 0..n {
        v += delta;
        out.push(Some(v));
    }
    Ok(())
}

/// Expands `{{A}}`, `{{A}}xN` and `{{A}}±{{B}}xN` into histogram slots. Increments are applied by
/// repeated `FloatHistogram::add`/`sub`, as upstream does, and (as upstream) the running value
/// may not have a finer schema than the increment.
fn expand_histogram_item(item: &str, col: usize, out: &mut Vec<Option<SlotValue>>) -> Result<(), String> {
    let (first, rest) = take_histogram(item, col)?;
    if rest.is_empty() {
        out.push(Some(SlotValue::Histogram(first)));
        return Ok(());
    }
    let (increment, rest) = match rest.as_bytes()[0] {
        op @ (b'+' | b'-') => {
            let at = col + (item.len() - rest.len()) + 1;
            let (b, rest) = take_histogram(&rest[1..], at)?;
            (Some((op, b)), rest)
        }
        _ => (None, rest),
    };
    let n = parse_repeat(rest, col)?;
    check_len(out.len() + n + 1, col)?;
    let mut current = first;
    out.push(Some(SlotValue::Histogram(current.clone())));
    for _ in 0..n {
        if let Some((op, b)) = &increment {
            if current.schema > b.schema {
                return Err(format!(
                    "col {col}: cannot combine a histogram of schema {} with an increment of schema {}",
                    current.schema, b.schema
                ));
            }
            let next = if *op == b'+' { current.add(b) } else { current.sub(b) };
            current = next.map_err(|e| format!("col {col}: {e}"))?;
        }
        out.push(Some(SlotValue::Histogram(current.clone())));
    }
    Ok(())
}

/// Parses one `{{…}}` literal at the start of `s` (at column `col`); returns it and the
/// remainder. Errors name the column of the offending byte.
fn take_histogram(s: &str, col: usize) -> Result<(FloatHistogram, &str), String> {
    if !s.starts_with("{{") {
        return Err(format!("col {col}: expected '{{{{' in {s:?}"));
    }
    let end = s.find("}}").ok_or_else(|| format!("col {col}: unterminated histogram {s:?}"))? + 2;
    let h = histogram::notation::parse(&s[..end]).map_err(|e| match e {
        vigil_model::Error::HistogramNotation { offset, message } => format!("col {}: {message}", col + offset),
        other => format!("col {col}: {other}"),
    })?;
    Ok((h, &s[end..]))
}

#[cfg(test)]
mod tests;
