//! The `.test` script: blocks of lines turned into `load`, `clear` and `eval` commands.
//!
//! A malformed block never aborts the file: it becomes [`Command::Broken`], which the runner
//! counts as a failure at that line, so one bad line costs one result rather than a whole file.

use super::number::{parse_scalar, parse_time_ms};
use super::series::{SeriesDesc, SeriesLine, parse_series_line, unquote};
use regex::{Captures, Regex};
use std::sync::LazyLock;
use vigil_model::Labels;

/// A parsed script.
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// Commands in file order.
    pub commands: Vec<Command>,
}

/// One command of a script.
#[derive(Debug, Clone)]
pub enum Command {
    /// `clear`: drop all data.
    Clear,
    /// `load <step>` or `load_with_nhcb <step>`.
    Load(Load),
    /// An `eval…` command with its expectations.
    Eval(Box<Eval>),
    /// A block that failed to parse. `is_eval` tells whether it was meant to be an eval.
    Broken {
        /// 1-based line of the block's first line.
        line: usize,
        /// The line's text.
        text: String,
        /// Whether the block was an eval (then it counts as one failed test).
        is_eval: bool,
        /// What is wrong.
        message: String,
    },
}

/// A `load` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Load {
    /// 1-based line of the `load` command.
    pub line: usize,
    /// Interval between slots in milliseconds.
    pub step_ms: i64,
    /// `load_with_nhcb`: classic histograms are also loaded as native histograms.
    pub with_nhcb: bool,
    /// Series in first-definition order; a later definition of the same labels replaced the earlier.
    pub series: Vec<SeriesDesc>,
    /// Series that carry `@st` start timestamps, with one offset (ms, relative to the sample's
    /// time; `None` for `_`) per slot.
    pub start_timestamps: Vec<(Labels, Vec<Option<i64>>)>,
}

/// How an expected message is matched.
#[derive(Debug, Clone)]
pub enum MessageMatch {
    /// Any message.
    Any,
    /// Exactly this text (`msg:`).
    Exact(String),
    /// An unanchored regex search (`regex:`).
    Regex(Regex),
}

impl MessageMatch {
    /// Whether `text` satisfies this expectation.
    pub fn matches(&self, text: &str) -> bool {
        match self {
            MessageMatch::Any => true,
            MessageMatch::Exact(s) => s == text,
            MessageMatch::Regex(re) => re.is_match(text),
        }
    }
}

impl std::fmt::Display for MessageMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MessageMatch::Any => f.write_str("any message"),
            MessageMatch::Exact(s) => write!(f, "msg: {s}"),
            MessageMatch::Regex(re) => write!(f, "regex: {}", re.as_str()),
        }
    }
}

/// When and how an eval runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalKind {
    /// `eval instant at <t>`.
    Instant {
        /// Evaluation time (ms).
        at_ms: i64,
    },
    /// `eval range from <start> to <end> step <step>`.
    Range {
        /// Start (ms).
        start_ms: i64,
        /// End (ms), not before start.
        end_ms: i64,
        /// Step (ms), positive.
        step_ms: i64,
    },
}

/// `expect range vector from <a> to <b> step <s>` on an instant eval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeVectorExpectation {
    /// First expected timestamp (ms).
    pub start_ms: i64,
    /// Last possible timestamp (ms).
    pub end_ms: i64,
    /// Interval (ms), positive.
    pub step_ms: i64,
}

/// The result an eval expects when it does not expect an error.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    /// Series lines (possibly none, meaning an empty result).
    Series(Vec<ExpectedSeries>),
    /// A bare number.
    Scalar(f64),
    /// `expect string "<s>"`.
    String(String),
}

/// One expected series line.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedSeries {
    /// 1-based line number.
    pub line: usize,
    /// The description.
    pub desc: SeriesDesc,
}

