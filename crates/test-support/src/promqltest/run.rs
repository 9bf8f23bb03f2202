//! Executing a script: loading series into a [`MemStorage`] and running evals through the engine,
//! each on its own thread with a watchdog so that a panicking or hanging engine costs one result.

use super::compare::{check_outcome, check_result, check_value, instant_from_range};
use super::nhcb::convert_load;
use super::print::{calls_at_unsafe_function, pin_at, walk};
use super::script::{Command, Eval, EvalKind, Expected, Load, parse_script};
use super::series::SlotValue;
use regex::Regex;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, mpsc};
use std::time::Duration;
use vigil_model::{Labels, Matcher, Sample, Timestamp};
use vigil_promql::{Engine, EngineOptions, QueryOptions, QueryResult, Value};
use vigil_promql_syntax::Expr;
use vigil_storage::{Appendable, MemStorage};

/// How the runner evaluates.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Per-query timeout handed to the engine; the watchdog gives up a few seconds later.
    pub timeout: Duration,
    /// Re-run every eligible instant eval as a range query over `[t-1m, t+1m]` (as upstream).
    pub range_mode_check: bool,
    /// Re-run every eligible instant eval with all selectors pinned by `@ t` at other evaluation
    /// times (upstream's step-invariance check).
    pub step_invariance_check: bool,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self { timeout: Duration::from_secs(10), range_mode_check: true, step_invariance_check: true }
    }
}

/// The result of one eval (or of a malformed block, reported at its line).
#[derive(Debug, Clone, PartialEq)]
pub struct EvalOutcome {
    /// 1-based line of the eval command.
    pub line: usize,
    /// The query (or the malformed line's text).
    pub query: String,
    /// `None` if it passed; otherwise why it failed.
    pub failure: Option<String>,
}

/// All outcomes of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileReport {
    /// The file's name as used in known-failures keys (its base name).
    pub name: String,
    /// One outcome per eval, in file order.
    pub outcomes: Vec<EvalOutcome>,
    /// Queries sent to the engine, counting the step-invariance and range-mode re-runs.
    pub queries: usize,
}

impl FileReport {
    /// Number of passing evals.
    pub fn passed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.failure.is_none()).count()
    }

    /// Number of failing evals.
    pub fn failed(&self) -> usize {
        self.outcomes.len() - self.passed()
    }
}

/// Reads and runs one file; the report is named after the file's base name.
pub fn run_file(path: &std::path::Path, config: &RunConfig) -> crate::Result<FileReport> {
    let source = std::fs::read_to_string(path).map_err(|source| crate::Error::Io { path: path.to_owned(), source })?;
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    Ok(run_source(&name, &source, config))
}

/// Runs a script given as text.
pub fn run_source(name: &str, source: &str, config: &RunConfig) -> FileReport {
    let script = parse_script(source);
    let mut state = State::new(config);
    let mut outcomes = Vec::new();
    for command in &script.commands {
        match command {
            Command::Clear => state.clear(),
            Command::Load(load) => state.load(load),
            Command::Eval(eval) => {
                let failure = state.eval(eval).err();
                outcomes.push(EvalOutcome { line: eval.line, query: eval.query.clone(), failure });
            }
            Command::Broken { line, text, is_eval, message } => {
                if !is_eval {
                    // Evals after a broken load would run on partial data: fail them instead.
                    state.broken_load.get_or_insert((*line, message.clone()));
                }
                let what = if *is_eval { "invalid eval" } else { "invalid block" };
                outcomes.push(EvalOutcome {
                    line: *line,
                    query: text.clone(),
                    failure: Some(format!("{what}: {message}")),
                });
            }
        }
    }
    FileReport { name: name.to_owned(), outcomes, queries: state.queries.get() }
}

struct State<'a> {
    config: &'a RunConfig,
    engine: Engine,
    storage: MemStorage,
    /// Series whose data could not be loaded, with why.
    unsupported: Vec<(Labels, &'static str)>,
    broken_load: Option<(usize, String)>,
    queries: std::cell::Cell<usize>,
}

static RANGE_UNSAFE: LazyLock<Result<Regex, regex::Error>> =
    LazyLock::new(|| Regex::new(r"\b(start|end|range|step)\s*\("));