/// An eval command with its expectations.
#[derive(Debug, Clone)]
pub struct Eval {
    /// 1-based line of the eval command.
    pub line: usize,
    /// The PromQL expression.
    pub query: String,
    /// Instant or range.
    pub kind: EvalKind,
    /// The query must fail; the message must match.
    pub fail: Option<MessageMatch>,
    /// `expect warn` lines (each must match an annotation, and every warning must match one).
    pub warn: Vec<MessageMatch>,
    /// `expect no_warn`.
    pub no_warn: bool,
    /// `expect info` lines.
    pub info: Vec<MessageMatch>,
    /// `expect no_info`.
    pub no_info: bool,
    /// Legacy `eval_warn`: at least one warning.
    pub legacy_warn: bool,
    /// Legacy `eval_info`: at least one info annotation.
    pub legacy_info: bool,
    /// `eval_ordered` or `expect ordered`.
    pub ordered: bool,
    /// `expect range vector …`.
    pub range_vector: Option<RangeVectorExpectation>,
    /// The expected value.
    pub expected: Expected,
}

impl Eval {
    fn new(line: usize, query: String, kind: EvalKind) -> Self {
        Eval {
            line,
            query,
            kind,
            fail: None,
            warn: Vec::new(),
            no_warn: false,
            info: Vec::new(),
            no_info: false,
            legacy_warn: false,
            legacy_info: false,
            ordered: false,
            range_vector: None,
            expected: Expected::Series(Vec::new()),
        }
    }
}

type Pattern = LazyLock<Result<Regex, regex::Error>>;

/// Captures of one of the constant patterns below (unit tests check that they all compile).
fn captures<'t>(pattern: &Pattern, text: &'t str) -> Option<Captures<'t>> {
    pattern.as_ref().ok()?.captures(text)
}

static LOAD: Pattern = LazyLock::new(|| Regex::new(r"^load(?:_(with_nhcb))?\s+(.+?)$"));
static EVAL_INSTANT: Pattern =
    LazyLock::new(|| Regex::new(r"^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$"));
static EVAL_RANGE: Pattern = LazyLock::new(|| {
    Regex::new(r"^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$")
});
static EXPECT_RANGE: Pattern =
    LazyLock::new(|| Regex::new(r"^expect\s+range\s+vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$"));
static EXPECT: Pattern =
    LazyLock::new(|| Regex::new(r"^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$"));

/// The constant patterns, for the unit test that checks they compile.
#[cfg(test)]
fn all_patterns() -> [&'static Pattern; 5] {
    [&LOAD, &EVAL_INSTANT, &EVAL_RANGE, &EXPECT_RANGE, &EXPECT]
}

/// Parses a whole script. Never fails: malformed blocks become [`Command::Broken`].
pub fn parse_script(source: &str) -> Script {
    // Comments become blank lines, so a comment inside a block ends it (as upstream).
    let lines: Vec<&str> = source.split('\n').map(str::trim).map(|l| if l.starts_with('#') { "" } else { l }).collect();
    // Series lines are parsed untrimmed on the left so that error columns match the file.
    let raw: Vec<&str> = source.split('\n').map(str::trim_end).collect();
    let mut commands = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].is_empty() {
            i += 1;
            continue;
        }
        let start = i;
        let word = lines[i].split_whitespace().next().unwrap_or("").to_ascii_lowercase();
        let mut end = start + 1;
        while end < lines.len() && !lines[end].is_empty() {
            end += 1;
        }
        let block = &lines[start..end];
        let raw_block = &raw[start..end];
        let broken = |is_eval: bool, message: String| Command::Broken {
            line: start + 1,
            text: lines[start].to_owned(),
            is_eval,
            message,
        };
        if word == "clear" {
            commands.push(if lines[start].eq_ignore_ascii_case("clear") {
                Command::Clear
            } else {
                broken(false, format!("unexpected text after clear: {:?}", lines[start]))
            });
            i = start + 1;
        } else if word.starts_with("load") {
            commands.push(match parse_load(block, raw_block, start) {
                Ok(load) => Command::Load(load),
                Err(message) => broken(false, message),
            });
            i = end;
        } else if word.starts_with("eval") {
            let (command, consumed) = match parse_eval(block, raw_block, start) {
                Ok((eval, consumed)) => (Command::Eval(Box::new(eval)), consumed),
                Err(message) => (broken(true, message), block.len()),
            };
            commands.push(command);
            i = start + consumed;
        } else {
            commands.push(broken(false, format!("unknown command {:?}", lines[start])));
            i = start + 1;
        }
    }
    Script { commands }
}