impl<'a> State<'a> {
    fn new(config: &'a RunConfig) -> Self {
        let engine = Engine::new(EngineOptions {
            lookback_delta_ms: 5 * 60 * 1000,
            timeout: config.timeout,
            max_samples: 10_000,
            // The `.test` files are written for Prometheus' test engine, which enables them all.
            features: vigil_promql::Features::all(),
        });
        State {
            config,
            engine,
            storage: MemStorage::new(),
            unsupported: Vec::new(),
            broken_load: None,
            queries: Default::default(),
        }
    }

    fn clear(&mut self) {
        self.storage = MemStorage::new();
        self.unsupported.clear();
        self.broken_load = None;
    }

    fn load(&mut self, load: &Load) {
        if let Err(message) = self.try_load(load) {
            self.broken_load.get_or_insert((load.line, message));
        }
    }

    fn try_load(&mut self, load: &Load) -> Result<(), String> {
        let mut app = self.storage.appender();
        for series in &load.series {
            let starts = load.start_timestamps.iter().find(|(l, _)| *l == series.labels).map(|(_, o)| o);
            for (slot, value) in series.values.iter().enumerate() {
                let Some(value) = value else { continue };
                let t = i64::try_from(slot)
                    .ok()
                    .and_then(|s| s.checked_mul(load.step_ms))
                    .ok_or_else(|| format!("line {}: sample time overflows", load.line))?;
                let sample = match value {
                    SlotValue::Float(v) => Sample::Float { t, v: *v },
                    SlotValue::Histogram(h) => Sample::FloatHistogram { t, h: Arc::new(h.clone()) },
                };
                // `@st` offsets are relative to their sample; a start that comes out at 0 is
                // "unknown", as upstream's storage reads it.
                let start = starts.and_then(|o| o.get(slot).copied().flatten()).map_or(0, |o| t.saturating_add(o));
                app.append_with_start(0, &series.labels, sample, start)
                    .map_err(|e| format!("line {}: cannot load {}: {e}", load.line, series.labels))?;
            }
        }
        if load.with_nhcb {
            for (labels, samples) in convert_load(load).map_err(|e| format!("line {}: {e}", load.line))? {
                for (t, h) in samples {
                    app.append(0, &labels, Sample::FloatHistogram { t, h: Arc::new(h) })
                        .map_err(|e| format!("line {}: cannot load {labels}: {e}", load.line))?;
                }
            }
        }
        app.commit().map_err(|e| format!("line {}: commit failed: {e}", load.line))
    }

    /// Why this eval cannot be judged fairly, if it cannot.
    fn unsupported_reason(&self, eval: &Eval) -> Option<String> {
        if let Some((line, message)) = &self.broken_load {
            return Some(format!("an earlier load block (line {line}) failed: {message}"));
        }
        let selectors = query_selectors(&eval.query);
        self.unsupported.iter().find_map(|(labels, why)| {
            let hit = match &selectors {
                Some(selectors) => {
                    selectors.iter().any(|ms| ms.iter().all(|m| m.matches(labels.get(&m.name).unwrap_or(""))))
                }
                // The engine will reject the query anyway; judge by name so the reason is clear.
                None => labels.metric_name().is_none_or(|name| mentions_identifier(&eval.query, name)),
            };
            hit.then(|| format!("unsupported by engine: series {labels}: {why}"))
        })
    }

    fn eval(&self, eval: &Eval) -> Result<(), String> {
        if let Some(reason) = self.unsupported_reason(eval) {
            return Err(reason);
        }
        match eval.kind {
            EvalKind::Range { start_ms, end_ms, step_ms } => {
                let outcome = self.execute(&eval.query, Request::Range(start_ms, end_ms, step_ms))?;
                check_outcome(eval, &outcome)
            }
            EvalKind::Instant { at_ms } => {
                self.check_instant(eval, &eval.query, at_ms, true)?;
                if !self.config.step_invariance_check {
                    return Ok(());
                }
                for (query, t) in step_invariance_cases(&eval.query, at_ms) {
                    self.check_instant(eval, &query, t, false)
                        .map_err(|e| format!("step-invariance check (`{query}` at {t}ms): {e}"))?;
                }
                Ok(())
            }
        }
    }