fn parse_load(block: &[&str], raw_block: &[&str], start: usize) -> Result<Load, String> {
    let caps = captures(&LOAD, block[0]).ok_or_else(|| format!("invalid load command {:?}", block[0]))?;
    let with_nhcb = caps.get(1).is_some();
    let step_text = caps.get(2).map_or("", |m| m.as_str());
    let step_ms =
        vigil_model::duration::parse_duration_ms(step_text).map_err(|_| format!("invalid load step {step_text:?}"))?;
    let mut load = Load { line: start + 1, step_ms, with_nhcb, series: Vec::new(), start_timestamps: Vec::new() };
    let mut pending_st: Option<(usize, Labels, Vec<Option<i64>>)> = None;
    for (k, text) in raw_block.iter().enumerate().skip(1) {
        let line = start + k + 1;
        let parsed = parse_series_line(text).map_err(|m| format!("line {line}: {m}"))?;
        match parsed {
            SeriesLine::StartTimestamps { labels, offsets } => {
                if pending_st.is_some() {
                    return Err(format!("line {line}: two @st lines in a row"));
                }
                pending_st = Some((line, labels, offsets));
            }
            SeriesLine::Series(desc) => {
                if let Some((st_line, labels, offsets)) = pending_st.take() {
                    if labels != desc.labels || offsets.len() != desc.values.len() {
                        return Err(format!(
                            "line {st_line}: @st line does not match the series on the next line (labels or value count)"
                        ));
                    }
                    load.start_timestamps.retain(|(l, _)| *l != labels);
                    load.start_timestamps.push((labels, offsets));
                }
                match load.series.iter_mut().find(|s| s.labels == desc.labels) {
                    Some(existing) => *existing = desc,
                    None => load.series.push(desc),
                }
            }
        }
    }
    if let Some((st_line, _, _)) = pending_st {
        return Err(format!("line {st_line}: @st line is not followed by its series"));
    }
    Ok(load)
}