    /// Runs `query` as an instant query at `t` and judges it, then (when eligible) as a range query
    /// over `[t-1m, t+1m]` step 1m whose point at `t` must meet the same expectation.
    fn check_instant(&self, eval: &Eval, query: &str, t: Timestamp, annotations: bool) -> Result<(), String> {
        let outcome = self.execute(query, Request::Instant(t))?;
        check_result(eval, &outcome, annotations)?;
        let unsafe_query = RANGE_UNSAFE.as_ref().map_or(true, |re| re.is_match(query));
        if !self.config.range_mode_check
            || eval.fail.is_some()
            || eval.range_vector.is_some()
            || matches!(eval.expected, Expected::String(_))
            || unsafe_query
        {
            return Ok(());
        }
        let was_scalar = matches!(outcome, Ok(QueryResult { value: Value::Scalar(..), .. }));
        let ranged = self
            .execute(query, Request::Range(t - 60_000, t + 60_000, 60_000))?
            .map_err(|e| format!("range-mode check ([t-1m, t+1m] step 1m): unexpected error: {e}"))?;
        if eval.ordered {
            return Ok(());
        }
        let value = instant_from_range(&ranged.value, t, was_scalar)?;
        check_value(eval, &value).map_err(|e| format!("range-mode check ([t-1m, t+1m] step 1m): {e}"))
    }

    /// Runs one query on a fresh thread. The outer `Err` is a crash (panic or watchdog timeout),
    /// which fails the eval whatever it expects; the inner one is the engine's error text.
    fn execute(&self, query: &str, request: Request) -> Result<Result<QueryResult, String>, String> {
        self.queries.set(self.queries.get() + 1);
        let cancel = Arc::new(AtomicBool::new(false));
        let opts = QueryOptions {
            timeout: Some(self.config.timeout),
            cancel: Some(cancel.clone()),
            ..QueryOptions::default()
        };
        let (engine, storage, query_owned) = (self.engine.clone(), self.storage.clone(), query.to_owned());
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("promqltest-eval".into())
            .stack_size(64 << 20)
            .spawn(move || {
                let result = catch_unwind(AssertUnwindSafe(|| match request {
                    Request::Instant(t) => engine.instant(&storage, &query_owned, t, &opts),
                    Request::Range(start, end, step) => engine.range(&storage, &query_owned, start, end, step, &opts),
                }));
                // The receiver may have given up; nothing to do then.
                let _ = tx.send(result.map(|r| r.map_err(|e| e.to_string())).map_err(panic_message));
            })
            .map_err(|e| format!("cannot start evaluation thread: {e}"))?;
        let watchdog = self.config.timeout + Duration::from_secs(5);
        match rx.recv_timeout(watchdog) {
            Ok(Ok(result)) => {
                let _ = spawned.join();
                Ok(result)
            }
            Ok(Err(panic)) => {
                let _ = spawned.join();
                Err(format!("engine panicked: {panic}"))
            }
            Err(_) => {
                // Leave the thread behind: it cannot be killed, only asked to stop.
                cancel.store(true, Ordering::Relaxed);
                Err(format!("engine did not return within {}s (runner watchdog)", watchdog.as_secs()))
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Request {
    Instant(Timestamp),
    Range(Timestamp, Timestamp, i64),
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}

/// The `@`-pinned rewrites of an instant query at `t` and the times to run them at; empty when the
/// query does not parse, calls a time-dependent function, or cannot be printed back faithfully.
pub fn step_invariance_cases(query: &str, t: Timestamp) -> Vec<(String, Timestamp)> {
    let Ok(expr) = vigil_promql_syntax::parse(query) else { return Vec::new() };
    if calls_at_unsafe_function(&expr) {
        return Vec::new();
    }
    let text = pin_at(&expr, t).to_string();
    // Printing the reparsed text must give the same text (a tree comparison would trip on NaN).
    if vigil_promql_syntax::parse(&text).ok().map(|e| e.to_string()).as_deref() != Some(text.as_str()) {
        return Vec::new();
    }
    let times = if t == 0 { vec![-1000, 0, 1000] } else { vec![-10 * t, 0, t / 5, t, 10 * t] };
    times.into_iter().map(|at| (text.clone(), at)).collect()
}

/// The matchers of every selector in `query`, or `None` when it does not parse.
fn query_selectors(query: &str) -> Option<Vec<Vec<Matcher>>> {
    let expr = vigil_promql_syntax::parse(query).ok()?;
    let mut out = Vec::new();
    walk(&expr, &mut |e| match e {
        Expr::VectorSelector(vs) | Expr::MatrixSelector { vs, .. } => out.push(vs.matchers.clone()),
        _ => {}
    });
    Some(out)
}

/// Whether `query` contains `name` as a whole identifier (not as part of a longer name).
pub fn mentions_identifier(query: &str, name: &str) -> bool {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    query.match_indices(name).any(|(i, m)| {
        let before = query[..i].chars().next_back();
        let after = query[i + m.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

#[cfg(test)]
mod tests;