/// Parses an eval block; returns the eval and how many lines of the block it used (a scalar
/// expectation ends the block early, as upstream).
fn parse_eval(block: &[&str], raw_block: &[&str], start: usize) -> Result<(Eval, usize), String> {
    let header = block[0];
    let mut eval = if let Some(c) = captures(&EVAL_RANGE, header) {
        let get = |i| c.get(i).map_or("", |m| m.as_str());
        let start_ms = parse_time_ms(get(2))?;
        let end_ms = parse_time_ms(get(3))?;
        let step_ms = parse_time_ms(get(4))?;
        if end_ms < start_ms {
            return Err(format!(
                "invalid test definition, end timestamp ({}) is before start timestamp ({})",
                get(3),
                get(2)
            ));
        }
        if step_ms <= 0 {
            return Err(format!("invalid step {:?}: must be positive", get(4)));
        }
        let mut eval = Eval::new(start + 1, get(5).to_owned(), EvalKind::Range { start_ms, end_ms, step_ms });
        apply_modifier(&mut eval, c.get(1).map(|m| m.as_str()));
        eval
    } else if let Some(c) = captures(&EVAL_INSTANT, header) {
        let at = c.get(2).map_or("", |m| m.as_str());
        let at_ms = parse_time_ms(at)?;
        let query = c.get(3).map_or("", |m| m.as_str()).to_owned();
        let mut eval = Eval::new(start + 1, query, EvalKind::Instant { at_ms });
        apply_modifier(&mut eval, c.get(1).map(|m| m.as_str()));
        eval
    } else {
        return Err(format!("invalid eval command {header:?}"));
    };
    let is_instant = matches!(eval.kind, EvalKind::Instant { .. });
    let mut series = Vec::new();
    let mut used = block.len();
    for (k, text) in block.iter().enumerate().skip(1) {
        let line = start + k + 1;
        let at = |m: String| format!("line {line}: {m}");
        if eval.fail.is_some() {
            if let Some(msg) = text.strip_prefix("expected_fail_message ") {
                eval.fail = Some(MessageMatch::Exact(msg.trim().to_owned()));
                used = k + 1;
                break;
            }
            if let Some(pattern) = text.strip_prefix("expected_fail_regexp ") {
                let re = compile(pattern.trim()).map_err(at)?;
                eval.fail = Some(MessageMatch::Regex(re));
                used = k + 1;
                break;
            }
        }
        if let Some(c) = captures(&EXPECT_RANGE, text) {
            if !is_instant {
                return Err(at("expect range vector is only allowed on instant evals".into()));
            }
            let get = |i| c.get(i).map_or("", |m| m.as_str());
            let range = RangeVectorExpectation {
                start_ms: parse_time_ms(get(1)).map_err(at)?,
                end_ms: parse_time_ms(get(2)).map_err(at)?,
                step_ms: parse_time_ms(get(3)).map_err(at)?,
            };
            if range.step_ms <= 0 || range.end_ms < range.start_ms {
                return Err(at(format!("invalid range {text:?}")));
            }
            eval.range_vector = Some(range);
            continue;
        }
        if let Some(rest) = text.strip_prefix("expect string") {
            let rest = rest.trim();
            let (s, end) = unquote(rest, 0).map_err(at)?;
            if end != rest.len() {
                return Err(at(format!("unexpected text after the string in {text:?}")));
            }
            eval.expected = Expected::String(s);
            continue;
        }
        if text.split_whitespace().next() == Some("expect") {
            let c = captures(&EXPECT, text).ok_or_else(|| at(format!("invalid expect line {text:?}")))?;
            let kind = c.get(1).map_or("", |m| m.as_str());
            let text_part = c.get(3).map_or("", |m| m.as_str()).trim();
            let matcher = match c.get(2).map(|m| m.as_str()) {
                Some("msg") => MessageMatch::Exact(text_part.to_owned()),
                Some(_) => MessageMatch::Regex(compile(text_part).map_err(at)?),
                None => MessageMatch::Any,
            };
            match kind {
                "ordered" => eval.ordered = true,
                "fail" if eval.fail.is_some() => return Err(at("more than one expect fail".into())),
                "fail" => eval.fail = Some(matcher),
                "warn" => eval.warn.push(matcher),
                "no_warn" => eval.no_warn = true,
                "info" => eval.info.push(matcher),
                _ => eval.no_info = true,
            }
            continue;
        }
        if let Some(v) = parse_scalar(text) {
            eval.expected = Expected::Scalar(v);
            used = k + 1;
            break;
        }
        let desc = match parse_series_line(raw_block.get(k).copied().unwrap_or(text)).map_err(at)? {
            SeriesLine::Series(desc) => desc,
            SeriesLine::StartTimestamps { .. } => return Err(at("@st lines are only allowed in load blocks".into())),
        };
        if is_instant && eval.range_vector.is_none() && desc.values.len() != 1 {
            return Err(at(format!("expected exactly one value for an instant eval, got {}", desc.values.len())));
        }
        series.push(ExpectedSeries { line, desc });
    }
    if !series.is_empty() {
        if !matches!(eval.expected, Expected::Series(_)) {
            return Err(format!("line {}: series lines mixed with a scalar or string expectation", start + 1));
        }
        eval.expected = Expected::Series(series);
    }
    if (!eval.warn.is_empty() && eval.no_warn) || (!eval.info.is_empty() && eval.no_info) {
        return Err(format!("line {}: conflicting expect lines (warn with no_warn, or info with no_info)", start + 1));
    }
    if eval.ordered && !is_instant {
        return Err(format!("line {}: ordered is not allowed on range evals", start + 1));
    }
    Ok((eval, used))
}

/// Compiles an expected-message regex; the error stays on one line.
fn compile(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| {
        let detail = e.to_string().lines().last().unwrap_or("").trim().to_owned();
        format!("invalid regex {pattern:?}: {detail}")
    })
}

fn apply_modifier(eval: &mut Eval, modifier: Option<&str>) {
    match modifier {
        Some("fail") => eval.fail = Some(MessageMatch::Any),
        Some("warn") => eval.legacy_warn = true,
        Some("info") => eval.legacy_info = true,
        Some("ordered") => eval.ordered = true,
        _ => {}
    }
}

#[cfg(test)]
mod tests;
